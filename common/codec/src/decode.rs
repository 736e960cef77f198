//! Reading a file or stdin as it was before compression: formats told apart by their first
//! bytes, each decoded on a thread of its own (bzip2 files on every core, by [`crate::bunzip`]).

use std::fs::File;
use std::io::{self, BufRead, Cursor, Read};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use crate::count::Counted;

/// The compression formats the filters read, told apart by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    Bzip2,
    Gzip,
    Zstd,
    Xz,
}

impl Format {
    /// The format whose magic bytes `head` starts with (up to 6 bytes are looked at).
    pub fn sniff(head: &[u8]) -> Format {
        match head {
            [b'B', b'Z', b'h', b'1'..=b'9', ..] => Format::Bzip2,
            [0x1f, 0x8b, ..] => Format::Gzip,
            // A frame, or a skippable frame (pzstd writes one first).
            [0x28, 0xb5, 0x2f, 0xfd, ..] | [0x50..=0x5f, 0x2a, 0x4d, 0x18, ..] => Format::Zstd,
            [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Format::Xz,
            _ => Format::Plain,
        }
    }

    /// Its name in messages, as its command-line tool is called.
    pub fn name(self) -> &'static str {
        match self {
            Format::Plain => "plain",
            Format::Bzip2 => "bzip2",
            Format::Gzip => "gzip",
            Format::Zstd => "zstd",
            Format::Xz => "xz",
        }
    }

    /// What one self-contained piece of a file is called: files may hold several back to back.
    fn unit(self) -> &'static str {
        match self {
            Format::Gzip => "member",
            Format::Zstd => "frame",
            _ => "stream",
        }
    }
}

/// True for `-`, which names stdin.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// An input's bytes as they were before compression.
pub struct Decoded {
    pub source: Box<dyn Read>,
    /// Read through a decoder (whose verdict on damage beats the rows it garbled).
    pub compressed: bool,
}

impl std::fmt::Debug for Decoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoded")
            .field("compressed", &self.compressed)
            .finish_non_exhaustive()
    }
}

/// Opens `path` (`-` is stdin) with the decoder its first bytes call for. A regular bzip2
/// file is decoded on every core by [`crate::bunzip`] (`NETAGG_BZIP2=libbz2` asks for libbz2
/// instead, for comparisons); everything else on a thread of its own. The bytes read as
/// stored are counted ([`crate::count`]).
pub fn open(path: &Path) -> io::Result<Decoded> {
    if is_stdin(path) {
        crate::pipe::widen(io::stdin());
        let (source, compressed) = decompressed(Box::new(io::stdin()))?;
        return Ok(Decoded { source, compressed });
    }
    if let Some(decoder) = crate::bunzip::open(path)? {
        return Ok(Decoded {
            source: Box::new(decoder),
            compressed: true,
        });
    }
    let mut file = File::open(path)?;
    let head = read_head(&mut file)?;
    // The head was read before counting: count it now, then every byte after it.
    crate::count::add(head.len() as u64);
    let raw = Box::new(Cursor::new(head).chain(Counted(file)));
    let (source, compressed) = decompressed(raw)?;
    Ok(Decoded { source, compressed })
}

/// The first bytes of `raw`, enough for any magic.
fn read_head(raw: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = [0u8; 6];
    let got = read_full(raw, &mut head)?;
    Ok(head[..got].to_vec())
}

/// Reads until `buf` is full or the input ends (a pipe may deliver it in pieces); how many
/// bytes it got.
pub(crate) fn read_full(src: &mut (impl Read + ?Sized), buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match src.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Wraps `raw` in the decoder its first bytes call for, if any; true when one was needed.
///
/// Every file may hold several streams (members, frames) back to back, as pbzip2, lbzip2,
/// pigz, `zstd -T` and `cat a.gz b.gz` write them; all are read. Decoding runs on a thread of
/// its own: it costs several times what the filters do, and so the filter's work hides behind
/// it on a second core.
pub fn decompressed(mut raw: Box<dyn Read + Send>) -> io::Result<(Box<dyn Read>, bool)> {
    let head = read_head(&mut raw)?;
    let format = Format::sniff(&head);
    let rejoined = Box::new(Cursor::new(head).chain(raw));
    let decoder: Box<dyn Read + Send> = match format {
        Format::Plain => return Ok((rejoined, false)),
        Format::Bzip2 => Box::new(Bzip2(bzip2::read::MultiBzDecoder::new(rejoined))),
        _ => Box::new(Members::new(format, rejoined)),
    };
    Ok((Box::new(Background::spawn(decoder)?), true))
}

/// The bzip2 decoder, its errors said in terms of what happened to the file.
pub(crate) struct Bzip2<R>(pub(crate) bzip2::read::MultiBzDecoder<R>);

impl<R: Read> Read for Bzip2<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(explain_bzip2)
    }
}

