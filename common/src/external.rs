//! bzip2 files decoded by lbzip2 in a child process, with `NETAGG_BZIP2=lbzip2` (the filters'
//! own decoder, [`crate::bunzip`], is faster): a run of files through one child, split
//! again at markers between them.
//!
//! lbzip2 decodes a file on every core, with a decoder faster per core than libbz2. Started
//! once per file, it drains at each file's end (its last blocks decode on one core while
//! the other waits) and starts up again: 13 daily files took 1.13x the time of the same rows
//! in one file. So the files of a run are fed to one lbzip2 back to back, with a tiny bzip2
//! stream of random bytes (the marker) between each two: its output is the files' contents
//! with the marker between them, cut apart here. The marker's 32 random bytes are new in
//! every run, so no file's data holds them by chance (odds of 2^-256).

use std::cell::RefCell;
use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::helper::Helper;
use crate::input::{is_stdin, read_full, Background, Bzip2, Format};

/// The external bzip2 decoder, with its arguments. lbzip2 decodes any bzip2 file on every core,
/// and passes on only blocks whose checksum matched. pbzip2 is not used: it is libbz2's
/// speed on single-stream files, and it passed on garbled rows from before the block that
/// libbz2 finds corrupt (tests/codecs.rs).
const DECODER: (&str, &[&str]) = ("lbzip2", &["-dc"]);

/// True when `head` is the start of a bzip2 stream.
pub fn is_bzip2(head: &[u8]) -> bool {
    Format::sniff(head) == Format::Bzip2
}

/// The bzip2 file at `path`, opened and at its start, if lbzip2 may decode it: a regular
/// file of whole bzip2 streams ([`whole_streams`]).
fn batchable(path: &Path) -> io::Result<Option<File>> {
    let Some(mut file) = bzip2_file(path)? else {
        return Ok(None);
    };
    if !whole_streams(&mut file)? {
        return Ok(None);
    }
    file.rewind()?;
    Ok(Some(file))
}

/// The file at `path`, opened, if it is a regular file that starts as bzip2 does.
pub(crate) fn bzip2_file(path: &Path) -> io::Result<Option<File>> {
    // Only a regular file is opened here: a FIFO's data would be lost in a second opening.
    if is_stdin(path) || !std::fs::metadata(path)?.is_file() {
        return Ok(None);
    }
    let file = File::open(path)?;
    let mut head = [0u8; 6];
    let got = read_at(&file, &mut head, 0)?;
    Ok(is_bzip2(&head[..got]).then_some(file))
}

/// Where the shared lbzip2 output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Inside a file's bytes.
    Reading,
    /// A marker ended the current file: the next one follows.
    Marker,
    /// lbzip2 ended well: no more files in this run.
    End,
    /// lbzip2 (or its feeder) failed: libbz2 takes over the current file.
    Failed,
}

/// One lbzip2 decoding a run of files, and the cutting of its output into files.
struct Batch {
    helper: Option<Helper>,
    out: Option<Box<dyn Read>>,
    /// The decoded marker, searched for only when files may follow the first.
    marker: Option<memchr::memmem::Finder<'static>>,
    buf: Vec<u8>,
    start: usize,
    /// `buf[start..clear]` holds no marker start; `hit` is where the next marker is.
    clear: usize,
    hit: Option<usize>,
    end: usize,
    state: State,
    /// The feeder could not read a file: lbzip2's clean end would be a cut-off file.
    feed_failed: Arc<AtomicBool>,
}

/// Decoded bytes are taken from lbzip2 this many at a time.
const CHUNK: usize = 1 << 16;

