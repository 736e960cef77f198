//! Axes: value ticks (log decades or round steps), byte units, and date ticks for a span.

use chrono::{DateTime, Datelike, NaiveDate};

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

/// SI prefixes for powers of 1000, from 10^-24 to 10^24 (matplotlib's EngFormatter).
const PREFIXES: [&str; 17] = [
    "y", "z", "a", "f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y",
];

/// `x` as the study's axis labels show it: a number of at most 6 significant digits, a
/// space, an SI prefix for a power of 1000, and the unit: `0 B`, `1 kB`, `2.5 MB`, `100 GB`.
pub fn eng(x: f64, unit: &str) -> String {
    let sep = if unit.is_empty() { "" } else { " " };
    if x == 0.0 || !x.is_finite() {
        return format!("{}{sep}{unit}", g6(x));
    }
    #[allow(clippy::cast_possible_truncation)] // |log10| of a finite f64 is below 400
    let mut power = ((x.abs().log10() / 3.0).floor() as i32).clamp(-8, 8);
    let mut mant = round6(x / 10f64.powi(power * 3));
    // 999999.9 k rounds to 1000 k: that is 1 M.
    if mant.abs() >= 1000.0 && power < 8 {
        power += 1;
        mant = round6(x / 10f64.powi(power * 3));
    }
    let prefix = PREFIXES[usize::try_from(power + 8).unwrap_or(8)];
    if prefix.is_empty() && unit.is_empty() {
        g6(mant)
    } else {
        format!("{} {prefix}{unit}", g6(mant))
    }
}

/// `x` rounded to 6 significant digits, as C's `%g` shows it.
fn round6(x: f64) -> f64 {
    format!("{x:.5e}").parse().unwrap_or(x)
}

/// Shortest text of an already rounded number: `100`, `2.5`, `-0.001`.
fn g6(x: f64) -> String {
    let x = round6(x);
    if x == 0.0 {
        return "0".into();
    }
    format!("{x}")
}

/// Parses an amount such as `5000000`, `5e6`, `5M`, `5MB`, `799 MB`, `1.5kB` (powers of 1000).
pub fn parse_amount(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let t = t.strip_suffix('B').unwrap_or(t).trim_end();
    let (number, scale) = match t.char_indices().last() {
        Some((at, c)) if c.is_ascii_alphabetic() && !t.ends_with("inf") => {
            let power = match c {
                'k' | 'K' => 1,
                'M' => 2,
                'G' => 3,
                'T' => 4,
                'P' => 5,
                'E' => 6,
                _ => return Err(bad_amount(text)),
            };
            (t[..at].trim_end(), 1000f64.powi(power))
        }
        _ => (t, 1.0),
    };
    match number.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(n * scale),
        _ => Err(bad_amount(text)),
    }
}

fn bad_amount(text: &str) -> String {
    format!("'{text}' is not an amount like 5000000, 5e6, 5MB or 799 MB")
}

/// Where the value ticks go, and their labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    pub at: Vec<f64>,
    pub labels: Vec<String>,
}

/// Ticks at powers of ten within `[lo, hi]` (every other or third one when many), or at
/// 1-2-5 steps when the range spans less than a decade.
pub fn log_ticks(lo: f64, hi: f64, unit: &str, max: usize) -> Ticks {
    #[allow(clippy::cast_possible_truncation)] // logs of finite positive f64s
    let (first, last) = (lo.log10().ceil() as i32, hi.log10().floor() as i32);
    let mut at: Vec<f64> = Vec::new();
    if last - first >= 1 {
        let count = usize::try_from(last - first + 1).unwrap_or(1);
        let every = i32::try_from(count.div_ceil(max.max(1)))
            .unwrap_or(1)
            .max(1);
        at.extend(
            (first..=last)
                .filter(|p| p.rem_euclid(every) == 0)
                .map(|p| 10f64.powi(p)),
        );
    } else {
        for p in (first - 1)..=(last + 1) {
            for m in [1.0, 2.0, 5.0] {
                let v = m * 10f64.powi(p);
                if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) {
                    at.push(v);
                }
            }
        }
    }
    let labels = at.iter().map(|&v| eng(v, unit)).collect();
    Ticks { at, labels }
}

