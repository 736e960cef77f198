//! Floors timestamps to a step and aggregates value columns by keys, as pandas'
//! `groupby([floor(step), *keys]).agg(...)` writes it with `to_csv`.
//!
//! Memory grows with the number of groups (bucket × keys), never with the rows: each row is
//! folded into its group's running aggregates as it arrives.

pub mod agg;
pub mod cli;

use std::hash::BuildHasher;
use std::io::Write;

use driver::Filter;
use error::show;
use error::{Error, Result};
use hashbrown::HashTable;
use itertools::Itertools;
use pandas::dtype::{Dtype, Inference, Seen};
use pandas::num::{is_missing, short_digits};
use table::{find_column, find_columns, Record, Writer};

pub use agg::{parse_agg, Agg, Op};
use agg::{Acc, Value};
use pandas::time::{self, Offset};

/// What to group and aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// Bucket length in seconds; `None` groups the whole input by the keys alone.
    pub every: Option<i64>,
    /// The timestamp column; `None` is the first column.
    pub time: Option<String>,
    /// The output's name for the bucket column; `None` keeps the input's.
    pub time_name: Option<String>,
    pub by: Vec<String>,
    /// Columns to sum, each `COL` or `NAME=COL`.
    pub sums: Vec<String>,
    /// Also write the number of rows of each group, in a column of this name.
    pub count: Option<String>,
    /// Any other aggregates, after the sums and the count.
    pub aggs: Vec<Agg>,
    /// Write each bucket as soon as a later one starts (time-ordered input).
    pub stream: bool,
    /// Print every sum as a float, as pandas does once a column had a missing value.
    pub float: bool,
    /// Write pandas' unnamed row-number column first, as `to_csv` does for a table that
    /// was reset to a plain index.
    pub row_numbers: bool,
}

impl Params {
    /// The column summed when no aggregate is asked for: the command line's default too.
    pub const SUM: &str = "net_size";
}

impl Default for Params {
    fn default() -> Self {
        Params {
            every: Some(3600),
            time: None,
            time_name: None,
            by: Vec::new(),
            sums: Vec::new(),
            count: None,
            aggs: Vec::new(),
            stream: false,
            float: false,
            row_numbers: false,
        }
    }
}

/// A value column that some aggregate reads: its type so far, and where the trouble was.
#[derive(Debug, Clone)]
struct Column {
    idx: usize,
    name: String,
    dtype: Inference,
    /// The aggregates (indices into `aggs`) that read this column.
    aggs: Vec<usize>,
    /// Some aggregate sums or averages it: a text value is an error.
    numeric: bool,
    /// `--stream` already printed integer sums of it: it must not turn float now.
    printed_int: bool,
    /// Where an integer sum of this column first overflowed, for the error if it stays
    /// integer: the line and the input's name.
    overflow: Option<(u64, Option<String>)>,
    /// The last timestamp parsed for a duration, and its instant: rows share timestamps.
    last_time: Option<(Vec<u8>, i128)>,
}

