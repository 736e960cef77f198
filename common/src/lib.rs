//! What every filter shares: inputs, CSV setup, columns, errors, atomic output, the row loop.

pub mod csv_setup;
pub mod error;
pub mod input;
pub mod num;
pub mod output;
pub mod progress;
pub mod run;

pub use error::{Error, Result};
pub use output::Output;
pub use progress::Progress;
pub use run::{run, Filter, IoArgs};
