//! Turns cumulative counter columns into per-row increments, surviving counter restarts.
//!
//! systemd's IP accounting counts bytes since the service started and falls back to zero when
//! it restarts. Each row's increment is the value minus the previous row's; a value below its
//! predecessor means the counter restarted, so the increment is the value itself (what
//! Prometheus' `increase()` does): no bytes are thrown away.

pub mod cli;

use std::io::Write;

use common::error::show;
use common::num::{is_missing, parse_f64, parse_i64, write_int, write_py_float, Int};
use common::{find_columns, Error, Filter, Record, Result, Writer};

/// Which columns are counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    /// Counter columns; empty means every column but the first.
    pub cols: Vec<String>,
}

/// A counter reading: integers stay integers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Int(i64),
    Float(f64),
}

impl Value {
    fn parse(field: &[u8], column: &str) -> Result<Value> {
        match parse_i64(field) {
            Int::Value(n) => Ok(Value::Int(n)),
            Int::Overflow | Int::NotInt => parse_f64(field)
                .map(Value::Float)
                .ok_or_else(|| Error::value(column, format!("{} is not a number", show(field)))),
        }
    }

    #[allow(clippy::cast_precision_loss)] // as pandas would convert
    fn float(self) -> f64 {
        match self {
            Value::Int(n) => n as f64,
            Value::Float(x) => x,
        }
    }

    /// The increment from `prev` to `self`, and whether the counter restarted.
    fn since(self, prev: Value) -> (Value, bool) {
        match (self, prev) {
            (Value::Int(now), Value::Int(before)) => match now.checked_sub(before) {
                Some(d) if d >= 0 => (Value::Int(d), false),
                Some(_) => (self, true),
                // Only reachable with negative readings, which no counter has.
                None => (self, now < before),
            },
            _ if self.float() >= prev.float() => (Value::Float(self.float() - prev.float()), false),
            _ => (self, true),
        }
    }
}

/// The filter: remembers each counter's last reading.
#[derive(Debug)]
pub struct Increase {
    params: Params,
    /// Per input column: its index among the counters, if it is one.
    counter_of: Vec<Option<usize>>,
    names: Vec<String>,
    last: Vec<Option<Value>>,
    first_row: bool,
    restarts: u64,
    restart_lines: Vec<u64>,
}

impl Increase {
    pub fn new(params: Params) -> Increase {
        Increase {
            params,
            counter_of: Vec::new(),
            names: Vec::new(),
            last: Vec::new(),
            first_row: true,
            restarts: 0,
            restart_lines: Vec::new(),
        }
    }
}

impl Filter for Increase {
    fn header(&mut self, header: &Record) -> Result<Record> {
        self.counter_of = vec![None; header.len()];
        let indices: Vec<usize> = if self.params.cols.is_empty() {
            (1..header.len()).collect()
        } else {
            find_columns(header, &self.params.cols)?
        };
        for (n, &i) in indices.iter().enumerate() {
            if self.counter_of[i].replace(n).is_some() {
                return Err(Error::usage(format!(
                    "column '{}' is named twice in --cols",
                    String::from_utf8_lossy(header.field(i))
                )));
            }
            self.names
                .push(String::from_utf8_lossy(header.field(i)).into_owned());
        }
        self.last = vec![None; indices.len()];
        Ok(Record::from_fields(header.iter()))
    }

    fn row<W: Write>(&mut self, row: &Record, out: &mut Writer<W>) -> Result<()> {
        let first = std::mem::replace(&mut self.first_row, false);
        let mut restarted = false;
        for (field, counter) in row.iter().zip(&self.counter_of) {
            let Some(c) = *counter else {
                if !first {
                    out.field(field);
                }
                continue;
            };
            // A gap stays a gap; the next reading's increment covers it.
            if is_missing(field) {
                if !first {
                    out.field(b"");
                }
                continue;
            }
            let now = Value::parse(field, &self.names[c])?;
            let increment = self.last[c].map(|prev| now.since(prev));
            self.last[c] = Some(now);
            if first {
                continue;
            }
            match increment {
                Some((Value::Int(n), restart)) => {
                    restarted |= restart;
                    out.field_with(|buf| write_int(buf, n));
                }
                Some((Value::Float(x), restart)) => {
                    restarted |= restart;
                    out.field_with(|buf| write_py_float(buf, x));
                }
                // The first reading of a counter that was missing until now.
                None => out.field(b""),
            }
        }
        if restarted {
            self.restarts += 1;
            if self.restart_lines.len() < 5 {
                self.restart_lines.push(row.line());
            }
        }
        if first {
            return Ok(());
        }
        Ok(out.end_record()?)
    }