/// Replaces the decoder's terse messages (`bz2 header missing`) with their likely cause.
fn explain_bzip2(err: io::Error) -> io::Error {
    let why = match err.get_ref().and_then(|e| e.downcast_ref::<bzip2::Error>()) {
        // Only read after a complete stream: what follows it is not another stream.
        Some(bzip2::Error::DataMagic) => return garbage(Format::Bzip2),
        Some(bzip2::Error::Data) => "bzip2: corrupt data (a block does not decode)".to_owned(),
        _ if err.kind() == io::ErrorKind::UnexpectedEof => return truncated(Format::Bzip2),
        _ => return err,
    };
    io::Error::new(io::ErrorKind::InvalidData, why)
}

fn truncated(format: Format) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{}: the data ends in the middle of a {} (a truncated file?)",
            format.name(),
            format.unit()
        ),
    )
}

fn garbage(format: Format) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{0}: the last complete {1} is followed by data that is not {0} \
             (garbage appended to the file?)",
            format.name(),
            format.unit()
        ),
    )
}

fn corrupt(format: Format, err: &io::Error) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: corrupt data ({err})", format.name()),
    )
}

/// A byte source that can look ahead at the next few bytes and says whether it hit the end.
struct Source {
    inner: Box<dyn Read + Send>,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// A read returned nothing: the input is exhausted.
    at_end: bool,
}

impl Source {
    fn new(inner: Box<dyn Read + Send>) -> Source {
        Source {
            inner,
            buf: vec![0; 1 << 16],
            pos: 0,
            end: 0,
            at_end: false,
        }
    }

    /// The next `n` bytes, or fewer at the end of the input.
    fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.end - self.pos < n {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
            while self.end < n && !self.at_end {
                self.more()?;
            }
        }
        Ok(&self.buf[self.pos..self.end.min(self.pos + n)])
    }

    fn more(&mut self) -> io::Result<()> {
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.at_end = true;
                    return Ok(());
                }
                Ok(k) => {
                    self.end += k;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Source {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end && !self.at_end {
            self.pos = 0;
            self.end = 0;
            self.more()?;
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.end);
    }
}

/// The decoder of one gzip member, zstd frame or xz stream; each stops at its own end.
enum Member {
    Gzip(flate2::bufread::GzDecoder<Source>),
    Zstd(zstd::stream::read::Decoder<'static, Source>),
    Xz(liblzma::bufread::XzDecoder<Source>),
}

impl Member {
    fn start(format: Format, source: Source) -> io::Result<Member> {
        Ok(match format {
            Format::Gzip => Member::Gzip(flate2::bufread::GzDecoder::new(source)),
            Format::Zstd => {
                Member::Zstd(zstd::stream::read::Decoder::with_buffer(source)?.single_frame())
            }
            _ => Member::Xz(liblzma::bufread::XzDecoder::new(source)),
        })
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Member::Gzip(d) => d.read(buf),
            Member::Zstd(d) => d.read(buf),
            Member::Xz(d) => d.read(buf),
        }
    }

    fn into_source(self) -> Source {
        match self {
            Member::Gzip(d) => d.into_inner(),
            Member::Zstd(d) => d.finish(),
            Member::Xz(d) => d.into_inner(),
        }
    }
}

/// Where a multi-member decoder is.
enum State {
    /// Between members (or before the first): the next bytes decide.
    Between(Source),
    In(Box<Member>),
    Done,
}

/// Decodes the gzip members, zstd frames or xz streams of a file one after the other, so that
/// a failure can be named for its place: inside a member (a truncated file, corrupt data) or
/// after the last complete one (garbage that is not another member).
struct Members {
    format: Format,
    state: State,
}

impl Members {
    fn new(format: Format, raw: Box<dyn Read + Send>) -> Members {
        Members {
            format,
            state: State::Between(Source::new(raw)),
        }
    }

    /// At a member boundary: starts the next member, or ends at the end of the input.
    fn next_member(&mut self, mut source: Source) -> io::Result<State> {
        if self.format == Format::Xz {
            // Stream padding: zero bytes in fours may follow any xz stream.
            let mut zeros = 0usize;
            loop {
                let avail = source.fill_buf()?;
                let n = avail.iter().take_while(|&&b| b == 0).count();
                if n == 0 {
                    break;
                }
                zeros += n;
                source.consume(n);
            }
            if zeros % 4 != 0 {
                return Err(garbage(self.format));
            }
        }
        let head = source.peek(6)?;
        if head.is_empty() {
            return Ok(State::Done);
        }
        if Format::sniff(head) != self.format {
            return Err(garbage(self.format));
        }
        Ok(State::In(Box::new(Member::start(self.format, source)?)))
    }

    /// An error inside a member: the input ended too soon, or the data does not decode. (A
    /// corruption that makes the decoder read on to the end looks like a truncation.)
    fn explain(&self, err: io::Error) -> io::Error {
        if err.kind() == io::ErrorKind::UnexpectedEof {
            truncated(self.format)
        } else {
            corrupt(self.format, &err)
        }
    }
}

