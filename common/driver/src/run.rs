//! The driver every filter shares: arguments for I/O, the row loop, and exit codes.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use error::{Error, Kind, Result};
use output::Output;
use pandas::num::is_missing;
use table::{Reader, Record, Writer};

use crate::{input, Progress};

/// The input/output arguments of every filter.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct IoArgs {
    /// Input CSV files, plain or compressed (bzip2, gzip, zstd, xz: told apart by content);
    /// `-` or none reads stdin.
    /// Several files are read as one stream and must have the same header.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write to FILE instead of stdout, atomically (a temp file renamed on success);
    /// a name ending in `.bz2`, `.gz`, `.zst` or `.xz` is compressed so.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Field delimiter of input and output: one ASCII character, or `tab` (also `\t`).
    /// Without -d or -t it is inferred from names: the input's is a tab when every FILE ends
    /// in .tsv (or .tsv.gz, .tsv.bz2, .tsv.zst, .tsv.xz), else a comma; the output's is a tab
    /// when -o ends so, a comma when -o ends in .csv (or .csv.gz, ...), else the input's.
    #[arg(short = 'd', long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,

    /// Tab-separated input and output: the same as -d tab.
    #[arg(short = 't', long, conflicts_with = "delimiter")]
    pub tsv: bool,

    /// Never show the progress line (shown only when stderr is a terminal and the input is
    /// FILE arguments, not stdin: in a pipeline, only the filter reading the files draws);
    /// twice (-qq), print no warnings either (for a step whose warnings an earlier one
    /// already gave).
    #[arg(short = 'q', long, action = clap::ArgAction::Count)]
    pub quiet: u8,

    /// Drop every row with a missing field (empty, NA, NaN, null, ... as pandas reads
    /// them) or with too few fields (a line cut by a crash), as pandas' dropna() after
    /// read_csv does; a warning counts them. --dropna=COL,... looks at those columns only
    /// (pandas' dropna(subset=...), and groupby's dropping of missing keys).
    #[arg(long, value_name = "COL,...", require_equals = true, num_args = 0..=1,
          value_parser = parse_column_list)]
    pub dropna: Option<Option<String>>,

    /// Keep incomplete rows: a row with too few fields (a line cut by a crash) reads as
    /// pandas reads it, its last fields missing, and a filter passes missing values on
    /// (estimate leaves the estimate of a missing size empty) instead of stopping; a later
    /// --dropna drops them.
    #[arg(long)]
    pub keep_incomplete: bool,
}

impl IoArgs {
    /// The field delimiters of input and output: `-d` or `-t` for both, else inferred from
    /// the names (see `--delimiter`'s help).
    pub fn delimiters(&self) -> (u8, u8) {
        if let Some(both) = self.delimiter.or(self.tsv.then_some(b'\t')) {
            return (both, both);
        }
        let files = &self.files;
        let input = if !files.is_empty() && files.iter().all(|f| named(f, "tsv")) {
            b'\t'
        } else {
            b','
        };
        let output = match self.output.as_deref() {
            Some(path) if named(path, "tsv") => b'\t',
            Some(path) if named(path, "csv") => b',',
            _ => input,
        };
        (input, output)
    }
}

/// True when `path` ends in `.EXT`, alone or followed by a compression's `.gz`, `.bz2`,
/// `.zst` or `.xz`.
fn named(path: &Path, ext: &str) -> bool {
    let name = path.as_os_str().as_encoded_bytes();
    let name = [&b".gz"[..], b".bz2", b".zst", b".xz"]
        .iter()
        .find_map(|c| name.strip_suffix(*c))
        .unwrap_or(name);
    name.strip_suffix(ext.as_bytes())
        .is_some_and(|stem| stem.ends_with(b"."))
}

/// A comma-separated list of column names, none of them empty (a usage error, found before
/// any input is read, rather than "no column named ''" in the data).
fn parse_column_list(value: &str) -> std::result::Result<String, String> {
    if value.split(',').any(str::is_empty) {
        return Err(format!(
            "'{value}' names an empty column: give COL,COL,... (or the flag alone for every \
             column)"
        ));
    }
    Ok(value.to_owned())
}

