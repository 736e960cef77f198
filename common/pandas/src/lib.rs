//! pandas' semantics, from bytes: missing values, numbers as `read_csv` reads and `to_csv`
//! prints them, a column's dtype, timestamps and steps.

pub mod dtype;
pub mod num;
pub mod time;
pub mod value;
