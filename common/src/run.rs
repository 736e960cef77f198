//! The driver every filter shares: arguments for I/O, the row loop, and exit codes.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::error::Kind;
use crate::{input, Error, Output, Progress, Reader, Record, Result, Writer};

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

    /// Never show the progress line (shown only when stderr is a terminal).
    #[arg(short = 'q', long)]
    pub quiet: bool,
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

    /// Called once after the last row, to write what was held back.
    fn finish<W: Write>(&mut self, _out: &mut Writer<W>) -> Result<()> {
        Ok(())
    }

    /// Anything worth a `tool: warning: ...` line on stderr after a successful run.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
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

    fn finish<W: Write>(&mut self, out: &mut Writer<W>) -> Result<()> {
        (**self).finish(out)
    }

    fn warnings(&self) -> Vec<String> {
        (**self).warnings()
    }
}

/// Runs `filter` over the inputs in `io`, reports any error as `tool: message` on stderr,
/// and returns the exit status: 0 ok (or closed stdout), 1 data or I/O error, 2 usage.
pub fn run<F: Filter>(tool: &str, io: &IoArgs, filter: Result<F>) -> ExitCode {
    // Without these, `ulimit -f` kills silently and a stopped `-o` run leaves its temp file.
    let signals =
        crate::signals::catch_file_size_limit().and_then(|()| match io.output.as_deref() {
            Some(path) if !input::is_stdin(path) => crate::signals::clean_up_on_termination(),
            _ => Ok(()),
        });
    if let Err(e) = signals {
        let _ = writeln!(io::stderr(), "{tool}: cannot set up signal handling: {e}");
        return ExitCode::FAILURE;
    }
    match filter.and_then(|f| drive(io, f)) {
        Ok(warnings) => {
            for warning in warnings {
                let _ = writeln!(io::stderr(), "{tool}: warning: {warning}");
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            if err.kind != Kind::BrokenPipe {
                // stderr may be gone too; nothing better to do then.
                let _ = writeln!(io::stderr(), "{tool}: {err}");
            }
            ExitCode::from(err.exit_code())
        }
    }
}

/// Reads every input in `io` through `filter` to its output. Returns the filter's warnings.
pub fn drive<F: Filter>(io: &IoArgs, filter: F) -> Result<Vec<String>> {
    let mut out = Output::open(io.output.as_deref())?;
    let stdin = [PathBuf::from("-")];
    let paths = if io.files.is_empty() {
        &stdin[..]
    } else {
        &io.files[..]
    };
    let mut pump = Pump::new(filter, out.name(), Progress::new(io.quiet));
    for path in paths {
        let input =
            input::open(path).map_err(|e| Error::io(e).file(Some(&path.display().to_string())))?;
        pump.input(
            input.name.as_deref(),
            input.reader,
            input.compressed,
            &mut out.writer,
        )?;
    }
    let warnings = pump.finish(&mut out.writer)?;
    out.commit()?;
    Ok(warnings)
}

/// Runs `filter` over CSV held in memory: what the filters' unit tests call.
pub fn transform<F: Filter>(filter: F, input: &[u8]) -> Result<String> {
    let mut out = Writer::new(Vec::new());
    let mut pump = Pump::new(filter, "output", Progress::new(true));
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
    row: Record,
    bytes_before: u64,
}

impl<F: Filter> Pump<F> {
    fn new(filter: F, output_name: &str, progress: Progress) -> Pump<F> {
        Pump {
            filter,
            output_name: output_name.to_owned(),
            progress,
            first: None,
            row: Record::new(),
            bytes_before: 0,
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
                out.record(out_header.iter())
                    .map_err(|e| self.place(Error::io(e), name, None))?;
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
        let width = header.len();
        let mut last = header.line();
        while reader
            .read(&mut self.row)
            .map_err(|e| read_error(e, Some(last)))?
        {
            let row = &self.row;
            last = row.line();
            if row.len() != width {
                // Shown, since a cut-off or NUL-filled last line (a crash) is plain to see.
                let fields: Vec<&[u8]> = row.iter().collect();
                return Err(Error::data(format!(
                    "found a row of {} where the header has {width}: {}",
                    plural(row.len(), "field"),
                    crate::error::show(&fields.join(&b","[..]))
                ))
                .line(row.line())
                .file(name));
            }
            if let Err(e) = self.filter.row(row, out) {
                return Err(self.place(e, name, Some(row.line())));
            }
            // Before waiting on a slow source, pass on what is written: no row sits in a
            // buffer while the input is idle.
            if reader.idle() {
                out.flush()
                    .map_err(|e| self.place(Error::io(e), name, None))?;
            }
            let before = self.bytes_before;
            self.progress.row(|| before + reader.bytes());
        }
        self.bytes_before += reader.bytes();
        Ok(())
    }

    fn finish<W: Write>(mut self, out: &mut Writer<W>) -> Result<Vec<String>> {
        if let Err(e) = self.filter.finish(out) {
            return Err(self.place(e, None, None));
        }
        self.progress.finish();
        Ok(self.filter.warnings())
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
