//! Finding a row's group: by the bytes of its key (fast, per row), and once per new spelling
//! by the key's values, so that `5`, `+5` and `05`, or `true` and `True`, are one group as in
//! pandas.
//!
//! A key's bytes are a *spelling*; spellings whose values are equal under any numeric or bool
//! type ([`Key::of`]) share a *group*, whose aggregates every row of either adds to. Whether
//! they are one group in pandas is known only at the end (a column of numbers may turn out
//! text, whose values are their spellings), so a group of several spellings also keeps
//! aggregates per spelling, to be used if it must split again. Most groups have one spelling:
//! they pay nothing for this.

use std::cmp::Ordering;
use std::hash::BuildHasher;

use error::{Error, Result};
use hashbrown::HashTable;
use pandas::dtype::{Dtype, Key};
use table::Record;

use crate::agg::Seq;

/// No spelling aggregates of its own: the group has one spelling.
pub const NO_SHADOW: u32 = u32::MAX;

/// Slots of [`Groups::recent`]: a few times the keys of an hour in monitor data.
const RECENT: usize = 256;

/// Key columns a [`ShortKey`] holds at most: the study's tables group by one or two (flow,
/// msg_type); every word more costs every row (4 measured 10% more of bucket's
/// instructions than 2). More keys take the encoded path.
pub const SHORT_KEYS: usize = 2;

/// Where a row's values go: its group, its spelling's own aggregates ([`NO_SHADOW`]: none),
/// whether a key value is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub group: u32,
    pub shadow: u32,
    pub missing: bool,
}

/// What a lookup found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A spelling seen before.
    Known(Hit),
    /// A new spelling of a new group.
    NewGroup(Hit),
    /// A new spelling of an existing group, which had only one spelling so far when
    /// `first_alias`.
    Alias(Hit, bool),
}

/// The groups of a bucketing, and the spellings of their keys.
#[derive(Debug)]
pub struct Groups {
    timed: bool,
    /// Rows whose key fields are all short are found by [`ShortKey`]: there are at most
    /// [`SHORT_KEYS`] key columns (and tests that compare the paths turn it off).
    pub short: bool,
    hasher: foldhash::fast::FixedState,
    /// Spelling id by encoded key: the bucket (8 bytes, when timed) then each key field,
    /// length-prefixed.
    table: HashTable<u32>,
    keys: Vec<Box<[u8]>>,
    /// Spellings by [`ShortKey`], when every key field of the row is short: per spelling,
    /// its short key (unused for the others).
    short_table: HashTable<u32>,
    short_keys: Vec<ShortKey>,
    /// The spelling last found in each slot of a small table by [`ShortKey`] hash: the rows
    /// of an hour share a few dozen keys, found here with one compare, where a probe of the
    /// table of every key took 5% of bucket's time and a compare that often missed L1.
    recent: Box<[(ShortKey, Hit); RECENT]>,
    /// Per spelling: its group, its own aggregates' index ([`NO_SHADOW`]: none), the row
    /// it was first seen in.
    pub group: Vec<u32>,
    pub shadow: Vec<u32>,
    pub first_seq: Vec<Seq>,
    /// Group id by the encoded values of its key ([`Key::of`] of each field).
    canon: HashTable<u32>,
    canon_keys: Vec<Box<[u8]>>,
    /// Per group: its first spelling, and whether a key value is missing.
    pub first_spelling: Vec<u32>,
    pub missing: Vec<bool>,
    /// The later spellings of groups that have several: (group, spelling).
    pub aliases: Vec<(u32, u32)>,
    key_buf: Vec<u8>,
    canon_buf: Vec<u8>,
    shadows: u32,
}

impl Groups {
    pub fn new(timed: bool) -> Groups {
        Groups {
            timed,
            short: true,
            hasher: foldhash::fast::FixedState::default(),
            table: HashTable::new(),
            keys: Vec::new(),
            short_table: HashTable::new(),
            short_keys: Vec::new(),
            recent: Box::new([(ShortKey::NONE, Hit::NONE); RECENT]),
            group: Vec::new(),
            shadow: Vec::new(),
            first_seq: Vec::new(),
            canon: HashTable::new(),
            canon_keys: Vec::new(),
            first_spelling: Vec::new(),
            missing: Vec::new(),
            aliases: Vec::new(),
            key_buf: Vec::with_capacity(64),
            canon_buf: Vec::with_capacity(64),
            shadows: 0,
        }
    }

    /// How many groups there are.
    pub fn len(&self) -> usize {
        self.first_spelling.len()
    }

