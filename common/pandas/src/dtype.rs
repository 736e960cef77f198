//! A column's type as pandas' `read_csv` infers it from all its values, and what follows from
//! it: which values are one value (group and join keys), how they sort and how they print.

use std::cmp::Ordering;

use crate::num::{
    is_missing, parse_bool, parse_f64, parse_i64, parse_u64, write_int, write_py_float, Int,
};

/// pandas' dtype of a column, as `read_csv` infers it from every value of the column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// int64: every value an integer that fits, none missing.
    Int,
    /// uint64: every value an integer, some above int64's range, none negative or missing.
    UInt,
    /// float64: numbers with a fraction or an exponent (every field read by pandas' float
    /// converter), or no value at all.
    Float,
    /// float64 too, of integers with a missing value: each integer converted to the nearest
    /// double, as numpy converts int64 (`99999999999999999` is `1e+17`, where the float
    /// converter reads `1.0000000000000002e+17`).
    IntNa,
    /// bool: every value `true` or `false` in any letter case.
    Bool,
    /// object holding Python bools and NaN: bools with a missing value.
    BoolObject,
    /// object: text, each value as written; the missing-value spellings are NaN.
    Text,
    /// object, where even the missing-value spellings are text: integers beyond int64 with a
    /// missing value (pandas' uint64 reader gives up on the column and keeps every field).
    TextKeepNa,
}

/// What one value says about its column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Missing,
    /// An integer in int64's range, not below zero.
    Int,
    /// An integer in int64's range, below zero.
    Negative,
    /// An integer above int64's range and within uint64's.
    UInt,
    /// An integer beyond both.
    BigInt,
    Float,
    Bool,
    Text,
}