/// The filter: resolves columns from the header, then folds rows into groups.
#[derive(Debug)]
pub struct Bucketer {
    params: Params,
    aggs: Vec<Agg>,
    time_idx: usize,
    time_col: String,
    key_idx: Vec<usize>,
    keys_dtype: Vec<Inference>,
    columns: Vec<Column>,
    /// Per aggregate: the column it reads, if any.
    agg_column: Vec<Option<usize>>,
    /// The aggregates that count rows (`--count`), which read no column.
    sizes: Vec<usize>,
    /// Group id by encoded key: the bucket (8 bytes, with --every) then each key,
    /// length-prefixed.
    table: HashTable<u32>,
    hasher: foldhash::fast::FixedState,
    keys: Vec<Box<[u8]>>,
    /// Per group: a key of it is missing (as pandas reads it).
    key_missing: Vec<bool>,
    /// Groups by [`ShortKey`], when every key field of the row is short: per group, its
    /// short key (unused for the others).
    short_table: HashTable<u32>,
    short_keys: Vec<ShortKey>,
    /// The group last found in each slot of a small table by [`ShortKey`] hash: the rows of
    /// an hour share a few dozen keys, found here with one compare, where a probe of the
    /// table of every group took 5% of bucket's time and a compare that often missed L1.
    recent: Box<[(ShortKey, u32); RECENT]>,
    /// There are few enough key columns for a [`ShortKey`].
    short: bool,
    /// The one aggregate is a sum of one column (the notebook's tables): a field of plain
    /// digits is added straight to it.
    one_sum: bool,
    /// `accs[group * aggs.len() + agg]`
    accs: Vec<Acc>,
    key_buf: Vec<u8>,
    /// The previous row's timestamp bytes and bucket: monitor rows share timestamps.
    last_time: Vec<u8>,
    last_bucket: i64,
    /// The zone of the input, and the value and place (line, and file when there are
    /// several) that set it, for the mixed-zone error.
    offset: Option<(Offset, String, Place)>,
    /// The input being read, and how many were: places name the file only when a line
    /// number alone would be ambiguous.
    input: Option<String>,
    inputs: usize,
    /// In `--stream`: the bucket rows currently go to; older ones are written or held.
    current: Option<i64>,
    /// Naive timestamps print date-only when every bucket is a midnight; until a
    /// non-midnight bucket shows up, `--stream` holds its output to decide that.
    all_midnight: bool,
    /// Rows with a key that pandas reads as missing.
    missing_key_rows: u64,
    /// Rows written so far, for `--row-numbers`.
    written: u64,
    rows: u64,
}

impl Bucketer {
    pub fn new(params: Params) -> Result<Bucketer> {
        if params.every.is_some_and(|e| e <= 0) {
            return Err(Error::usage("--every must be a positive step"));
        }
        if params.stream && params.every.is_none() {
            return Err(Error::usage(
                "--stream needs --every: it writes bucket by bucket",
            ));
        }
        let mut aggs: Vec<Agg> = params
            .sums
            .iter()
            .map(|spec| {
                let (name, column) = spec.split_once('=').unwrap_or((spec, spec));
                Agg {
                    op: Op::Sum,
                    column: Some(column.to_owned()),
                    name: name.to_owned(),
                }
            })
            .collect();
        aggs.extend(params.count.iter().map(|name| Agg {
            op: Op::Size,
            column: None,
            name: name.clone(),
        }));
        aggs.extend(params.aggs.iter().cloned());
        if aggs.is_empty() {
            aggs.push(Agg {
                op: Op::Sum,
                column: Some(Params::SUM.to_owned()),
                name: Params::SUM.to_owned(),
            });
        }
        if let Some(bad) = aggs
            .iter()
            .find(|a| a.name.is_empty() || a.column.as_deref() == Some(""))
        {
            return Err(Error::usage(format!(
                "an empty column name in the {} aggregate",
                bad.op.name()
            )));
        }
        // Output names that the flags alone make twice are a usage error; those that need
        // the header (the time column's own name) are checked in `header`.
        let time_name = params.time_name.iter().filter(|_| params.every.is_some());
        let named = time_name
            .chain(&params.by)
            .chain(aggs.iter().map(|a| &a.name));
        if let Some(dup) = named.duplicates().next() {
            return Err(Error::usage(format!(
                "the output would have two columns named '{dup}'"
            )));
        }
        Ok(Bucketer {
            params,
            aggs,
            time_idx: 0,
            time_col: String::new(),
            key_idx: Vec::new(),
            keys_dtype: Vec::new(),
            columns: Vec::new(),
            agg_column: Vec::new(),
            sizes: Vec::new(),
            table: HashTable::new(),
            hasher: foldhash::fast::FixedState::default(),
            keys: Vec::new(),
            key_missing: Vec::new(),
            short_table: HashTable::new(),
            short_keys: Vec::new(),
            recent: Box::new([(ShortKey::NONE, 0); RECENT]),
            short: false,
            one_sum: false,
            accs: Vec::new(),
            key_buf: Vec::with_capacity(64),
            last_time: Vec::with_capacity(32),
            last_bucket: 0,
            offset: None,
            input: None,
            inputs: 0,
            current: None,
            all_midnight: true,
            missing_key_rows: 0,
            written: 0,
            rows: 0,
        })
    }

