//! Numbers read from and written as bytes, the way pandas reads and prints them.

use std::io::Write;

/// Parses an unsigned decimal integer (digits only), `None` if it is anything else or overflows.
pub fn parse_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 20 {
        // Longer than u64::MAX: a value only with leading zeros (`000…0042`, as pandas
        // reads it). Off the hot path: monitor sizes have a few digits.
        let zeros = bytes.iter().take_while(|&&b| b == b'0').count();
        return match zeros {
            0 => None,
            z if z == bytes.len() => Some(0),
            z => parse_u64(&bytes[z..]),
        };
    }
    if bytes.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &b in bytes {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// What an integer-looking field turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Int {
    Value(i64),
    /// Only digits (and a sign), but outside i64.
    Overflow,
    /// Not an integer literal at all.
    NotInt,
}

/// Parses `[+-]digits` as pandas reads an integer column.
pub fn parse_i64(bytes: &[u8]) -> Int {
    let (neg, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Int::NotInt;
    }
    // Accumulate negatively so that i64::MIN parses too.
    let mut n: i64 = 0;
    for &b in digits {
        let d = i64::from(b - b'0');
        match n.checked_mul(10).and_then(|n| n.checked_sub(d)) {
            Some(v) => n = v,
            None => return Int::Overflow,
        }
    }
    if neg {
        Int::Value(n)
    } else {
        n.checked_neg().map_or(Int::Overflow, Int::Value)
    }
}

/// Parses a float the way pandas reads a float column (`15828.0`, `1e3`, `inf`).
pub fn parse_f64(bytes: &[u8]) -> Option<f64> {
    // Fast path for the common `digits.0`: exact, and no UTF-8 check or generic parser.
    if let Some(dot) = bytes.iter().position(|&b| b == b'.') {
        let (int, frac) = (&bytes[..dot], &bytes[dot + 1..]);
        if !frac.is_empty() && frac.iter().all(|&b| b == b'0') {
            if let Some(n) = parse_u64(int).filter(|&n| n < 1 << 53) {
                #[allow(clippy::cast_precision_loss)] // below 2^53: exact
                return Some(n as f64);
            }
        }
    }
    let text = std::str::from_utf8(bytes).ok()?;
    // Rust accepts a few spellings pandas does not ("infinity" is fine in both; "+nan" is not).
    text.parse::<f64>().ok()
}

/// The strings pandas' `read_csv` reads as missing (NaN) by default, besides the empty field.
const NA_VALUES: [&[u8]; 18] = [
    b"#N/A",
    b"#N/A N/A",
    b"#NA",
    b"-1.#IND",
    b"-1.#QNAN",
    b"-NaN",
    b"-nan",
    b"1.#IND",
    b"1.#QNAN",
    b"<NA>",
    b"N/A",
    b"NA",
    b"NULL",
    b"NaN",
    b"None",
    b"n/a",
    b"nan",
    b"null",
];

/// True when pandas would read this field as a missing value.
pub fn is_missing(bytes: &[u8]) -> bool {
    match bytes.first() {
        None => true,
        Some(b) if b.is_ascii_digit() => false,
        Some(_) => NA_VALUES.contains(&bytes),
    }
}

