//! Where a filter writes: stdout, or `-o FILE` written atomically and compressed by its name
//! (`.bz2`, `.gz`, `.zst`, `.xz`), without ever harming another file.

use std::fs::{File, Metadata};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use tempfile::TempPath;

use crate::{Error, Result, Writer};

/// The compressions `-o` writes, by the name's last extension.
const COMPRESSED: [(&str, Codec); 4] = [
    ("bz2", Codec::Bzip2),
    ("gz", Codec::Gzip),
    ("zst", Codec::Zstd),
    ("xz", Codec::Xz),
];

/// Extensions of compressed or archive formats that `-o` does not write: plain CSV under
/// such a name would be misread later, so the name is refused.
const REFUSED: [&str; 24] = [
    "7z", "arj", "br", "bz", "bzip2", "cab", "gzip", "lrz", "lz", "lz4", "lzma", "lzo", "rar",
    "sz", "tar", "taz", "tbz", "tbz2", "tgz", "tlz", "txz", "tzst", "z", "zip",
];

/// How `-o` compresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Plain,
    Bzip2,
    Gzip,
    Zstd,
    Xz,
}

impl Codec {
    /// The compression that `path`'s name asks for; a usage error for a compressed format
    /// that is not written.
    fn for_name(path: &Path) -> Result<Codec> {
        let Some(ext) = path.extension().map(|e| e.to_string_lossy().to_lowercase()) else {
            return Ok(Codec::Plain);
        };
        if let Some(&(_, codec)) = COMPRESSED.iter().find(|(e, _)| *e == ext) {
            return Ok(codec);
        }
        if REFUSED.contains(&ext.as_str()) || ext == "zstd" {
            return Err(Error::usage(format!(
                "-o {}: cannot write .{ext} files; -o compresses a name ending in .bz2 (bzip2), \
                 .gz (gzip), .zst (zstd) or .xz (xz), and writes any other name as plain CSV",
                path.display()
            )));
        }
        Ok(Codec::Plain)
    }
}

/// The byte sink under the CSV writer.
pub enum Sink {
    Stdout(io::Stdout),
    File(BufWriter<File>),
    Bzip2(ParallelBzip2),
    Lbzip2(Lbzip2),
    HeldBzip2(HeldBzip2),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
    Xz(liblzma::write::XzEncoder<BufWriter<File>>),
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Sink::Stdout(_) => "Sink::Stdout",
            Sink::File(_) => "Sink::File",
            Sink::Bzip2(_) => "Sink::Bzip2",
            Sink::Lbzip2(_) => "Sink::Lbzip2",
            Sink::HeldBzip2(_) => "Sink::HeldBzip2",
            Sink::Gzip(_) => "Sink::Gzip",
            Sink::Zstd(_) => "Sink::Zstd",
            Sink::Xz(_) => "Sink::Xz",
        })
    }
}

impl Sink {
    fn inner(&mut self) -> &mut dyn Write {
        match self {
            Sink::Stdout(w) => w,
            Sink::File(w) => w,
            Sink::Bzip2(w) => w,
            Sink::Lbzip2(w) => w,
            Sink::HeldBzip2(w) => w,
            Sink::Gzip(w) => w,
            Sink::Zstd(w) => w,
            Sink::Xz(w) => w,
        }
    }

    /// Ends the compressed stream and returns the file under it (none for stdout).
    fn finish(self) -> io::Result<Option<BufWriter<File>>> {
        Ok(Some(match self {
            Sink::Stdout(mut w) => {
                w.flush()?;
                return Ok(None);
            }
            Sink::File(w) => w,
            Sink::Bzip2(w) => w.finish()?,
            Sink::Lbzip2(w) => w.finish()?,
            Sink::HeldBzip2(w) => return w.finish(),
            Sink::Gzip(w) => w.finish()?,
            Sink::Zstd(w) => w.finish()?,
            Sink::Xz(w) => w.finish()?,
        }))
    }
}