    /// The encoded key of spelling `sid`.
    pub fn key(&self, sid: u32) -> &[u8] {
        &self.keys[sid as usize]
    }

    /// Forgets every group (`--stream`, after writing them). Spelling ids start again from
    /// 0: no slot may keep naming an old one.
    pub fn clear(&mut self) {
        self.table.clear();
        self.keys.clear();
        self.short_table.clear();
        self.short_keys.clear();
        self.recent.fill((ShortKey::NONE, Hit::NONE));
        self.group.clear();
        self.shadow.clear();
        self.first_seq.clear();
        self.canon.clear();
        self.canon_keys.clear();
        self.first_spelling.clear();
        self.missing.clear();
        self.aliases.clear();
        self.shadows = 0;
    }

    /// Where the row's key (`bucket` and the fields at `key_idx`) goes, found by value when
    /// every key field is short, else by its encoding.
    #[inline]
    pub fn find(
        &mut self,
        bucket: i64,
        key_idx: &[usize],
        row: &Record,
        seq: Seq,
    ) -> Result<Found> {
        if self.short {
            if let Some(key) = ShortKey::of(bucket, key_idx, row) {
                return self.find_short(&key, key_idx, row, seq);
            }
        }
        self.encode_key(bucket, key_idx, row)?;
        Ok(self.find_encoded(key_idx, row, seq).1)
    }

    /// Where spelling `sid`'s rows go.
    #[inline]
    fn hit(&self, sid: u32) -> Hit {
        let group = self.group[sid as usize];
        Hit {
            group,
            shadow: self.shadow[sid as usize],
            missing: self.missing[group as usize],
        }
    }

    /// The spelling of a row whose key fields are all short: found by value, with no
    /// encoding and no call; on first sight through [`Groups::find_encoded`].
    #[inline]
    fn find_short(
        &mut self,
        key: &ShortKey,
        key_idx: &[usize],
        row: &Record,
        seq: Seq,
    ) -> Result<Found> {
        let hash = key.hash();
        #[allow(clippy::cast_possible_truncation)] // the low bits pick the slot
        let slot = hash as usize % RECENT;
        let (recent, hit) = self.recent[slot];
        if recent == *key {
            return Ok(Found::Known(hit));
        }
        let keys = &self.short_keys;
        let found = match self
            .short_table
            .find(hash, |&sid| keys[sid as usize] == *key)
        {
            Some(&sid) => Found::Known(self.hit(sid)),
            None => {
                self.encode_key(key.bucket, key_idx, row)?;
                let (sid, found) = self.find_encoded(key_idx, row, seq);
                self.short_keys[sid as usize] = *key;
                let keys = &self.short_keys;
                self.short_table
                    .insert_unique(hash, sid, |&s| keys[s as usize].hash());
                found
            }
        };
        self.recent[slot] = (*key, found.hit());
        Ok(found)
    }

    /// The spelling of the key in `key_buf` (built from `row`), created on first sight.
    #[inline]
    fn find_encoded(&mut self, key_idx: &[usize], row: &Record, seq: Seq) -> (u32, Found) {
        let hash = self.hasher.hash_one(self.key_buf.as_slice());
        let keys = &self.keys;
        let key = self.key_buf.as_slice();
        if let Some(&sid) = self.table.find(hash, |&sid| *keys[sid as usize] == *key) {
            return (sid, Found::Known(self.hit(sid)));
        }
        self.new_spelling(hash, key_idx, row, seq)
    }

