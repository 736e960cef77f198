//! The long table held compactly until the end: each index and key column's distinct values
//! once, a row as the tuple of their ids, cells as LEB128 offsets into one buffer.

use std::hash::BuildHasher;

use error::{Error, Result};
use foldhash::fast::FixedState;
use hashbrown::HashTable;
use pandas::dtype::Inference;
use pandas::num::is_missing;

/// Appends `n` as LEB128: lines and lengths take a byte or three instead of eight.
pub(crate) fn put_varint(buf: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        buf.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    buf.push(n as u8);
}

/// Reads a LEB128 number at `*at` and moves past it.
pub(crate) fn get_varint(buf: &[u8], at: &mut usize) -> u64 {
    let mut n = 0u64;
    let mut shift = 0;
    while let Some(&b) = buf.get(*at) {
        *at += 1;
        n |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    n
}

/// The bytes of value `id` of a dictionary's buffer.
pub(crate) fn entry<'a>(bytes: &'a [u8], ends: &[usize], id: u32) -> &'a [u8] {
    let id = id as usize;
    let start = if id == 0 { 0 } else { ends[id - 1] };
    &bytes[start..ends[id]]
}

/// The distinct values of one column, each stored once, numbered in order of first sight.
/// Every missing spelling (empty, `NA`, `null`, ...) is the one missing value, stored empty:
/// pandas holds them all as NaN.
#[derive(Debug, Default)]
pub(crate) struct Dictionary {
    pub(crate) bytes: Vec<u8>,
    pub(crate) ends: Vec<usize>,
    pub(crate) table: HashTable<u32>,
    /// The two ids last looked up: consecutive rows share most of their index, and a
    /// key column alternates (`in`, `out`, `in`, ...).
    pub(crate) recent: [Option<u32>; 2],
    /// The values of rows that `--dropna` dropped: pandas typed the column with them.
    pub(crate) dropped: Inference,
}

impl Dictionary {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn get(&self, id: u32) -> &[u8] {
        entry(&self.bytes, &self.ends, id)
    }

    /// The id of `field`, numbered anew on first sight.
    #[inline]
    pub(crate) fn id(&mut self, field: &[u8], hasher: &FixedState) -> Result<u32> {
        let field = if is_missing(field) { &[][..] } else { field };
        for id in self.recent.into_iter().flatten() {
            if self.get(id) == field {
                if Some(id) != self.recent[0] {
                    self.recent = [Some(id), self.recent[0]];
                }
                return Ok(id);
            }
        }
        let hash = hasher.hash_one(field);
        let (bytes, ends) = (&self.bytes, &self.ends);
        let id = match self.table.find(hash, |&id| entry(bytes, ends, id) == field) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.len())
                    .map_err(|_| Error::data("more than 4 billion distinct values in a column"))?;
                self.bytes.extend_from_slice(field);
                self.ends.push(self.bytes.len());
                let (bytes, ends) = (&self.bytes, &self.ends);
                self.table
                    .insert_unique(hash, id, |&i| hasher.hash_one(entry(bytes, ends, i)));
                id
            }
        };
        self.recent = [Some(id), self.recent[0]];
        Ok(id)
    }
}

/// The distinct index tuples (ids into the index columns' dictionaries), numbered in order
/// of first sight: `width` ids a row in one vector.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    pub(crate) width: usize,
    pub(crate) ids: Vec<u32>,
    pub(crate) table: HashTable<u32>,
    pub(crate) last: Option<u32>,
}

impl Rows {
    pub(crate) fn len(&self) -> usize {
        self.ids.len() / self.width.max(1)
    }

    pub(crate) fn get(&self, row: u32) -> &[u32] {
        let start = row as usize * self.width;
        &self.ids[start..start + self.width]
    }

    #[inline]
    pub(crate) fn id(&mut self, tuple: &[u32], hasher: &FixedState) -> Result<u32> {
        if let Some(last) = self.last {
            if self.get(last) == tuple {
                return Ok(last);
            }
        }
        let hash = hasher.hash_one(tuple);
        let (ids, width) = (&self.ids, self.width);
        let get = |row: u32| &ids[row as usize * width..(row as usize + 1) * width];
        let id = match self.table.find(hash, |&row| get(row) == tuple) {
            Some(&row) => row,
            None => {
                let row = u32::try_from(self.len())
                    .map_err(|_| Error::data("more than 4 billion output rows"))?;
                self.ids.extend_from_slice(tuple);
                let (ids, width) = (&self.ids, self.width);
                self.table.insert_unique(hash, row, |&r| {
                    hasher.hash_one(&ids[r as usize * width..(r as usize + 1) * width])
                });
                row
            }
        };
        self.last = Some(id);
        Ok(id)
    }
}
