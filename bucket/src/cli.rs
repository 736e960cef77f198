//! The command line of `bucket`: flags to [`Params`], examples in the help.

use clap::Parser;
use common::{IoArgs, Result};

use crate::{time::parse_step, Bucketer, Params};

/// Floor timestamps to a step and sum value columns by keys, as pandas'
/// `groupby([df.index.floor(STEP), *keys]).sum()` writes it with `to_csv`.
///
/// Output rows are sorted by bucket, then by each key as bytes. A value column
/// sums as an exact integer while every value is an integer; one float or
/// missing value makes all its sums floats (compensated summation, printed as
/// Python prints floats). Memory grows with the number of groups, not rows.
#[derive(Parser, Debug)]
#[command(after_help = "Examples:
  bzcat tp.csv.bz2 | estimate | bucket --every 1h --by flow,msg_type --time-name freq
  bucket --every 1d --by flow,msg_type -o daily.csv.bz2 hourly.csv.bz2
  bucket --every 5min --by msg_type --sum size --count messages day.csv
  tail -n +1 -F today.csv | estimate --ipv6-from peer_addr | bucket --every 1h --by flow --stream")]
pub struct Args {
    /// Bucket length: a count and a unit s, min (T), h (H) or d (D): 30s, 5min, 1h, 1d.
    #[arg(long, value_name = "STEP", value_parser = parse_step)]
    every: i64,
    /// Key columns to group by, in output order (repeatable or comma-separated).
    #[arg(long, value_name = "COL,...", value_delimiter = ',')]
    by: Vec<String>,
    /// Value columns to sum (repeatable or comma-separated).
    #[arg(long, value_name = "COL,...", value_delimiter = ',', default_value = Params::SUM)]
    sum: Vec<String>,
    /// The timestamp column [default: the first column].
    #[arg(long, value_name = "COL")]
    time: Option<String>,
    /// The output's name for the bucket column (the notebook's files use `freq`)
    /// [default: the timestamp column's name].
    #[arg(long, value_name = "NAME")]
    time_name: Option<String>,
    /// Also write the number of rows in each group, in a column named NAME.
    #[arg(long, value_name = "NAME")]
    count: Option<String>,
    /// Time-ordered input: write each bucket as soon as a row of a later one arrives.
    #[arg(long)]
    stream: bool,
    /// Print every sum as a float, as pandas does when a column had missing values.
    #[arg(long)]
    float: bool,
    #[command(flatten)]
    io: IoArgs,
}

impl common::cli::Tool for Args {
    const NAME: &'static str = "bucket";
    type Filter = Bucketer;

    fn into_parts(self) -> (IoArgs, Result<Bucketer>) {
        let params = Params {
            every: self.every,
            time: self.time,
            time_name: self.time_name,
            by: self.by,
            sums: self.sum,
            count: self.count,
            stream: self.stream,
            float: self.float,
        };
        (self.io, Bucketer::new(params))
    }
}
