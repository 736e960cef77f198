//! The command line of `chart`: flags to a [`Figure`], tables read, SVG or PNG written.

use std::path::{Path, PathBuf};

use ::table::Reader;
use clap::{Parser, ValueEnum};
use driver::input;
use error::{Error, Result};
use output::Output;

use crate::series::{self, Line, Selection};
use crate::table::{self, Columns, Table};
use crate::{color, draw, render, scale, Figure, Limits, Panel};

/// Draw stacked areas of one key column's series, with overlay lines, from CSV tables.
///
/// Each TABLE is a panel, left to right. Its rows are summed by time and key (`--key`):
/// a long table (`freq,flow,msg_type,net_size`, as scripts/aggregate.sh writes) sums its
/// flows, or those chosen with --flow; a wide one (`timestamp,msg_type,in,out`, as
/// `analysis.sh validation` writes) sums its `in` and `out` columns, or those chosen with
/// --flow. Series are stacked in name order with --last on top; each has the same colour in
/// every figure. --line tables are summed by time (over flows and keys alike) and drawn as
/// lines. Output is SVG, or PNG when the -o name ends in `.png` (or with --format png);
/// fonts are built in, so the same input gives the same bytes everywhere.
///
/// Options that apply per panel (--threshold, --ylim) take one value for every panel or
/// one per panel, in order; so does --line with several panels.
#[derive(Parser, Debug, Clone)]
#[command(after_help = "Examples:
  scripts/aggregate.sh -o tables    # the bundled sample's four tables
  chart --log -o hourly.svg tables/data_est_hourly.csv.bz2
  chart --log --threshold 5MB --last block --ylim :999GB \\
      --line tables/data_emp_hourly.csv.bz2 --line-label 'IP accounting' \\
      --title 'Traffic estimate validation' --ylabel 'TCP/IP Traffic' \\
      -o hourly.png tables/data_est_hourly.csv.bz2
  chart --drop block --from 2024-12-28 --to 2024-12-30 --threshold 50MB --threshold 5MB \\
      --line tables/data_emp_daily.csv.bz2 --line tables/data_emp_hourly.csv.bz2 \\
      --width 14.6 --height 5.4 \\
      -o two-panels.png tables/data_est_daily.csv.bz2 tables/data_est_hourly.csv.bz2
  chart --flow in --top 6 --dpi 100 -o inbound.png tables/data_est_hourly.csv.bz2
  scripts/figures.sh -o figures/ tables/     # both of the study's figures")]
pub struct Args {
    /// A stacked table, plain or compressed; several make panels side by side. `-` or none
    /// reads stdin.
    #[arg(value_name = "TABLE")]
    pub tables: Vec<PathBuf>,

    /// Write to FILE instead of stdout, atomically (a temp file renamed on success); a
    /// name ending in `.png` makes a PNG.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The output format [default: png when the -o name ends in .png, else svg].
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// A table drawn as a line over the stack (repeatable).
    #[arg(long = "line", value_name = "TABLE")]
    pub lines: Vec<PathBuf>,

    /// The legend's name of a line: one for every line, or one per --line [default: the
    /// table's file name without extensions].
    #[arg(long = "line-label", value_name = "TEXT")]
    pub line_labels: Vec<String>,

    /// Sum only these flows (comma-separated, repeatable): rows whose --flow-col holds one
    /// (long tables), or these columns (wide tables) [default: every flow; `in,out`].
    #[arg(long = "flow", value_name = "FLOW", value_delimiter = ',')]
    pub flows: Vec<String>,

    /// The timestamp column [default: the first column].
    #[arg(long, value_name = "COL")]
    pub time: Option<String>,

    /// The column naming the stacked series.
    #[arg(long, value_name = "COL", default_value = Columns::KEY)]
    pub key: String,

    /// A long table's flow column.
    #[arg(long = "flow-col", value_name = "COL", default_value = Columns::FLOW)]
    pub flow_col: String,

    /// A long table's value column; a table without it is read as wide.
    #[arg(long, value_name = "COL", default_value = Columns::VALUE)]
    pub value: String,

    /// Merge series whose largest value is at most AMOUNT (5000000, 5e6, 5MB) into
    /// `other`, judged over the whole table (per panel).
    #[arg(long, value_name = "AMOUNT", value_parser = amount)]
    pub threshold: Vec<f64>,

    /// Keep the N series with the largest peaks; merge the rest into `other`.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// The name of the merged series.
    #[arg(long, value_name = "NAME", default_value = Selection::OTHER)]
    pub other: String,

