//! The command line of `pivot`: flags to [`Params`], examples in the help.

use clap::Parser;
use driver::IoArgs;
use error::Result;

use crate::{parse_map, Params, Pivot};

/// Melt value columns into key/value rows, one output row per mapped column.
///
/// The defaults reproduce the notebook: `timestamp,IPIngressBytes,IPEgressBytes`
/// becomes `timestamp,flow,net_size` with flow `in` and `out`. Values are copied byte
/// for byte; a missing value (empty, NA, NaN, ...) gives no row, as pandas' stack(), or
/// with --keep-incomplete a row with an empty value, for a later bucket --dropna (which so
/// learns that pandas' values are floats: stack() of a column with a missing value is).
#[derive(Parser, Debug)]
#[command(after_help = "Examples:
  bzcat scripts/sample/systemd.csv.bz2 | pivot | head -3
  pivot -o melted.csv.bz2 scripts/sample/systemd.csv.bz2
  bucket --every 1h --by flow --time-name freq melted.csv.bz2
  increase --dropna tests/data/monitor/systemd/ip_accounting/* |
      pivot --map IPIngressPackets=in --map IPEgressPackets=out --value packets")]
pub struct Args {
    /// A column copied to every output row (repeatable) [default: the first column].
    #[arg(long = "id", value_name = "COL")]
    ids: Vec<String>,
    /// Melt column SRC into rows labelled LABEL (repeatable, in output order).
    #[arg(long = "map", value_name = "SRC=LABEL", value_parser = parse_map,
          default_values = Params::MAPS)]
    maps: Vec<(String, String)>,
    /// The name of the label column.
    #[arg(long, default_value = Params::KEY, value_name = "NAME")]
    key: String,
    /// The name of the value column.
    #[arg(long, default_value = Params::VALUE, value_name = "NAME")]
    value: String,
    #[command(flatten)]
    io: IoArgs,
}

impl driver::cli::Tool for Args {
    const NAME: &'static str = "pivot";
    type Filter = Pivot;

    fn into_parts(self) -> (IoArgs, Result<Pivot>) {
        let params = Params {
            ids: self.ids,
            maps: self.maps,
            key: self.key,
            value: self.value,
            keep_incomplete: self.io.keep_incomplete,
        };
        (self.io, Pivot::new(params))
    }
}
