//! What a panel shows: a table's series picked and merged into `other`, in stacking order,
//! and overlay lines, cut to a time range.

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
}

impl Selection {
    pub const OTHER: &'static str = "other";
}

/// The stack of `table`: series picked by their peaks over the whole table (so that a
/// series keeps its name and colour whatever time range is shown), small ones summed into
/// `other`, sorted by name with `last` moved to the top, as the study draws them. Also
/// returns a warning when `last` names no series.
pub fn stack(
    table: &Table,
    sel: &Selection,
    color: &dyn Fn(&str) -> String,
) -> (Vec<Series>, Vec<String>) {
    let n = table.times.len();
    let peak = |values: &[f64]| {
        values
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .fold(0.0, f64::max)
    };
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
                color: color(&table.keys[i]),
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
            color: color(&sel.other),
            values,
        });
    }
    series.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    series.retain(|s| !sel.drop.contains(&s.name));
    let mut warnings = Vec::new();
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
    (series, warnings)
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
        Selection {
            threshold: None,
            top: None,
            other: Selection::OTHER.into(),
            last: None,
            drop: Vec::new(),
        }
    }

    #[test]
    fn small_series_merge_into_other() {
        let s = Selection {
            threshold: Some(5.0),
            last: Some("block".into()),
            ..sel()
        };
        let (series, warnings) = stack(&table(), &s, &crate::color::of);
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
        let (series, warnings) = stack(&table(), &s, &crate::color::of);
        assert_eq!(names(&series), ["other", "tx"]);
        assert_eq!(series[0].values, [13.0, 23.0]);
        assert!(warnings.is_empty());
        let missing = Selection {
            last: Some("nope".into()),
            ..sel()
        };
        let (series, warnings) = stack(&table(), &missing, &crate::color::of);
        assert_eq!(names(&series), ["addr", "block", "inv", "ping", "tx"]);
        assert_eq!(series[0].values, [1.0, 0.0]);
        assert_eq!(warnings, ["--last nope: no series of that name"]);
        let merged = Selection {
            threshold: Some(1000.0),
            last: Some("block".into()),
            ..sel()
        };
        let (series, warnings) = stack(&table(), &merged, &crate::color::of);
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
}
