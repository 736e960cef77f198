//! What a panel shows: a table's series picked, merged into `other`, ordered, and overlay lines.

use crate::table::Table;

/// One stacked series: a value per time of its panel (0 where the table has no row).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub color: String,
    pub values: Vec<f64>,
}

/// An overlay line: its own times, and NaN where it has a gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub color: String,
    pub times: Vec<i64>,
    pub values: Vec<f64>,
}

/// Which series a stacked table shows, and in what order.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Series whose largest value stays at or below this are merged into `other`.
    pub threshold: Option<f64>,
    /// Only the N series with the largest peaks are kept; the rest go into `other`.
    pub top: Option<usize>,
    /// The name of the merged series.
    pub other: String,
    /// This series is drawn last, on top of the others.
    pub last: Option<String>,
    /// These series are left out (after the merge: they do not go into `other`).
    pub drop: Vec<String>,
    /// Only these series are shown (after the merge), a missing one as zeros.
    pub only: Vec<String>,
    /// These series first, in this order, bottom to top; the rest by name.
    pub order: Vec<String>,
    /// Each value as its share of its time's total over every series (after the merge).
    pub share: bool,
    /// Series whose largest value (or share) is at most this are left out.
    pub drop_below: Option<f64>,
    /// The times (rows) reordered by these series' values, largest first, ties kept in order:
    /// pandas' `sort_values(by=[...], ascending=False)`.
    pub sort_desc: Vec<String>,
}

impl Selection {
    pub const OTHER: &'static str = "other";

    /// Every series by name, as the table has them, merged into nothing.
    pub fn all() -> Selection {
        Selection {
            threshold: None,
            top: None,
            other: Selection::OTHER.into(),
            last: None,
            drop: Vec::new(),
            only: Vec::new(),
            order: Vec::new(),
            share: false,
            drop_below: None,
            sort_desc: Vec::new(),
        }
    }
}

/// How a series gets its colour: its name, its place among the `count` series drawn.
pub type Paint<'a> = dyn Fn(&str, usize, usize) -> String + 'a;

/// The series of `table`: picked by their peaks over the whole table (so that a series keeps
/// its name and colour whatever time range is shown), small ones summed into `other`, as
/// shares when asked, sorted by name (or `order`) with `last` moved to the top, as the study
/// draws them, then coloured in that order. Also returns warnings: `last` or `only` naming
/// no series.
pub fn stack(table: &Table, sel: &Selection, color: &Paint) -> (Vec<Series>, Vec<String>) {
    let n = table.times.len();
    let mut ranked: Vec<(usize, f64)> = table
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| (i, peak(v)))
        .collect();
    // Largest peak first; equal peaks in name order, so that --top is deterministic.
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut keep = vec![false; table.keys.len()];
    for (rank, &(i, peak)) in ranked.iter().enumerate() {
        let big = sel.threshold.is_none_or(|t| peak > t);
        let in_top = sel.top.is_none_or(|top| rank < top);
        keep[i] = big && in_top && table.keys[i] != sel.other;
    }
    let mut series: Vec<Series> = Vec::new();
    let mut other: Option<Vec<f64>> = None;
    for (i, values) in table.values.iter().enumerate() {
        let dense = values.iter().map(|v| if v.is_nan() { 0.0 } else { *v });
        if keep[i] {
            series.push(Series {
                name: table.keys[i].clone(),
                color: String::new(),
                values: dense.collect(),
            });
        } else {
            let sum = other.get_or_insert_with(|| vec![0.0; n]);
            for (s, v) in sum.iter_mut().zip(dense) {
                *s += v;
            }
        }
    }
    if let Some(values) = other {
        series.push(Series {
            name: sel.other.clone(),
            color: String::new(),
            values,
        });
    }
    if sel.share {
        to_shares(&mut series, n);
    }
    if !sel.sort_desc.is_empty() {
        sort_rows(&mut series, &sel.sort_desc);
    }
    series.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    series.retain(|s| !sel.drop.contains(&s.name));
    if let Some(floor) = sel.drop_below {
        series.retain(|s| peak(&s.values) > floor);
    }
    let mut warnings = Vec::new();
    if !sel.only.is_empty() {
        let mut picked = Vec::new();
        for name in &sel.only {
            match series.iter().position(|s| &s.name == name) {
                Some(at) => picked.push(series.swap_remove(at)),
                None => {
                    warnings.push(format!("--only {name}: no series of that name, drawn as 0"));
                    picked.push(Series {
                        name: name.clone(),
                        color: String::new(),
                        values: vec![0.0; n],
                    });
                }
            }
        }
        // In the order --only gives, unless --order says otherwise.
        series = picked;
        if !sel.order.is_empty() {
            series.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        }
    }
    if !sel.order.is_empty() {
        let rank = |name: &str| {
            sel.order
                .iter()
                .position(|o| o == name)
                .unwrap_or(usize::MAX)
        };
        // Stable: the rest stay in name order after the listed ones.
        series.sort_by_key(|s| rank(&s.name));
    }
    if let Some(last) = &sel.last {
        match series.iter().position(|s| &s.name == last) {
            Some(at) => {
                let top = series.remove(at);
                series.push(top);
            }
            None if !sel.drop.contains(last) => {
                let merged = table
                    .keys
                    .iter()
                    .zip(&keep)
                    .any(|(k, &kept)| k == last && !kept);
                warnings.push(if merged {
                    format!(
                        "--last {last}: merged into '{}' (too small to keep)",
                        sel.other
                    )
                } else {
                    format!("--last {last}: no series of that name")
                });
            }
            None => {}
        }
    }
    let count = series.len();
    for (i, s) in series.iter_mut().enumerate() {
        s.color = color(&s.name, i, count);
    }
    (series, warnings)
}

