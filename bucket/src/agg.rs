//! The aggregates a group can hold: each adds a value, merges with another partial of the
//! same group, and prints itself as pandas' groupby would.

use error::show;
use error::Error;
use pandas::dtype::Dtype;
use pandas::num::{is_missing, parse_f64, parse_i64, short_digits, write_int, write_py_float, Int};

/// What to compute of a value column (or of the rows, for `Size`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `sum()`: exact while every value is an integer, compensated float otherwise.
    Sum,
    /// `size()`: the rows of the group, missing values or not (its column is not read).
    Size,
    /// `count()`: the non-missing values.
    Count,
    /// `mean()`: a float, compensated as pandas sums.
    Mean,
    Min,
    Max,
    /// `first()` and `last()`: the first and last non-missing value, in row order.
    First,
    Last,
    /// `max() - min()` of a timestamp column, printed as pandas prints a Timedelta.
    Duration,
}

impl Op {
    pub const NAMES: [(&'static str, Op); 9] = [
        ("sum", Op::Sum),
        ("size", Op::Size),
        ("count", Op::Count),
        ("mean", Op::Mean),
        ("min", Op::Min),
        ("max", Op::Max),
        ("first", Op::First),
        ("last", Op::Last),
        ("duration", Op::Duration),
    ];

    pub fn name(self) -> &'static str {
        Op::NAMES
            .iter()
            .find(|(_, o)| *o == self)
            .map_or("?", |(name, _)| name)
    }
}

/// One aggregate of the output: the op, the column it reads (none for `Size`), and the
/// output column's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agg {
    pub op: Op,
    pub column: Option<String>,
    pub name: String,
}

/// Parses `OP:COL` or `OP:COL=NAME` (the name defaults to COL).
pub fn parse_agg(arg: &str) -> std::result::Result<Agg, String> {
    let usage = || {
        let ops: Vec<&str> = Op::NAMES.iter().map(|(name, _)| *name).collect();
        format!(
            "expected OP:COL or OP:COL=NAME with OP one of {}, got '{arg}'",
            ops.join(", ")
        )
    };
    let (op, rest) = arg.split_once(':').ok_or_else(usage)?;
    let op = Op::NAMES
        .iter()
        .find(|(name, _)| *name == op)
        .map(|(_, op)| *op)
        .ok_or_else(usage)?;
    let (column, name) = rest.split_once('=').unwrap_or((rest, rest));
    if column.is_empty() || name.is_empty() {
        return Err(usage());
    }
    Ok(Agg {
        op,
        column: Some(column.to_owned()),
        name: name.to_owned(),
    })
}

/// pandas' compensated (Kahan) float sum, step for step as `group_sum` does it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Kahan {
    pub sum: f64,
    compensation: f64,
}

impl Kahan {
    #[inline]
    pub fn add(&mut self, value: f64) {
        let y = value - self.compensation;
        let t = self.sum + y;
        self.compensation = t - self.sum - y;
        // An infinite value makes the compensation NaN; pandas resets it (GH#53606).
        if self.compensation.is_nan() {
            self.compensation = 0.0;
        }
        self.sum = t;
    }

    /// Adds another partial sum, with its compensation.
    fn merge(&mut self, other: Kahan) {
        self.add(other.sum);
        self.add(-other.compensation);
    }
}

/// A value as the aggregates see it: missing, a number (exact when an integer), or text.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Missing,
    Int(i64, f64),
    Float(f64),
    Text(&'a [u8]),
}

impl<'a> Value<'a> {
    /// Reads a field as pandas' `read_csv` would read it in a column of any type.
    #[inline]
    pub fn parse(field: &'a [u8]) -> Value<'a> {
        // Plain digits first: no missing-value spelling is one.
        if let Some(n) = short_digits(field) {
            return Value::digits(n);
        }
        if is_missing(field) {
            return Value::Missing;
        }
        match parse_i64(field) {
            // Once the column is float, pandas reads every value with its float converter:
            // exact up to 15 digits, else its own rounding (zeros count).
            #[allow(clippy::cast_precision_loss)] // exact below 10^15
            Int::Value(n) if field.len() <= 15 => Value::Int(n, n as f64),
            #[allow(clippy::cast_precision_loss)]
            Int::Value(n) => Value::Int(n, parse_f64(field).unwrap_or(n as f64)),
            Int::Overflow => Value::Text(field),
            Int::NotInt => parse_f64(field).map_or(Value::Text(field), Value::Float),
        }
    }

    /// The value of a field of 1-15 plain digits ([`short_digits`]): exact as a float too.
    #[inline]
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_wrap)] // 15 digits: exact
    pub fn digits(n: u64) -> Value<'a> {
        Value::Int(n as i64, n as f64)
    }

    fn float(self) -> Option<f64> {
        match self {
            Value::Int(_, x) | Value::Float(x) => Some(x),
            Value::Missing | Value::Text(_) => None,
        }
    }
}

