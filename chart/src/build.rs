//! From the command line and the tables read to a [`Figure`]: series picked, coloured, cut to the range shown.

use error::{Error, Result};

use crate::cli::{file_stem, Args, CategoryLabels, Kind, LogZeros};
use crate::draw::{self, DayTicks, XAxis};
use crate::legend;
use crate::scale::Labels;
use crate::series::{self, Line, Selection, Series};
use crate::strip::{self, Rows};
use crate::table::Table;
use crate::{Figure, Limits, Panel};

/// A panel's input: a table summed by time and key, or a strip plot's rows.
#[derive(Debug, Clone)]
pub enum Source {
    Table(Table),
    Strip(Rows),
}

impl Args {
    /// The colour of series `name`, the `i`-th of `n`: its --color, else the palette's.
    fn paint(&self, name: &str, i: usize, n: usize) -> String {
        self.colors
            .iter()
            .rev()
            .find(|(c, _)| c == name)
            .map_or_else(|| self.palette.color(name, i, n), |(_, c)| c.clone())
    }

    fn selection(&self, i: usize) -> Selection {
        let pick = |values: &[f64]| match values {
            [] => None,
            [one] => Some(*one),
            many => many.get(i).copied(),
        };
        Selection {
            threshold: pick(&self.threshold),
            top: self.top,
            other: self.other.clone(),
            last: self.last.clone(),
            drop: self.drop.clone(),
            only: self.only.clone(),
            order: self.order.clone(),
            share: self.share,
            drop_below: self.drop_below,
            sort_desc: self.sort_desc.clone(),
        }
    }

    /// The overlay lines (--line tables), each a measurement summed by time.
    fn overlay_lines(&self) -> Result<Vec<Line>> {
        let mut lines: Vec<Line> = Vec::new();
        for (i, path) in self.lines.iter().enumerate() {
            let table = self.read(path, false)?;
            let label = match self.line_labels.as_slice() {
                [] => file_stem(path),
                [one] => one.clone(),
                many => many[i].clone(),
            };
            let range = series::window(&table.times, self.from, self.to);
            // One colour per label: the same measurement in every panel looks the same.
            let mut labels: Vec<&str> = Vec::new();
            for l in &lines {
                if !labels.contains(&l.label.as_str()) {
                    labels.push(&l.label);
                }
            }
            let slot = labels
                .iter()
                .position(|l| *l == label)
                .unwrap_or(labels.len());
            let color = self
                .colors
                .iter()
                .rev()
                .find(|(c, _)| *c == label)
                .map_or_else(|| draw::line_color(slot), |(_, c)| c.clone());
            lines.push(Line {
                label,
                color,
                times: table.times[range.clone()].to_vec(),
                values: table
                    .values
                    .first()
                    .map_or_else(Vec::new, |v| v[range].to_vec()),
            });
        }
        Ok(lines)
    }

    /// Builds the figure: each table's series, cut to --from/--to and --skip-*, and the lines.
    pub fn figure(&self, sources: Vec<Source>) -> Result<(Figure, Vec<String>)> {
        let names = self.stdin_or_tables();
        let lines = self.overlay_lines()?;
        let mut warnings: Vec<String> = Vec::new();
        let mut panels = Vec::new();
        let mut hues = Vec::new();
        let mut x_axis = if self.rank.is_empty() {
            XAxis::Time
        } else {
            XAxis::Rank
        };
        let count = sources.len();
        for (i, source) in sources.into_iter().enumerate() {
            let file = Some(names[i].display().to_string()).filter(|_| !codec::is_stdin(&names[i]));
            let limits = match self.ylim.as_slice() {
                [] => Limits::default(),
                [one] => *one,
                many => many.get(i).copied().unwrap_or_default(),
            };
            let table = match source {
                Source::Table(table) => table,
                Source::Strip(rows) => {
                    let paint = |name: &str, k: usize, n: usize| self.paint(name, k, n);
                    let drawn = strip::points(&rows, &self.order, &paint);
                    hues = drawn.hues;
                    x_axis = XAxis::Categories(match self.category_labels {
                        CategoryLabels::Dates => Some(drawn.days.clone()),
                        CategoryLabels::Epoch => None,
                    });
                    panels.push(Panel {
                        times: (0..drawn.days.len())
                            .map(|k| i64::try_from(k).unwrap_or(0) * 86_400)
                            .collect(),
                        stack: Vec::new(),
                        lines: Vec::new(),
                        points: drawn.points,
                        limits,
                    });
                    continue;
                }
            };
            let paint = |name: &str, k: usize, n: usize| self.paint(name, k, n);
            let (mut stack, warned) = series::stack(&table, &self.selection(i), &paint);
            for w in warned {
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
            let range = self.shown(&table.times, file.as_deref())?;
            for s in &mut stack {
                s.values = s.values[range.clone()].to_vec();
                if !self.label_suffix.is_empty() {
                    s.name.push_str(&self.label_suffix);
                }
            }
            let times: Vec<i64> = if x_axis == XAxis::Rank {
                (0..range.len())
                    .map(|k| i64::try_from(k).unwrap_or(0))
                    .collect()
            } else {
                table.times[range].to_vec()
            };
            let mut panel_lines = Vec::new();
            if self.kind == Kind::Lines {
                panel_lines.extend(stack.drain(..).map(|s: Series| Line {
                    label: s.name,
                    color: s.color,
                    times: times.clone(),
                    values: s.values,
                }));
            }
            if count == 1 {
                panel_lines.extend(lines.iter().cloned());
            } else if let Some(line) = lines.get(i) {
                panel_lines.push(line.clone());
            }
            panels.push(Panel {
                times,
                stack,
                lines: panel_lines,
                points: Vec::new(),
                limits,
            });
        }
        let figure = Figure {
            panels,
            title: self.title.clone(),
            subtitle: self.subtitle.clone(),
            ylabel: self.ylabel.clone(),
            log: self.log,
            log_dives: self.log_zeros == LogZeros::Clip,
            labels: if self.percent || self.share {
                Labels::Percent
            } else {
                Labels::Eng(self.unit.clone())
            },
            x_axis,
            days: DayTicks {
                every: self.day_ticks,
                minor: self.minor_days,
            },
            width: self.width,
            height: self.height,
            legend: legend::Style {
                cols: self.legend_cols,
                font: self.legend_font,
                handle: self.legend_handle,
                place: self.legend,
            },
            hues,
            pixel: 72.0 / self.dpi,
        };
        Ok((figure, warnings))
    }

    /// The rows of `times` shown: within --from/--to, less --skip-first/--skip-last; none
    /// is an error naming the table's span.
    fn shown(&self, times: &[i64], file: Option<&str>) -> Result<std::ops::Range<usize>> {
        let range = series::window(times, self.from, self.to);
        let start = range.start + self.skip_first.min(range.len());
        let end = range.end.saturating_sub(self.skip_last).max(start);
        if start < end {
            return Ok(start..end);
        }
        let show = |t: i64| crate::dates::format_time(t, "%Y-%m-%d %H:%M:%S");
        let (first, last) = (times[0], times[times.len() - 1]);
        let what = if range.is_empty() {
            format!("no rows {}", self.range_text())
        } else {
            format!(
                "no rows left after --skip-first {} --skip-last {} of {} {}",
                self.skip_first,
                self.skip_last,
                range.len(),
                if range.len() == 1 { "time" } else { "times" }
            )
        };
        let what = what.trim_end().to_owned();
        Err(Error::data(format!(
            "{what}: the table's times run from {} to {}",
            show(first),
            show(last)
        ))
        .file(file))
    }
}