impl Batch {
    /// Starts lbzip2 on `first` (already checked), then on each of `rest` in turn while they
    /// are bzip2 files it may decode; None if lbzip2 cannot start (not installed).
    fn start(first: File, rest: Vec<PathBuf>) -> io::Result<Option<Batch>> {
        let (program, args) = DECODER;
        let mut command = Command::new(program);
        // A lone file is lbzip2's stdin itself (a pipe measured 5% slower): it reads a
        // clone of this handle, one file description, one offset to watch for the progress
        // line. Several go through a pipe, fed by a thread, with the marker between them.
        // (A next file that is not bzip2 at all would end the run at once.)
        let next_is_bzip2 = rest
            .first()
            .is_some_and(|next| bzip2_file(next).is_ok_and(|f| f.is_some()));
        let (lone, fed) = if !next_is_bzip2 {
            (Some(first), None)
        } else {
            (None, Some(first))
        };
        let stdin = match &lone {
            Some(file) => Stdio::from(file.try_clone()?),
            None => Stdio::piped(),
        };
        command
            .args(args)
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // Not installed, or not startable (no memory, no processes left): libbz2 can.
        let Ok(mut helper) = Helper::spawn(&mut command) else {
            return Ok(None);
        };
        let Some(out) = helper.take_stdout() else {
            return Ok(None);
        };
        crate::pipe::widen(&out);
        let feed_failed = Arc::new(AtomicBool::new(false));
        let (out, marker): (Box<dyn Read>, _) = match (lone, fed, helper.take_stdin()) {
            (Some(probe), ..) => (
                Box::new(Probed {
                    out,
                    probe,
                    counted: 0,
                }),
                None,
            ),
            (None, Some(first), Some(stdin)) => {
                let marker = random_marker();
                let compressed_marker = compress(&marker)?;
                let failed = Arc::clone(&feed_failed);
                std::thread::Builder::new()
                    .name("feed".into())
                    .spawn(move || {
                        if feed(stdin, first, rest, &compressed_marker).is_err() {
                            failed.store(true, Ordering::SeqCst);
                        }
                    })?;
                (Box::new(out), Some(marker))
            }
            _ => return Ok(None),
        };
        Ok(Some(Batch::over(
            Some(helper),
            Some(out),
            marker,
            feed_failed,
        )))
    }

    /// Cuts `out` at `marker` (none: one file); `helper` says at the end whether it went well.
    fn over(
        helper: Option<Helper>,
        out: Option<Box<dyn Read>>,
        marker: Option<Vec<u8>>,
        feed_failed: Arc<AtomicBool>,
    ) -> Batch {
        Batch {
            helper,
            out,
            marker: marker.map(|m| memchr::memmem::Finder::new(&m).into_owned()),
            buf: vec![0; CHUNK],
            start: 0,
            clear: 0,
            hit: None,
            end: 0,
            state: State::Reading,
            feed_failed,
        }
    }

    /// The current file's next bytes: 0 at its end (a marker or lbzip2's end), an error when
    /// lbzip2 failed.
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.state {
                State::Reading => {}
                State::Marker | State::End => return Ok(0),
                State::Failed => return Err(io::Error::other("lbzip2 failed")),
            }
            if self.marker.is_none() && self.start == self.end {
                // One file: nothing to cut, so lbzip2's output goes straight to the reader.
                if let Some(n) = self.read_direct(dst) {
                    return Ok(n);
                }
                continue;
            }
            if self.start < self.clear {
                let n = dst.len().min(self.clear - self.start);
                dst[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
                self.start += n;
                return Ok(n);
            }
            if self.hit == Some(self.start) {
                self.hit = None;
                self.start += self.marker_len();
                self.scan();
                self.state = State::Marker;
                return Ok(0);
            }
            self.fill();
        }
    }

    /// Reads lbzip2's output into `dst`: the byte count, or None at its end or failure
    /// (the state then says which).
    fn read_direct(&mut self, dst: &mut [u8]) -> Option<usize> {
        self.pull(dst).filter(|&n| n > 0 || dst.is_empty())
    }

    /// One read of lbzip2's output into `dst`. At its end (0 bytes) `out` is dropped; at its
    /// end or failure the state is settled and None returned; else the byte count.
    fn pull(&mut self, dst: &mut [u8]) -> Option<usize> {
        let Some(out) = &mut self.out else {
            self.settle();
            return None;
        };
        loop {
            match out.read(dst) {
                Ok(0) if !dst.is_empty() => {
                    self.out = None;
                    return Some(0);
                }
                Ok(n) => return Some(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    self.fail();
                    return None;
                }
            }
        }
    }

    /// Everything read and handed on: whether the run ended well decides the state.
    fn settle(&mut self) {
        let ok = !self.feed_failed.load(Ordering::SeqCst)
            && self
                .helper
                .take()
                .is_none_or(|h| h.wait().is_ok_and(|s| s.success()));
        self.state = if ok { State::End } else { State::Failed };
    }

    fn marker_len(&self) -> usize {
        self.marker.as_ref().map_or(0, |m| m.needle().len())
    }

    /// Finds how far from `start` the bytes are the file's: up to a marker, or all but a
    /// tail that may be a marker's start (all of them at lbzip2's end).
    fn scan(&mut self) {
        self.clear = self.start;
        let avail = &self.buf[self.start..self.end];
        let Some(marker) = &self.marker else {
            self.clear = self.end;
            return;
        };
        match marker.find(avail) {
            Some(at) => {
                self.clear = self.start + at;
                self.hit = Some(self.clear);
            }
            None if self.out.is_none() => self.clear = self.end,
            None => {
                let keep = marker.needle().len() - 1;
                self.clear = self.end.saturating_sub(keep).max(self.start);
            }
        }
    }

    /// Reads more of lbzip2's output after what is held back, and finds how much of it is the
    /// current file's; at its end, settles how the run ended.
    fn fill(&mut self) {
        if self.out.is_none() {
            self.settle();
            return;
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let mut buf = std::mem::take(&mut self.buf);
        if let Some(n) = self.pull(&mut buf[self.end..]) {
            self.end += n;
        }
        self.buf = buf;
        self.scan();
    }

    /// Ends lbzip2: its output is no longer to be trusted, or needed.
    fn fail(&mut self) {
        self.out = None;
        self.helper = None; // killed and reaped
        self.state = State::Failed;
    }
}

