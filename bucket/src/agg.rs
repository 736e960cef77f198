//! The aggregates a group can hold: each adds a value, merges with another partial of the
//! same group, and prints itself as pandas' groupby would.

use error::{show, Error};
use pandas::dtype::Dtype;
use pandas::num::{parse_i64, write_int, write_py_float, Int};
pub use pandas::value::Value;

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

/// Where a value was read: rows are numbered in input order, so that partials of one
/// group merged at the end still keep the first of equal values, as pandas does.
pub type Seq = u64;

/// The best value of a min or max so far, and the row it came from.
#[derive(Debug, Clone)]
pub struct Best<T> {
    value: T,
    seq: Seq,
}

impl<T> Best<T> {
    /// Takes `value` when it is strictly better (`better(new, old)`), or equal and from an
    /// earlier row (only when merging partials): pandas keeps the first of equal values,
    /// so `max(-0.0, 0.0)` is `-0.0`.
    fn offer(
        slot: &mut Option<Best<T>>,
        value: T,
        seq: Seq,
        order: impl Fn(&T, &T) -> std::cmp::Ordering,
        max: bool,
    ) {
        let take = match slot {
            None => true,
            Some(best) => match order(&value, &best.value) {
                std::cmp::Ordering::Equal => seq < best.seq,
                o => o.is_gt() == max,
            },
        };
        if take {
            *slot = Some(Best { value, seq });
        }
    }
}

/// The running state of one aggregate in one group. Every value is kept in each form the
/// column's type may turn out to need (known only at the end): an exact integer, a double,
/// a bool, text.
#[derive(Debug, Clone)]
pub enum Acc {
    Sum {
        /// Exact: a sum of 64-bit integers fits 128 bits for any number of rows that
        /// exists; the total alone decides whether it fits the column's type.
        int: i128,
        /// As a float column holds the values (pandas' converter on the text).
        float: Kahan,
        /// As an int column made float by a missing value holds them (each integer
        /// converted to the nearest double): the same as `float` until a value's two
        /// doubles differ (digits beyond 15), so kept only from then on.
        converted: Option<Kahan>,
        /// Bools added, for an object column of bools (whose sum is its one value alone).
        bools: u64,
    },
    Size(u64),
    Count(u64),
    Mean {
        /// As a float column holds its values (pandas' converter on the text).
        float: Kahan,
        /// As an int column's values convert to doubles (numpy), and bools to 0 and 1.
        int: Kahan,
        n: u64,
    },
    /// Min or max: the best integer, double, bool and text so far.
    Extreme {
        int: Option<Best<i128>>,
        float: Option<Best<f64>>,
        boolean: Option<Best<bool>>,
        text: Option<Best<Vec<u8>>>,
    },
    /// First or last: the value's bytes (reused, so `last` allocates nothing per row).
    Pick(Option<Best<Vec<u8>>>),
    /// Duration: the earliest and latest instant, in nanoseconds.
    Span(Option<(i128, i128)>),
}

impl Acc {
    pub fn new(op: Op) -> Acc {
        match op {
            Op::Sum => Acc::Sum {
                int: 0,
                float: Kahan::default(),
                converted: None,
                bools: 0,
            },
            Op::Size => Acc::Size(0),
            Op::Count => Acc::Count(0),
            Op::Mean => Acc::Mean {
                float: Kahan::default(),
                int: Kahan::default(),
                n: 0,
            },
            Op::Min | Op::Max => Acc::Extreme {
                int: None,
                float: None,
                boolean: None,
                text: None,
            },
            Op::First | Op::Last => Acc::Pick(None),
            Op::Duration => Acc::Span(None),
        }
    }

