//! The legend: one entry per series, line and hue, in rows and columns above the plot.

use std::fmt::Write as _;

use crate::draw::{n, text, Figure};

/// What marks an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Handle {
    /// Squares for areas, lines for lines, dots for points (matplotlib with `title=""`).
    Auto,
    /// Squares for every entry (matplotlib's `legend()` without a title, as the study's
    /// message-type figures show).
    Square,
}

/// Where the legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Place {
    /// Every row above the plot.
    Top,
    /// The first row above the plot, the others over its top, as the study's figures have
    /// it (their value limits leave that part of the plot empty).
    Over,
}

/// How the legend looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// Entries per row (filled column by column, as matplotlib does).
    pub cols: usize,
    /// Text size in points.
    pub font: f64,
    pub handle: Handle,
    pub place: Place,
}

/// The mark of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Square,
    Line,
    Dot,
}

/// One legend entry: its label, colour and mark.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub label: String,
    pub color: String,
    pub mark: Mark,
}

/// The longest label kept whole; longer ones are cut with an ellipsis before the layout,
/// which would otherwise measure and draw megabytes of text.
pub const MAX_LABEL: usize = 60;

/// `text` cut to `max` characters, an ellipsis marking the cut.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The legend's entries: every stacked series (first panel first, bottom to top), the lines,
/// then the points' hues, each label once.
pub fn entries(fig: &Figure) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let square = fig.legend.handle == Handle::Square;
    let mut add = |label: &str, color: &str, mark: Mark| {
        if !out.iter().any(|e| e.label == label) {
            out.push(Entry {
                label: label.to_owned(),
                color: color.to_owned(),
                mark: if square { Mark::Square } else { mark },
            });
        }
    };
    for panel in &fig.panels {
        for s in &panel.stack {
            add(&s.name, &s.color, Mark::Square);
        }
    }
    for panel in &fig.panels {
        for l in &panel.lines {
            add(&l.label, &l.color, Mark::Line);
        }
    }
    for (label, color) in &fig.hues {
        add(label, color, Mark::Dot);
    }
    for e in &mut out {
        e.label = cut(&e.label, MAX_LABEL);
    }
    out
}

/// The size of a legend row, in points.
pub fn row_height(style: &Style) -> f64 {
    style.font * 1.55
}

/// Draws the legend in rows and columns from (`left`, `top`), filled column by column.
pub fn draw(
    out: &mut String,
    entries: &[Entry],
    widths: &[f64],
    style: &Style,
    left: f64,
    top: f64,
    rows: usize,
) {
    if rows == 0 {
        return;
    }
    let size = style.font;
    let swatch = size * 10.0 / 12.0;
    let row_h = row_height(style);
    let handle_w = swatch * 1.2;
    let mut x = left;
    for (col, chunk) in entries.chunks(rows).enumerate() {
        let mut col_w: f64 = 0.0;
        for (row, e) in chunk.iter().enumerate() {
            let mid = top + (row as f64 + 0.5) * row_h;
            match e.mark {
                Mark::Line => {
                    let _ = write!(
                        out,
                        r#"<path d="M{} {}H{}" stroke="{}" stroke-width="{}" fill="none"/>"#,
                        n(x),
                        n(mid),
                        n(x + handle_w),
                        e.color,
                        n(size / 6.0)
                    );
                }
                Mark::Square => {
                    let _ = write!(
                        out,
                        r#"<rect x="{}" y="{}" width="{s}" height="{s}" fill="{}"/>"#,
                        n(x),
                        n(mid - swatch / 2.0),
                        e.color,
                        s = n(swatch)
                    );
                }
                Mark::Dot => {
                    let _ = write!(
                        out,
                        r#"<circle cx="{}" cy="{}" r="{}" fill="{}"/>"#,
                        n(x + handle_w / 2.0),
                        n(mid),
                        n(crate::paths::DOT / 2.0),
                        e.color
                    );
                }
            }
            text(
                out,
                x + handle_w + 7.0,
                mid + size * 0.36,
                size,
                false,
                "start",
                &e.label,
            );
            let w = widths.get(col * rows + row).copied().unwrap_or(0.0);
            col_w = col_w.max(handle_w + 7.0 + w);
        }
        x += col_w + size * 2.0;
    }
}
