//! Turns a long table wide, as pandas' `pivot(index, columns, values)`: one column per key.
//!
//! The inverse of `pivot`'s melt, and the study's validation step:
//! `df.pivot(index=[...], columns="flow", values="net_size").fillna(0).astype(int)`, then
//! `df.loc[df[c] < 0, c] = 0`. The output's columns are known only at the end, so every cell
//! is held until then, compactly: each index and key column's distinct values once, a row as
//! the tuple of their ids, a cell as an offset into one buffer of values.

pub mod cli;

use std::cmp::Ordering;
use std::hash::BuildHasher;
use std::io::Write;

use driver::Filter;
use error::show;
use error::{Error, Result};
use foldhash::fast::FixedState;
use hashbrown::HashTable;
use itertools::Itertools;
use pandas::dtype::{Dtype, Inference, Seen};
use pandas::num::{is_missing, parse_f64, parse_i64, write_int, write_py_float, Int};
use table::{find_column, find_columns, Record, Writer};

/// What to turn into columns, what to keep as rows, and how to print the cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// The column whose values become the output's columns.
    pub key: String,
    /// The column whose values fill the cells.
    pub value: String,
    /// The row keys; empty means every column but the key and the value, in input order.
    pub index: Vec<String>,
    /// What a missing cell gets (pandas' `fillna`); `None` leaves it missing (empty).
    pub fill: Option<String>,
    /// pandas' `astype(int)`: every value truncated toward zero.
    pub int: bool,
    /// Values below N become N (`df.loc[df[c] < N, c] = N`), after `int`.
    pub clip_lower: Option<i64>,
}

impl Params {
    /// The notebook's long tables: `flow` rows of `net_size`; the command line's defaults too.
    pub const KEY: &str = "flow";
    pub const VALUE: &str = "net_size";
}

impl Default for Params {
    fn default() -> Self {
        Params {
            key: Params::KEY.into(),
            value: Params::VALUE.into(),
            index: Vec::new(),
            fill: None,
            int: false,
            clip_lower: None,
        }
    }
}

/// A `--fill` value as pandas' `fillna` would get it from Python: a number when it reads as
/// one (`0` is an int, `0.5` a float), else text.
#[derive(Debug, Clone, PartialEq)]
enum Fill {
    Int(i64),
    Float(f64),
    Text(Vec<u8>),
}

impl Fill {
    /// `None` for a missing spelling (`NaN`, empty): filling with NaN fills nothing.
    fn parse(text: &str) -> Option<Fill> {
        let bytes = text.as_bytes();
        if is_missing(bytes) {
            return None;
        }
        Some(match parse_i64(bytes) {
            Int::Value(n) => Fill::Int(n),
            _ => parse_f64(bytes).map_or_else(|| Fill::Text(bytes.to_vec()), Fill::Float),
        })
    }
}

/// `x` truncated toward zero, as numpy's `astype(int64)`; `None` where pandas raises (an
/// infinity) or numpy's result means nothing (outside 64 bits).
fn truncate(x: f64) -> Option<i64> {
    // -2^63 is i64::MIN exactly; 2^63 is the first float above i64::MAX.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let t = x.trunc();
    #[allow(clippy::cast_possible_truncation)] // in range: checked
    (-LIMIT..LIMIT).contains(&t).then_some(t as i64)
}

/// Appends `n` as LEB128: lines and lengths take a byte or three instead of eight.
fn put_varint(buf: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        buf.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    buf.push(n as u8);
}

/// Reads a LEB128 number at `*at` and moves past it.
fn get_varint(buf: &[u8], at: &mut usize) -> u64 {
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
fn entry<'a>(bytes: &'a [u8], ends: &[usize], id: u32) -> &'a [u8] {
    let id = id as usize;
    let start = if id == 0 { 0 } else { ends[id - 1] };
    &bytes[start..ends[id]]
}

/// The distinct values of one column, each stored once, numbered in order of first sight.
/// Every missing spelling (empty, `NA`, `null`, ...) is the one missing value, stored empty:
/// pandas holds them all as NaN.
#[derive(Debug, Default)]
struct Dictionary {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    table: HashTable<u32>,
    /// The two ids last looked up: consecutive rows share most of their index, and a
    /// key column alternates (`in`, `out`, `in`, ...).
    recent: [Option<u32>; 2],
    /// The values of rows that `--dropna` dropped: pandas typed the column with them.
    dropped: Inference,
}

