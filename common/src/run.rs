//! The driver every filter shares: arguments for I/O, the row loop, and exit codes.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use csv::ByteRecord;

use crate::error::Kind;
use crate::{input, Error, Output, Progress, Result};

/// The input/output arguments of every filter.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct IoArgs {
    /// Input CSV files, plain or bzip2 (told apart by content); `-` or none reads stdin.
    /// Several files are read as one stream and must have the same header.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write to FILE instead of stdout, atomically (a temp file renamed on success);
    /// a name ending in `.bz2` is bzip2-compressed.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Never show the progress line (shown only when stderr is a terminal).
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// A streaming CSV transform: it sees the header once, then every row in order.
pub trait Filter {
    /// Resolves columns against the (first) input header and returns the output header.
    fn header(&mut self, header: &ByteRecord) -> Result<ByteRecord>;

    /// Transforms one row, writing any output rows to `out`.
    fn row<W: Write>(&mut self, row: &ByteRecord, out: &mut csv::Writer<W>) -> Result<()>;

    /// Called once after the last row, to write what was held back.
    fn finish<W: Write>(&mut self, _out: &mut csv::Writer<W>) -> Result<()> {
        Ok(())
    }

    /// Anything worth a `tool: warning: ...` line on stderr after a successful run.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Runs `filter` over the inputs in `io`, reports any error as `tool: message` on stderr,
/// and returns the exit status: 0 ok (or closed stdout), 1 data or I/O error, 2 usage.
pub fn run<F: Filter>(tool: &str, io: &IoArgs, filter: Result<F>) -> ExitCode {
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

/// The row loop, with every error placed at its file, line and column.
/// Returns the filter's warnings.
pub fn drive<F: Filter>(io: &IoArgs, mut filter: F) -> Result<Vec<String>> {
    let mut out = Output::open(io.output.as_deref())?;
    let stdin = [PathBuf::from("-")];
    let paths = if io.files.is_empty() {
        &stdin[..]
    } else {
        &io.files[..]
    };
    let mut progress = Progress::new(io.quiet);
    let mut first: Option<(ByteRecord, String)> = None;
    let mut row = ByteRecord::new();
    let mut bytes_before = 0u64;
    let output_name = out.name().to_owned();
    // Write errors name the output; data errors name the input row.
    let place = |e: Error, name: Option<&str>, line: Option<u64>| match e.kind {
        Kind::Data => match line {
            Some(line) => e.line(line).file(name),
            None => e,
        },
        Kind::Io => e.file(Some(&output_name)),
        Kind::Usage | Kind::BrokenPipe => e,
    };
    for path in paths {
        let mut input =
            input::open(path).map_err(|e| Error::io(e).file(Some(&path.display().to_string())))?;
        let name = input.name.clone();
        let name = name.as_deref();
        let header = input
            .reader
            .byte_headers()
            .map_err(|e| Error::from(e).file(name))?
            .clone();
        if header.is_empty() {
            return Err(Error::data("the input is empty: no header line").file(name));
        }
        match &first {
            None => {
                let out_header = filter.header(&header).map_err(|e| e.line(1).file(name))?;
                out.csv.write_byte_record(&out_header)?;
                first = Some((header, name.unwrap_or("stdin").to_owned()));
            }
            Some((first_header, first_name)) if *first_header != header => {
                return Err(Error::data(format!(
                    "the header {} differs from {first_name}'s {}",
                    show_record(&header),
                    show_record(first_header)
                ))
                .line(1)
                .file(name));
            }
            Some(_) => {}
        }
        loop {
            match input.reader.read_byte_record(&mut row) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(Error::from(e).file(name)),
            }
            filter.row(&row, &mut out.csv).map_err(|e| {
                let line = row.position().map(csv::Position::line);
                place(e, name, line)
            })?;
            progress.row(|| bytes_before + row.position().map_or(0, csv::Position::byte));
        }
        bytes_before += input.reader.position().byte();
    }
    filter
        .finish(&mut out.csv)
        .map_err(|e| place(e, None, None))?;
    progress.finish();
    out.commit()?;
    Ok(filter.warnings())
}

fn show_record(record: &ByteRecord) -> String {
    let fields: Vec<_> = record.iter().map(String::from_utf8_lossy).collect();
    format!("'{}'", fields.join(","))
}
