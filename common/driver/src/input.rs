//! A filter's inputs: each FILE argument (or stdin) opened through its decoder into a CSV reader.

use std::io::{self, Read};
use std::path::Path;

use table::Reader;

/// One input as the filters read it: a display name (none for stdin) and its CSV reader.
pub struct Input {
    pub name: Option<String>,
    pub reader: Reader<Box<dyn Read>>,
    /// Read through a decoder (whose verdict on damage beats the rows it garbled).
    pub compressed: bool,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input").field("name", &self.name).finish()
    }
}

/// Opens `path` (`-` is stdin) for CSV reading, decompressing when its first bytes say so
/// ([`codec::open`]).
pub fn open(path: &Path) -> io::Result<Input> {
    let decoded = codec::open(path)?;
    Ok(Input {
        name: (!codec::is_stdin(path)).then(|| path.display().to_string()),
        reader: Reader::new(decoded.source),
        compressed: decoded.compressed,
    })
}