impl Dictionary {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, id: u32) -> &[u8] {
        entry(&self.bytes, &self.ends, id)
    }

    /// The id of `field`, numbered anew on first sight.
    #[inline]
    fn id(&mut self, field: &[u8], hasher: &FixedState) -> Result<u32> {
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
struct Rows {
    width: usize,
    ids: Vec<u32>,
    table: HashTable<u32>,
    last: Option<u32>,
}

impl Rows {
    fn len(&self) -> usize {
        self.ids.len() / self.width.max(1)
    }

    fn get(&self, row: u32) -> &[u32] {
        let start = row as usize * self.width;
        &self.ids[start..start + self.width]
    }

    #[inline]
    fn id(&mut self, tuple: &[u32], hasher: &FixedState) -> Result<u32> {
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

/// One column's distinct values in pandas' order: a rank for each id, equal values (`5`
/// and `+5` in an integer column) sharing one, and each rank as pandas prints it.
#[derive(Debug)]
struct Levels {
    rank: Vec<u32>,
    /// The printed values, by rank, in one buffer; each the first of its equal values seen,
    /// as pandas keeps it.
    names: Vec<u8>,
    ends: Vec<usize>,
}

impl Levels {
    fn of(dict: &Dictionary) -> Levels {
        let mut inference = dict.dropped;
        let ids = 0..u32::try_from(dict.len()).unwrap_or(u32::MAX);
        for id in ids.clone() {
            inference.see(dict.get(id));
        }
        let dtype = inference.dtype();
        let order = ids
            .sorted_unstable_by(|&a, &b| compare(dtype, dict.get(a), dict.get(b)).then(a.cmp(&b)));
        let mut rank = vec![0; dict.len()];
        let mut first: Vec<u32> = Vec::new();
        let mut previous = None;
        for id in order {
            match (previous, first.last_mut()) {
                (Some(p), Some(last)) if equal(dtype, dict.get(p), dict.get(id)) => {
                    *last = (*last).min(id);
                }
                _ => first.push(id),
            }
            rank[id as usize] = u32::try_from(first.len() - 1).unwrap_or(u32::MAX);
            previous = Some(id);
        }
        let mut names = Vec::new();
        let ends = first
            .iter()
            .map(|&id| {
                dtype.write(&mut names, dict.get(id));
                names.len()
            })
            .collect();
        Levels { rank, names, ends }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Rank `rank` as pandas prints it (a missing value empty).
    fn name(&self, rank: u32) -> &[u8] {
        entry(&self.names, &self.ends, rank)
    }
}

/// pandas' order of an index level or of the columns: a missing value first (its code is
/// -1), then by the column's type.
fn compare(dtype: Dtype, a: &[u8], b: &[u8]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => dtype.compare(a, b),
    }
}

/// Whether pandas holds two values of a column of this type as one: `5` and `+5` as
/// integers, `0.0` and `-0.0` as floats, `true` and `True` as bools, text only when identical.
fn equal(dtype: Dtype, a: &[u8], b: &[u8]) -> bool {
    dtype.key(a) == dtype.key(b)
}

/// A number spelled as `to_csv` writes one, `-?(0|[1-9][0-9]*)(\.[0-9]+)?` in at most 15
/// digits: read as pandas reads it and printed again, it comes back as it is (a float
/// repr), or with `.0` added (an integer in a float column), and its integer part is its
/// truncation. So the printing copies it instead of parsing and formatting: most cells.
#[derive(Debug, Clone, Copy)]
struct Plain {
    /// Where the integer part (with its sign) ends.
    int_end: usize,
    fraction: bool,
    /// Python's repr of the float is this spelling: no trailing zero in the fraction but
    /// `.0`, and not small enough for the exponent form (`1e-05`).
    repr: bool,
}

impl Plain {
    fn of(v: &[u8]) -> Option<Plain> {
        let sign = usize::from(v.first() == Some(&b'-'));
        let body = &v[sign..];
        let (int, frac) = match body.iter().position(|&b| b == b'.') {
            Some(p) => (&body[..p], Some(&body[p + 1..])),
            None => (body, None),
        };
        let digits = |d: &[u8]| !d.is_empty() && d.iter().all(u8::is_ascii_digit);
        let frac_len = frac.map_or(0, <[u8]>::len);
        if !digits(int) || (int.len() > 1 && int[0] == b'0') || int.len() + frac_len > 15 {
            return None;
        }
        let repr = match frac {
            None => true,
            Some(f) if !digits(f) => return None,
            Some(b"0") => true,
            Some(f) => {
                let zeros = f.iter().take_while(|&&b| b == b'0').count();
                f.last() != Some(&b'0') && (int != b"0" || zeros <= 3)
            }
        };
        Some(Plain {
            int_end: sign + int.len(),
            fraction: frac.is_some(),
            repr,
        })
    }
}

/// How the cells print: the wide table's dtype after `fillna` and `astype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Print {
    /// `--int`; `via_float` when pandas' cells were floats before the cast.
    AsInt {
        via_float: bool,
        from_int: bool,
    },
    /// An integer value column without a missing cell.
    Int,
    /// Floats; `from_int` when the values are integers made float by a missing cell.
    Float {
        from_int: bool,
    },
    Text,
    /// Values of another type, printed as pandas prints it.
    Typed(Dtype),
}

/// Why a second value for a cell is refused.
const DUPLICATES: &str = "a long table holds one value per index and key (pandas' pivot \
                          raises: Index contains duplicate entries, cannot reshape)";

/// The filter: folds rows into cells, then writes the wide table at the end.
#[derive(Debug)]
pub struct Widen {
    params: Params,
    fill: Option<Fill>,
    /// `--fill` for `--int`, truncated as pandas would.
    fill_int: Option<i64>,
    index_idx: Vec<usize>,
    key_idx: usize,
    value_idx: usize,
    /// The index columns' names, as the header has them.
    names: Vec<Vec<u8>>,
    hasher: FixedState,
    index: Vec<Dictionary>,
    keys: Dictionary,
    rows: Rows,
    /// The current row's index tuple, reused.
    tuple: Vec<u32>,
    /// Every cell's value and the line it came from, in one buffer: the line, the length
    /// (both LEB128), the bytes.
    values: Vec<u8>,
    /// How many cells `values` holds.
    count: u64,
    /// Per key id, per row id: where the cell's value starts in `values`, plus one; 0 for
    /// no cell.
    cells: Vec<Vec<u64>>,
    /// The values of rows that `--dropna` dropped.
    value_dropped: Inference,
    /// Where each input's cells start in `values`, and its name (none for stdin).
    inputs: Vec<(u64, Option<String>)>,
}

impl Widen {
    /// Refuses what the flags show on their own: a column given two roles or twice, and a
    /// `--fill` that `--int` or `--clip-lower` cannot use.
    pub fn new(params: Params) -> Result<Widen> {
        if params.key == params.value {
            return Err(Error::usage(format!(
                "--key and --value are both '{}'",
                params.key
            )));
        }
        for (flag, name) in [("--key", &params.key), ("--value", &params.value)] {
            if params.index.contains(name) {
                return Err(Error::usage(format!(
                    "'{name}' is both an --index column and the {flag}"
                )));
            }
        }
        if let Some(dup) = params.index.iter().duplicates().next() {
            return Err(Error::usage(format!("--index names '{dup}' twice")));
        }
        let fill = params.fill.as_deref().and_then(Fill::parse);
        let fill_int = match (&fill, params.int) {
            (Some(Fill::Int(n)), true) => Some(*n),
            (Some(Fill::Float(x)), true) => Some(truncate(*x).ok_or_else(|| {
                Error::usage(format!(
                    "--fill {} is not a 64-bit integer, which --int needs",
                    params.fill.as_deref().unwrap_or_default()
                ))
            })?),
            (Some(Fill::Text(_)), int) if int || params.clip_lower.is_some() => {
                return Err(Error::usage(format!(
                    "--fill {} is not a number, which {} needs",
                    params.fill.as_deref().unwrap_or_default(),
                    if int { "--int" } else { "--clip-lower" }
                )));
            }
            _ => None,
        };
        Ok(Widen {
            params,
            fill,
            fill_int,
            index_idx: Vec::new(),
            key_idx: 0,
            value_idx: 0,
            names: Vec::new(),
            hasher: FixedState::default(),
            index: Vec::new(),
            keys: Dictionary::default(),
            rows: Rows::default(),
            tuple: Vec::new(),
            values: Vec::new(),
            count: 0,
            cells: Vec::new(),
            value_dropped: Inference::default(),
            inputs: Vec::new(),
        })
    }

    /// Refuses, on its line, a value that `--int` or `--clip-lower` cannot use.
    fn check(&self, value: &[u8]) -> Result<()> {
        let (int, clip) = (self.params.int, self.params.clip_lower.is_some());
        if !int && !clip {
            return Ok(());
        }
        let name = &self.params.value;
        if is_missing(value) {
            if int && self.fill.is_none() {
                return Err(Error::value(
                    name,
                    format!(
                        "{} is a missing value, which --int cannot make an integer (pandas' \
                         astype(int) raises); give --fill",
                        show(value)
                    ),
                ));
            }
            return Ok(());
        }
        let number = match parse_i64(value) {
            Int::Value(_) => return Ok(()),
            _ => parse_f64(value),
        };
        match number {
            Some(x) if !int || truncate(x).is_some() => Ok(()),
            Some(_) => Err(Error::value(
                name,
                format!(
                    "{} is not a 64-bit integer when truncated, which --int needs",
                    show(value)
                ),
            )),
            None => Err(Error::value(
                name,
                format!(
                    "{} is not a number, which {} needs",
                    show(value),
                    if int { "--int" } else { "--clip-lower" }
                ),
            )),
        }
    }

    /// The line a cell's value came from, and its bytes.
    fn value(&self, cell: u64) -> (u64, &[u8]) {
        let mut at = usize::try_from(cell - 1).unwrap_or(usize::MAX);
        let line = get_varint(&self.values, &mut at);
        let len = usize::try_from(get_varint(&self.values, &mut at)).unwrap_or(0);
        (line, &self.values[at..at + len])
    }

    /// Which input a cell came from: its number and name.
    fn input_of(&self, cell: u64) -> (usize, Option<&str>) {
        let i = self
            .inputs
            .partition_point(|(start, _)| *start <= cell)
            .saturating_sub(1);
        (i, self.inputs.get(i).and_then(|(_, name)| name.as_deref()))
    }

    /// `line 4`, and the input when it is not the current one: `line 4 of a.csv`.
    fn place(&self, cell: u64) -> String {
        let (line, _) = self.value(cell);
        let (input, name) = self.input_of(cell);
        if input + 1 == self.inputs.len() {
            format!("line {line}")
        } else {
            format!("line {line} of {}", name.unwrap_or("stdin"))
        }
    }

    /// `timestamp '2025-01-24 00:00:00+00:00', msg_type 'addr', flow 'in'`: a cell's raw
    /// index and key, for messages.
    fn describe(&self, row: u32, key: Option<u32>) -> String {
        let mut parts: Vec<String> = self
            .rows
            .get(row)
            .iter()
            .zip(&self.index)
            .zip(&self.names)
            .map(|((&id, dict), name)| {
                format!("{} {}", String::from_utf8_lossy(name), show(dict.get(id)))
            })
            .collect();
        if let Some(key) = key {
            parts.push(format!("{} {}", self.params.key, show(self.keys.get(key))));
        }
        parts.join(", ")
    }

    /// The error for a second value of one cell, placed at the later one.
    fn duplicate(&self, first: (u32, u32, u64), second: (u32, u32, u64)) -> Error {
        let (first, second) = if first.2 < second.2 {
            (first, second)
        } else {
            (second, first)
        };
        let this = self.describe(second.0, Some(second.1));
        let that = self.describe(first.0, Some(first.1));
        let what = if this == that {
            format!(
                "{this}: a second value; the first is on {}",
                self.place(first.2)
            )
        } else {
            format!(
                "{this}: the same cell as {that} on {} (equal as numbers)",
                self.place(first.2)
            )
        };
        let (line, _) = self.value(second.2);
        Error::data(format!("{what}; {DUPLICATES}"))
            .line(line)
            .file(self.input_of(second.2).1)
    }

    /// The error for a cell without a value under `--int` and no `--fill`, placed at a
    /// line of its row.
    fn absent(&self, row: u32, key: u32) -> Error {
        // Some key of the row has a value, and so a line.
        let cell = self
            .cells
            .iter()
            .find_map(|column| column.get(row as usize).copied().filter(|&c| c != 0))
            .unwrap_or(1);
        let (line, _) = self.value(cell);
        Error::data(format!(
            "{} has no {} {} value, and --int cannot make an integer of the missing cell \
             (pandas' astype(int) raises on its NaN); give --fill",
            self.describe(row, None),
            self.params.key,
            show(self.keys.get(key))
        ))
        .line(line)
        .file(self.input_of(cell).1)
    }

    /// How the cells print, from the value column's type and whether any cell is missing.
    fn printing(&self, any_absent: bool) -> Print {
        let mut inference = self.value_dropped;
        let mut at = 0;
        while at < self.values.len() {
            get_varint(&self.values, &mut at);
            let len = usize::try_from(get_varint(&self.values, &mut at)).unwrap_or(0);
            let value = &self.values[at..at + len];
            // Most values are plain: an integer cannot change the type, nor a float once
            // one was seen; the others are read as pandas reads them.
            match Plain::of(value) {
                Some(plain) if !plain.fraction && value[0] != b'-' => inference.add(Seen::Int),
                Some(plain) if plain.fraction && inference.dtype() == Dtype::Float => {}
                _ => inference.see(value),
            }
            at += len;
        }
        // unstack() makes the whole table float when a cell is missing, fillna keeps it so.
        match inference.dtype() {
            Dtype::Int if self.params.int => Print::AsInt {
                via_float: any_absent,
                from_int: true,
            },
            _ if self.params.int => Print::AsInt {
                via_float: true,
                from_int: false,
            },
            Dtype::Int if any_absent => Print::Float { from_int: true },
            Dtype::Int => Print::Int,
            Dtype::Float | Dtype::UInt if any_absent => Print::Float { from_int: false },
            Dtype::IntNa => Print::Float { from_int: true },
            Dtype::Float => Print::Float { from_int: false },
            Dtype::Text => Print::Text,
            // Printed canonically: `True` for `true`, uint64 without leading zeros.
            Dtype::UInt | Dtype::Bool | Dtype::BoolObject | Dtype::TextKeepNa => {
                Print::Typed(inference.dtype())
            }
        }
    }

    /// Writes one cell: its value (at `cell`), or the fill when it has none.
    fn write_cell<W: Write>(
        &self,
        print: Print,
        cell: Option<u64>,
        out: &mut Writer<W>,
    ) -> Result<()> {
        let clip = self.params.clip_lower;
        let clip_int = |n: i64| clip.map_or(n, |low| n.max(low));
        #[allow(clippy::cast_precision_loss)] // as pandas converts an int to compare or fill
        let clip_float = |x: f64| match clip {
            Some(low) if x < low as f64 => low as f64,
            _ => x,
        };
        let value = cell.map(|c| self.value(c).1).filter(|v| !is_missing(v));
        let Some(value) = value else {
            // No value: the fill, or a missing (empty) cell.
            match (&self.fill, print) {
                (_, Print::AsInt { .. }) => match self.fill_int {
                    Some(n) => out.field_with(|b| write_int(b, clip_int(n))),
                    // Not reached: `finish` and `check` refuse these first, with their lines.
                    None => return Err(Error::data("a cell without a value under --int")),
                },
                (None, _) => out.field(b""),
                (Some(Fill::Int(n)), Print::Float { .. }) => {
                    #[allow(clippy::cast_precision_loss)] // as pandas fills a float column
                    let x = *n as f64;
                    out.field_with(|b| write_py_float(b, clip_float(x)));
                }
                (Some(Fill::Int(n)), _) => out.field_with(|b| write_int(b, clip_int(*n))),
                (Some(Fill::Float(x)), _) => out.field_with(|b| write_py_float(b, clip_float(*x))),
                (Some(Fill::Text(text)), _) => out.field(text),
            }
            return Ok(());
        };
        // The copies need no clip: it compares numbers.
        if let Some(plain) = Plain::of(value).filter(|_| clip.is_none()) {
            let minus_zero = value == b"-0";
            match print {
                Print::AsInt { .. } => {
                    let int = &value[..plain.int_end];
                    out.field(if int == b"-0" { b"0" } else { int });
                    return Ok(());
                }
                Print::Int if !plain.fraction && !minus_zero => {
                    out.field(value);
                    return Ok(());
                }
                // `-0` is the float -0.0, but the integer 0.
                Print::Float { from_int } if !(plain.fraction || from_int && minus_zero) => {
                    out.field_with(|b| {
                        b.extend_from_slice(value);
                        b.extend_from_slice(b".0");
                    });
                    return Ok(());
                }
                Print::Float { from_int: false } if plain.repr => {
                    out.field(value);
                    return Ok(());
                }
                _ => {}
            }
        }
        let int = |v: &[u8]| match parse_i64(v) {
            Int::Value(n) => Some(n),
            _ => None,
        };
        match print {
            Print::AsInt {
                via_float,
                from_int,
            } => {
                #[allow(clippy::cast_precision_loss)] // as numpy makes an int column float
                let n = match (via_float, from_int) {
                    (false, _) => int(value),
                    (true, true) => int(value).and_then(|n| truncate(n as f64)),
                    (true, false) => parse_f64(value).and_then(truncate),
                };
                let n = n.ok_or_else(|| {
                    let (line, _) = cell.map(|c| self.value(c)).unwrap_or_default();
                    Error::value(
                        &self.params.value,
                        format!(
                            "{} is not a 64-bit integer when truncated, which --int needs",
                            show(value)
                        ),
                    )
                    .line(line)
                    .file(cell.and_then(|c| self.input_of(c).1))
                })?;
                out.field_with(|b| write_int(b, clip_int(n)));
            }
            Print::Int => match int(value) {
                Some(n) => out.field_with(|b| write_int(b, clip_int(n))),
                None => out.field(value),
            },
            Print::Float { from_int } => {
                #[allow(clippy::cast_precision_loss)] // as numpy makes an int column float
                let x = if from_int {
                    int(value).map(|n| n as f64)
                } else {
                    parse_f64(value)
                };
                match x {
                    Some(x) => out.field_with(|b| write_py_float(b, clip_float(x))),
                    None => out.field(value),
                }
            }
            Print::Typed(dtype) => out.field_with(|b| dtype.write(b, value)),
            Print::Text => match (clip, parse_f64(value)) {
                (Some(low), Some(x)) if x < low as f64 => out.field_with(|b| write_int(b, low)),
                _ => out.field(value),
            },
        }
        Ok(())
    }
}

/// The `n` rows in pandas' order, by each index level's rank in turn, given how many ranks
/// each level has and `rank(row, level)`. Each element holds a row id in the bits of the
/// returned mask. A row is packed into one integer, its ranks above its id, when that takes
/// at most `limit` bits: sorting integers is several times faster than comparing tuples,
/// and the usual index (hours, types) fits.
fn row_order(
    n: usize,
    levels: &[usize],
    rank: impl Fn(u32, usize) -> u32,
    limit: u32,
) -> (Vec<u64>, u64) {
    let bits = |count: usize| usize::BITS - count.saturating_sub(1).leading_zeros();
    let row_bits = bits(n);
    let level_bits: Vec<u32> = levels.iter().map(|&count| bits(count)).collect();
    let rows = 0..u32::try_from(n).unwrap_or(u32::MAX);
    if row_bits + level_bits.iter().sum::<u32>() <= limit.min(64) {
        let mut keys: Vec<u64> = rows
            .map(|row| {
                let key = (level_bits.iter().enumerate()).fold(0u64, |key, (level, &b)| {
                    (key << b) | u64::from(rank(row, level))
                });
                (key << row_bits) | u64::from(row)
            })
            .collect();
        keys.sort_unstable();
        (keys, (1u64 << row_bits) - 1)
    } else {
        let rank = &rank;
        let ranks = |row: u32| (0..levels.len()).map(move |level| rank(row, level));
        let order = rows
            .sorted_unstable_by(|&a, &b| ranks(a).cmp(ranks(b)).then(a.cmp(&b)))
            .map(u64::from)
            .collect();
        (order, u64::MAX)
    }
}

impl Filter for Widen {
    fn header(&mut self, header: &Record) -> Result<Record> {
        self.key_idx = find_column(header, &self.params.key)?;
        self.value_idx = find_column(header, &self.params.value)?;
        self.index_idx = if self.params.index.is_empty() {
            let others: Vec<usize> = (0..header.len())
                .filter(|&i| i != self.key_idx && i != self.value_idx)
                .collect();
            if others.is_empty() {
                return Err(Error::data(format!(
                    "no column is left for the index: the header has only the --key and \
                     --value ('{}'); give --index",
                    header.to_text()
                )));
            }
            if let Some(dup) = others.iter().map(|&i| header.field(i)).duplicates().next() {
                return Err(Error::data(format!(
                    "the header names {} twice, and the index would be every column but \
                     the --key and --value; rename them apart, or give --index",
                    show(dup)
                )));
            }
            others
        } else {
            find_columns(header, &self.params.index)?
        };
        self.names = self
            .index_idx
            .iter()
            .map(|&i| header.field(i).to_vec())
            .collect();
        self.index = self
            .index_idx
            .iter()
            .map(|_| Dictionary::default())
            .collect();
        self.rows.width = self.index_idx.len();
        Ok(Record::from_fields(&self.names))
    }

    fn row<W: Write>(&mut self, row: &Record, _out: &mut Writer<W>) -> Result<()> {
        self.tuple.clear();
        for (dict, &i) in self.index.iter_mut().zip(&self.index_idx) {
            self.tuple.push(dict.id(row.field(i), &self.hasher)?);
        }
        let r = self.rows.id(&self.tuple, &self.hasher)?;
        let k = self.keys.id(row.field(self.key_idx), &self.hasher)?;
        let value = row.field(self.value_idx);
        self.check(value)?;
        if k as usize == self.cells.len() {
            self.cells.push(Vec::new());
        }
        let column = &mut self.cells[k as usize];
        if column.len() <= r as usize {
            column.resize(r as usize + 1, 0);
        }
        let existing = column[r as usize];
        if existing != 0 {
            // The pump places the error at this row's line.
            return Err(Error::data(format!(
                "{}: a second value; the first is on {}; {DUPLICATES}",
                self.describe(r, Some(k)),
                self.place(existing)
            )));
        }
        column[r as usize] = self.values.len() as u64 + 1;
        put_varint(&mut self.values, row.line());
        put_varint(&mut self.values, value.len() as u64);
        self.values.extend_from_slice(value);
        self.count += 1;
        Ok(())
    }

    fn input(&mut self, name: Option<&str>) {
        self.inputs
            .push((self.values.len() as u64 + 1, name.map(str::to_owned)));
    }

    fn header_later(&self) -> bool {
        true
    }

    /// A dropped row still types the columns, as pandas reads them before `dropna()`.
    fn dropped(&mut self, row: &Record) -> Result<()> {
        for (dict, &i) in self.index.iter_mut().zip(&self.index_idx) {
            dict.dropped.see(row.field(i));
        }
        self.keys.dropped.see(row.field(self.key_idx));
        self.value_dropped.see(row.field(self.value_idx));
        Ok(())
    }

    fn finish<W: Write>(&mut self, out: &mut Writer<W>) -> Result<()> {
        let index: Vec<Levels> = self.index.iter().map(Levels::of).collect();
        let keys = Levels::of(&self.keys);
        // The lookup table is done with: its memory is the sort's.
        self.rows.table = HashTable::new();
        let rows = &self.rows;
        let rank = |row: u32, level: usize| index[level].rank[rows.get(row)[level] as usize];
        let levels: Vec<usize> = index.iter().map(Levels::len).collect();
        let (order, mask) = row_order(rows.len(), &levels, rank, 64);
        #[allow(clippy::cast_possible_truncation)] // the mask keeps a u32 row id
        let row = |element: u64| (element & mask) as u32;
        let same = |a: u32, b: u32| (0..levels.len()).all(|level| rank(a, level) == rank(b, level));
        // Rows (and columns) whose raw values differ but are equal to pandas are one.
        let groups = || order.chunk_by(|&a, &b| same(row(a), row(b)));
        let mut columns: Vec<Vec<u32>> = vec![Vec::new(); keys.len()];
        for (id, &rank) in keys.rank.iter().enumerate() {
            columns[rank as usize].push(u32::try_from(id).unwrap_or(u32::MAX));
        }

        // The header: the index's names, then each key as pandas prints it.
        let mut names: Vec<Vec<u8>> = self.names.clone();
        for (rank, ids) in columns.iter().enumerate() {
            let name = keys.name(u32::try_from(rank).unwrap_or(u32::MAX)).to_vec();
            if names.contains(&name) {
                let cell = ids
                    .iter()
                    .find_map(|&k| self.cells[k as usize].iter().copied().find(|&c| c != 0))
                    .unwrap_or(1);
                let (line, _) = self.value(cell);
                return Err(Error::data(format!(
                    "the {} value {} would make a second column named {} (pandas' \
                     reset_index refuses a name it has, of the same type); rename the index \
                     column",
                    self.params.key,
                    show(&name),
                    show(&name)
                ))
                .line(line)
                .file(self.input_of(cell).1));
            }
            names.push(name);
        }
        out.record(names.iter().map(Vec::as_slice))?;

        let cells = groups().count() as u64 * columns.len() as u64;
        let print = self.printing(self.count < cells);
        for rows in groups() {
            let first = row(rows[0]);
            for (l, level) in index.iter().enumerate() {
                out.field(level.name(rank(first, l)));
            }
            for ids in &columns {
                let mut found: Option<(u32, u32, u64)> = None;
                for &k in ids {
                    for r in rows.iter().map(|&element| row(element)) {
                        let cell = self.cells[k as usize].get(r as usize).copied().unwrap_or(0);
                        if cell == 0 {
                            continue;
                        }
                        if let Some(first) = found {
                            return Err(self.duplicate(first, (r, k, cell)));
                        }
                        found = Some((r, k, cell));
                    }
                }
                if found.is_none() && self.params.int && self.fill.is_none() {
                    return Err(self.absent(first, ids[0]));
                }
                self.write_cell(print, found.map(|f| f.2), out)?;
            }
            out.end_record()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(params: Params, input: &str) -> Result<String> {
        driver::transform(Widen::new(params)?, input.as_bytes())
    }

    fn index(cols: &[&str]) -> Params {
        Params {
            index: cols.iter().map(|&c| c.to_owned()).collect(),
            ..Params::default()
        }
    }

    fn validation() -> Params {
        Params {
            fill: Some("0".into()),
            int: true,
            ..index(&["timestamp", "msg_type"])
        }
    }

    #[test]
    fn undoes_the_melt() {
        let long = "timestamp,flow,net_size\n\
                    2024-12-28 00:00:09+00:00,in,15828.0\n\
                    2024-12-28 00:00:09+00:00,out,8078.0\n\
                    2024-12-28 00:00:14+00:00,out,14545.0\n\
                    2024-12-28 00:00:04+00:00,in,30666.0\n";
        assert_eq!(
            run(Params::default(), long).unwrap(),
            "timestamp,in,out\n\
             2024-12-28 00:00:04+00:00,30666.0,\n\
             2024-12-28 00:00:09+00:00,15828.0,8078.0\n\
             2024-12-28 00:00:14+00:00,,14545.0\n"
        );
    }

    #[test]
    fn the_validation_step() {
        let long = "timestamp,flow,msg_type,net_size\n\
                    2025-01-24 00:00:00+00:00,in,addr,1270.5\n\
                    2025-01-24 00:00:00+00:00,out,inv,-0.5\n\
                    2025-01-24 00:00:00+00:00,in,inv,7.0\n\
                    2025-01-24 01:00:00+00:00,out,addr,1e3\n";
        assert_eq!(
            run(validation(), long).unwrap(),
            "timestamp,msg_type,in,out\n\
             2025-01-24 00:00:00+00:00,addr,1270,0\n\
             2025-01-24 00:00:00+00:00,inv,7,0\n\
             2025-01-24 01:00:00+00:00,addr,0,1000\n"
        );
        let emp = "timestamp,flow,net_size\nd1,in,-5.0\nd1,out,3.0\nd2,in,2.0\n";
        let clip = Params {
            fill: Some("0".into()),
            int: true,
            clip_lower: Some(0),
            ..Params::default()
        };
        assert_eq!(
            run(clip, emp).unwrap(),
            "timestamp,in,out\nd1,0,3\nd2,2,0\n"
        );
    }

    #[test]
    fn rows_and_columns_sort_as_pandas_sorts_them() {
        // Numbers as numbers, text by its bytes, a missing value first.
        let out = run(index(&["t"]), "t,flow,net_size\n10,b,1\n9,a,2\n,B,3\n").unwrap();
        assert_eq!(out, "t,B,a,b\n,3.0,,\n9.0,,2.0,\n10.0,,,1.0\n");
        let out = run(index(&["t"]), "t,flow,net_size\n10,10,1\n9,9,2\n").unwrap();
        assert_eq!(out, "t,9,10\n9,2.0,\n10,,1.0\n");
        let out = run(index(&["t"]), "t,flow,net_size\nx,2.5,1\nx,10,2\nx,NA,3\n").unwrap();
        assert_eq!(out, "t,,2.5,10.0\nx,3,1,2\n");
        // Index levels in turn; the default index is every other column, in input order.
        let out = run(
            Params::default(),
            "net_size,k,flow,t\n1,b,in,2\n2,a,in,2\n3,b,out,1\n",
        )
        .unwrap();
        assert_eq!(out, "k,t,in,out\na,2,2.0,\nb,1,,3.0\nb,2,1.0,\n");
    }

    #[test]
    fn equal_values_are_one_level() {
        // `5`, `+5` and ` 5` are one integer; -0.0 and 0.0 one float, printed as first seen.
        let out = run(
            index(&["t"]),
            "t,flow,net_size\n5,in,1\n+5,out,2\n 6,in,3\n",
        )
        .unwrap();
        assert_eq!(out, "t,in,out\n5,1.0,2.0\n6,3.0,\n");
        let out = run(index(&["t"]), "t,flow,net_size\n1,-0.0,1\n2,0.0,2\n").unwrap();
        assert_eq!(out, "t,-0.0\n1,1\n2,2\n");
        // Text is equal only when identical; every missing spelling is one missing value.
        let out = run(
            index(&["t"]),
            "t,flow,net_size\nNA,in,1\n,out,2\n+5,in,3\nx,in,4\n",
        );
        assert_eq!(out.unwrap(), "t,in,out\n,1.0,2.0\n+5,3.0,\nx,4.0,\n");
    }

    #[test]
    fn cells_print_as_the_wide_tables_dtype() {
        let full = "t,flow,net_size\n1,in,5\n1,out,+6\n";
        assert_eq!(run(index(&["t"]), full).unwrap(), "t,in,out\n1,5,6\n");
        // One missing cell makes the whole table float; fillna keeps it float.
        let gap = "t,flow,net_size\n1,in,5\n1,out,6\n2,in,7\n";
        assert_eq!(
            run(index(&["t"]), gap).unwrap(),
            "t,in,out\n1,5.0,6.0\n2,7.0,\n"
        );
        let fill = |v: &str| Params {
            fill: Some(v.into()),
            ..index(&["t"])
        };
        assert_eq!(
            run(fill("0"), gap).unwrap(),
            "t,in,out\n1,5.0,6.0\n2,7.0,0.0\n"
        );
        assert_eq!(
            run(fill("x,y"), gap).unwrap(),
            "t,in,out\n1,5.0,6.0\n2,7.0,\"x,y\"\n"
        );
        assert_eq!(
            run(fill("NaN"), gap).unwrap(),
            run(index(&["t"]), gap).unwrap()
        );
        // A missing value is a missing cell; text stays text, its gaps filled as given.
        let text = "t,flow,net_size\n1,in,hi\n1,out,NA\n2,in,1e3\n";
        assert_eq!(
            run(index(&["t"]), text).unwrap(),
            "t,in,out\n1,hi,\n2,1e3,\n"
        );
        assert_eq!(run(fill("0"), text).unwrap(), "t,in,out\n1,hi,0\n2,1e3,0\n");
        let floats = "t,flow,net_size\n1,in,1e3\n1,out,0.1\n";
        assert_eq!(
            run(index(&["t"]), floats).unwrap(),
            "t,in,out\n1,1000.0,0.1\n"
        );
    }

    #[test]
    fn int_truncates_toward_zero_and_clip_raises_to_the_floor() {
        let long = "t,flow,net_size\n1,a,12.7\n1,b,-0.5\n1,c,1e3\n1,d,-7\n1,e,-inf\n";
        let int = Params {
            int: true,
            ..index(&["t"])
        };
        let err = run(int.clone(), long).unwrap_err().to_string();
        assert_eq!(
            err,
            "line 6, column net_size: '-inf' is not a 64-bit integer when truncated, which \
             --int needs"
        );
        let long = &long[..long.len() - "1,e,-inf\n".len()];
        assert_eq!(
            run(int.clone(), long).unwrap(),
            "t,a,b,c,d\n1,12,0,1000,-7\n"
        );
        let clip = Params {
            clip_lower: Some(-1),
            ..int
        };
        assert_eq!(run(clip, long).unwrap(), "t,a,b,c,d\n1,12,0,1000,-1\n");
        // Without --int the floor takes the column's type.
        let clip = Params {
            clip_lower: Some(0),
            ..index(&["t"])
        };
        assert_eq!(
            run(clip.clone(), "t,flow,net_size\n1,a,-2\n1,b,3\n").unwrap(),
            "t,a,b\n1,0,3\n"
        );
        assert_eq!(
            run(clip, "t,flow,net_size\n1,a,-2.5\n1,b,3\n2,a,\n").unwrap(),
            "t,a,b\n1,0.0,3.0\n2,,\n"
        );
    }

    #[test]
    fn an_int_column_made_float_converts_as_numpy_does() {
        // 2^53 + 1 has no float: pandas' missing cell rounds it before astype(int).
        let long = "t,flow,net_size\n1,a,9007199254740993\n2,b,1\n";
        let int = Params {
            int: true,
            fill: Some("0".into()),
            ..index(&["t"])
        };
        assert_eq!(
            run(int.clone(), long).unwrap(),
            "t,a,b\n1,9007199254740992,0\n2,0,1\n"
        );
        let full = "t,flow,net_size\n1,a,9007199254740993\n";
        assert_eq!(run(int, full).unwrap(), "t,a\n1,9007199254740993\n");
    }

    #[test]
    fn data_errors_name_their_lines() {
        let table: &[(Params, &str, &str)] = &[
            (
                index(&["t"]),
                "t,flow,net_size\n1,in,5\n2,in,6\n1,in,7\n",
                "line 4: t '1', flow 'in': a second value; the first is on line 2; a long \
                 table holds one value per index and key (pandas' pivot raises: Index \
                 contains duplicate entries, cannot reshape)",
            ),
            (
                index(&["t"]),
                "t,flow,net_size\n1,in,5\n+1,in,7\n",
                "line 3: t '+1', flow 'in': the same cell as t '1', flow 'in' on line 2 \
                 (equal as numbers)",
            ),
            (
                index(&["t"]),
                "t,flow,net_size\n1,in,\n1,in,7\n",
                "line 3: t '1', flow 'in': a second value; the first is on line 2",
            ),
            (
                Params {
                    int: true,
                    ..index(&["t"])
                },
                "t,flow,net_size\n1,in,5\n1,out,NA\n",
                "line 3, column net_size: 'NA' is a missing value, which --int cannot make \
                 an integer (pandas' astype(int) raises); give --fill",
            ),
            (
                Params {
                    int: true,
                    ..index(&["t"])
                },
                "t,flow,net_size\n1,in,5\n2,out,6\n",
                "line 2: t '1' has no flow 'out' value, and --int cannot make an integer of \
                 the missing cell (pandas' astype(int) raises on its NaN); give --fill",
            ),
            (
                Params {
                    int: true,
                    fill: Some("0".into()),
                    ..index(&["t"])
                },
                "t,flow,net_size\n1,in,5\n1,out,x\n",
                "line 3, column net_size: 'x' is not a number, which --int needs",
            ),
            (
                Params {
                    clip_lower: Some(0),
                    ..index(&["t"])
                },
                "t,flow,net_size\n1,in,NAN\n",
                "line 2, column net_size: 'NAN' is not a number, which --clip-lower needs",
            ),
            (
                index(&["t"]),
                "t,flow,net_size\n1,in,5\n1,t,6\n",
                "line 3: the flow value 't' would make a second column named 't' (pandas' \
                 reset_index refuses a name it has, of the same type); rename the index \
                 column",
            ),
            (
                index(&["t"]),
                "t,net_size\n",
                "line 1: no column named 'flow'; the header is: t,net_size",
            ),
            (
                Params::default(),
                "net_size,flow\n",
                "line 1: no column is left for the index: the header has only the --key and \
                 --value ('net_size,flow'); give --index",
            ),
            (
                Params::default(),
                "t,flow,t,net_size\n",
                "line 1: the header names 't' twice, and the index would be every column but \
                 the --key and --value; rename them apart, or give --index",
            ),
        ];
        for (params, input, want) in table {
            let err = run(params.clone(), input).unwrap_err();
            assert_eq!(err.exit_code(), 1, "{input}");
            let text = err.to_string();
            assert!(text.starts_with(want), "{input}:\n{text}\nwant {want}");
        }
    }

    #[test]
    fn flag_errors_are_usage_errors() {
        let table: &[(Params, &str)] = &[
            (
                Params {
                    key: "a".into(),
                    value: "a".into(),
                    ..Params::default()
                },
                "--key and --value are both 'a'",
            ),
            (
                index(&["t", "flow"]),
                "'flow' is both an --index column and the --key",
            ),
            (index(&["t", "t"]), "--index names 't' twice"),
            (
                Params {
                    int: true,
                    fill: Some("none".into()),
                    ..Params::default()
                },
                "--fill none is not a number, which --int needs",
            ),
            (
                Params {
                    int: true,
                    fill: Some("1e300".into()),
                    ..Params::default()
                },
                "--fill 1e300 is not a 64-bit integer, which --int needs",
            ),
            (
                Params {
                    clip_lower: Some(0),
                    fill: Some("x".into()),
                    ..Params::default()
                },
                "--fill x is not a number, which --clip-lower needs",
            ),
        ];
        for (params, want) in table {
            let err = Widen::new(params.clone()).unwrap_err();
            assert_eq!((err.exit_code(), err.to_string().as_str()), (2, *want));
        }
    }

    #[test]
    fn a_header_alone_gives_the_index_alone() {
        assert_eq!(run(index(&["t"]), "t,flow,net_size\n").unwrap(), "t\n");
    }

    proptest::proptest! {
        /// The copies of `Plain` values print what parsing and formatting would.
        #[test]
        fn plain_numbers_print_as_parsed(v in "-?(0|[1-9][0-9]{0,13})(\\.[0-9]{1,9})?") {
            let Some(plain) = Plain::of(v.as_bytes()) else {
                return Ok(());
            };
            let x = parse_f64(v.as_bytes()).unwrap();
            let mut repr = Vec::new();
            write_py_float(&mut repr, x);
            let repr = String::from_utf8(repr).unwrap();
            if !plain.fraction {
                proptest::prop_assert_eq!(&repr, &format!("{v}.0"));
            } else if plain.repr {
                proptest::prop_assert_eq!(&repr, &v);
            }
            let int = &v[..plain.int_end];
            let int = if int == "-0" { "0" } else { int };
            proptest::prop_assert_eq!(truncate(x).unwrap().to_string(), int);
        }
    }

    #[test]
    fn plain_spellings() {
        for v in [
            "0",
            "-0",
            "12",
            "0.5",
            "0.0001",
            "-0.0",
            "1.25",
            "123456789012345",
        ] {
            assert!(Plain::of(v.as_bytes()).is_some_and(|p| p.repr), "{v}");
        }
        for v in ["0.00001", "1.50", "2.000"] {
            assert!(Plain::of(v.as_bytes()).is_some_and(|p| !p.repr), "{v}");
        }
        let others = [
            "",
            "-",
            "+5",
            " 5",
            "05",
            "1.",
            ".5",
            "1e3",
            "1234567890123456",
            "1.2.3",
        ];
        for v in others {
            assert!(Plain::of(v.as_bytes()).is_none(), "{v}");
        }
    }

    #[test]
    fn rows_sort_alike_packed_or_not() {
        let levels: [usize; 4] = [3, 1, 70_000, 2];
        let mut ranks = Vec::new();
        let mut seed = 7u64;
        for _ in 0..500 {
            for &count in &levels {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                ranks.push(u32::try_from((seed >> 33) % count as u64).unwrap());
            }
        }
        let rank = |row: u32, level: usize| ranks[row as usize * 4 + level];
        let rows = |(order, mask): (Vec<u64>, u64)| -> Vec<u64> {
            order.iter().map(|&element| element & mask).collect()
        };
        let packed = rows(row_order(500, &levels, rank, 64));
        assert_eq!(packed, rows(row_order(500, &levels, rank, 0)));
        let tuple = |r: u64| &ranks[r as usize * 4..r as usize * 4 + 4];
        assert!(packed.windows(2).all(|w| tuple(w[0]) <= tuple(w[1])));
    }

    #[test]
    fn varints_round_trip() {
        let mut buf = Vec::new();
        let numbers = [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX];
        for n in numbers {
            put_varint(&mut buf, n);
        }
        let mut at = 0;
        for n in numbers {
            assert_eq!(get_varint(&buf, &mut at), n);
        }
        assert_eq!(at, buf.len());
        assert_eq!(truncate(-0.5), Some(0));
        assert_eq!(truncate(9.3e18), None);
        assert_eq!(truncate(-9_223_372_036_854_775_808.0), Some(i64::MIN));
        assert_eq!(truncate(f64::NAN), None);
    }
}