/// pandas' `df.div(df.sum(axis=1), axis=0)`: each value over its time's total; 0/0 is NaN.
fn to_shares(series: &mut [Series], n: usize) {
    let mut totals = vec![0.0; n];
    for s in series.iter() {
        for (t, v) in totals.iter_mut().zip(&s.values) {
            *t += v;
        }
    }
    for s in series.iter_mut() {
        for (v, t) in s.values.iter_mut().zip(&totals) {
            *v /= t;
        }
    }
}

/// Reorders the times (rows) by the values of the series `by`, largest first, NaN last, ties
/// in their order: pandas' stable `sort_values(ascending=False)`.
fn sort_rows(series: &mut [Series], by: &[String]) {
    let keys: Vec<&[f64]> = by
        .iter()
        .filter_map(|name| series.iter().find(|s| &s.name == name))
        .map(|s| s.values.as_slice())
        .collect();
    let n = series.first().map_or(0, |s| s.values.len());
    let mut rows: Vec<usize> = (0..n).collect();
    rows.sort_by(|&a, &b| {
        for k in &keys {
            let (x, y) = (k[a], k[b]);
            let o = match (x.is_nan(), y.is_nan()) {
                (true, true) => std::cmp::Ordering::Equal,
                (true, false) => std::cmp::Ordering::Greater,
                (false, true) => std::cmp::Ordering::Less,
                (false, false) => y.total_cmp(&x),
            };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
    for s in series.iter_mut() {
        s.values = rows.iter().map(|&r| s.values[r]).collect();
    }
}

/// The largest value, NaN left out; 0 for none.
fn peak(values: &[f64]) -> f64 {
    values
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(0.0, f64::max)
}

/// The indices of `times` within `[from, to]`.
pub fn window(times: &[i64], from: Option<i64>, to: Option<i64>) -> std::ops::Range<usize> {
    let start = from.map_or(0, |f| times.partition_point(|&t| t < f));
    let end = to.map_or(times.len(), |t| times.partition_point(|&x| x <= t));
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            times: vec![0, 3600],
            keys: ["addr", "block", "inv", "ping", "tx"]
                .map(String::from)
                .to_vec(),
            values: vec![
                vec![1.0, f64::NAN],
                vec![100.0, 0.0],
                vec![10.0, 20.0],
                vec![2.0, 3.0],
                vec![50.0, 60.0],
            ],
        }
    }

    fn names(series: &[Series]) -> Vec<&str> {
        series.iter().map(|s| s.name.as_str()).collect()
    }

    fn sel() -> Selection {
        Selection::all()
    }

    fn by_name(name: &str, _: usize, _: usize) -> String {
        crate::color::of(name)
    }

    #[test]
    fn small_series_merge_into_other() {
        let s = Selection {
            threshold: Some(5.0),
            last: Some("block".into()),
            ..sel()
        };
        let (series, warnings) = stack(&table(), &s, &by_name);
        assert_eq!(names(&series), ["inv", "other", "tx", "block"]);
        assert_eq!(series[1].values, [3.0, 3.0]);
        assert_eq!(series[1].color, "#f1f9a9");
        assert!(warnings.is_empty());
    }

    #[test]
    fn top_n_and_drop() {
        let s = Selection {
            top: Some(2),
            drop: vec!["block".into()],
            last: Some("block".into()),
            ..sel()
        };
        let (series, warnings) = stack(&table(), &s, &by_name);
        assert_eq!(names(&series), ["other", "tx"]);
        assert_eq!(series[0].values, [13.0, 23.0]);
        assert!(warnings.is_empty());
        let missing = Selection {
            last: Some("nope".into()),
            ..sel()
        };
        let (series, warnings) = stack(&table(), &missing, &by_name);
        assert_eq!(names(&series), ["addr", "block", "inv", "ping", "tx"]);
        assert_eq!(series[0].values, [1.0, 0.0]);
        assert_eq!(warnings, ["--last nope: no series of that name"]);
        let merged = Selection {
            threshold: Some(1000.0),
            last: Some("block".into()),
            ..sel()
        };
        let (series, warnings) = stack(&table(), &merged, &by_name);
        assert_eq!(names(&series), ["other"]);
        assert_eq!(
            warnings,
            ["--last block: merged into 'other' (too small to keep)"]
        );
    }

    #[test]
    fn windows_are_inclusive() {
        let times = [10, 20, 30, 40];
        assert_eq!(window(&times, None, None), 0..4);
        assert_eq!(window(&times, Some(20), Some(30)), 1..3);
        assert_eq!(window(&times, Some(21), Some(29)), 2..2);
        assert_eq!(window(&times, Some(50), None), 4..4);
    }

    #[test]
    fn order_only_and_shares() {
        let s = Selection {
            order: vec!["tx".into(), "ping".into()],
            ..sel()
        };
        let (series, _) = stack(&table(), &s, &by_name);
        assert_eq!(names(&series), ["tx", "ping", "addr", "block", "inv"]);
        let s = Selection {
            only: vec!["tx".into(), "nope".into(), "inv".into()],
            share: true,
            ..sel()
        };
        let (series, warnings) = stack(&table(), &s, &|_: &str, i, n| format!("{i}/{n}"));
        assert_eq!(names(&series), ["tx", "nope", "inv"]);
        assert_eq!(series[0].values, [50.0 / 163.0, 60.0 / 83.0]);
        assert_eq!(series[1].values, [0.0, 0.0]);
        assert_eq!(series[2].color, "2/3");
        assert_eq!(
            warnings,
            ["--only nope: no series of that name, drawn as 0"]
        );
        let s = Selection {
            share: true,
            drop_below: Some(0.1),
            sort_desc: vec!["inv".into()],
            ..sel()
        };
        let (series, _) = stack(&table(), &s, &by_name);
        assert_eq!(names(&series), ["block", "inv", "tx"]);
        // The second time has the larger inv share: it comes first.
        assert_eq!(series[1].values, [20.0 / 83.0, 10.0 / 163.0]);
    }
}
