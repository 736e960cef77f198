//! One bzip2 block decoded: Huffman codes, move-to-front, and the inverse Burrows-Wheeler
//! transform walked along several paths at once.
//!
//! The inverse transform is a chain of dependent loads through a 3.6 MB table: one walk
//! waits on memory at every byte. Started from many points of the chain at once (each
//! stops where the next one started), four walks keep four loads in flight; their pieces
//! are put back in order afterwards. That is what makes this decoder faster per core than
//! lbzip2's (README, performance).

use super::crc;

pub(crate) const BLOCK_MAGIC: u64 = 0x3141_5926_5359;
pub(crate) const END_MAGIC: u64 = 0x1772_4538_5090;

/// The largest block (level 9), before the run-length decoding of its output.
pub(crate) const MAX_BLOCK: usize = 900_000;

/// The block size a stream header's level digit (`'1'..='9'`) gives its blocks.
pub(crate) fn block_size(level: u8) -> Option<usize> {
    (b'1'..=b'9')
        .contains(&level)
        .then(|| usize::from(level - b'0') * 100_000)
}

/// Why a block does not decode; the caller hands the file to libbz2, whose messages say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bad(pub(crate) &'static str);

type Result<T> = std::result::Result<T, Bad>;

/// Bits read most significant first from a byte slice, 57-64 of them buffered.
pub(crate) struct Bits<'a> {
    data: &'a [u8],
    /// The next byte to load into `buf`.
    pos: usize,
    /// `count` valid bits at the top; the bits below them are the data that follows.
    buf: u64,
    count: u32,
    /// Zero bits supplied past the end of `data`.
    past_end: u32,
}

