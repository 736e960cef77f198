//! The compressors `-o` writes with, chosen by the name's extension: bzip2 (lbzip2 in a child
//! process on every core, or libbz2 on a thread per core without it), gzip, zstd and xz.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

/// The compressed formats written, each with the extension that asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Bzip2,
    Gzip,
    Zstd,
    Xz,
}

impl Compression {
    pub const ALL: [(&'static str, Compression); 4] = [
        ("bz2", Compression::Bzip2),
        ("gz", Compression::Gzip),
        ("zst", Compression::Zstd),
        ("xz", Compression::Xz),
    ];

    /// The compression a name's last extension (without the dot, any case) asks for.
    pub fn for_extension(ext: &str) -> Option<Compression> {
        Compression::ALL
            .iter()
            .find(|(e, _)| e.eq_ignore_ascii_case(ext))
            .map(|&(_, c)| c)
    }

    /// A compressor writing into `file`.
    pub fn writer(self, file: BufWriter<File>) -> io::Result<Compressor> {
        Ok(match self {
            Compression::Bzip2 => Compressor::Bzip2(HeldBzip2::Held(Vec::new(), file)),
            // gzip's and xz's default levels, as their tools write.
            Compression::Gzip => Compressor::Gzip(flate2::write::GzEncoder::new(
                file,
                flate2::Compression::default(),
            )),
            Compression::Zstd => {
                let mut enc = zstd::stream::write::Encoder::new(file, 3)?;
                // As the zstd tool writes it: damage is then found, not decoded into garbage.
                enc.include_checksum(true)?;
                Compressor::Zstd(enc)
            }
            Compression::Xz => Compressor::Xz(liblzma::write::XzEncoder::new(file, 6)),
        })
    }
}

/// A compressed stream being written into a file.
pub enum Compressor {
    Bzip2(HeldBzip2),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
    Xz(liblzma::write::XzEncoder<BufWriter<File>>),
}

impl std::fmt::Debug for Compressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Compressor::Bzip2(_) => "Compressor::Bzip2",
            Compressor::Gzip(_) => "Compressor::Gzip",
            Compressor::Zstd(_) => "Compressor::Zstd",
            Compressor::Xz(_) => "Compressor::Xz",
        })
    }
}

impl Compressor {
    fn inner(&mut self) -> &mut dyn Write {
        match self {
            Compressor::Bzip2(w) => w,
            Compressor::Gzip(w) => w,
            Compressor::Zstd(w) => w,
            Compressor::Xz(w) => w,
        }
    }

    /// Ends the compressed stream and returns the file under it.
    pub fn finish(self) -> io::Result<BufWriter<File>> {
        match self {
            Compressor::Bzip2(w) => w.finish(),
            Compressor::Gzip(w) => w.finish(),
            Compressor::Zstd(w) => w.finish(),
            Compressor::Xz(w) => w.finish(),
        }
    }
}

impl Write for Compressor {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner().write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner().flush()
    }
}

/// The bzip2 compressor running: lbzip2, or libbz2 on every core.
#[derive(Debug)]
pub enum Bzip2Writer {
    Lbzip2(Lbzip2),
    Parallel(ParallelBzip2),
}

impl Bzip2Writer {
    fn finish(self) -> io::Result<BufWriter<File>> {
        match self {
            Bzip2Writer::Lbzip2(w) => w.finish(),
            Bzip2Writer::Parallel(w) => w.finish(),
        }
    }
}