/// Writes `first`, then each of `rest` that is a bzip2 file lbzip2 may decode, with the
/// marker between them, into lbzip2's input; stops at the first that is not. An error is
/// one reading a file (or lbzip2 gone).
fn feed(mut stdin: ChildStdin, first: File, rest: Vec<PathBuf>, marker: &[u8]) -> io::Result<()> {
    let mut file = first;
    let mut rest = rest.into_iter();
    loop {
        copy_counted(&mut file, &mut stdin)?;
        let Some(path) = rest.next() else {
            return Ok(());
        };
        match batchable(&path) {
            Ok(Some(next)) => file = next,
            // Opened on its own, where its trouble is reported.
            _ => return Ok(()),
        }
        stdin.write_all(marker)?;
    }
}

/// Copies a file into lbzip2, counting its bytes for the progress line.
fn copy_counted(file: &mut File, to: &mut ChildStdin) -> io::Result<()> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => {
                to.write_all(&buf[..n])?;
                crate::progress::count_read(n as u64);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// lbzip2's output, counting on the progress line how far lbzip2 has read the file it shares
/// the offset of.
struct Probed {
    out: ChildStdout,
    probe: File,
    counted: u64,
}

impl Read for Probed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.out.read(buf)?;
        if let Ok(at) = self.probe.stream_position() {
            crate::progress::count_read(at.saturating_sub(self.counted));
            self.counted = self.counted.max(at);
        }
        Ok(n)
    }
}

/// 32 bytes no file will hold: random, from the standard library's per-process hash keys.
fn random_marker() -> Vec<u8> {
    let mut marker = Vec::with_capacity(32);
    for i in 0u64..4 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i);
        marker.extend_from_slice(&h.finish().to_le_bytes());
    }
    marker
}

fn compress(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    enc.write_all(data)?;
    enc.finish()
}

/// The files of a run of inputs that lbzip2 decodes together, handed out one at a time.
#[derive(Clone)]
pub(crate) struct Run(Rc<RefCell<Batch>>);

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("state", &self.0.borrow().state)
            .finish()
    }
}

impl Run {
    /// Starts lbzip2 on the bzip2 file `path` and, as far as they are bzip2 files too, on
    /// the `following` ones. None when lbzip2 may not decode `path` (it is not a regular file
    /// of whole streams) or is not installed.
    pub(crate) fn start(path: &Path, following: &[PathBuf]) -> io::Result<Option<(Run, Segment)>> {
        let Some(file) = batchable(path)? else {
            return Ok(None);
        };
        let Some(batch) = Batch::start(file, following.to_vec())? else {
            return Ok(None);
        };
        let run = Run(Rc::new(RefCell::new(batch)));
        let segment = run.segment(path);
        Ok(Some((run, segment)))
    }

    /// The next file's bytes, if the last one ended at a marker (it was read to its end, and
    /// the next file is in this run).
    pub(crate) fn next(&self, path: &Path) -> Option<Segment> {
        let mut batch = self.0.borrow_mut();
        if batch.state != State::Marker {
            return None;
        }
        batch.state = State::Reading;
        drop(batch);
        Some(self.segment(path))
    }

    fn segment(&self, path: &Path) -> Segment {
        Segment {
            run: self.clone(),
            path: path.to_path_buf(),
            delivered: 0,
            fallback: None,
        }
    }
}

/// One file's bytes out of a run's lbzip2.
///
/// If lbzip2 fails for any reason, libbz2 takes over the file where it stopped (it decodes
/// the file again, dropping the bytes already delivered), so that damage is reported with
/// libbz2's words at libbz2's place: the messages and their "after the row on line N" are
/// those of a decoding by libbz2 alone. The files after it are then opened on their own.
pub(crate) struct Segment {
    run: Run,
    path: PathBuf,
    /// Decoded bytes handed on so far.
    delivered: u64,
    fallback: Option<Background>,
}