impl Read for Members {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return Ok(0),
                State::Between(source) => self.state = self.next_member(source)?,
                State::In(mut member) => match member.read(buf) {
                    Ok(0) => self.state = State::Between(member.into_source()),
                    Ok(n) => {
                        self.state = State::In(member);
                        return Ok(n);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                        self.state = State::In(member);
                    }
                    Err(e) => return Err(self.explain(e)),
                },
            }
        }
    }
}

/// Decoded bytes in this many bytes at a time: a few of them in flight stay in the cache.
const CHUNK: usize = 1 << 16;

/// A reader running on a thread of its own, handing over full chunks through a channel.
pub(crate) struct Background {
    chunks: Receiver<io::Result<Vec<u8>>>,
    /// Spent chunks go back to the thread, so that no chunk is allocated per read.
    spent: SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Background {
    pub(crate) fn spawn<R: Read + Send + 'static>(mut source: R) -> io::Result<Background> {
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
                    return Err(io::Error::other("the decoder stopped unexpectedly"));
                }
            }
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
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

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    /// With the content checksum, as the zstd tool writes it.
    fn zst(data: &[u8]) -> Vec<u8> {
        let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 1).unwrap();
        enc.include_checksum(true).unwrap();
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn xz(data: &[u8]) -> Vec<u8> {
        let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 1);
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    type Compress = fn(&[u8]) -> Vec<u8>;

    /// Every compressed format, with its compressor.
    fn formats() -> [(Format, Compress); 4] {
        [
            (Format::Bzip2, bz2),
            (Format::Gzip, gz),
            (Format::Zstd, zst),
            (Format::Xz, xz),
        ]
    }

    fn read(bytes: Vec<u8>) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        decompressed(Box::new(Cursor::new(bytes)))?
            .0
            .read_to_end(&mut out)?;
        Ok(out)
    }

    fn read_all(bytes: Vec<u8>) -> Vec<u8> {
        read(bytes).unwrap()
    }

    fn error(bytes: Vec<u8>) -> String {
        match read(bytes) {
            Ok(data) => panic!("read {} bytes without an error", data.len()),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn detects_formats_by_magic() {
        for (format, compress) in formats() {
            assert_eq!(Format::sniff(&compress(b"a,b\n")), format);
        }
        assert_eq!(Format::sniff(b"\x1f"), Format::Plain);
        assert_eq!(Format::sniff(b"\xfd7zXZ"), Format::Plain);
    }

    #[test]
    fn plain_passes_through_even_when_tiny() {
        assert_eq!(read_all(b"a\n".to_vec()), b"a\n");
        assert_eq!(read_all(Vec::new()), b"");
        assert_eq!(read_all(b"BZ,x\n".to_vec()), b"BZ,x\n");
        assert_eq!(read_all(b"\x1f,x\n".to_vec()), b"\x1f,x\n");
    }

    #[test]
    fn reads_every_member_of_a_multimember_file() {
        for (format, compress) in formats() {
            let mut both = compress(b"a,b\n1,2\n");
            both.extend(compress(b"3,4\n"));
            assert_eq!(read_all(both), b"a,b\n1,2\n3,4\n", "{format:?}");
            assert_eq!(read_all(compress(b"")), b"", "{format:?}");
        }
        // xz allows zero padding in fours between and after streams.
        let mut padded = xz(b"a\n");
        padded.extend([0; 8]);
        padded.extend(xz(b"b\n"));
        padded.extend([0; 4]);
        assert_eq!(read_all(padded), b"a\nb\n");
        // zstd skips skippable frames.
        let mut skippable = vec![0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
        skippable.extend(zst(b"a\n"));
        assert_eq!(read_all(skippable), b"a\n");
    }

    #[test]
    fn damage_is_named_for_its_cause_in_every_format() {
        let data = b"x,y\n".repeat(1000);
        let rows: Vec<u8> = (0..20_000u32)
            .flat_map(|i| format!("{i},{}\n", i.wrapping_mul(2_654_435_761)).into_bytes())
            .collect();
        for (format, compress) in formats() {
            let name = format.name();
            let unit = format.unit();
            let good = compress(&data);
            let err = error(good[..good.len() / 2].to_vec());
            assert_eq!(
                err,
                format!("{name}: the data ends in the middle of a {unit} (a truncated file?)")
            );
            let err = error(good[..good.len() - 1].to_vec());
            assert!(err.contains("ends in the middle"), "{format:?}: {err}");
            for tail in [&b"garbage"[..], b"\0\0\0\0\0\0\0garbage"] {
                let mut garbled = good.clone();
                garbled.extend_from_slice(tail);
                let err = error(garbled);
                assert_eq!(
                    err,
                    format!(
                        "{name}: the last complete {unit} is followed by data that is not \
                         {name} (garbage appended to the file?)"
                    ),
                    "{tail:?}"
                );
            }
            // A flipped byte in the middle of varied data.
            let mut flipped = compress(&rows);
            let mid = flipped.len() / 2;
            flipped[mid] ^= 0x55;
            let err = error(flipped);
            assert!(
                err.starts_with(&format!("{name}: corrupt data")),
                "{format:?}: {err}"
            );
        }
    }
}