impl<'a> Bits<'a> {
    /// Reads `data` from bit `bit`.
    pub(crate) fn new(data: &'a [u8], bit: u64) -> Bits<'a> {
        let mut bits = Bits {
            data,
            pos: usize::try_from(bit / 8).unwrap_or(usize::MAX),
            buf: 0,
            count: 0,
            past_end: 0,
        };
        bits.refill();
        #[allow(clippy::cast_possible_truncation)] // below 8
        bits.consume((bit % 8) as u32);
        bits
    }

    /// Bits consumed from the start of the data.
    pub(crate) fn position(&self) -> u64 {
        (self.pos as u64 * 8 + u64::from(self.past_end)) - u64::from(self.count)
    }

    /// True once bits past the end of the data were consumed.
    pub(crate) fn overran(&self) -> bool {
        self.position() > self.data.len() as u64 * 8
    }

    #[inline(always)]
    fn refill(&mut self) {
        if let Some(word) = self
            .data
            .get(self.pos..self.pos + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        {
            // Whole bytes that fit are taken; the part of the next one below them is its
            // own data, loaded again by the next refill.
            self.buf |= u64::from_be_bytes(word) >> self.count;
            let take = (63 - self.count) / 8;
            self.pos += take as usize;
            self.count += take * 8;
        } else {
            self.refill_slow();
        }
    }

    #[cold]
    fn refill_slow(&mut self) {
        while self.count <= 56 {
            match self.data.get(self.pos) {
                Some(&b) => {
                    self.buf |= u64::from(b) << (56 - self.count);
                    self.pos += 1;
                }
                None => self.past_end += 8,
            }
            self.count += 8;
        }
    }

    #[inline(always)]
    fn consume(&mut self, n: u32) {
        self.buf <<= n;
        self.count -= n;
    }

    /// The next `n` bits (1..=32) as a number.
    #[inline(always)]
    pub(crate) fn get(&mut self, n: u32) -> u32 {
        if self.count < n {
            self.refill();
        }
        #[allow(clippy::cast_possible_truncation)] // at most 32 bits
        let v = (self.buf >> (64 - n)) as u32;
        self.consume(n);
        v
    }

    pub(crate) fn get48(&mut self) -> u64 {
        let high = u64::from(self.get(24));
        (high << 24) | u64::from(self.get(24))
    }

    /// Skips to the next byte boundary.
    pub(crate) fn align(&mut self) {
        let off = self.position() % 8;
        if off != 0 {
            #[allow(clippy::cast_possible_truncation)] // below 8
            self.get(8 - off as u32);
        }
    }
}

/// Bits looked up at once when decoding a symbol; longer codes are rare.
const LUT_BITS: u32 = 10;

/// One Huffman table: codes of up to `LUT_BITS` bits by lookup, longer ones by the canonical
/// code's limits.
struct Table {
    /// `len << 9 | symbol`, or 0 where the code is longer than `LUT_BITS`.
    lut: [u16; 1 << LUT_BITS],
    /// For each length, the largest code of that length (-1 if none), and the offset that
    /// maps a code of that length to its place in `perm`.
    limit: [i32; 21],
    offset: [i32; 21],
    perm: [u16; 258],
    max_len: u32,
}

impl Table {
    fn new() -> Table {
        Table {
            lut: [0; 1 << LUT_BITS],
            limit: [-1; 21],
            offset: [0; 21],
            perm: [0; 258],
            max_len: 0,
        }
    }

    /// Builds the canonical code bzip2 assigns to `lens` (1..=20 each): by length, then by
    /// symbol.
    fn build(&mut self, lens: &[u8]) -> Result<()> {
        self.lut = [0; 1 << LUT_BITS];
        self.limit = [-1; 21];
        let mut at = 0usize;
        let mut code: i32 = 0;
        self.max_len = 0;
        for len in 1..=20u32 {
            let first = code;
            let first_at = at;
            for (sym, &l) in lens.iter().enumerate() {
                if u32::from(l) != len {
                    continue;
                }
                if code >= 1 << len {
                    return Err(Bad("oversubscribed Huffman code"));
                }
                #[allow(clippy::cast_possible_truncation)] // below 258
                {
                    self.perm[at] = sym as u16;
                }
                at += 1;
                if len <= LUT_BITS {
                    let shift = LUT_BITS - len;
                    #[allow(clippy::cast_sign_loss)] // non-negative
                    let from = (code as usize) << shift;
                    #[allow(clippy::cast_possible_truncation)] // len <= 20, sym < 258
                    let entry = ((len as u16) << 9) | sym as u16;
                    self.lut[from..from + (1 << shift)].fill(entry);
                }
                code += 1;
                self.max_len = len;
            }
            if at > first_at {
                self.limit[len as usize] = code - 1;
                #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
                {
                    self.offset[len as usize] = first_at as i32 - first;
                }
            }
            code <<= 1;
        }
        Ok(())
    }

    #[inline(always)]
    fn decode(&self, bits: &mut Bits<'_>) -> Result<u32> {
        if bits.count < 20 {
            bits.refill();
        }
        #[allow(clippy::cast_possible_truncation)] // LUT_BITS bits
        let entry = self.lut[(bits.buf >> (64 - LUT_BITS)) as usize];
        if entry != 0 {
            bits.consume(u32::from(entry >> 9));
            return Ok(u32::from(entry & 511));
        }
        self.decode_long(bits)
    }

    #[cold]
    fn decode_long(&self, bits: &mut Bits<'_>) -> Result<u32> {
        for len in LUT_BITS + 1..=self.max_len {
            #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
            let code = (bits.buf >> (64 - len)) as i32;
            if code <= self.limit[len as usize] {
                bits.consume(len);
                #[allow(clippy::cast_sign_loss)] // within perm
                let at = (code + self.offset[len as usize]) as usize;
                return Ok(u32::from(self.perm[at]));
            }
        }
        Err(Bad("no Huffman code matches"))
    }
}

/// Memory kept from block to block by one decoding thread.
pub(crate) struct Scratch {
    tt: Vec<u32>,
    /// The walks' pieces, each walk writing in a lane of its own.
    lanes: Vec<u8>,
    /// The block's bytes in order, before the run-length decoding.
    ordered: Vec<u8>,
    /// The transform's last column as runs of one byte: `byte << 24 | length`.
    runs: Vec<u32>,
    /// Undone bytes on their way to the CRC.
    chunk: Vec<u8>,
    tables: Vec<Table>,
}

impl Scratch {
    pub(crate) fn new() -> Scratch {
        Scratch {
            tt: vec![0; MAX_BLOCK],
            lanes: vec![0; WALKS * lane_len(MAX_BLOCK)],
            ordered: Vec::with_capacity(MAX_BLOCK),
            runs: Vec::with_capacity(MAX_BLOCK),
            chunk: vec![0; 1 << 16],
            tables: (0..6).map(|_| Table::new()).collect(),
        }
    }
}

/// A decoded block: its bytes, run-length coded, are in the output ([`Unrle`] undoes them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Block {
    /// The CRC stored with it, which its bytes matched.
    pub(crate) crc: u32,
    /// Its length before the run-length decoding (at most the stream's block size).
    pub(crate) size: usize,
}

/// Decodes the block whose magic number ends where `bits` is into `out` (replaced), its bytes
/// still run-length coded.
pub(crate) fn decode(
    bits: &mut Bits<'_>,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Result<Block> {
    let stored_crc = bits.get(32);
    if bits.get(1) != 0 {
        return Err(Bad("randomised block (bzip2 0.9.0)"));
    }
    let orig = bits.get(24) as usize;

    // The bytes in use.
    let mut symbols = [0u8; 256];
    let mut in_use = 0usize;
    let groups = bits.get(16);
    for i in 0..16 {
        if groups & (0x8000 >> i) != 0 {
            let used = bits.get(16);
            for j in 0..16 {
                if used & (0x8000 >> j) != 0 {
                    #[allow(clippy::cast_possible_truncation)] // below 256
                    {
                        symbols[in_use] = (i * 16 + j) as u8;
                    }
                    in_use += 1;
                }
            }
        }
    }
    if in_use == 0 {
        return Err(Bad("no symbols in use"));
    }
    let alpha = in_use + 2;

    // Tables and selectors.
    let n_tables = bits.get(3) as usize;
    if !(2..=6).contains(&n_tables) {
        return Err(Bad("bad number of Huffman tables"));
    }
    let n_selectors = bits.get(15) as usize;
    if n_selectors == 0 {
        return Err(Bad("no selectors"));
    }
    let mut order: [u8; 6] = [0, 1, 2, 3, 4, 5];
    // bzip2 1.0.8 reads up to 32767 selectors and keeps the first 18002.
    let mut selectors = Vec::with_capacity(n_selectors.min(18_002));
    for _ in 0..n_selectors {
        let mut j = 0usize;
        while bits.get(1) != 0 {
            j += 1;
            if j >= n_tables {
                return Err(Bad("bad selector"));
            }
        }
        let t = order[j];
        order.copy_within(0..j, 1);
        order[0] = t;
        if selectors.len() < 18_002 {
            selectors.push(t);
        }
    }
    let mut lens = [0u8; 258];
    for table in scratch.tables.iter_mut().take(n_tables) {
        let mut curr = bits.get(5);
        for len in lens.iter_mut().take(alpha) {
            loop {
                if !(1..=20).contains(&curr) {
                    return Err(Bad("bad code length"));
                }
                if bits.get(1) == 0 {
                    break;
                }
                if bits.get(1) == 0 {
                    curr += 1;
                } else {
                    curr -= 1;
                }
            }
            #[allow(clippy::cast_possible_truncation)] // 1..=20
            {
                *len = curr as u8;
            }
        }
        table.build(&lens[..alpha])?;
    }

    // The symbols: runs of the front byte (RUNA, RUNB) and move-to-front positions.
    let tt = &mut scratch.tt;
    let runs = &mut scratch.runs;
    runs.clear();
    let mut counts = [0u32; 256];
    let mut mtf = symbols;
    let eob = (alpha - 1) as u32;
    let mut n = 0usize;
    let mut run = 0usize;
    let mut run_bit = 0u32;
    let mut left = 0u32;
    let mut selector = 0usize;
    let mut table = &scratch.tables[0];
    loop {
        if left == 0 {
            let Some(&t) = selectors.get(selector) else {
                return Err(Bad("ran out of selectors"));
            };
            table = &scratch.tables[usize::from(t)];
            selector += 1;
            left = 50;
        }
        left -= 1;
        let sym = table.decode(bits)?;
        if sym <= 1 {
            if run_bit > 20 {
                return Err(Bad("run too long"));
            }
            run += ((sym + 1) as usize) << run_bit;
            run_bit += 1;
            continue;
        }
        if run > 0 {
            if n + run > MAX_BLOCK {
                return Err(Bad("block too long"));
            }
            let b = mtf[0];
            tt[n..n + run].fill(u32::from(b));
            #[allow(clippy::cast_possible_truncation)] // at most MAX_BLOCK
            {
                counts[usize::from(b)] += run as u32;
                // The run continues the byte that moved to the front before it.
                match runs.last_mut() {
                    Some(last) if *last >> 24 == u32::from(b) => *last += run as u32,
                    _ => runs.push(u32::from(b) << 24 | run as u32),
                }
            }
            n += run;
            run = 0;
            run_bit = 0;
        }
        if sym == eob {
            break;
        }
        let idx = (sym - 1) as usize;
        if idx >= in_use {
            return Err(Bad("symbol out of range"));
        }
        let b = mtf[idx];
        if idx < 16 {
            for k in (1..=idx).rev() {
                mtf[k] = mtf[k - 1];
            }
        } else {
            mtf.copy_within(0..idx, 1);
        }
        mtf[0] = b;
        let Some(slot) = tt.get_mut(n) else {
            return Err(Bad("block too long"));
        };
        *slot = u32::from(b);
        counts[usize::from(b)] += 1;
        runs.push(u32::from(b) << 24 | 1);
        n += 1;
    }
    if orig >= n {
        return Err(Bad("origin pointer out of range"));
    }

    // The inverse transform's table: each entry's byte, and where the next one is.
    let mut start = [0u32; 256];
    let mut sum = 0u32;
    for (s, &c) in start.iter_mut().zip(&counts) {
        *s = sum;
        sum += c;
    }
    // Run by run: the entries of a run's byte are consecutive, and no run waits on the
    // count the one before it left (entry by entry, a store and a load of the same count
    // chained most of the steps).
    let mut i = 0u32;
    for &run in runs.iter() {
        let (b, len) = ((run >> 24) as usize, run & 0x00ff_ffff);
        let to = start[b] as usize;
        start[b] += len;
        let Some(slots) = tt.get_mut(to..to + len as usize) else {
            return Err(Bad("block too long"));
        };
        for (k, slot) in (i..).zip(slots) {
            *slot |= k << 8;
        }
        i += len;
    }

    if walk(
        &mut scratch.tt[..n],
        &mut scratch.lanes,
        &mut scratch.ordered,
        orig,
    )
    .is_err()
    {
        // A walk outran its lane (or the chain is broken, which the CRC will say).
        walk_one(&scratch.tt[..n], &mut scratch.ordered, orig);
    }
    // The bytes go out still run-length coded (at most a block), undone as they are read:
    // undone, a block of runs is up to 46 MB. Here they are undone once for the CRC.
    std::mem::swap(out, &mut scratch.ordered);
    let mut undo = Unrle::default();
    let mut crc = !0;
    while let n @ 1.. = undo.fill(out, &mut scratch.chunk) {
        crc = crc::update(crc, &scratch.chunk[..n]);
    }
    if !crc != stored_crc {
        return Err(Bad("block CRC mismatch"));
    }
    Ok(Block {
        crc: stored_crc,
        size: n,
    })
}

/// Walks in flight at once: 16 measured 5.3 CPU seconds for the 16 M-row file, 8 5.6, 4
/// 6.7, lbzip2 7.2.
const WALKS: usize = 16;

/// Room for each walk's bytes. The walks step together, so each writes about `n / WALKS`
/// bytes before the last pieces; twice that and a long piece are room enough (else
/// [`walk_one`] does the block).
fn lane_len(n: usize) -> usize {
    (2 * n / WALKS + 65_536).min(n)
}

/// The chain walked from its start as bzip2 does: one step per byte.
fn walk_one(tt: &[u32], ordered: &mut Vec<u8>, orig: usize) {
    ordered.clear();
    let mut at = (tt[orig] >> 8) & NEXT;
    for _ in 0..tt.len() {
        let e = tt.get(at as usize).copied().unwrap_or(0);
        #[allow(clippy::cast_possible_truncation)] // the entry's byte
        ordered.push(e as u8);
        at = (e >> 8) & NEXT;
    }
}
/// Marks an entry where a walk starts: the walk that reaches it stops there.
const START: u32 = 1 << 31;
const NEXT: u32 = (1 << 20) - 1;

/// One walk's place: where it reads next, and which piece it writes.
#[derive(Clone, Copy)]
struct Walker {
    at: u32,
    piece: usize,
    /// Where its next byte goes in `lanes`.
    out: usize,
}

/// A piece of the chain: from a start to the entry before the next start.
#[derive(Clone, Copy)]
struct Piece {
    from: u32,
    /// Where its bytes are in `lanes`.
    lane_at: usize,
    len: usize,
    /// The start that follows it.
    next: u32,
}

/// What one step of a walk did: wrote a byte, or ended its piece (and began another, or
/// found none left).
enum Step {
    Byte,
    Ended { began: bool },
}

/// The walks' shared state: the table, where they write, the pieces and the next to take.
struct Walks<'a> {
    tt: &'a [u32],
    lanes: &'a mut [u8],
    pieces: Vec<Piece>,
    next_piece: usize,
    /// Each walk writes in `lanes[lane * lane_len..][..lane_len]`.
    lane_len: usize,
}