    /// Records the spelling in `key_buf` and finds its group by value, or makes one.
    #[cold]
    #[allow(clippy::cast_possible_truncation)] // spellings and groups are far fewer than 2^32
    fn new_spelling(
        &mut self,
        hash: u64,
        key_idx: &[usize],
        row: &Record,
        seq: Seq,
    ) -> (u32, Found) {
        let sid = self.keys.len() as u32;
        self.keys.push(self.key_buf.as_slice().into());
        self.short_keys.push(ShortKey::default());
        self.shadow.push(NO_SHADOW);
        self.first_seq.push(seq);
        let hasher = &self.hasher;
        let keys = &self.keys;
        self.table
            .insert_unique(hash, sid, |&s| hasher.hash_one(&*keys[s as usize]));
        // The key's values: the bucket as it is, each field by Key::of.
        self.canon_buf.clear();
        let bucket_len = if self.timed { 8 } else { 0 };
        self.canon_buf
            .extend_from_slice(&self.key_buf[..bucket_len]);
        let mut missing = false;
        for &i in key_idx {
            let key = Key::of(row.field(i));
            missing |= key == Key::Missing;
            key.encode(&mut self.canon_buf);
        }
        let hash = self.hasher.hash_one(self.canon_buf.as_slice());
        let canon = &self.canon_keys;
        let value = self.canon_buf.as_slice();
        if let Some(&g) = self.canon.find(hash, |&g| *canon[g as usize] == *value) {
            self.group.push(g);
            let first = self.first_spelling[g as usize];
            let alone = self.shadow[first as usize] == NO_SHADOW;
            if alone {
                self.shadow[first as usize] = self.next_shadow();
            }
            self.shadow[sid as usize] = self.next_shadow();
            self.aliases.push((g, sid));
            if alone {
                // The first spelling's cached hits lack its new aggregates.
                self.recent.fill((ShortKey::NONE, Hit::NONE));
            }
            return (sid, Found::Alias(self.hit(sid), alone));
        }
        let g = self.first_spelling.len() as u32;
        self.first_spelling.push(sid);
        self.missing.push(missing);
        self.group.push(g);
        self.canon_keys.push(self.canon_buf.as_slice().into());
        let canon = &self.canon_keys;
        self.canon
            .insert_unique(hash, g, |&g| hasher.hash_one(&*canon[g as usize]));
        (sid, Found::NewGroup(self.hit(sid)))
    }

    fn next_shadow(&mut self) -> u32 {
        self.shadows += 1;
        self.shadows - 1
    }

    /// Encodes the bucket and the row's key fields into `key_buf`.
    fn encode_key(&mut self, bucket: i64, key_idx: &[usize], row: &Record) -> Result<()> {
        self.key_buf.clear();
        if self.timed {
            // Sign-flipped big-endian: byte order is numeric order.
            self.key_buf
                .extend_from_slice(&(bucket ^ i64::MIN).to_be_bytes());
        }
        for &i in key_idx {
            let field = row.field(i);
            let len = u32::try_from(field.len())
                .map_err(|_| Error::data("a key field longer than 4 GiB"))?;
            self.key_buf.extend_from_slice(&len.to_le_bytes());
            self.key_buf.extend_from_slice(field);
        }
        Ok(())
    }

    /// Every spelling of group `g`, the first first.
    pub fn spellings(&self, g: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(self.first_spelling[g as usize]).chain(
            self.aliases
                .iter()
                .filter(move |&&(group, _)| group == g)
                .map(|&(_, sid)| sid),
        )
    }

    /// Whether group `g` has more than one spelling.
    pub fn aliased(&self, g: u32) -> bool {
        self.shadow[self.first_spelling[g as usize] as usize] != NO_SHADOW
    }
}

impl Found {
    /// Where the row goes.
    #[inline]
    pub fn hit(self) -> Hit {
        match self {
            Found::Known(hit) | Found::NewGroup(hit) | Found::Alias(hit, _) => hit,
        }
    }
}

impl Hit {
    /// In an empty slot of [`Groups::recent`].
    const NONE: Hit = Hit {
        group: 0,
        shadow: NO_SHADOW,
        missing: false,
    };
}

/// Splits an encoded spelling into its bucket (when timed) and key fields.
pub fn decode(key: &[u8], timed: bool) -> (Option<i64>, impl Iterator<Item = &[u8]>) {
    let (bucket, mut rest) = if timed {
        let (bucket, rest) = key.split_at(8);
        let bucket = i64::from_be_bytes(bucket.try_into().unwrap_or_default()) ^ i64::MIN;
        (Some(bucket), rest)
    } else {
        (None, key)
    };
    let fields = std::iter::from_fn(move || {
        let (len, tail) = rest.split_first_chunk::<4>()?;
        let (field, tail) = tail.split_at(u32::from_le_bytes(*len) as usize);
        rest = tail;
        Some(field)
    });
    (bucket, fields)
}

/// Where a group's aggregates are: the group's own, or one of its spellings'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Group(u32),
    Shadow(u32),
}

/// One output row: its key (printed as its first spelling, `label`), and the aggregates
/// that make it, in the order of their first rows.
#[derive(Debug, Clone)]
pub struct Entry {
    pub label: u32,
    pub first: Seq,
    pub sources: Vec<(Seq, Source)>,
}

