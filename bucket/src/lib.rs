//! Floors timestamps to a step and sums value columns by keys, as pandas' `groupby().sum()`.
//!
//! Memory grows with the number of groups (bucket × keys), never with the rows: each row is
//! folded into its group's running sums as it arrives.

pub mod cli;
pub mod time;

use std::hash::BuildHasher;
use std::io::Write;

use common::error::show;
use common::num::{is_missing, parse_f64, parse_i64, write_int, write_py_float, Int};
use common::{find_column, find_columns, Error, Filter, Record, Result, Writer};
use hashbrown::HashTable;
use itertools::Itertools;

use time::Offset;

/// What to group and sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// Bucket length in seconds.
    pub every: i64,
    /// The timestamp column; `None` is the first column.
    pub time: Option<String>,
    /// The output's name for the bucket column; `None` keeps the input's.
    pub time_name: Option<String>,
    pub by: Vec<String>,
    pub sums: Vec<String>,
    /// Also write the number of rows of each group, in a column of this name.
    pub count: Option<String>,
    /// Write each bucket as soon as a later one starts (time-ordered input).
    pub stream: bool,
    /// Print every sum as a float, as pandas does once a column had a missing value.
    pub float: bool,
}

impl Params {
    /// The column summed when none is named: the command line's default too.
    pub const SUM: &str = "net_size";
}

impl Default for Params {
    fn default() -> Self {
        Params {
            every: 3600,
            time: None,
            time_name: None,
            by: Vec::new(),
            sums: vec![Params::SUM.into()],
            count: None,
            stream: false,
            float: false,
        }
    }
}

/// pandas' compensated (Kahan) float sum, step for step as `group_sum` does it.
#[derive(Debug, Clone, Copy, Default)]
struct Kahan {
    sum: f64,
    compensation: f64,
}

impl Kahan {
    #[inline]
    fn add(&mut self, value: f64) {
        let y = value - self.compensation;
        let t = self.sum + y;
        self.compensation = t - self.sum - y;
        // An infinite value makes the compensation NaN; pandas resets it (GH#53606).
        if self.compensation.is_nan() {
            self.compensation = 0.0;
        }
        self.sum = t;
    }
}

/// The running sums of one value column in one group: exact while the column is integer,
/// compensated float always, since a later float value turns the whole column float.
#[derive(Debug, Clone, Copy, Default)]
struct Sum {
    int: i64,
    /// The integer sum left 64 bits: an error only if the column stays integer to the end
    /// (a later float value makes it float, as pandas would, and the float sum is right).
    overflowed: bool,
    float: Kahan,
}

/// One value column's type so far.
#[derive(Debug, Clone, Default)]
struct Column {
    /// A float or missing value was seen: the column prints as floats.
    float: bool,
    /// `--stream` already printed integer sums of it: it must not turn float now.
    printed_int: bool,
    /// Where an integer sum of this column first overflowed, for the error if it stays
    /// integer: the line and the input's name.
    overflow: Option<(u64, Option<String>)>,
}

/// The filter: resolves columns from the header, then folds rows into groups.
#[derive(Debug)]
pub struct Bucketer {
    params: Params,
    time_idx: usize,
    time_col: String,
    key_idx: Vec<usize>,
    sum_idx: Vec<usize>,
    columns: Vec<Column>,
    /// Group id by encoded key: the bucket (8 bytes) then each key, length-prefixed.
    table: HashTable<u32>,
    hasher: foldhash::fast::FixedState,
    keys: Vec<Box<[u8]>>,
    /// `sums[group * sum_idx.len() + column]`
    sums: Vec<Sum>,
    counts: Vec<u64>,
    key_buf: Vec<u8>,
    /// The previous row's timestamp bytes and bucket: monitor rows share timestamps.
    last_time: Vec<u8>,
    last_bucket: i64,
    /// The zone of the input, and the value and place (line, and file when there are
    /// several) that set it, for the mixed-zone error.
    offset: Option<(Offset, String, Place)>,
    /// The input being read, and whether an earlier one was read: places name the file
    /// only when a line number alone would be ambiguous.
    input: Option<String>,
    inputs: usize,
    /// In `--stream`: the bucket rows currently go to; older ones are written or held.
    current: Option<i64>,
    /// Naive timestamps print date-only when every bucket is a midnight; until a
    /// non-midnight bucket shows up, `--stream` holds its output to decide that.
    all_midnight: bool,
    /// Rows with a key that pandas reads as missing (empty, NA, null, ...).
    missing_key_rows: u64,
    rows: u64,
}