/// At most `max` ticks at a round step (1, 2, 2.5 or 5 times a power of ten) in `[lo, hi]`.
pub fn linear_ticks(lo: f64, hi: f64, unit: &str, max: usize) -> Ticks {
    let span = (hi - lo).max(f64::MIN_POSITIVE);
    let raw = span / max.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| span / s <= max as f64 + 1e-9)
        .unwrap_or(10.0 * magnitude);
    let mut at = Vec::new();
    let mut k = (lo / step).ceil();
    while k * step <= hi + step * 1e-9 {
        // k * step, not repeated additions: 0.3 stays 0.3.
        let v = k * step;
        at.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        k += 1.0;
    }
    let labels = at.iter().map(|&v| eng(v, unit)).collect();
    Ticks { at, labels }
}

/// Date ticks: labelled major ones and unlabelled minor ones, as wall-clock seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct DateTicks {
    pub major: Vec<(i64, String)>,
    pub minor: Vec<i64>,
}

/// Ticks for the view `[lo, hi]` with at most `max` labels: every k hours (`00:00`, with the
/// date at midnight), every k days counted from `anchor`'s day (`Jan 22`), or every k months
/// (`Jan 2025`). Minor ticks mark the days (hours) between.
pub fn date_ticks(lo: i64, hi: i64, anchor: i64, max: usize) -> DateTicks {
    let max = max.max(2);
    let count = |first: i64, step: i64| {
        if hi < first {
            return 0;
        }
        usize::try_from((hi - first) / step + 1).unwrap_or(usize::MAX)
    };
    let day0 = anchor.div_euclid(DAY) * DAY;
    let aligned = |step: i64, origin: i64| origin + (lo - origin).div_euclid(step) * step;
    let first_at = |step: i64, origin: i64| {
        let f = aligned(step, origin);
        if f < lo {
            f + step
        } else {
            f
        }
    };
    for hours in [1, 2, 3, 6, 12] {
        let step = hours * HOUR;
        let first = first_at(step, day0);
        if count(first, step) <= max {
            let major = steps(first, hi, step)
                .map(|t| {
                    let label = if t.rem_euclid(DAY) == 0 {
                        format_time(t, "%b %d")
                    } else {
                        format_time(t, "%H:%M")
                    };
                    (t, label)
                })
                .collect();
            let minor = if hours > 1 {
                steps(first_at(HOUR, day0), hi, HOUR)
                    .filter(|t| (t - first).rem_euclid(step) != 0)
                    .collect()
            } else {
                Vec::new()
            };
            return DateTicks { major, minor };
        }
    }
    for days in [1, 2, 3, 4, 7, 14] {
        let step = days * DAY;
        let first = first_at(step, day0);
        if count(first, step) <= max {
            let major = steps(first, hi, step)
                .map(|t| (t, format_time(t, "%b %d")))
                .collect();
            let minor = if days > 1 {
                steps(first_at(DAY, day0), hi, DAY)
                    .filter(|t| (t - first).rem_euclid(step) != 0)
                    .collect()
            } else if hi - lo <= 8 * DAY {
                steps(first_at(6 * HOUR, day0), hi, 6 * HOUR)
                    .filter(|t| t.rem_euclid(DAY) != 0)
                    .collect()
            } else {
                Vec::new()
            };
            return DateTicks { major, minor };
        }
    }
    let months = month_starts(lo, hi);
    for every in [1, 2, 3, 6, 12, 24, 60, 120] {
        let picked: Vec<i64> = months
            .iter()
            .filter(|(_, index)| index.rem_euclid(every) == 0)
            .map(|(t, _)| *t)
            .collect();
        if picked.len() <= max || every == 120 {
            let format = if every >= 12 { "%Y" } else { "%b %Y" };
            let major = picked
                .iter()
                .map(|&t| (t, format_time(t, format)))
                .collect();
            let minor = if every > 1 && every < 12 {
                months
                    .iter()
                    .filter(|(_, index)| index.rem_euclid(every) != 0)
                    .map(|(t, _)| *t)
                    .collect()
            } else {
                Vec::new()
            };
            return DateTicks { major, minor };
        }
    }
    DateTicks {
        major: Vec::new(),
        minor: Vec::new(),
    }
}

fn steps(first: i64, hi: i64, step: i64) -> impl Iterator<Item = i64> {
    std::iter::successors(Some(first), move |t| t.checked_add(step)).take_while(move |&t| t <= hi)
}

