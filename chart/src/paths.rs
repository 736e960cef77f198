//! A panel's marks as SVG paths (areas, lines, points, grid, x axis), thinned to the output's pixels.

use std::fmt::Write as _;

use crate::dates::DateTicks;
use crate::draw::{n, text, Frame, Panel, ValueAxis, TEXT};
use crate::series::Line;

/// Line width in points (matplotlib's 1.5 pt, as 2 pt at chart's smaller text).
pub const LINE_WIDTH: f64 = 2.0;
/// A point's diameter in points (seaborn's `size=3`).
pub const DOT: f64 = 3.0;
const TICK: f64 = 5.0;
const MINOR_TICK: f64 = 2.5;

/// Keeps, of the points that fall in one column `px` wide, the first, the lowest, the
/// highest and the last, in their order: the same picture with at most four points per
/// pixel column, however many rows the table has (a path of 100,000 jumps rasterizes in
/// milliseconds, not seconds).
pub fn thin(points: &[(f64, f64)], px: f64) -> Vec<(f64, f64)> {
    if points.len() < 8 || px <= 0.0 {
        return points.to_vec();
    }
    let mut out = Vec::with_capacity(points.len().min(4096));
    let mut i = 0;
    while i < points.len() {
        let column = (points[i].0 / px).floor();
        let mut j = i;
        while j + 1 < points.len() && (points[j + 1].0 / px).floor() == column {
            j += 1;
        }
        if j - i < 4 {
            out.extend_from_slice(&points[i..=j]);
        } else {
            let group = &points[i..=j];
            let (mut lo, mut hi) = (0, 0);
            for (k, p) in group.iter().enumerate() {
                if p.1 < group[lo].1 {
                    lo = k;
                }
                if p.1 > group[hi].1 {
                    hi = k;
                }
            }
            let mut picked = [0, lo, hi, group.len() - 1];
            picked.sort_unstable();
            let mut last = usize::MAX;
            for k in picked {
                if k != last {
                    out.push(group[k]);
                    last = k;
                }
            }
        }
        i = j + 1;
    }
    out
}

fn path_of(d: &mut String, points: &[(f64, f64)]) {
    for (x, y) in points {
        let _ = write!(
            d,
            "{}{} {}",
            if d.is_empty() { "M" } else { "L" },
            n(*x),
            n(*y)
        );
    }
}