/// The running state of one aggregate in one group.
#[derive(Debug, Clone)]
pub enum Acc {
    Sum {
        int: i64,
        /// The integer sum left 64 bits: an error only if the column stays integer.
        overflowed: bool,
        float: Kahan,
    },
    Size(u64),
    Count(u64),
    Mean {
        sum: Kahan,
        n: u64,
    },
    /// Min or max: the best number so far (exact if an integer) and the best text.
    Extreme {
        int: Option<i64>,
        float: Option<f64>,
        text: Option<Vec<u8>>,
    },
    /// First or last: the value's bytes (reused, so `last` allocates nothing per row).
    Pick(Option<Vec<u8>>),
    /// Duration: the earliest and latest instant, in nanoseconds.
    Span(Option<(i128, i128)>),
}

impl Acc {
    pub fn new(op: Op) -> Acc {
        match op {
            Op::Sum => Acc::Sum {
                int: 0,
                overflowed: false,
                float: Kahan::default(),
            },
            Op::Size => Acc::Size(0),
            Op::Count => Acc::Count(0),
            Op::Mean => Acc::Mean {
                sum: Kahan::default(),
                n: 0,
            },
            Op::Min | Op::Max => Acc::Extreme {
                int: None,
                float: None,
                text: None,
            },
            Op::First | Op::Last => Acc::Pick(None),
            Op::Duration => Acc::Span(None),
        }
    }

    /// Adds one row's value. Returns true when an integer sum overflowed (the caller keeps
    /// where, for the error if the column stays integer). Always inlined: a sum per row is
    /// the hot path of every table, and measured 12% more instructions out of line.
    #[inline(always)]
    pub fn add(&mut self, op: Op, field: &[u8], value: Value<'_>) -> bool {
        match self {
            Acc::Sum {
                int,
                overflowed,
                float,
            } => match value {
                Value::Int(n, x) => {
                    float.add(x);
                    match int.checked_add(n) {
                        Some(total) => *int = total,
                        None => {
                            *overflowed = true;
                            return true;
                        }
                    }
                }
                Value::Float(x) => float.add(x),
                Value::Missing | Value::Text(_) => {}
            },
            Acc::Size(n) => *n += 1,
            Acc::Count(n) => *n += u64::from(!matches!(value, Value::Missing)),
            Acc::Mean { sum, n } => {
                if let Some(x) = value.float() {
                    sum.add(x);
                    *n += 1;
                }
            }
            Acc::Extreme { int, float, text } => {
                let better = |o: std::cmp::Ordering| {
                    if op == Op::Min {
                        o.is_lt()
                    } else {
                        o.is_gt()
                    }
                };
                if let Value::Int(n, _) = value {
                    if int.is_none_or(|m| better(n.cmp(&m))) {
                        *int = Some(n);
                    }
                }
                if let Some(x) = value.float() {
                    if float.is_none_or(|m| better(x.total_cmp(&m))) {
                        *float = Some(x);
                    }
                }
                if !matches!(value, Value::Missing)
                    && text.as_deref().is_none_or(|m| better(field.cmp(m)))
                {
                    set(text, field);
                }
            }
            Acc::Pick(kept) => {
                if !matches!(value, Value::Missing) && (op == Op::Last || kept.is_none()) {
                    set(kept, field);
                }
            }
            Acc::Span(_) => {} // fed instants through `add_instant`
        }
        false
    }

    /// Adds one timestamp, as nanoseconds since the epoch in UTC.
    pub fn add_instant(&mut self, ns: i128) {
        if let Acc::Span(span) = self {
            *span = Some(span.map_or((ns, ns), |(lo, hi)| (lo.min(ns), hi.max(ns))));
        }
    }

