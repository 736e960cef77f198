//! The CSV reader: unquoted lines split in place with SSE2, quoted records parsed by csv-core.
//!
//! Monitor data never quotes, so nearly every record takes the fast path: find the newline,
//! check for a quote, split on the delimiter (`,` unless `-d`/`-t` or a `.tsv` name says
//! otherwise), and hand out the line where it lies in the read buffer. A record with a quote
//! (or a stray `\r`) is handed to csv-core, the csv crate's own parser, which also handles
//! fields spanning lines.

use std::io::{self, Read};

use csv_core::ReadRecordResult;

use crate::Record;

const BUFFER: usize = 1 << 16;

/// Reads records from a byte stream, counting lines and bytes.
pub struct Reader<R> {
    src: R,
    /// The read buffer, in the record of the last plain line: `line.data`.
    line: Record,
    /// The last quoted record, parsed out of the buffer.
    quoted_record: Record,
    pos: usize,
    end: usize,
    eof: bool,
    /// The line the next record starts on.
    line_no: u64,
    /// Bytes consumed before the buffer's first byte.
    before: u64,
    core: csv_core::Reader,
    /// csv-core's output, kept between quoted records: field ends, and the fields back to
    /// back.
    ends: Vec<usize>,
    core_fields: Vec<u8>,
    started: bool,
    /// The last byte seen was a `\r`: a `\n` starting the next buffer ends the same line.
    after_cr: bool,
    delimiter: u8,
}

impl<R> std::fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("line", &self.line_no)
            .finish()
    }
}

impl<R: Read> Reader<R> {
    /// A reader of comma-separated records.
    pub fn new(src: R) -> Reader<R> {
        let mut line = Record::new();
        line.data = vec![0; BUFFER];
        // Set once: every plain line is read with the same delimiter, and copyable.
        line.plain = true;
        line.delimiter = b',';
        Reader {
            src,
            line,
            quoted_record: Record::new(),
            pos: 0,
            end: 0,
            eof: false,
            line_no: 1,
            before: 0,
            core: core_reader(b','),
            ends: vec![0; 16],
            core_fields: Vec::new(),
            started: false,
            after_cr: false,
            delimiter: b',',
        }
    }

    /// Splits fields at `input` (not a quote or a line end) instead of commas, for an output
    /// delimited by `output`: a record is marked plain, to be copied whole, only when the two
    /// are the same. Set before the first read.
    #[must_use]
    pub fn with_delimiters(mut self, input: u8, output: u8) -> Reader<R> {
        self.core = core_reader(input);
        self.delimiter = input;
        // Plain lines may be copied whole to the output when its delimiter is the same.
        self.line.plain = input == output;
        self.line.delimiter = input;
        self
    }

    /// Input bytes consumed so far.
    pub fn bytes(&self) -> u64 {
        self.before + self.pos as u64
    }

    /// Reads on (up to `limit` more bytes, discarded) to see whether the source fails there.
    pub fn source_error(&mut self, limit: u64) -> Option<io::Error> {
        let mut scratch = [0u8; 8192];
        let mut seen = 0u64;
        while seen < limit && !self.eof {
            match self.src.read(&mut scratch) {
                Ok(0) => self.eof = true,
                Ok(n) => seen += n as u64,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Some(e),
            }
        }
        None
    }