impl Walks<'_> {
    /// Starts `w` on the next piece, if any: its first entry is read here.
    fn begin(&mut self, w: &mut Walker, lane: usize) -> bool {
        let Some(piece) = self.pieces.get_mut(self.next_piece) else {
            w.piece = usize::MAX;
            return false;
        };
        let e = self.tt[piece.from as usize];
        let out = w.out.max(lane * self.lane_len);
        piece.lane_at = out;
        w.piece = self.next_piece;
        self.next_piece += 1;
        if out >= (lane + 1) * self.lane_len {
            w.piece = usize::MAX;
            return false;
        }
        #[allow(clippy::cast_possible_truncation)] // the entry's byte
        {
            self.lanes[out] = e as u8;
        }
        w.out = out + 1;
        w.at = (e >> 8) & NEXT;
        true
    }

    /// One step of `w`: the byte of the entry it reached, or the end of its piece there.
    #[inline(always)]
    fn step(&mut self, w: &mut Walker, lane: usize) -> Result<Step> {
        let e = self.tt[w.at as usize];
        if e & START != 0 {
            let p = &mut self.pieces[w.piece];
            p.len = w.out - p.lane_at;
            p.next = w.at;
            return Ok(Step::Ended {
                began: self.begin(w, lane),
            });
        }
        if w.out >= (lane + 1) * self.lane_len {
            return Err(Bad("inverse transform does not close"));
        }
        #[allow(clippy::cast_possible_truncation)] // the entry's byte
        {
            self.lanes[w.out] = e as u8;
        }
        w.out += 1;
        w.at = (e >> 8) & NEXT;
        Ok(Step::Byte)
    }
}