impl Write for Sink {
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

/// The file a finished `-o` output replaces or becomes, and the old file's metadata.
#[derive(Debug)]
struct Pending {
    temp: TempPath,
    target: PathBuf,
    old: Option<Metadata>,
}

/// An output in progress. Until [`Output::commit`] succeeds, `-o FILE` is untouched:
/// rows go to a hidden temp file beside it, which is removed if the filter fails.
#[derive(Debug)]
pub struct Output {
    pub writer: Writer<Sink>,
    name: String,
    pending: Option<Pending>,
}

/// Where `-o PATH` leads once its symlinks are followed.
#[derive(Debug)]
enum Target {
    /// A regular file (or none yet) at this path: replaced atomically.
    File(PathBuf, Option<Metadata>),
    /// A device, FIFO or socket, or an open file named through /proc (`/dev/stdout`,
    /// `/proc/self/fd/N`): written in place, never renamed over.
    InPlace(PathBuf),
    /// This process's stdout or stderr (`/dev/stdout`, `/dev/fd/2`, ...): written through it.
    Own(File),
}

/// Follows `path`'s symlinks (relative ones from the folder of the link) to what `-o` writes.
fn resolve(path: &Path) -> io::Result<Target> {
    // Symlinks in /proc (`/proc/self/fd/1`) name open files, not paths to rename onto.
    let procfs = std::fs::symlink_metadata("/proc/self")
        .ok()
        .map(|m| m.dev());
    let mut at = path.to_path_buf();
    // Linux's own limit on links followed.
    for _ in 0..40 {
        let meta = match std::fs::symlink_metadata(&at) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::File(at, None)),
            Err(e) => return Err(e),
            Ok(meta) => meta,
        };
        let kind = meta.file_type();
        if kind.is_symlink() && Some(meta.dev()) == procfs {
            return Ok(own_stream(&at)?.map_or(Target::InPlace(at), Target::Own));
        }
        if kind.is_symlink() {
            let link = std::fs::read_link(&at)?;
            at = match at.parent() {
                Some(folder) if link.is_relative() => folder.join(link),
                _ => link,
            };
            continue;
        }
        if kind.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory; -o takes a file name",
            ));
        }
        if kind.is_file() {
            return Ok(Target::File(at, Some(meta)));
        }
        return Ok(Target::InPlace(at));
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "too many levels of symbolic links",
    ))
}

/// A duplicate of this process's stdout or stderr when `link` (in /proc) names one of them.
/// Written through, the output shares its offset and mode (`>>` appends), as a shell's
/// `> /dev/stdout` does; opening the file anew would start at its first byte.
fn own_stream(link: &Path) -> io::Result<Option<File>> {
    use std::os::fd::AsFd;
    let (Some(folder), Some(fd)) = (link.parent(), link.file_name()) else {
        return Ok(None);
    };
    let ours = std::fs::canonicalize("/proc/self/fd").ok();
    if ours.is_none() || std::fs::canonicalize(folder).ok() != ours {
        return Ok(None);
    }
    let fd = if fd == "1" {
        io::stdout().as_fd().try_clone_to_owned()?
    } else if fd == "2" {
        io::stderr().as_fd().try_clone_to_owned()?
    } else {
        return Ok(None);
    };
    Ok(Some(File::from(fd)))
}

