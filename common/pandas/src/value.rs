//! One field as a number or text, as pandas reads it before the column's dtype is known:
//! what aggregates add up and expressions compute with.

use crate::dtype::{Dtype, Seen};
use crate::num::{is_missing, parse_bool, parse_f64, parse_i64, parse_u64, short_digits, Int};

/// A field's value: missing, an integer (exact over int64's and uint64's ranges, and as
/// pandas' float converter reads its text, which is what a float column holds), a float, a
/// bool, an integer too long for 64 bits, or text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Missing,
    Int(i128, f64),
    Float(f64),
    Bool(bool),
    /// Digits beyond uint64 (or below int64): text to pandas unless the column holds a float,
    /// which makes every field a float.
    Big(&'a [u8]),
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
            Int::Value(n) if field.len() <= 15 => Value::Int(i128::from(n), n as f64),
            Int::Value(n) => Value::Int(i128::from(n), float_text(field)),
            Int::Overflow => match parse_u64(field) {
                Some(n) => Value::Int(i128::from(n), float_text(field)),
                None => Value::Big(field),
            },
            Int::NotInt => match parse_f64(field) {
                Some(x) => Value::Float(x),
                None => parse_bool(field).map_or(Value::Text(field), Value::Bool),
            },
        }
    }

    /// The value of a field of 1-15 plain digits ([`short_digits`]): exact as a float too.
    #[inline]
    #[allow(clippy::cast_precision_loss)] // 15 digits: exact
    pub fn digits(n: u64) -> Value<'a> {
        Value::Int(i128::from(n), n as f64)
    }

    /// What the value says about its column's type.
    #[inline]
    pub fn seen(&self) -> Seen {
        match *self {
            Value::Missing => Seen::Missing,
            Value::Int(n, _) if n < 0 => Seen::Negative,
            Value::Int(n, _) if n > i128::from(i64::MAX) => Seen::UInt,
            Value::Int(..) => Seen::Int,
            Value::Float(_) => Seen::Float,
            Value::Bool(_) => Seen::Bool,
            Value::Big(_) => Seen::BigInt,
            Value::Text(_) => Seen::Text,
        }
    }

    /// The number pandas holds for this value in a column of type `dtype`: an integer of an
    /// int column (also one made float by a missing value) converted to the nearest double
    /// (as numpy converts int64 and uint64), in a float column read from its text by pandas'
    /// converter; a bool as 0 or 1. None for missing values and text.
    #[inline]
    #[allow(clippy::cast_precision_loss)] // as numpy converts
    pub fn as_f64(&self, dtype: Dtype) -> Option<f64> {
        match *self {
            Value::Int(n, x) => Some(if dtype == Dtype::Float { x } else { n as f64 }),
            Value::Float(x) => Some(x),
            Value::Bool(b) => Some(f64::from(u8::from(b))),
            Value::Big(text) => parse_f64(text),
            Value::Missing | Value::Text(_) => None,
        }
    }
}

/// pandas' float converter on an integer's text (the value a float column holds).
fn float_text(field: &[u8]) -> f64 {
    parse_f64(field).unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_kind_of_field() {
        assert_eq!(Value::parse(b"42"), Value::Int(42, 42.0));
        assert_eq!(Value::parse(b" -7 "), Value::Int(-7, -7.0));
        let max = Value::parse(b"18446744073709551615");
        assert_eq!(max.seen(), Seen::UInt);
        assert_eq!(max.as_f64(Dtype::UInt), Some(1.8446744073709552e19));
        assert_eq!(Value::parse(b"18446744073709551616").seen(), Seen::BigInt);
        assert_eq!(Value::parse(b"1e1"), Value::Float(10.0));
        assert_eq!(Value::parse(b"True"), Value::Bool(true));
        assert_eq!(Value::parse(b"NA"), Value::Missing);
        assert_eq!(Value::parse(b"NAN"), Value::Text(b"NAN"));
        // An int column converts the exact integer; a float column reads the text.
        let long = Value::parse(b"99999999999999999");
        assert_eq!(long.as_f64(Dtype::Int), Some(1e17));
        assert_eq!(
            Value::parse(b"9223372036854775807").as_f64(Dtype::Int),
            Some(9.223372036854776e18)
        );
    }
}
