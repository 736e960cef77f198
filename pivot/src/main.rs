//! `pivot`: the command line of the melt filter.

use std::process::ExitCode;

use clap::Parser;
use pivot::{parse_map, Params, Pivot};

/// Melt value columns into key/value rows, one output row per mapped column.
///
/// The defaults reproduce the notebook: `timestamp,IPIngressBytes,IPEgressBytes`
/// becomes `timestamp,flow,net_size` with flow `in` and `out`. Values are copied byte
/// for byte; a missing value (empty, NA, NaN, ...) gives no row, as pandas' stack().
#[derive(Parser, Debug)]
#[command(
    version,
    after_help = "Examples:
  bzcat systemd_preprocessed.csv.bz2 | pivot | bucket --every 1h --by flow --time-name freq
  pivot -o melted.csv.bz2 systemd_preprocessed.csv.bz2
  pivot --map IPIngressPackets=in --map IPEgressPackets=out --value packets ip.csv"
)]
struct Args {
    /// A column copied to every output row (repeatable) [default: the first column].
    #[arg(long = "id", value_name = "COL")]
    ids: Vec<String>,
    /// Melt column SRC into rows labelled LABEL (repeatable, in output order)
    /// [default: IPIngressBytes=in IPEgressBytes=out].
    #[arg(long = "map", value_name = "SRC=LABEL", value_parser = parse_map)]
    maps: Vec<(String, String)>,
    /// The name of the label column.
    #[arg(long, default_value = "flow", value_name = "NAME")]
    key: String,
    /// The name of the value column.
    #[arg(long, default_value = "net_size", value_name = "NAME")]
    value: String,
    #[command(flatten)]
    io: common::IoArgs,
}

fn main() -> ExitCode {
    let a = Args::parse();
    let mut params = Params {
        ids: a.ids,
        key: a.key,
        value: a.value,
        ..Params::default()
    };
    if !a.maps.is_empty() {
        params.maps = a.maps;
    }
    common::run("pivot", &a.io, Pivot::new(params))
}