    /// Draw this series last, on top of the others (the study: block).
    #[arg(long, value_name = "NAME")]
    pub last: Option<String>,

    /// Leave these series out (comma-separated, repeatable), after the merge into `other`.
    #[arg(long = "drop", value_name = "NAME", value_delimiter = ',')]
    pub drop: Vec<String>,

    /// Give a series a colour of its own (repeatable): NAME=#rrggbb.
    #[arg(long = "color", value_name = "NAME=#RRGGBB", value_parser = name_color)]
    pub colors: Vec<(String, String)>,

    /// A log value scale (zeros are gaps in lines; a negative value is an error).
    #[arg(long)]
    pub log: bool,

    /// Value limits LO:HI, either may be left out (`0:799MB`, `:999GB`) (per panel).
    #[arg(long, value_name = "LO:HI", value_parser = limits)]
    pub ylim: Vec<Limits>,

    /// The unit after the SI prefix of value labels (`10 MB`); empty for plain numbers.
    #[arg(long, value_name = "UNIT", default_value = Figure::UNIT)]
    pub unit: String,

    /// Show times from this one on (`2025-01-24`, `2025-01-24 06:00:00`).
    #[arg(long, value_name = "TIME", value_parser = from_time)]
    pub from: Option<i64>,

    /// Show times up to this one, inclusive; a date includes its whole day.
    #[arg(long, value_name = "TIME", value_parser = to_time)]
    pub to: Option<i64>,

    /// The title, bold, at the top.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub title: String,

    /// The line under the title.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub subtitle: String,

    /// The value axis' name.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub ylabel: String,

    /// The figure's width in inches.
    #[arg(long, value_name = "INCHES", default_value_t = Figure::WIDTH, value_parser = inches)]
    pub width: f64,

    /// The figure's height in inches.
    #[arg(long, value_name = "INCHES", default_value_t = Figure::HEIGHT, value_parser = inches)]
    pub height: f64,

    /// A PNG's resolution: pixels per inch.
    #[arg(long, value_name = "N", default_value_t = DPI, value_parser = dpi)]
    pub dpi: f64,

    /// Legend entries per row (filled column by column).
    #[arg(long = "legend-cols", value_name = "N", default_value_t = Figure::LEGEND_COLS)]
    pub legend_cols: usize,
}

/// The study's resolution.
pub const DPI: f64 = 300.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Svg,
    Png,
}

impl driver::cli::Program for Args {
    const NAME: &'static str = "chart";

    fn output(&self) -> Option<&Path> {
        self.output.as_deref()
    }

    fn run(self) -> Result<Vec<String>> {
        self.check()?;
        let mut out = Output::open_as(self.output.as_deref(), None)?;
        let mut tables = Vec::new();
        for path in self.stdin_or_tables() {
            tables.push(self.read(&path, true)?);
        }
        let (bytes, warnings) = self.draw(tables)?;
        out.write_all(&bytes)?;
        out.commit()?;
        Ok(warnings)
    }
}

impl Args {
    fn stdin_or_tables(&self) -> Vec<PathBuf> {
        if self.tables.is_empty() {
            vec![PathBuf::from("-")]
        } else {
            self.tables.clone()
        }
    }

    /// The problems the flags alone show (exit 2).
    fn check(&self) -> Result<()> {
        self.output_format()?;
        let panels = self.tables.len().max(1);
        let per_panel = |what: &str, given: usize| {
            if given > 1 && given != panels {
                Err(Error::usage(format!(
                    "{what} is given {given} times for {panels} panel{}: give it once, or once \
                     per panel",
                    if panels == 1 { "" } else { "s" }
                )))
            } else {
                Ok(())
            }
        };
        per_panel("--threshold", self.threshold.len())?;
        per_panel("--ylim", self.ylim.len())?;
        if panels > 1 {
            per_panel("--line", self.lines.len())?;
        }
        let labels = self.line_labels.len();
        if labels > 1 && labels != self.lines.len() {
            return Err(Error::usage(format!(
                "--line-label is given {labels} times for {} --line: give it once, or once \
                 per --line",
                self.lines.len()
            )));
        }
        let stdin = self
            .tables
            .iter()
            .chain(&self.lines)
            .filter(|p| codec::is_stdin(p))
            .count();
        if stdin > 1 || (self.tables.is_empty() && self.lines.iter().any(|p| codec::is_stdin(p))) {
            return Err(Error::usage("only one table can be read from stdin"));
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from > to {
                return Err(Error::usage("--from is later than --to"));
            }
        }
        if self.log {
            if let Some(bad) = self.ylim.iter().find(|l| l.lo.is_some_and(|lo| lo <= 0.0)) {
                return Err(Error::usage(format!(
                    "--ylim {}: a log scale needs a positive lower limit",
                    scale::eng(bad.lo.unwrap_or(0.0), "")
                )));
            }
        }
        if self.legend_cols == 0 {
            return Err(Error::usage("--legend-cols must be at least 1"));
        }
        Ok(())
    }