    /// Adds one row's value, read from `field` in row `seq`. Always inlined: a sum per row
    /// is the hot path of every table, and measured 12% more instructions out of line.
    #[inline(always)]
    #[allow(clippy::cast_precision_loss)] // as numpy converts int64 to float64
    pub fn add(&mut self, op: Op, field: &[u8], value: Value<'_>, seq: Seq) {
        match self {
            Acc::Sum {
                int,
                float,
                converted,
                bools,
            } => match value {
                Value::Int(v, x) => {
                    let exact = v as f64;
                    if converted.is_none() && x != exact {
                        *converted = Some(*float);
                    }
                    float.add(x);
                    if let Some(c) = converted {
                        c.add(exact);
                    }
                    // 2^64 values of 2^64 fit 2^128: never reached, but never a panic.
                    *int = int.wrapping_add(v);
                }
                Value::Float(x) => {
                    float.add(x);
                    if let Some(c) = converted {
                        c.add(x);
                    }
                }
                Value::Bool(b) => {
                    *int += i128::from(b);
                    *bools += 1;
                }
                Value::Big(text) => {
                    let x = pandas::num::parse_f64(text).unwrap_or(f64::NAN);
                    float.add(x);
                    if let Some(c) = converted {
                        c.add(x);
                    }
                }
                Value::Missing | Value::Text(_) => {}
            },
            Acc::Size(n) => *n += 1,
            Acc::Count(n) => *n += u64::from(!matches!(value, Value::Missing)),
            Acc::Mean { float, int, n } => match value {
                Value::Int(v, x) => {
                    float.add(x);
                    int.add(v as f64);
                    *n += 1;
                }
                Value::Float(x) => {
                    float.add(x);
                    int.add(x);
                    *n += 1;
                }
                Value::Bool(b) => {
                    int.add(f64::from(u8::from(b)));
                    *n += 1;
                }
                Value::Big(text) => {
                    let x = pandas::num::parse_f64(text).unwrap_or(f64::NAN);
                    float.add(x);
                    int.add(x);
                    *n += 1;
                }
                Value::Missing | Value::Text(_) => {}
            },
            Acc::Extreme {
                int,
                float,
                boolean,
                text,
            } => {
                let max = op == Op::Max;
                match value {
                    Value::Missing => return,
                    Value::Int(v, x) => {
                        Best::offer(int, v, seq, Ord::cmp, max);
                        Best::offer(float, x, seq, cmp_f64, max);
                    }
                    Value::Float(x) => Best::offer(float, x, seq, cmp_f64, max),
                    Value::Bool(b) => Best::offer(boolean, b, seq, Ord::cmp, max),
                    Value::Big(t) => {
                        let x = pandas::num::parse_f64(t).unwrap_or(f64::NAN);
                        Best::offer(float, x, seq, cmp_f64, max);
                    }
                    Value::Text(_) => {}
                }
                offer_bytes(text, field, seq, max);
            }
            Acc::Pick(kept) => {
                if !matches!(value, Value::Missing) && (op == Op::Last || kept.is_none()) {
                    set(kept, field, seq);
                }
            }
            Acc::Span(_) => {} // fed instants through `add_instant`
        }
    }

    /// [`Acc::add`] of a sum for a field of 1-15 plain digits, whose two doubles are one:
    /// the hot path of the notebook's tables.
    #[inline(always)]
    #[allow(clippy::cast_precision_loss)] // at most 15 digits: exact
    pub fn add_digits(&mut self, v: u64) {
        if let Acc::Sum {
            int,
            float,
            converted,
            ..
        } = self
        {
            let x = v as f64;
            float.add(x);
            if let Some(c) = converted {
                c.add(x);
            }
            *int += i128::from(v);
        }
    }

    /// Adds one timestamp, as nanoseconds since the epoch in UTC.
    pub fn add_instant(&mut self, ns: i128) {
        if let Acc::Span(span) = self {
            *span = Some(span.map_or((ns, ns), |(lo, hi)| (lo.min(ns), hi.max(ns))));
        }
    }