    /// Moves unread bytes to the front and reads more, growing the buffer when it is full
    /// (a record longer than it). Returns false at the end of the input. `before` runs first:
    /// the read may wait on a slow source, and what was written so far should not.
    fn fill(&mut self, before: &mut dyn FnMut() -> io::Result<()>) -> io::Result<bool> {
        before()?;
        let buf = &mut self.line.data;
        if self.pos > 0 {
            buf.copy_within(self.pos..self.end, 0);
            self.before += self.pos as u64;
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        loop {
            match self.src.read(&mut self.line.data[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads the next record into `rec` (a copy of it); false at the end of the input. Blank
    /// lines are skipped, as pandas does.
    pub fn read(&mut self, rec: &mut Record) -> io::Result<bool> {
        let got = self.next_then(&mut || Ok(()))?;
        if let Some(next) = got {
            rec.copy_from(next);
        }
        Ok(got.is_some())
    }

    /// The next record, where it was read (no copy); none at the end of the input. Blank
    /// lines are skipped. `before_wait` is called before every read from the source, which
    /// may wait: a filter flushes its output there, so that a live pipeline (`tail -n +1 -F
    /// log | estimate | bucket --stream`) passes on every row it has before it waits for more.
    #[inline]
    pub fn next_then(
        &mut self,
        before_wait: &mut dyn FnMut() -> io::Result<()>,
    ) -> io::Result<Option<&Record>> {
        // The comma is compiled in as a constant, here; other delimiters take a copy of
        // their own (a delimiter in a register measured 12% more instructions on estimate).
        let got = if self.delimiter == b',' {
            self.advance_at(b',', before_wait)?
        } else {
            self.advance_other(before_wait)?
        };
        Ok(match got {
            Got::Line => Some(&self.line),
            Got::Quoted => Some(&self.quoted_record),
            Got::End => None,
        })
    }

    #[inline(never)]
    fn advance_other(
        &mut self,
        before_wait: &mut dyn FnMut() -> io::Result<()>,
    ) -> io::Result<Got> {
        self.advance_at(self.delimiter, before_wait)
    }

    /// Finds the next record: a plain line is split where it lies, into `self.line`.
    #[inline(always)]
    fn advance_at(
        &mut self,
        delimiter: u8,
        before_wait: &mut dyn FnMut() -> io::Result<()>,
    ) -> io::Result<Got> {
        if !self.started {
            self.started = true;
            while self.end < 3 && self.fill(before_wait)? {}
            if self.line.data[..self.end].starts_with(b"\xef\xbb\xbf") {
                self.pos = 3;
            }
        }
        loop {
            let from = self.pos;
            let line = &mut self.line;
            let (at, next) = match scan(&line.data[..self.end], from, &mut line.ends, delimiter) {
                Scan::Line { end, next } => (end, next),
                Scan::Special => return self.read_quoted(before_wait),
                Scan::Incomplete if self.eof => {
                    if from == self.end {
                        return Ok(Got::End);
                    }
                    line.ends.push(self.end);
                    (self.end, self.end)
                }
                Scan::Incomplete => {
                    self.fill(before_wait)?;
                    continue;
                }
            };
            line.line = self.line_no;
            line.start = from;
            self.pos = next;
            self.line_no += 1;
            if self.after_cr {
                // The `\n` of a `\r\n` whose `\r` ended a quoted record: its line is counted.
                self.after_cr = false;
                if at == from && next == from + 1 {
                    self.line_no -= 1;
                }
            }
            if at > from {
                return Ok(Got::Line);
            }
        }
    }

    /// Parses one record with csv-core, refilling as it spans lines and buffers.
    #[cold]
    fn read_quoted(&mut self, before_wait: &mut dyn FnMut() -> io::Result<()>) -> io::Result<Got> {
        let mut rec = std::mem::take(&mut self.quoted_record);
        rec.clear(self.line_no);
        rec.delimiter = self.delimiter;
        // Taken out while csv-core writes to it, so that `fill` may borrow the reader.
        let mut ends = std::mem::take(&mut self.ends);
        let mut data = std::mem::take(&mut self.core_fields);
        let result = self.parse_quoted(&mut data, &mut ends, before_wait);
        if let Ok(Some(fields)) = result {
            let mut start = 0;
            for &end in &ends[..fields] {
                rec.push(&data[start..end]);
                start = end;
            }
        }
        self.ends = ends;
        self.core_fields = data;
        self.quoted_record = rec;
        result.map(|fields| {
            if fields.is_some() {
                Got::Quoted
            } else {
                Got::End
            }
        })
    }

    /// Reads one record with csv-core into `data`, its fields back to back, ending where
    /// `ends` says; returns how many fields, or none at the end of the input.
    fn parse_quoted(
        &mut self,
        data: &mut Vec<u8>,
        ends: &mut Vec<usize>,
        before_wait: &mut dyn FnMut() -> io::Result<()>,
    ) -> io::Result<Option<usize>> {
        data.resize(data.capacity().max(256), 0);
        ends.resize(ends.len().max(16), 0);
        let (mut nout, mut nends) = (0, 0);
        loop {
            let input = &self.line.data[self.pos..self.end];
            let (result, nin, out, end) =
                self.core
                    .read_record(input, &mut data[nout..], &mut ends[nends..]);
            self.line_no += count_lines(&input[..nin], &mut self.after_cr);
            self.pos += nin;
            nout += out;
            nends += end;
            match result {
                ReadRecordResult::InputEmpty => {
                    if !self.eof {
                        self.fill(before_wait)?;
                    }
                }
                ReadRecordResult::OutputFull => data.resize(data.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                ReadRecordResult::Record => break,
                ReadRecordResult::End => return Ok(None),
            }
        }
        data.truncate(nout);
        Ok(Some(nends))
    }
}

/// csv-core's parser for quoted records, splitting at `delimiter`.
fn core_reader(delimiter: u8) -> csv_core::Reader {
    let mut core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    // csv-core strips a BOM from the first bytes it sees; it sees bytes only mid-file
    // here, where they are data. A blank line marks it as having read.
    let _ = core.read_record(b"\n", &mut [0u8; 1], &mut [0usize; 1]);
    core
}

/// The line ends in `bytes`: `\n`, `\r\n`, and a lone `\r` (old Mac files, which pandas and
/// csv-core read as line ends too). `after_cr` carries a `\r` that ended the previous chunk.
fn count_lines(bytes: &[u8], after_cr: &mut bool) -> u64 {
    let mut lines = 0;
    let mut prev_cr = *after_cr;
    for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        let cr = bytes[at] == b'\r';
        // A `\n` right after a `\r` ends the line the `\r` already counted.
        let joined = !cr && prev_cr && (at == 0 || bytes[at - 1] == b'\r');
        lines += u64::from(!joined);
        prev_cr = cr;
    }
    if let Some(&last) = bytes.last() {
        *after_cr = last == b'\r';
    }
    lines
}

/// What the reader found next.
#[derive(Clone, Copy)]
enum Got {
    Line,
    Quoted,
    End,
}

/// What a scan from a record's start found.
enum Scan {
    /// A plain line ending at `end` (field ends pushed); the next starts at `next`.
    Line { end: usize, next: usize },
    /// A quote or a lone `\r`: csv-core's job.
    Special,
    /// No line end yet: the ends of the fields before the last one are pushed.
    Incomplete,
}

/// Splits one unquoted line into field ends in a single pass. Sixteen bytes at a time are
/// tested for the delimiter and for the bytes that stop a plain line (`\n`, `\r`, `"`) at
/// once ([`masks`]): the delimiters before the first stop are the field ends, taken from
/// the mask bit by bit with no test of the byte. For monitor lines of ~45 bytes this is
/// three loads and a handful of instructions per field.
#[inline(always)]
fn scan(avail: &[u8], from: usize, ends: &mut Vec<usize>, delimiter: u8) -> Scan {
    ends.clear();
    let mut chunks = avail.get(from..).unwrap_or_default().chunks_exact(CHUNK);
    let mut base = from;
    for chunk in &mut chunks {
        let Ok(chunk) = <&[u8; CHUNK]>::try_from(chunk) else {
            break; // never: the chunks are exact
        };
        let (delimiters, stops) = masks(chunk, delimiter);
        if stops != 0 {
            return line_end(avail, ends, base, delimiters, stops);
        }
        push_ends(ends, base, delimiters);
        base += CHUNK;
    }
    // Fewer bytes than a chunk are left: tested padded, where the padding may hold the
    // delimiter (only the bits of real bytes count).
    let rest = chunks.remainder();
    let mut padded = [0; CHUNK];
    padded[..rest.len()].copy_from_slice(rest);
    let real = (1u32 << rest.len()) - 1;
    let (delimiters, stops) = masks(&padded, delimiter);
    let (delimiters, stops) = (delimiters & real, stops & real);
    if stops != 0 {
        return line_end(avail, ends, base, delimiters, stops);
    }
    push_ends(ends, base, delimiters);
    Scan::Incomplete
}

/// The first stop in the chunk at `base` ends the line: the delimiters before it are its
/// last field ends, and the stop says how the line ends (or that csv-core must read it).
#[inline(always)]
fn line_end(avail: &[u8], ends: &mut Vec<usize>, base: usize, delimiters: u32, stops: u32) -> Scan {
    let first = stops.trailing_zeros();
    push_ends(ends, base, delimiters & ((1 << first) - 1));
    let at = base + first as usize;
    ends.push(at);
    match avail[at] {
        b'\n' => Scan::Line {
            end: at,
            next: at + 1,
        },
        b'\r' if avail.get(at + 1) == Some(&b'\n') => Scan::Line {
            end: at,
            next: at + 2,
        },
        _ => Scan::Special,
    }
}

/// Pushes `base + i` for every bit `i` set in `bits`, lowest first.
#[inline(always)]
fn push_ends(ends: &mut Vec<usize>, base: usize, mut bits: u32) {
    while bits != 0 {
        ends.push(base + bits.trailing_zeros() as usize);
        bits &= bits - 1;
    }
}

/// Bytes tested at once by [`scan`].
const CHUNK: usize = 16;

/// Two masks of `chunk`, bit `i` for byte `i`: the delimiter's bytes, and the bytes that
/// stop a plain line (`\n`, `\r`, `"`). Five SSE2 compares and two `pmovmskb` (safe_arch's
/// safe wrappers; x86_64 always has SSE2), where the 8-byte SWAR scan took 18% more of
/// estimate's instructions.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn masks(chunk: &[u8; CHUNK], delimiter: u8) -> (u32, u32) {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i,
    };
    let bytes = load_unaligned_m128i(chunk);
    let is = |b: u8| cmp_eq_mask_i8_m128i(bytes, set_splat_i8_m128i(i8::from_ne_bytes([b])));
    let stops = bitor_m128i(bitor_m128i(is(b'\n'), is(b'\r')), is(b'"'));
    // One bit per byte lane: 16 bits, always non-negative as an i32.
    let bits = |v| u32::try_from(move_mask_i8_m128i(v)).unwrap_or(0);
    (bits(is(delimiter)), bits(stops))
}

/// Elsewhere, the same masks by SWAR: two 8-byte words.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn masks(chunk: &[u8; CHUNK], delimiter: u8) -> (u32, u32) {
    masks_swar(chunk, delimiter)
}

#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn masks_swar(chunk: &[u8; CHUNK], delimiter: u8) -> (u32, u32) {
    let (low, high) = chunk.split_at(8);
    let word = |half: &[u8]| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(half);
        u64::from_le_bytes(bytes)
    };
    let (low, high) = (word(low), word(high));
    let mask = |bytes: &[u8]| {
        let of = |w: u64| bits(bytes.iter().fold(0, |m, &b| m | swar_eq(w, b)));
        of(low) | of(high) << 8
    };
    (mask(&[delimiter]), mask(b"\n\r\""))
}