    /// Folds another partial of the same group and aggregate into this one: `other` holds
    /// rows that come after this one's.
    pub fn merge(&mut self, op: Op, other: &Acc) {
        match (self, other) {
            (
                Acc::Sum {
                    int,
                    overflowed,
                    float,
                },
                Acc::Sum {
                    int: i2,
                    overflowed: o2,
                    float: f2,
                },
            ) => {
                float.merge(*f2);
                match int.checked_add(*i2) {
                    Some(total) => *int = total,
                    None => *overflowed = true,
                }
                *overflowed |= *o2;
            }
            (Acc::Size(n), Acc::Size(m)) | (Acc::Count(n), Acc::Count(m)) => *n += m,
            (Acc::Mean { sum, n }, Acc::Mean { sum: s2, n: n2 }) => {
                sum.merge(*s2);
                *n += n2;
            }
            (
                Acc::Extreme { int, float, text },
                Acc::Extreme {
                    int: i2,
                    float: f2,
                    text: t2,
                },
            ) => {
                let min = op == Op::Min;
                let pick = |a: std::cmp::Ordering| if min { a.is_gt() } else { a.is_lt() };
                if let Some(b) = i2 {
                    if int.is_none_or(|a| pick(a.cmp(b))) {
                        *int = Some(*b);
                    }
                }
                if let Some(b) = f2 {
                    if float.is_none_or(|a| pick(a.total_cmp(b))) {
                        *float = Some(*b);
                    }
                }
                if let Some(b) = t2 {
                    if text.as_deref().is_none_or(|a| pick(a.cmp(b))) {
                        set(text, b);
                    }
                }
            }
            (Acc::Pick(kept), Acc::Pick(Some(b))) if op == Op::Last || kept.is_none() => {
                set(kept, b);
            }
            (Acc::Span(span), Acc::Span(Some((lo, hi)))) => {
                *span = Some(span.map_or((*lo, *hi), |(a, b)| (a.min(*lo), b.max(*hi))));
            }
            _ => {}
        }
    }

    /// Appends the aggregate as pandas prints it, for a value column of type `dtype` (and
    /// `--float`: every sum a float). `days_only`: every duration of the column is a whole
    /// number of days (pandas then prints `3 days`).
    pub fn write(&self, dtype: Dtype, float: bool, days_only: bool, out: &mut Vec<u8>) {
        match self {
            Acc::Sum {
                int, float: sum, ..
            } => {
                if dtype == Dtype::Int && !float {
                    write_int(out, *int);
                } else {
                    write_py_float(out, sum.sum);
                }
            }
            Acc::Size(n) | Acc::Count(n) => write_int(out, *n),
            Acc::Mean { sum, n } => {
                if *n > 0 {
                    #[allow(clippy::cast_precision_loss)] // as pandas divides
                    write_py_float(out, sum.sum / *n as f64);
                }
            }
            Acc::Extreme { int, float, text } => match dtype {
                Dtype::Int => {
                    if let Some(n) = int {
                        write_int(out, *n);
                    }
                }
                Dtype::Float => {
                    if let Some(x) = float {
                        write_py_float(out, *x);
                    }
                }
                _ => out.extend_from_slice(text.as_deref().unwrap_or_default()),
            },
            Acc::Pick(kept) => {
                if let Some(bytes) = kept {
                    dtype.write(out, bytes);
                }
            }
            Acc::Span(span) => {
                if let Some((lo, hi)) = span {
                    write_timedelta(out, hi - lo, days_only);
                }
            }
        }
    }

    /// The overflow that makes this sum an error, if its column stays integer.
    pub fn overflowed(&self) -> bool {
        matches!(
            self,
            Acc::Sum {
                overflowed: true,
                ..
            }
        )
    }

    /// Whether a duration is a whole number of days (or there is none).
    pub fn whole_days(&self) -> bool {
        match self {
            Acc::Span(Some((lo, hi))) => (hi - lo) % NS_PER_DAY == 0,
            _ => true,
        }
    }
}

/// Replaces `slot`'s bytes with `bytes`, reusing its allocation.
fn set(slot: &mut Option<Vec<u8>>, bytes: &[u8]) {
    let v = slot.get_or_insert_with(Vec::new);
    v.clear();
    v.extend_from_slice(bytes);
}