    /// Warnings worth a line on stderr once the run is over.
    fn notes(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.missing_key_rows > 0 {
            out.push(format!(
                "{} rows have a key that pandas reads as missing (empty, NA, null, None, \
                 nan, ...); they are summed in groups of their own, where pandas would drop \
                 them (--dropna drops them)",
                self.missing_key_rows
            ));
        }
        out
    }

    /// The place of the current row, for messages that point back at it later.
    fn place(&self, line: u64) -> Place {
        Place {
            line,
            input: self.inputs,
            name: self.input.clone(),
        }
    }

    /// The bucket of this row's timestamp, parsing only when it differs from the last one.
    #[inline]
    fn bucket_of(&mut self, row: &Record, every: i64) -> Result<i64> {
        let field = row.field(self.time_idx);
        if self.rows > 0 && field == self.last_time.as_slice() {
            return Ok(self.last_bucket);
        }
        let stamp = time::parse(field)
            .map_err(|why| Error::value(&self.time_col, format!("{} {why}", show(field))))?;
        match &self.offset {
            None => self.offset = Some((stamp.offset, show(field), self.place(row.line()))),
            Some((offset, first, place)) if *offset != stamp.offset => {
                // The error names the current file; the first offset's may be another one.
                let other = match &place.name {
                    _ if place.input == self.inputs => String::new(),
                    Some(name) => format!(" of {name}"),
                    None => " of stdin".to_owned(),
                };
                return Err(Error::value(
                    &self.time_col,
                    format!(
                        "{} has another time zone than {first} on line {}{other}; \
                         convert the input to one offset first",
                        show(field),
                        place.line
                    ),
                ));
            }
            Some(_) => {}
        }
        let bucket = time::floor(stamp.wall, every);
        if !time::bucket_in_range(bucket, stamp.offset) {
            return Err(Error::value(
                &self.time_col,
                format!(
                    "{}: its bucket starts before pandas' earliest time ({}), which pandas \
                     refuses too",
                    show(field),
                    time::RANGE
                ),
            ));
        }
        self.all_midnight &= time::is_midnight(bucket);
        self.last_time.clear();
        self.last_time.extend_from_slice(field);
        self.last_bucket = bucket;
        Ok(bucket)
    }

    /// Whether the pending output is formatted date-only (naive input, every bucket midnight).
    fn date_only(&self) -> bool {
        matches!(self.offset, Some((Offset::Naive, ..))) && self.all_midnight
    }

    /// The group of the key in `key_buf` (built from `row`), created on first sight.
    #[inline]
    fn group(&mut self, row: &Record) -> usize {
        let hash = self.hasher.hash_one(self.key_buf.as_slice());
        let keys = &self.keys;
        let key = self.key_buf.as_slice();
        if let Some(&id) = self.table.find(hash, |&id| *keys[id as usize] == *key) {
            return id as usize;
        }
        self.new_group(hash, row)
    }