impl Output {
    /// Opens stdout (`None` or `-`) or a temp file for `path`.
    ///
    /// `-o` onto a symlink writes its final target (the temp file is made beside the target
    /// and renamed onto it; the links stay links). A device, FIFO, or an open file named
    /// through /proc (`/dev/stdout`) is written in place: a regular file reached that way
    /// is appended to, never truncated. A new file gets the mode that the umask gives any
    /// new file (as `cp` and `sed -i` do); a replaced file keeps its mode and, where
    /// allowed, its owner.
    pub fn open(path: Option<&Path>) -> Result<Output> {
        let Some(path) = path.filter(|p| !crate::input::is_stdin(p)) else {
            crate::pipe::widen(io::stdout());
            return Ok(Output {
                writer: Writer::new(Sink::Stdout(io::stdout())),
                name: "stdout".into(),
                pending: None,
            });
        };
        let codec = Codec::for_name(path)?;
        let name = path.display().to_string();
        let fail = |e: io::Error| Error::io(e).file(Some(&name));
        let in_place = |file: File| -> Result<Output> {
            let file = BufWriter::with_capacity(1 << 16, file);
            Ok(Output {
                writer: Writer::new(sink(codec, file).map_err(fail)?),
                name: name.clone(),
                pending: None,
            })
        };
        let (target, old) = match resolve(path).map_err(fail)? {
            Target::Own(file) => return in_place(file),
            Target::InPlace(at) => {
                let regular = std::fs::metadata(&at).is_ok_and(|m| m.is_file());
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .append(regular)
                    .open(&at)
                    .map_err(fail)?;
                return in_place(file);
            }
            Target::File(at, old) => (at, old),
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let file_name = target.file_name().map_or_else(
            || std::borrow::Cow::Borrowed("output"),
            |n| n.to_string_lossy(),
        );
        // Created with the mode the file will have (the umask applies, as to any new file),
        // or less: nobody can read more of the temp file than of the finished one.
        let mode = old.as_ref().map_or(0o666, |m| m.mode() & 0o777);
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{file_name}."))
            .suffix(".tmp")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))
            .tempfile_in(dir)
            .map_err(fail)?;
        let (file, temp) = temp.into_parts();
        crate::signals::track(Some(temp.to_path_buf()));
        let file = BufWriter::with_capacity(1 << 16, file);
        Ok(Output {
            writer: Writer::new(sink(codec, file).map_err(fail)?),
            name,
            pending: Some(Pending { temp, target, old }),
        })
    }

    /// Writes `bytes` as they are (a figure, not CSV rows); [`Output::commit`] finishes it.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        let name = &self.name;
        self.writer
            .write_raw(bytes)
            .map_err(|e| Error::io(e).file(Some(name)))
    }

    /// What write errors should be attributed to.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether someone may be reading the output as it is written (stdout, a FIFO, a
    /// device), so that rows are worth passing on before waiting for input. A `-o` file is
    /// seen only when it is complete: flushing it early would only cost (a compressed
    /// stream's flush ends a block).
    pub fn is_live(&self) -> bool {
        self.pending.is_none()
    }

    /// Flushes everything and, for `-o`, moves the finished file into place.
    pub fn commit(self) -> Result<()> {
        let name = self.name;
        let fail = |e: io::Error| Error::io(e).file(Some(&name));
        let sink = self.writer.into_inner().map_err(fail)?;
        let Some(file) = sink.finish().map_err(fail)? else {
            return Ok(());
        };
        let file = file.into_inner().map_err(|e| fail(e.into_error()))?;
        if let Some(Pending { temp, target, old }) = self.pending {
            file.sync_all().map_err(fail)?;
            if let Some(old) = old {
                keep_owner_and_mode(&file, &old).map_err(fail)?;
            }
            temp.persist(&target).map_err(|e| fail(e.error))?;
            crate::signals::track(None);
        }
        Ok(())
    }
}

/// Gives the new file the replaced file's owner (where allowed: root, or a group of one's
/// own, as `sed -i` tries) and then its mode (a change of owner clears set-id bits).
fn keep_owner_and_mode(file: &File, old: &Metadata) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let now = file.metadata()?;
    if (now.uid(), now.gid()) != (old.uid(), old.gid())
        && std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())).is_err()
    {
        let _ = std::os::unix::fs::fchown(file, None, Some(old.gid()));
    }
    file.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o7777))
}

/// The sink that compresses as `codec` says into `file`.
fn sink(codec: Codec, file: BufWriter<File>) -> io::Result<Sink> {
    Ok(match codec {
        Codec::Plain => Sink::File(file),
        Codec::Bzip2 => Sink::HeldBzip2(HeldBzip2::Held(Vec::new(), file)),
        // gzip's and xz's default levels, as their tools write.
        Codec::Gzip => Sink::Gzip(flate2::write::GzEncoder::new(
            file,
            flate2::Compression::default(),
        )),
        Codec::Zstd => {
            let mut enc = zstd::stream::write::Encoder::new(file, 3)?;
            // As the zstd tool writes it: damage is then found, not decoded into garbage.
            enc.include_checksum(true)?;
            Sink::Zstd(enc)
        }
        Codec::Xz => Sink::Xz(liblzma::write::XzEncoder::new(file, 6)),
    })
}

