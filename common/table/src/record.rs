//! One CSV record as the filters see it: field bytes, where each field is, and its line.

/// The low `n` bytes of a u128, for `n` in 0..=16 (a table: a variable 128-bit shift takes
/// a dozen instructions).
const WORD_MASKS: [u128; 17] = {
    let mut masks = [0; 17];
    let mut n = 1;
    while n <= 16 {
        masks[n] = u128::MAX >> (128 - 8 * n);
        n += 1;
    }
    masks
};

/// A record read from CSV. Reused from row to row, so reading allocates nothing once warm.
///
/// The reader's own records are views: `data` is its whole read buffer and the record the
/// line at `start`, so that a line is split where it was read, never copied.
#[derive(Debug)]
pub struct Record {
    pub(crate) data: Vec<u8>,
    /// Where the first field starts in `data`.
    pub(crate) start: usize,
    /// Where each field ends in `data`; the next one starts a byte later (after the
    /// delimiter of a line as read, or the separator [`Record::push`] puts between fields).
    /// Ends alone are half the stores of (start, end) pairs in the reader's hot loop.
    pub(crate) ends: Vec<usize>,
    pub(crate) line: u64,
    /// `data` is the record's line exactly as written and as it is to be written: fields
    /// joined by the delimiter (the output's too), no quotes.
    pub(crate) plain: bool,
    /// The delimiter it was read with, to show it as read in messages.
    pub(crate) delimiter: u8,
}

impl Default for Record {
    fn default() -> Record {
        Record {
            data: Vec::new(),
            start: 0,
            ends: Vec::new(),
            line: 0,
            plain: false,
            delimiter: b',',
        }
    }
}

impl Record {
    pub fn new() -> Record {
        Record::default()
    }

