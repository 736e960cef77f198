//! Numbers read from and written as bytes, the way pandas reads and prints them.

use std::io::Write;

/// The whitespace pandas skips around a number (its `isspace_ascii`, less the line ends that
/// cannot occur inside an unquoted field anyway).
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0b' | b'\x0c' | b'\r' | b'\n')
}

/// `bytes` without the blanks pandas skips before and after a number (` 5`, `5\t`).
#[inline]
pub fn trim(bytes: &[u8]) -> &[u8] {
    match (bytes.first(), bytes.last()) {
        (Some(&a), Some(&z)) if is_blank(a) || is_blank(z) => {
            let start = bytes
                .iter()
                .position(|&b| !is_blank(b))
                .unwrap_or(bytes.len());
            let end = bytes
                .iter()
                .rposition(|&b| !is_blank(b))
                .map_or(start, |e| e + 1);
            &bytes[start..end]
        }
        _ => bytes,
    }
}

/// Parses a non-negative integer as pandas reads one (blanks around it and a `+` allowed);
/// `None` if it is anything else or overflows 64 bits.
#[inline]
pub fn parse_u64(bytes: &[u8]) -> Option<u64> {
    if let Some(n) = short_digits(bytes) {
        return Some(n);
    }
    let bytes = trim(bytes);
    let digits = bytes.strip_prefix(b"+").unwrap_or(bytes);
    parse_digits(digits)
}

