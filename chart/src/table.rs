//! Reading a table to draw: its time, key and value columns, long or wide, summed by time and key.

use std::collections::HashMap;
use std::io::Read;

use error::show;
use error::{Error, Result};
use pandas::num::{is_missing, parse_f64};
use table::{find_column, Reader, Record};

/// Which columns hold what; the same for every table of a figure.
#[derive(Debug, Clone)]
pub struct Columns {
    /// The timestamp column; none: the first column.
    pub time: Option<String>,
    /// The column naming a stacked table's series.
    pub key: String,
    /// The long layout's flow column (`aggregate.sh`: `freq,flow,msg_type,net_size`).
    pub flow: String,
    /// The long layout's value column; a table without it is read as wide.
    pub value: String,
    /// The flows summed: rows of these flows (long), or these columns (wide). Empty: every
    /// row (long), or [`WIDE_FLOWS`] (wide).
    pub flows: Vec<String>,
    /// A rank axis' entity columns: when given, a row's "time" is its entity's place in the
    /// order of first appearance, and the time column is not read.
    pub rank: Vec<String>,
}

impl Columns {
    pub const KEY: &'static str = "msg_type";
    pub const FLOW: &'static str = "flow";
    pub const VALUE: &'static str = "net_size";
}

/// The value columns of a wide table (`analysis.sh validation`: `timestamp,msg_type,in,out`)
/// when no flow is chosen: their sum, as the study plots it.
pub const WIDE_FLOWS: [&str; 2] = ["in", "out"];

/// A table summed by time and key: times in order, keys in byte order, a dense grid.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Wall-clock seconds since the epoch (the timestamps' own offset).
    pub times: Vec<i64>,
    pub keys: Vec<String>,
    /// `values[key][time]`; NaN where the table has no row.
    pub values: Vec<Vec<f64>>,
}

/// How the values of a row are found.
enum Layout {
    /// One value column; rows filtered by flow when flows are chosen.
    Long { value: usize, flow: Option<usize> },
    /// Several value columns, summed.
    Wide(Vec<usize>),
}

/// Reads a whole table. `keyed`: a stacked table, whose rows are told apart by the key
/// column; otherwise all rows of a time are summed (an overlay line). `log`: the figure has
/// a log scale, which cannot show a negative value. Errors name the file, line and column.
pub fn read<R: Read>(
    reader: &mut Reader<R>,
    name: Option<&str>,
    cols: &Columns,
    keyed: bool,
    log: bool,
) -> Result<Table> {
    let read_error = |e: std::io::Error| Error::io(e).file(name);
    let mut header = Record::new();
    if !reader.read(&mut header).map_err(read_error)? {
        return Err(Error::data("the input is empty: no header line").file(name));
    }
    let at_header = |e: Error| e.line(1).file(name);
    let time = match &cols.time {
        Some(t) => find_column(&header, t).map_err(at_header)?,
        None => 0,
    };
    let key = if keyed {
        Some(find_column(&header, &cols.key).map_err(at_header)?)
    } else {
        None
    };
    let layout = layout(&header, cols).map_err(at_header)?;
    let rank: Vec<usize> = (cols.rank.iter())
        .map(|c| find_column(&header, c))
        .collect::<Result<_>>()
        .map_err(at_header)?;
    let mut entities: HashMap<Vec<u8>, i64> = HashMap::new();
    let mut entity = Vec::new();
    let flows: Vec<&[u8]> = cols.flows.iter().map(String::as_bytes).collect();
    let width = header.len();

    let mut ids: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut rows: Vec<(i64, usize, f64)> = Vec::new();
    let mut row = Record::new();
    let mut last = 1;
    while reader
        .read(&mut row)
        .map_err(|e| read_error(e).line(last))?
    {
        let line = row.line();
        last = line;
        let place = |e: Error| e.line(line).file(name);
        if row.len() != width {
            let fields: Vec<&[u8]> = row.iter().collect();
            return Err(place(Error::data(format!(
                "found a row of {} field{} where the header has {width}: {}",
                row.len(),
                if row.len() == 1 { "" } else { "s" },
                show(&fields.join(&b","[..]))
            ))));
        }
        let value_cols: &[usize] = match &layout {
            Layout::Long { value, flow } => {
                if let Some(flow) = flow {
                    if !flows.contains(&row.field(*flow)) {
                        continue;
                    }
                }
                std::slice::from_ref(value)
            }
            Layout::Wide(cols) => cols,
        };
        let mut sum = None::<f64>;
        for &c in value_cols {
            let field = row.field(c);
            if is_missing(field) {
                continue;
            }
            let column = || String::from_utf8_lossy(header.field(c)).into_owned();
            let v = parse_f64(field).ok_or_else(|| {
                place(Error::value(
                    &column(),
                    format!("{} is not a number", show(field)),
                ))
            })?;
            // Far below f64::MAX, so that no sum of them overflows into infinity.
            if v.abs() > 1e300 {
                let why = if v.is_infinite() {
                    "is infinite, which no axis can show"
                } else {
                    "is too large to draw (above 1e300)"
                };
                return Err(place(Error::value(
                    &column(),
                    format!("{} {why}", show(field)),
                )));
            }
            if log && v < 0.0 {
                return Err(place(Error::value(
                    &column(),
                    format!(
                        "{} is negative, which a log scale cannot show (leave out --log)",
                        show(field)
                    ),
                )));
            }
            sum = Some(sum.unwrap_or(0.0) + v);
        }
        if !rank.is_empty() {
            let Some(sum) = sum else { continue };
            entity.clear();
            for &c in &rank {
                entity.extend_from_slice(row.field(c));
                entity.push(0x1f);
            }
            let next = i64::try_from(entities.len()).unwrap_or(i64::MAX);
            let at = *entities.entry(entity.clone()).or_insert(next);
            let key_bytes = key.map_or(&b""[..], |k| row.field(k));
            rows.push((at, intern(&mut ids, &mut names, key_bytes), sum));
            continue;
        }
        let stamp = row.field(time);
        let wall = pandas::time::parse(stamp)
            .map_err(|m| {
                place(Error::value(
                    &String::from_utf8_lossy(header.field(time)),
                    format!("{} {m}", show(stamp)),
                ))
            })?
            .wall;
        let Some(sum) = sum else { continue };
        let key_bytes = key.map_or(&b""[..], |k| row.field(k));
        rows.push((wall, intern(&mut ids, &mut names, key_bytes), sum));
    }
    if rows.is_empty() {
        return Err(Error::data(
            "no rows to draw: the table has only its header (or no row of the chosen flows)",
        )
        .line(last)
        .file(name));
    }
    Ok(grid(&rows, &names))
}

