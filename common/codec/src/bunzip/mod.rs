//! bzip2 files decoded in this process, a block per core, faster per core than lbzip2.
//!
//! bzip2 blocks start at a 48-bit magic number on any bit and decode independently. The
//! reading thread finds the magic numbers in the compressed bytes, hands each block (a copy
//! of its bytes) to a decoding thread, and passes the decoded blocks on in order. It checks
//! what the threads cannot: that each block starts where the one before it ended (a magic
//! number inside a block's data is not a block), each stream's combined CRC, and each block's
//! size against its stream's header. Anything it does not expect (damage, a truncated file,
//! trailing garbage, a magic number by chance, the long-obsolete randomised blocks) hands
//! the file to libbz2 from its start, which skips the bytes already passed on and says what
//! is wrong in today's words.

mod block;
mod crc;

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};

use block::{block_size, Bad, Bits, Scratch, Unrle, BLOCK_MAGIC, END_MAGIC};

/// Compressed bytes read from the file at a time.
const READ: usize = 1 << 20;

/// A block to decode: its bytes (from the byte holding its magic number up to the next
/// block's magic number, or the end of the file), where its magic number starts in them,
/// and where the next one does, if any.
struct Job {
    data: Vec<u8>,
    magic: u64,
    next: Option<u64>,
    reply: SyncSender<Result<Done, Bad>>,
}

/// A decoded block (its bytes run-length coded) and what follows it.
struct Done {
    out: Vec<u8>,
    block: block::Block,
    /// The streams that end after it: their stored CRCs, and the block size level of the
    /// stream that follows each (none at the end of the file).
    ends: Vec<(u32, Option<usize>)>,
}

/// Decodes one job on a decoding thread.
fn run(job: &Job, scratch: &mut Scratch, mut out: Vec<u8>) -> Result<Done, Bad> {
    let mut bits = Bits::new(&job.data, job.magic);
    if bits.get48() != BLOCK_MAGIC {
        return Err(Bad("no block magic"));
    }
    let block = block::decode(&mut bits, scratch, &mut out)?;
    let mut ends = Vec::new();
    loop {
        if Some(bits.position()) == job.next {
            break;
        }
        if bits.overran() || job.next.is_some_and(|next| bits.position() > next) {
            return Err(Bad("block runs past the next one"));
        }
        match bits.get48() {
            END_MAGIC => {}
            BLOCK_MAGIC => return Err(Bad("a block where none was found")),
            _ => return Err(Bad("neither a block nor the end of a stream")),
        }
        let crc = bits.get(32);
        bits.align();
        if bits.overran() {
            return Err(Bad("truncated"));
        }
        if job.next.is_none() && bits.position() == job.data.len() as u64 * 8 {
            ends.push((crc, None));
            break;
        }
        if bits.get(24) != u32::from_be_bytes([0, b'B', b'Z', b'h']) {
            return Err(Bad("not a stream header"));
        }
        let Some(size) = u8::try_from(bits.get(8)).ok().and_then(block_size) else {
            return Err(Bad("bad block size level"));
        };
        ends.push((crc, Some(size)));
    }
    Ok(Done { out, block, ends })
}

/// Output buffers passed back from the reader to the decoding threads, so that decoded
/// bytes land in memory already mapped.
type Pool = Arc<Mutex<Vec<Vec<u8>>>>;

/// The decoding threads, fed through one queue.
struct Workers {
    jobs: Option<Sender<Job>>,
    pool: Pool,
}

impl Workers {
    fn start(threads: usize) -> io::Result<Workers> {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let pool: Pool = Arc::default();
        for _ in 0..threads {
            let rx = Arc::clone(&rx);
            let pool = Arc::clone(&pool);
            std::thread::Builder::new()
                .name("bunzip".into())
                .spawn(move || {
                    let mut scratch = Scratch::new();
                    loop {
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        // A buffer already mapped, traded for the thread's own in decode.
                        let out = pool
                            .lock()
                            .ok()
                            .and_then(|mut p| p.pop())
                            .unwrap_or_default();
                        let done = run(&job, &mut scratch, out);
                        // The reader may be gone (the filter ended early): nothing to do.
                        let _ = job.reply.send(done);
                    }
                })?;
        }
        Ok(Workers {
            jobs: Some(tx),
            pool,
        })
    }
}

