//! The figure laid out and drawn as SVG, in points: titles, legend, panels of stacked areas
//! and lines, value and date axes, in the study's style.

use std::fmt::Write as _;

use error::{Error, Result};

use crate::render::{self, escape, Text, FAMILY};
use crate::scale::{self, DateTicks, Ticks};
use crate::series::{Line, Series};

/// A panel: a stack over its times, overlay lines, and its value limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub times: Vec<i64>,
    /// Bottom to top.
    pub stack: Vec<Series>,
    pub lines: Vec<Line>,
    pub limits: Limits,
}

/// Value limits set by hand; `None`: from the data.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Limits {
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

/// A whole figure: panels side by side under one title and legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub panels: Vec<Panel>,
    pub title: String,
    pub subtitle: String,
    /// Beside the first panel's value axis.
    pub ylabel: String,
    pub log: bool,
    /// Shown after the SI prefix of the value labels (`B`: `10 MB`); empty: plain numbers.
    pub unit: String,
    /// In inches.
    pub width: f64,
    pub height: f64,
    pub legend_cols: usize,
}

impl Figure {
    pub const WIDTH: f64 = 10.5;
    pub const HEIGHT: f64 = 5.6;
    pub const LEGEND_COLS: usize = 5;
    pub const UNIT: &'static str = "B";
}

/// Sizes in points.
const PAD: f64 = 6.0;
const TITLE: f64 = 20.0;
const SUBTITLE: f64 = 15.0;
const TEXT: f64 = 12.0;
const TICK: f64 = 5.0;
const MINOR_TICK: f64 = 2.5;
const LINE_WIDTH: f64 = 2.0;
const SWATCH: f64 = 10.0;
const PANEL_GAP: f64 = 28.0;
/// Room to the right of the last panel, for half a date label.
const RIGHT: f64 = 22.0;
/// How far from the edge the first and last data points are: matplotlib's default margin.
const MARGIN: f64 = 0.05;
/// Overlay line colours, in order: the study's black first.
const LINE_COLORS: [&str; 6] = [
    "#000000", "#555555", "#1f3a93", "#8b0000", "#006400", "#7b3294",
];

/// The colour of the `i`-th overlay line.
pub fn line_color(i: usize) -> String {
    LINE_COLORS[i % LINE_COLORS.len()].to_owned()
}

/// One panel's value axis: where values go on it.
struct ValueAxis {
    lo: f64,
    hi: f64,
    log: bool,
}