/// The bzip2 compressor for `file`: lbzip2 at `level` (blocks of 100 kB times it), or
/// libbz2 on every core without it.
fn bzip2_sink(file: BufWriter<File>, level: usize) -> io::Result<Sink> {
    Ok(match Lbzip2::start(file, level)? {
        Ok(lbzip2) => Sink::Lbzip2(lbzip2),
        Err(file) => Sink::Bzip2(ParallelBzip2::new(file)?),
    })
}

/// A bzip2 output held until it is one level-9 block long (900 kB). lbzip2 gives each core
/// a block, and at level 9 a smaller table is one block on one core: 30 of the last 50 ms of
/// `aggregate.sh`, for its hourly table. A table that ends held is compressed in blocks
/// small enough to make two or more; a longer one goes to lbzip2 -9 as it comes.
#[derive(Debug)]
pub enum HeldBzip2 {
    Held(Vec<u8>, BufWriter<File>),
    Started(Box<Sink>),
    /// Only while switching from one to the other (or after an error doing so).
    Gone,
}

impl HeldBzip2 {
    /// The compressor at `level`, the held bytes written into it.
    fn start(held: &[u8], file: BufWriter<File>, level: usize) -> io::Result<Sink> {
        let mut sink = bzip2_sink(file, level)?;
        sink.write_all(held)?;
        Ok(sink)
    }

    fn gone() -> io::Error {
        io::Error::other("the bzip2 compressor did not start")
    }

