//! Turns a long table wide, as pandas' `pivot(index, columns, values)`: one column per key.
//!
//! The inverse of `pivot`'s melt, and the study's validation step:
//! `df.pivot(index=[...], columns="flow", values="net_size").fillna(0).astype(int)`, then
//! `df.loc[df[c] < 0, c] = 0`. The output's columns are known only at the end, so every cell
//! is held until then, compactly: each index and key column's distinct values once, a row as
//! the tuple of their ids, a cell as an offset into one buffer of values.

pub mod cli;
mod order;
mod print;
mod store;
#[cfg(test)]
mod tests;

use std::io::Write;

use driver::Filter;
use error::show;
use error::{Error, Result};
use foldhash::fast::FixedState;
use hashbrown::HashTable;
use itertools::Itertools;
use pandas::dtype::Inference;
use pandas::num::{is_missing, parse_f64, parse_i64, Int};
use table::{find_column, find_columns, Record, Writer};

use order::{row_order, Levels};
use print::{truncate, Fill};
use store::{get_varint, put_varint, Dictionary, Rows};

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