impl Segment {
    fn fall_back(&mut self) -> io::Result<()> {
        self.run.0.borrow_mut().fail();
        let file = io::BufReader::new(File::open(&self.path)?);
        let decoder = Bzip2(bzip2::read::MultiBzDecoder::new(file));
        self.fallback = Some(Background::spawn(Skip {
            left: self.delivered,
            inner: decoder,
        })?);
        Ok(())
    }
}

impl Read for Segment {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(fallback) = &mut self.fallback {
            return fallback.read(buf);
        }
        let got = self.run.0.borrow_mut().read(buf);
        match got {
            Ok(n) => {
                self.delivered += n as u64;
                Ok(n)
            }
            Err(_) => {
                self.fall_back()?;
                self.read(buf)
            }
        }
    }
}

/// Drops the first `left` bytes of `inner`: what the external decoder already delivered.
struct Skip<R> {
    left: u64,
    inner: R,
}

impl<R: Read> Read for Skip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.left > 0 {
            let want = buf
                .len()
                .min(usize::try_from(self.left).unwrap_or(usize::MAX));
            match self.inner.read(&mut buf[..want]) {
                Ok(0) => return Ok(0),
                Ok(n) => self.left -= n as u64,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.inner.read(buf)
    }
}

/// bzip2's end-of-stream magic (the digits of sqrt(pi)), 48 bits, at any bit offset.
const EOS: u64 = 0x1772_4538_5090;
const BLOCK: u64 = 0x3141_5926_5359;

