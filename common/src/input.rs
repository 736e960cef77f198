//! Opening inputs: files or stdin, plain CSV or (multi-stream) bzip2 told apart by magic bytes.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use crate::progress::Counted;
use crate::Reader;

/// One input as the filters read it: a display name (none for stdin) and its CSV reader.
pub struct Input {
    pub name: Option<String>,
    pub reader: Reader<Box<dyn Read>>,
    /// Read through the bzip2 decoder.
    pub compressed: bool,
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
    let (name, raw): (Option<String>, Box<dyn Read + Send>) = if is_stdin(path) {
        (None, Box::new(io::stdin()))
    } else {
        let name = path.display().to_string();
        (Some(name), Box::new(Counted(File::open(path)?)))
    };
    let (source, compressed) = decompressed(raw)?;
    Ok(Input {
        name,
        reader: Reader::new(source),
        compressed,
    })
}

/// Wraps `raw` in a bzip2 decoder if it starts with a bzip2 stream header (`BZh1`..`BZh9`).
///
/// Multi-stream files (pbzip2, lbzip2, `cat a.bz2 b.bz2`) are decoded whole, on a thread of
/// their own: decoding bzip2 costs ten times what the filters do, and so the filter's work
/// hides behind it on a second core.
pub fn decompressed(mut raw: Box<dyn Read + Send>) -> io::Result<(Box<dyn Read>, bool)> {
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
        let decoder = Bzip2(bzip2::read::MultiBzDecoder::new(rejoined));
        Ok((Box::new(Background::spawn(decoder)?), true))
    } else {
        Ok((Box::new(rejoined), false))
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

/// Decoded bytes in this many bytes at a time: a few of them in flight stay in the cache.
const CHUNK: usize = 1 << 16;

/// A reader running on a thread of its own, handing over full chunks through a channel.
struct Background {
    chunks: Receiver<io::Result<Vec<u8>>>,
    /// Spent chunks go back to the thread, so that no chunk is allocated per read.
    spent: SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Background {
    fn spawn<R: Read + Send + 'static>(mut source: R) -> io::Result<Background> {
        let (send, chunks) = sync_channel(2);
        let (spent, recycled) = sync_channel::<Vec<u8>>(4);
        std::thread::Builder::new()
            .name("decode".into())
            .spawn(move || loop {
                let mut chunk = recycled.try_recv().unwrap_or_default();
                chunk.resize(CHUNK, 0);
                let mut filled = 0;
                let result = loop {
                    match source.read(&mut chunk[filled..]) {
                        Ok(0) => break Ok(()),
                        Ok(n) => {
                            filled += n;
                            if filled == CHUNK {
                                break Ok(());
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => break Err(e),
                    }
                };
                chunk.truncate(filled);
                // Stop at the end (an empty chunk), after an error, or when nobody reads.
                let go_on = match result {
                    // The empty chunk says: the end.
                    Ok(()) if filled == 0 => {
                        let _ = send.send(Ok(chunk));
                        false
                    }
                    Ok(()) => send.send(Ok(chunk)).is_ok(),
                    Err(e) => {
                        // Rows decoded before the error still count: they go first.
                        if filled > 0 {
                            let _ = send.send(Ok(chunk));
                        }
                        let _ = send.send(Err(e));
                        false
                    }
                };
                if !go_on {
                    return;
                }
            })?;
        Ok(Background {
            chunks,
            spent,
            chunk: Vec::new(),
            pos: 0,
            done: false,
        })
    }
}

impl Read for Background {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.chunk.len() {
            if self.done {
                return Ok(0);
            }
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    self.done = chunk.is_empty();
                    let old = std::mem::replace(&mut self.chunk, chunk);
                    let _ = self.spent.try_send(old);
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The thread is gone without a word: it can only have panicked.
                Err(_) => {
                    self.done = true;
                    return Err(io::Error::other("the bzip2 decoder stopped unexpectedly"));
                }
            }
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
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
            .0
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
            .0
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
                .0
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
