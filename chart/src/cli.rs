//! The command line of `chart`: flags to a [`Figure`], tables read, SVG, PNG or PDF written.

use std::path::{Path, PathBuf};

use ::table::Reader;
use clap::{Parser, ValueEnum};
use driver::input;
use error::{Error, Result};
use output::Output;

use crate::build::Source;
use crate::color::Palette;
use crate::legend::{Handle, Place};
use crate::series::Selection;
use crate::table::{self, Columns, Table};
use crate::{color, draw, render, scale, strip, Figure, Limits};

/// Draw one key column's series as stacked areas or lines (or a table's rows as a strip plot),
/// with overlay lines, from CSV tables.
///
/// Each TABLE is a panel, left to right. Its rows are summed by time and key (`--key`):
/// a long table (`freq,flow,msg_type,net_size`, as scripts/aggregate.sh writes) sums its
/// flows, or those chosen with --flow; a wide one (`timestamp,msg_type,in,out`, as
/// `analysis.sh validation` writes) sums its `in` and `out` columns, or those chosen with
/// --flow. Series are stacked in name order (or --order) with --last on top; each has the same
/// colour in every figure, or one of a --palette dealt in drawing order. docs/figures.md
/// describes the options the study's figures need. --line tables are summed by time (over flows and keys alike) and drawn as
/// lines. Output is SVG, or PNG (PDF) when the -o name ends in `.png` (`.pdf`), or --format;
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
  chart --kind lines --share --threshold 5MB --palette tab10r --log --ylim 0.001:1.01 \\
      --day-ticks 1 --minor-days -o shares.svg tables/data_est_hourly.csv.bz2
  scripts/figures.sh -o figures/ tables/     # the study's figures from them")]
pub struct Args {
    /// A stacked table, plain or compressed; several make panels side by side. `-` or none
    /// reads stdin.
    #[arg(value_name = "TABLE")]
    pub tables: Vec<PathBuf>,

    /// Write to FILE instead of stdout, atomically (a temp file renamed on success); a
    /// name ending in `.png` makes a PNG, `.pdf` a vector PDF.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The output format [default: png or pdf when the -o name ends so, else svg].
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

    /// The legend's text size in points.
    #[arg(long = "legend-font", value_name = "PT", default_value_t = draw::TEXT, value_parser = points)]
    pub legend_font: f64,

    /// The legend's marks: auto (squares for areas, lines for lines, dots for points) or
    /// square for every entry.
    #[arg(long = "legend-handle", value_enum, default_value_t = Handle::Auto)]
    pub legend_handle: Handle,

    /// Where the legend goes: top (every row above the plot) or over (its first row above,
    /// the others over the plot's top, as the study's figures).
    #[arg(long, value_enum, default_value_t = Place::Top)]
    pub legend: Place,

    /// What the table's series are drawn as: stacked areas, lines, or a strip plot (a dot
    /// per row over day categories, coloured by --hue).
    #[arg(long, value_enum, default_value_t = Kind::Stack)]
    pub kind: Kind,

    /// Draw these series first (bottom of the stack, first lines), in this order; the rest
    /// by name (comma-separated, repeatable). A strip plot's hues likewise.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub order: Vec<String>,

    /// Show only these series, in this order unless --order is given (comma-separated,
    /// repeatable); the others are left out, not merged; a missing one is drawn as 0.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Draw each series' share of its time's total (of every series, after the merge into
    /// `other`), as pandas' `df.div(df.sum(axis=1), axis=0)`; labels become percentages.
    #[arg(long)]
    pub share: bool,

    /// Leave out the series whose largest value (or share) is at most AMOUNT.
    #[arg(long = "drop-below", value_name = "AMOUNT", value_parser = amount)]
    pub drop_below: Option<f64>,

    /// Value labels as percentages of 1 (0.2 is 20%), as matplotlib's PercentFormatter.
    #[arg(long)]
    pub percent: bool,

    /// The colours of the series: names (a fixed colour per name), study (the study's
    /// colour cycle), tab10, tab10r (tab10 reversed over the series), tab20; dealt in
    /// drawing order. --color overrides.
    #[arg(long, value_enum, default_value_t = Palette::Names)]
    pub palette: Palette,