/// Appends `x` as Python's `repr` (and so pandas' `to_csv`) prints a float:
/// `13061927.0`, `1270.5`, `1e+16`, `1e-05`, `inf`; NaN is written as an empty field.
pub fn write_py_float(out: &mut Vec<u8>, x: f64) {
    if x.is_nan() {
        return;
    }
    if x.is_infinite() {
        out.extend_from_slice(if x > 0.0 { b"inf" } else { b"-inf" });
        return;
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as Python's repr does;
    // only the layout differs. It lands in a stack buffer: no allocation per value.
    let mut buf = [0u8; 40];
    let len = {
        let mut cursor = std::io::Cursor::new(&mut buf[..]);
        // 40 bytes hold any f64 in `{:e}` form (at most 24), so this cannot fail.
        let _ = write!(cursor, "{x:e}");
        usize::try_from(cursor.position()).unwrap_or(0)
    };
    let text = &buf[..len];
    let (sign, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let e_at = text.iter().position(|&b| b == b'e').unwrap_or(text.len());
    let (mantissa, exp) = (&text[..e_at], &text[(e_at + 1).min(text.len())..]);
    let exp: i32 = std::str::from_utf8(exp)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut digits = [0u8; 24];
    let mut n = 0;
    for &b in mantissa.iter().filter(|b| b.is_ascii_digit()) {
        digits[n] = b;
        n += 1;
    }
    let digits = &digits[..n];
    if sign {
        out.push(b'-');
    }
    // Python switches to exponent form when the decimal exponent is < -4 or >= 16.
    if !(-4..16).contains(&exp) {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let abs = exp.unsigned_abs();
        if abs < 10 {
            out.push(b'0');
        }
        out.extend_from_slice(itoa::Buffer::new().format(abs).as_bytes());
        return;
    }
    let point = exp + 1; // digits before the decimal point
    if point <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', point.unsigned_abs() as usize));
        out.extend_from_slice(digits);
    } else {
        let point = point.unsigned_abs() as usize;
        if point >= digits.len() {
            out.extend_from_slice(digits);
            out.extend(std::iter::repeat_n(b'0', point - digits.len()));
            out.extend_from_slice(b".0");
        } else {
            out.extend_from_slice(&digits[..point]);
            out.push(b'.');
            out.extend_from_slice(&digits[point..]);
        }
    }
}

/// Appends an integer's decimal digits.
pub fn write_int(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(x: f64) -> String {
        let mut v = Vec::new();
        write_py_float(&mut v, x);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn floats_print_as_python_repr() {
        // Expected values are Python 3's repr() of the same floats.
        let table: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (1.5, "1.5"),
            (1270.5, "1270.5"),
            (13061927.0, "13061927.0"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000123, "0.000123"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (1.5e300, "1.5e+300"),
            (5e-324, "5e-324"),
            (-2.5e-7, "-2.5e-07"),
            (123456789.125, "123456789.125"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, ""),
        ];
        for &(x, want) in table {
            assert_eq!(py(x), want, "repr of {x:e}");
        }
    }

    #[test]
    fn integers() {
        assert_eq!(parse_u64(b"0"), Some(0));
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        // Leading zeros do not make a number large (found by the fuzzer).
        assert_eq!(
            parse_u64(b"00000000002000162128040288"),
            Some(2000162128040288)
        );
        assert_eq!(parse_u64(b"000000000000000000000"), Some(0));
        assert_eq!(parse_u64(b"0000000000000000000018446744073709551616"), None);
        assert_eq!(parse_u64(b"00000000000000000000x"), None);
        for bad in [&b""[..], b"-1", b"+1", b"1.0", b" 1", b"1e3", b"abc"] {
            assert_eq!(parse_u64(bad), None, "{bad:?}");
        }
        assert_eq!(parse_i64(b"-9223372036854775808"), Int::Value(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775807"), Int::Value(i64::MAX));
        assert_eq!(parse_i64(b"9223372036854775808"), Int::Overflow);
        assert_eq!(parse_i64(b"+12"), Int::Value(12));
        assert_eq!(parse_i64(b"-"), Int::NotInt);
        assert_eq!(parse_i64(b"1.0"), Int::NotInt);
    }

    #[test]
    fn floats_parse() {
        assert_eq!(parse_f64(b"15828.0"), Some(15828.0));
        assert_eq!(parse_f64(b"1e3"), Some(1000.0));
        assert_eq!(parse_f64(b"0.1"), Some(0.1));
        assert_eq!(parse_f64(b"99999999999999999999.0"), Some(1e20));
        assert_eq!(parse_f64(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"abc"), None);
        assert_eq!(parse_f64(b"."), None);
        assert_eq!(parse_f64(b"\xff"), None);
    }

    #[test]
    fn missing_values_are_pandas_defaults() {
        for na in [&b""[..], b"NA", b"nan", b"NaN", b"null", b"None", b"<NA>"] {
            assert!(is_missing(na), "{na:?}");
        }
        for v in [&b"0"[..], b"1.0", b"in", b"Nan"] {
            assert!(!is_missing(v), "{v:?}");
        }
    }
}