impl Bucketer {
    pub fn new(params: Params) -> Result<Bucketer> {
        if params.every <= 0 {
            return Err(Error::usage("--every must be a positive step"));
        }
        if params.sums.is_empty() && params.count.is_none() {
            return Err(Error::usage("nothing to compute: give --sum or --count"));
        }
        // Output names that the flags alone make twice are a usage error; those that need
        // the header (the time column's own name) are checked in `header`.
        let named = params
            .time_name
            .iter()
            .chain(&params.by)
            .chain(&params.sums);
        if let Some(dup) = named.chain(&params.count).duplicates().next() {
            return Err(Error::usage(format!(
                "the output would have two columns named '{dup}'"
            )));
        }
        Ok(Bucketer {
            params,
            time_idx: 0,
            time_col: String::new(),
            key_idx: Vec::new(),
            sum_idx: Vec::new(),
            columns: Vec::new(),
            table: HashTable::new(),
            hasher: foldhash::fast::FixedState::default(),
            keys: Vec::new(),
            sums: Vec::new(),
            counts: Vec::new(),
            key_buf: Vec::with_capacity(64),
            last_time: Vec::with_capacity(32),
            last_bucket: 0,
            offset: None,
            input: None,
            inputs: 0,
            current: None,
            all_midnight: true,
            missing_key_rows: 0,
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

    /// The bucket of this row's timestamp, parsing only when it differs from the last one.
    #[inline]
    fn bucket_of(&mut self, row: &Record) -> Result<i64> {
        let field = row.field(self.time_idx);
        if self.rows > 0 && field == self.last_time.as_slice() {
            return Ok(self.last_bucket);
        }
        let stamp = time::parse(field)
            .map_err(|why| Error::value(&self.time_col, format!("{} {why}", show(field))))?;
        match &self.offset {
            None => {
                let place = Place {
                    line: row.line(),
                    input: self.inputs,
                    name: self.input.clone(),
                };
                self.offset = Some((stamp.offset, show(field), place));
            }
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
        let bucket = time::floor(stamp.wall, self.params.every);
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

    /// The group of the key in `key_buf`, created on first sight.
    #[inline]
    fn group(&mut self) -> usize {
        let hash = self.hasher.hash_one(self.key_buf.as_slice());
        let keys = &self.keys;
        let key = self.key_buf.as_slice();
        if let Some(&id) = self.table.find(hash, |&id| *keys[id as usize] == *key) {
            return id as usize;
        }
        let id = self.keys.len();
        self.keys.push(key.into());
        self.sums
            .extend(std::iter::repeat_n(Sum::default(), self.sum_idx.len()));
        self.counts.push(0);
        let hasher = &self.hasher;
        let keys = &self.keys;
        #[allow(clippy::cast_possible_truncation)] // groups are far fewer than 2^32
        self.table
            .insert_unique(hash, id as u32, |&g| hasher.hash_one(&*keys[g as usize]));
        id
    }

    fn add(&mut self, group: usize, row: &Record) -> Result<()> {
        self.counts[group] += 1;
        let width = self.sum_idx.len();
        let input = &self.input;
        for (c, &idx) in self.sum_idx.iter().enumerate() {
            let field = row.field(idx);
            let column = &mut self.columns[c];
            let sum = &mut self.sums[group * width + c];
            let name = &self.params.sums[c];
            if is_missing(field) {
                // pandas reads it as NaN: skipped by sum(), but the column is float now.
                turn_float(column, name, field)?;
                continue;
            }
            if !column.float {
                match parse_i64(field) {
                    Int::Value(n) => {
                        match sum.int.checked_add(n) {
                            Some(total) => sum.int = total,
                            None => {
                                sum.overflowed = true;
                                column
                                    .overflow
                                    .get_or_insert_with(|| (row.line(), input.clone()));
                            }
                        }
                        // The value as pandas reads it once the column is float: exact up
                        // to 15 digits, else its converter's own rounding (zeros count).
                        #[allow(clippy::cast_precision_loss)] // exact below 10^15
                        let as_float = if field.len() <= 15 {
                            n as f64
                        } else {
                            parse_f64(field).unwrap_or(n as f64)
                        };
                        sum.float.add(as_float);
                        continue;
                    }
                    Int::Overflow => {
                        return Err(Error::value(
                            name,
                            format!("{} overflows a 64-bit integer", show(field)),
                        ))
                    }
                    Int::NotInt => turn_float(column, name, field)?,
                }
            }
            let value = parse_f64(field)
                .ok_or_else(|| Error::value(name, format!("{} is not a number", show(field))))?;
            sum.float.add(value);
        }
        Ok(())
    }

    /// Writes (in `--stream`: up to the current bucket) every group, sorted, and forgets them.
    fn emit<W: Write>(&mut self, out: &mut Writer<W>) -> Result<()> {
        let date_only = self.date_only();
        let width = self.sum_idx.len();
        let order = (0..self.keys.len())
            .sorted_unstable_by(|&a, &b| compare_keys(&self.keys[a], &self.keys[b]));
        let mut last_bucket = None;
        let mut stamp = Vec::with_capacity(32);
        for id in order {
            let key = &self.keys[id];
            let (bucket, fields) = decode(key);
            if last_bucket != Some(bucket) {
                stamp.clear();
                let offset = self.offset.as_ref().map_or(Offset::Naive, |o| o.0);
                time::write(&mut stamp, bucket, offset, date_only);
                last_bucket = Some(bucket);
            }
            out.field(&stamp);
            for field in fields {
                out.field(field);
            }
            for (c, column) in self.columns.iter_mut().enumerate() {
                let sum = self.sums[id * width + c];
                if column.float || self.params.float {
                    out.field_with(|buf| write_py_float(buf, sum.float.sum));
                } else if sum.overflowed {
                    // Integer to the end, so pandas would wrap around: refuse instead.
                    let (line, file) = column.overflow.clone().unwrap_or_default();
                    return Err(Error::value(
                        &self.params.sums[c],
                        "the sum overflows a 64-bit integer (pandas would wrap around; \
                         --float sums as floats)",
                    )
                    .line(line)
                    .file(file.as_deref()));
                } else {
                    out.field_with(|buf| write_int(buf, sum.int));
                    column.printed_int |= self.params.stream;
                }
            }
            if self.params.count.is_some() {
                out.field_with(|buf| write_int(buf, self.counts[id]));
            }
            out.end_record()?;
        }
        self.table.clear();
        self.keys.clear();
        self.sums.clear();
        self.counts.clear();
        Ok(())
    }
}

/// Where a row was read: its line, and which input (counted, and named unless stdin).
#[derive(Debug, Clone)]
struct Place {
    line: u64,
    input: usize,
    name: Option<String>,
}

/// Marks a column float, unless `--stream` already printed it as integers.
fn turn_float(column: &mut Column, name: &str, field: &[u8]) -> Result<()> {
    if column.printed_int && !column.float {
        return Err(Error::value(
            name,
            format!(
                "{} makes the column float (as pandas reads it), but --stream already \
                 wrote integer sums for it; use --float, or run without --stream",
                show(field)
            ),
        ));
    }
    column.float = true;
    Ok(())
}

/// Splits an encoded group key into its bucket and key fields.
fn decode(key: &[u8]) -> (i64, impl Iterator<Item = &[u8]>) {
    let (bucket, mut rest) = key.split_at(8);
    let bucket = i64::from_be_bytes(bucket.try_into().unwrap_or_default()) ^ i64::MIN;
    let fields = std::iter::from_fn(move || {
        let (len, tail) = rest.split_first_chunk::<4>()?;
        let (field, tail) = tail.split_at(u32::from_le_bytes(*len) as usize);
        rest = tail;
        Some(field)
    });
    (bucket, fields)
}

/// Orders groups by bucket, then by each key as bytes (what pandas gives for strings).
fn compare_keys(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let (bucket_a, fields_a) = decode(a);
    let (bucket_b, fields_b) = decode(b);
    bucket_a.cmp(&bucket_b).then_with(|| fields_a.cmp(fields_b))
}

impl Filter for Bucketer {
    fn header(&mut self, header: &Record) -> Result<Record> {
        self.time_idx = match &self.params.time {
            Some(name) => find_column(header, name)?,
            None => 0,
        };
        self.time_col = String::from_utf8_lossy(header.field(self.time_idx)).into_owned();
        self.key_idx = find_columns(header, &self.params.by)?;
        self.sum_idx = find_columns(header, &self.params.sums)?;
        self.columns = vec![Column::default(); self.sum_idx.len()];
        let time_name = self
            .params
            .time_name
            .as_deref()
            .map_or(header.field(self.time_idx), str::as_bytes);
        let mut out = Record::from_fields([time_name]);
        for &i in self.key_idx.iter().chain(&self.sum_idx) {
            out.push(header.field(i));
        }
        if let Some(count) = &self.params.count {
            out.push(count.as_bytes());
        }
        if let Some(dup) = out.iter().duplicates().next() {
            return Err(Error::data(format!(
                "the output would have two columns named {}: the timestamp column's name \
                 is also a key or value name (rename it with --time-name)",
                show(dup)
            )));
        }
        Ok(out)
    }

    fn row<W: Write>(&mut self, row: &Record, out: &mut Writer<W>) -> Result<()> {
        let bucket = self.bucket_of(row)?;
        self.rows += 1;
        if self.params.stream {
            match self.current {
                Some(current) if bucket < current => {
                    return Err(Error::value(
                        &self.time_col,
                        format!(
                            "{} is older than its predecessors' bucket; --stream needs \
                             time-ordered input (sort it, or run without --stream)",
                            show(row.field(self.time_idx))
                        ),
                    ));
                }
                Some(current) if bucket > current => {
                    // Naive output is date-only if every bucket is a midnight; a step
                    // of whole days always is, else hold output until a bucket is not.
                    let decided = !matches!(self.offset, Some((Offset::Naive, ..)))
                        || !self.all_midnight
                        || self.params.every % 86_400 == 0;
                    if decided {
                        self.emit(out)?;
                        out.flush()?;
                    }
                    self.current = Some(bucket);
                }
                Some(_) => {}
                None => self.current = Some(bucket),
            }
        }
        self.key_buf.clear();
        // Sign-flipped big-endian: byte order is numeric order.
        self.key_buf
            .extend_from_slice(&(bucket ^ i64::MIN).to_be_bytes());
        let mut missing_key = false;
        for &i in &self.key_idx {
            let field = row.field(i);
            missing_key |= is_missing(field);
            let len = u32::try_from(field.len())
                .map_err(|_| Error::data("a key field longer than 4 GiB"))?;
            self.key_buf.extend_from_slice(&len.to_le_bytes());
            self.key_buf.extend_from_slice(field);
        }
        self.missing_key_rows += u64::from(missing_key);
        let group = self.group();
        self.add(group, row)
    }

    fn input(&mut self, name: Option<&str>) {
        self.input = name.map(str::to_owned);
        self.inputs += 1;
    }

    /// A dropped row still types its columns, as in pandas, where `read_csv` decides a
    /// column's type before `dropna()`: a missing value makes a value column float.
    fn dropped(&mut self, row: &Record) -> Result<()> {
        for (c, &idx) in self.sum_idx.iter().enumerate() {
            let field = row.field(idx);
            if is_missing(field) {
                turn_float(&mut self.columns[c], &self.params.sums[c], field)?;
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

#[cfg(test)]
mod tests;