/// The first instants of the months in `[lo, hi]`, each with its month count since year 0.
fn month_starts(lo: i64, hi: i64) -> Vec<(i64, i32)> {
    let Some(start) = DateTime::from_timestamp(lo, 0) else {
        return Vec::new();
    };
    let (mut year, mut month) = (start.year(), start.month());
    let mut out = Vec::new();
    while let Some(t) = NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp())
    {
        if t > hi {
            break;
        }
        if t >= lo {
            out.push((t, year * 12 + i32::try_from(month).unwrap_or(1) - 1));
        }
        (year, month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
    }
    out
}

/// A wall-clock time in a strftime format; month names are English whatever the locale.
pub fn format_time(t: i64, format: &str) -> String {
    DateTime::from_timestamp(t, 0).map_or_else(String::new, |d| d.format(format).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_units_as_the_study_shows_them() {
        let table = [
            (0.0, "0 B"),
            (1.0, "1 B"),
            (100.0, "100 B"),
            (1e3, "1 kB"),
            (1e7, "10 MB"),
            (2.5e6, "2.5 MB"),
            (1e11, "100 GB"),
            (799e6, "799 MB"),
            (999_999_999.0, "1 GB"),
            (1e15, "1 PB"),
            (-2e3, "-2 kB"),
            (0.5, "500 mB"),
        ];
        for (x, want) in table {
            assert_eq!(eng(x, "B"), want, "{x}");
        }
        assert_eq!(eng(2e6, ""), "2 M");
        assert_eq!(eng(20.0, ""), "20");
    }

    #[test]
    fn amounts_parse_with_or_without_units() {
        for (text, want) in [
            ("5000000", 5e6),
            ("5e6", 5e6),
            ("5M", 5e6),
            ("5MB", 5e6),
            ("799 MB", 799e6),
            ("1.5kB", 1500.0),
            ("999G", 999e9),
            ("0", 0.0),
        ] {
            assert_eq!(parse_amount(text), Ok(want), "{text}");
        }
        for bad in ["", "MB", "5X", "x5", "inf", "5 MiB"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn log_ticks_are_decades() {
        let t = log_ticks(125.0, 999e9, "B", 12);
        assert_eq!(
            t.labels,
            ["1 kB", "10 kB", "100 kB", "1 MB", "10 MB", "100 MB", "1 GB", "10 GB", "100 GB"]
        );
        let sparse = log_ticks(1.0, 1e20, "B", 8);
        assert!(sparse.at.len() <= 8, "{sparse:?}");
        let narrow = log_ticks(150.0, 700.0, "B", 8);
        assert_eq!(narrow.labels, ["200 B", "500 B"]);
    }

    #[test]
    fn linear_ticks_take_round_steps() {
        let t = linear_ticks(0.0, 799e6, "B", 8);
        assert_eq!(t.labels.first().map(String::as_str), Some("0 B"));
        assert_eq!(t.labels.last().map(String::as_str), Some("700 MB"));
        assert_eq!(t.at.len(), 8);
        let small = linear_ticks(0.0, 79e6, "B", 8);
        assert_eq!(small.labels[1], "10 MB");
        // Without a unit, still SI prefixes, as matplotlib's EngFormatter writes them.
        assert_eq!(
            linear_ticks(0.0, 1.0, "", 5).labels,
            ["0", "200 m", "400 m", "600 m", "800 m", "1"]
        );
    }

    #[test]
    fn date_ticks_suit_the_span() {
        // The study's hourly figure: 2025-01-22 14:00 to 2025-02-25 23:00 with 5% margins.
        let (start, end) = (1_737_554_400, 1_740_524_400);
        let margin = (end - start) / 20;
        let t = date_ticks(start - margin, end + margin, start, 13);
        let labels: Vec<&str> = t.major.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels[..3], ["Jan 22", "Jan 25", "Jan 28"]);
        assert!(labels.contains(&"Feb 03"), "{labels:?}");
        // Every day between the labelled ones, and one after the last.
        assert_eq!((t.major.len(), t.minor.len()), (13, 25));
        let hours = date_ticks(start, start + 10 * HOUR, start, 8);
        assert_eq!(hours.major[0].1, "14:00");
        let days = date_ticks(start - DAY, start + 2 * DAY, start, 8);
        assert_eq!(days.major[0].1, "Jan 22");
        let year = date_ticks(start, start + 400 * DAY, start, 8);
        assert_eq!(year.major[0].1, "Mar 2025");
    }
}
