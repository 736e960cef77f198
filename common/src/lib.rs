//! What every filter shares: inputs, CSV reading and writing, errors, atomic output, the row loop.

mod bunzip;
pub mod cli;
pub mod columns;
pub mod dtype;
pub mod error;
mod external;
mod helper;
pub mod input;
pub mod num;
pub mod output;
mod pipe;
pub mod progress;
pub mod reader;
pub mod record;
pub mod run;
pub mod signals;
pub mod writer;

pub use columns::{find_column, find_columns};
pub use error::{Error, Result};
pub use output::Output;
pub use progress::Progress;
pub use reader::Reader;
pub use record::Record;
pub use run::{run, run_with, transform, Filter, IoArgs};
pub use writer::Writer;
