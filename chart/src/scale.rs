//! Value axes: ticks as matplotlib places them (round steps, decades) and their labels (bytes, percent).

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

/// How value labels read.
#[derive(Debug, Clone, PartialEq)]
pub enum Labels {
    /// matplotlib's `EngFormatter(unit)`: `2.5 MB`.
    Eng(String),
    /// matplotlib's `PercentFormatter(xmax=1)`: `20%` for 0.2.
    Percent,
}

impl Labels {
    /// The labels of ticks `at` on the view `[lo, hi]`.
    pub fn of(&self, at: &[f64], lo: f64, hi: f64) -> Vec<String> {
        match self {
            Labels::Eng(unit) => at.iter().map(|&v| eng(v, unit)).collect(),
            Labels::Percent => at.iter().map(|&v| percent(v, hi - lo)).collect(),
        }
    }
}

/// `x` (1 = 100%) as matplotlib's `PercentFormatter(xmax=1)` writes it on a view `range`
/// wide: decimals from the range (`ceil(2 - log10(2 * range%))`, 0 to 5). Unlike matplotlib,
/// a tick that is not 0 never reads `0%`: a log axis' 0.001 is `0.1%`.
pub fn percent(x: f64, range: f64) -> String {
    let pct = x * 100.0;
    let scaled = (range * 100.0).abs();
    let mut decimals = if scaled > 0.0 && scaled.is_finite() {
        #[allow(clippy::cast_possible_truncation)] // clamped to 0..=5
        let d = (2.0 - (2.0 * scaled).log10()).ceil().clamp(0.0, 5.0) as usize;
        d
    } else {
        0
    };
    while pct != 0.0 && decimals < 12 && format!("{pct:.decimals$}").parse() == Ok(0.0) {
        decimals += 1;
    }
    let text = format!("{pct:.decimals$}%");
    if text.starts_with("-0") && text.trim_start_matches(['-', '0', '.']) == "%" {
        return text[1..].to_owned();
    }
    text
}

/// Ticks at powers of ten within `[lo, hi]`, as matplotlib's `LogLocator` places them for an
/// axis with room for `max` ticks (every decade up to `max` of them, then every k-th); at
/// 1-2-5 steps when the range holds fewer than two decades.
pub fn log_ticks(lo: f64, hi: f64, labels: &Labels, max: usize) -> Ticks {
    #[allow(clippy::cast_possible_truncation)] // logs of finite positive f64s
    let (floor_lo, ceil_lo, floor_hi, ceil_hi) = (
        lo.log10().floor() as i32,
        lo.log10().ceil() as i32,
        hi.log10().floor() as i32,
        hi.log10().ceil() as i32,
    );
    let mut at: Vec<f64> = Vec::new();
    if floor_hi - ceil_lo >= 1 {
        let numdec = floor_hi - ceil_lo;
        let numticks = i32::try_from(max.clamp(2, 9)).unwrap_or(9);
        let mut stride = numdec / numticks + 1;
        if stride >= numdec {
            stride = (numdec - 1).max(1);
        }
        let mut p = floor_lo - stride;
        while p < ceil_hi + 2 * stride {
            let v = 10f64.powi(p);
            if v >= lo * (1.0 - 1e-12) && v <= hi * (1.0 + 1e-12) {
                at.push(v);
            }
            p += stride;
        }
    } else {
        for p in (floor_lo - 1)..=(floor_hi + 1) {
            for m in [1.0, 2.0, 5.0] {
                let v = m * 10f64.powi(p);
                if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) {
                    at.push(v);
                }
            }
        }
    }
    let labels = labels.of(&at, lo, hi);
    Ticks { at, labels }
}

/// Ticks at a round step (1, 2, 2.5 or 5 times a power of ten) in `[lo, hi]`, as matplotlib's
/// `MaxNLocator` places them for `max` bins: the smallest step that needs no more than `max`
/// bins, or a smaller one while fewer than two ticks would show.
pub fn linear_ticks(lo: f64, hi: f64, labels: &Labels, max: usize) -> Ticks {
    let span = (hi - lo).max(f64::MIN_POSITIVE);
    let raw = span / max.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let steps = [0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0];
    let first = steps
        .iter()
        .position(|m| m * magnitude >= raw * (1.0 - 1e-12))
        .unwrap_or(steps.len() - 1);
    let mut at = Vec::new();
    for m in steps[..=first].iter().rev() {
        let step = m * magnitude;
        at.clear();
        let mut k = (lo / step - 1e-9).ceil();
        while k * step <= hi + step * 1e-9 {
            // k * step, not repeated additions: 0.3 stays 0.3.
            let v = k * step;
            at.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
            k += 1.0;
        }
        if at.len() >= 2 {
            break;
        }
    }
    let labels = labels.of(&at, lo, hi);
    Ticks { at, labels }
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
        let b = Labels::Eng("B".into());
        let t = log_ticks(125.0, 999e9, &b, 12);
        assert_eq!(
            t.labels,
            ["1 kB", "10 kB", "100 kB", "1 MB", "10 MB", "100 MB", "1 GB", "10 GB", "100 GB"]
        );
        let sparse = log_ticks(1.0, 1e20, &b, 8);
        assert!(sparse.at.len() <= 8, "{sparse:?}");
        let narrow = log_ticks(150.0, 700.0, &b, 8);
        assert_eq!(narrow.labels, ["200 B", "500 B"]);
    }

    #[test]
    fn linear_ticks_take_round_steps() {
        let b = Labels::Eng("B".into());
        let t = linear_ticks(0.0, 799e6, &b, 8);
        assert_eq!(t.labels.first().map(String::as_str), Some("0 B"));
        assert_eq!(t.labels.last().map(String::as_str), Some("700 MB"));
        assert_eq!(t.at.len(), 8);
        let small = linear_ticks(0.0, 79e6, &b, 8);
        assert_eq!(small.labels[1], "10 MB");
        // Without a unit, still SI prefixes, as matplotlib's EngFormatter writes them.
        assert_eq!(
            linear_ticks(0.0, 1.0, &Labels::Eng(String::new()), 5).labels,
            ["0", "200 m", "400 m", "600 m", "800 m", "1"]
        );
    }

    #[test]
    fn matplotlibs_steps_and_strides() {
        let b = Labels::Eng("B".into());
        // The overhead figures (figures-spec 3.3): 9 bins.
        let block = linear_ticks(0.0, 4.39939e11, &b, 9);
        assert_eq!(block.labels.last().map(String::as_str), Some("400 GB"));
        assert_eq!(block.at.len(), 9);
        let pong = linear_ticks(0.0, 2.23448e7, &b, 9);
        assert_eq!(pong.labels[1], "2.5 MB");
        let tx = linear_ticks(0.0, 1.02608e9, &b, 9);
        assert_eq!(tx.labels[1..3], ["200 MB", "400 MB"]);
        // Twelve decades on room for 9: every other one.
        let wide = log_ticks(1.0, 1e12, &b, 9);
        assert_eq!(wide.at.len(), 7, "{wide:?}");
    }

    #[test]
    fn percentages_as_matplotlib_writes_them() {
        let p = Labels::Percent;
        let lin = linear_ticks(0.0, 1.09, &p, 9);
        assert_eq!(lin.labels, ["0%", "20%", "40%", "60%", "80%", "100%"]);
        let log = log_ticks(0.001, 1.01, &p, 9);
        assert_eq!(log.labels, ["0.1%", "1%", "10%", "100%"]);
        assert_eq!(percent(0.025, 0.1), "2.5%");
        assert_eq!(percent(0.0, 1.0), "0%");
    }
}
