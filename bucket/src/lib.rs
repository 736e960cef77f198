//! Floors timestamps to a step and aggregates value columns by keys, as pandas'
//! `groupby([floor(step), *keys]).agg(...)` writes it with `to_csv`.
//!
//! Memory grows with the number of groups (bucket × keys), never with the rows: each row is
//! folded into its group's running aggregates as it arrives.

pub mod agg;
pub mod cli;
mod groups;

use std::io::Write;

use driver::Filter;
use error::{show, Error, Result};
use itertools::Itertools;
use pandas::dtype::{Dtype, Inference, Key, Seen};
use pandas::num::{is_missing, parse_f64, short_digits};
use pandas::time::{self, Offset};
use table::{find_column, find_columns, Record, Writer};

pub use agg::{parse_agg, Agg, Op};
use agg::{Acc, Overflow, Seq, Value};
use groups::{decode, Found, Groups, NO_SHADOW};

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
    /// Its first value that is no number to pandas unless the column turns out float (a
    /// bool, digits beyond 64 bits) and where it was, for the error if the column is summed
    /// but pandas reads it as text.
    odd: Option<(Seen, String, u64, Option<String>)>,
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
    /// The groups and the spellings of their keys.
    groups: Groups,
    /// The one aggregate is a sum of one column (the notebook's tables): a field of plain
    /// digits is added straight to it.
    one_sum: bool,
    /// `accs[group * aggs.len() + agg]`
    accs: Vec<Acc>,
    /// The aggregates of each spelling of a group of several, in case the group splits:
    /// `shadow_accs[shadow * aggs.len() + agg]`.
    shadow_accs: Vec<Acc>,
    /// `--stream`: the key columns' types when groups were first written, which later rows
    /// must not change.
    printed_keys: Option<Vec<Dtype>>,
    /// Per key column: every key `--stream` wrote so far was missing.
    printed_missing_only: Vec<bool>,
    /// Per key column: whether its first zero was `-0.0`. pandas labels each key value by
    /// its first spelling in the whole column (-0.0 and 0.0 being one value), whatever the
    /// group or bucket.
    negative_zero: Vec<Option<bool>>,
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
        let groups = Groups::new(params.every.is_some());
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
            groups,
            one_sum: false,
            accs: Vec::new(),
            shadow_accs: Vec::new(),
            printed_keys: None,
            printed_missing_only: Vec::new(),
            negative_zero: Vec::new(),
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

    /// Makes the aggregates of a new group.
    #[cold]
    fn new_group(&mut self, row: &Record) -> Result<()> {
        self.see_keys(row)?;
        self.accs.extend(self.aggs.iter().map(|a| Acc::new(a.op)));
        Ok(())
    }

    /// A new spelling of a group's key: the group keeps aggregates per spelling from now on,
    /// in case its column turns out text (where `5` and `05` are two values). The first time
    /// (`first_alias`), the group's one spelling so far gets the group's aggregates.
    #[cold]
    fn new_alias(&mut self, group: u32, first_alias: bool, row: &Record) -> Result<()> {
        self.see_keys(row)?;
        let width = self.aggs.len();
        if first_alias {
            let g = group as usize;
            let group_accs = self.accs[g * width..(g + 1) * width].to_vec();
            self.shadow_accs.extend(group_accs);
        }
        self.shadow_accs
            .extend(self.aggs.iter().map(|a| Acc::new(a.op)));
        Ok(())
    }

    /// Takes a new spelling's key values into their columns' types (a value's type is the
    /// same in every row that has it: once per spelling is enough). Under `--stream`, a type
    /// that changes after keys were written is an error: they would have printed otherwise.
    fn see_keys(&mut self, row: &Record) -> Result<()> {
        for (c, (&i, inference)) in self.key_idx.iter().zip(&mut self.keys_dtype).enumerate() {
            let field = row.field(i);
            inference.see(field);
            if self.negative_zero[c].is_none() && !is_missing(field) {
                if let Some(x) = parse_f64(field).filter(|x| *x == 0.0) {
                    self.negative_zero[c] = Some(x.is_sign_negative());
                }
            }
            if let Some(printed) = &self.printed_keys {
                let now = inference.dtype();
                // Missing keys print alike whatever the type, bools with or without one.
                let alike = printed[c] == Dtype::Float && self.printed_missing_only[c]
                    || matches!(
                        (printed[c], now),
                        (Dtype::Bool, Dtype::BoolObject) | (Dtype::BoolObject, Dtype::Bool)
                    );
                if now != printed[c] && !alike {
                    return Err(Error::value(
                        &self.params.by[c],
                        format!(
                            "{} makes the key column {} as pandas reads it, but --stream \
                             already wrote its keys as {}; run without --stream",
                            show(field),
                            now.name(),
                            printed[c].name()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Folds one row's values into its group's aggregates, and into its spelling's when the
    /// group has several (`shadow`).
    #[inline]
    fn add(&mut self, group: usize, shadow: u32, row: &Record) -> Result<()> {
        let seq: Seq = self.rows;
        if self.one_sum && shadow == NO_SHADOW {
            // What the loops below do for a field of 1-15 digits (an integer that changes
            // no column's type), without them.
            let column = &mut self.columns[0];
            let field = row.field(column.idx);
            if let Some(n) = short_digits(field) {
                column.dtype.add(Seen::Int);
                self.accs[group].add_digits(n);
                return Ok(());
            }
        }
        let width = self.aggs.len();
        let base = group * width;
        let shadow_base = (shadow != NO_SHADOW).then(|| shadow as usize * width);
        for &a in &self.sizes {
            self.accs[base + a].add(Op::Size, b"", Value::Missing, seq);
            if let Some(s) = shadow_base {
                self.shadow_accs[s + a].add(Op::Size, b"", Value::Missing, seq);
            }
        }
        for column in &mut self.columns {
            let field = row.field(column.idx);
            let value = Value::parse(field);
            type_column(column, value.seen(), field, row.line(), &self.input)?;
            for i in 0..column.aggs.len() {
                let a = column.aggs[i];
                let op = self.aggs[a].op;
                if op == Op::Duration {
                    if let Some(ns) = instant(column, field)? {
                        self.accs[base + a].add_instant(ns);
                        if let Some(s) = shadow_base {
                            self.shadow_accs[s + a].add_instant(ns);
                        }
                    }
                } else {
                    self.accs[base + a].add(op, field, value, seq);
                    if let Some(s) = shadow_base {
                        self.shadow_accs[s + a].add(op, field, value, seq);
                    }
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
        let value_types: Vec<Option<Dtype>> = self
            .agg_column
            .iter()
            .map(|c| c.map(|c| self.columns[c].dtype.dtype()))
            .collect();
        self.check_numeric()?;
        let entries = self.groups.entries(&key_types);
        // Each row's aggregates: a group's own, or its parts merged in the order of their
        // first rows.
        let accs: Vec<std::borrow::Cow<'_, [Acc]>> = entries
            .iter()
            .map(|entry| {
                let part = |source: groups::Source| match source {
                    groups::Source::Group(g) => &self.accs[g as usize * width..][..width],
                    groups::Source::Shadow(s) => &self.shadow_accs[s as usize * width..][..width],
                };
                let mut parts = entry.sources.iter().map(|&(_, source)| part(source));
                let first = parts.next().unwrap_or_default();
                match parts.next() {
                    None => std::borrow::Cow::Borrowed(first),
                    Some(second) => {
                        let mut merged = first.to_vec();
                        for part in std::iter::once(second).chain(parts) {
                            for (a, (acc, other)) in merged.iter_mut().zip(part).enumerate() {
                                acc.merge(self.aggs[a].op, other);
                            }
                        }
                        std::borrow::Cow::Owned(merged)
                    }
                }
            })
            .collect();
        // pandas prints a column of durations as whole days when every one of them is.
        let days_only: Vec<bool> = (0..width)
            .map(|a| accs.iter().all(|accs| accs[a].whole_days()))
            .collect();
        let mut last_bucket = None;
        let mut stamp = Vec::with_capacity(32);
        let mut field = Vec::with_capacity(32);
        for (entry, accs) in entries.iter().zip(&accs) {
            let (bucket, fields) = decode(self.groups.key(entry.label), timed);
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
            for ((value, dtype), zero) in fields.zip(&key_types).zip(&self.negative_zero) {
                field.clear();
                match zero {
                    Some(negative)
                        if *dtype == Dtype::Float && dtype.key(value) == Key::Float(0) =>
                    {
                        field.extend_from_slice(if *negative { b"-0.0" } else { b"0.0" });
                    }
                    _ => dtype.write(&mut field, value),
                }
                out.field(&field);
            }
            for (a, agg) in self.aggs.iter().enumerate() {
                let dtype = value_types[a].unwrap_or(Dtype::Int);
                field.clear();
                if let Err(overflow) =
                    accs[a].write(dtype, self.params.float, days_only[a], &mut field)
                {
                    let key = self.describe(entry.label, &stamp, &key_types);
                    return Err(overflowed(&agg.name, overflow, &key));
                }
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
            if !entries.is_empty() {
                if self.printed_missing_only.is_empty() {
                    self.printed_missing_only = vec![true; key_types.len()];
                }
                for entry in &entries {
                    let (_, fields) = decode(self.groups.key(entry.label), timed);
                    for ((only, field), dtype) in self
                        .printed_missing_only
                        .iter_mut()
                        .zip(fields)
                        .zip(&key_types)
                    {
                        *only &= dtype.is_missing(field);
                    }
                }
                self.printed_keys = Some(key_types);
            }
        }
        self.groups.clear();
        self.accs.clear();
        self.shadow_accs.clear();
        Ok(())
    }

    /// A value column that is summed or averaged must be numbers to pandas: one whose bools
    /// or long digits met numbers is text (object) to it.
    fn check_numeric(&self) -> Result<()> {
        for column in self.columns.iter().filter(|c| c.numeric) {
            let dtype = column.dtype.dtype();
            if let (Dtype::Text | Dtype::TextKeepNa, Some((seen, value, line, file))) =
                (dtype, &column.odd)
            {
                let why = if *seen == Seen::Bool {
                    format!(
                        "{value} among numbers makes the column text (object) as pandas reads it"
                    )
                } else {
                    format!(
                        "{value} overflows a 64-bit integer, which makes the column text \
                         (object) as pandas reads it unless it holds a float"
                    )
                };
                return Err(Error::value(
                    &column.name,
                    format!("{why}, so it cannot be summed or averaged"),
                )
                .line(*line)
                .file(file.as_deref()));
            }
        }
        Ok(())
    }

    /// A row's key as it prints: the bucket's stamp and each key value, comma-separated.
    fn describe(&self, label: u32, stamp: &[u8], types: &[Dtype]) -> String {
        let (bucket, fields) = decode(self.groups.key(label), self.params.every.is_some());
        let mut parts: Vec<String> = Vec::new();
        if bucket.is_some() {
            parts.push(String::from_utf8_lossy(stamp).into_owned());
        }
        for (value, dtype) in fields.zip(types) {
            let mut text = Vec::new();
            dtype.write(&mut text, value);
            parts.push(String::from_utf8_lossy(&text).into_owned());
        }
        parts.join(",")
    }
}

/// The error for an integer sum that does not fit its column's type: pandas would wrap it
/// around silently; the filters refuse.
fn overflowed(name: &str, Overflow(total, dtype): Overflow, key: &str) -> Error {
    #[allow(clippy::cast_possible_truncation)] // what wrapping around gives
    let wrapped = if dtype == "uint64" {
        (total as u64).to_string()
    } else {
        (total as i64).to_string()
    };
    Error::value(
        name,
        format!(
            "the sum for {key} is {total}, beyond {dtype} (pandas would wrap it around to \
             {wrapped}; --float sums as floats)"
        ),
    )
}

/// Takes one value into its column's type; a column `--stream` printed as integers must
/// not turn float, and a column that is summed or averaged must hold numbers.
#[inline]
fn type_column(
    column: &mut Column,
    seen: Seen,
    field: &[u8],
    line: u64,
    input: &Option<String>,
) -> Result<()> {
    // An integer changes no column of integers: the common case costs a test and an or.
    if seen == Seen::Int {
        column.dtype.add(Seen::Int);
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
    match seen {
        Seen::Text if column.numeric => Err(agg::not_a_number(&column.name, field)),
        // Numbers to pandas only in a column that turns out so: judged at the end.
        Seen::Bool | Seen::BigInt if column.odd.is_none() => {
            column.odd = Some((seen, show(field), line, input.clone()));
            Ok(())
        }
        _ => Ok(()),
    }
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
        self.groups.short = self.key_idx.len() <= groups::SHORT_KEYS;
        self.negative_zero = vec![None; self.key_idx.len()];
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
                        odd: None,
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
        let hit = match self.groups.find(bucket, &self.key_idx, row, self.rows)? {
            Found::Known(hit) => hit,
            Found::NewGroup(hit) => {
                self.new_group(row)?;
                hit
            }
            Found::Alias(hit, first_alias) => {
                self.new_alias(hit.group, first_alias, row)?;
                hit
            }
        };
        self.missing_key_rows += u64::from(hit.missing);
        self.add(hit.group as usize, hit.shadow, row)
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
                type_column(column, seen, field, row.line(), &self.input)?;
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