/// Writes the block's bytes in order into `ordered`: the chain of `tt` from `orig` read as
/// pieces by [`WALKS`] walks at once.
fn walk(tt: &mut [u32], lanes: &mut [u8], ordered: &mut Vec<u8>, orig: usize) -> Result<()> {
    let n = tt.len();
    let first = tt[orig] >> 8;
    // Starts: the chain's first entry, and entries spread evenly over the table (any
    // entry is on the chain, or on one of its copies; how far apart they are is chance).
    let n_pieces = (n / 4096).clamp(1, 1024);
    let mut starts: Vec<u32> = Vec::with_capacity(n_pieces + 1);
    starts.push(first);
    for k in 1..n_pieces {
        #[allow(clippy::cast_possible_truncation)] // below MAX_BLOCK
        starts.push((k * n / n_pieces) as u32);
    }
    starts.sort_unstable();
    starts.dedup();
    let mut pieces: Vec<Piece> = Vec::with_capacity(starts.len());
    for &s in &starts {
        tt[s as usize] |= START;
        pieces.push(Piece {
            from: s,
            lane_at: 0,
            len: 0,
            next: 0,
        });
    }
    let mut walks = Walks {
        tt,
        lanes,
        pieces,
        next_piece: 0,
        lane_len: lane_len(n),
    };
    let mut walkers = [Walker {
        at: 0,
        piece: usize::MAX,
        out: 0,
    }; WALKS];
    for (lane, w) in walkers.iter_mut().enumerate() {
        w.out = lane * walks.lane_len;
        walks.begin(w, lane);
    }
    // All walks busy: one step of each per round, their loads independent.
    if walkers.iter().all(|w| w.piece != usize::MAX) {
        'busy: loop {
            for (lane, w) in walkers.iter_mut().enumerate() {
                if let Step::Ended { began: false } = walks.step(w, lane)? {
                    break 'busy;
                }
            }
        }
    }
    // The last pieces, one walk at a time.
    for (lane, mut w) in walkers.into_iter().enumerate() {
        while w.piece != usize::MAX {
            walks.step(&mut w, lane)?;
        }
    }
    let Walks { lanes, pieces, .. } = walks;
    // The pieces in chain order: each names the start of the next. A block that is one
    // string repeated (`abcabc`) is as many chains, each the string: bzip2 walks one of them
    // round and round.
    ordered.clear();
    let mut at = first;
    for _ in 0..pieces.len() {
        let Ok(k) = pieces.binary_search_by_key(&at, |p| p.from) else {
            return Err(Bad("inverse transform does not close"));
        };
        let p = pieces[k];
        ordered.extend_from_slice(&lanes[p.lane_at..p.lane_at + p.len]);
        at = p.next;
        if at == first {
            break;
        }
    }
    let period = ordered.len();
    if at != first || period == 0 || n % period != 0 {
        return Err(Bad("inverse transform does not close"));
    }
    for _ in 1..n / period {
        ordered.extend_from_within(..period);
    }
    Ok(())
}