impl ValueAxis {
    fn of(panel: &Panel, log: bool) -> Result<ValueAxis> {
        let mut values: Vec<f64> = Vec::new();
        let mut sums = vec![0.0; panel.times.len()];
        for s in &panel.stack {
            for (sum, v) in sums.iter_mut().zip(&s.values) {
                *sum += v;
                values.push(*sum);
            }
        }
        for line in &panel.lines {
            values.extend(line.values.iter().copied().filter(|v| v.is_finite()));
        }
        let (mut lo, mut hi) = if log {
            let positive = values.iter().copied().filter(|&v| v > 0.0);
            let min = positive.clone().fold(f64::INFINITY, f64::min);
            let max = positive.fold(0.0, f64::max);
            if min.is_finite() {
                let (a, b) = (min.log10(), max.log10());
                let (a, b) = if b - a < 1e-9 {
                    (a - 0.5, b + 0.5)
                } else {
                    (a, b)
                };
                let m = (b - a) * MARGIN;
                (10f64.powf(a - m), 10f64.powf(b + m))
            } else {
                (1.0, 1000.0)
            }
        } else {
            let min = values.iter().copied().fold(0.0, f64::min);
            let max = values.iter().copied().fold(0.0, f64::max);
            let span = if max - min > 0.0 { max - min } else { 1.0 };
            // Zero stays on the edge, as matplotlib keeps a stack's base there.
            let lo = if min < 0.0 { min - span * MARGIN } else { 0.0 };
            let hi = if max > 0.0 || min == 0.0 {
                max + span * MARGIN
            } else {
                0.0
            };
            (lo, hi)
        };
        if let Some(l) = panel.limits.lo {
            lo = l;
        }
        if let Some(h) = panel.limits.hi {
            hi = h;
        }
        if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) || (log && lo <= 0.0) {
            return Err(Error::usage(format!(
                "--ylim: the value range {} to {} is empty{}",
                scale::eng(lo, ""),
                scale::eng(hi, ""),
                if log {
                    " or reaches 0, which a log scale cannot show"
                } else {
                    ""
                }
            )));
        }
        Ok(ValueAxis { lo, hi, log })
    }

    /// 0 at the bottom, 1 at the top; NaN for what a log scale cannot show.
    fn fraction(&self, v: f64) -> f64 {
        if self.log {
            if v > 0.0 {
                (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
            } else {
                f64::NAN
            }
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }

    fn ticks(&self, unit: &str, max: usize) -> Ticks {
        if self.log {
            scale::log_ticks(self.lo, self.hi, unit, max)
        } else {
            scale::linear_ticks(self.lo, self.hi, unit, max)
        }
    }
}

/// A panel's place on the page.
struct Frame {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    t0: f64,
    t1: f64,
}

impl Frame {
    fn x(&self, t: i64) -> f64 {
        #[allow(clippy::cast_precision_loss)] // seconds: exact below 2^53
        let t = t as f64;
        self.left + (t - self.t0) / (self.t1 - self.t0) * (self.right - self.left)
    }

    /// The y of a value, kept a little outside the frame when it is off it (clipped there).
    fn y(&self, axis: &ValueAxis, v: f64) -> f64 {
        let f = axis.fraction(v);
        let f = if f.is_nan() {
            -0.01
        } else {
            f.clamp(-0.01, 1.01)
        };
        self.bottom - f * (self.bottom - self.top)
    }
}

/// The time span shown: the data's, with margins; a lone time gets a day around it.
fn time_view(panel: &Panel) -> (f64, f64) {
    let times = panel
        .times
        .iter()
        .chain(panel.lines.iter().flat_map(|l| &l.times));
    let (lo, hi) = times.fold((i64::MAX, i64::MIN), |(lo, hi), &t| (lo.min(t), hi.max(t)));
    if lo > hi {
        return (0.0, 86_400.0);
    }
    #[allow(clippy::cast_precision_loss)] // seconds: exact below 2^53
    let (lo, hi) = (lo as f64, hi as f64);
    if hi - lo < 1.0 {
        return (lo - 43_200.0, hi + 43_200.0);
    }
    let m = (hi - lo) * MARGIN;
    (lo - m, hi + m)
}

/// Draws `fig` as SVG, with text as `<text>` in the bundled font (see [`render`]).
pub fn svg(fig: &Figure) -> Result<String> {
    let page_w = fig.width * 72.0;
    let page_h = fig.height * 72.0;
    let panels = fig.panels.len().max(1);

    // Vertical layout: title, subtitle, legend, then the plots.
    let mut y = PAD;
    let mut title_at = None;
    if !fig.title.is_empty() {
        title_at = Some(y + TITLE * 0.93);
        y += TITLE * 1.25;
    }
    let mut subtitle_at = None;
    if !fig.subtitle.is_empty() {
        subtitle_at = Some(y + SUBTITLE * 0.93);
        y += SUBTITLE * 1.35;
    }
    let legend = legend_entries(fig);
    let cols = fig.legend_cols.clamp(1, legend.len().max(1));
    let rows = legend.len().div_ceil(cols);
    let row_h = TEXT * 1.55;
    let legend_top = y + 2.0;
    if rows > 0 {
        y = legend_top + rows as f64 * row_h;
    }
    let top = y + TEXT * 0.9;
    let bottom = page_h - PAD - TEXT * 1.25 - TICK - 3.0;
    if bottom - top < 20.0 {
        return Err(Error::usage(format!(
            "--height {} leaves no room for the plot under the titles and legend",
            fig.height
        )));
    }

    let axes: Vec<ValueAxis> = fig
        .panels
        .iter()
        .map(|p| ValueAxis::of(p, fig.log))
        .collect::<Result<_>>()?;
    // Decades may sit closer than round steps: their labels are short.
    let spacing = if fig.log { TEXT * 1.6 } else { TEXT * 2.6 };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a small count
    let max_value_ticks = ((bottom - top) / spacing).floor().clamp(3.0, 16.0) as usize;
    let value_ticks: Vec<Ticks> = axes
        .iter()
        .map(|a| a.ticks(&fig.unit, max_value_ticks))
        .collect();

    // Everything whose width the layout needs, measured at once.
    let mut texts: Vec<Text> = vec![Text {
        text: "Sep 30",
        size: TEXT,
        bold: false,
    }];
    for (label, _) in &legend {
        texts.push(Text {
            text: label,
            size: TEXT,
            bold: false,
        });
    }
    let first_tick_label = texts.len();
    for ticks in &value_ticks {
        for l in &ticks.labels {
            texts.push(Text {
                text: l,
                size: TEXT,
                bold: false,
            });
        }
    }
    let widths = render::widths(&texts)?;
    let date_label_w = widths[0];
    let legend_w = &widths[1..first_tick_label];
    let mut tick_w = widths[first_tick_label..].iter();

    // Horizontal layout: equal shares, each with room for its value labels.
    let share = (page_w - 2.0 * PAD - RIGHT - (panels - 1) as f64 * PANEL_GAP) / panels as f64;
    let mut frames = Vec::new();
    for (i, (panel, ticks)) in fig.panels.iter().zip(&value_ticks).enumerate() {
        let x0 = PAD + i as f64 * (share + PANEL_GAP);
        let label_w = ticks
            .labels
            .iter()
            .map(|_| tick_w.next().copied().unwrap_or(0.0))
            .fold(0.0, f64::max);
        let ylabel_w = if i == 0 && !fig.ylabel.is_empty() {
            TEXT * 1.6
        } else {
            0.0
        };
        let left = x0 + ylabel_w + label_w + 8.0;
        let right = x0 + share;
        if right - left < 20.0 {
            return Err(Error::usage(format!(
                "--width {} leaves no room for the plot beside its labels",
                fig.width
            )));
        }
        let (t0, t1) = time_view(panel);
        frames.push(Frame {
            left,
            right,
            top,
            bottom,
            t0,
            t1,
        });
    }

    let mut out = String::with_capacity(1 << 16);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FAMILY}" font-size="{TEXT}">"#,
        w = n(page_w),
        h = n(page_h)
    );
    let _ = write!(
        out,
        r##"<rect width="{}" height="{}" fill="#ffffff"/>"##,
        n(page_w),
        n(page_h)
    );
    let text_left = frames.first().map_or(PAD, |f| f.left);
    if let Some(at) = title_at {
        text(&mut out, text_left, at, TITLE, true, "start", &fig.title);
    }
    if let Some(at) = subtitle_at {
        text(
            &mut out,
            text_left,
            at,
            SUBTITLE,
            false,
            "start",
            &fig.subtitle,
        );
    }
    draw_legend(
        &mut out, &legend, legend_w, text_left, legend_top, row_h, rows,
    );

    for (i, ((panel, frame), (axis, ticks))) in fig
        .panels
        .iter()
        .zip(&frames)
        .zip(axes.iter().zip(&value_ticks))
        .enumerate()
    {
        let clip = format!("plot{i}");
        let _ = write!(
            out,
            r#"<clipPath id="{clip}"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath><g clip-path="url(#{clip})">"#,
            n(frame.left),
            n(frame.top - 1.0),
            n(frame.right - frame.left),
            n(frame.bottom - frame.top + 1.0)
        );
        draw_stack(&mut out, panel, frame, axis);
        draw_grid(&mut out, frame, axis, ticks);
        for line in &panel.lines {
            draw_line(&mut out, line, frame, axis);
        }
        out.push_str("</g>");
        for (v, label) in ticks.at.iter().zip(&ticks.labels) {
            let y = frame.y(axis, *v);
            text(
                &mut out,
                frame.left - 6.0,
                y + TEXT * 0.36,
                TEXT,
                false,
                "end",
                label,
            );
        }
        if i == 0 && !fig.ylabel.is_empty() {
            let _ = write!(
                out,
                r#"<text transform="translate({},{}) rotate(-90)" text-anchor="middle">{}</text>"#,
                n(PAD + TEXT * 0.95),
                n((frame.top + frame.bottom) / 2.0),
                escape(&fig.ylabel)
            );
        }
        let plot_w = frame.right - frame.left;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a small count
        let max_dates = (plot_w / (date_label_w * 1.1)).floor().max(2.0) as usize;
        let anchor = panel.times.first().copied().unwrap_or(0);
        #[allow(clippy::cast_possible_truncation)] // within the data's seconds
        let dates = scale::date_ticks(
            frame.t0.ceil() as i64,
            frame.t1.floor() as i64,
            anchor,
            max_dates,
        );
        draw_time_axis(&mut out, frame, &dates);
    }
    out.push_str("</svg>");
    Ok(out)
}

