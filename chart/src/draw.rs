//! The figure laid out and drawn as SVG, in points, in the study's style: titles, legend, panels, axes.

use std::fmt::Write as _;

use error::{Error, Result};

use crate::dates::{self, DateTicks};
use crate::legend::{self, Place};
use crate::paths;
use crate::render::{self, escape, Text, FAMILY};
use crate::scale::{self, Labels, Ticks};
use crate::series::{Line, Series};

/// A panel: a stack over its x positions, lines, points, and its value limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Seconds (a time axis or day categories), or row numbers (a rank axis).
    pub times: Vec<i64>,
    /// Bottom to top.
    pub stack: Vec<Series>,
    /// Drawn in order, later on top.
    pub lines: Vec<Line>,
    /// A strip plot's dots, in drawing order.
    pub points: Vec<Point>,
    pub limits: Limits,
}

/// A dot of a strip plot: x in the axis' seconds (jitter included), its value and colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub color: String,
}

/// Value limits set by hand; `None`: from the data.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Limits {
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

/// What the x axis shows.
#[derive(Debug, Clone, PartialEq)]
pub enum XAxis {
    /// Times, with margins of 5% of the span (matplotlib's).
    Time,
    /// Row numbers 0..n-1, with the same margins, and no ticks (a rank).
    Rank,
    /// Day categories 0..n-1 (times `k` days), from -0.5 to n-0.5 (seaborn's categorical axis),
    /// ticks placed as matplotlib places day ticks on the category numbers read as days
    /// since 1970. `Some(days)`: each category's label is its real day (`days[k]`, seconds);
    /// `None`: matplotlib's reading of the numbers (`Jan 01` for the first).
    Categories(Option<Vec<i64>>),
}

/// How the x axis is ticked.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DayTicks {
    /// matplotlib's `DayLocator(interval=N)`; none: ticks suited to the span.
    pub every: Option<u32>,
    /// Minor ticks at the other days (with `every`).
    pub minor: bool,
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
    /// Zeros on a log scale: drops through the bottom edge (matplotlib's clip), or gaps.
    pub log_dives: bool,
    /// How value labels read: `10 MB`, `20%`.
    pub labels: Labels,
    pub x_axis: XAxis,
    pub days: DayTicks,
    /// In inches.
    pub width: f64,
    pub height: f64,
    pub legend: legend::Style,
    /// A strip plot's hues in legend order: (label, colour).
    pub hues: Vec<(String, String)>,
    /// The size of an output pixel in points: paths are thinned to it.
    pub pixel: f64,
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
pub const TEXT: f64 = 12.0;
const PANEL_GAP: f64 = 28.0;
/// Room to the right of the last panel, for half a date label.
const RIGHT: f64 = 22.0;
/// How far from the edge the first and last data points are: matplotlib's default margin.
const MARGIN: f64 = 0.05;
/// The longest title kept whole.
const MAX_TITLE: usize = 200;
/// Overlay line colours, in order: the study's black first.
const LINE_COLORS: [&str; 6] = [
    "#000000", "#555555", "#1f3a93", "#8b0000", "#006400", "#7b3294",
];
const DAY: f64 = 86_400.0;

/// The colour of the `i`-th overlay line.
pub fn line_color(i: usize) -> String {
    LINE_COLORS[i % LINE_COLORS.len()].to_owned()
}

/// One panel's value axis: where values go on it.
#[derive(Debug)]
pub struct ValueAxis {
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
                if v.is_finite() {
                    *sum += v;
                }
                values.push(*sum);
            }
        }
        for line in &panel.lines {
            values.extend(line.values.iter().copied().filter(|v| v.is_finite()));
        }
        values.extend(panel.points.iter().map(|p| p.y).filter(|v| v.is_finite()));
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
    pub fn fraction(&self, v: f64) -> f64 {
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

    fn ticks(&self, labels: &Labels, max: usize) -> Ticks {
        if self.log {
            scale::log_ticks(self.lo, self.hi, labels, max)
        } else {
            scale::linear_ticks(self.lo, self.hi, labels, max)
        }
    }
}