const NS_PER_DAY: i128 = 86_400 * 1_000_000_000;

/// Appends a duration in nanoseconds as pandas' `to_csv` prints a Timedelta: `3 days` when
/// every value of the column is whole days, else `3 days 09:30:00` with `.500000`
/// (microseconds) or `.000000005` (nanoseconds) when there is a fraction.
pub fn write_timedelta(out: &mut Vec<u8>, ns: i128, days_only: bool) {
    let days = ns.div_euclid(NS_PER_DAY);
    let rest = ns.rem_euclid(NS_PER_DAY);
    out.extend_from_slice(days.to_string().as_bytes());
    out.extend_from_slice(b" days");
    if days_only {
        return;
    }
    let secs = rest / 1_000_000_000;
    let frac = rest % 1_000_000_000;
    let time = format!(" {:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    out.extend_from_slice(time.as_bytes());
    if frac != 0 {
        let text = if frac % 1000 == 0 {
            format!(".{:06}", frac / 1000)
        } else {
            format!(".{frac:09}")
        };
        out.extend_from_slice(text.as_bytes());
    }
}

/// The error for text where a number is summed or averaged (digits beyond 64 bits too).
pub fn not_a_number(column: &str, field: &[u8]) -> Error {
    let why = if parse_i64(field) == Int::Overflow {
        "overflows a 64-bit integer"
    } else {
        "is not a number"
    };
    Error::value(column, format!("{} {why}", show(field)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn td(ns: i128, days_only: bool) -> String {
        let mut out = Vec::new();
        write_timedelta(&mut out, ns, days_only);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn timedeltas_print_as_pandas_to_csv() {
        let s = 1_000_000_000i128;
        // pandas 2.2.3: DataFrame({"d": [...]}).to_csv()
        assert_eq!(
            td((3 * 86_400 + 9 * 3600 + 30 * 60) * s, false),
            "3 days 09:30:00"
        );
        assert_eq!(td(0, false), "0 days 00:00:00");
        assert_eq!(td(s + s / 2, false), "0 days 00:00:01.500000");
        assert_eq!(td(86_400 * s + 5, false), "1 days 00:00:00.000000005");
        assert_eq!(td(1_500, false), "0 days 00:00:00.000001500");
        assert_eq!(td(86_400 * s, true), "1 days");
        assert_eq!(td(0, true), "0 days");
    }

    #[test]
    fn parses_agg_specs() {
        let agg = parse_agg("duration:timestamp=connection_time").unwrap();
        assert_eq!(
            agg,
            Agg {
                op: Op::Duration,
                column: Some("timestamp".into()),
                name: "connection_time".into()
            }
        );
        assert_eq!(parse_agg("max:c").unwrap().name, "c");
        for bad in ["max", "median:c", "max:", "max:c=", "max:=n"] {
            assert!(parse_agg(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn merging_partials_equals_adding_everything() {
        let values = ["3", "1.5", "", "x", "7", "-2"];
        for op in [
            Op::Sum,
            Op::Count,
            Op::Mean,
            Op::Min,
            Op::Max,
            Op::First,
            Op::Last,
        ] {
            let values: Vec<&str> = values
                .iter()
                .copied()
                .filter(|v| !(matches!(op, Op::Sum | Op::Mean) && *v == "x"))
                .collect();
            let mut whole = Acc::new(op);
            for v in &values {
                whole.add(op, v.as_bytes(), Value::parse(v.as_bytes()));
            }
            for cut in 0..=values.len() {
                let (a, b) = values.split_at(cut);
                let (mut left, mut right) = (Acc::new(op), Acc::new(op));
                for v in a {
                    left.add(op, v.as_bytes(), Value::parse(v.as_bytes()));
                }
                for v in b {
                    right.add(op, v.as_bytes(), Value::parse(v.as_bytes()));
                }
                left.merge(op, &right);
                for dtype in [Dtype::Float, Dtype::Text] {
                    let (mut x, mut y) = (Vec::new(), Vec::new());
                    whole.write(dtype, false, false, &mut x);
                    left.write(dtype, false, false, &mut y);
                    assert_eq!(x, y, "{op:?} cut at {cut}");
                }
            }
        }
    }
}