/// The legend's entries: every stacked series (first panel first, bottom to top), then the
/// lines, each name once. `Some(colour)` of a line, `None` for a swatch.
fn legend_entries(fig: &Figure) -> Vec<(String, (String, bool))> {
    let mut entries: Vec<(String, (String, bool))> = Vec::new();
    for panel in &fig.panels {
        for s in &panel.stack {
            if !entries.iter().any(|(name, _)| name == &s.name) {
                entries.push((s.name.clone(), (s.color.clone(), false)));
            }
        }
    }
    for panel in &fig.panels {
        for l in &panel.lines {
            if !entries.iter().any(|(name, _)| name == &l.label) {
                entries.push((l.label.clone(), (l.color.clone(), true)));
            }
        }
    }
    entries
}

/// The legend in rows and columns, filled column by column as matplotlib does.
fn draw_legend(
    out: &mut String,
    entries: &[(String, (String, bool))],
    widths: &[f64],
    left: f64,
    top: f64,
    row_h: f64,
    rows: usize,
) {
    if rows == 0 {
        return;
    }
    let mut x = left;
    for (col, chunk) in entries.chunks(rows).enumerate() {
        let mut col_w: f64 = 0.0;
        for (row, (label, (color, is_line))) in chunk.iter().enumerate() {
            let mid = top + (row as f64 + 0.5) * row_h;
            if *is_line {
                let _ = write!(
                    out,
                    r#"<path d="M{} {}H{}" stroke="{color}" stroke-width="{LINE_WIDTH}" fill="none"/>"#,
                    n(x),
                    n(mid),
                    n(x + SWATCH * 1.2)
                );
            } else {
                let _ = write!(
                    out,
                    r#"<rect x="{}" y="{}" width="{SWATCH}" height="{SWATCH}" fill="{color}"/>"#,
                    n(x),
                    n(mid - SWATCH / 2.0)
                );
            }
            text(
                out,
                x + SWATCH * 1.2 + 7.0,
                mid + TEXT * 0.36,
                TEXT,
                false,
                "start",
                label,
            );
            let w = widths.get(col * rows + row).copied().unwrap_or(0.0);
            col_w = col_w.max(SWATCH * 1.2 + 7.0 + w);
        }
        x += col_w + TEXT * 2.0;
    }
}