impl Groups {
    /// The output rows, sorted as pandas sorts them: the groups, with the columns' final
    /// types (`types`) deciding which spellings are one value. A group whose spellings are
    /// not one value after all (a column of numbers that turned out text) splits into them;
    /// groups whose values are one after all (two long integers that round to one double in
    /// a float column) are merged.
    pub fn entries(&self, types: &[Dtype]) -> Vec<Entry> {
        let mut entries = Vec::with_capacity(self.len());
        #[allow(clippy::cast_possible_truncation)] // groups are far fewer than 2^32
        for g in 0..self.len() as u32 {
            let first = self.first_spelling[g as usize];
            let whole = || Entry {
                label: first,
                first: self.first_seq[first as usize],
                sources: vec![(self.first_seq[first as usize], Source::Group(g))],
            };
            if !self.aliased(g) {
                entries.push(whole());
                continue;
            }
            let split = self
                .spellings(g)
                .any(|sid| self.compare(first, sid, types).is_ne());
            if !split {
                entries.push(whole());
                continue;
            }
            for sid in self.spellings(g) {
                let seq = self.first_seq[sid as usize];
                entries.push(Entry {
                    label: sid,
                    first: seq,
                    sources: vec![(seq, Source::Shadow(self.shadow[sid as usize]))],
                });
            }
        }
        entries.sort_unstable_by(|a, b| self.compare(a.label, b.label, types));
        // Equal keys are adjacent now: one row each, labelled by the first seen.
        let mut merged: Vec<Entry> = Vec::with_capacity(entries.len());
        for entry in entries {
            match merged.last_mut() {
                Some(last) if self.compare(last.label, entry.label, types).is_eq() => {
                    if entry.first < last.first {
                        last.label = entry.label;
                        last.first = entry.first;
                    }
                    last.sources.extend(entry.sources);
                    last.sources.sort_unstable();
                }
                _ => merged.push(entry),
            }
        }
        merged
    }

    /// Orders two spellings by bucket, then by each key as pandas sorts its column's type.
    fn compare(&self, a: u32, b: u32, types: &[Dtype]) -> Ordering {
        let (bucket_a, fields_a) = decode(self.key(a), self.timed);
        let (bucket_b, fields_b) = decode(self.key(b), self.timed);
        bucket_a.cmp(&bucket_b).then_with(|| {
            fields_a
                .zip(fields_b)
                .zip(types)
                .map(|((x, y), t)| t.key(x).compare(&t.key(y)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        })
    }
}

/// A row's bucket and key fields when each is at most 16 bytes (monitor keys are: `in`,
/// `inv`, `sendheaders`): compared and hashed as a few numbers, inline, where the encoded
/// key took two `memcpy` calls to build and a `bcmp` call and foldhash to find, about a
/// fifth of bucket's instructions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ShortKey {
    bucket: i64,
    /// The key fields, zero-padded, and their lengths: equal keys are equal numbers.
    words: [u128; SHORT_KEYS],
    lens: [u8; SHORT_KEYS],
}

impl ShortKey {
    /// Equal to no row's key (lengths are at most 16): an empty slot of [`Groups::recent`].
    const NONE: ShortKey = ShortKey {
        bucket: 0,
        words: [0; SHORT_KEYS],
        lens: [u8::MAX; SHORT_KEYS],
    };

    /// The row's short key, if every key field is short.
    #[inline]
    #[allow(clippy::cast_possible_truncation)] // lengths are at most 16
    fn of(bucket: i64, key_idx: &[usize], row: &Record) -> Option<ShortKey> {
        let mut key = ShortKey {
            bucket,
            ..ShortKey::default()
        };
        for (j, &i) in key_idx.iter().enumerate().take(SHORT_KEYS) {
            let (word, len) = row.word(i)?;
            key.words[j] = word;
            key.lens[j] = len as u8;
        }
        Some(key)
    }

    /// Each 64-bit half times an odd constant of its own (independent multiplies), summed,
    /// then foldhash's mixing step (a folded 128-bit multiply) spreads the sum's bits.
    #[inline]
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // bits, mixed
    fn hash(&self) -> u64 {
        const MULTIPLIERS: [u64; 2 * SHORT_KEYS] = [
            0x9e37_79b9_7f4a_7c15,
            0xc2b2_ae3d_27d4_eb4f,
            0x1656_67b1_9e37_79f9,
            0x85eb_ca77_c2b2_ae63,
        ];
        let lens = self
            .lens
            .iter()
            .fold(0, |all, &len| all << 8 | u64::from(len));
        let mut sum = (self.bucket as u64) ^ lens;
        for (j, &word) in self.words.iter().enumerate() {
            sum = sum
                .wrapping_add((word as u64).wrapping_mul(MULTIPLIERS[2 * j]))
                .wrapping_add(((word >> 64) as u64).wrapping_mul(MULTIPLIERS[2 * j + 1]));
        }
        let product = u128::from(sum) * u128::from(0x243f_6a88_85a3_08d3_u64);
        (product as u64) ^ (product >> 64) as u64
    }
}