    /// Creates the group of the key in `key_buf`. Its key values are typed here, once: a
    /// value's type and missingness are the same in every row that has it.
    #[cold]
    fn new_group(&mut self, hash: u64, row: &Record) -> usize {
        let mut missing = false;
        for (&i, dtype) in self.key_idx.iter().zip(&mut self.keys_dtype) {
            let field = row.field(i);
            missing |= is_missing(field);
            dtype.see(field);
        }
        self.key_missing.push(missing);
        self.short_keys.push(ShortKey::default());
        let id = self.keys.len();
        self.keys.push(self.key_buf.as_slice().into());
        self.accs.extend(self.aggs.iter().map(|a| Acc::new(a.op)));
        let hasher = &self.hasher;
        let keys = &self.keys;
        #[allow(clippy::cast_possible_truncation)] // groups are far fewer than 2^32
        self.table
            .insert_unique(hash, id as u32, |&g| hasher.hash_one(&*keys[g as usize]));
        id
    }

    /// The group of a row whose key fields are all short: found by value, with no encoding
    /// and no call; on first sight through [`Bucketer::group`].
    #[inline]
    fn short_group(&mut self, key: &ShortKey, row: &Record) -> Result<usize> {
        let hash = key.hash();
        #[allow(clippy::cast_possible_truncation)] // the low bits pick the slot
        let slot = hash as usize % RECENT;
        let (recent, id) = self.recent[slot];
        if recent == *key {
            return Ok(id as usize);
        }
        let keys = &self.short_keys;
        let id = match self.short_table.find(hash, |&id| keys[id as usize] == *key) {
            Some(&id) => id,
            None => {
                self.encode_key(key.bucket, row)?;
                let group = self.group(row);
                self.short_keys[group] = *key;
                #[allow(clippy::cast_possible_truncation)] // groups are far fewer than 2^32
                let id = group as u32;
                let keys = &self.short_keys;
                self.short_table
                    .insert_unique(hash, id, |&g| keys[g as usize].hash());
                id
            }
        };
        self.recent[slot] = (*key, id);
        Ok(id as usize)
    }

    /// Encodes the bucket and the row's key fields into `key_buf`.
    fn encode_key(&mut self, bucket: i64, row: &Record) -> Result<()> {
        self.key_buf.clear();
        if self.params.every.is_some() {
            // Sign-flipped big-endian: byte order is numeric order.
            self.key_buf
                .extend_from_slice(&(bucket ^ i64::MIN).to_be_bytes());
        }
        for &i in &self.key_idx {
            let field = row.field(i);
            let len = u32::try_from(field.len())
                .map_err(|_| Error::data("a key field longer than 4 GiB"))?;
            self.key_buf.extend_from_slice(&len.to_le_bytes());
            self.key_buf.extend_from_slice(field);
        }
        Ok(())
    }

    /// Folds one row's values into its group's aggregates.
    #[inline]
    fn add(&mut self, group: usize, row: &Record) -> Result<()> {
        if self.one_sum {
            // What the loops below do for a field of 1-15 digits (an integer that changes
            // no column's type), without them.
            let column = &mut self.columns[0];
            let field = row.field(column.idx);
            if let Some(n) = short_digits(field) {
                let acc = &mut self.accs[group];
                if acc.add(Op::Sum, field, Value::digits(n)) && column.overflow.is_none() {
                    column.overflow = Some((row.line(), self.input.clone()));
                }
                return Ok(());
            }
        }
        let base = group * self.aggs.len();
        for &a in &self.sizes {
            self.accs[base + a].add(Op::Size, b"", Value::Missing);
        }
        for column in &mut self.columns {
            let field = row.field(column.idx);
            let value = Value::parse(field);
            let seen = match value {
                Value::Missing => Seen::Missing,
                Value::Int(..) => Seen::Int,
                Value::Float(_) => Seen::Float,
                Value::Text(_) => Seen::Text,
            };
            type_column(column, seen, field)?;
            for i in 0..column.aggs.len() {
                let a = column.aggs[i];
                let op = self.aggs[a].op;
                let acc = &mut self.accs[base + a];
                if op == Op::Duration {
                    if let Some(ns) = instant(column, field)? {
                        acc.add_instant(ns);
                    }
                } else if acc.add(op, field, value) && column.overflow.is_none() {
                    column.overflow = Some((row.line(), self.input.clone()));
                }
            }
        }
        Ok(())
    }