/// `-d`'s value: one ASCII character other than a quote or a line end, or `tab` (`\t`).
fn parse_delimiter(value: &str) -> std::result::Result<u8, String> {
    let byte = match (value, value.as_bytes()) {
        ("tab" | "\\t", _) => b'\t',
        (_, &[byte]) => byte,
        _ => return Err("give one ASCII character, or `tab`".into()),
    };
    match byte {
        b'"' | b'\n' | b'\r' => Err("a quote or a line end cannot separate fields".into()),
        _ => Ok(byte),
    }
}

/// A streaming CSV transform: it sees the header once, then every row in order.
pub trait Filter {
    /// Resolves columns against the (first) input header and returns the output header.
    fn header(&mut self, header: &Record) -> Result<Record>;

    /// Transforms one row, writing any output rows to `out`. A data error needs only its
    /// column: the driver adds the file and line.
    fn row<W: Write>(&mut self, row: &Record, out: &mut Writer<W>) -> Result<()>;

    /// Called as each input starts, with its name (none for stdin), for messages that
    /// point back at an earlier input's line.
    fn input(&mut self, _name: Option<&str>) {}

    /// True when the output's columns come from the data (a long table turned wide): the
    /// driver then writes no header, and the filter writes its own when it knows it.
    fn header_later(&self) -> bool {
        false
    }

    /// Called with each row that `--dropna` drops (fields past a short row's end are
    /// missing): pandas' column types still count it, a missing value making a column float.
    fn dropped(&mut self, _row: &Record) -> Result<()> {
        Ok(())
    }

    /// Called once after the last row, to write what was held back.
    fn finish<W: Write>(&mut self, _out: &mut Writer<W>) -> Result<()> {
        Ok(())
    }

    /// Anything worth a `tool: warning: ...` line on stderr after a successful run.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }

    /// True when no more input is wanted (a filter that needs the header alone): the
    /// driver then reads no further, and finishes.
    fn done(&self) -> bool {
        false
    }
}

/// A borrowed filter filters too, so a test can inspect it after a run.
impl<F: Filter> Filter for &mut F {
    fn header(&mut self, header: &Record) -> Result<Record> {
        (**self).header(header)
    }

    fn row<W: Write>(&mut self, row: &Record, out: &mut Writer<W>) -> Result<()> {
        (**self).row(row, out)
    }

    fn input(&mut self, name: Option<&str>) {
        (**self).input(name);
    }

    fn header_later(&self) -> bool {
        (**self).header_later()
    }

    fn dropped(&mut self, row: &Record) -> Result<()> {
        (**self).dropped(row)
    }

    fn finish<W: Write>(&mut self, out: &mut Writer<W>) -> Result<()> {
        (**self).finish(out)
    }

    fn warnings(&self) -> Vec<String> {
        (**self).warnings()
    }

    fn done(&self) -> bool {
        (**self).done()
    }
}

/// Runs `filter` over the inputs in `io`, reports any error as `tool: message` on stderr,
/// and returns the exit status: 0 ok (or closed stdout), 1 data or I/O error, 2 usage.
pub fn run<F: Filter>(tool: &str, io: &IoArgs, filter: Result<F>) -> ExitCode {
    let progress = Progress::new(tool, io.quiet > 0, &io.files);
    let shown = progress.is_shown();
    run_guarded(tool, io.output.as_deref(), shown, || {
        // -qq: this step's warnings were given by an earlier one.
        let warnings = filter.and_then(|f| drive(io, f, progress))?;
        Ok(if io.quiet >= 2 { Vec::new() } else { warnings })
    })
}

/// Runs `work`, which writes to `output` (stdout when none), with the signal handling every
/// tool needs; reports its error or warnings on stderr and returns the exit status.
pub fn run_with(
    tool: &str,
    output: Option<&Path>,
    work: impl FnOnce() -> Result<Vec<String>>,
) -> ExitCode {
    run_guarded(tool, output, false, work)
}