/// The id of a key, given it on its first sight.
fn intern(ids: &mut HashMap<Vec<u8>, usize>, names: &mut Vec<Vec<u8>>, key: &[u8]) -> usize {
    if let Some(&id) = ids.get(key) {
        return id;
    }
    ids.insert(key.to_vec(), names.len());
    names.push(key.to_vec());
    names.len() - 1
}

/// Finds the value columns: long when the table has the value column, else wide.
fn layout(header: &Record, cols: &Columns) -> Result<Layout> {
    if header.iter().any(|h| h == cols.value.as_bytes()) {
        let value = find_column(header, &cols.value)?;
        let flow = if cols.flows.is_empty() {
            None
        } else {
            Some(find_column(header, &cols.flow)?)
        };
        return Ok(Layout::Long { value, flow });
    }
    let wanted: Vec<&str> = if cols.flows.is_empty() {
        WIDE_FLOWS.to_vec()
    } else {
        cols.flows.iter().map(String::as_str).collect()
    };
    let mut found = Vec::new();
    for flow in wanted {
        if !header.iter().any(|h| h == flow.as_bytes()) {
            return Err(Error::data(format!(
                "no column named '{}' (a long table, like aggregate.sh writes) nor '{flow}' \
                 (a wide one, like analysis.sh validation writes); the header is: {}",
                cols.value,
                header.to_text()
            )));
        }
        found.push(find_column(header, flow)?);
    }
    Ok(Layout::Wide(found))
}