/// A panel's place on the page, and the x view it shows.
#[derive(Debug)]
pub struct Frame {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub t0: f64,
    pub t1: f64,
}

impl Frame {
    pub fn x(&self, t: i64) -> f64 {
        #[allow(clippy::cast_precision_loss)] // seconds: exact below 2^53
        self.x_at(t as f64)
    }

    pub fn x_at(&self, t: f64) -> f64 {
        self.left + (t - self.t0) / (self.t1 - self.t0) * (self.right - self.left)
    }

    /// The y of a value, kept a little outside the frame when it is off it (clipped there).
    pub fn y(&self, axis: &ValueAxis, v: f64) -> f64 {
        let f = axis.fraction(v);
        let f = if f.is_nan() {
            -0.01
        } else {
            f.clamp(-0.01, 1.01)
        };
        self.bottom - f * (self.bottom - self.top)
    }
}

/// The x span shown: the data's with margins (a lone time gets a day around it, or, with
/// day ticks, matplotlib's two intervals either side); day categories from -0.5 to n-0.5.
fn x_view(panel: &Panel, fig: &Figure) -> (f64, f64) {
    if let XAxis::Categories(_) = fig.x_axis {
        #[allow(clippy::cast_precision_loss)] // a count of days
        let n = panel.times.len() as f64;
        return (-0.5 * DAY, (n - 0.5) * DAY);
    }
    let times = panel
        .times
        .iter()
        .chain(panel.lines.iter().flat_map(|l| &l.times));
    let (lo, hi) = times.fold((i64::MAX, i64::MIN), |(lo, hi), &t| (lo.min(t), hi.max(t)));
    if lo > hi {
        return (0.0, DAY);
    }
    #[allow(clippy::cast_precision_loss)] // seconds: exact below 2^53
    let (lo, hi) = (lo as f64, hi as f64);
    if hi - lo < 1.0 {
        if fig.x_axis == XAxis::Rank {
            return (lo - 0.5, hi + 0.5);
        }
        let half = fig
            .days
            .every
            .map_or(DAY / 2.0, |n| 2.0 * f64::from(n) * DAY);
        return (lo - half, hi + half);
    }
    let m = (hi - lo) * MARGIN;
    (lo - m, hi + m)
}

/// The x ticks of a panel.
fn x_ticks(panel: &Panel, fig: &Figure, frame: &Frame, date_label_w: f64) -> DateTicks {
    match (&fig.x_axis, fig.days.every) {
        (XAxis::Rank, _) => DateTicks::default(),
        (XAxis::Categories(real), every) => {
            let mut t = dates::day_locator(frame.t0, frame.t1, every.unwrap_or(1), fig.days.minor);
            // Only the categories' own days: matplotlib's fallback ends are no category.
            t.major.retain(|(at, _)| at.rem_euclid(86_400) == 0);
            if let Some(days) = real {
                for (at, label) in &mut t.major {
                    let k = usize::try_from(at.div_euclid(86_400)).ok();
                    *label = k
                        .and_then(|k| days.get(k))
                        .map_or_else(String::new, |&d| dates::format_time(d, dates::DAY_LABEL));
                }
            }
            t
        }
        (XAxis::Time, Some(every)) => dates::day_locator(frame.t0, frame.t1, every, fig.days.minor),
        (XAxis::Time, None) => {
            let plot_w = frame.right - frame.left;
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a small count
            let max_dates = (plot_w / (date_label_w * 1.1)).floor().max(2.0) as usize;
            let anchor = panel.times.first().copied().unwrap_or(0);
            let daily =
                !panel.times.is_empty() && panel.times.iter().all(|t| t.rem_euclid(86_400) == 0);
            #[allow(clippy::cast_possible_truncation)] // within the data's seconds
            dates::date_ticks(
                frame.t0.ceil() as i64,
                frame.t1.floor() as i64,
                anchor,
                max_dates,
                daily,
            )
        }
    }
}

