//! The command line of `bucket`: flags to [`Params`], examples in the help.

use clap::Parser;
use driver::IoArgs;
use error::Result;

use pandas::time::parse_step;

use crate::{parse_agg, Agg, Bucketer, Params};

/// Floor timestamps to a step and aggregate value columns by keys, as pandas'
/// `groupby([df.index.floor(STEP), *keys]).agg(...)` writes it with `to_csv`.
///
/// Output rows are sorted by bucket, then by each key as pandas sorts its column
/// (numbers by value, text by its bytes). A sum is an exact integer while every
/// value is an integer; one float or missing value makes the column float
/// (compensated summation, printed as Python prints floats). Without --every the
/// whole input is grouped by the keys alone. With no aggregate given, net_size
/// is summed. Memory grows with the number of groups, not rows.
#[derive(Parser, Debug)]
#[command(
    after_help = "Aggregates (--agg OP:COL[=NAME], repeatable, after --sum and --count):
  sum, size (rows, as --count), count (non-missing values), mean, min, max,
  first, last (non-missing, in row order), duration (max - min of a timestamp
  column, printed as pandas prints a Timedelta: 3 days 09:30:00).

Examples:
  bzcat scripts/sample/tracepoints.csv.bz2 | estimate |
      bucket --every 1h --by flow,msg_type --time-name freq -o hourly.csv.bz2
  bucket --every 1d --by flow,msg_type -o daily.csv.bz2 hourly.csv.bz2
  bucket --every 5min --by msg_type --sum size --count messages scripts/sample/tracepoints.csv.bz2
  bucket --every 1h --agg mean:connectioncount=mean --agg max:connectioncount=max \\
      tests/data/monitor/rpc/getconnectioncount/*.csv
  bucket --keep-incomplete --dropna=peer_id,peer_addr --by peer_id,peer_addr \\
      --agg duration:timestamp=connection_time tests/data/monitor/tracepoints/net/*
  tail -n +1 -F tests/data/monitor/tracepoints/net/2025-01-27.csv |
      estimate --dropna --ipv6-from peer_addr | bucket --every 1h --by flow --stream"
)]
pub struct Args {
    /// Bucket length: a count and a unit s, min (T), h (H) or d (D): 30s, 5min, 1h, 1d.
    /// Without it, the whole input is grouped by the keys alone (no time column).
    #[arg(long, value_name = "STEP", value_parser = parse_step)]
    every: Option<i64>,
    /// Key columns to group by, in output order (repeatable or comma-separated).
    #[arg(long, value_name = "COL,...", value_delimiter = ',')]
    by: Vec<String>,
    /// Value columns to sum, each COL or NAME=COL (repeatable or comma-separated)
    /// [default, when no aggregate is given: net_size].
    #[arg(long, value_name = "COL,...", value_delimiter = ',')]
    sum: Vec<String>,
    /// Also write the number of rows in each group, in a column named NAME.
    #[arg(long, value_name = "NAME")]
    count: Option<String>,
    /// Another aggregate: OP:COL or OP:COL=NAME (see below; repeatable).
    #[arg(long, value_name = "OP:COL[=NAME]", value_parser = parse_agg)]
    agg: Vec<Agg>,
    /// The timestamp column [default: the first column].
    #[arg(long, value_name = "COL")]
    time: Option<String>,
    /// The output's name for the bucket column (the notebook's files use `freq`)
    /// [default: the timestamp column's name].
    #[arg(long, value_name = "NAME")]
    time_name: Option<String>,
    /// Time-ordered input: write each bucket as soon as a row of a later one arrives.
    #[arg(long)]
    stream: bool,
    /// Print every sum as a float, as pandas does when a column had missing values.
    #[arg(long)]
    float: bool,
    /// Write pandas' unnamed row-number column (0, 1, ...) first, as `to_csv` writes a
    /// table whose index was reset.
    #[arg(long)]
    row_numbers: bool,
    #[command(flatten)]
    io: IoArgs,
}

impl driver::cli::Tool for Args {
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
            aggs: self.agg,
            stream: self.stream,
            float: self.float,
            row_numbers: self.row_numbers,
        };
        (self.io, Bucketer::new(params))
    }
}
