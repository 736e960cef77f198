//! The command line of `keep`: flags to [`Params`], examples in the help.

use clap::Parser;
use driver::IoArgs;
use error::Result;

use crate::{parse_column, Keep, Params};

/// Keep the named columns, in the order given, renamed where asked.
///
/// Each column is NAME, or NEW=NAME to write column NAME under the header NEW.
/// Fields are copied byte for byte; every other column is left out. --header
/// writes the input's header alone and reads no further (what a file holds,
/// compressed or not).
#[derive(Parser, Debug)]
#[command(after_help = "Examples:
  keep --cols timestamp,flow,msg_type,size tests/data/monitor/tracepoints/net/2025-01-24.csv.bz2
  keep --cols timestamp,payload_size=size,flow -o payload.csv.bz2 \\
      scripts/sample/tracepoints.csv.bz2
  estimate --dropna --ipv6-from peer_addr --ipv6-out ipv6 tests/data/monitor/tracepoints/net/* |
      keep --cols timestamp,ipv6,flow,msg_type,size
  keep --header scripts/sample/systemd.csv.bz2")]
pub struct Args {
    /// The columns to keep, in output order: NAME or NEW=NAME (repeatable or
    /// comma-separated).
    #[arg(long, short = 'c', value_name = "COL,...", value_delimiter = ',',
          value_parser = parse_column, required_unless_present = "header")]
    cols: Vec<(String, String)>,
    /// Write the header alone (the first line of the first input, as CSV) and read no
    /// further.
    #[arg(long, conflicts_with = "cols")]
    header: bool,
    #[command(flatten)]
    io: IoArgs,
}

impl driver::cli::Tool for Args {
    const NAME: &'static str = "keep";
    type Filter = Keep;

    fn into_parts(self) -> (IoArgs, Result<Keep>) {
        let params = Params {
            cols: self.cols,
            header: self.header,
        };
        (self.io, Keep::new(params))
    }
}