    fn finish(self) -> io::Result<Option<BufWriter<File>>> {
        match self {
            HeldBzip2::Held(held, file) => {
                HeldBzip2::start(&held, file, (held.len() / 200_000).clamp(1, 9))?.finish()
            }
            HeldBzip2::Started(sink) => sink.finish(),
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
                *self = HeldBzip2::Started(Box::new(HeldBzip2::start(&held, file, 9)?));
            }
        }
        match self {
            HeldBzip2::Started(sink) => sink.write(buf),
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
    helper: Option<crate::helper::Helper>,
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
        let Ok(mut helper) = crate::helper::Helper::spawn(&mut command) else {
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
        match self.helper.take().map(crate::helper::Helper::wait) {
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
        match self.helper.take().map(crate::helper::Helper::wait) {
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
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    use std::path::PathBuf;

    fn write_table(path: &Path, rows: &[&[u8]]) -> Result<()> {
        let mut out = Output::open(Some(path))?;
        for row in rows {
            out.writer.record([*row])?;
        }
        out.commit()
    }

    #[test]
    fn nothing_appears_until_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut out = Output::open(Some(&path)).unwrap();
        out.writer.record([&b"a"[..], b"b"]).unwrap();
        out.writer.flush().unwrap();
        assert!(!path.exists());
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn dropped_output_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["out.csv", "out.csv.bz2"] {
            let path = dir.path().join(name);
            let mut out = Output::open(Some(&path)).unwrap();
            for _ in 0..100_000 {
                out.writer.record([&b"a,b,c,d,e,f,g"[..]]).unwrap();
            }
            drop(out);
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        }
    }

    #[test]
    fn a_device_is_written_in_place() {
        let mut out = Output::open(Some(Path::new("/dev/null"))).unwrap();
        out.writer.record([&b"a"[..]]).unwrap();
        out.commit().unwrap();
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
        let dir = tempfile::tempdir().unwrap();
        let err = Output::open(Some(dir.path())).unwrap_err().to_string();
        assert!(
            err.ends_with(": is a directory; -o takes a file name"),
            "{err}"
        );
    }

    fn decompress(path: &Path) -> String {
        let file = File::open(path).unwrap();
        let mut text = String::new();
        let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
        let mut reader: Box<dyn Read> = match ext.as_deref() {
            Some("bz2") => Box::new(bzip2::read::MultiBzDecoder::new(file)),
            Some("gz") => Box::new(flate2::read::MultiGzDecoder::new(file)),
            Some("zst") => Box::new(zstd::stream::read::Decoder::new(file).unwrap()),
            Some("xz") => Box::new(liblzma::read::XzDecoder::new_multi_decoder(file)),
            _ => Box::new(file),
        };
        reader.read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn names_compress_as_their_extension_says() {
        let dir = tempfile::tempdir().unwrap();
        let rows: Vec<String> = (0..300_000).map(|i| format!("{i}:{}", i % 7)).collect();
        let rows: Vec<&[u8]> = rows.iter().map(|r| r.as_bytes()).collect();
        let want: String = rows
            .iter()
            .map(|r| format!("{}\n", String::from_utf8_lossy(r)))
            .collect();
        for name in ["t.csv.bz2", "t.csv.gz", "t.csv.zst", "t.csv.xz", "T.CSV.GZ"] {
            let path = dir.path().join(name);
            write_table(&path, &rows).unwrap();
            assert_eq!(decompress(&path), want, "{name}");
            assert!(
                std::fs::metadata(&path).unwrap().len() < want.len() as u64 / 2,
                "{name}"
            );
            if name.ends_with(".bz2") {
                // Several pieces give several streams, as lbzip2 writes.
                assert!(std::fs::read(&path).unwrap().starts_with(b"BZh9"));
            }
            // An empty table is still a valid file.
            write_table(&path, &[]).unwrap();
            assert_eq!(decompress(&path), "", "{name}");
        }
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
            let rows: Vec<&[u8]> = rows.iter().map(|r| r.as_bytes()).collect();
            write_table(&path, &rows).unwrap();
            let want: String = rows
                .iter()
                .map(|r| format!("{}\n", String::from_utf8_lossy(r)))
                .collect();
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
    fn unknown_compression_names_are_usage_errors() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "t.csv.lz4",
            "t.zip",
            "t.csv.bz",
            "t.7z",
            "t.csv.Z",
            "t.tgz",
            "t.zstd",
        ] {
            let err = Output::open(Some(&dir.path().join(name))).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{name}");
            assert!(
                err.to_string().contains(".bz2 (bzip2), .gz (gzip)"),
                "{err}"
            );
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        for name in ["t.csv", "t.tsv", "table", "t.csv.bak", ".hidden"] {
            write_table(&dir.path().join(name), &[b"x"]).unwrap();
        }
    }

    #[test]
    fn new_files_follow_the_umask_and_replaced_files_keep_their_mode() {
        let dir = tempfile::tempdir().unwrap();
        // The umask this process runs with, as any new file shows it.
        let probe = dir.path().join("probe");
        File::create(&probe).unwrap();
        let default = std::fs::metadata(&probe).unwrap().mode() & 0o777;
        for name in ["new.csv", "new.csv.bz2"] {
            let path = dir.path().join(name);
            write_table(&path, &[b"x"]).unwrap();
            assert_eq!(
                std::fs::metadata(&path).unwrap().mode() & 0o777,
                default,
                "{name}"
            );
            for mode in [0o600, 0o640, 0o755, 0o444] {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
                write_table(&path, &[b"y"]).unwrap();
                assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o7777, mode);
            }
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

    /// The folders of a property case, below its root: links and targets go into these.
    const FOLDERS: [&str; 3] = ["a", "b", "b/sub"];

    /// What a folder tree holds: each path (below the root) with its link text or contents.
    fn snapshot(root: &Path) -> std::collections::BTreeMap<PathBuf, String> {
        let mut seen = std::collections::BTreeMap::new();
        let mut todo = vec![root.to_path_buf()];
        while let Some(folder) = todo.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                let meta = std::fs::symlink_metadata(&path).unwrap();
                let what = if meta.is_symlink() {
                    format!("link to {}", std::fs::read_link(&path).unwrap().display())
                } else if meta.is_dir() {
                    todo.push(path.clone());
                    "folder".into()
                } else if meta.file_type().is_fifo() {
                    "fifo".into()
                } else {
                    format!(
                        "{:o} {}",
                        meta.mode() & 0o777,
                        std::fs::read_to_string(&path).unwrap()
                    )
                };
                seen.insert(path.strip_prefix(root).unwrap().to_path_buf(), what);
            }
        }
        seen
    }

    /// `to` (below the root) as seen from `from_folder` (below the root).
    fn relative(from_folder: &str, to: &Path) -> PathBuf {
        let mut path = PathBuf::new();
        for _ in Path::new(from_folder).components() {
            path.push("..");
        }
        path.join(to)
    }

    /// Where the chain ends.
    #[derive(Debug, Clone, Copy)]
    enum End {
        NewFile,
        OldFile(u32),
        Fifo,
        DevNull,
    }

    fn end() -> impl proptest::strategy::Strategy<Value = End> {
        use proptest::prelude::*;
        prop_oneof![
            Just(End::NewFile),
            (0o400u32..0o777).prop_map(End::OldFile),
            Just(End::Fifo),
            Just(End::DevNull),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// -o through any chain of symlinks (relative or absolute, across folders) writes the
        /// table into the chain's end: a regular file replaced (its mode kept) or created, a
        /// FIFO or /dev/null written in place; the links stay as they were, nothing else in
        /// the folders changes, and no temp file is left.
        #[test]
        fn symlink_chains_lead_to_their_end(
            links in proptest::collection::vec((0..FOLDERS.len(), proptest::bool::ANY), 0..5),
            end_folder in 0..FOLDERS.len(),
            end in end(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            for folder in FOLDERS {
                std::fs::create_dir_all(root.join(folder)).unwrap();
                std::fs::write(root.join(folder).join("bystander.csv"), "keep\n").unwrap();
            }
            // The chain's end, then the links to it, last to first.
            let mut next = Path::new(FOLDERS[end_folder]).join("target.csv");
            match end {
                End::NewFile => {}
                End::OldFile(mode) => {
                    std::fs::write(root.join(&next), "old\n").unwrap();
                    std::fs::set_permissions(root.join(&next), PermissionsExt::from_mode(mode))
                        .unwrap();
                }
                End::Fifo => {
                    let status = std::process::Command::new("mkfifo")
                        .arg(root.join(&next))
                        .status()
                        .unwrap();
                    assert!(status.success());
                }
                End::DevNull => next = PathBuf::from("/dev/null"),
            }
            for (i, &(folder, relative_link)) in links.iter().enumerate().rev() {
                let link = Path::new(FOLDERS[folder]).join(format!("link{i}.csv"));
                let text = if next.is_absolute() || !relative_link {
                    root.join(&next)
                } else {
                    relative(FOLDERS[folder], &next)
                };
                std::os::unix::fs::symlink(&text, root.join(&link)).unwrap();
                next = link;
            }
            let before = snapshot(root);
            let reader = matches!(end, End::Fifo).then(|| {
                let fifo = root.join(FOLDERS[end_folder]).join("target.csv");
                std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
            });
            write_table(&root.join(&next), &[b"x", b"y"]).unwrap();
            let got = reader.map(|r| r.join().unwrap());
            let mut after = snapshot(root);
            let target = Path::new(FOLDERS[end_folder]).join("target.csv");
            match end {
                End::NewFile => {
                    let default = 0o666 & !umask(root);
                    let made = after.remove(&target).unwrap();
                    proptest::prop_assert_eq!(made, format!("{default:o} x\ny\n"));
                }
                End::OldFile(mode) => {
                    let replaced = after.insert(target.clone(), before[&target].clone()).unwrap();
                    proptest::prop_assert_eq!(replaced, format!("{mode:o} x\ny\n"));
                }
                End::Fifo => proptest::prop_assert_eq!(got.as_deref(), Some("x\ny\n")),
                End::DevNull => {}
            }
            proptest::prop_assert_eq!(after, before);
        }
    }

    /// The umask, as a new file in `folder` shows it.
    fn umask(folder: &Path) -> u32 {
        let probe = folder.join(".probe");
        File::create(&probe).unwrap();
        let mode = std::fs::metadata(&probe).unwrap().mode();
        std::fs::remove_file(probe).unwrap();
        0o666 & !mode & 0o777
    }
}
