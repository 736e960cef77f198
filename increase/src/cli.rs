//! The command line of `increase`: flags to [`Params`], examples in the help.

use clap::Parser;
use driver::IoArgs;
use error::Result;

use crate::{Increase, Params};

/// Turn cumulative counter columns into per-row increments.
///
/// Each row's counters become the increase since the previous row; the first
/// row has no predecessor and gives no row. A value below its predecessor means
/// the counter restarted (the service was restarted), so the increment is the
/// value itself: nothing is thrown away. Restarts are summed up on stderr. A
/// missing value gives an empty increment and the next reading covers the gap.
/// Other columns pass through.
#[derive(Parser, Debug)]
#[command(after_help = "Examples:
  increase --dropna --cols IPIngressBytes,IPEgressBytes \\
      tests/data/monitor/systemd/ip_accounting/* | pivot | bucket --every 1h --by flow
  increase --dropna -o increments.csv.bz2 tests/data/monitor/systemd/ip_accounting/*
  increase --dropna --signed tests/data/monitor/systemd/ip_accounting/* | head -3")]
pub struct Args {
    /// Counter columns (repeatable or comma-separated) [default: every column but the first].
    #[arg(long, value_name = "COL,...", value_delimiter = ',')]
    cols: Vec<String>,
    /// pandas' plain diff(): a value below its predecessor gives a negative increment
    /// instead of a restart counted from zero (what the study's validation notebook did,
    /// losing the bytes counted after each restart).
    #[arg(long)]
    signed: bool,
    #[command(flatten)]
    io: IoArgs,
}

impl driver::cli::Tool for Args {
    const NAME: &'static str = "increase";
    type Filter = Increase;

    fn into_parts(self) -> (IoArgs, Result<Increase>) {
        (
            self.io,
            Increase::new(Params {
                cols: self.cols,
                signed: self.signed,
            }),
        )
    }
}