/// The high bit of each byte of `word` that is `byte`, exactly (no false positives from
/// borrows, unlike the shorter has-zero-byte trick).
#[inline(always)]
fn swar_eq(word: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (ONES * u64::from(byte));
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// The high bits of a word's 8 bytes gathered into 8 low bits: byte `i`'s into bit `i`.
#[inline(always)]
fn bits(high_bits: u64) -> u32 {
    // Each high bit moved to bit 56 + i by one multiply; no two products overlap.
    u32::try_from(((high_bits >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &[u8]) -> Vec<(u64, Vec<String>, bool)> {
        let mut rdr = Reader::new(input);
        let mut rec = Record::new();
        let mut out = Vec::new();
        while rdr.read(&mut rec).unwrap() {
            let fields = rec
                .iter()
                .map(|f| String::from_utf8_lossy(f).into())
                .collect();
            out.push((rec.line(), fields, rec.plain().is_some()));
        }
        assert_eq!(rdr.bytes(), input.len() as u64);
        out
    }

    fn fields(input: &[u8]) -> Vec<Vec<String>> {
        records(input).into_iter().map(|(_, f, _)| f).collect()
    }

    #[test]
    fn plain_lines() {
        assert_eq!(
            records(b"a,b\n1,2\n\n3,\n"),
            [
                (1, vec!["a".into(), "b".into()], true),
                (2, vec!["1".into(), "2".into()], true),
                (4, vec!["3".into(), String::new()], true),
            ]
        );
        assert_eq!(fields(b"a,b\r\n1,2\r\n"), [["a", "b"], ["1", "2"]]);
        assert_eq!(fields(b"a,b\n1,2"), [["a", "b"], ["1", "2"]]);
        assert_eq!(fields(b"\xef\xbb\xbfa,b\n"), [["a", "b"]]);
        assert!(fields(b"").is_empty());
    }

    #[test]
    fn quoted_records_and_their_lines() {
        let got = records(b"a,b\n\"x,\"\"y\"\"\",\"multi\nline\"\n3,4\r\n\"q\",5\r\n6,7\n");
        assert_eq!(
            got,
            [
                (1, vec!["a".into(), "b".into()], true),
                (2, vec!["x,\"y\"".into(), "multi\nline".into()], false),
                (4, vec!["3".into(), "4".into()], true),
                (5, vec!["q".into(), "5".into()], false),
                (6, vec!["6".into(), "7".into()], true),
            ]
        );
        assert_eq!(fields(b"\"a\",b"), [["a", "b"]]);
        // A lone `\r` ends a record, for csv-core as for pandas (old Mac line ends).
        assert_eq!(fields(b"a\rb,c\n"), [vec!["a"], vec!["b", "c"]]);
    }

    #[test]
    fn scans_every_special_byte_at_every_offset() {
        // `x` is also the filler, `\0` what a short word is padded with.
        for delimiter in [b',', b'\t', b';', b'x', 0] {
            scans_every_special_byte_with(delimiter);
        }
    }

    fn scans_every_special_byte_with(delimiter: u8) {
        for len in 1..20 {
            for at in 0..len {
                for special in [b',', b'\t', b';', b'\n', b'"', b'-', 0xff] {
                    let mut line = vec![b'x'; len];
                    line[at] = special;
                    // A byte one above a special is where borrow tricks give false hits
                    // (one above a tab is a newline, special itself).
                    let above = special.wrapping_add(1);
                    if at + 1 < len && above != b'\n' {
                        line[at + 1] = above;
                    }
                    let want: Vec<usize> = (0..len).filter(|&i| line[i] == delimiter).collect();
                    let mut ends = Vec::new();
                    match scan(&line, 0, &mut ends, delimiter) {
                        Scan::Special => assert_eq!(special, b'"'),
                        Scan::Line { end: l, next } => {
                            assert_eq!((special, l, next), (b'\n', at, at + 1));
                            let before: Vec<usize> = want.into_iter().filter(|&i| i < at).collect();
                            assert_eq!(ends, [before, vec![at]].concat(), "{line:?}");
                        }
                        Scan::Incomplete => assert_eq!(ends, want, "{line:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn lone_carriage_returns_end_lines_too() {
        // Old Mac line ends: each `\r` is a line, as for pandas.
        let got = records(b"a,b\r1,2\r3,x\r");
        let lines: Vec<u64> = got.iter().map(|r| r.0).collect();
        assert_eq!(lines, [1, 2, 3]);
        // Mixed with quoted fields and CRLF, and split at every buffer boundary.
        let input = b"a,b\r\"q\",1\r\n\"x\ny\",2\r3,4\r\n5,6\n";
        let want = [1, 2, 3, 5, 6];
        let lines: Vec<u64> = records(input).iter().map(|r| r.0).collect();
        assert_eq!(lines, want);
        let mut rdr = Reader::new(Trickle(input));
        let mut rec = Record::new();
        let mut lines = Vec::new();
        while rdr.read(&mut rec).unwrap() {
            lines.push(rec.line());
        }
        assert_eq!(lines, want);
    }

    #[test]
    fn a_bom_mid_file_is_data() {
        assert_eq!(fields(b"a\n\"\xef\xbb\xbf\"\n")[1], ["\u{feff}"]);
    }

    #[test]
    fn records_longer_than_the_buffer() {
        let long = "x".repeat(3 * BUFFER);
        let input = format!("a,b\n{long},1\n\"{long}\",2\n");
        let got = fields(input.as_bytes());
        assert_eq!(got[1], [long.clone(), "1".into()]);
        assert_eq!(got[2], [long, "2".into()]);
    }

    /// A reader that hands out one byte at a time, to hit every refill boundary.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((&b, rest)), Some(slot)) => {
                    *slot = b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn byte_by_byte_reads_alike() {
        let input = b"\xef\xbb\xbfa,b\n\"x\ny\",2\n\n3,4\r\n5,\"6\"";
        let mut rdr = Reader::new(Trickle(input));
        let mut rec = Record::new();
        let mut got = Vec::new();
        while rdr.read(&mut rec).unwrap() {
            got.push((rec.line(), rec.to_text()));
        }
        assert_eq!(
            got,
            [
                (1, "a,b".to_owned()),
                (2, r#""x\ny",2"#.into()), // to_text quotes and escapes, for messages
                (5, "3,4".into()),
                (6, "5,6".into())
            ]
        );
    }

    #[test]
    fn other_delimiters_split_plain_and_quoted_records() {
        let input = b"a\tb\n1,5\t\"x\ty\"\n\"q\"\"\"\t\"m\nl\"\n";
        let mut rdr = Reader::new(&input[..]).with_delimiters(b'\t', b'\t');
        let mut rec = Record::new();
        let mut got = Vec::new();
        while rdr.read(&mut rec).unwrap() {
            let text = String::from_utf8_lossy(&rec.joined()).into_owned();
            got.push((text, rec.plain().is_some()));
        }
        assert_eq!(
            got,
            [
                ("a\tb".to_owned(), true),
                ("1,5\tx\ty".into(), false),
                ("q\"\tm\nl".into(), false)
            ]
        );
        // A plain line is not copied whole to an output with another delimiter.
        let mut rdr = Reader::new(&b"a\tb\n"[..]).with_delimiters(b'\t', b',');
        assert!(rdr.read(&mut rec).unwrap());
        assert_eq!((rec.len(), rec.plain()), (2, None));
    }

    /// Records as lists of fields.
    type Rows = Vec<Vec<Vec<u8>>>;

    /// Reads `input` split at `delimiter` with the csv crate and with [`Reader`].
    fn both_readers(input: &[u8], delimiter: u8, piece: usize) -> (Rows, Rows) {
        let mut want = Vec::new();
        let mut csv = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(input);
        for rec in csv.byte_records() {
            let rec = rec.unwrap();
            want.push(rec.iter().map(<[u8]>::to_vec).collect::<Vec<_>>());
        }
        let mut got = Vec::new();
        let pieces = Pieces {
            rest: input,
            size: piece,
        };
        let mut rdr = Reader::new(pieces).with_delimiters(delimiter, delimiter);
        let mut rec = Record::new();
        while rdr.read(&mut rec).unwrap() {
            got.push(rec.iter().map(<[u8]>::to_vec).collect::<Vec<_>>());
        }
        (got, want)
    }

    /// A reader that hands out `size` bytes at a time: refills anywhere in a line, or none.
    struct Pieces<'a> {
        rest: &'a [u8],
        size: usize,
    }

    impl Read for Pieces<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.size.min(buf.len()).min(self.rest.len());
            buf[..n].copy_from_slice(&self.rest[..n]);
            self.rest = &self.rest[n..];
            Ok(n)
        }
    }

    /// How many bytes the source gives at a time: one, a few, or everything at once.
    fn piece_sizes() -> impl proptest::strategy::Strategy<Value = usize> {
        use proptest::strategy::Just;
        proptest::prop_oneof![Just(1), 2..80usize, Just(1 << 20)]
    }

    /// Bit `i` set when byte `i` is one of `these`: the definition.
    fn mask_by_byte(chunk: &[u8; CHUNK], these: &[u8]) -> u32 {
        (0..CHUNK).fold(0, |m, i| m | u32::from(these.contains(&chunk[i])) << i)
    }

    proptest::proptest! {
        /// The SIMD and SWAR masks are the definition's, for every delimiter.
        #[test]
        fn chunk_masks_mark_exactly_delimiters_and_stops(
            chunk in proptest::array::uniform16(proptest::sample::select(
                vec![b'a', b',', b'\t', b';', b'"', b'\n', b'\r', 0x80, 0xff, 0x7f, 0x00],
            )),
            delimiter in proptest::sample::select(vec![b',', b'\t', b';', 0x00, 0xff]),
        ) {
            let want = (mask_by_byte(&chunk, &[delimiter]), mask_by_byte(&chunk, b"\n\r\""));
            proptest::prop_assert_eq!(masks(&chunk, delimiter), want);
            proptest::prop_assert_eq!(masks_swar(&chunk, delimiter), want);
        }

        /// The fast path and csv-core together read any bytes exactly as the csv crate does,
        /// however the source hands them out.
        #[test]
        fn reads_like_the_csv_crate(input in proptest::collection::vec(
            proptest::sample::select(vec![b'a', b'b', b',', b',', b'"', b'\n', b'\r', 0xff]),
            0..200,
        ), piece in piece_sizes()) {
            let (got, want) = both_readers(&input, b',', piece);
            proptest::prop_assert_eq!(got, want);
        }

        /// And so with long plain lines, many to a read, longer than a chunk of the scan.
        #[test]
        fn reads_long_lines_like_the_csv_crate(lines in proptest::collection::vec(
            proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'a', b'a', b'b', b',', b',', b'\xff']),
                0..150,
            ),
            0..40,
        ), crlf: bool, quote_at in proptest::option::of(0..3000usize), piece in piece_sizes()) {
            let mut input = lines.join(if crlf { &b"\r\n"[..] } else { b"\n" });
            if let Some(at) = quote_at.filter(|&at| at < input.len()) {
                input[at] = b'"';
            }
            let (got, want) = both_readers(&input, b',', piece);
            proptest::prop_assert_eq!(got, want);
        }

        /// And so with tabs, commas then being data.
        #[test]
        fn reads_tabs_like_the_csv_crate(input in proptest::collection::vec(
            proptest::sample::select(vec![b'a', b',', b'\t', b'\t', b'"', b'\n', b'\r', 0xff]),
            0..200,
        ), piece in piece_sizes()) {
            let (got, want) = both_readers(&input, b'\t', piece);
            proptest::prop_assert_eq!(got, want);
        }
    }
}
