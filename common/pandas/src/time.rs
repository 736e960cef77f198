//! Timestamps as pandas reads, floors and prints them, parsed from bytes.

use chrono::{Datelike, NaiveDate, Timelike};

const DAY: i64 = 86_400;

/// The zone of a timestamp: none (naive) or a fixed UTC offset in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offset {
    Naive,
    Fixed(i32),
}

/// A parsed timestamp: seconds since the epoch of its own wall clock (the fraction, never
/// needed for a whole-second step, only checked), and its offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub wall: i64,
    pub offset: Offset,
}

/// pandas' `Timestamp.min` and `Timestamp.max` in nanoseconds since the epoch (UTC for an
/// aware timestamp): what a 64-bit nanosecond count holds, less NaT's `i64::MIN`.
const MIN_NS: i128 = i64::MIN as i128 + 1;
const MAX_NS: i128 = i64::MAX as i128;

/// The range as pandas prints its limits.
pub const RANGE: &str = "1677-09-21 00:12:43.145224193 to 2262-04-11 23:47:16.854775807";

/// The longest step pandas' Timedelta holds, in whole seconds (2^63 - 1 ns).
pub const MAX_STEP: i64 = i64::MAX / 1_000_000_000;

impl Offset {
    fn seconds(self) -> i64 {
        match self {
            Offset::Naive => 0,
            Offset::Fixed(secs) => i64::from(secs),
        }
    }
}

/// Whether the bucket starting at `wall` (in `offset`'s wall clock) is a time pandas can
/// hold: flooring the earliest timestamps can step below `Timestamp.min`, which pandas
/// refuses with an OverflowError.
pub fn bucket_in_range(wall: i64, offset: Offset) -> bool {
    (i128::from(wall) - i128::from(offset.seconds())) * 1_000_000_000 >= MIN_NS
}

/// Parses a pandas frequency such as `30s`, `5min`, `5T`, `1h`, `H`, `1d`, `2D` into seconds.
pub fn parse_step(text: &str) -> Result<i64, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (count, unit) = text.split_at(split);
    let too_long =
        || format!("'{text}' is longer than pandas' longest step (106751 days 23:47:16.854775807)");
    let unit_secs = match unit {
        "s" | "S" => 1,
        "min" | "T" => 60,
        "h" | "H" => 3600,
        "d" | "D" => DAY,
        _ => {
            return Err(format!(
                "'{text}' is not a step: use a count and a unit s, min (T), h (H) or d (D), e.g. 1h"
            ))
        }
    };
    let count: i64 = if count.is_empty() {
        1
    } else {
        count.parse().map_err(|_| too_long())?
    };
    match count.checked_mul(unit_secs) {
        Some(secs) if secs > MAX_STEP => Err(too_long()),
        Some(secs) if secs > 0 => Ok(secs),
        Some(_) => Err(format!("'{text}': the step must be positive")),
        None => Err(too_long()),
    }
}

/// The start of the step-long bucket holding `wall`, counted from the epoch (pandas `floor`).
pub fn floor(wall: i64, step: i64) -> i64 {
    wall - wall.rem_euclid(step)
}

/// True when `wall` is a midnight.
pub fn is_midnight(wall: i64) -> bool {
    wall.rem_euclid(DAY) == 0
}