    fn columns(&self) -> Columns {
        Columns {
            time: self.time.clone(),
            key: self.key.clone(),
            flow: self.flow_col.clone(),
            value: self.value.clone(),
            flows: self.flows.clone(),
        }
    }

    /// Reads a whole table from a file or stdin.
    fn read(&self, path: &Path, keyed: bool) -> Result<Table> {
        let mut input =
            input::open(path).map_err(|e| Error::io(e).file(Some(&path.display().to_string())))?;
        table::read(
            &mut input.reader,
            input.name.as_deref(),
            &self.columns(),
            keyed,
            self.log,
        )
    }

    /// The figure's format: `--format`, else the `-o` name's extension (`.svg`, `.png`; none
    /// or stdout: SVG). Any other extension is a usage error, not an SVG under a wrong name.
    fn output_format(&self) -> Result<Format> {
        if let Some(format) = self.format {
            return Ok(format);
        }
        let ext = (self.output.as_deref())
            .filter(|o| !codec::is_stdin(o))
            .and_then(Path::extension);
        match ext
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("svg") => Ok(Format::Svg),
            Some("png") => Ok(Format::Png),
            Some(other) => Err(Error::usage(format!(
                "-o {}: cannot write .{other} files; chart writes SVG (.svg) or PNG (.png)",
                self.output.as_deref().unwrap_or(Path::new("-")).display()
            ))),
        }
    }

    /// The figure of the stacked `tables` (read), with the lines read here; its bytes.
    fn draw(&self, tables: Vec<Table>) -> Result<(Vec<u8>, Vec<String>)> {
        let (figure, warnings) = self.figure(tables)?;
        let drawn = draw::svg(&figure)?;
        let bytes = if self.output_format()? == Format::Png {
            render::png(&drawn, self.dpi)?
        } else {
            render::svg(&drawn)?
        };
        Ok((bytes, warnings))
    }

    /// Builds the figure: each table's stack, cut to --from/--to, and its lines.
    pub fn figure(&self, tables: Vec<Table>) -> Result<(Figure, Vec<String>)> {
        let colors = |name: &str| {
            self.colors
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map_or_else(|| color::of(name), |(_, c)| c.clone())
        };
        let names = self.stdin_or_tables();
        let mut lines = Vec::new();
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
                let l: &Line = l;
                if !labels.contains(&l.label.as_str()) {
                    labels.push(&l.label);
                }
            }
            let slot = labels
                .iter()
                .position(|l| *l == label)
                .unwrap_or(labels.len());
            lines.push(Line {
                label,
                color: draw::line_color(slot),
                times: table.times[range.clone()].to_vec(),
                values: table
                    .values
                    .first()
                    .map_or_else(Vec::new, |v| v[range].to_vec()),
            });
        }
        let mut warnings = Vec::new();
        let mut panels = Vec::new();
        let count = tables.len();
        for (i, table) in tables.into_iter().enumerate() {
            let pick = |values: &[f64]| match values {
                [] => None,
                [one] => Some(*one),
                many => many.get(i).copied(),
            };
            let selection = Selection {
                threshold: pick(&self.threshold),
                top: self.top,
                other: self.other.clone(),
                last: self.last.clone(),
                drop: self.drop.clone(),
            };
            let (mut stack, warned) = series::stack(&table, &selection, &colors);
            for w in warned {
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
            let range = series::window(&table.times, self.from, self.to);
            if range.is_empty() {
                return Err(Error::data(format!(
                    "no rows {}: the table's times run from {} to {}",
                    self.range_text(),
                    scale::format_time(table.times[0], "%Y-%m-%d %H:%M:%S"),
                    scale::format_time(table.times[table.times.len() - 1], "%Y-%m-%d %H:%M:%S"),
                ))
                .file(
                    Some(names[i].display().to_string().as_str())
                        .filter(|_| !codec::is_stdin(&names[i])),
                ));
            }
            for s in &mut stack {
                s.values = s.values[range.clone()].to_vec();
            }
            let panel_lines = if count == 1 {
                lines.clone()
            } else {
                lines.get(i).cloned().into_iter().collect()
            };
            panels.push(Panel {
                times: table.times[range].to_vec(),
                stack,
                lines: panel_lines,
                limits: match self.ylim.as_slice() {
                    [] => Limits::default(),
                    [one] => *one,
                    many => many.get(i).copied().unwrap_or_default(),
                },
            });
        }
        let figure = Figure {
            panels,
            title: self.title.clone(),
            subtitle: self.subtitle.clone(),
            ylabel: self.ylabel.clone(),
            log: self.log,
            unit: self.unit.clone(),
            width: self.width,
            height: self.height,
            legend_cols: self.legend_cols,
        };
        Ok((figure, warnings))
    }

    fn range_text(&self) -> String {
        let show = |t: i64| scale::format_time(t, "%Y-%m-%d %H:%M:%S");
        match (self.from, self.to) {
            (Some(f), Some(t)) => format!("from {} to {}", show(f), show(t)),
            (Some(f), None) => format!("from {} on", show(f)),
            (None, Some(t)) => format!("up to {}", show(t)),
            (None, None) => String::new(),
        }
    }
}