/// Parses decimal digits only, `None` if there are none, or others, or they overflow.
fn parse_digits(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 20 {
        // Longer than u64::MAX: a value only with leading zeros (`000…0042`, as pandas
        // reads it). Off the hot path: monitor sizes have a few digits.
        let zeros = bytes.iter().take_while(|&&b| b == b'0').count();
        return match zeros {
            0 => None,
            z if z == bytes.len() => Some(0),
            z => parse_digits(&bytes[z..]),
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

/// Plain digits, 1 to 15 of them, as a number: what nearly every numeric field of monitor
/// data is, read with no trimming, no sign and no overflow checks (15 digits fit a u64, and
/// an f64 exactly). `None` for anything else, which the full parsers then take.
#[inline]
pub fn short_digits(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 15 {
        return None;
    }
    let mut n = 0;
    for &b in bytes {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u64::from(d);
    }
    Some(n)
}

/// 1 to 8 plain digits given as a word (a field's bytes, little-endian, zero past `len`:
/// `table::Record::word`) as a number, with no branch on how many there are or what they
/// are: monitor sizes vary in length from row to row, and a loop over their digits
/// mispredicts its end (estimate ran 25% faster on rows all alike than on real ones).
/// `None` for anything else, which [`short_digits`] and the full parsers then take.
#[inline]
#[allow(clippy::cast_possible_truncation)] // the low word holds the 8 bytes
pub fn word_digits(word: u128, len: usize) -> Option<u64> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    const HIGH: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    if !(1..=8).contains(&len) {
        return None;
    }
    // The digits moved to the top bytes behind leading '0's: always eight digits.
    let shift = 8 * (8 - len as u32);
    let text = (word as u64) << shift | (ZEROS & ((1 << shift) - 1));
    // Every byte 0x30-0x39: high nibble 3, and still 3 with 6 added.
    let digits =
        (text & HIGH == ZEROS) & (text.wrapping_add(0x0606_0606_0606_0606) & HIGH == ZEROS);
    if !digits {
        return None;
    }
    // Pairs, then fours, then all eight, by multiplies (the first digit is the lowest byte).
    let v = text - ZEROS;
    let v = v * 10 + (v >> 8);
    let pairs = 0x0000_00ff_0000_00ff;
    let high = (v & pairs).wrapping_mul(100 + (1_000_000 << 32));
    let low = ((v >> 16) & pairs).wrapping_mul(1 + (10_000 << 32));
    Some(high.wrapping_add(low) >> 32)
}

/// Parses `[+-]digits`, blanks around it allowed, as pandas reads an integer column.
#[inline]
pub fn parse_i64(bytes: &[u8]) -> Int {
    if let Some(n) = short_digits(bytes) {
        #[allow(clippy::cast_possible_wrap)] // at most 15 digits: far inside i64
        return Int::Value(n as i64);
    }
    let bytes = trim(bytes);
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

/// Parses a float exactly as pandas' `read_csv` does by default, or `None` where pandas
/// would keep the field as text: `15828.0`, ` 1e3 `, `inf`, `-Infinity` parse; `NAN`,
/// `+nan`, `1e400` (which overflows) and `1e` do not. The missing-value spellings (`nan`,
/// `NaN`, ...) are not numbers either: check [`is_missing`] first.
///
/// pandas' default converter (`precise_xstrtod`) is not correctly rounded: it keeps 17
/// significant digits (a leading zero counts as one), accumulates them in a double and
/// scales by a power of ten, so that a 16-17 digit value may land one bit away from
/// Rust's (correctly rounded) parse. Sums must match pandas bit for bit, so this does the same.
pub fn parse_f64(bytes: &[u8]) -> Option<f64> {
    // Fast path for the common `digits.0`. With at most 15 digits in all, every step of
    // pandas' converter is exact too (zeros count as digits there: `0000123.0` is not
    // short), so both give the integer itself.
    if bytes.len() <= 16 {
        if let Some(dot) = bytes.iter().position(|&b| b == b'.') {
            let (int, frac) = (&bytes[..dot], &bytes[dot + 1..]);
            if !frac.is_empty() && frac.iter().all(|&b| b == b'0') {
                if let Some(n) = parse_digits(int) {
                    #[allow(clippy::cast_precision_loss)] // below 10^15: exact
                    return Some(n as f64);
                }
            }
        }
    }
    precise_xstrtod(trim(bytes)).or_else(|| infinity(bytes))
}

/// pandas' fallback for words its converter refuses: the infinities, any case, untrimmed.
fn infinity(bytes: &[u8]) -> Option<f64> {
    let (sign, word) = match bytes.first() {
        Some(b'-') => (-1.0, &bytes[1..]),
        Some(b'+') => (1.0, &bytes[1..]),
        _ => (1.0, bytes),
    };
    (word.eq_ignore_ascii_case(b"inf") || word.eq_ignore_ascii_case(b"infinity"))
        .then_some(sign * f64::INFINITY)
}

/// pandas 2.2's `precise_xstrtod` on a trimmed word: `None` for no digits, anything left
/// over, or a result that overflows to infinity (pandas keeps those as text).
fn precise_xstrtod(word: &[u8]) -> Option<f64> {
    const MAX_DIGITS: i64 = 17;
    let mut p = 0;
    let negative = match word.first() {
        Some(b'-') => {
            p = 1;
            true
        }
        Some(b'+') => {
            p = 1;
            false
        }
        _ => false,
    };
    let digit = |p: usize| word.get(p).filter(|b| b.is_ascii_digit()).map(|b| b - b'0');
    let (mut number, mut exponent, mut num_digits) = (0.0f64, 0i64, 0i64);
    while let Some(d) = digit(p) {
        if num_digits < MAX_DIGITS {
            number = number * 10.0 + f64::from(d);
            num_digits += 1;
        } else {
            exponent += 1;
        }
        p += 1;
    }
    if word.get(p) == Some(&b'.') {
        p += 1;
        let mut decimals = 0;
        while num_digits < MAX_DIGITS {
            let Some(d) = digit(p) else { break };
            number = number * 10.0 + f64::from(d);
            p += 1;
            num_digits += 1;
            decimals += 1;
        }
        while digit(p).is_some() {
            p += 1;
        }
        exponent -= decimals;
    }
    if num_digits == 0 {
        return None;
    }
    if negative {
        number = -number;
    }
    if matches!(word.get(p), Some(b'e' | b'E')) {
        let mut q = p + 1;
        let minus = match word.get(q) {
            Some(b'-') => {
                q += 1;
                true
            }
            Some(b'+') => {
                q += 1;
                false
            }
            _ => false,
        };
        let (mut n, mut seen) = (0i64, 0);
        while let Some(d) = digit(q) {
            // Past any exponent a double can use: saturate rather than overflow.
            n = (n * 10 + i64::from(d)).min(1 << 40);
            seen += 1;
            q += 1;
        }
        if seen > 0 {
            exponent += if minus { -n } else { n };
            p = q;
        }
    }
    if p != word.len() {
        return None;
    }
    let pow10 = |e: i64| POW10[usize::try_from(e).unwrap_or(0).min(308)];
    if exponent > 308 {
        return None;
    } else if exponent > 0 {
        number *= pow10(exponent);
    } else if exponent < -616 {
        number = 0.0;
    } else if exponent < -308 {
        number /= pow10(-308 - exponent);
        number /= pow10(308);
    } else {
        number /= pow10(-exponent);
    }
    number.is_finite().then_some(number)
}

/// 1e0 ..= 1e308, each the double nearest to it, as a C compiler rounds the literals.
static POW10: [f64; 309] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32,
    1e33, 1e34, 1e35, 1e36, 1e37, 1e38, 1e39, 1e40, 1e41, 1e42, 1e43, 1e44, 1e45, 1e46, 1e47, 1e48,
    1e49, 1e50, 1e51, 1e52, 1e53, 1e54, 1e55, 1e56, 1e57, 1e58, 1e59, 1e60, 1e61, 1e62, 1e63, 1e64,
    1e65, 1e66, 1e67, 1e68, 1e69, 1e70, 1e71, 1e72, 1e73, 1e74, 1e75, 1e76, 1e77, 1e78, 1e79, 1e80,
    1e81, 1e82, 1e83, 1e84, 1e85, 1e86, 1e87, 1e88, 1e89, 1e90, 1e91, 1e92, 1e93, 1e94, 1e95, 1e96,
    1e97, 1e98, 1e99, 1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107, 1e108, 1e109, 1e110,
    1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119, 1e120, 1e121, 1e122, 1e123,
    1e124, 1e125, 1e126, 1e127, 1e128, 1e129, 1e130, 1e131, 1e132, 1e133, 1e134, 1e135, 1e136,
    1e137, 1e138, 1e139, 1e140, 1e141, 1e142, 1e143, 1e144, 1e145, 1e146, 1e147, 1e148, 1e149,
    1e150, 1e151, 1e152, 1e153, 1e154, 1e155, 1e156, 1e157, 1e158, 1e159, 1e160, 1e161, 1e162,
    1e163, 1e164, 1e165, 1e166, 1e167, 1e168, 1e169, 1e170, 1e171, 1e172, 1e173, 1e174, 1e175,
    1e176, 1e177, 1e178, 1e179, 1e180, 1e181, 1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188,
    1e189, 1e190, 1e191, 1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198, 1e199, 1e200, 1e201,
    1e202, 1e203, 1e204, 1e205, 1e206, 1e207, 1e208, 1e209, 1e210, 1e211, 1e212, 1e213, 1e214,
    1e215, 1e216, 1e217, 1e218, 1e219, 1e220, 1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227,
    1e228, 1e229, 1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239, 1e240,
    1e241, 1e242, 1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249, 1e250, 1e251, 1e252, 1e253,
    1e254, 1e255, 1e256, 1e257, 1e258, 1e259, 1e260, 1e261, 1e262, 1e263, 1e264, 1e265, 1e266,
    1e267, 1e268, 1e269, 1e270, 1e271, 1e272, 1e273, 1e274, 1e275, 1e276, 1e277, 1e278, 1e279,
    1e280, 1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287, 1e288, 1e289, 1e290, 1e291, 1e292,
    1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299, 1e300, 1e301, 1e302, 1e303, 1e304, 1e305,
    1e306, 1e307, 1e308,
];

/// A bool as pandas' `read_csv` reads one: `true` or `false` in any letter case, exactly
/// (`True`, `TRUE`, `fALSE`; not `t`, `yes`, `1`, nor with blanks around).
pub fn parse_bool(bytes: &[u8]) -> Option<bool> {
    if bytes.eq_ignore_ascii_case(b"true") {
        Some(true)
    } else if bytes.eq_ignore_ascii_case(b"false") {
        Some(false)
    } else {
        None
    }
}

/// The strings pandas' `read_csv` reads as missing (NaN) by default
/// (`pandas._libs.parsers.STR_NA_VALUES` of pandas 2.2), the empty field included.
pub const NA_VALUES: [&[u8]; 19] = [
    b"",
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

/// True when pandas would read this field as a missing value: the one rule every filter
/// uses, for keys, values and `--dropna` alike. Exact spellings only: ` NA` is text.
#[inline]
pub fn is_missing(bytes: &[u8]) -> bool {
    // NA_VALUES spelled out: each literal is compared inline (a number such as `178` is told
    // apart by its length and first bytes), where a search of the list called memcmp for
    // every spelling of its length: 10% of bucket's time.
    matches!(
        bytes,
        b"" | b"#N/A"
            | b"#N/A N/A"
            | b"#NA"
            | b"-1.#IND"
            | b"-1.#QNAN"
            | b"-NaN"
            | b"-nan"
            | b"1.#IND"
            | b"1.#QNAN"
            | b"<NA>"
            | b"N/A"
            | b"NA"
            | b"NULL"
            | b"NaN"
            | b"None"
            | b"n/a"
            | b"nan"
            | b"null"
    )
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

/// [`write_int`] for a per-row count: below 10^8 (a message's bytes, always) its eight
/// digits are made at once by multiplies and stored as one word, the leading zeros cut off
/// after, with no branch on the number's length, which varies from row to row.
#[inline]
#[allow(clippy::cast_possible_truncation)] // n < 10^8
pub fn write_u64(out: &mut Vec<u8>, n: u64) {
    if n >= 100_000_000 {
        return write_int(out, n);
    }
    // Two halves of four digits in 32-bit lanes, each cut into two pairs in 16-bit lanes,
    // each pair into two digits in bytes: divisions by multiplies, exact at these sizes.
    let x = (n / 10_000) | (n % 10_000) << 32;
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007f_0000_007f;
    let pairs = hundreds | (x - hundreds * 100) << 16;
    let tens = ((pairs * 103) >> 10) & 0x000f_000f_000f_000f;
    let values = tens | (pairs - tens * 10) << 8;
    // Leading zeros are the low zero bytes (the last digit, in the top byte, always counts).
    let zeros = (values | 1 << 56).trailing_zeros() / 8;
    let digits = values | 0x3030_3030_3030_3030;
    out.extend_from_slice(&(digits >> (8 * zeros)).to_le_bytes());
    out.truncate(out.len() - zeros as usize);
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
        for bad in [&b""[..], b"-1", b"+", b"1.0", b" ", b"1e3", b"abc", b"1 1"] {
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
        // 17 digits accumulate in a double, as pandas does: not 1e20.
        assert_eq!(
            parse_f64(b"99999999999999999999.0"),
            Some(1.000_000_000_000_000_2e20)
        );
        assert_eq!(parse_f64(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"abc"), None);
        assert_eq!(parse_f64(b"."), None);
        assert_eq!(parse_f64(b"\xff"), None);
    }

    #[test]
    fn floats_parse_bit_for_bit_as_pandas() {
        // tests/data/pandas_floats.py: what pandas 2.2.3 reads, with many 16-20 digit
        // values where that is not the correctly rounded double.
        let table = include_str!("../../../tests/data/pandas_floats.csv");
        let mut differ_from_rust = 0;
        for line in table.lines().skip(1) {
            let (text, bits) = line.rsplit_once(',').unwrap();
            let text = text.trim_matches('"');
            let want = u64::from_str_radix(bits, 16).unwrap();
            assert_eq!(
                parse_f64(text.as_bytes()).map(f64::to_bits),
                Some(want),
                "{text}"
            );
            differ_from_rust += usize::from(text.trim().parse::<f64>().unwrap().to_bits() != want);
        }
        assert!(differ_from_rust >= 1500, "{differ_from_rust}");
        assert_eq!(parse_f64(b"912.6469444394135"), Some(912.646_944_439_413_6));
    }

    #[test]
    fn number_spellings_as_pandas_reads_them() {
        // pandas 2.2.3 reads these as numbers...
        let numbers: &[(&[u8], f64)] = &[
            (b" 5", 5.0),
            (b"5\t", 5.0),
            (b"\x0b5\x0c", 5.0),
            (b" 1e3 ", 1000.0),
            (b"1.e5", 1e5),
            (b".5", 0.5),
            (b"+5", 5.0),
            (b"inf", f64::INFINITY),
            (b"-Infinity", f64::NEG_INFINITY),
            (b"iNf", f64::INFINITY),
            (b"1e-400", 0.0),
        ];
        for &(text, want) in numbers {
            assert_eq!(
                parse_f64(text),
                Some(want),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        // ... and these as text (a column of them is not numeric).
        for text in [
            &b"NAN"[..],
            b"Nan",
            b"+nan",
            b"-NAN",
            b"+NaN",
            b"snan",
            b"1e400",
            b"-1e400",
            b"1.8e308",
            b"1e",
            b"e5",
            b"1e+",
            b"1e5.5",
            b"0x10",
            b"1_000",
            b"1d5",
            b"  ",
            b"5 5",
            b"- 5",
            b" inf",
        ] {
            assert_eq!(parse_f64(text), None, "{}", String::from_utf8_lossy(text));
        }
        assert_eq!(parse_i64(b" +5 "), Int::Value(5));
        assert_eq!(parse_u64(b"\t42 "), Some(42));
        assert_eq!(parse_u64(b"+0"), Some(0));
        assert_eq!(trim(b" \t "), b"");
    }

    #[test]
    fn counts_print_like_itoa_at_every_length() {
        let mut edges = vec![0, 1, 99_999_999, 100_000_000, u64::MAX];
        for p in (1..=8).map(|e| 10u64.pow(e)) {
            edges.extend([p - 1, p, p + 1]);
        }
        for n in edges
            .into_iter()
            .chain(0..100_000)
            .chain((0..100_000_000).step_by(9_973))
        {
            let (mut fast, mut full) = (b"x".to_vec(), b"x".to_vec());
            write_u64(&mut fast, n);
            write_int(&mut full, n);
            assert_eq!(fast, full, "{n}");
        }
    }

    #[test]
    fn word_digits_at_every_length() {
        let word = |s: &[u8]| {
            let mut b = [0u8; 16];
            b[..s.len()].copy_from_slice(s);
            u128::from_le_bytes(b)
        };
        for text in [
            "0", "7", "42", "100", "1448", "99999999", "00000001", "12345678",
        ] {
            let want = text.parse::<u64>().ok();
            assert_eq!(
                word_digits(word(text.as_bytes()), text.len()),
                want,
                "{text}"
            );
        }
        for text in [
            "",
            "123456789",
            "12a",
            " 12",
            "1.5",
            "-1",
            "/",
            ":",
            "9:",
            "1\0",
        ] {
            assert_eq!(
                word_digits(word(text.as_bytes()), text.len()),
                None,
                "{text}"
            );
        }
    }

    #[test]
    fn missing_values_are_pandas_defaults() {
        // pandas._libs.parsers.STR_NA_VALUES, pandas 2.2.3, sorted.
        let pandas = [
            "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
            "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
        ];
        for na in pandas {
            assert!(is_missing(na.as_bytes()), "{na:?}");
        }
        assert_eq!(NA_VALUES.len(), pandas.len());
        // Lookalikes are text to pandas: the spellings are matched exactly.
        for v in [
            "0",
            "1.0",
            "in",
            "Nan",
            "NAN",
            "nan ",
            " NA",
            "na",
            "none",
            "NULL ",
            "1.#INF",
            "#N/A N/A ",
            "-1.#IN",
            "<na>",
            "N/a",
        ] {
            assert!(!is_missing(v.as_bytes()), "{v:?}");
        }
    }

    proptest::proptest! {
        /// The spelled-out match is the list.
        #[test]
        fn missing_is_exactly_the_list(field in proptest::collection::vec(
            proptest::sample::select(b"#NA/ -1.IQnaUuLloe<>7".to_vec()), 0..9,
        )) {
            proptest::prop_assert_eq!(is_missing(&field), NA_VALUES.contains(&field.as_slice()));
        }

        /// Small numbers are written as itoa writes them.
        #[test]
        fn small_counts_print_like_itoa(n in proptest::prop_oneof![0..20_000u64, proptest::num::u64::ANY]) {
            let (mut fast, mut full) = (Vec::new(), Vec::new());
            write_u64(&mut fast, n);
            write_int(&mut full, n);
            proptest::prop_assert_eq!(fast, full);
        }

        /// The word path reads exactly 1-8 plain digits, whatever the bytes past them.
        #[test]
        fn word_digits_are_plain_digits(field in proptest::collection::vec(
            proptest::sample::select(b"0123456789 +-./:@\x00\xff".to_vec()), 0..18,
        )) {
            let plain = (1..=8).contains(&field.len()) && field.iter().all(u8::is_ascii_digit);
            let want = if plain { short_digits(&field) } else { None };
            let mut bytes = [0u8; 16];
            let len = field.len().min(16);
            bytes[..len].copy_from_slice(&field[..len]);
            proptest::prop_assert_eq!(word_digits(u128::from_le_bytes(bytes), field.len()), want);
        }

        /// The short-digits fast path reads exactly 1-15 plain digits, as Rust's parser does;
        /// everything else is left to the full parsers, and they agree with it.
        #[test]
        fn short_digits_are_plain_digits(field in proptest::collection::vec(
            proptest::sample::select(b"0123456789 +-.e".to_vec()), 0..20,
        )) {
            let text = std::str::from_utf8(&field).unwrap_or_default();
            let plain = (1..=15).contains(&field.len()) && field.iter().all(u8::is_ascii_digit);
            let want = if plain { text.parse::<u64>().ok() } else { None };
            proptest::prop_assert_eq!(short_digits(&field), want);
            if let Some(n) = want {
                proptest::prop_assert_eq!(parse_u64(&field), Some(n));
                proptest::prop_assert_eq!(parse_i64(&field), Int::Value(i64::try_from(n).unwrap_or_default()));
            }
        }
    }
}