/// Undoes bzip2's first run-length step, a buffer at a time: four equal bytes are followed
/// by a count of more.
#[derive(Debug, Default)]
pub(crate) struct Unrle {
    /// The next coded byte to pass on.
    at: usize,
    /// Where the bytes to copy as they are end (after a run of four, if `count` says a count
    /// byte follows), once found.
    copy_end: Option<usize>,
    count: bool,
    /// A run being written out.
    run_byte: u8,
    run_left: usize,
}

impl Unrle {
    /// Writes the next bytes that `coded` stands for into `buf`; how many (0 at its end).
    pub(crate) fn fill(&mut self, coded: &[u8], buf: &mut [u8]) -> usize {
        let mut out = 0;
        loop {
            if self.run_left > 0 {
                let n = self.run_left.min(buf.len() - out);
                buf[out..out + n].fill(self.run_byte);
                self.run_left -= n;
                out += n;
                if self.run_left > 0 {
                    return out;
                }
            }
            let end = match self.copy_end {
                Some(end) => end,
                None => {
                    let rest = coded.get(self.at..).unwrap_or_default();
                    let (end, count) = match run_of_four(rest) {
                        Some(run) => (self.at + run + 4, true),
                        None => (coded.len(), false),
                    };
                    self.copy_end = Some(end);
                    self.count = count;
                    end
                }
            };
            let n = (end - self.at).min(buf.len() - out);
            buf[out..out + n].copy_from_slice(&coded[self.at..self.at + n]);
            self.at += n;
            out += n;
            if self.at < end {
                return out;
            }
            self.copy_end = None;
            if self.count {
                if let Some(&more) = coded.get(self.at) {
                    self.run_byte = coded[self.at - 1];
                    self.run_left = usize::from(more);
                    self.at += 1;
                }
            }
            if (self.at >= coded.len() && self.run_left == 0) || out == buf.len() {
                return out;
            }
        }
    }
}