    /// Zeros on a log scale: gap (the line breaks) or clip (a drop through the bottom edge,
    /// as matplotlib draws them).
    #[arg(long = "log-zeros", value_enum, default_value_t = LogZeros::Gap)]
    pub log_zeros: LogZeros,

    /// Major x ticks every N days, placed and labelled (`Jan 21`) as matplotlib's
    /// DayLocator(interval=N) places them [default: ticks suited to the span].
    #[arg(long = "day-ticks", value_name = "N", value_parser = clap::value_parser!(u32).range(1..=366))]
    pub day_ticks: Option<u32>,

    /// With --day-ticks: minor ticks at the other days.
    #[arg(long = "minor-days")]
    pub minor_days: bool,

    /// Leave out each panel's first N times (after --from/--to).
    #[arg(long = "skip-first", value_name = "N", default_value_t = 0)]
    pub skip_first: usize,

    /// Leave out each panel's last N times (after --from/--to).
    #[arg(long = "skip-last", value_name = "N", default_value_t = 0)]
    pub skip_last: usize,

    /// An x axis of rank: the rows are the entities these columns name (comma-separated),
    /// in the table's order (or --sort-desc's), drawn at 0, 1, 2, ... without ticks.
    #[arg(long, value_name = "COL", value_delimiter = ',')]
    pub rank: Vec<String>,

    /// Order the rows by these series' values, largest first, ties kept in order (pandas'
    /// sort_values(ascending=False)) (comma-separated).
    #[arg(long = "sort-desc", value_name = "NAME", value_delimiter = ',')]
    pub sort_desc: Vec<String>,

    /// Text added to every series' legend label (`_share`).
    #[arg(long = "label-suffix", value_name = "TEXT", default_value = "")]
    pub label_suffix: String,

    /// A strip plot's colour column (one colour per value).
    #[arg(long, value_name = "COL")]
    pub hue: Option<String>,

    /// A strip plot's point identity: these columns (comma-separated), for the draw order
    /// within a day (by their text, joined with `-`) and the point's fixed jitter.
    #[arg(long, value_name = "COL", value_delimiter = ',')]
    pub id: Vec<String>,

    /// A strip plot's day labels: dates (each category's day) or epoch (the category
    /// numbers read as days since 1970, as the study's figure shows them: Jan 01, ...).
    #[arg(long = "category-labels", value_enum, default_value_t = CategoryLabels::Dates)]
    pub category_labels: CategoryLabels,
}

/// What the series are drawn as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Stack,
    Lines,
    Strip,
}

/// Zeros on a log scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogZeros {
    Gap,
    Clip,
}

/// A strip plot's day labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CategoryLabels {
    Dates,
    Epoch,
}

/// The study's resolution.
pub const DPI: f64 = 300.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Svg,
    Png,
    Pdf,
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
            tables.push(self.read_source(&path)?);
        }
        let (bytes, warnings) = self.draw(tables)?;
        out.write_all(&bytes)?;
        out.commit()?;
        Ok(warnings)
    }
}

impl Args {
    pub(crate) fn stdin_or_tables(&self) -> Vec<PathBuf> {
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
        self.check_kinds()
    }

    /// Flags that only go with some kinds of figure.
    fn check_kinds(&self) -> Result<()> {
        let strip = self.kind == Kind::Strip;
        let usage = |m: &str| Err(Error::usage(m.to_owned()));
        if strip != self.hue.is_some() {
            return usage(if strip {
                "--kind strip needs --hue COL: the column that colours the points"
            } else {
                "--hue goes with --kind strip"
            });
        }
        if !self.id.is_empty() && !strip {
            return usage("--id goes with --kind strip (a rank axis takes --rank COLS)");
        }
        if strip && (self.tables.len() > 1 || !self.lines.is_empty()) {
            return usage("--kind strip draws one table, without --line");
        }
        if strip && (self.share || !self.rank.is_empty()) {
            return usage("--kind strip takes neither --share nor --rank");
        }
        if !self.sort_desc.is_empty() && self.rank.is_empty() {
            return usage("--sort-desc orders the rows of a rank axis: give --rank COLS");
        }
        if !self.rank.is_empty()
            && (self.from.is_some() || self.to.is_some() || self.day_ticks.is_some())
        {
            return usage(
                "a rank axis (--rank) has no times: leave out --from, --to and --day-ticks",
            );
        }
        if !self.rank.is_empty() && !self.lines.is_empty() {
            return usage("a rank axis (--rank) takes no --line");
        }
        if self.minor_days && self.day_ticks.is_none() {
            return usage("--minor-days goes with --day-ticks N");
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
            rank: self.rank.clone(),
        }
    }