impl Write for Bzip2Writer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Bzip2Writer::Lbzip2(w) => w.write(buf),
            Bzip2Writer::Parallel(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The bzip2 compressor for `file`: lbzip2 at `level` (blocks of 100 kB times it), or
/// libbz2 on every core without it.
fn bzip2_writer(file: BufWriter<File>, level: usize) -> io::Result<Bzip2Writer> {
    Ok(match Lbzip2::start(file, level)? {
        Ok(lbzip2) => Bzip2Writer::Lbzip2(lbzip2),
        Err(file) => Bzip2Writer::Parallel(ParallelBzip2::new(file)?),
    })
}

/// A bzip2 output held until it is one level-9 block long (900 kB). lbzip2 gives each core
/// a block, and at level 9 a smaller table is one block on one core: 30 of the last 50 ms of
/// `aggregate.sh`, for its hourly table. A table that ends held is compressed in blocks
/// small enough to make two or more; a longer one goes to lbzip2 -9 as it comes.
#[derive(Debug)]
pub enum HeldBzip2 {
    Held(Vec<u8>, BufWriter<File>),
    Started(Bzip2Writer),
    /// Only while switching from one to the other (or after an error doing so).
    Gone,
}

impl HeldBzip2 {
    /// The compressor at `level`, the held bytes written into it.
    fn start(held: &[u8], file: BufWriter<File>, level: usize) -> io::Result<Bzip2Writer> {
        let mut writer = bzip2_writer(file, level)?;
        writer.write_all(held)?;
        Ok(writer)
    }

    fn gone() -> io::Error {
        io::Error::other("the bzip2 compressor did not start")
    }

    fn finish(self) -> io::Result<BufWriter<File>> {
        match self {
            HeldBzip2::Held(held, file) => {
                HeldBzip2::start(&held, file, (held.len() / 200_000).clamp(1, 9))?.finish()
            }
            HeldBzip2::Started(writer) => writer.finish(),
            HeldBzip2::Gone => Err(HeldBzip2::gone()),
        }
    }
}

impl Write for HeldBzip2 {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let HeldBzip2::Held(held, _) = self {
            if held.len() + buf.len() <= PIECE {
                held.extend_from_slice(buf);
                return Ok(buf.len());
            }
            if let HeldBzip2::Held(held, file) = std::mem::replace(self, HeldBzip2::Gone) {
                *self = HeldBzip2::Started(HeldBzip2::start(&held, file, 9)?);
            }
        }
        match self {
            HeldBzip2::Started(writer) => writer.write(buf),
            _ => Err(HeldBzip2::gone()),
        }
    }

    /// Nothing to do: bzip2 writes whole blocks.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// bzip2 compression by lbzip2 in a child process, when it is installed: its compressor is
/// about three times libbz2's speed per core on monitor tables (1.7 s vs 5.3 s user time for
/// 1 M rows), and it uses every core. The compressed bytes come back through a pipe and
/// are written to the file here, so that a full disk or a file size limit is this
/// process's error, with its usual message.
pub struct Lbzip2 {
    stdin: Option<std::process::ChildStdin>,
    helper: Option<crate::child::Child>,
    /// Copies lbzip2's output into the file; returns the file at the end.
    copier: Option<JoinHandle<io::Result<BufWriter<File>>>>,
}

impl std::fmt::Debug for Lbzip2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lbzip2")
    }
}