fn digits<const N: usize>(bytes: &[u8], at: usize) -> Option<u32> {
    let field = bytes.get(at..at + N)?;
    field.iter().try_fold(0u32, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

fn expect(bytes: &[u8], at: usize, allowed: &[u8]) -> Option<()> {
    bytes.get(at).filter(|b| allowed.contains(b)).map(|_| ())
}

/// Parses `YYYY-MM-DD[( |T)HH:MM:SS[.fraction]][Z|+HH:MM|-HH:MM|+HHMM]`.
///
/// The fraction is cut to nanoseconds, as pandas does, and dropped: every step is whole
/// seconds, so it never changes a bucket. The time must lie in pandas' nanosecond range
/// ([`RANGE`]), in UTC for an aware timestamp.
pub fn parse(bytes: &[u8]) -> Result<Stamp, String> {
    parse_precise(bytes).map(|(stamp, _)| stamp)
}

/// The instant of a timestamp in nanoseconds since the epoch, in UTC (naive: as if UTC).
pub fn instant(bytes: &[u8]) -> Result<i128, String> {
    parse_precise(bytes).map(|(_, ns)| ns)
}

/// [`parse`], and the instant in nanoseconds (UTC), fraction included.
fn parse_precise(bytes: &[u8]) -> Result<(Stamp, i128), String> {
    let shape = || {
        "is not a timestamp like 2024-12-28 00:00:09, 2024-12-28T00:00:09Z or \
         2024-12-28 00:00:09+00:00"
            .to_owned()
    };
    let (year, month, day) = (|| {
        let y = digits::<4>(bytes, 0)?;
        expect(bytes, 4, b"-")?;
        let m = digits::<2>(bytes, 5)?;
        expect(bytes, 7, b"-")?;
        Some((y, m, digits::<2>(bytes, 8)?))
    })()
    .ok_or_else(shape)?;
    let (mut hms, mut at, mut nanos) = ((0, 0, 0), 10, 0i128);
    if bytes.len() > 10 {
        hms = (|| {
            expect(bytes, 10, b" T")?;
            let h = digits::<2>(bytes, 11)?;
            expect(bytes, 13, b":")?;
            let m = digits::<2>(bytes, 14)?;
            expect(bytes, 16, b":")?;
            Some((h, m, digits::<2>(bytes, 17)?))
        })()
        .ok_or_else(shape)?;
        at = 19;
        if bytes.get(at) == Some(&b'.') {
            let frac = bytes[at + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if frac == 0 {
                return Err(shape());
            }
            // Nanoseconds: the first nine digits, padded; pandas drops the rest.
            nanos = bytes[at + 1..at + 1 + frac]
                .iter()
                .chain(std::iter::repeat(&b'0'))
                .take(9)
                .fold(0, |n, &d| n * 10 + i128::from(d - b'0'));
            at += 1 + frac;
        }
    }
    let offset = match &bytes[at..] {
        [] => Offset::Naive,
        [b'Z'] => Offset::Fixed(0),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest {
                [_, _, b':', _, _] => (digits::<2>(rest, 0), digits::<2>(rest, 3)),
                [_, _, _, _] => (digits::<2>(rest, 0), digits::<2>(rest, 2)),
                _ => (None, None),
            };
            match (h, m) {
                (Some(h), Some(m)) if h <= 23 && m <= 59 => {
                    let secs = i32::try_from(h * 3600 + m * 60).unwrap_or(0);
                    Offset::Fixed(if *sign == b'-' { -secs } else { secs })
                }
                _ => return Err(shape()),
            }
        }
        _ => return Err(shape()),
    };
    let out_of_range = |what: &str| Err(format!("is not a timestamp: {what}"));
    if !(1..=12).contains(&month) {
        return out_of_range(&format!("there is no month {month}"));
    }
    let Some(date) = NaiveDate::from_ymd_opt(i32::try_from(year).unwrap_or(0), month, day) else {
        return out_of_range(&format!("there is no day {day} in {year}-{month:02}"));
    };
    let (h, m, s) = hms;
    if h > 23 || m > 59 || s > 59 {
        return out_of_range(&format!("there is no time {h:02}:{m:02}:{s:02}"));
    }
    let days = i64::from(date.num_days_from_ce() - 719_163); // 1970-01-01 is day 719163
    let wall = days * DAY + i64::from(h * 3600 + m * 60 + s);
    let utc_ns = (i128::from(wall) - i128::from(offset.seconds())) * 1_000_000_000 + nanos;
    if !(MIN_NS..=MAX_NS).contains(&utc_ns) {
        let zone = if offset == Offset::Naive {
            ""
        } else {
            " (in UTC)"
        };
        return out_of_range(&format!("pandas' range is {RANGE}{zone}"));
    }
    Ok((Stamp { wall, offset }, utc_ns))
}

/// Appends a bucket start as pandas prints it: `2024-12-28 00:00:00+00:00`, naive
/// `2024-12-28 01:00:00`, or naive `2024-12-28` when every bucket of the output is a midnight.
pub fn write(out: &mut Vec<u8>, wall: i64, offset: Offset, date_only: bool) {
    let Some(t) = chrono::DateTime::from_timestamp(wall, 0).map(|t| t.naive_utc()) else {
        return; // unreachable: walls come from parse(), within pandas' range
    };
    let two = |out: &mut Vec<u8>, n: u32| {
        out.extend_from_slice(&[b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8])
    };
    let year = u32::try_from(t.year()).unwrap_or(0);
    two(out, year / 100);
    two(out, year % 100);
    out.push(b'-');
    two(out, t.month());
    out.push(b'-');
    two(out, t.day());
    if date_only {
        return;
    }
    out.push(b' ');
    two(out, t.hour());
    out.push(b':');
    two(out, t.minute());
    out.push(b':');
    two(out, t.second());
    if let Offset::Fixed(secs) = offset {
        out.push(if secs < 0 { b'-' } else { b'+' });
        let abs = secs.unsigned_abs();
        two(out, abs / 3600);
        out.push(b':');
        two(out, abs / 60 % 60);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(wall: i64, offset: Offset, date_only: bool) -> String {
        let mut v = Vec::new();
        write(&mut v, wall, offset, date_only);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn steps() {
        let table = [
            ("30s", 30),
            ("1s", 1),
            ("5min", 300),
            ("5T", 300),
            ("1h", 3600),
            ("H", 3600),
            ("1d", 86400),
            ("2D", 172_800),
        ];
        for (text, secs) in table {
            assert_eq!(parse_step(text), Ok(secs), "{text}");
        }
        for bad in [
            "",
            "0h",
            "1x",
            "h1",
            "-1h",
            "1.5h",
            "99999999999999999999d",
            "9999999999999999d",
            "3000000000000000s",
            "106752d",
        ] {
            assert!(parse_step(bad).is_err(), "{bad}");
        }
        // pandas' longest Timedelta, to the whole second.
        assert_eq!(parse_step("106751d"), Ok(106_751 * 86_400));
        assert_eq!(parse_step("9223372036s"), Ok(MAX_STEP));
        assert!(parse_step("9223372037s")
            .unwrap_err()
            .contains("106751 days"));
        assert!(bucket_in_range(
            parse(b"1677-09-21 01:00:00").unwrap().wall,
            Offset::Naive
        ));
        let earliest = parse(b"1677-09-21 00:12:43.145224193").unwrap().wall;
        assert!(!bucket_in_range(floor(earliest, 3600), Offset::Naive));
    }

    #[test]
    fn accepted_forms() {
        let base = parse(b"2024-12-28 00:00:09").unwrap();
        assert_eq!(base.offset, Offset::Naive);
        assert_eq!(base.wall, 1_735_344_009);
        let table: &[(&[u8], Offset)] = &[
            (b"2024-12-28T00:00:09", Offset::Naive),
            (b"2024-12-28 00:00:09.123456789", Offset::Naive),
            (b"2024-12-28 00:00:09Z", Offset::Fixed(0)),
            (b"2024-12-28T00:00:09.5+00:00", Offset::Fixed(0)),
            (b"2024-12-28 00:00:09+01:00", Offset::Fixed(3600)),
            (b"2024-12-28 00:00:09-05:30", Offset::Fixed(-19800)),
            (b"2024-12-28 00:00:09+0100", Offset::Fixed(3600)),
        ];
        for &(text, offset) in table {
            let got = parse(text).unwrap();
            assert_eq!(
                got,
                Stamp {
                    wall: base.wall,
                    offset
                },
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        assert_eq!(parse(b"2024-12-28").unwrap().wall, base.wall - 9);
    }

    #[test]
    fn rejected_forms() {
        let table: &[(&[u8], &str)] = &[
            (b"", "is not a timestamp like"),
            (b"abc", "is not a timestamp like"),
            (b"2024-12-28 00:00", "is not a timestamp like"),
            (b"2024-12-28 00:00:09 ", "is not a timestamp like"),
            (b"2024-12-28 00:00:09.", "is not a timestamp like"),
            (b"2024-12-28 00:00:09+1", "is not a timestamp like"),
            (b"2024-12-28 00:00:09+24:00", "is not a timestamp like"),
            (b"2024-13-01 00:00:00", "there is no month 13"),
            (b"2024-02-30 00:00:00", "there is no day 30 in 2024-02"),
            (b"2024-12-28 25:00:00", "there is no time 25:00:00"),
            (b"2024-12-28 23:60:00", "there is no time 23:60:00"),
            (
                b"1600-01-01 00:00:00",
                "pandas' range is 1677-09-21 00:12:43.145224193 to",
            ),
            (b"1677-09-21 00:12:43.145224192", "pandas' range is"),
            (b"2262-04-11 23:47:16.854775808", "pandas' range is"),
            (
                b"2262-04-11 23:00:00-01:00",
                "2262-04-11 23:47:16.854775807 (in UTC)",
            ),
            (b"1677-09-21 00:12:44+01:00", "(in UTC)"),
            (b"\xff\xfe", "is not a timestamp like"),
        ];
        for &(text, want) in table {
            let err = parse(text).unwrap_err();
            assert!(
                err.contains(want),
                "{:?}: {err}",
                String::from_utf8_lossy(text)
            );
        }
        assert!(parse(b"2024-02-29 00:00:00").is_ok());
        // pandas' limits themselves, and fractions cut to nanoseconds as pandas cuts them.
        for ok in [
            &b"1677-09-21 00:12:43.145224193"[..],
            b"2262-04-11 23:47:16.854775807",
            b"2262-04-11 23:00:00+00:00",
            b"2024-12-28 00:00:09.1234567891",
            b"2024-12-28 00:00:09.123456789123456789",
        ] {
            assert!(parse(ok).is_ok(), "{}", String::from_utf8_lossy(ok));
        }
    }

    #[test]
    fn floors_from_the_epoch() {
        assert_eq!(floor(3599, 3600), 0);
        assert_eq!(floor(-1, 3600), -3600);
        assert_eq!(floor(86_400 * 3 + 5, 2 * 86_400), 2 * 86_400);
    }

    #[test]
    fn prints_as_pandas() {
        let t = parse(b"2024-12-28 01:00:00").unwrap().wall;
        assert_eq!(
            show(t, Offset::Fixed(0), false),
            "2024-12-28 01:00:00+00:00"
        );
        assert_eq!(
            show(t, Offset::Fixed(-19800), false),
            "2024-12-28 01:00:00-05:30"
        );
        assert_eq!(show(t, Offset::Naive, false), "2024-12-28 01:00:00");
        assert_eq!(show(t - 3600, Offset::Naive, true), "2024-12-28");
        let old = parse(b"1678-01-01 00:00:00").unwrap().wall;
        assert_eq!(show(old, Offset::Naive, false), "1678-01-01 00:00:00");
    }
}