    /// Writes (in `--stream`: up to the current bucket) every group, sorted, and forgets them.
    fn emit<W: Write>(&mut self, out: &mut Writer<W>) -> Result<()> {
        let date_only = self.date_only();
        let width = self.aggs.len();
        let timed = self.params.every.is_some();
        let key_types: Vec<Dtype> = self.keys_dtype.iter().map(|i| i.dtype()).collect();
        let order = (0..self.keys.len()).sorted_unstable_by(|&a, &b| {
            compare_keys(&self.keys[a], &self.keys[b], timed, &key_types)
        });
        // pandas prints a column of durations as whole days when every one of them is.
        let days_only: Vec<bool> = (0..width)
            .map(|a| (0..self.keys.len()).all(|g| self.accs[g * width + a].whole_days()))
            .collect();
        let value_types: Vec<Option<Dtype>> = self
            .agg_column
            .iter()
            .map(|c| c.map(|c| self.columns[c].dtype.dtype()))
            .collect();
        let mut last_bucket = None;
        let mut stamp = Vec::with_capacity(32);
        let mut field = Vec::with_capacity(32);
        for id in order {
            let (bucket, fields) = decode(&self.keys[id], timed);
            if self.params.row_numbers {
                out.field_with(|buf| pandas::num::write_int(buf, self.written));
            }
            self.written += 1;
            if let Some(bucket) = bucket {
                if last_bucket != Some(bucket) {
                    stamp.clear();
                    let offset = self.offset.as_ref().map_or(Offset::Naive, |o| o.0);
                    time::write(&mut stamp, bucket, offset, date_only);
                    last_bucket = Some(bucket);
                }
                out.field(&stamp);
            }
            for (value, dtype) in fields.zip(&key_types) {
                field.clear();
                dtype.write(&mut field, value);
                out.field(&field);
            }
            for (a, agg) in self.aggs.iter().enumerate() {
                let acc = &self.accs[id * width + a];
                let dtype = value_types[a].unwrap_or(Dtype::Int);
                if dtype == Dtype::Int && !self.params.float && acc.overflowed() {
                    // Integer to the end, so pandas would wrap around: refuse instead.
                    let column = self.agg_column[a].map(|c| &self.columns[c]);
                    let (line, file) = column.and_then(|c| c.overflow.clone()).unwrap_or_default();
                    return Err(Error::value(
                        &agg.name,
                        "the sum overflows a 64-bit integer (pandas would wrap around; \
                         --float sums as floats)",
                    )
                    .line(line)
                    .file(file.as_deref()));
                }
                field.clear();
                acc.write(dtype, self.params.float, days_only[a], &mut field);
                // Numbers never need quotes; text (first, last, min of text) may.
                out.field(&field);
            }
            out.end_record()?;
        }
        if self.params.stream {
            for (a, agg) in self.aggs.iter().enumerate() {
                if agg.op == Op::Sum && value_types[a] == Some(Dtype::Int) && !self.params.float {
                    if let Some(c) = self.agg_column[a] {
                        self.columns[c].printed_int = true;
                    }
                }
            }
        }
        self.table.clear();
        self.keys.clear();
        self.key_missing.clear();
        self.short_table.clear();
        self.short_keys.clear();
        // Group ids start again from 0: no slot may keep naming an old group.
        self.recent.fill((ShortKey::NONE, 0));
        self.accs.clear();
        Ok(())
    }
}

/// Slots of [`Bucketer::recent`]: a few times the keys of an hour in monitor data.
const RECENT: usize = 256;

/// Key columns a [`ShortKey`] holds at most: the study's tables group by one or two (flow,
/// msg_type); every word more costs every row (4 measured 10% more of bucket's
/// instructions than 2). More keys take the encoded path.
const SHORT_KEYS: usize = 2;

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
    /// Equal to no row's key (lengths are at most 16): an empty slot of [`Bucketer::recent`].
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

