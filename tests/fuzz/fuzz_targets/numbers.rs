//! The number parsers and Python's float printing: no panic, integers agree with the
//! standard library, and a printed float reads back as the same float.
#![no_main]

use common::num::{is_missing, parse_f64, parse_i64, parse_u64, write_py_float, Int};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = is_missing(data);
    let text = std::str::from_utf8(data).ok();
    let digits = !data.is_empty() && data.iter().all(u8::is_ascii_digit);
    match parse_u64(data) {
        Some(n) => assert_eq!(text.and_then(|t| t.parse::<u64>().ok()), Some(n)),
        None => assert!(!digits || text.and_then(|t| t.parse::<u64>().ok()).is_none()),
    }
    if let Int::Value(n) = parse_i64(data) {
        assert_eq!(text.and_then(|t| t.parse::<i64>().ok()), Some(n));
    }
    if let Some(x) = parse_f64(data) {
        let mut printed = Vec::new();
        write_py_float(&mut printed, x);
        if x.is_nan() {
            assert!(printed.is_empty());
        } else {
            let back = parse_f64(&printed).unwrap_or_else(|| {
                panic!(
                    "{:?} does not parse back",
                    String::from_utf8_lossy(&printed)
                )
            });
            assert_eq!(back.to_bits(), x.to_bits(), "{x:e}");
        }
    }
    if data.len() >= 8 {
        let x = f64::from_le_bytes(data[..8].try_into().unwrap_or_default());
        let mut printed = Vec::new();
        write_py_float(&mut printed, x);
        if !x.is_nan() {
            assert_eq!(parse_f64(&printed).map(f64::to_bits), Some(x.to_bits()));
        }
    }
});
