//! The command line of `estimate`: flags to [`Params`], examples in the help.

use clap::Parser;
use driver::IoArgs;
use error::Result;

use crate::{parse_also, Also, Estimator, Ipv6Source, Params};

/// Append `net_size`, the estimated TCP/IP bytes of each P2P message.
///
/// net_size = m + ceil(m / mss) * (ip + tcp), where m = size + overhead and
/// mss = mtu - ip - tcp; ip is the IPv6 header size when the row's ipv6 is true,
/// else the IPv4 one. Every input column passes through unchanged.
#[derive(Parser, Debug)]
#[command(after_help = "Examples:
  bzcat scripts/sample/tracepoints.csv.bz2 | estimate | head -3
  estimate -o with_net_size.csv.bz2 scripts/sample/tracepoints.csv.bz2
  estimate --ipv6-from peer_addr --ack-ratio 2 tests/data/monitor/tracepoints/net/2025-01-24.csv.bz2
  estimate --keep-incomplete --ipv6-from peer_addr tests/data/monitor/tracepoints/net/* |
      bucket --dropna --every 1d --by flow
  tail -n +1 -F tests/data/monitor/tracepoints/net/2025-01-27.csv |
      estimate --dropna --ipv6-from peer_addr | bucket --every 1h --by flow --stream")]
pub struct Args {
    /// Maximum transmission unit, in bytes.
    #[arg(long, default_value_t = Params::MTU, value_name = "BYTES")]
    mtu: u64,
    /// TCP header size (32: with the timestamp option).
    #[arg(long, default_value_t = Params::TCP_HEADER, value_name = "BYTES")]
    tcp_header: u64,
    /// IPv4 header size.
    #[arg(long, default_value_t = Params::IPV4_HEADER, value_name = "BYTES")]
    ipv4_header: u64,
    /// IPv6 header size.
    #[arg(long, default_value_t = Params::IPV6_HEADER, value_name = "BYTES")]
    ipv6_header: u64,
    /// Bitcoin P2P message overhead: magic, command, length and checksum.
    #[arg(long, default_value_t = Params::OVERHEAD, value_name = "BYTES")]
    overhead: u64,
    /// Also count one ACK (ip + tcp bytes) per R segments; net_size becomes fractional.
    #[arg(long, value_name = "R")]
    ack_ratio: Option<f64>,
    /// The message size column.
    #[arg(long, default_value = Params::SIZE_COL, value_name = "COL")]
    size_col: String,
    /// The boolean IPv6 column (True/False, true/false, 1/0).
    #[arg(
        long,
        default_value = Params::IPV6_COL,
        value_name = "COL",
        conflicts_with = "ipv6_from"
    )]
    ipv6_col: String,
    /// Derive IPv6 from an address column instead: an address containing `[` is IPv6.
    #[arg(long, value_name = "COL")]
    ipv6_from: Option<String>,
    /// The name of the appended column.
    #[arg(long, default_value = Params::OUT_COL, value_name = "COL")]
    out_col: String,
    /// Also append each row's IP version, True or False (as pandas writes booleans), in a
    /// column named COL, before the estimate.
    #[arg(long, value_name = "COL")]
    ipv6_out: Option<String>,
    /// Also append the P2P message size, size + overhead, in a column named COL, before the
    /// estimate (the study's message_size).
    #[arg(long, value_name = "COL")]
    message_col: Option<String>,
    /// Count segments and headers on the payload alone, leaving out the P2P header, as the
    /// study's overhead and peer analyses did (their tcpip_size); the default counts the
    /// message as it travels, header included.
    #[arg(long)]
    tcpip_from_payload: bool,
    /// Also append another estimate, in the same pass, under NAME: acks=R counts one ACK
    /// per R segments, payload cuts the payload alone into segments (repeatable; after the
    /// first estimate). Several analyses' columns from one reading of the data.
    #[arg(long, value_name = "NAME[,acks=R][,payload]", value_parser = parse_also)]
    also: Vec<Also>,
    #[command(flatten)]
    io: IoArgs,
}

impl driver::cli::Tool for Args {
    const NAME: &'static str = "estimate";
    type Filter = Estimator;

    fn into_parts(self) -> (IoArgs, Result<Estimator>) {
        let ipv6 = self
            .ipv6_from
            .map_or(Ipv6Source::Flag(self.ipv6_col), Ipv6Source::Address);
        let params = Params {
            mtu: self.mtu,
            tcp_header: self.tcp_header,
            ipv4_header: self.ipv4_header,
            ipv6_header: self.ipv6_header,
            overhead: self.overhead,
            ack_ratio: self.ack_ratio,
            size_col: self.size_col,
            ipv6,
            out_col: self.out_col,
            keep_incomplete: self.io.keep_incomplete,
            ipv6_out: self.ipv6_out,
            message_col: self.message_col,
            tcpip_from_payload: self.tcpip_from_payload,
            also: self.also,
        };
        (self.io, Estimator::new(params))
    }
}