/// A file's name without its extensions: `data_emp_hourly` for `t/data_emp_hourly.csv.bz2`.
fn file_stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map_or_else(|| "stdin".into(), |n| n.to_string_lossy().into_owned());
    match name.split_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_owned(),
        _ => name,
    }
}

/// Parses `args` (without the program name) as chart's command line and draws the SVG with
/// the first panel's table read from `input`: the uniform entry point of the tests.
pub fn svg_args(args: &[&str], input: &[u8]) -> Result<String> {
    let parsed = Args::try_parse_from(std::iter::once("chart").chain(args.iter().copied()))
        .map_err(|e| Error::usage(e.to_string()))?;
    parsed.check()?;
    let mut tables = vec![table::read(
        &mut Reader::new(input),
        None,
        &parsed.columns(),
        true,
        parsed.log,
    )?];
    for path in parsed.tables.iter().skip(1) {
        tables.push(parsed.read(path, true)?);
    }
    let (figure, _) = parsed.figure(tables)?;
    let svg = render::svg(&draw::svg(&figure)?)?;
    Ok(String::from_utf8_lossy(&svg).into_owned())
}

fn amount(text: &str) -> std::result::Result<f64, String> {
    scale::parse_amount(text)
}

fn limits(text: &str) -> std::result::Result<Limits, String> {
    let (lo, hi) = text
        .split_once(':')
        .ok_or_else(|| format!("'{text}' is not LO:HI, e.g. 0:799MB or :999GB"))?;
    let side = |s: &str| {
        if s.trim().is_empty() {
            Ok(None)
        } else {
            scale::parse_amount(s).map(Some)
        }
    };
    let limits = Limits {
        lo: side(lo)?,
        hi: side(hi)?,
    };
    if let (Some(lo), Some(hi)) = (limits.lo, limits.hi) {
        if lo >= hi {
            return Err(format!("'{text}': LO must be below HI"));
        }
    }
    Ok(limits)
}

fn name_color(text: &str) -> std::result::Result<(String, String), String> {
    let (name, hex) = text
        .split_once('=')
        .ok_or_else(|| format!("'{text}' is not NAME=#RRGGBB"))?;
    Ok((name.to_owned(), color::parse_hex(hex)?))
}

fn time(text: &str) -> std::result::Result<i64, String> {
    pandas::time::parse(text.as_bytes())
        .map(|s| s.wall)
        .map_err(|m| format!("'{text}' {m}"))
}

fn from_time(text: &str) -> std::result::Result<i64, String> {
    time(text)
}

/// A date alone means its whole day, as pandas' slicing reads `"2025-02-11"`.
fn to_time(text: &str) -> std::result::Result<i64, String> {
    let t = time(text)?;
    Ok(if text.trim().len() == 10 {
        t + 86_399
    } else {
        t
    })
}

fn inches(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if (0.5..=100.0).contains(&x) => Ok(x),
        _ => Err(format!("'{text}' is not a size in inches from 0.5 to 100")),
    }
}

fn dpi(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if (10.0..=1200.0).contains(&x) => Ok(x),
        _ => Err(format!("'{text}' is not a resolution from 10 to 1200")),
    }
}