impl Lbzip2 {
    /// Starts `lbzip2 -LEVEL` writing into `file`; gives the file back when lbzip2 cannot
    /// start.
    fn start(
        mut file: BufWriter<File>,
        level: usize,
    ) -> io::Result<std::result::Result<Lbzip2, BufWriter<File>>> {
        use std::process::{Command, Stdio};
        let mut command = Command::new("lbzip2");
        command
            .arg(format!("-{level}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let Ok(mut helper) = crate::child::Child::spawn(&mut command) else {
            return Ok(Err(file));
        };
        let (Some(stdin), Some(mut stdout)) = (helper.take_stdin(), helper.take_stdout()) else {
            return Ok(Err(file));
        };
        crate::pipe::widen(&stdin);
        let copier = std::thread::Builder::new()
            .name("lbzip2 out".into())
            .spawn(move || {
                // On an error the pipe closes, and lbzip2 dies of it: the writes to it fail.
                io::copy(&mut stdout, &mut file)?;
                Ok(file)
            })?;
        Ok(Ok(Lbzip2 {
            stdin: Some(stdin),
            helper: Some(helper),
            copier: Some(copier),
        }))
    }

    /// Why lbzip2 stopped taking input: the copier's error (a full disk), or its own end.
    fn failure(&mut self) -> io::Error {
        self.stdin = None;
        if let Some(Ok(Err(e))) = self.copier.take().map(JoinHandle::join) {
            return e;
        }
        match self.helper.take().map(crate::child::Child::wait) {
            Some(Ok(status)) => io::Error::other(format!("lbzip2 failed ({status})")),
            _ => io::Error::other("lbzip2 failed"),
        }
    }

    /// Closes lbzip2's input and returns the file once all of its output is in it.
    fn finish(mut self) -> io::Result<BufWriter<File>> {
        self.stdin = None;
        let file = match self.copier.take().map(JoinHandle::join) {
            Some(Ok(result)) => result?,
            _ => return Err(self.failure()),
        };
        match self.helper.take().map(crate::child::Child::wait) {
            Some(Ok(status)) if status.success() => Ok(file),
            Some(Ok(status)) => Err(io::Error::other(format!("lbzip2 failed ({status})"))),
            Some(Err(e)) => Err(e),
            None => Err(io::Error::other("lbzip2 failed")),
        }
    }
}

impl Write for Lbzip2 {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(stdin) = &mut self.stdin else {
            return Err(self.failure());
        };
        match stdin.write(buf) {
            Err(e) if e.kind() != io::ErrorKind::Interrupted => Err(self.failure()),
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Input bytes per bzip2 stream: one block at level 9 (900 kB, before bzip2's own
/// run-length step, which rarely shrinks CSV).
const PIECE: usize = 900_000;

/// A piece of the table to compress, and where its compressed bytes go.
type Job = (Vec<u8>, SyncSender<io::Result<Vec<u8>>>);

/// bzip2 compression on every core without lbzip2: the table is cut into pieces of one block, each
/// compressed at level 9 as a stream of its own on a worker thread, and the streams are
/// written in order, back to back (as lbzip2 and pbzip2 write; bzip2, Python's bz2 and
/// pandas read every stream). At most about two pieces per core are in flight.
pub struct ParallelBzip2 {
    piece: Vec<u8>,
    /// Pieces to compress, for the workers.
    jobs: Option<SyncSender<Job>>,
    /// Each piece's result, in order, for the writer thread.
    order: Option<SyncSender<Receiver<io::Result<Vec<u8>>>>>,
    workers: Vec<JoinHandle<()>>,
    writer: Option<JoinHandle<io::Result<BufWriter<File>>>>,
    /// Whether any stream was started: an empty table is still one (empty) stream.
    started: bool,
}

impl std::fmt::Debug for ParallelBzip2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParallelBzip2")
            .field("workers", &self.workers.len())
            .finish()
    }
}

impl ParallelBzip2 {
    fn new(mut file: BufWriter<File>) -> io::Result<ParallelBzip2> {
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let (jobs, queue) = sync_channel::<Job>(threads);
        let queue = Arc::new(Mutex::new(queue));
        let mut workers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let queue = Arc::clone(&queue);
            workers.push(
                std::thread::Builder::new()
                    .name("bzip2".into())
                    .spawn(move || loop {
                        let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        let Ok((piece, done)) = job else {
                            return;
                        };
                        let _ = done.send(compress_bzip2(&piece));
                    })?,
            );
        }
        let (order, results) = sync_channel::<Receiver<io::Result<Vec<u8>>>>(threads);
        let writer = std::thread::Builder::new()
            .name("bzip2 out".into())
            .spawn(move || {
                for result in results {
                    let stream = result.recv().unwrap_or_else(|_| {
                        Err(io::Error::other("a bzip2 worker stopped unexpectedly"))
                    })?;
                    file.write_all(&stream)?;
                }
                Ok(file)
            })?;
        Ok(ParallelBzip2 {
            piece: Vec::with_capacity(PIECE),
            jobs: Some(jobs),
            order: Some(order),
            workers,
            writer: Some(writer),
            started: false,
        })
    }

