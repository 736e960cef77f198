//! How the wide table's cells print: pandas' dtype after `unstack`, `fillna` and `astype`,
//! the clamp, and the copy of plain numbers that need no parsing.

use std::io::Write;

use error::{show, Error, Result};
use pandas::dtype::{Dtype, Seen};
use pandas::num::{is_missing, parse_f64, parse_i64, write_int, write_py_float, Int};
use table::Writer;

use crate::store::get_varint;
use crate::Widen;

/// A `--fill` value as pandas' `fillna` would get it from Python: a number when it reads as
/// one (`0` is an int, `0.5` a float), else text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fill {
    Int(i64),
    Float(f64),
    Text(Vec<u8>),
}

impl Fill {
    /// `None` for a missing spelling (`NaN`, empty): filling with NaN fills nothing.
    pub(crate) fn parse(text: &str) -> Option<Fill> {
        let bytes = text.as_bytes();
        if is_missing(bytes) {
            return None;
        }
        Some(match parse_i64(bytes) {
            Int::Value(n) => Fill::Int(n),
            _ => parse_f64(bytes).map_or_else(|| Fill::Text(bytes.to_vec()), Fill::Float),
        })
    }
}

/// `x` truncated toward zero, as numpy's `astype(int64)`; `None` where pandas raises (an
/// infinity) or numpy's result means nothing (outside 64 bits).
pub(crate) fn truncate(x: f64) -> Option<i64> {
    // -2^63 is i64::MIN exactly; 2^63 is the first float above i64::MAX.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let t = x.trunc();
    #[allow(clippy::cast_possible_truncation)] // in range: checked
    (-LIMIT..LIMIT).contains(&t).then_some(t as i64)
}

/// A number spelled as `to_csv` writes one, `-?(0|[1-9][0-9]*)(\.[0-9]+)?` in at most 15
/// digits: read as pandas reads it and printed again, it comes back as it is (a float
/// repr), or with `.0` added (an integer in a float column), and its integer part is its
/// truncation. So the printing copies it instead of parsing and formatting: most cells.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plain {
    /// Where the integer part (with its sign) ends.
    pub(crate) int_end: usize,
    pub(crate) fraction: bool,
    /// Python's repr of the float is this spelling: no trailing zero in the fraction but
    /// `.0`, and not small enough for the exponent form (`1e-05`).
    pub(crate) repr: bool,
}

impl Plain {
    pub(crate) fn of(v: &[u8]) -> Option<Plain> {
        let sign = usize::from(v.first() == Some(&b'-'));
        let body = &v[sign..];
        let (int, frac) = match body.iter().position(|&b| b == b'.') {
            Some(p) => (&body[..p], Some(&body[p + 1..])),
            None => (body, None),
        };
        let digits = |d: &[u8]| !d.is_empty() && d.iter().all(u8::is_ascii_digit);
        let frac_len = frac.map_or(0, <[u8]>::len);
        if !digits(int) || (int.len() > 1 && int[0] == b'0') || int.len() + frac_len > 15 {
            return None;
        }
        let repr = match frac {
            None => true,
            Some(f) if !digits(f) => return None,
            Some(b"0") => true,
            Some(f) => {
                let zeros = f.iter().take_while(|&&b| b == b'0').count();
                f.last() != Some(&b'0') && (int != b"0" || zeros <= 3)
            }
        };
        Some(Plain {
            int_end: sign + int.len(),
            fraction: frac.is_some(),
            repr,
        })
    }
}

/// How the cells print: the wide table's dtype after `fillna` and `astype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Print {
    /// `--int`; `via_float` when pandas' cells were floats before the cast.
    AsInt {
        via_float: bool,
        from_int: bool,
    },
    /// An integer value column without a missing cell.
    Int,
    /// Floats; `from_int` when the values are integers made float by a missing cell.
    Float {
        from_int: bool,
    },
    Text,
    /// Values of another type, printed as pandas prints it.
    Typed(Dtype),
}

impl Widen {
    /// How the cells print, from the value column's type and whether any cell is missing.
    pub(crate) fn printing(&self, any_absent: bool) -> Print {
        let mut inference = self.value_dropped;
        let mut at = 0;
        while at < self.values.len() {
            get_varint(&self.values, &mut at);
            let len = usize::try_from(get_varint(&self.values, &mut at)).unwrap_or(0);
            let value = &self.values[at..at + len];
            // Most values are plain: an integer cannot change the type, nor a float once
            // one was seen; the others are read as pandas reads them.
            match Plain::of(value) {
                Some(plain) if !plain.fraction && value[0] != b'-' => inference.add(Seen::Int),
                Some(plain) if plain.fraction && inference.dtype() == Dtype::Float => {}
                _ => inference.see(value),
            }
            at += len;
        }
        // unstack() makes the whole table float when a cell is missing, fillna keeps it so.
        match inference.dtype() {
            Dtype::Int if self.params.int => Print::AsInt {
                via_float: any_absent,
                from_int: true,
            },
            _ if self.params.int => Print::AsInt {
                via_float: true,
                from_int: false,
            },
            Dtype::Int if any_absent => Print::Float { from_int: true },
            Dtype::Int => Print::Int,
            Dtype::Float | Dtype::UInt if any_absent => Print::Float { from_int: false },
            Dtype::IntNa => Print::Float { from_int: true },
            Dtype::Float => Print::Float { from_int: false },
            Dtype::Text => Print::Text,
            // Printed canonically: `True` for `true`, uint64 without leading zeros.
            Dtype::UInt | Dtype::Bool | Dtype::BoolObject | Dtype::TextKeepNa => {
                Print::Typed(inference.dtype())
            }
        }
    }

