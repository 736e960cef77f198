//! The command line of `widen`: flags to [`Params`], examples in the help.

use clap::Parser;
use driver::IoArgs;
use error::Result;

use crate::{Params, Widen};

/// Turn a long table wide: one column per distinct value of --key holding its --value, one
/// row per distinct --index, as pandas' `pivot(index=..., columns=KEY, values=VALUE)`
/// writes it with `to_csv`.
///
/// The inverse of pivot's melt, and the study's validation step: `.fillna(0)`
/// and `.astype(int)` are --fill 0 --int, setting negative values to 0 is
/// --clip-lower 0. Rows and columns are sorted as pandas sorts them: numbers as
/// numbers, text by its bytes, a missing value first. Cells print as pandas prints
/// the wide table: one missing cell makes integers floats (5.0), unless --int. A
/// second value for the same index and key is an error naming both lines. The
/// table is held in memory until the end.
#[derive(Parser, Debug)]
#[command(after_help = "Examples:
  scripts/aggregate.sh    # the bundled sample's four long tables, here
  widen --index freq,msg_type data_est_hourly.csv.bz2
  widen --index freq,msg_type --fill 0 --int -o validation_est_hourly.csv data_est_hourly.csv.bz2
  widen --index freq --fill 0 --int --clip-lower 0 data_emp_daily.csv.bz2
  bzcat scripts/sample/systemd.csv.bz2 | pivot | widen --index timestamp
  bucket --every 1d --by flow data_emp_hourly.csv.bz2 | widen --index freq --fill 0 --int")]
pub struct Args {
    /// The column whose values become the output's columns.
    #[arg(long, default_value = Params::KEY, value_name = "COL")]
    key: String,
    /// The column whose values fill the cells.
    #[arg(long, default_value = Params::VALUE, value_name = "COL")]
    value: String,
    /// The columns that make a row, in output order (repeatable or comma-separated)
    /// [default: every column but --key and --value, in input order].
    #[arg(long, value_name = "COL,...", value_delimiter = ',')]
    index: Vec<String>,
    /// What a missing cell gets, as pandas' fillna(VALUE) [default: nothing, an empty
    /// field, as pandas writes NaN].
    #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
    fill: Option<String>,
    /// Truncate every value toward zero to an integer, as pandas' astype(int)
    /// (12.7 is 12, -0.5 is 0); a missing cell then needs --fill.
    #[arg(long)]
    int: bool,
    /// Set every value below N to N (after --int), as df.loc[df[c] < N, c] = N.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    clip_lower: Option<i64>,
    #[command(flatten)]
    io: IoArgs,
}

impl driver::cli::Tool for Args {
    const NAME: &'static str = "widen";
    type Filter = Widen;

    fn into_parts(self) -> (IoArgs, Result<Widen>) {
        let params = Params {
            key: self.key,
            value: self.value,
            index: self.index,
            fill: self.fill,
            int: self.int,
            clip_lower: self.clip_lower,
        };
        (self.io, Widen::new(params))
    }
}