    /// Hands the current piece to a worker.
    fn submit(&mut self) -> io::Result<()> {
        let piece = std::mem::replace(&mut self.piece, Vec::with_capacity(PIECE));
        let (done, result) = sync_channel(1);
        self.started = true;
        let sent = match (&self.order, &self.jobs) {
            (Some(order), Some(jobs)) => {
                order.send(result).is_ok() && jobs.send((piece, done)).is_ok()
            }
            _ => false,
        };
        if sent {
            Ok(())
        } else {
            // The writer stopped: its error says why.
            Err(self
                .stop()
                .err()
                .unwrap_or_else(|| io::Error::other("the bzip2 writer stopped unexpectedly")))
        }
    }

    /// Lets the threads end and returns the file, or the writer's error.
    fn stop(&mut self) -> io::Result<BufWriter<File>> {
        self.jobs = None;
        self.order = None;
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            _ => Err(io::Error::other("the bzip2 writer stopped unexpectedly")),
        }
    }

    /// Compresses what is left and returns the file with every stream written.
    fn finish(mut self) -> io::Result<BufWriter<File>> {
        if !self.piece.is_empty() || !self.started {
            self.submit()?;
        }
        self.stop()
    }
}

impl Write for ParallelBzip2 {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(PIECE - self.piece.len());
        self.piece.extend_from_slice(&buf[..n]);
        if self.piece.len() == PIECE {
            self.submit()?;
        }
        Ok(n)
    }

    /// Nothing to do: pieces are compressed whole (a flush mid-piece would cost a stream).
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One bzip2 stream of `data` at level 9, as pandas writes.
fn compress_bzip2(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut enc = bzip2::write::BzEncoder::new(
        Vec::with_capacity(data.len() / 4),
        bzip2::Compression::best(),
    );
    enc.write_all(data)?;
    enc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn decompress(path: &std::path::Path) -> String {
        let mut text = String::new();
        bzip2::read::MultiBzDecoder::new(File::open(path).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    fn write_bzip2(path: &std::path::Path, data: &[u8]) {
        let file = BufWriter::new(File::create(path).unwrap());
        let mut out = Compression::Bzip2.writer(file).unwrap();
        out.write_all(data).unwrap();
        out.finish().unwrap().flush().unwrap();
    }

    /// A table under one level-9 block is compressed in smaller blocks, for every core (with
    /// lbzip2; libbz2 writes level 9 whatever the size). Contents are the same either way.
    #[test]
    fn small_bzip2_tables_take_smaller_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv.bz2");
        let lbzip2 = std::process::Command::new("lbzip2")
            .arg("--version")
            .output()
            .is_ok();
        for (rows, level) in [
            (0, b'1'),
            (100, b'1'),
            (60_000, b'3'),
            (90_000, b'4'),
            (90_001, b'9'),
        ] {
            let rows: Vec<String> = (0..rows).map(|i| format!("{i:07}:{}", i % 7)).collect();
            let want: String = rows.iter().map(|r| format!("{r}\n")).collect();
            write_bzip2(&path, want.as_bytes());
            assert_eq!(decompress(&path), want);
            let head = std::fs::read(&path).unwrap();
            let want_level = if lbzip2 { level } else { b'9' };
            assert_eq!(
                head[..4],
                [b'B', b'Z', b'h', want_level],
                "{} rows",
                rows.len()
            );
        }
    }

    #[test]
    fn without_lbzip2_every_core_writes_streams_of_one_block() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv.bz2");
        let file = BufWriter::new(File::create(&path).unwrap());
        let mut bz = ParallelBzip2::new(file).unwrap();
        let data: Vec<u8> = (0..400_000)
            .flat_map(|i| format!("{i},{}\n", i % 13).into_bytes())
            .collect();
        for chunk in data.chunks(32_768) {
            bz.write_all(chunk).unwrap();
        }
        bz.finish().unwrap().flush().unwrap();
        assert_eq!(decompress(&path).as_bytes(), data);
        let bytes = std::fs::read(&path).unwrap();
        let streams = bytes
            .windows(10)
            .filter(|w| w[..4] == *b"BZh9" && w[4..] == *b"1AY&SY");
        assert_eq!(streams.count(), data.len().div_ceil(PIECE));
    }
}