/// [`run_with`], for a tool that may draw a progress line.
fn run_guarded(
    tool: &str,
    output: Option<&Path>,
    progress_shown: bool,
    work: impl FnOnce() -> Result<Vec<String>>,
) -> ExitCode {
    // Without these, `ulimit -f` kills silently and a stopped run leaves its `-o` temp file
    // or its progress line.
    let writes_file = output.is_some_and(|p| !codec::is_stdin(p));
    let signals = crate::signals::catch_file_size_limit().and_then(|()| {
        if writes_file || progress_shown {
            crate::signals::clean_up_on_termination()
        } else {
            Ok(())
        }
    });
    if let Err(e) = signals {
        say(&format!("{tool}: cannot set up signal handling: {e}"));
        return ExitCode::FAILURE;
    }
    match work() {
        Ok(warnings) => {
            for warning in warnings {
                say(&format!("{tool}: warning: {warning}"));
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            if err.kind != Kind::BrokenPipe {
                // stderr may be gone too; nothing better to do then.
                say(&format!("{tool}: {err}"));
            }
            ExitCode::from(err.exit_code())
        }
    }
}

/// Writes one line to stderr in one write, so that the lines of filters running side by side
/// never mix. stderr may be gone; nothing better to do then.
pub fn say(line: &str) {
    let mut text = String::with_capacity(line.len() + 1);
    text.push_str(line);
    text.push('\n');
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Reads every input in `io` through `filter` to its output, counting rows on `progress`.
/// Returns the filter's warnings.
pub fn drive<F: Filter>(io: &IoArgs, filter: F, progress: Progress) -> Result<Vec<String>> {
    let (input_delimiter, output_delimiter) = io.delimiters();
    let mut out = Output::open(io.output.as_deref())?;
    out.writer.set_delimiter(output_delimiter);
    let stdin = [PathBuf::from("-")];
    let paths = if io.files.is_empty() {
        &stdin[..]
    } else {
        &io.files[..]
    };
    let mut pump = Pump::new(filter, out.name(), progress, io);
    pump.live = out.is_live();
    for path in paths {
        let input =
            input::open(path).map_err(|e| Error::io(e).file(Some(&path.display().to_string())))?;
        pump.input(
            input.name.as_deref(),
            input
                .reader
                .with_delimiters(input_delimiter, output_delimiter),
            input.compressed,
            &mut out.writer,
        )?;
        if pump.filter.done() {
            break;
        }
    }
    let warnings = pump.finish(&mut out.writer)?;
    out.commit()?;
    Ok(warnings)
}

/// Runs `filter` over CSV held in memory: what the filters' unit tests call.
pub fn transform<F: Filter>(filter: F, input: &[u8]) -> Result<String> {
    let mut out = Writer::new(Vec::new());
    let mut pump = Pump::new(filter, "output", Progress::hidden(), &IoArgs::default());
    pump.input(None, Reader::new(input), false, &mut out)?;
    pump.finish(&mut out)?;
    let bytes = out.into_inner()?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// How far past a data error a bzip2 input is decoded to see whether a block is corrupt: more
/// than any block decodes to (900 kB, up to 5x that after bzip2's run-length step).
const PROBE: u64 = 8 << 20;

/// The row loop over one or more inputs, with every error placed at its file and line.
struct Pump<F> {
    filter: F,
    output_name: String,
    progress: Progress,
    /// The first input's header and name: later inputs must match it.
    first: Option<(Record, String)>,
    /// A short row with its missing fields added (rows are otherwise read in place).
    padded: Record,
    /// With `--dropna`: the rows dropped so far.
    dropna: Option<Dropped>,
    /// `--dropna=COL,...`: the columns looked at (all when none), and their indices.
    dropna_cols: Option<Vec<String>>,
    dropna_idx: Option<Vec<usize>>,
    /// `--keep-incomplete`: short rows are padded with missing fields, not refused; the
    /// incomplete rows passed on.
    keep_incomplete: Option<Dropped>,
    /// The output may be read as it is written: pass rows on before waiting for input.
    live: bool,
}

/// The incomplete rows `--dropna` dropped (or `--keep-incomplete` passed on): how many,
/// and where the first was.
#[derive(Debug, Default)]
struct Dropped {
    rows: u64,
    first: Option<String>,
}

impl Dropped {
    /// The warning about them, if there were any: `what` with ROWS said (`3 rows`), and
    /// the first row.
    fn summary(&self, what: &str) -> Option<String> {
        let first = self.first.as_ref()?;
        let rows = plural(usize::try_from(self.rows).unwrap_or(usize::MAX), "row");
        Some(format!(
            "{} (the first: {first})",
            what.replace("ROWS", &rows)
        ))
    }
}

impl<F: Filter> Pump<F> {
    fn new(filter: F, output_name: &str, progress: Progress, io: &IoArgs) -> Pump<F> {
        Pump {
            filter,
            output_name: output_name.to_owned(),
            progress,
            first: None,
            padded: Record::new(),
            dropna: io.dropna.as_ref().map(|_| Dropped::default()),
            dropna_cols: io
                .dropna
                .clone()
                .flatten()
                .map(|cols| cols.split(',').map(str::to_owned).collect()),
            dropna_idx: None,
            keep_incomplete: io.keep_incomplete.then(Dropped::default),
            live: true,
        }
    }

    /// Write errors name the output; data errors their input and line.
    fn place(&self, e: Error, name: Option<&str>, line: Option<u64>) -> Error {
        match (e.kind, line) {
            (Kind::Data, Some(line)) => e.line(line).file(name),
            (Kind::Io, _) => e.file(Some(&self.output_name)),
            _ => e,
        }
    }

    /// Reads one input through the filter. In a bzip2 input, a data error may be the garbage
    /// of a corrupt block that the decoder only rejects at the block's end (its checksum):
    /// then the decoder's verdict is the error to report.
    fn input<R: Read, W: Write>(
        &mut self,
        name: Option<&str>,
        mut reader: Reader<R>,
        compressed: bool,
        out: &mut Writer<W>,
    ) -> Result<()> {
        match self.rows(name, &mut reader, out) {
            Err(e) if compressed && e.kind == Kind::Data => match reader.source_error(PROBE) {
                Some(damage) => {
                    let mut err = Error::io(damage).file(name);
                    if let Some(line) = e.line {
                        err.message = format!("{} (which also garbled line {line})", err.message);
                    }
                    Err(err)
                }
                None => Err(e),
            },
            other => other,
        }
    }

    fn rows<R: Read, W: Write>(
        &mut self,
        name: Option<&str>,
        reader: &mut Reader<R>,
        out: &mut Writer<W>,
    ) -> Result<()> {
        // A read can fail mid-file (a truncated or corrupt bzip2 file): say how far it got.
        let read_error = |e: io::Error, after: Option<u64>| {
            let mut err = Error::io(e).file(name);
            if let Some(line) = after {
                err.message = format!("after the row on line {line}: {}", err.message);
            }
            err
        };
        self.filter.input(name);
        let mut header = Record::new();
        if !reader.read(&mut header).map_err(|e| read_error(e, None))? {
            return Err(Error::data("the input is empty: no header line").file(name));
        }
        match &self.first {
            None => {
                let out_header = self
                    .filter
                    .header(&header)
                    .map_err(|e| self.place(e, name, Some(1)))?;
                if !self.filter.header_later() {
                    out.record(out_header.iter())
                        .map_err(|e| self.place(Error::io(e), name, None))?;
                }
                if let Some(cols) = &self.dropna_cols {
                    let idx = table::find_columns(&header, cols)
                        .map_err(|e| self.place(e, name, Some(1)))?;
                    self.dropna_idx = Some(idx);
                }
                self.first = Some((header.clone(), name.unwrap_or("stdin").to_owned()));
            }
            Some((first, first_name)) if first.iter().ne(header.iter()) => {
                return Err(Error::data(format!(
                    "the header '{}' differs from {first_name}'s '{}'",
                    header.to_text(),
                    first.to_text()
                ))
                .line(1)
                .file(name));
            }
            Some(_) => {}
        }
        if self.filter.done() {
            return Ok(());
        }
        let width = header.len();
        let mut last = header.line();
        loop {
            // Before a read that may wait (a live source), pass on what is written.
            let mut flush_failed = None;
            let live = self.live;
            let got = reader.next_then(&mut || {
                if !live {
                    return Ok(());
                }
                out.flush().inspect_err(|e| flush_failed = Some(e.kind()))
            });
            let mut row = match got {
                Ok(Some(row)) => row,
                Ok(None) => break,
                Err(e) if flush_failed.is_some() => {
                    return Err(self.place(Error::io(e), name, None));
                }
                Err(e) => return Err(read_error(e, Some(last))),
            };
            last = row.line();
            if row.len() != width {
                // pandas reads a short row (a line cut by a crash) with its last fields
                // missing: kept as such on request, or for --dropna to drop.
                let short = row.len() < width;
                if short && (self.dropna.is_some() || self.keep_incomplete.is_some()) {
                    self.padded.copy_from(row);
                    while self.padded.len() < width {
                        self.padded.push(b"");
                    }
                    row = &self.padded;
                } else {
                    // Shown, since a cut-off or NUL-filled last line is plain to see.
                    return Err(Error::data(format!(
                        "found a row of {} where the header has {width}: {}",
                        plural(row.len(), "field"),
                        error::show(&row.joined())
                    ))
                    .line(last)
                    .file(name));
                }
            }
            let dropped = self.dropna.is_some()
                && match &self.dropna_idx {
                    Some(idx) => idx.iter().any(|&i| is_missing(row.field(i))),
                    None => row.iter().any(is_missing),
                };
            if dropped {
                if let Err(e) = self.filter.dropped(row) {
                    return Err(self.place(e, name, Some(last)));
                }
                count(&mut self.dropna, row, name);
                continue;
            }
            if self.keep_incomplete.is_some() && row.iter().any(is_missing) {
                count(&mut self.keep_incomplete, row, name);
            }
            if let Err(e) = self.filter.row(row, out) {
                return Err(self.place(e, name, Some(row.line())));
            }
            self.progress.row();
        }
        Ok(())
    }

    fn finish<W: Write>(mut self, out: &mut Writer<W>) -> Result<Vec<String>> {
        if let Err(e) = self.filter.finish(out) {
            return Err(self.place(e, None, None));
        }
        self.progress.finish();
        let mut warnings = self.filter.warnings();
        let kept = (self.keep_incomplete.as_ref()).and_then(|k| {
            k.summary("ROWS with a missing field passed on, for a later --dropna to drop")
        });
        let dropped = (self.dropna.as_ref())
            .and_then(|d| d.summary("--dropna dropped ROWS with a missing field"));
        warnings.splice(0..0, kept.into_iter().chain(dropped));
        Ok(warnings)
    }
}

/// Counts an incomplete row, and keeps where the first one was and what it held.
#[cold]
fn count(rows: &mut Option<Dropped>, row: &Record, name: Option<&str>) {
    if let Some(rows) = rows {
        rows.rows += 1;
        rows.first.get_or_insert_with(|| {
            let fields: Vec<&[u8]> = row.iter().collect();
            format!(
                "{}line {}: {}",
                name.map(|n| format!("{n}: ")).unwrap_or_default(),
                row.line(),
                error::show(&fields.join(&b","[..]))
            )
        });
    }
}

/// `1 field`, `3 fields`.
fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_from_flags_or_names() {
        let io = |files: &[&str], output: Option<&str>, delimiter, tsv| IoArgs {
            files: files.iter().map(PathBuf::from).collect(),
            output: output.map(PathBuf::from),
            delimiter,
            tsv,
            ..IoArgs::default()
        };
        let (comma, tab) = ((b',', b','), (b'\t', b'\t'));
        let table = [
            (io(&[], None, None, false), comma),
            (io(&["a.tsv"], None, None, false), tab),
            (
                io(&["a.tsv", "d/b.tsv.bz2", "c.tsv.gz"], None, None, false),
                tab,
            ),
            (io(&["a.tsv.zst", "b.tsv.xz"], None, None, false), tab),
            (io(&["a.tsv", "b.csv"], None, None, false), comma),
            (io(&["a.tsv", "-"], None, None, false), comma),
            (io(&["a.tsv.zip", "tsv", "atsv"], None, None, false), comma),
            (io(&[], Some("o.tsv.bz2"), None, false), (b',', b'\t')),
            (io(&["a.tsv"], Some("o.csv.gz"), None, false), (b'\t', b',')),
            (io(&["a.tsv"], Some("o.txt"), None, false), tab),
            (io(&["a.tsv"], Some("-"), None, false), tab),
            (io(&["a.csv"], Some("o.tsv"), None, true), tab),
            (
                io(&["a.tsv"], Some("o.tsv"), Some(b';'), false),
                (b';', b';'),
            ),
        ];
        for (args, want) in table {
            assert_eq!(args.delimiters(), want, "{args:?}");
        }
    }

    #[test]
    fn a_delimiter_is_one_character() {
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert_eq!(parse_delimiter("\t"), Ok(b'\t'));
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert_eq!(parse_delimiter("\\t"), Ok(b'\t'));
        for bad in ["", "ab", "\u{a7}", "\"", "\n", "\r", "\\n"] {
            assert!(parse_delimiter(bad).is_err(), "{bad:?}");
        }
    }
}