    fn warnings(&self) -> Vec<String> {
        if self.restarts == 0 {
            return Vec::new();
        }
        let lines: Vec<String> = self.restart_lines.iter().map(u64::to_string).collect();
        let more = if self.restarts > 5 { ", ..." } else { "" };
        vec![format!(
            "{} counter restart(s) (a value below its predecessor), at line {}{more}; \
             each counted from zero",
            self.restarts,
            lines.join(", ")
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(cols: &[&str], input: &str) -> Result<String> {
        let params = Params {
            cols: cols.iter().map(|c| (*c).to_owned()).collect(),
        };
        common::transform(Increase::new(params), input.as_bytes())
    }

    #[test]
    fn increments_between_rows() {
        let input = "t,pkts,bytes\n0,10,100\n5,12,150\n10,12,150\n";
        assert_eq!(run(&[], input).unwrap(), "t,pkts,bytes\n5,2,50\n10,0,0\n");
        assert_eq!(
            run(&["bytes"], input).unwrap(),
            "t,pkts,bytes\n5,12,50\n10,12,0\n"
        );
    }

    #[test]
    fn a_restart_counts_from_zero_and_is_reported() {
        let input = "t,bytes\n0,100\n5,150\n10,30\n15,40\n";
        let mut d = Increase::new(Params::default());
        let out = common::transform(&mut d, input.as_bytes()).unwrap();
        assert_eq!(out, "t,bytes\n5,50\n10,30\n15,10\n");
        assert_eq!(d.restarts, 1);
        assert!(d.warnings()[0].starts_with("1 counter restart(s)"));
        assert!(d.warnings()[0].contains("at line 4"));
    }

    #[test]
    fn gaps_lose_nothing() {
        let input = "t,in,out\n0,100,7\n5,,9\n10,180,\n15,200,20\n";
        assert_eq!(
            run(&[], input).unwrap(),
            "t,in,out\n5,,2\n10,80,\n15,20,11\n"
        );
        // A counter missing from the start begins at its first reading.
        assert_eq!(
            run(&[], "t,a\n0,\n5,10\n10,15\n").unwrap(),
            "t,a\n5,\n10,5\n"
        );
    }

    #[test]
    fn floats_stay_floats() {
        let input = "t,a\n0,1.5\n5,4.0\n10,1.0\n";
        assert_eq!(run(&[], input).unwrap(), "t,a\n5,2.5\n10,1.0\n");
    }

    #[test]
    fn errors() {
        let err = run(&[], "t,a\n0,1\n5,x\n").unwrap_err().to_string();
        assert_eq!(err, "line 3, column a: 'x' is not a number");
        let err = run(&["b"], "t,a\n").unwrap_err().to_string();
        assert!(
            err.contains("no column named 'b'; the header is: t,a"),
            "{err}"
        );
        let err = run(&["a", "a"], "t,a\n").unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    proptest::proptest! {
        #[test]
        fn increments_sum_to_last_minus_first(
            steps in proptest::collection::vec(0i64..1_000_000_000, 1..100),
            start in 0i64..1_000_000,
        ) {
            let mut input = String::from("t,c\n");
            let mut value = start;
            input.push_str(&format!("0,{value}\n"));
            for (i, step) in steps.iter().enumerate() {
                value += step;
                input.push_str(&format!("{},{value}\n", i + 1));
            }
            let out = run(&[], &input).unwrap();
            let total: i64 = out.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse::<i64>().unwrap()).sum();
            proptest::prop_assert_eq!(total, value - start);
        }
    }
}
