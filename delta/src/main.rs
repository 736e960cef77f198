//! `delta`: the command line of the counter-increment filter.

use std::process::ExitCode;

use clap::Parser;
use delta::{Delta, Params};

/// Turn cumulative counter columns into per-row increments.
///
/// Each row's counters become the increase since the previous row; the first
/// row has no predecessor and gives no row. A value below its predecessor means
/// the counter restarted (the service was restarted), so the increment is the
/// value itself: nothing is thrown away. Restarts are summed up on stderr. A
/// missing value gives an empty increment and the next reading covers the gap.
/// Other columns pass through.
#[derive(Parser, Debug)]
#[command(
    version,
    after_help = "Examples:
  delta --cols IPIngressBytes,IPEgressBytes systemd/ip_accounting/*.csv | pivot | bucket --every 1h --by flow
  delta -o increments.csv.bz2 counters.csv"
)]
struct Args {
    /// Counter columns (repeatable or comma-separated) [default: every column but the first].
    #[arg(long, value_name = "COL,...", value_delimiter = ',')]
    cols: Vec<String>,
    #[command(flatten)]
    io: common::IoArgs,
}

fn main() -> ExitCode {
    let a = Args::parse();
    common::run("delta", &a.io, Ok(Delta::new(Params { cols: a.cols })))
}