/// The stacked areas. With no negative value, each layer is filled from its top down to
/// the floor, topmost first, so that neighbouring layers meet without a hairline seam;
/// otherwise each fills the band between its bottom and top.
fn draw_stack(out: &mut String, panel: &Panel, frame: &Frame, axis: &ValueAxis) {
    let n_times = panel.times.len();
    if n_times == 0 || panel.stack.is_empty() {
        return;
    }
    let mut cumulative: Vec<Vec<f64>> = Vec::with_capacity(panel.stack.len());
    let mut sums = vec![0.0; n_times];
    for s in &panel.stack {
        for (sum, v) in sums.iter_mut().zip(&s.values) {
            *sum += v;
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
        .all(|s| s.values.iter().all(|&v| v >= 0.0));
    let edge = |d: &mut String, values: &[f64], reverse: bool| {
        let mut points: Vec<(f64, f64)> = Vec::with_capacity(2 * values.len());
        for (&(x0, x1), &v) in xs.iter().zip(values) {
            let y = frame.y(axis, v);
            points.push((x0, y));
            if x1 != x0 {
                points.push((x1, y));
            }
        }
        if reverse {
            points.reverse();
        }
        for (x, y) in points {
            let _ = write!(
                d,
                "{}{} {}",
                if d.is_empty() { "M" } else { "L" },
                n(x),
                n(y)
            );
        }
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
        edge(&mut d, &cumulative[i], false);
        if all_positive || i == 0 {
            let _ = write!(d, "L{} {}L{} {}", n(last_x), n(floor), n(first_x), n(floor));
        } else {
            edge(&mut d, &cumulative[i - 1], true);
        }
        d.push('Z');
        let _ = write!(out, r#"<path d="{d}" fill="{}"/>"#, panel.stack[i].color);
    }
}

/// Dotted lines across the plot at the value ticks, over the areas and under the lines.
fn draw_grid(out: &mut String, frame: &Frame, axis: &ValueAxis, ticks: &Ticks) {
    let mut d = String::new();
    for &v in &ticks.at {
        let y = frame.y(axis, v);
        let _ = write!(d, "M{} {}H{}", n(frame.left), n(y), n(frame.right));
    }
    if !d.is_empty() {
        let _ = write!(
            out,
            r##"<path d="{d}" stroke="#000000" stroke-width="0.8" stroke-dasharray="0.8 1.6" fill="none"/>"##
        );
    }
}

/// An overlay line, broken where it has no value (or 0 on a log scale, as the study shows
/// a zero measurement); a point with no neighbour is a dot.
fn draw_line(out: &mut String, line: &Line, frame: &Frame, axis: &ValueAxis) {
    let mut d = String::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
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
        } else {
            for (k, (x, y)) in run.iter().enumerate() {
                let _ = write!(d, "{}{} {}", if k == 0 { "M" } else { "L" }, n(*x), n(*y));
            }
        }
        run.clear();
    };
    for (&t, &v) in line.times.iter().zip(&line.values) {
        if v.is_finite() && !axis.fraction(v).is_nan() {
            run.push((frame.x(t), frame.y(axis, v)));
        } else {
            flush(&mut run, &mut d, out);
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

/// The time axis under a panel: its line, tick marks and date labels.
fn draw_time_axis(out: &mut String, frame: &Frame, dates: &DateTicks) {
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

fn text(out: &mut String, x: f64, y: f64, size: f64, bold: bool, anchor: &str, content: &str) {
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-size="{size}"{}{}>{}</text>"#,
        n(x),
        n(y),
        if bold { r#" font-weight="bold""# } else { "" },
        if anchor == "start" {
            String::new()
        } else {
            format!(r#" text-anchor="{anchor}""#)
        },
        escape(content)
    );
}

/// A coordinate in points, to a hundredth.
fn n(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}
