//! Opening inputs: files or stdin, plain CSV or (multi-stream) bzip2 told apart by magic bytes.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;

use crate::Reader;

/// One input as the filters read it: a display name (none for stdin) and its CSV reader.
pub struct Input {
    pub name: Option<String>,
    pub reader: Reader<Box<dyn Read>>,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input").field("name", &self.name).finish()
    }
}

/// True for `-`, which names stdin.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Opens `path` (`-` is stdin) for CSV reading, decompressing bzip2 when its first bytes say so.
pub fn open(path: &Path) -> io::Result<Input> {
    let (name, raw): (Option<String>, Box<dyn Read>) = if is_stdin(path) {
        (None, Box::new(io::stdin()))
    } else {
        let name = path.display().to_string();
        (Some(name), Box::new(File::open(path)?))
    };
    Ok(Input {
        name,
        reader: Reader::new(decompressed(raw)?),
    })
}

/// Wraps `raw` in a bzip2 decoder if it starts with a bzip2 stream header (`BZh1`..`BZh9`).
///
/// Multi-stream files (pbzip2, lbzip2, `cat a.bz2 b.bz2`) are decoded whole.
pub fn decompressed(mut raw: Box<dyn Read>) -> io::Result<Box<dyn Read>> {
    let mut head = [0u8; 4];
    let mut got = 0;
    // A pipe may deliver the first bytes in pieces; the magic needs all four.
    while got < head.len() {
        match raw.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let rejoined = Cursor::new(head[..got].to_vec()).chain(raw);
    if is_bzip2(&head[..got]) {
        Ok(Box::new(Bzip2(bzip2::read::MultiBzDecoder::new(rejoined))))
    } else {
        Ok(Box::new(rejoined))
    }
}

/// The bzip2 decoder, its errors said in terms of what happened to the file.
struct Bzip2<R>(bzip2::read::MultiBzDecoder<R>);

impl<R: Read> Read for Bzip2<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(explain_bzip2)
    }
}

/// Replaces the decoder's terse messages (`bz2 header missing`) with their likely cause.
fn explain_bzip2(err: io::Error) -> io::Error {
    let why = match err.get_ref().and_then(|e| e.downcast_ref::<bzip2::Error>()) {
        // Only read after a complete stream: what follows it is not another stream.
        Some(bzip2::Error::DataMagic) => {
            "bzip2: the last complete stream is followed by data that is not bzip2 \
             (garbage appended to the file?)"
        }
        Some(bzip2::Error::Data) => "bzip2: corrupt data (a block does not decode)",
        _ if err.kind() == io::ErrorKind::UnexpectedEof => {
            "bzip2: the data ends in the middle of a stream (a truncated file?)"
        }
        _ => return err,
    };
    io::Error::new(io::ErrorKind::InvalidData, why)
}

/// True when `head` is the start of a bzip2 stream.
pub fn is_bzip2(head: &[u8]) -> bool {
    matches!(head, [b'B', b'Z', b'h', b'1'..=b'9', ..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn bz2(data: &[u8]) -> Vec<u8> {
        let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn read_all(bytes: Vec<u8>) -> Vec<u8> {
        let mut out = Vec::new();
        decompressed(Box::new(Cursor::new(bytes)))
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn detects_bzip2_by_magic() {
        assert!(is_bzip2(b"BZh91AY"));
        assert!(!is_bzip2(b"BZh0"));
        assert!(!is_bzip2(b"BZ"));
        assert!(!is_bzip2(b"timestamp,size"));
    }

    #[test]
    fn plain_passes_through_even_when_tiny() {
        assert_eq!(read_all(b"a\n".to_vec()), b"a\n");
        assert_eq!(read_all(Vec::new()), b"");
        assert_eq!(read_all(b"BZ,x\n".to_vec()), b"BZ,x\n");
    }

    #[test]
    fn reads_every_stream_of_a_multistream_file() {
        let mut both = bz2(b"a,b\n1,2\n");
        both.extend(bz2(b"3,4\n"));
        assert_eq!(read_all(both), b"a,b\n1,2\n3,4\n");
    }

    #[test]
    fn truncated_bzip2_is_an_error() {
        let data = bz2(&b"x,y\n".repeat(1000));
        let mut out = Vec::new();
        let res = decompressed(Box::new(Cursor::new(data[..data.len() / 2].to_vec())))
            .unwrap()
            .read_to_end(&mut out);
        let err = res.unwrap_err().to_string();
        assert!(err.contains("ends in the middle of a stream"), "{err}");
    }

    #[test]
    fn damage_is_named_for_its_cause() {
        let read = |bytes: Vec<u8>| {
            let mut out = Vec::new();
            decompressed(Box::new(Cursor::new(bytes)))
                .unwrap()
                .read_to_end(&mut out)
                .unwrap_err()
                .to_string()
        };
        let good = bz2(&b"x,y\n".repeat(1000));
        let mut garbage = good.clone();
        garbage.extend_from_slice(b"garbage");
        assert!(read(garbage).contains("data that is not bzip2"));
        let mut flipped = good.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x55;
        assert!(read(flipped).contains("corrupt data"));
    }
}