    /// A record of these fields (for headers and tests).
    pub fn from_fields<I, F>(fields: I) -> Record
    where
        I: IntoIterator<Item = F>,
        F: AsRef<[u8]>,
    {
        let mut rec = Record::new();
        for f in fields {
            rec.push(f.as_ref());
        }
        rec
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Where field `i` starts and ends in `data`, if the record has it.
    #[inline]
    fn bounds(&self, i: usize) -> Option<(usize, usize)> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            Some(before) => self.ends[before] + 1,
            None => self.start,
        };
        Some((start, end))
    }

    /// Field `i`, if the record has it.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let (start, end) = self.bounds(i)?;
        self.data.get(start..end)
    }

    /// Field `i` of at most 16 bytes as a little-endian number (zero-padded, so that two
    /// fields are equal when their numbers and lengths are), with its length: a key compared
    /// and hashed without a call. `None` past the end or for a longer field.
    #[inline]
    pub fn word(&self, i: usize) -> Option<(u128, usize)> {
        let (start, end) = self.bounds(i)?;
        let len = end.checked_sub(start).filter(|&len| len <= 16)?;
        // In a read buffer the 16 bytes from the field's start are there (what follows the
        // field is masked off); near the end of a record's own bytes they are copied.
        let bytes = match self.data.get(start..).and_then(<[u8]>::first_chunk::<16>) {
            Some(bytes) => *bytes,
            None => {
                let mut bytes = [0; 16];
                bytes[..len].copy_from_slice(self.data.get(start..end)?);
                bytes
            }
        };
        Some((u128::from_le_bytes(bytes) & WORD_MASKS[len], len))
    }

    /// Field `i`, or an empty field past the end.
    #[inline]
    pub fn field(&self, i: usize) -> &[u8] {
        self.get(i).unwrap_or_default()
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let starts = std::iter::once(self.start).chain(self.ends.iter().map(|&end| end + 1));
        starts
            .zip(&self.ends)
            .map(|(start, &end)| self.data.get(start..end).unwrap_or_default())
    }

    /// The line (1-based) the record starts on.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The record as written in the input when that needed no quoting: its fields joined by
    /// the delimiter, which the output shares. Lets a filter that keeps every column copy the
    /// line instead of its fields ([`crate::Writer::joined`]).
    #[inline]
    pub fn plain(&self) -> Option<&[u8]> {
        let end = *self.ends.last()?;
        self.data.get(self.start..end).filter(|_| self.plain)
    }

    /// Appends a field (the record is no longer a plain line).
    pub fn push(&mut self, field: &[u8]) {
        if !self.ends.is_empty() {
            // Any byte would do: the delimiter keeps `data` readable in a debugger.
            self.data.push(self.delimiter);
        }
        self.data.extend_from_slice(field);
        self.ends.push(self.data.len());
        self.plain = false;
    }

    pub(crate) fn clear(&mut self, line: u64) {
        self.data.clear();
        self.start = 0;
        self.ends.clear();
        self.line = line;
        self.plain = false;
    }

    /// The fields as a CSV line with the delimiter they were read with (quoted where they
    /// need it, so that `"a,b",c` shows two fields), for messages: escaped and shortened
    /// ([`error::show_line`]), since a binary file's first "line" can be anything.
    pub fn to_text(&self) -> String {
        let mut line = Vec::new();
        for (i, field) in self.iter().enumerate() {
            if i > 0 {
                line.push(self.delimiter);
            }
            crate::writer::quote_into(&mut line, field, self.delimiter);
        }
        error::show_line(&line)
    }

    /// Makes this record a copy of `other` that owns just its fields (not a whole read
    /// buffer), keeping the allocations it has.
    pub fn copy_from(&mut self, other: &Record) {
        self.data.clear();
        self.ends.clear();
        self.start = 0;
        let end = other.ends.last().copied().unwrap_or(other.start);
        self.data
            .extend_from_slice(other.data.get(other.start..end).unwrap_or_default());
        self.ends
            .extend(other.ends.iter().map(|&e| e.saturating_sub(other.start)));
        self.line = other.line;
        self.plain = other.plain;
        self.delimiter = other.delimiter;
    }

    /// The fields' bytes joined by the delimiter they were read with, for messages.
    pub fn joined(&self) -> Vec<u8> {
        let fields: Vec<&[u8]> = self.iter().collect();
        fields.join(&self.delimiter)
    }
}

/// A copy holds the record's fields only: a view does not drag its read buffer along.
impl Clone for Record {
    fn clone(&self) -> Record {
        let mut copy = Record::new();
        copy.copy_from(self);
        copy
    }
}

/// Records are equal when their fields and lines are.
impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        self.line == other.line && self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Record {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_fields_as_words() {
        let r = Record::from_fields(["", "a", "0123456789abcdef", "0123456789abcdefg"]);
        assert_eq!(r.word(0), Some((0, 0)));
        assert_eq!(r.word(1), Some((u128::from(b'a'), 1)));
        assert_eq!(
            r.word(2),
            Some((u128::from_le_bytes(*b"0123456789abcdef"), 16))
        );
        assert_eq!(r.word(3), None);
        assert_eq!(r.word(4), None);
        // What follows a field in the buffer is not part of it.
        let mut view = Record::from_fields(["ab", "cd"]);
        view.data.extend_from_slice(&[b'x'; 32]);
        assert_eq!(view.word(0), Record::from_fields(["ab"]).word(0));
    }

    #[test]
    fn fields_by_index() {
        let mut r = Record::from_fields(["a", "", "bc"]);
        assert_eq!(r.iter().collect::<Vec<_>>(), [&b"a"[..], b"", b"bc"]);
        assert_eq!(r.field(9), b"");
        assert_eq!(r.plain(), None);
        r.push(b"x");
        assert_eq!(r.len(), 4);
        assert_eq!(r.to_text(), "a,,bc,x");
        let binary = Record::from_fields([&b"\x1f\x8b\x08"[..], b"\xff\r"]);
        assert_eq!(binary.to_text(), r"\u{1f}\x8b\u{8},\xff\r");
    }
}