/// The places in `data` where a block's magic number starts, as bit offsets, for magic
/// numbers wholly inside it and starting at or after byte `from`.
fn magic_numbers(data: &[u8], from: usize, found: &mut Vec<u64>) {
    let before = found.len();
    for shift in 0..8u32 {
        // Starting `shift` bits into a byte, the magic number fills the next five bytes.
        let word = (BLOCK_MAGIC << (16 - shift)).to_be_bytes();
        let finder = memchr::memmem::Finder::new(&word[1..6]);
        for hit in finder.find_iter(data.get(from + 1..).unwrap_or_default()) {
            let at = from + hit;
            let Some(window) = data
                .get(at..at + 8)
                .and_then(|w| <[u8; 8]>::try_from(w).ok())
            else {
                continue;
            };
            let mask = 0xffff_ffff_ffffu64 << (16 - shift);
            if u64::from_be_bytes(window) & mask == BLOCK_MAGIC << (16 - shift) {
                found.push(at as u64 * 8 + u64::from(shift));
            }
        }
    }
    found[before..].sort_unstable();
}

/// Decoded blocks in flight at most: one per thread and as many ready.
fn in_flight(threads: usize) -> usize {
    2 * threads
}

/// A bzip2 file decoded on every core.
pub(crate) struct Parallel {
    path: PathBuf,
    file: File,
    eof: bool,
    /// Compressed bytes not yet handed out: `window[0]` is byte `base` of the file.
    window: Vec<u8>,
    base: u64,
    /// Bytes of `window` searched for magic numbers.
    searched: usize,
    /// Magic numbers found and not yet handed out (bit offsets in the file).
    magics: VecDeque<u64>,
    workers: Workers,
    threads: usize,
    pending: VecDeque<(u64, Receiver<Result<Done, Bad>>)>,
    /// Where the next block must start, and the block size of its stream.
    expect: u64,
    level: usize,
    /// The running CRC of the current stream.
    stream_crc: u32,
    /// The end of the file was passed on.
    done: bool,
    /// The current block, run-length coded, and how far it was passed on.
    out: Vec<u8>,
    undo: Unrle,
    /// Bytes passed on so far.
    delivered: u64,
    /// libbz2, once this decoder gave up.
    fallback: Option<Box<dyn Read>>,
}

impl Parallel {
    /// Starts decoding `file`, at its start (a bzip2 stream's header), on `threads` threads.
    pub(crate) fn start(path: &Path, file: File, threads: usize) -> io::Result<Parallel> {
        Ok(Parallel {
            path: path.to_owned(),
            file,
            eof: false,
            window: Vec::with_capacity(2 * READ),
            base: 0,
            searched: 0,
            magics: VecDeque::new(),
            workers: Workers::start(threads)?,
            threads,
            pending: VecDeque::new(),
            expect: 32,
            level: 0,
            stream_crc: 0,
            done: false,
            out: Vec::new(),
            undo: Unrle::default(),
            delivered: 0,
            fallback: None,
        })
    }

    /// Reads more of the file and finds the magic numbers in it.
    fn read_more(&mut self) -> io::Result<()> {
        let old = self.window.len();
        self.window.resize(old + READ, 0);
        let got = crate::decode::read_full(&mut self.file, &mut self.window[old..])?;
        self.window.truncate(old + got);
        crate::count::add(got as u64);
        if got == 0 {
            self.eof = true;
        }
        if self.base == 0 && old == 0 {
            self.level = match self.window.get(..4) {
                Some(&[b'B', b'Z', b'h', level]) => block_size(level),
                _ => None,
            }
            .ok_or_else(|| io::Error::other("not bzip2"))?;
        }
        // A magic number may straddle the old end: search again from 7 bytes before it.
        let mut found = Vec::new();
        let from = self.searched.saturating_sub(7);
        magic_numbers(&self.window, from, &mut found);
        let last = self.magics.back().copied();
        for bit in found {
            let bit = self.base * 8 + bit;
            if last.is_none_or(|last| bit > last) {
                self.magics.push_back(bit);
            }
        }
        self.searched = self.window.len();
        Ok(())
    }

