//! The table: CSV records read and written as pandas reads and writes them, columns found by
//! name.

pub mod columns;
pub mod reader;
pub mod record;
pub mod writer;

pub use columns::{find_column, find_columns};
pub use reader::Reader;
pub use record::Record;
pub use writer::Writer;