/// Draws `fig` as SVG, with text as `<text>` in the bundled font (see [`render`]).
pub fn svg(fig: &Figure) -> Result<String> {
    let page_w = fig.width * 72.0;
    let page_h = fig.height * 72.0;
    let panels = fig.panels.len().max(1);
    let title = legend::cut(&fig.title, MAX_TITLE);
    let subtitle = legend::cut(&fig.subtitle, MAX_TITLE);

    // Vertical layout: title, subtitle, legend, then the plots.
    let mut y = PAD;
    let mut title_at = None;
    if !title.is_empty() {
        title_at = Some(y + TITLE * 0.93);
        y += TITLE * 1.25;
    }
    let mut subtitle_at = None;
    if !subtitle.is_empty() {
        subtitle_at = Some(y + SUBTITLE * 0.93);
        y += SUBTITLE * 1.35;
    }
    let entries = legend::entries(fig);
    let cols = fig.legend.cols.clamp(1, entries.len().max(1));
    let rows = entries.len().div_ceil(cols);
    let row_h = legend::row_height(&fig.legend);
    let legend_top = y + 2.0;
    let shown_rows = match fig.legend.place {
        Place::Top => rows,
        Place::Over => rows.min(1),
    };
    y = legend_top + shown_rows as f64 * row_h;
    let top = y + TEXT * 0.9;
    let bottom = page_h - PAD - paths::X_AXIS_ROOM;
    if bottom - top < 20.0 {
        let without_legend = top - shown_rows as f64 * row_h;
        if rows > 2 && bottom - without_legend >= 20.0 {
            return Err(Error::data(format!(
                "the legend's {} entries leave no room for the plot at --height {}: show \
                 fewer series (--top N, --threshold AMOUNT), or more per row (--legend-cols)",
                entries.len(),
                fig.height
            )));
        }
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
    // matplotlib's room for value ticks: the axis' length over twice the text size, at most 9.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a small count
    let max_value_ticks = ((bottom - top) / (2.0 * TEXT)).floor().clamp(1.0, 9.0) as usize;
    let value_ticks: Vec<Ticks> = axes
        .iter()
        .map(|a| a.ticks(&fig.labels, max_value_ticks))
        .collect();

    // Everything whose width the layout needs, measured at once.
    let mut texts: Vec<Text> = vec![Text {
        text: "Sep 30",
        size: TEXT,
        bold: false,
    }];
    for e in &entries {
        texts.push(Text {
            text: &e.label,
            size: fig.legend.font,
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
        let (t0, t1) = x_view(panel, fig);
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
        text(&mut out, text_left, at, TITLE, true, "start", &title);
    }
    if let Some(at) = subtitle_at {
        text(&mut out, text_left, at, SUBTITLE, false, "start", &subtitle);
    }

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
        paths::stack(&mut out, panel, frame, axis, fig.pixel);
        paths::grid(&mut out, frame, axis, &ticks.at);
        for line in &panel.lines {
            paths::line(&mut out, line, frame, axis, fig.log_dives, fig.pixel);
        }
        paths::points(&mut out, panel, frame, axis);
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
                escape(&legend::cut(&fig.ylabel, MAX_TITLE))
            );
        }
        let ticks = x_ticks(panel, fig, frame, date_label_w);
        paths::x_axis(&mut out, frame, &ticks);
    }
    // Last: over the plot's top when the legend is placed there.
    legend::draw(
        &mut out,
        &entries,
        legend_w,
        &fig.legend,
        text_left,
        legend_top,
        rows,
    );
    out.push_str("</svg>");
    Ok(out)
}

pub fn text(out: &mut String, x: f64, y: f64, size: f64, bold: bool, anchor: &str, content: &str) {
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
pub fn n(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}