/// Whether a bzip2 file is whole streams back to back and nothing else: each end-of-stream
/// marker (found at any bit offset) is followed, after its checksum and padding, by the end
/// of the file or the start of another stream, and the file ends just after one. lbzip2
/// stops without a word at data after a stream that does not start a new one, and so would
/// drop the rest of the file; such a file goes to libbz2, which says what is wrong. A false
/// alarm (the marker's 48 bits by chance inside compressed data, about once in 10^7 files of
/// 35 MB) costs only time.
fn whole_streams(file: &mut File) -> io::Result<bool> {
    const READ: usize = 1 << 20;
    // Enough of the previous read to see a marker that straddles two reads.
    const KEEP: usize = 16;
    let mut buf = vec![0u8; KEEP + READ];
    let mut kept = 0usize;
    let mut base = 0u64; // file offset of buf[0]
    let mut ends: Vec<u64> = Vec::new();
    let finders: Vec<(u32, memchr::memmem::Finder<'static>)> = (0..8)
        .map(|shift| {
            // The five bytes that the marker fills whole when it starts `shift` bits into a byte.
            let whole = if shift == 0 { EOS >> 8 } else { EOS >> shift } & 0xff_ffff_ffff;
            let needle = whole.to_be_bytes()[3..].to_vec();
            (shift, memchr::memmem::Finder::new(&needle).into_owned())
        })
        .collect();
    loop {
        let filled = kept + read_full(file, &mut buf[kept..])?;
        let at_end = filled < buf.len();
        let data = &buf[..filled];
        for (shift, finder) in &finders {
            let lead = usize::from(*shift != 0);
            for found in finder.find_iter(data) {
                let Some(start) = found.checked_sub(lead) else {
                    continue;
                };
                // Seen whole in the previous read already.
                if base > 0 && start + 8 <= KEEP {
                    continue;
                }
                let mut word = [0u8; 8];
                let have = data.len().min(start + 8) - start;
                word[..have].copy_from_slice(&data[start..start + have]);
                let bits = u64::from_be_bytes(word);
                if (bits >> (16 - shift)) & 0xffff_ffff_ffff == EOS {
                    // The marker, a 32-bit checksum, then padding to a whole byte.
                    let end_bit = (base + start as u64) * 8 + u64::from(*shift) + 80;
                    ends.push(end_bit.div_ceil(8));
                }
            }
        }
        if at_end {
            let len = base + filled as u64;
            if !ends.contains(&len) {
                return Ok(false);
            }
            break;
        }
        let keep_from = filled - KEEP;
        buf.copy_within(keep_from..filled, 0);
        base += keep_from as u64;
        kept = KEEP;
    }
    // After each marker: the end of the file or a new stream (its header, then a block or an
    // empty stream's end).
    let len = file.metadata()?.len();
    for &end in &ends {
        if end == len {
            continue;
        }
        let mut next = [0u8; 10];
        let got = read_at(file, &mut next, end)?;
        let magic =
            u64::from_be_bytes([0, 0, next[4], next[5], next[6], next[7], next[8], next[9]]);
        if got < 10 || !is_bzip2(&next) || (magic != BLOCK && magic != EOS) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Reads up to `buf.len()` bytes at `offset`; how many it got.
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::os::unix::fs::FileExt;
    let mut got = 0;
    while got < buf.len() {
        match file.read_at(&mut buf[got..], offset + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out `step` bytes at a time, to cut the marker at every place.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0.drain(..n);
            Ok(n)
        }
    }

    /// The files cut out of `stream` read `step` bytes at a time, as a `Run` hands them out.
    fn files(stream: &[u8], marker: Option<&[u8]>, step: usize) -> Vec<Vec<u8>> {
        let out = Box::new(Trickle(stream.to_vec(), step)) as Box<dyn Read>;
        let batch = Batch::over(None, Some(out), marker.map(<[u8]>::to_vec), Arc::default());
        let run = Run(Rc::new(RefCell::new(batch)));
        let mut segment = Some(run.segment(Path::new("0")));
        let mut got = Vec::new();
        while let Some(mut s) = segment {
            let mut file = Vec::new();
            s.read_to_end(&mut file).unwrap();
            got.push(file);
            segment = run.next(Path::new("next"));
        }
        got
    }

    #[test]
    fn output_is_cut_at_each_marker_wherever_reads_end() {
        let marker = b"<MARK>";
        let stream = b"a,b\n1,2\n<MARK>a,b\n3<MARK><MARK>a,b\n<MAR<MARK>x<MARK";
        let want: Vec<&[u8]> = vec![b"a,b\n1,2\n", b"a,b\n3", b"", b"a,b\n<MAR", b"x<MARK"];
        for step in 1..=stream.len() {
            assert_eq!(files(stream, Some(marker), step), want, "{step}");
            // Without a marker (one file), everything is the one file's.
            assert_eq!(files(stream, None, step), [stream], "{step}");
        }
        assert_eq!(files(b"", Some(marker), 1), [b""]);
        assert_eq!(files(b"<MARK>", Some(marker), 3), [b"", b""]);
    }

    #[test]
    fn a_failed_feed_fails_the_file_it_was_in() {
        let out = Box::new(Trickle(b"a,b\n".to_vec(), 2)) as Box<dyn Read>;
        let failed = Arc::new(AtomicBool::new(true));
        let mut batch = Batch::over(None, Some(out), Some(b"<M>".to_vec()), failed);
        let mut buf = [0u8; 16];
        let mut got = 0;
        let err = loop {
            match batch.read(&mut buf) {
                Ok(n) => got += n,
                Err(e) => break e,
            }
        };
        // The bytes are handed on; then the end is refused, not taken for the file's.
        assert_eq!((got, err.to_string()), (4, "lbzip2 failed".into()));
    }

    fn bz2(data: &[u8]) -> Vec<u8> {
        compress(data).unwrap()
    }

    #[test]
    fn bzip2_is_told_by_its_magic() {
        assert!(is_bzip2(b"BZh91AY"));
        assert!(!is_bzip2(b"BZh0"));
        assert!(!is_bzip2(b"BZ"));
        assert!(!is_bzip2(b"timestamp,size"));
    }

    fn temp_file(bytes: &[u8]) -> File {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytes).unwrap();
        std::io::Seek::rewind(&mut file).unwrap();
        file
    }

    #[test]
    fn whole_streams_are_told_from_garbage_between_and_after() {
        let rows: Vec<u8> = (0..300_000u32)
            .flat_map(|i| format!("{i},{}\n", i % 7).into_bytes())
            .collect();
        let one = bz2(&rows);
        let empty = bz2(b"");
        let two = [one.clone(), one.clone()].concat();
        for whole in [&one, &empty, &two, &[empty.clone(), one.clone()].concat()] {
            assert!(whole_streams(&mut temp_file(whole)).unwrap());
        }
        let cases = [
            [one.as_slice(), b"junk"].concat(),
            [one.as_slice(), b"\0\0\0\0"].concat(),
            [one.as_slice(), b"junk", &one].concat(),
            [one.as_slice(), b"\0", &one].concat(),
            [one.as_slice(), b"BZh9", &one].concat(),
            one[..one.len() - 1].to_vec(),
            one[..one.len() / 2].to_vec(),
        ];
        for bad in cases {
            assert!(!whole_streams(&mut temp_file(&bad)).unwrap());
        }
    }
}