    /// Folds another partial of the same group and aggregate into this one. Firsts, lasts
    /// and extremes follow their rows' numbers; float sums add the other's total with its
    /// compensation (row-order summation may differ in the last bit).
    pub fn merge(&mut self, op: Op, other: &Acc) {
        let max = op == Op::Max;
        match (self, other) {
            (
                Acc::Sum {
                    int,
                    float,
                    converted,
                    bools,
                },
                Acc::Sum {
                    int: i2,
                    float: f2,
                    converted: c2,
                    bools: b2,
                },
            ) => {
                let mut both = converted.unwrap_or(*float);
                both.merge(c2.unwrap_or(*f2));
                if converted.is_some() || c2.is_some() {
                    *converted = Some(both);
                }
                float.merge(*f2);
                *int = int.wrapping_add(*i2);
                *bools += b2;
            }
            (Acc::Size(n), Acc::Size(m)) | (Acc::Count(n), Acc::Count(m)) => *n += m,
            (
                Acc::Mean { float, int, n },
                Acc::Mean {
                    float: f2,
                    int: i2,
                    n: n2,
                },
            ) => {
                float.merge(*f2);
                int.merge(*i2);
                *n += n2;
            }
            (
                Acc::Extreme {
                    int,
                    float,
                    boolean,
                    text,
                },
                Acc::Extreme {
                    int: i2,
                    float: f2,
                    boolean: b2,
                    text: t2,
                },
            ) => {
                if let Some(b) = i2 {
                    Best::offer(int, b.value, b.seq, Ord::cmp, max);
                }
                if let Some(b) = f2 {
                    Best::offer(float, b.value, b.seq, cmp_f64, max);
                }
                if let Some(b) = b2 {
                    Best::offer(boolean, b.value, b.seq, Ord::cmp, max);
                }
                if let Some(b) = t2 {
                    offer_bytes(text, &b.value, b.seq, max);
                }
            }
            (Acc::Pick(kept), Acc::Pick(Some(b))) => {
                let take = match kept {
                    None => true,
                    Some(k) if op == Op::Last => b.seq > k.seq,
                    Some(k) => b.seq < k.seq,
                };
                if take {
                    set(kept, &b.value, b.seq);
                }
            }
            (Acc::Span(span), Acc::Span(Some((lo, hi)))) => {
                *span = Some(span.map_or((*lo, *hi), |(a, b)| (a.min(*lo), b.max(*hi))));
            }
            _ => {}
        }
    }

    /// Appends the aggregate as pandas prints it, for a value column of type `dtype` (and
    /// `--float`: every sum a float). `days_only`: every duration of the column is a whole
    /// number of days (pandas then prints `3 days`). An integer sum beyond the column's
    /// type is an error: pandas would wrap around.
    pub fn write(
        &self,
        dtype: Dtype,
        float: bool,
        days_only: bool,
        out: &mut Vec<u8>,
    ) -> std::result::Result<(), Overflow> {
        match self {
            Acc::Sum {
                int,
                float: sum,
                converted,
                bools,
            } => match dtype {
                Dtype::Float => write_py_float(out, sum.sum),
                // Integers made float (by a missing value, or --float): each converted.
                Dtype::IntNa => write_py_float(out, converted.unwrap_or(*sum).sum),
                _ if float => write_py_float(out, converted.unwrap_or(*sum).sum),
                Dtype::Int | Dtype::Bool => {
                    let total = i64::try_from(*int).map_err(|_| Overflow(*int, "int64"))?;
                    write_int(out, total);
                }
                Dtype::UInt => {
                    let total = u64::try_from(*int).map_err(|_| Overflow(*int, "uint64"))?;
                    write_int(out, total);
                }
                // Python's sum of objects: a lone value is itself, more add up to an int.
                Dtype::BoolObject if *bools == 1 => {
                    out.extend_from_slice(if *int == 1 { b"True" } else { b"False" });
                }
                Dtype::BoolObject => write_int(out, *int),
                _ => write_py_float(out, sum.sum),
            },
            Acc::Size(n) | Acc::Count(n) => write_int(out, *n),
            Acc::Mean {
                float: f,
                int: i,
                n,
            } => {
                if *n > 0 {
                    let sum = if dtype == Dtype::Float { f.sum } else { i.sum };
                    #[allow(clippy::cast_precision_loss)] // as pandas divides
                    write_py_float(out, sum / *n as f64);
                }
            }
            Acc::Extreme {
                int,
                float,
                boolean,
                text,
            } => match dtype {
                Dtype::Int | Dtype::UInt => {
                    if let Some(b) = int {
                        write_int(out, b.value);
                    }
                }
                #[allow(clippy::cast_precision_loss)] // as numpy converts int64
                Dtype::IntNa => {
                    if let Some(b) = int {
                        write_py_float(out, b.value as f64);
                    }
                }
                Dtype::Float => {
                    if let Some(b) = float {
                        write_py_float(out, b.value);
                    }
                }
                Dtype::Bool | Dtype::BoolObject => {
                    if let Some(b) = boolean {
                        out.extend_from_slice(if b.value { b"True" } else { b"False" });
                    }
                }
                Dtype::Text | Dtype::TextKeepNa => {
                    if let Some(b) = text {
                        out.extend_from_slice(&b.value);
                    }
                }
            },
            Acc::Pick(kept) => {
                if let Some(b) = kept {
                    dtype.write(out, &b.value);
                }
            }
            Acc::Span(span) => {
                if let Some((lo, hi)) = span {
                    write_timedelta(out, hi - lo, days_only);
                }
            }
        }
        Ok(())
    }