/// Sums rows of (time, key id, value) into the dense grid, keys sorted by their bytes.
fn grid(rows: &[(i64, usize, f64)], names: &[Vec<u8>]) -> Table {
    let mut times: Vec<i64> = rows.iter().map(|r| r.0).collect();
    times.sort_unstable();
    times.dedup();
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names[a].cmp(&names[b]));
    let mut slot = vec![0; names.len()];
    for (i, &id) in order.iter().enumerate() {
        slot[id] = i;
    }
    let mut values = vec![vec![f64::NAN; times.len()]; names.len()];
    for &(t, id, v) in rows {
        // Present: `times` holds every row's time.
        let at = times.binary_search(&t).unwrap_or(0);
        let cell = &mut values[slot[id]][at];
        *cell = if cell.is_nan() { v } else { *cell + v };
    }
    Table {
        times,
        keys: order
            .iter()
            .map(|&id| String::from_utf8_lossy(&names[id]).into_owned())
            .collect(),
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(flows: &[&str]) -> Columns {
        Columns {
            time: None,
            key: Columns::KEY.into(),
            flow: Columns::FLOW.into(),
            value: Columns::VALUE.into(),
            flows: flows.iter().map(|f| (*f).to_owned()).collect(),
            rank: Vec::new(),
        }
    }

    fn table(text: &str, flows: &[&str], keyed: bool) -> Result<Table> {
        read(
            &mut Reader::new(text.as_bytes()),
            Some("t.csv"),
            &cols(flows),
            keyed,
            true,
        )
    }

    const LONG: &str = "freq,flow,msg_type,net_size\n\
        2025-01-22 01:00:00+00:00,in,tx,5\n\
        2025-01-22 00:00:00+00:00,in,tx,1\n\
        2025-01-22 00:00:00+00:00,out,tx,2\n\
        2025-01-22 00:00:00+00:00,in,block,10.5\n";

    #[test]
    fn long_tables_sum_flows_or_choose_one() {
        let t = table(LONG, &[], true).unwrap();
        assert_eq!(t.times, [1_737_504_000, 1_737_507_600]);
        assert_eq!(t.keys, ["block", "tx"]);
        assert_eq!(t.values[1], [3.0, 5.0]);
        assert_eq!(t.values[0][0], 10.5);
        assert!(t.values[0][1].is_nan());
        let out = table(LONG, &["out"], true).unwrap();
        assert_eq!(out.times, [1_737_504_000]);
        assert_eq!(out.values, [[2.0]]);
        let line = table(LONG, &[], false).unwrap();
        assert_eq!(line.keys, [""]);
        assert_eq!(line.values, [[13.5, 5.0]]);
    }

    #[test]
    fn wide_tables_sum_their_flow_columns() {
        let wide = "timestamp,msg_type,in,out\n2025-01-22,tx,1,2\n2025-01-22,inv,,4\n";
        let t = table(wide, &[], true).unwrap();
        assert_eq!(t.keys, ["inv", "tx"]);
        assert_eq!(t.values, [[4.0], [3.0]]);
        assert_eq!(table(wide, &["in"], true).unwrap().values, [[1.0]]);
    }

    #[test]
    fn errors_say_where() {
        let cases = [
            ("", "t.csv: the input is empty: no header line"),
            (
                "timestamp,msg_type,size\n",
                "t.csv: line 1: no column named 'net_size' (a long table, like aggregate.sh \
                 writes) nor 'in' (a wide one, like analysis.sh validation writes); the header \
                 is: timestamp,msg_type,size",
            ),
            (
                "timestamp,in,out\n2025-01-22,1,2\n",
                "t.csv: line 1: no column named 'msg_type'; the header is: timestamp,in,out",
            ),
            (
                "timestamp,msg_type,in,out\n",
                "t.csv: line 1: no rows to draw: the table has only its header (or no row of \
                 the chosen flows)",
            ),
            (
                "timestamp,msg_type,in,out\n2025-01-22,tx,1,x\n",
                "t.csv: line 2, column out: 'x' is not a number",
            ),
            (
                "timestamp,msg_type,in,out\n2025-01-22,tx,1,inf\n",
                "t.csv: line 2, column out: 'inf' is infinite, which no axis can show",
            ),
            (
                "timestamp,msg_type,in,out\n2025-01-22,tx,1,-2\n",
                "t.csv: line 2, column out: '-2' is negative, which a log scale cannot show \
                 (leave out --log)",
            ),
            (
                "timestamp,msg_type,in,out\n2025-13-22,tx,1,2\n",
                "t.csv: line 2, column timestamp: '2025-13-22' is not a timestamp: there is \
                 no month 13",
            ),
            (
                "timestamp,msg_type,in,out\n2025-01-22,tx,1\n",
                "t.csv: line 2: found a row of 3 fields where the header has 4: \
                 '2025-01-22,tx,1'",
            ),
        ];
        for (input, want) in cases {
            let err = table(input, &[], true).unwrap_err();
            assert_eq!(err.to_string(), want, "{input:?}");
        }
    }
}
