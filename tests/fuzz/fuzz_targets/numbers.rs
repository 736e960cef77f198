//! The number parsers and Python's float printing: no panic, integers agree with the
//! standard library, a parsed float is never NaN, and a printed float reads back exactly.
#![no_main]

use pandas::num::{is_missing, parse_f64, parse_i64, parse_u64, trim, write_py_float, Int};
use libfuzzer_sys::fuzz_target;

/// Python's repr of `x`, read back by a correctly rounded parser.
fn round_trips(x: f64) {
    let mut printed = Vec::new();
    write_py_float(&mut printed, x);
    if x.is_nan() {
        assert!(printed.is_empty());
        return;
    }
    let text = String::from_utf8(printed).unwrap_or_default();
    assert_eq!(text.parse::<f64>().map(f64::to_bits), Ok(x.to_bits()), "{text}");
}

fuzz_target!(|data: &[u8]| {
    let _ = is_missing(data);
    // pandas skips blanks around numbers and allows a `+`; std does neither.
    let bare = trim(data);
    let text = std::str::from_utf8(bare.strip_prefix(b"+").unwrap_or(bare)).ok();
    let digits = !bare.is_empty() && bare.iter().all(u8::is_ascii_digit);
    match parse_u64(data) {
        Some(n) => assert_eq!(text.and_then(|t| t.parse::<u64>().ok()), Some(n)),
        None => assert!(!digits || text.and_then(|t| t.parse::<u64>().ok()).is_none()),
    }
    if let Int::Value(n) = parse_i64(data) {
        let signed = std::str::from_utf8(bare).ok();
        let signed = signed.map(|t| t.strip_prefix('+').unwrap_or(t));
        assert_eq!(signed.and_then(|t| t.parse::<i64>().ok()), Some(n));
    }
    // pandas' converter is not correctly rounded, so no exact comparison with std here:
    // tests/data/pandas_floats.csv pins it against pandas itself.
    if let Some(x) = parse_f64(data) {
        assert!(!x.is_nan());
        round_trips(x);
    }
    if data.len() >= 8 {
        round_trips(f64::from_le_bytes(data[..8].try_into().unwrap_or_default()));
    }
});