    /// Hands out blocks until enough are in flight or the file has none left.
    fn dispatch(&mut self) -> io::Result<()> {
        while self.pending.len() < in_flight(self.threads) {
            while self.magics.len() < 2 && !self.eof {
                self.read_more()?;
            }
            let Some(&magic) = self.magics.front() else {
                return Ok(());
            };
            let next = self.magics.get(1).copied();
            let from = magic / 8;
            let start = usize::try_from(from - self.base).unwrap_or(usize::MAX);
            let end = match next {
                // Up to the whole of the next magic number.
                Some(next) => usize::try_from(next / 8 - self.base + 7).unwrap_or(usize::MAX),
                None => self.window.len(),
            }
            .min(self.window.len());
            let data = self.window.get(start..end).unwrap_or_default().to_vec();
            let (reply, receive) = sync_channel(1);
            let job = Job {
                data,
                magic: magic % 8,
                next: next.map(|next| next - from * 8),
                reply,
            };
            let Some(jobs) = &self.workers.jobs else {
                return Err(io::Error::other("no decoding threads"));
            };
            jobs.send(job)
                .map_err(|_| io::Error::other("the decoding threads ended"))?;
            self.pending.push_back((magic, receive));
            self.magics.pop_front();
            // Bytes before the next magic number are no longer needed: dropped a read's worth
            // at a time (each drop moves what is left of the window).
            if let Some(&keep) = self.magics.front() {
                let cut = usize::try_from(keep / 8 - self.base)
                    .unwrap_or(0)
                    .min(self.window.len());
                if cut < READ {
                    continue;
                }
                self.window.drain(..cut);
                self.base += cut as u64;
                self.searched = self.searched.saturating_sub(cut);
            }
        }
        Ok(())
    }

    /// The next decoded block into `self.out`; false at the end of the file. An error means
    /// this decoder gives up on the file.
    fn next_block(&mut self) -> Result<bool, Bad> {
        self.dispatch().map_err(|_| Bad("reading"))?;
        let Some((magic, receive)) = self.pending.pop_front() else {
            return if self.done {
                Ok(false)
            } else {
                Err(Bad("no blocks"))
            };
        };
        if self.done || magic != self.expect {
            return Err(Bad("a block out of place"));
        }
        let done = receive.recv().map_err(|_| Bad("decoding thread ended"))??;
        if done.block.size > self.level {
            return Err(Bad("block larger than its stream's size"));
        }
        self.stream_crc = self.stream_crc.rotate_left(1) ^ done.block.crc;
        let mut next = self
            .pending
            .front()
            .map(|p| p.0)
            .or(self.magics.front().copied());
        for &(crc, level) in &done.ends {
            if crc != self.stream_crc {
                return Err(Bad("stream CRC mismatch"));
            }
            self.stream_crc = 0;
            match level {
                Some(level) => self.level = level,
                None => {
                    self.done = true;
                    next = None;
                }
            }
        }
        match next {
            // The worker checked that the block (and any stream ends) reach the next magic.
            Some(next) => self.expect = next,
            None if self.done => {}
            None => return Err(Bad("the file ends without a stream end")),
        }
        let old = std::mem::replace(&mut self.out, done.out);
        if let Ok(mut pool) = self.workers.pool.lock() {
            pool.push(old);
        }
        self.undo = Unrle::default();
        Ok(true)
    }

    /// True once libbz2 took over.
    #[cfg(test)]
    fn fell_back(&self) -> bool {
        self.fallback.is_some()
    }

    /// Gives up: libbz2 decodes the file from its start, skipping what was passed on.
    fn fall_back(&mut self) -> io::Result<()> {
        // Stop the threads: no more jobs.
        self.workers.jobs = None;
        self.pending.clear();
        let file = File::open(&self.path)?;
        let (mut source, _) = crate::decode::decompressed(Box::new(file))?;
        io::copy(&mut source.by_ref().take(self.delivered), &mut io::sink())?;
        self.fallback = Some(source);
        Ok(())
    }
}

