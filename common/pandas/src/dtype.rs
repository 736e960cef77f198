//! A column's type as pandas' `read_csv` infers it from all its values, and what follows from
//! it: how keys of that column sort (numbers as numbers) and print (`5.0` in a float column).

use std::cmp::Ordering;

use crate::num::{is_missing, parse_f64, parse_i64, write_int, write_py_float, Int};

/// pandas' dtype of a column: int64, float64 (numbers with a missing value or a fraction),
/// or object (text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    Int,
    Float,
    Text,
}

/// The dtype of a column so far, from the values seen: feed it every value of the column,
/// also those of rows dropped later (pandas reads the column before `dropna()`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inference {
    missing: bool,
    float: bool,
    text: bool,
}

/// What one value says about its column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Missing,
    Int,
    Float,
    Text,
}

impl Seen {
    /// What pandas' `read_csv` takes `field` for.
    pub fn of(field: &[u8]) -> Seen {
        if is_missing(field) {
            return Seen::Missing;
        }
        match parse_i64(field) {
            Int::Value(_) => Seen::Int,
            // Beyond 64 bits pandas keeps digits as text (or unsigned, a case not modelled).
            Int::Overflow => Seen::Text,
            Int::NotInt if parse_f64(field).is_some() => Seen::Float,
            Int::NotInt => Seen::Text,
        }
    }
}

impl Inference {
    /// Takes one more value into account. Once a column is text, nothing changes it: the
    /// per-row cost is then one test.
    #[inline]
    pub fn see(&mut self, field: &[u8]) {
        if !self.text {
            self.add(Seen::of(field));
        }
    }

    /// Takes into account a value already classified.
    #[inline]
    pub fn add(&mut self, seen: Seen) {
        match seen {
            Seen::Missing => self.missing = true,
            Seen::Int => {}
            Seen::Float => self.float = true,
            Seen::Text => self.text = true,
        }
    }

    /// The column's dtype from what was seen (a column of only missing values is float).
    pub fn dtype(&self) -> Dtype {
        if self.text {
            Dtype::Text
        } else if self.float || self.missing {
            Dtype::Float
        } else {
            Dtype::Int
        }
    }
}

impl Dtype {
    /// Orders two values of a column of this type as pandas sorts them: numbers by value
    /// (a missing one last), text by its bytes (Python's order for str).
    pub fn compare(self, a: &[u8], b: &[u8]) -> Ordering {
        match self {
            Dtype::Text => a.cmp(b),
            Dtype::Int => match (parse_i64(a), parse_i64(b)) {
                (Int::Value(x), Int::Value(y)) => x.cmp(&y),
                _ => a.cmp(b),
            },
            Dtype::Float => {
                let value = |v: &[u8]| {
                    if is_missing(v) {
                        None
                    } else {
                        parse_f64(v)
                    }
                };
                match (value(a), value(b)) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => a.cmp(b),
                }
            }
        }
    }

    /// Appends a value of a column of this type as pandas' `to_csv` prints it: an int
    /// canonically (` +5` is `5`), a float as Python's repr (`5.0`), text as it is.
    pub fn write(self, out: &mut Vec<u8>, value: &[u8]) {
        match self {
            Dtype::Int => match parse_i64(value) {
                Int::Value(n) => write_int(out, n),
                _ => out.extend_from_slice(value),
            },
            Dtype::Float if is_missing(value) => {}
            Dtype::Float => match parse_f64(value) {
                Some(x) => write_py_float(out, x),
                None => out.extend_from_slice(value),
            },
            Dtype::Text => out.extend_from_slice(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(values: &[&str]) -> Dtype {
        let mut inference = Inference::default();
        for v in values {
            inference.see(v.as_bytes());
        }
        inference.dtype()
    }

    #[test]
    fn infers_as_read_csv_does() {
        assert_eq!(infer(&["1", "22", " 3", "+4"]), Dtype::Int);
        assert_eq!(infer(&["1", "", "3"]), Dtype::Float);
        assert_eq!(infer(&["1", "NA"]), Dtype::Float);
        assert_eq!(infer(&["1", "2.5"]), Dtype::Float);
        assert_eq!(infer(&[""]), Dtype::Float);
        assert_eq!(infer(&["1", "in"]), Dtype::Text);
        assert_eq!(infer(&["99999999999999999999"]), Dtype::Text);
        assert_eq!(infer(&["inv", "1"]), Dtype::Text);
    }

    #[test]
    fn sorts_and_prints_by_type() {
        let mut ids = ["10", "9", "100"];
        ids.sort_by(|a, b| Dtype::Int.compare(a.as_bytes(), b.as_bytes()));
        assert_eq!(ids, ["9", "10", "100"]);
        let mut floats = ["", "10", "9.5"];
        floats.sort_by(|a, b| Dtype::Float.compare(a.as_bytes(), b.as_bytes()));
        assert_eq!(floats, ["9.5", "10", ""]);
        let mut text = ["10", "9", "b"];
        text.sort_by(|a, b| Dtype::Text.compare(a.as_bytes(), b.as_bytes()));
        assert_eq!(text, ["10", "9", "b"]);
        let print = |t: Dtype, v: &str| {
            let mut out = Vec::new();
            t.write(&mut out, v.as_bytes());
            String::from_utf8(out).unwrap()
        };
        assert_eq!(print(Dtype::Int, " +5"), "5");
        assert_eq!(print(Dtype::Float, "5"), "5.0");
        assert_eq!(print(Dtype::Float, ""), "");
        assert_eq!(print(Dtype::Text, " +5"), " +5");
    }
}