    /// Writes one cell: its value (at `cell`), or the fill when it has none.
    pub(crate) fn write_cell<W: Write>(
        &self,
        print: Print,
        cell: Option<u64>,
        out: &mut Writer<W>,
    ) -> Result<()> {
        let clip = self.params.clip_lower;
        let clip_int = |n: i64| clip.map_or(n, |low| n.max(low));
        #[allow(clippy::cast_precision_loss)] // as pandas converts an int to compare or fill
        let clip_float = |x: f64| match clip {
            Some(low) if x < low as f64 => low as f64,
            _ => x,
        };
        let value = cell.map(|c| self.value(c).1).filter(|v| !is_missing(v));
        let Some(value) = value else {
            // No value: the fill, or a missing (empty) cell.
            match (&self.fill, print) {
                (_, Print::AsInt { .. }) => match self.fill_int {
                    Some(n) => out.field_with(|b| write_int(b, clip_int(n))),
                    // Not reached: `finish` and `check` refuse these first, with their lines.
                    None => return Err(Error::data("a cell without a value under --int")),
                },
                (None, _) => out.field(b""),
                (Some(Fill::Int(n)), Print::Float { .. }) => {
                    #[allow(clippy::cast_precision_loss)] // as pandas fills a float column
                    let x = *n as f64;
                    out.field_with(|b| write_py_float(b, clip_float(x)));
                }
                (Some(Fill::Int(n)), _) => out.field_with(|b| write_int(b, clip_int(*n))),
                (Some(Fill::Float(x)), _) => out.field_with(|b| write_py_float(b, clip_float(*x))),
                (Some(Fill::Text(text)), _) => out.field(text),
            }
            return Ok(());
        };
        // The copies need no clip: it compares numbers.
        if let Some(plain) = Plain::of(value).filter(|_| clip.is_none()) {
            let minus_zero = value == b"-0";
            match print {
                Print::AsInt { .. } => {
                    let int = &value[..plain.int_end];
                    out.field(if int == b"-0" { b"0" } else { int });
                    return Ok(());
                }
                Print::Int if !plain.fraction && !minus_zero => {
                    out.field(value);
                    return Ok(());
                }
                // `-0` is the float -0.0, but the integer 0.
                Print::Float { from_int } if !(plain.fraction || from_int && minus_zero) => {
                    out.field_with(|b| {
                        b.extend_from_slice(value);
                        b.extend_from_slice(b".0");
                    });
                    return Ok(());
                }
                Print::Float { from_int: false } if plain.repr => {
                    out.field(value);
                    return Ok(());
                }
                _ => {}
            }
        }
        let int = |v: &[u8]| match parse_i64(v) {
            Int::Value(n) => Some(n),
            _ => None,
        };
        match print {
            Print::AsInt {
                via_float,
                from_int,
            } => {
                #[allow(clippy::cast_precision_loss)] // as numpy makes an int column float
                let n = match (via_float, from_int) {
                    (false, _) => int(value),
                    (true, true) => int(value).and_then(|n| truncate(n as f64)),
                    (true, false) => parse_f64(value).and_then(truncate),
                };
                let n = n.ok_or_else(|| {
                    let (line, _) = cell.map(|c| self.value(c)).unwrap_or_default();
                    Error::value(
                        &self.params.value,
                        format!(
                            "{} is not a 64-bit integer when truncated, which --int needs",
                            show(value)
                        ),
                    )
                    .line(line)
                    .file(cell.and_then(|c| self.input_of(c).1))
                })?;
                out.field_with(|b| write_int(b, clip_int(n)));
            }
            Print::Int => match int(value) {
                Some(n) => out.field_with(|b| write_int(b, clip_int(n))),
                None => out.field(value),
            },
            Print::Float { from_int } => {
                #[allow(clippy::cast_precision_loss)] // as numpy makes an int column float
                let x = if from_int {
                    int(value).map(|n| n as f64)
                } else {
                    parse_f64(value)
                };
                match x {
                    Some(x) => out.field_with(|b| write_py_float(b, clip_float(x))),
                    None => out.field(value),
                }
            }
            Print::Typed(dtype) => out.field_with(|b| dtype.write(b, value)),
            Print::Text => match (clip, parse_f64(value)) {
                (Some(low), Some(x)) if x < low as f64 => out.field_with(|b| write_int(b, low)),
                _ => out.field(value),
            },
        }
        Ok(())
    }
}