/// The stacked areas: layer k fills the band between the sums of layers below it and its
/// own, bottom first, later layers painting over earlier ones (matplotlib's stackplot). With
/// no negative value each layer is filled down to the floor instead, topmost first, so that
/// neighbours meet without a hairline seam.
pub fn stack(out: &mut String, panel: &Panel, frame: &Frame, axis: &ValueAxis, px: f64) {
    let n_times = panel.times.len();
    if n_times == 0 || panel.stack.is_empty() {
        return;
    }
    let mut cumulative: Vec<Vec<f64>> = Vec::with_capacity(panel.stack.len());
    let mut sums = vec![0.0; n_times];
    for s in &panel.stack {
        for (sum, v) in sums.iter_mut().zip(&s.values) {
            if v.is_finite() {
                *sum += v;
            }
        }
        cumulative.push(sums.clone());
    }
    let xs: Vec<(f64, f64)> = if n_times == 1 {
        // A lone time: a bar, as wide as a fiftieth of the plot.
        let x = frame.x(panel.times[0]);
        let half = (frame.right - frame.left) / 100.0;
        vec![(x - half, x + half)]
    } else {
        panel
            .times
            .iter()
            .map(|&t| (frame.x(t), frame.x(t)))
            .collect()
    };
    let floor = frame.bottom + 2.0;
    let all_positive = panel
        .stack
        .iter()
        .all(|s| s.values.iter().all(|&v| v >= 0.0 || v.is_nan()));
    let edge = |values: &[f64]| {
        let mut points: Vec<(f64, f64)> = Vec::with_capacity(2 * values.len());
        for (&(x0, x1), &v) in xs.iter().zip(values) {
            let y = frame.y(axis, v);
            points.push((x0, y));
            if x1 != x0 {
                points.push((x1, y));
            }
        }
        thin(&points, px)
    };
    let first_x = xs.first().map_or(0.0, |p| p.0);
    let last_x = xs.last().map_or(0.0, |p| p.1);
    let order: Vec<usize> = if all_positive {
        (0..panel.stack.len()).rev().collect()
    } else {
        (0..panel.stack.len()).collect()
    };
    for i in order {
        let mut d = String::new();
        path_of(&mut d, &edge(&cumulative[i]));
        if all_positive || i == 0 {
            let _ = write!(d, "L{} {}L{} {}", n(last_x), n(floor), n(first_x), n(floor));
        } else {
            let mut below = edge(&cumulative[i - 1]);
            below.reverse();
            path_of(&mut d, &below);
        }
        d.push('Z');
        let _ = write!(out, r#"<path d="{d}" fill="{}"/>"#, panel.stack[i].color);
    }
}

/// Dotted lines across the plot at the value ticks, over the areas and under the lines.
pub fn grid(out: &mut String, frame: &Frame, axis: &ValueAxis, at: &[f64]) {
    let mut d = String::new();
    for &v in at {
        let y = frame.y(axis, v);
        let _ = write!(d, "M{} {}H{}", n(frame.left), n(y), n(frame.right));
    }
    if !d.is_empty() {
        let _ = write!(
            out,
            r##"<path d="{d}" stroke="#000000" stroke-width="0.8" stroke-dasharray="0.8 1.32" fill="none"/>"##
        );
    }
}

/// A line, broken where it has no value. On a log scale a value of 0 is either a gap too
/// (`dive` false, as the study's measured line) or, as matplotlib clips it, a vertical
/// drop from its neighbours through the bottom edge (`dive`). A point with no neighbour is
/// a dot.
pub fn line(out: &mut String, line: &Line, frame: &Frame, axis: &ValueAxis, dive: bool, px: f64) {
    let mut d = String::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    let below = frame.bottom + 2.0 * LINE_WIDTH;
    let flush = |run: &mut Vec<(f64, f64)>, d: &mut String, out: &mut String| {
        if run.len() == 1 {
            let _ = write!(
                out,
                r#"<circle cx="{}" cy="{}" r="{}" fill="{}"/>"#,
                n(run[0].0),
                n(run[0].1),
                LINE_WIDTH,
                line.color
            );
        } else if run.len() > 1 {
            let mut part = String::new();
            path_of(&mut part, &thin(run, px));
            d.push_str(&part);
        }
        run.clear();
    };
    let mut last_dived = false;
    for (&t, &v) in line.times.iter().zip(&line.values) {
        let x = frame.x(t);
        let shown = v.is_finite() && !axis.fraction(v).is_nan();
        if shown {
            if last_dived {
                run.push((x, below));
            }
            run.push((x, frame.y(axis, v)));
            last_dived = false;
        } else {
            let zero = dive && v.is_finite();
            if zero {
                if let Some(&(x0, _)) = run.last() {
                    run.push((x0, below));
                }
            }
            flush(&mut run, &mut d, out);
            last_dived = zero;
        }
    }
    flush(&mut run, &mut d, out);
    if !d.is_empty() {
        let _ = write!(
            out,
            r#"<path d="{d}" stroke="{}" stroke-width="{LINE_WIDTH}" stroke-linejoin="round" stroke-linecap="round" fill="none"/>"#,
            line.color
        );
    }
}

/// Points (a strip plot): dots of their colours, in order, later ones on top.
pub fn points(out: &mut String, panel: &Panel, frame: &Frame, axis: &ValueAxis) {
    for p in &panel.points {
        if axis.fraction(p.y).is_nan() || !p.y.is_finite() {
            continue;
        }
        let _ = write!(
            out,
            r#"<circle cx="{}" cy="{}" r="{}" fill="{}"/>"#,
            n(frame.x_at(p.x)),
            n(frame.y(axis, p.y)),
            n(DOT / 2.0),
            p.color
        );
    }
}

/// The x axis under a panel: its line, tick marks and labels.
pub fn x_axis(out: &mut String, frame: &Frame, dates: &DateTicks) {
    let mut d = format!("M{} {}H{}", n(frame.left), n(frame.bottom), n(frame.right));
    for &(t, _) in &dates.major {
        let x = frame.x(t);
        let _ = write!(d, "M{} {}v{}", n(x), n(frame.bottom), n(TICK));
    }
    for &t in &dates.minor {
        let x = frame.x(t);
        let _ = write!(d, "M{} {}v{}", n(x), n(frame.bottom), n(MINOR_TICK));
    }
    let _ = write!(
        out,
        r##"<path d="{d}" stroke="#000000" stroke-width="0.8" fill="none"/>"##
    );
    for (t, label) in &dates.major {
        let x = frame.x(*t);
        text(
            out,
            x,
            frame.bottom + TICK + 3.0 + TEXT * 0.93,
            TEXT,
            false,
            "middle",
            label,
        );
    }
}

/// Room under the plot for the x axis' ticks and labels.
pub const X_AXIS_ROOM: f64 = TEXT * 1.25 + TICK + 3.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_each_columns_extremes() {
        let zigzag: Vec<(f64, f64)> = (0..1000)
            .map(|i| {
                (
                    f64::from(i) / 100.0,
                    if i % 2 == 0 {
                        0.0
                    } else {
                        5.0 + f64::from(i) / 1000.0
                    },
                )
            })
            .collect();
        let thin = thin(&zigzag, 1.0);
        // 10 columns of 100 points: at most 4 each.
        assert!(thin.len() <= 40, "{}", thin.len());
        assert_eq!(thin.first(), zigzag.first());
        assert_eq!(thin.last(), zigzag.last());
        let top = thin.iter().map(|p| p.1).fold(0.0, f64::max);
        assert_eq!(top, 5.999);
        // Few points: untouched.
        assert_eq!(super::thin(&zigzag[..5], 1.0), zigzag[..5]);
    }
}
