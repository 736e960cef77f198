//! Date axes: ticks suited to the span, or placed as matplotlib's `DayLocator(interval=N)` places them.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime};

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
const MICROS: i64 = 1_000_000;

/// Date ticks: labelled major ones and unlabelled minor ones, as wall-clock seconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DateTicks {
    pub major: Vec<(i64, String)>,
    pub minor: Vec<i64>,
}

/// Ticks for the view `[lo, hi]` with at most `max` labels: every k hours (`00:00`, with the
/// date at midnight), every k days counted from `anchor`'s day (`Jan 22`), or every k months
/// (`Jan 2025`). Minor ticks mark the days (hours) between. `daily`: the data are days, so
/// the labels stay dates however short the span.
pub fn date_ticks(lo: i64, hi: i64, anchor: i64, max: usize, daily: bool) -> DateTicks {
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
    let hour_steps: &[i64] = if daily { &[] } else { &[1, 2, 3, 6, 12] };
    for &hours in hour_steps {
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
            } else if hi - lo <= 8 * DAY && !daily {
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

/// The study's date labels: `Jan 21`, `Feb 02`.
pub const DAY_LABEL: &str = "%b %d";

/// matplotlib's `DayLocator(interval)` over the view `[lo, hi]` (seconds, as floats): the
/// midnights whose date is a multiple of `interval` days from the date of its rrule's start,
/// `lo - relativedelta(hi, lo)`, neither the data's first day nor the view's. Labelled
/// `%b %d`; minor ticks (`minor`) at the other midnights. With no midnight on the grid,
/// matplotlib ticks the view's two ends, and so does this.
pub fn day_locator(lo: f64, hi: f64, interval: u32, minor: bool) -> DateTicks {
    // matplotlib's dates are floats rounded to the microsecond.
    #[allow(clippy::cast_possible_truncation)] // a view within chrono's range, checked below
    let (lo_us, hi_us) = ((lo * 1e6).round() as i64, (hi * 1e6).round() as i64);
    let (Some(vmin), Some(vmax)) = (from_micros(lo_us), from_micros(hi_us)) else {
        return DateTicks::default();
    };
    let interval = i64::from(interval.max(1));
    let Some(start) = rrule_start(vmin, vmax) else {
        return DateTicks::default();
    };
    let anchor = start.date();
    let first_day = lo_us.div_euclid(DAY * MICROS) + i64::from(lo_us.rem_euclid(DAY * MICROS) != 0);
    let last_day = hi_us.div_euclid(DAY * MICROS);
    let mut ticks = DateTicks::default();
    // At most a few thousand midnights: a view of ten years.
    if last_day - first_day > 4_000 {
        return ticks;
    }
    for day in first_day..=last_day {
        let t = day * DAY;
        let Some(date) = DateTime::from_timestamp(t, 0).map(|d| d.date_naive()) else {
            continue;
        };
        if (date - anchor).num_days().rem_euclid(interval) == 0 {
            ticks.major.push((t, format_time(t, DAY_LABEL)));
        } else if minor {
            ticks.minor.push(t);
        }
    }
    if ticks.major.is_empty() {
        #[allow(clippy::cast_possible_truncation)] // within the view
        for t in [lo.round() as i64, hi.round() as i64] {
            ticks.major.push((t, format_time(t, DAY_LABEL)));
        }
    }
    ticks
}

fn from_micros(us: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp(us.div_euclid(MICROS), 0)
        .map(|d| d.naive_utc() + Duration::microseconds(us.rem_euclid(MICROS)))
}

/// `d` moved by `months` (either way), the day clamped to the month's end, as dateutil does.
fn add_months(d: NaiveDateTime, months: i64) -> Option<NaiveDateTime> {
    let m = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months >= 0 {
        d.checked_add_months(m)
    } else {
        d.checked_sub_months(m)
    }
}

/// `vmin - relativedelta(vmax, vmin)`: the whole months between them back from `vmin`, then
/// the rest.
fn rrule_start(vmin: NaiveDateTime, vmax: NaiveDateTime) -> Option<NaiveDateTime> {
    let mut months = 12 * i64::from(vmax.year() - vmin.year())
        + (i64::from(vmax.month()) - i64::from(vmin.month()));
    while add_months(vmin, months)? > vmax {
        months -= 1;
    }
    let rest = vmax - add_months(vmin, months)?;
    add_months(vmin, -months)?.checked_sub_signed(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_ticks_suit_the_span() {
        // The study's hourly figure: 2025-01-22 14:00 to 2025-02-25 23:00 with 5% margins.
        let (start, end) = (1_737_554_400, 1_740_524_400);
        let margin = (end - start) / 20;
        let t = date_ticks(start - margin, end + margin, start, 13, false);
        let labels: Vec<&str> = t.major.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels[..3], ["Jan 22", "Jan 25", "Jan 28"]);
        assert!(labels.contains(&"Feb 03"), "{labels:?}");
        // Every day between the labelled ones, and one after the last.
        assert_eq!((t.major.len(), t.minor.len()), (13, 25));
        let hours = date_ticks(start, start + 10 * HOUR, start, 8, false);
        assert_eq!(hours.major[0].1, "14:00");
        let days = date_ticks(start - DAY, start + 2 * DAY, start, 8, false);
        assert_eq!(days.major[0].1, "Jan 22");
        let year = date_ticks(start, start + 400 * DAY, start, 8, false);
        assert_eq!(year.major[0].1, "Mar 2025");
    }

    fn at(text: &str) -> f64 {
        let t = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        t.and_utc().timestamp() as f64
    }

    fn labels(t: &DateTicks) -> Vec<&str> {
        t.major.iter().map(|(_, l)| l.as_str()).collect()
    }

    #[test]
    fn day_ticks_are_matplotlibs() {
        // The views of the study's figures (figures-spec 2.2), and the ticks matplotlib drew.
        let ct = day_locator(at("2025-01-20 07:12"), at("2025-02-26 16:48"), 3, true);
        assert_eq!(labels(&ct)[..3], ["Jan 21", "Jan 24", "Jan 27"]);
        assert_eq!(labels(&ct).last(), Some(&"Feb 26"));
        assert_eq!((ct.major.len(), ct.minor.len()), (13, 24));
        let daily = day_locator(at("2025-01-23 02:24"), at("2025-02-11 21:36"), 4, true);
        assert_eq!(labels(&daily), ["Jan 27", "Jan 31", "Feb 04", "Feb 08"]);
        let hourly = day_locator(at("2025-01-23 01:15"), at("2025-02-12 21:45"), 4, false);
        assert_eq!(
            labels(&hourly),
            ["Jan 26", "Jan 30", "Feb 03", "Feb 07", "Feb 11"]
        );
        assert!(hourly.minor.is_empty());
        let v02 = day_locator(at("2025-02-17 14:27"), at("2025-02-26 08:33"), 2, true);
        assert_eq!(
            labels(&v02),
            ["Feb 18", "Feb 20", "Feb 22", "Feb 24", "Feb 26"]
        );
        let mempool = day_locator(at("2025-02-19 18:00"), at("2025-02-25 06:00"), 3, false);
        assert_eq!(labels(&mempool), ["Feb 20", "Feb 23"]);
        // The strip plot's categories read as days since 1970 (35 of them).
        let strip = day_locator(-43_200.0, 34.5 * 86_400.0, 3, true);
        assert_eq!(labels(&strip)[..2], ["Jan 01", "Jan 04"]);
        assert_eq!(strip.major[0].0, 0);
        // No midnight on the grid: the view's ends.
        let none = day_locator(at("2025-02-19 01:00"), at("2025-02-19 05:00"), 3, true);
        assert_eq!(labels(&none), ["Feb 19", "Feb 19"]);
    }

    #[test]
    fn daily_data_keep_date_labels() {
        let start = 1_737_504_000; // 2025-01-22
        let t = date_ticks(start - 7200, start + 2 * DAY + 7200, start, 8, true);
        assert!(t.major.iter().all(|(_, l)| l.starts_with("Jan")), "{t:?}");
        assert!(t.minor.is_empty());
    }
}