    /// Reads a panel's table: summed by time and key, or a strip plot's rows.
    pub(crate) fn read_source(&self, path: &Path) -> Result<Source> {
        if self.kind == Kind::Strip {
            let mut input = input::open(path)
                .map_err(|e| Error::io(e).file(Some(&path.display().to_string())))?;
            return strip::read(
                &mut input.reader,
                input.name.as_deref(),
                &self.strip_columns(),
                self.log,
            )
            .map(Source::Strip);
        }
        self.read(path, true).map(Source::Table)
    }

    pub(crate) fn strip_columns(&self) -> strip::Columns {
        strip::Columns {
            time: self.time.clone(),
            hue: self.hue.clone().unwrap_or_default(),
            value: self.value.clone(),
            id: self.id.clone(),
        }
    }

    /// Reads a whole table from a file or stdin.
    pub(crate) fn read(&self, path: &Path, keyed: bool) -> Result<Table> {
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
            Some("pdf") => Ok(Format::Pdf),
            Some(other) => Err(Error::usage(format!(
                "-o {}: cannot write .{other} files; chart writes SVG (.svg), PNG (.png) or PDF \
                 (.pdf)",
                self.output.as_deref().unwrap_or(Path::new("-")).display()
            ))),
        }
    }

    /// The figure of the stacked `tables` (read), with the lines read here; its bytes.
    fn draw(&self, tables: Vec<Source>) -> Result<(Vec<u8>, Vec<String>)> {
        let (figure, warnings) = self.figure(tables)?;
        let drawn = draw::svg(&figure)?;
        let bytes = match self.output_format()? {
            Format::Png => render::png(&drawn, self.dpi)?,
            Format::Pdf => render::pdf(&drawn)?,
            Format::Svg => render::svg(&drawn)?,
        };
        Ok((bytes, warnings))
    }

    pub(crate) fn range_text(&self) -> String {
        let show = |t: i64| crate::dates::format_time(t, "%Y-%m-%d %H:%M:%S");
        match (self.from, self.to) {
            (Some(f), Some(t)) => format!("from {} to {}", show(f), show(t)),
            (Some(f), None) => format!("from {} on", show(f)),
            (None, Some(t)) => format!("up to {}", show(t)),
            (None, None) => String::new(),
        }
    }
}

/// A file's name without its extensions: `data_emp_hourly` for `t/data_emp_hourly.csv.bz2`.
pub(crate) fn file_stem(path: &Path) -> String {
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
    let svg = render::svg(&drawn_args(args, input)?)?;
    Ok(String::from_utf8_lossy(&svg).into_owned())
}

/// As [`svg_args`], the SVG as drawn, before its text becomes outlines: what tests read the
/// labels from.
pub fn drawn_args(args: &[&str], input: &[u8]) -> Result<String> {
    let parsed = Args::try_parse_from(std::iter::once("chart").chain(args.iter().copied()))
        .map_err(|e| Error::usage(e.to_string()))?;
    parsed.check()?;
    let first = if parsed.kind == Kind::Strip {
        Source::Strip(strip::read(
            &mut Reader::new(input),
            None,
            &parsed.strip_columns(),
            parsed.log,
        )?)
    } else {
        Source::Table(table::read(
            &mut Reader::new(input),
            None,
            &parsed.columns(),
            true,
            parsed.log,
        )?)
    };
    let mut tables = vec![first];
    for path in parsed.tables.iter().skip(1) {
        tables.push(parsed.read_source(path)?);
    }
    let (figure, _) = parsed.figure(tables)?;
    draw::svg(&figure)
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

fn points(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if (2.0..=72.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "'{text}' is not a text size in points from 2 to 72"
        )),
    }
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