/// Takes one value into its column's type; a column `--stream` printed as integers must
/// not turn float, and a column that is summed or averaged must hold numbers.
#[inline]
fn type_column(column: &mut Column, seen: Seen, field: &[u8]) -> Result<()> {
    // An integer changes no column's type: the common case costs one test.
    if seen == Seen::Int {
        return Ok(());
    }
    let before = column.dtype.dtype();
    column.dtype.add(seen);
    if column.printed_int && before == Dtype::Int && column.dtype.dtype() != Dtype::Int {
        return Err(Error::value(
            &column.name,
            format!(
                "{} makes the column float (as pandas reads it), but --stream already \
                 wrote integer sums for it; use --float, or run without --stream",
                show(field)
            ),
        ));
    }
    if column.numeric && seen == Seen::Text {
        return Err(agg::not_a_number(&column.name, field));
    }
    Ok(())
}

/// A timestamp field as nanoseconds since the epoch in UTC (none when missing), parsed once
/// for a run of rows with the same timestamp.
fn instant(column: &mut Column, field: &[u8]) -> Result<Option<i128>> {
    if is_missing(field) {
        return Ok(None);
    }
    if let Some((last, ns)) = &column.last_time {
        if last.as_slice() == field {
            return Ok(Some(*ns));
        }
    }
    let ns = time::instant(field)
        .map_err(|why| Error::value(&column.name, format!("{} {why}", show(field))))?;
    column.last_time = Some((field.to_vec(), ns));
    Ok(Some(ns))
}

/// Where a row was read: its line, and which input (counted, and named unless stdin).
#[derive(Debug, Clone)]
struct Place {
    line: u64,
    input: usize,
    name: Option<String>,
}

