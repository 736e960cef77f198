//! Turns cumulative counter columns into per-row increments, surviving counter restarts.
//!
//! systemd's IP accounting counts bytes since the service started and falls back to zero when
//! it restarts. Each row's increment is the value minus the previous row's; a value below its
//! predecessor means the counter restarted, so the increment is the value itself (what
//! Prometheus' `increase()` does): no bytes are thrown away.

pub mod cli;

use std::io::Write;

use driver::Filter;
use error::show;
use error::{Error, Result};
use itertools::Itertools;
use pandas::num::{is_missing, parse_f64, parse_i64, parse_u64, write_int, write_py_float, Int};
use table::{find_columns, Record, Writer};

/// Which columns are counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    /// Counter columns; empty means every column but the first.
    pub cols: Vec<String>,
    /// pandas' plain `diff()`: a value below its predecessor gives a negative increment
    /// instead of counting a restart from zero (the study's validation notebook did so).
    pub signed: bool,
}

/// A counter reading: integers stay integers, exact over the whole u64 range (and below
/// zero, for data that is not a counter).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Int(i128),
    Float(f64),
}

/// systemd's "no value" for an accounting counter over D-Bus: a reading that failed.
const NO_VALUE: u64 = u64::MAX;

impl Value {
    /// The reading in `field`, `None` for a missing one (empty, NA, ... or systemd's
    /// 2^64 - 1).
    fn parse(field: &[u8], column: &str) -> Result<Option<Value>> {
        if is_missing(field) {
            return Ok(None);
        }
        if let Some(n) = parse_u64(field) {
            return Ok((n != NO_VALUE).then_some(Value::Int(i128::from(n))));
        }
        match parse_i64(field) {
            Int::Value(n) => Ok(Some(Value::Int(i128::from(n)))),
            Int::Overflow | Int::NotInt => parse_f64(field)
                .map(|x| Some(Value::Float(x)))
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
    fn since(self, prev: Value, signed: bool) -> (Value, bool) {
        match (self, prev) {
            (Value::Int(now), Value::Int(before)) if signed => {
                (Value::Int(now - before), now < before)
            }
            _ if signed => (
                Value::Float(self.float() - prev.float()),
                self.float() < prev.float(),
            ),
            // Both within i64 or u64: the difference fits i128 exactly.
            (Value::Int(now), Value::Int(before)) if now >= before => {
                (Value::Int(now - before), false)
            }
            (Value::Int(_), Value::Int(_)) => (self, true),
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
    /// Where the first restarts were: the line, after the input's name when it has one.
    restart_lines: Vec<String>,
    /// The input being read (none for stdin).
    input: Option<String>,
}

impl Increase {
    /// Refuses a counter named twice in `--cols`: the flags alone say so.
    pub fn new(params: Params) -> Result<Increase> {
        if let Some(dup) = params.cols.iter().duplicates().next() {
            return Err(Error::usage(format!(
                "column '{dup}' is named twice in --cols"
            )));
        }
        Ok(Increase {
            params,
            counter_of: Vec::new(),
            names: Vec::new(),
            last: Vec::new(),
            first_row: true,
            restarts: 0,
            restart_lines: Vec::new(),
            input: None,
        })
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
            self.counter_of[i] = Some(n);
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
            let Some(now) = Value::parse(field, &self.names[c])? else {
                if !first {
                    out.field(b"");
                }
                continue;
            };
            let increment = self.last[c].map(|prev| now.since(prev, self.params.signed));
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
                self.restart_lines.push(match &self.input {
                    Some(name) => format!("{name}: line {}", row.line()),
                    None => format!("line {}", row.line()),
                });
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
        let more = if self.restarts > 5 { ", ..." } else { "" };
        let how = if self.params.signed {
            "kept as negative increments (--signed)"
        } else {
            "each counted from zero"
        };
        vec![format!(
            "{} counter restart(s) (a value below its predecessor), at {}{more}; {how}",
            self.restarts,
            self.restart_lines.join(", ")
        )]
    }

    fn input(&mut self, name: Option<&str>) {
        self.input = name.map(str::to_owned);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(cols: &[&str], input: &str) -> Result<String> {
        let params = Params {
            cols: cols.iter().map(|c| (*c).to_owned()).collect(),
            signed: false,
        };
        driver::transform(Increase::new(params)?, input.as_bytes())
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
        let mut d = Increase::new(Params::default()).unwrap();
        let out = driver::transform(&mut d, input.as_bytes()).unwrap();
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
        assert_eq!(err.to_string(), "column 'a' is named twice in --cols");
    }

    #[test]
    fn counters_are_exact_over_the_whole_u64_range() {
        let near = u64::MAX - 1000;
        let input = format!("t,c\n0,{near}\n5,{}\n10,{}\n", near + 10, near + 30);
        assert_eq!(run(&[], &input).unwrap(), "t,c\n5,10\n10,20\n");
        let wide = format!("t,c\n0,0\n5,{}\n", u64::MAX - 1);
        assert_eq!(
            run(&[], &wide).unwrap(),
            format!("t,c\n5,{}\n", u64::MAX - 1)
        );
    }

    #[test]
    fn systemd_no_value_is_a_gap() {
        // 2^64 - 1 is what systemd reports over D-Bus for a counter it does not have.
        let input = "t,c\n0,1000\n5,18446744073709551615\n10,1100\n";
        let mut d = Increase::new(Params::default()).unwrap();
        let out = driver::transform(&mut d, input.as_bytes()).unwrap();
        assert_eq!(out, "t,c\n5,\n10,100\n");
        assert_eq!(d.restarts, 0);
    }

    #[test]
    fn signed_is_pandas_diff() {
        let input = "t,c,f\n0,100,1.5\n5,150,2.0\n10,30,1.0\n";
        let params = Params {
            signed: true,
            ..Params::default()
        };
        let mut d = Increase::new(params).unwrap();
        let out = driver::transform(&mut d, input.as_bytes()).unwrap();
        assert_eq!(out, "t,c,f\n5,50,0.5\n10,-120,-1.0\n");
        assert!(d.warnings()[0].ends_with("kept as negative increments (--signed)"));
    }

    #[test]
    fn nan_spellings_are_not_numbers() {
        for word in ["NAN", "Nan", "+nan", "-NAN", "+NaN", "snan"] {
            let input = format!("t,c\n0,100\n5,{word}\n10,150\n");
            let err = run(&[], &input).unwrap_err().to_string();
            assert_eq!(err, format!("line 3, column c: '{word}' is not a number"));
        }
    }

    proptest::proptest! {
        /// Over the whole u64 range: without a restart, the increments add up exactly.
        #[test]
        fn increments_sum_to_last_minus_first_over_u64(
            mut readings in proptest::collection::vec(0u64..u64::MAX, 2..50),
        ) {
            readings.sort_unstable();
            let mut input = String::from("t,c\n");
            for (i, r) in readings.iter().enumerate() {
                input.push_str(&format!("{i},{r}\n"));
            }
            let out = run(&[], &input).unwrap();
            let total: u128 = out
                .lines()
                .skip(1)
                .map(|l| l.split(',').nth(1).unwrap().parse::<u128>().unwrap())
                .sum();
            let span = readings[readings.len() - 1] - readings[0];
            proptest::prop_assert_eq!(total, u128::from(span));
        }

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