/// Where the first four equal bytes in a row start.
fn run_of_four(bytes: &[u8]) -> Option<usize> {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let word = |at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_le_bytes)
    };
    let mut at = 0;
    while let (Some(w0), Some(w3)) = (word(at), word(at + 3)) {
        let (w1, w2) = (word(at + 1).unwrap_or(0), word(at + 2).unwrap_or(0));
        // A zero byte where byte k equals the three after it.
        let x = (w0 ^ w1) | (w0 ^ w2) | (w0 ^ w3);
        // Exact zero-byte test: high bit set where the byte is zero.
        let zero = !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    // The last few: one at a time.
    (at..bytes.len().saturating_sub(3))
        .find(|&k| bytes[k] == bytes[k + 1] && bytes[k] == bytes[k + 2] && bytes[k] == bytes[k + 3])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// bzip2's first run-length step undone byte by byte, as its reference decoder does.
    fn undone(coded: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let (mut last, mut same) = (None, 0);
        let mut bytes = coded.iter();
        while let Some(&b) = bytes.next() {
            out.push(b);
            same = if last == Some(b) { same + 1 } else { 1 };
            last = Some(b);
            if same == 4 {
                if let Some(&more) = bytes.next() {
                    out.extend(std::iter::repeat_n(b, usize::from(more)));
                }
                (last, same) = (None, 0);
            }
        }
        out
    }

    /// Damaged blocks are errors or wrong bytes (which the CRC catches), never a panic or a
    /// hang: one bit in eleven of a small file flipped in turn, and random bytes overwritten.
    #[test]
    fn damage_never_panics() {
        use std::io::Write;
        let mut data = Vec::new();
        for i in 0..3000u32 {
            data.extend_from_slice(format!("2024-12-28,{},{}\n", i % 7, i * 31 % 1000).as_bytes());
        }
        data.extend(std::iter::repeat_n(b'x', 600));
        let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::new(1));
        enc.write_all(&data).unwrap();
        let good = enc.finish().unwrap();
        let mut scratch = Scratch::new();
        let mut decode_at = |bytes: &[u8]| {
            let mut out = Vec::new();
            let mut bits = Bits::new(bytes, 32);
            if bits.get48() == BLOCK_MAGIC && decode(&mut bits, &mut scratch, &mut out).is_ok() {
                let mut undo = Unrle::default();
                let mut buf = vec![0; 1 << 20];
                let n = undo.fill(&out, &mut buf);
                buf.truncate(n);
                return Some(buf);
            }
            None
        };
        assert_eq!(decode_at(&good), Some(data));
        for bit in (80..good.len() * 8).step_by(11) {
            let mut bad = good.clone();
            bad[bit / 8] ^= 0x80 >> (bit % 8);
            decode_at(&bad);
        }
        let mut s = 1u64;
        for _ in 0..500 {
            let mut bad = good.clone();
            for _ in 0..1 + s % 4 {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                let at = 10 + (s as usize >> 8) % (bad.len() - 10);
                bad[at] = s as u8;
            }
            decode_at(&bad);
            decode_at(&bad[..bad.len() * (s as usize % 100) / 100]);
        }
    }

    #[test]
    fn runs_undone_whatever_the_buffer() {
        let mut s = 7u64;
        let mut cases: Vec<Vec<u8>> = vec![
            vec![],
            b"aaaa".to_vec(),
            b"aaaa\x00aaaa\x03b".to_vec(),
            b"aaaaa".to_vec(),
            b"xaaaa\xffaaaa\xffaaa".to_vec(),
        ];
        for _ in 0..200 {
            let mut case = Vec::new();
            for _ in 0..(s % 300) {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                // Few distinct bytes: runs of four are common.
                case.push(if s % 5 == 0 {
                    (s >> 8) as u8
                } else {
                    b"ab"[(s >> 3) as usize % 2]
                });
            }
            cases.push(case);
        }
        for coded in &cases {
            let want = undone(coded);
            for size in [1, 2, 3, 5, 64, 1 << 16] {
                let mut undo = Unrle::default();
                let mut buf = vec![0; size];
                let mut got = Vec::new();
                while let n @ 1.. = undo.fill(coded, &mut buf) {
                    got.extend_from_slice(&buf[..n]);
                }
                assert_eq!(got, want, "{coded:?} in buffers of {size}");
            }
        }
    }
}