/// Splits an encoded group key into its bucket (with `--every`) and key fields.
fn decode(key: &[u8], timed: bool) -> (Option<i64>, impl Iterator<Item = &[u8]>) {
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

/// Orders groups by bucket, then by each key as pandas sorts its column's type: numbers by
/// value, text by its bytes.
fn compare_keys(a: &[u8], b: &[u8], timed: bool, types: &[Dtype]) -> std::cmp::Ordering {
    let (bucket_a, fields_a) = decode(a, timed);
    let (bucket_b, fields_b) = decode(b, timed);
    bucket_a.cmp(&bucket_b).then_with(|| {
        fields_a
            .zip(fields_b)
            .zip(types)
            .map(|((x, y), t)| t.compare(x, y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    })
}

impl Filter for Bucketer {
    fn header(&mut self, header: &Record) -> Result<Record> {
        let mut out = Record::new();
        if self.params.row_numbers {
            out.push(b"");
        }
        if self.params.every.is_some() {
            self.time_idx = match &self.params.time {
                Some(name) => find_column(header, name)?,
                None => 0,
            };
            self.time_col = String::from_utf8_lossy(header.field(self.time_idx)).into_owned();
            let time_name = self
                .params
                .time_name
                .as_deref()
                .map_or(header.field(self.time_idx), str::as_bytes);
            out.push(time_name);
        }
        self.key_idx = find_columns(header, &self.params.by)?;
        self.keys_dtype = vec![Inference::default(); self.key_idx.len()];
        self.short = self.key_idx.len() <= SHORT_KEYS;
        for &i in &self.key_idx {
            out.push(header.field(i));
        }
        for (a, agg) in self.aggs.iter().enumerate() {
            out.push(agg.name.as_bytes());
            let name = match &agg.column {
                Some(name) if agg.op != Op::Size => name,
                // Rows are counted whatever the column holds, as pandas' size() does.
                _ => {
                    self.agg_column.push(None);
                    self.sizes.push(a);
                    continue;
                }
            };
            let idx = find_column(header, name)?;
            let c = match self.columns.iter().position(|c| c.idx == idx) {
                Some(c) => c,
                None => {
                    self.columns.push(Column {
                        idx,
                        name: name.clone(),
                        dtype: Inference::default(),
                        aggs: Vec::new(),
                        numeric: false,
                        printed_int: false,
                        overflow: None,
                        last_time: None,
                    });
                    self.columns.len() - 1
                }
            };
            self.columns[c].aggs.push(a);
            self.columns[c].numeric |= matches!(agg.op, Op::Sum | Op::Mean);
            self.agg_column.push(Some(c));
        }
        self.one_sum = self.aggs.len() == 1
            && self.aggs[0].op == Op::Sum
            && self.columns.len() == 1
            && self.columns[0].aggs == [0];
        if let Some(dup) = out
            .iter()
            .filter(|name| !name.is_empty())
            .duplicates()
            .next()
        {
            return Err(Error::data(format!(
                "the output would have two columns named {}: the timestamp column's name \
                 is also a key or aggregate name (rename it with --time-name)",
                show(dup)
            )));
        }
        Ok(out)
    }

    fn row<W: Write>(&mut self, row: &Record, out: &mut Writer<W>) -> Result<()> {
        let mut bucket = 0;
        if let Some(every) = self.params.every {
            bucket = self.bucket_of(row, every)?;
            if self.params.stream {
                self.stream_to(bucket, row, out)?;
            }
        }
        self.rows += 1;
        let short = if self.short {
            ShortKey::of(bucket, &self.key_idx, row)
        } else {
            None
        };
        let group = match short {
            Some(key) => self.short_group(&key, row)?,
            None => {
                self.encode_key(bucket, row)?;
                self.group(row)
            }
        };
        self.missing_key_rows += u64::from(self.key_missing[group]);
        self.add(group, row)
    }

    fn input(&mut self, name: Option<&str>) {
        self.input = name.map(str::to_owned);
        self.inputs += 1;
    }

    /// A dropped row still types its columns, as in pandas, where `read_csv` decides a
    /// column's type before `dropna()`: a missing value makes a column float.
    fn dropped(&mut self, row: &Record) -> Result<()> {
        for (&i, dtype) in self.key_idx.iter().zip(&mut self.keys_dtype) {
            dtype.see(row.field(i));
        }
        for column in &mut self.columns {
            let field = row.field(column.idx);
            let seen = Seen::of(field);
            // Text in a dropped row is pandas' business only if the row stays: no error.
            if seen != Seen::Text {
                type_column(column, seen, field)?;
            }
        }
        Ok(())
    }

    fn finish<W: Write>(&mut self, out: &mut Writer<W>) -> Result<()> {
        self.emit(out)
    }

    fn warnings(&self) -> Vec<String> {
        self.notes()
    }
}

impl Bucketer {
    /// `--stream`: a row of a later bucket writes the groups held so far (once it is known
    /// whether naive output is date-only); a row of an earlier one is an error.
    fn stream_to<W: Write>(
        &mut self,
        bucket: i64,
        row: &Record,
        out: &mut Writer<W>,
    ) -> Result<()> {
        match self.current {
            Some(current) if bucket < current => Err(Error::value(
                &self.time_col,
                format!(
                    "{} is older than its predecessors' bucket; --stream needs \
                     time-ordered input (sort it, or run without --stream)",
                    show(row.field(self.time_idx))
                ),
            )),
            Some(current) if bucket > current => {
                // Naive output is date-only if every bucket is a midnight; a step of whole
                // days always is, else hold output until a bucket is not.
                let every = self.params.every.unwrap_or(1);
                let decided = !matches!(self.offset, Some((Offset::Naive, ..)))
                    || !self.all_midnight
                    || every % 86_400 == 0;
                if decided {
                    self.emit(out)?;
                    out.flush()?;
                }
                self.current = Some(bucket);
                Ok(())
            }
            Some(_) => Ok(()),
            None => {
                self.current = Some(bucket);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests;
