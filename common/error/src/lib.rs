//! The one error type of every filter: what went wrong, and where (file, line, column).

use std::fmt::{self, Write as _};
use std::io;

/// What kind of failure this is; it decides the exit status.
///
/// The rule every filter follows: a problem the flags show on their own (a bad value, a
/// column named twice, two outputs given one name) is [`Kind::Usage`], found before any
/// input is read, exit 2, no position. A problem that needs the data to see (a missing
/// column, a name clash with a header's column, a bad value) is [`Kind::Data`], exit 1,
/// placed at its file, line and column (line 1 for the header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bad flags or flag values: exit 2, like clap's own usage errors.
    Usage,
    /// Bad input data: exit 1.
    Data,
    /// A failed read or write (missing file, disk full, corrupt bzip2): exit 1.
    Io,
    /// The reader of our output went away (`| head`): exit 0, quietly.
    BrokenPipe,
}

/// An error with as much position as is known.
///
/// Rendered as `file: line 42, column size: message`, each part only when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: Kind,
    pub file: Option<String>,
    pub line: Option<u64>,
    pub column: Option<String>,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn data(message: impl Into<String>) -> Self {
        Error {
            kind: Kind::Data,
            file: None,
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error {
            kind: Kind::Usage,
            ..Error::data(message)
        }
    }

    /// A data error in one named column of the current row.
    pub fn value(column: &str, message: impl Into<String>) -> Self {
        Error::data(message).column(column)
    }

    pub fn column(mut self, column: &str) -> Self {
        self.column = Some(column.to_owned());
        self
    }

    /// Adds the line unless a more precise one is already known.
    pub fn line(mut self, line: u64) -> Self {
        self.line.get_or_insert(line);
        self
    }

    /// Adds the file name unless one is already known; stdin has none.
    pub fn file(mut self, file: Option<&str>) -> Self {
        if self.file.is_none() {
            self.file = file.map(str::to_owned);
        }
        self
    }

    pub fn io(err: io::Error) -> Self {
        let kind = if err.kind() == io::ErrorKind::BrokenPipe {
            Kind::BrokenPipe
        } else {
            Kind::Io
        };
        Error {
            kind,
            ..Error::data(err.to_string())
        }
    }

    /// The process exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            Kind::Usage => 2,
            Kind::Data | Kind::Io => 1,
            Kind::BrokenPipe => 0,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        match (self.line, &self.column) {
            (Some(line), Some(col)) => write!(f, "line {line}, column {col}: ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            (None, Some(col)) => write!(f, "column {col}: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Self {
        Error::io(err)
    }
}

/// Shows a field's bytes in a message, shortened so a 10 MB field stays readable.
///
/// Control characters and bytes that are not UTF-8 are escaped (`\0`, `\r`, `\xff`): a
/// NUL or a carriage return from a damaged log must not garble the message on a terminal.
pub fn show(bytes: &[u8]) -> String {
    let (text, cut) = escape(bytes, 60);
    if cut {
        format!("'{text}...' ({} bytes)", bytes.len())
    } else {
        format!("'{text}'")
    }
}

/// Shows a line of text (a header) in a message, escaped as [`show`] does and cut after
/// 200 bytes: a binary file read as CSV has a "header" of kilobytes of anything.
pub fn show_line(bytes: &[u8]) -> String {
    let (text, cut) = escape(bytes, 200);
    if cut {
        format!("{text}... ({} bytes)", bytes.len())
    } else {
        text
    }
}

/// The first `max` bytes of `bytes` with control characters and bytes that are not UTF-8
/// escaped, and whether anything was cut off.
fn escape(bytes: &[u8], max: usize) -> (String, bool) {
    let mut text = String::with_capacity(max.min(bytes.len()) + 8);
    for chunk in bytes[..bytes.len().min(max)].utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                text.extend(c.escape_debug());
            } else {
                text.push(c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(text, "\\x{b:02x}"); // writing to a String cannot fail
        }
    }
    (text, bytes.len() > max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_known_part() {
        let e = Error::value("size", "'abc' is not a non-negative integer")
            .line(42)
            .file(Some("data.csv"));
        assert_eq!(
            e.to_string(),
            "data.csv: line 42, column size: 'abc' is not a non-negative integer"
        );
        assert_eq!(Error::data("boom").to_string(), "boom");
        assert_eq!(Error::data("boom").line(3).to_string(), "line 3: boom");
    }

    #[test]
    fn keeps_the_innermost_position() {
        let e = Error::data("x")
            .line(7)
            .line(9)
            .file(Some("a"))
            .file(Some("b"));
        assert_eq!(e.to_string(), "a: line 7: x");
    }

    #[test]
    fn exit_codes() {
        assert_eq!(Error::usage("u").exit_code(), 2);
        assert_eq!(Error::data("d").exit_code(), 1);
        let pipe = Error::io(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(pipe.exit_code(), 0);
    }

    #[test]
    fn shortens_long_fields() {
        assert_eq!(show(b"abc"), "'abc'");
        let long = vec![b'x'; 1000];
        assert!(show(&long).ends_with("...' (1000 bytes)"));
    }

    #[test]
    fn escapes_what_a_terminal_would_swallow() {
        assert_eq!(show(b"1\0"), r"'1\0'");
        assert_eq!(show(b"1\r"), r"'1\r'");
        assert_eq!(show(b"a\xff\xfeb"), r"'a\xff\xfeb'");
        assert_eq!(show("café \u{1b}[2J".as_bytes()), r"'café \u{1b}[2J'");
        // A multi-byte character cut at the limit is shown as its bytes, not a panic.
        let mut cut = vec![b'x'; 59];
        cut.extend("\u{e9}".as_bytes());
        assert!(show(&cut).ends_with(r"\xc3...' (61 bytes)"));
    }

    #[test]
    fn lines_are_escaped_and_cut_later() {
        let header = "timestamp,peer_id,peer_conn_type,peer_addr,flow,msg_type,size";
        assert_eq!(show_line(header.as_bytes()), header);
        assert_eq!(show_line(b"\x1f\x8b\x08\0a"), r"\u{1f}\x8b\u{8}\0a");
        let long = [b'x'; 300];
        assert_eq!(
            show_line(&long),
            format!("{}... (300 bytes)", "x".repeat(200))
        );
    }
}