impl Seen {
    /// What pandas' `read_csv` takes `field` for.
    pub fn of(field: &[u8]) -> Seen {
        if is_missing(field) {
            return Seen::Missing;
        }
        match parse_i64(field) {
            Int::Value(n) if n < 0 => Seen::Negative,
            Int::Value(_) => Seen::Int,
            Int::Overflow if parse_u64(field).is_some() => Seen::UInt,
            Int::Overflow => Seen::BigInt,
            Int::NotInt if parse_f64(field).is_some() => Seen::Float,
            Int::NotInt if parse_bool(field).is_some() => Seen::Bool,
            Int::NotInt => Seen::Text,
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The dtype of a column so far, from the values seen: feed it every value of the column,
/// also those of rows dropped later (pandas reads the column before `dropna()`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inference {
    seen: u8,
}

impl Inference {
    /// Takes one more value into account. Once a column is text, nothing changes it: the
    /// per-row cost is then one test.
    #[inline]
    pub fn see(&mut self, field: &[u8]) {
        if !self.has(Seen::Text) {
            self.add(Seen::of(field));
        }
    }

    /// Takes into account a value already classified.
    #[inline]
    pub fn add(&mut self, seen: Seen) {
        self.seen |= seen.bit();
    }

    fn has(self, seen: Seen) -> bool {
        self.seen & seen.bit() != 0
    }

    /// The column's dtype from what was seen (a column of only missing values is float), as
    /// pandas' C parser decides it: int64, then uint64, then float64, then bool, else object.
    pub fn dtype(self) -> Dtype {
        let has = |s: Seen| self.has(s);
        let missing = has(Seen::Missing);
        let number = has(Seen::Int) || has(Seen::Negative) || has(Seen::UInt) || has(Seen::BigInt);
        if has(Seen::Text) {
            Dtype::Text
        } else if has(Seen::Bool) {
            match (number || has(Seen::Float), missing) {
                (true, _) => Dtype::Text,
                (false, true) => Dtype::BoolObject,
                (false, false) => Dtype::Bool,
            }
        } else if has(Seen::Float) {
            // Every field then goes through the float converter, big integers included.
            Dtype::Float
        } else if has(Seen::BigInt) || (has(Seen::UInt) && has(Seen::Negative)) {
            Dtype::Text
        } else if has(Seen::UInt) {
            if missing {
                Dtype::TextKeepNa
            } else {
                Dtype::UInt
            }
        } else if missing && (has(Seen::Int) || has(Seen::Negative)) {
            Dtype::IntNa
        } else if missing {
            Dtype::Float
        } else {
            Dtype::Int
        }
    }
}

/// A value as grouping, sorting and joining see it: values that pandas holds as equal have
/// equal keys (`5`, `+5` and `05` in an int column; `10` and `1e1`, `-0.0` and `0.0` in a float
/// column; `true` and `True` in a bool column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key<'a> {
    Int(i128),
    /// A float's bits, negative zero as zero (there is no NaN: missing values are `Missing`).
    Float(u64),
    Bool(bool),
    Text(&'a [u8]),
    Missing,
}

impl<'a> Key<'a> {
    /// The key of `field` under any numeric or bool dtype, before the column's dtype is
    /// known: integers exactly, a float of whole value as that integer (a `1e1` meets a `10`,
    /// since a column holding both is float), anything else by its text. Fields with equal
    /// keys here are one value unless the column turns out text; fields with unequal keys are
    /// two unless the column turns out float and the two round to one double.
    pub fn of(field: &'a [u8]) -> Key<'a> {
        match Seen::of(field) {
            Seen::Missing => Key::Missing,
            Seen::Int | Seen::Negative | Seen::UInt => {
                integer(field).map_or(Key::Text(field), Key::Int)
            }
            Seen::Float => parse_f64(field).map_or(Key::Text(field), float_key),
            Seen::Bool => parse_bool(field).map_or(Key::Text(field), Key::Bool),
            Seen::BigInt | Seen::Text => Key::Text(field),
        }
    }

    /// Appends the key as bytes that are equal exactly when the keys are (for hashing a
    /// tuple of keys as one byte string).
    pub fn encode(&self, out: &mut Vec<u8>) {
        match *self {
            Key::Int(n) => {
                out.push(0);
                out.extend_from_slice(&n.to_le_bytes());
            }
            Key::Float(bits) => {
                out.push(1);
                out.extend_from_slice(&bits.to_le_bytes());
            }
            Key::Bool(b) => out.extend_from_slice(&[2, u8::from(b)]),
            Key::Text(text) => {
                out.push(3);
                out.extend_from_slice(&(text.len() as u64).to_le_bytes());
                out.extend_from_slice(text);
            }
            Key::Missing => out.push(4),
        }
    }

    /// The order pandas sorts values of one column in: numbers by value, `False` before
    /// `True`, text by code point (UTF-8 bytes sort so), a missing value last.
    pub fn compare(&self, other: &Key<'_>) -> Ordering {
        match (self, other) {
            (Key::Int(a), Key::Int(b)) => a.cmp(b),
            (Key::Float(a), Key::Float(b)) => f64::from_bits(*a).total_cmp(&f64::from_bits(*b)),
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            (Key::Text(a), Key::Text(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Key::Int(_) | Key::Float(_) => 0,
            Key::Bool(_) => 1,
            Key::Text(_) => 2,
            Key::Missing => 3,
        }
    }
}

/// An integer field's exact value, within int64's or uint64's range.
fn integer(field: &[u8]) -> Option<i128> {
    match parse_i64(field) {
        Int::Value(n) => Some(i128::from(n)),
        Int::Overflow => parse_u64(field).map(i128::from),
        Int::NotInt => None,
    }
}

/// A float's key: a whole value within the integers' range as that integer.
#[allow(clippy::cast_possible_truncation)] // whole and within i128: exact
fn float_key<'a>(x: f64) -> Key<'a> {
    if x.fract() == 0.0 && x.abs() < 1e38 {
        Key::Int(x as i128)
    } else {
        Key::Float(x.to_bits())
    }
}

impl Dtype {
    /// pandas' name of the type, as `df.dtypes` shows it.
    pub fn name(self) -> &'static str {
        match self {
            Dtype::Int => "int64",
            Dtype::UInt => "uint64",
            Dtype::Float | Dtype::IntNa => "float64",
            Dtype::Bool => "bool",
            Dtype::BoolObject | Dtype::Text | Dtype::TextKeepNa => "object",
        }
    }

    /// True when pandas reads `field` as a missing value in a column of this type.
    pub fn is_missing(self, field: &[u8]) -> bool {
        self != Dtype::TextKeepNa && is_missing(field)
    }

    /// The key of `field` in a column of this type: equal exactly when pandas holds the two
    /// values equal (one group, one join key).
    pub fn key(self, field: &[u8]) -> Key<'_> {
        if self.is_missing(field) {
            return Key::Missing;
        }
        let key = match self {
            Dtype::Int | Dtype::UInt => integer(field).map(Key::Int),
            // Every field goes through the float converter: -0.0 is 0.0, and two long
            // integers may round to one double.
            Dtype::Float => parse_f64(field).map(|x| Key::Float((x + 0.0).to_bits())),
            #[allow(clippy::cast_precision_loss)] // as numpy converts int64
            Dtype::IntNa => integer(field).map(|n| Key::Float((n as f64 + 0.0).to_bits())),
            Dtype::Bool | Dtype::BoolObject => parse_bool(field).map(Key::Bool),
            Dtype::Text | Dtype::TextKeepNa => None,
        };
        key.unwrap_or(Key::Text(field))
    }

    /// Orders two values of a column of this type as pandas sorts them (a missing one last).
    pub fn compare(self, a: &[u8], b: &[u8]) -> Ordering {
        self.key(a).compare(&self.key(b))
    }

    /// Appends a value of a column of this type as pandas' `to_csv` prints it: an int
    /// canonically (` +5` is `5`), a float as Python's repr (`5.0`), a bool as `True` or
    /// `False`, text as it is, a missing value as nothing.
    pub fn write(self, out: &mut Vec<u8>, value: &[u8]) {
        match self.key(value) {
            Key::Missing => {}
            Key::Int(n) => write_int(out, n),
            // An integer made float: no -0.0 among them.
            Key::Float(bits) if self == Dtype::IntNa => write_py_float(out, f64::from_bits(bits)),
            Key::Float(_) => match parse_f64(value) {
                // The value itself, not its key: -0.0 prints as -0.0.
                Some(x) => write_py_float(out, x),
                None => out.extend_from_slice(value),
            },
            Key::Bool(b) => out.extend_from_slice(if b { b"True" } else { b"False" }),
            Key::Text(text) => out.extend_from_slice(text),
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
        // pandas 2.2.3: pd.read_csv(io.StringIO("k\n" + "\n".join(values))).k.dtype
        assert_eq!(infer(&["1", "22", " 3", "+4"]), Dtype::Int);
        assert_eq!(infer(&["1", "", "3"]), Dtype::IntNa);
        assert_eq!(infer(&["-1", "NA"]), Dtype::IntNa);
        assert_eq!(infer(&["1", "NA", "1.5"]), Dtype::Float);
        assert_eq!(infer(&["1", "2.5"]), Dtype::Float);
        assert_eq!(infer(&[""]), Dtype::Float);
        assert_eq!(infer(&["1", "in"]), Dtype::Text);
        assert_eq!(infer(&["99999999999999999999"]), Dtype::Text);
        assert_eq!(infer(&["99999999999999999999", "1.5"]), Dtype::Float);
        assert_eq!(infer(&["inv", "1"]), Dtype::Text);
        assert_eq!(infer(&["18446744073709551615", "1"]), Dtype::UInt);
        assert_eq!(infer(&["18446744073709551615", "-1"]), Dtype::Text);
        assert_eq!(infer(&["18446744073709551615", ""]), Dtype::TextKeepNa);
        assert_eq!(infer(&["18446744073709551615", "1.5"]), Dtype::Float);
        assert_eq!(infer(&["true", "False", "TRUE", "fALSE"]), Dtype::Bool);
        assert_eq!(infer(&["true", ""]), Dtype::BoolObject);
        assert_eq!(infer(&["true", "1"]), Dtype::Text);
        assert_eq!(infer(&["true", "1.5"]), Dtype::Text);
        assert_eq!(infer(&["t", "f"]), Dtype::Text);
        assert_eq!(infer(&[" true"]), Dtype::Text);
    }

    #[test]
    fn keys_are_equal_where_pandas_values_are() {
        let same = |t: Dtype, a: &str, b: &str| t.key(a.as_bytes()) == t.key(b.as_bytes());
        assert!(same(Dtype::Int, "5", "+5") && same(Dtype::Int, "5", "05"));
        assert!(same(Dtype::Float, "10", "1e1") && same(Dtype::Float, "-0.0", "0.0"));
        assert!(same(Dtype::Float, "9007199254740993", "9007199254740992"));
        assert!(same(Dtype::IntNa, "9007199254740993", "9007199254740992"));
        assert!(!same(Dtype::Int, "9007199254740993", "9007199254740992"));
        assert!(same(Dtype::Bool, "true", "TRUE") && !same(Dtype::Bool, "true", "false"));
        assert!(!same(Dtype::Text, "5", "05") && same(Dtype::Text, "NA", "null"));
        assert!(!same(Dtype::TextKeepNa, "NA", "null"));
        // Before the dtype is known: numbers and bools by value, the rest by text.
        assert_eq!(Key::of(b"1e1"), Key::of(b"10"));
        assert_eq!(Key::of(b"-0.0"), Key::of(b"0"));
        assert_eq!(Key::of(b"True"), Key::of(b"true"));
        assert_ne!(Key::of(b"5"), Key::of(b"5x"));
    }

    #[test]
    fn sorts_and_prints_by_type() {
        let sorted = |t: Dtype, values: &[&'static str]| {
            let mut v = values.to_vec();
            v.sort_by(|a, b| t.compare(a.as_bytes(), b.as_bytes()));
            v
        };
        assert_eq!(sorted(Dtype::Int, &["10", "9", "100"]), ["9", "10", "100"]);
        assert_eq!(sorted(Dtype::Float, &["", "10", "9.5"]), ["9.5", "10", ""]);
        assert_eq!(sorted(Dtype::Text, &["10", "9", "b"]), ["10", "9", "b"]);
        assert_eq!(
            sorted(
                Dtype::UInt,
                &["18446744073709551615", "1", "9223372036854775808"]
            ),
            ["1", "9223372036854775808", "18446744073709551615"]
        );
        assert_eq!(sorted(Dtype::Bool, &["true", "False"]), ["False", "true"]);
        let print = |t: Dtype, v: &str| {
            let mut out = Vec::new();
            t.write(&mut out, v.as_bytes());
            String::from_utf8(out).unwrap()
        };
        assert_eq!(print(Dtype::Int, " +5"), "5");
        assert_eq!(print(Dtype::Float, "5"), "5.0");
        assert_eq!(print(Dtype::Float, "-0.0"), "-0.0");
        assert_eq!(print(Dtype::Float, ""), "");
        // Converted as numpy converts, not read by the float converter.
        assert_eq!(print(Dtype::IntNa, "99999999999999999"), "1e+17");
        assert_eq!(
            print(Dtype::Float, "99999999999999999"),
            "1.0000000000000002e+17"
        );
        assert_eq!(print(Dtype::Text, " +5"), " +5");
        assert_eq!(print(Dtype::Text, "null"), "");
        assert_eq!(print(Dtype::TextKeepNa, "null"), "null");
        assert_eq!(print(Dtype::BoolObject, "TRUE"), "True");
        assert_eq!(
            print(Dtype::UInt, "018446744073709551615"),
            "18446744073709551615"
        );
    }
}