impl Read for Parallel {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(fallback) = &mut self.fallback {
                return fallback.read(buf);
            }
            if buf.is_empty() {
                return Ok(0);
            }
            let n = self.undo.fill(&self.out, buf);
            if n > 0 {
                self.delivered += n as u64;
                return Ok(n);
            }
            match self.next_block() {
                Ok(true) => {}
                Ok(false) => return Ok(0),
                Err(_) => self.fall_back()?,
            }
        }
    }
}

/// The bzip2 file at `path` decoded on every core, if it is a regular file that starts as
/// bzip2 does, and libbz2 was not asked for (`NETAGG_BZIP2=libbz2`, for comparisons).
pub(crate) fn open(path: &Path) -> io::Result<Option<Parallel>> {
    if std::env::var_os("NETAGG_BZIP2").is_some_and(|v| v == "libbz2") {
        return Ok(None);
    }
    let Some(mut file) = bzip2_file(path)? else {
        return Ok(None);
    };
    file.rewind()?;
    // Up to 4: each holds about 6 MB while it decodes (its table, its walks' pieces), and a
    // filter reads rows at four decoding threads' pace or less.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
    Parallel::start(path, file, threads).map(Some)
}

/// The file at `path`, opened, if it is a regular file that starts as bzip2 does.
fn bzip2_file(path: &Path) -> io::Result<Option<File>> {
    // Only a regular file is opened here: a FIFO's data would be lost in a second opening.
    if crate::is_stdin(path) || !std::fs::metadata(path)?.is_file() {
        return Ok(None);
    }
    let mut file = File::open(path)?;
    let mut head = [0u8; 6];
    let got = crate::decode::read_full(&mut file, &mut head)?;
    Ok((crate::Format::sniff(&head[..got]) == crate::Format::Bzip2).then_some(file))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn bz2(data: &[u8], level: u32) -> Vec<u8> {
        let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::new(level));
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn decode(compressed: &[u8]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bz2");
        std::fs::write(&path, compressed).unwrap();
        let mut out = Vec::new();
        let mut decoder = open(&path).unwrap().unwrap();
        decoder.read_to_end(&mut out).unwrap();
        // A file of empty streams has no block to start from: libbz2 reads it.
        assert!(decoder.fell_back() == out.is_empty(), "libbz2 took over");
        out
    }

    fn sample(n: usize, seed: u64) -> Vec<u8> {
        let mut s = seed;
        let mut out = Vec::new();
        while out.len() < n {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let line = format!(
                "2024-12-28 00:{:02}:{:02}+00:00,False,{},{},{}\n",
                s % 60,
                (s >> 8) % 60,
                if s & 1 == 0 { "in" } else { "out" },
                ["ping", "inv", "tx", "addrv2", "headers"][(s >> 16) as usize % 5],
                (s >> 20) % 100_000
            );
            out.extend_from_slice(line.as_bytes());
            if s % 97 == 0 {
                out.extend(std::iter::repeat_n(b'a', (s >> 24) as usize % 700));
            }
        }
        out.truncate(n);
        out
    }

    #[test]
    fn decodes_what_bzip2_encodes() {
        for (n, level) in [
            (0, 9),
            (1, 9),
            (10, 1),
            (150_000, 1),
            (2_500_000, 9),
            (1_000_000, 3),
        ] {
            let data = sample(n, n as u64 + 1);
            assert_eq!(
                decode(&bz2(&data, level)),
                data,
                "{n} bytes at level {level}"
            );
        }
    }

    #[test]
    fn decodes_files_larger_than_a_read() {
        // Noise does not compress: 3 MB of it is 3 MB of blocks, read and dropped a MiB at a
        // time, with blocks that straddle the reads.
        let mut s = 3u64;
        let noise: Vec<u8> = (0..3_000_000)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 24) as u8
            })
            .collect();
        let compressed = bz2(&noise, 9);
        assert!(compressed.len() > 2 * READ);
        assert_eq!(decode(&compressed), noise);
    }

    #[test]
    fn decodes_runs_and_every_byte() {
        let mut data = Vec::new();
        for len in 0..300 {
            data.extend(std::iter::repeat_n((len % 256) as u8, len));
        }
        data.extend((0..=255u8).cycle().take(100_000));
        data.extend(std::iter::repeat_n(0u8, 2_000_000));
        assert_eq!(decode(&bz2(&data, 9)), data);
    }

    #[test]
    fn decodes_repeated_blocks() {
        // Blocks that are one string repeated: their transform is several chains.
        for unit in [&b"a"[..], b"ab", b"abc", b"0123456789", b"\n"] {
            for times in [1, 2, 3, 7, 100] {
                let data = unit.repeat(times);
                assert_eq!(decode(&bz2(&data, 9)), data, "{unit:?} x {times}");
            }
        }
    }

    #[test]
    fn decodes_several_streams() {
        let (a, b) = (sample(300_000, 5), sample(10, 6));
        let mut both = bz2(&a, 1);
        both.extend(bz2(&b, 9));
        both.extend(bz2(b"", 9));
        both.extend(bz2(&a, 2));
        assert_eq!(decode(&both), [&a[..], &b[..], &a[..]].concat());
    }

    #[test]
    fn damage_goes_to_libbz2_after_the_good_bytes() {
        let data = sample(1_500_000, 9);
        let good = bz2(&data, 1);
        let mut corrupt = good.clone();
        let at = corrupt.len() * 3 / 4;
        corrupt[at] ^= 0x55;
        let cases = [
            (corrupt, "corrupt data"),
            (
                good[..good.len() / 2].to_vec(),
                "ends in the middle of a stream",
            ),
            (
                [&good[..], b"junk"].concat(),
                "followed by data that is not bzip2",
            ),
        ];
        for (bytes, why) in cases {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("f.bz2");
            std::fs::write(&path, &bytes).unwrap();
            let mut decoder = open(&path).unwrap().unwrap();
            let mut out = vec![0; 1 << 16];
            let mut got = Vec::new();
            let err = loop {
                match decoder.read(&mut out) {
                    Ok(0) => panic!("no error for {why}"),
                    Ok(n) => got.extend_from_slice(&out[..n]),
                    Err(e) => break e,
                }
            };
            assert!(err.to_string().contains(why), "{err}");
            assert!(decoder.fell_back());
            // libbz2 passes on a corrupt block's bytes before its CRC fails (the filters
            // check the decoder's verdict before a row's): the blocks before it are intact.
            let same = data.iter().zip(&got).take_while(|(a, b)| a == b).count();
            assert!(same >= data.len() / 3, "{why}: {same} bytes intact");
        }
    }

    /// The study's real files (Python's bz2 wrote them) decode here, not by libbz2, to
    /// libbz2's bytes.
    #[test]
    fn decodes_the_upstream_files_itself() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream");
        let Ok(top) = std::fs::read_dir(&root) else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI has {}",
                root.display()
            );
            eprintln!("skipped: {} is absent", root.display());
            return;
        };
        let later = std::fs::read_dir(root.join("later")).into_iter().flatten();
        let mut seen = 0;
        for entry in top.chain(later) {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "bz2") {
                continue;
            }
            let mut want = Vec::new();
            bzip2::read::MultiBzDecoder::new(File::open(&path).unwrap())
                .read_to_end(&mut want)
                .unwrap();
            let mut decoder = open(&path).unwrap().unwrap();
            let mut got = Vec::new();
            decoder.read_to_end(&mut got).unwrap();
            assert!(!decoder.fell_back(), "{}", path.display());
            assert!(got == want, "{}", path.display());
            seen += 1;
        }
        assert!(seen >= 5, "{seen} files");
    }

    #[test]
    #[ignore = "a benchmark: BUNZIP_FILE=path"]
    fn speed() {
        let Ok(path) = std::env::var("BUNZIP_FILE") else {
            return;
        };
        let t = std::time::Instant::now();
        let mut n = 0u64;
        let mut r = open(Path::new(&path)).unwrap().unwrap();
        let mut buf = vec![0; 1 << 16];
        loop {
            let got = r.read(&mut buf).unwrap();
            if got == 0 {
                break;
            }
            n += got as u64;
        }
        eprintln!(
            "{n} bytes in {:?}{}",
            t.elapsed(),
            if r.fell_back() { ", by libbz2" } else { "" }
        );
    }
}