    /// Whether a duration is a whole number of days (or there is none).
    pub fn whole_days(&self) -> bool {
        match self {
            Acc::Span(Some((lo, hi))) => (hi - lo) % NS_PER_DAY == 0,
            _ => true,
        }
    }
}

/// An integer sum that does not fit its column's type: the total, and the type's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow(pub i128, pub &'static str);

/// Doubles in pandas' order for min and max: `-0.0` equals `0.0`.
fn cmp_f64(a: &f64, b: &f64) -> std::cmp::Ordering {
    a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal)
}

/// [`Best::offer`] for bytes, reusing the slot's allocation.
fn offer_bytes(slot: &mut Option<Best<Vec<u8>>>, field: &[u8], seq: Seq, max: bool) {
    let take = match slot {
        None => true,
        Some(best) => match field.cmp(&best.value) {
            std::cmp::Ordering::Equal => seq < best.seq,
            o => o.is_gt() == max,
        },
    };
    if take {
        set(slot, field, seq);
    }
}

/// Replaces `slot`'s bytes with `bytes` from row `seq`, reusing its allocation.
fn set(slot: &mut Option<Best<Vec<u8>>>, bytes: &[u8], seq: Seq) {
    match slot {
        Some(best) => {
            best.value.clear();
            best.value.extend_from_slice(bytes);
            best.seq = seq;
        }
        None => {
            *slot = Some(Best {
                value: bytes.to_vec(),
                seq,
            });
        }
    }
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
            for (seq, v) in values.iter().enumerate() {
                whole.add(op, v.as_bytes(), Value::parse(v.as_bytes()), seq as Seq);
            }
            for cut in 0..=values.len() {
                let (a, b) = values.split_at(cut);
                let (mut left, mut right) = (Acc::new(op), Acc::new(op));
                for (seq, v) in a.iter().enumerate() {
                    left.add(op, v.as_bytes(), Value::parse(v.as_bytes()), seq as Seq);
                }
                for (seq, v) in b.iter().enumerate() {
                    let seq = (cut + seq) as Seq;
                    right.add(op, v.as_bytes(), Value::parse(v.as_bytes()), seq);
                }
                left.merge(op, &right);
                for dtype in [Dtype::Float, Dtype::Text] {
                    let (mut x, mut y) = (Vec::new(), Vec::new());
                    whole.write(dtype, false, false, &mut x).unwrap();
                    left.write(dtype, false, false, &mut y).unwrap();
                    assert_eq!(x, y, "{op:?} cut at {cut}");
                }
            }
        }
    }
}
