//! A strip plot's table: a dot per row (or day and id) over day categories, coloured by a hue column.

use std::collections::HashMap;
use std::io::Read;

use error::show;
use error::{Error, Result};
use pandas::num::{is_missing, parse_f64};
use table::{find_column, Reader, Record};

use crate::draw::Point;
use crate::series::Paint;

const DAY: i64 = 86_400;
/// seaborn's `jitter=True`: up to a tenth of a category either side.
const JITTER: f64 = 0.1;

/// Which columns hold what.
#[derive(Debug, Clone)]
pub struct Columns {
    /// The timestamp column; none: the first column.
    pub time: Option<String>,
    pub hue: String,
    pub value: String,
    /// A point's identity; rows of the same day and id are summed into one point.
    pub id: Vec<String>,
}

/// A point before drawing: its day, identity, hue and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub day: i64,
    pub id: String,
    pub hue: String,
    pub value: f64,
}

/// The rows of a strip plot, in the order they are drawn: by day, then by id as text (the
/// study's `groupby([date, peer_key])`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub rows: Vec<Row>,
}

/// Reads the rows; errors name the file, line and column.
pub fn read<R: Read>(
    reader: &mut Reader<R>,
    name: Option<&str>,
    cols: &Columns,
    log: bool,
) -> Result<Rows> {
    let mut header = Record::new();
    if !reader
        .read(&mut header)
        .map_err(|e| Error::io(e).file(name))?
    {
        return Err(Error::data("the input is empty: no header line").file(name));
    }
    let at_header = |e: Error| e.line(1).file(name);
    let time = match &cols.time {
        Some(t) => find_column(&header, t).map_err(at_header)?,
        None => 0,
    };
    let hue = find_column(&header, &cols.hue).map_err(at_header)?;
    let value = find_column(&header, &cols.value).map_err(at_header)?;
    let id: Vec<usize> = (cols.id.iter())
        .map(|c| find_column(&header, c))
        .collect::<Result<_>>()
        .map_err(at_header)?;
    let mut at: HashMap<(i64, String), usize> = HashMap::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut row = Record::new();
    let mut last = 1;
    while reader
        .read(&mut row)
        .map_err(|e| Error::io(e).file(name).line(last))?
    {
        let line = row.line();
        last = line;
        let place = |e: Error| e.line(line).file(name);
        if row.len() != header.len() {
            return Err(place(Error::data(format!(
                "found a row of {} fields where the header has {}",
                row.len(),
                header.len()
            ))));
        }
        let field = row.field(value);
        if is_missing(field) {
            continue;
        }
        let column = || String::from_utf8_lossy(header.field(value)).into_owned();
        let v = parse_f64(field).ok_or_else(|| {
            place(Error::value(
                &column(),
                format!("{} is not a number", show(field)),
            ))
        })?;
        if !v.is_finite() || v.abs() > 1e300 {
            return Err(place(Error::value(
                &column(),
                format!("{} is infinite or too large to draw", show(field)),
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
        let stamp = row.field(time);
        let wall = pandas::time::parse(stamp)
            .map_err(|m| {
                place(Error::value(
                    &String::from_utf8_lossy(header.field(time)),
                    format!("{} {m}", show(stamp)),
                ))
            })?
            .wall;
        let day = wall.div_euclid(DAY) * DAY;
        let hue = String::from_utf8_lossy(row.field(hue)).into_owned();
        if id.is_empty() {
            rows.push(Row {
                day,
                id: rows.len().to_string(),
                hue,
                value: v,
            });
            continue;
        }
        let key: Vec<String> = id
            .iter()
            .map(|&c| String::from_utf8_lossy(row.field(c)).into_owned())
            .collect();
        let key = key.join("-");
        match at.get(&(day, key.clone())) {
            Some(&k) => rows[k].value += v,
            None => {
                at.insert((day, key.clone()), rows.len());
                rows.push(Row {
                    day,
                    id: key,
                    hue,
                    value: v,
                });
            }
        }
    }
    if rows.is_empty() {
        return Err(
            Error::data("no rows to draw: the table has only its header")
                .line(last)
                .file(name),
        );
    }
    if id.is_empty() {
        rows.sort_by_key(|r| r.day);
    } else {
        rows.sort_by(|a, b| {
            a.day
                .cmp(&b.day)
                .then_with(|| a.id.as_bytes().cmp(b.id.as_bytes()))
        });
    }
    Ok(Rows { rows })
}

/// The drawn strip: its points (x in category days), hues in legend order, the real days.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    pub points: Vec<Point>,
    pub hues: Vec<(String, String)>,
    pub days: Vec<i64>,
}

/// Places the rows: category k (the k-th day) at k days, jittered by up to a tenth either
/// side (none for a lone point); hues in `order`, then as they first appear.
pub fn points(rows: &Rows, order: &[String], paint: &Paint) -> Drawn {
    let mut days: Vec<i64> = rows.rows.iter().map(|r| r.day).collect();
    days.dedup();
    let mut names: Vec<&str> = order
        .iter()
        .map(String::as_str)
        .filter(|o| rows.rows.iter().any(|r| r.hue == *o))
        .collect();
    for r in &rows.rows {
        if !names.contains(&r.hue.as_str()) {
            names.push(&r.hue);
        }
    }
    let hues: Vec<(String, String)> = names
        .iter()
        .enumerate()
        .map(|(i, h)| ((*h).to_owned(), paint(h, i, names.len())))
        .collect();
    let mut points = Vec::with_capacity(rows.rows.len());
    let mut k = 0;
    let mut start = 0;
    while start < rows.rows.len() {
        let day = rows.rows[start].day;
        let end = start
            + rows.rows[start..]
                .iter()
                .take_while(|r| r.day == day)
                .count();
        let alone = end - start == 1;
        for r in &rows.rows[start..end] {
            let jitter = if alone { 0.0 } else { jitter(r.day, &r.id) };
            #[allow(clippy::cast_precision_loss)] // a count of days
            let x = (k as f64 + jitter) * 86_400.0;
            let color = hues
                .iter()
                .find(|(h, _)| *h == r.hue)
                .map_or_else(String::new, |(_, c)| c.clone());
            points.push(Point {
                x,
                y: r.value,
                color,
            });
        }
        k += 1;
        start = end;
    }
    Drawn { points, hues, days }
}

/// A fixed offset in [-0.1, 0.1) from the point's day and id (FNV-1a).
fn jitter(day: i64, id: &str) -> f64 {
    let hash = day
        .to_le_bytes()
        .iter()
        .chain(id.as_bytes())
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    #[allow(clippy::cast_precision_loss)] // 53 bits of the hash
    let unit = (hash >> 11) as f64 / (1u64 << 53) as f64;
    (unit * 2.0 - 1.0) * JITTER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_by_day_and_id_with_fixed_jitter() {
        let text = "timestamp,peer_id,peer_addr,peer_conn_type,tcpip_size\n\
            2025-01-22,2,b,inbound,10\n\
            2025-01-22,1187,a,outbound-full-relay,20\n\
            2025-01-23,2,b,inbound,30\n\
            2025-01-23,2,b,inbound,5\n";
        let cols = Columns {
            time: None,
            hue: "peer_conn_type".into(),
            value: "tcpip_size".into(),
            id: vec!["peer_id".into(), "peer_addr".into()],
        };
        let rows = read(&mut Reader::new(text.as_bytes()), None, &cols, true).unwrap();
        // As text, 1187-a sorts before 2-b; the two rows of 2-b on the 23rd are one point.
        let ids: Vec<&str> = rows.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["1187-a", "2-b", "2-b"]);
        assert_eq!(rows.rows[2].value, 35.0);
        let drawn = points(&rows, &[], &|_, i, _| format!("c{i}"));
        assert_eq!(drawn.hues[0], ("outbound-full-relay".into(), "c0".into()));
        assert_eq!(drawn.days.len(), 2);
        let x = drawn.points[0].x / 86_400.0;
        assert!(x.abs() <= 0.1 && x != 0.0, "{x}");
        // A lone point of its day sits on it.
        assert_eq!(drawn.points[2].x, 86_400.0);
        assert_eq!(points(&rows, &[], &|_, i, _| format!("c{i}")), drawn);
    }
}
