//! The driver every filter shares: the command line, the row loop over the inputs, the
//! progress line, signals and exit statuses.

pub mod cli;
pub mod input;
pub mod progress;
pub mod run;
pub mod signals;

pub use progress::Progress;
pub use run::{run, run_with, transform, Filter, IoArgs};
