//! Writes reproducible synthetic Bitcoin P2P monitor data (tracepoints, systemd accounting) as CSV.
//!
//! The bundled sample and the benchmark are built from this, so the output imitates what
//! nix-bitcoin-monitor records on a listening node: a 5 s polling grid, ~15 messages/s, a churning
//! peer set, a real message mix with block-time bursts, and systemd byte counters that sit a few
//! percent above the notebook's TCP/IP estimate. Std only; the same seed always gives the same bytes,
//! and the tracepoint stream does not depend on `--format` or `--systemd`.
//!
//! `--format monitor` writes the bytes the monitor writes (Python's csv.DictWriter: CRLF line
//! ends, `2024-12-28T00:00:04Z` timestamps, its real columns; no field here ever needs quoting);
//! `--format preprocessed` writes the notebook's inputs as pandas' `to_csv` does (LF,
//! `2024-12-28 00:00:04+00:00`).

use std::f64::consts::TAU;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use estimate::{Estimator, NetSize, Params};

const USAGE: &str = "\
synth: write reproducible synthetic Bitcoin P2P monitor data as CSV

Usage: synth [--rows N] [--seed S] [--start YYYY-MM-DD] [--format preprocessed|monitor]
             --tracepoints FILE [--systemd FILE]

Options:
  --rows N          tracepoint rows to write (default 1000000; `_` allowed: 16_000_000)
  --seed S          PRNG seed, a u64 (default 1); same seed, same bytes
  --start DATE      first day, UTC; polls run every 5 s from DATE 00:00:04 (default 2024-12-28)
  --rate R          mean regular messages per 5 s poll at the typical peer count (default 68);
                    a small rate spreads few rows over many days, as the bundled sample does
  --format F        preprocessed (default): the notebook's inputs,
                      timestamp,ipv6,flow,msg_type,size and
                      timestamp,IPIngressBytes,IPEgressBytes (per-poll floats, rare gaps);
                    monitor: the monitor's raw layout, as it writes it (CRLF line ends,
                      2024-12-28T00:00:04Z timestamps),
                      timestamp,peer_id,peer_conn_type,peer_addr,flow,msg_type,size and
                      timestamp,IPIngressPackets,IPEgressPackets,IPIngressBytes,IPEgressBytes
                      (cumulative integer counters)
  --tracepoints F   where to write the P2P messages (`-` is stdout)
  --systemd F       also write one systemd row per poll over the same span (`-` is stdout)
  -h, --help        show this help

Output is plain CSV; compress it yourself, e.g. `synth --tracepoints - | bzip2 -9 > tp.csv.bz2`.
";

/// Flush threshold of the hand-rolled output buffers: big writes, few syscalls.
const CHUNK: usize = 1 << 16;
/// Mean regular messages per poll at full peer count; block bursts and handshakes top this up to
/// ~75 per poll (~15 messages/s).
const BASE_RATE: f64 = 68.0;
/// Blocks arrive as a Poisson process with a 600 s mean: a 5 s poll holds one with p = 5/600.
const BLOCK_P: f64 = 5.0 / 600.0;
/// Bitcoin Core's default connection limit.
const MAX_PEERS: usize = 125;
/// Peer count the message rate is calibrated for (the steady state of the churn model).
const TYPICAL_PEERS: f64 = 76.0;
/// One systemd row in ~2000 has one empty value, like the upstream data.
const GAP_P: f64 = 1.0 / 2000.0;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        // `synth ... | head` is normal use: a closed pipe is not an error.
        Err(Error::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Error::Usage(msg)) => {
            eprintln!("synth: {msg}\nTry `synth --help`.");
            ExitCode::from(2)
        }
        Err(Error::Io(e)) => {
            eprintln!("synth: {e}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug)]
enum Error {
    Usage(String),
    Io(io::Error),
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Preprocessed,
    Monitor,
}

impl Format {
    /// The line end: pandas' `to_csv` writes LF, the monitor's csv.DictWriter CRLF.
    fn eol(self) -> &'static [u8] {
        match self {
            Format::Preprocessed => b"\n",
            Format::Monitor => b"\r\n",
        }
    }
}

#[derive(Debug)]
struct Args {
    rows: u64,
    seed: u64,
    start_day: i64,
    rate: f64,
    format: Format,
    tracepoints: String,
    systemd: Option<String>,
}

fn run() -> Result<(), Error> {
    let Some(args) = parse_args(std::env::args().skip(1))? else {
        let mut out = io::stdout().lock();
        out.write_all(USAGE.as_bytes())?;
        return Ok(out.flush()?);
    };
    let mut tp = Sink::open(&args.tracepoints)?;
    let mut sd = match &args.systemd {
        Some(path) => Some(Sink::open(path)?),
        None => None,
    };
    generate(&args, &mut tp, sd.as_mut())?;
    tp.finish()?;
    if let Some(sd) = sd {
        sd.finish()?;
    }
    Ok(())
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, Error> {
    let usage = |m: String| Error::Usage(m);
    let mut args = Args {
        rows: 1_000_000,
        seed: 1,
        start_day: days_from_civil(2024, 12, 28),
        rate: BASE_RATE,
        format: Format::Preprocessed,
        tracepoints: String::new(),
        systemd: None,
    };
    let mut have_tp = false;
    while let Some(arg) = it.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        // Accept both `--opt value` and `--opt=value`.
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let known = [
            "--rows",
            "--seed",
            "--start",
            "--rate",
            "--format",
            "--tracepoints",
            "--systemd",
        ];
        if !known.contains(&name.as_str()) {
            return Err(usage(format!("unexpected argument `{arg}`")));
        }
        let value = match inline.or_else(|| it.next()) {
            Some(v) => v,
            None => return Err(usage(format!("{name} needs a value"))),
        };
        match name.as_str() {
            "--rows" => args.rows = parse_u64(&name, &value)?,
            "--seed" => args.seed = parse_u64(&name, &value)?,
            "--start" => {
                args.start_day = parse_date(&value)
                    .ok_or_else(|| usage(format!("--start wants YYYY-MM-DD, got `{value}`")))?;
            }
            "--rate" => {
                args.rate = value
                    .parse()
                    .ok()
                    .filter(|r: &f64| r.is_finite() && *r > 0.0)
                    .ok_or_else(|| {
                        usage(format!("--rate wants a positive number, got `{value}`"))
                    })?;
            }
            "--format" => {
                args.format = match value.as_str() {
                    "preprocessed" => Format::Preprocessed,
                    "monitor" => Format::Monitor,
                    _ => {
                        return Err(usage(format!(
                            "--format is preprocessed or monitor, got `{value}`"
                        )))
                    }
                };
            }
            "--tracepoints" => {
                args.tracepoints = value;
                have_tp = true;
            }
            _ => args.systemd = Some(value),
        }
    }
    if !have_tp {
        return Err(usage("--tracepoints FILE is required".to_string()));
    }
    let outputs = std::iter::once(&args.tracepoints).chain(args.systemd.as_ref());
    for path in outputs.clone() {
        // Plain CSV under a .bz2 name would mislead every later reader.
        if path.ends_with(".bz2") {
            return Err(usage(format!(
                "`{path}`: synth writes plain CSV; pipe `-` through bzip2 instead"
            )));
        }
    }
    if outputs.filter(|p| p.as_str() == "-").count() > 1 {
        return Err(usage("only one output can be stdout".to_string()));
    }
    Ok(Some(args))
}

fn parse_u64(name: &str, value: &str) -> Result<u64, Error> {
    value.replace('_', "").parse().map_err(|_| {
        Error::Usage(format!(
            "{name} wants a non-negative integer, got `{value}`"
        ))
    })
}

fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: i64 = s.get(5..7)?.parse().ok()?;
    let d: i64 = s.get(8..10)?.parse().ok()?;
    let day = days_from_civil(y, m, d);
    // Round-tripping rejects 2024-02-30 and friends.
    (civil_from_days(day) == (y, m, d)).then_some(day)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Writes a poll's timestamp once; every row of the poll reuses the bytes.
fn format_timestamp(secs: i64, format: Format, out: &mut Vec<u8>) {
    out.clear();
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    let two = |out: &mut Vec<u8>, v: i64| {
        out.extend_from_slice(&[b'0' + (v / 10) as u8, b'0' + (v % 10) as u8])
    };
    two(out, y / 100);
    two(out, y % 100);
    out.push(b'-');
    two(out, mo);
    out.push(b'-');
    two(out, d);
    out.push(if format == Format::Monitor {
        b'T'
    } else {
        b' '
    });
    two(out, sod / 3600);
    out.push(b':');
    two(out, sod / 60 % 60);
    out.push(b':');
    two(out, sod % 60);
    out.extend_from_slice(if format == Format::Monitor {
        b"Z"
    } else {
        b"+00:00"
    });
}

/// Decimal formatting through a stack buffer: no allocation per row.
fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// An output: rows are appended to `buf` and handed to the file or stdout in large chunks.
struct Sink {
    buf: Vec<u8>,
    w: Box<dyn Write>,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink")
            .field("buffered", &self.buf.len())
            .finish()
    }
}

impl Sink {
    fn open(path: &str) -> Result<Self, Error> {
        let w: Box<dyn Write> = if path == "-" {
            Box::new(io::stdout().lock())
        } else {
            let file = File::create(path)
                .map_err(|e| Error::Io(io::Error::new(e.kind(), format!("{path}: {e}"))))?;
            Box::new(BufWriter::with_capacity(CHUNK, file))
        };
        Ok(Sink {
            buf: Vec::with_capacity(CHUNK + 4096),
            w,
        })
    }

    fn maybe_flush(&mut self) -> io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.w.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.w.write_all(&self.buf)?;
        self.w.flush()
    }
}

/// xoshiro256** seeded through splitmix64: fast, well mixed, and fully specified here so the
/// output never changes with a dependency update.
#[derive(Debug, Clone)]
struct Rng {
    s: [u64; 4],
}

impl Rng {
    fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut splitmix = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [splitmix(), splitmix(), splitmix(), splitmix()],
        }
    }

    fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in 0..n (Lemire's multiply-high; the tiny bias is irrelevant here).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in lo..=hi.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in the open interval (0, 1), so `ln` is always finite.
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal (Box-Muller, one value per call: simpler than caching the twin).
    fn normal(&mut self) -> f64 {
        (-2.0 * self.unit().ln()).sqrt() * (TAU * self.unit()).cos()
    }

    /// Failures before the first success at probability p: 0, 1, 2, ...
    fn geometric(&mut self, p: f64) -> u64 {
        (self.unit().ln() / (1.0 - p).ln()) as u64
    }

    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conn {
    OutboundFullRelay,
    BlockRelayOnly,
    Inbound,
    Manual,
}

impl Conn {
    fn name(self) -> &'static [u8] {
        match self {
            Conn::OutboundFullRelay => b"outbound-full-relay",
            Conn::BlockRelayOnly => b"block-relay-only",
            Conn::Inbound => b"inbound",
            Conn::Manual => b"manual",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Net {
    Ipv4,
    Ipv6,
    Onion,
}

#[derive(Debug, Clone)]
struct Peer {
    id: u64,
    conn: Conn,
    net: Net,
    /// `host:port` as the monitor prints it; built once per connection.
    addr: Vec<u8>,
    /// Crawlers and spy nodes: connect, ask for addresses, leave within a minute or so.
    short_lived: bool,
    /// Old clients without BIP155 get `addr` instead of `addrv2`.
    addrv2: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Inv,
    Tx,
    GetData,
    Ping,
    Pong,
    AddrV2,
    Addr,
    FeeFilter,
    NotFound,
    Headers,
    GetHeaders,
    SendCmpct,
    Version,
    Verack,
    WtxidRelay,
    SendAddrV2,
    SendHeaders,
    GetAddr,
    CmpctBlock,
    GetBlockTxn,
    BlockTxn,
    Block,
}

impl Kind {
    fn name(self) -> &'static [u8] {
        match self {
            Kind::Inv => b"inv",
            Kind::Tx => b"tx",
            Kind::GetData => b"getdata",
            Kind::Ping => b"ping",
            Kind::Pong => b"pong",
            Kind::AddrV2 => b"addrv2",
            Kind::Addr => b"addr",
            Kind::FeeFilter => b"feefilter",
            Kind::NotFound => b"notfound",
            Kind::Headers => b"headers",
            Kind::GetHeaders => b"getheaders",
            Kind::SendCmpct => b"sendcmpct",
            Kind::Version => b"version",
            Kind::Verack => b"verack",
            Kind::WtxidRelay => b"wtxidrelay",
            Kind::SendAddrV2 => b"sendaddrv2",
            Kind::SendHeaders => b"sendheaders",
            Kind::GetAddr => b"getaddr",
            Kind::CmpctBlock => b"cmpctblock",
            Kind::GetBlockTxn => b"getblocktxn",
            Kind::BlockTxn => b"blocktxn",
            Kind::Block => b"block",
        }
    }

    /// Block-relay-only peers never see transaction or address relay.
    fn tx_relay(self) -> bool {
        matches!(
            self,
            Kind::Inv
                | Kind::Tx
                | Kind::GetData
                | Kind::AddrV2
                | Kind::Addr
                | Kind::FeeFilter
                | Kind::NotFound
        )
    }
}

/// Background mix, in thousandths of messages (ping counts double: each brings its pong).
/// Shaped after a listening node's counts: inventory gossip dominates, then transactions.
const MIX: [(Kind, u16, u16); 9] = [
    // (kind, weight, share of `in` in thousandths)
    (Kind::Inv, 586, 560),
    (Kind::Tx, 200, 560),
    (Kind::GetData, 100, 540),
    (Kind::Ping, 35, 500),
    // Sent as legacy `addr` to peers without BIP155.
    (Kind::AddrV2, 39, 600),
    (Kind::FeeFilter, 15, 500),
    (Kind::NotFound, 9, 500),
    (Kind::Headers, 10, 500),
    (Kind::GetHeaders, 6, 500),
];

#[derive(Debug, Clone, Copy)]
struct Msg {
    /// Index into the poll's peer table (stable within a poll).
    peer: u32,
    inbound: bool,
    kind: Kind,
    size: u32,
}

/// The node and its peers; all randomness of the tracepoint stream flows from `rng`.
#[derive(Debug)]
struct Sim {
    rng: Rng,
    peers: Vec<Peer>,
    next_id: u64,
    /// Slow AR(1) drift of the inbound connection rate, so the peer count wanders over days.
    drift: f64,
    /// Polls since the node started, for the reconnection wave right after start.
    polls: u64,
    /// Rate multipliers for this and the next polls after a block (mempool churn follows blocks).
    burst: [f64; 3],
    /// Mean regular messages per poll at the typical peer count.
    rate: f64,
    msgs: Vec<Msg>,
    events: Vec<Msg>,
}

impl Sim {
    fn new(seed: u64, rate: f64) -> Self {
        let mut sim = Sim {
            rng: Rng::new(seed),
            rate,
            peers: Vec::with_capacity(MAX_PEERS),
            next_id: 0,
            drift: 0.0,
            polls: 0,
            burst: [1.0; 3],
            msgs: Vec::with_capacity(1024),
            events: Vec::with_capacity(1024),
        };
        // The monitor starts with the node: the default 8 full-relay and 2 block-relay-only
        // outbound connections plus one manual peer shake hands first, inbound peers trickle in.
        for conn in [
            [Conn::OutboundFullRelay; 8].as_slice(),
            &[Conn::BlockRelayOnly; 2],
            &[Conn::Manual],
        ]
        .concat()
        {
            sim.connect(conn, false);
        }
        sim
    }

    fn connect(&mut self, conn: Conn, short_lived: bool) {
        let rng = &mut self.rng;
        let r = rng.below(100);
        let net = if r < 15 {
            Net::Ipv6
        } else if r < 25 {
            Net::Onion
        } else {
            Net::Ipv4
        };
        // Outbound peers listen on 8333 (a few on other ports); inbound ones show an ephemeral port.
        let port = if (conn == Conn::Inbound && net != Net::Onion) || rng.chance(0.05) {
            rng.range(1024, 65_535)
        } else {
            8333
        };
        // Documentation prefixes only (RFC 5737, RFC 3849): synthetic data names no real host.
        let addr = match net {
            Net::Ipv4 => {
                let prefix = ["192.0.2", "198.51.100", "203.0.113"][rng.below(3) as usize];
                format!("{prefix}.{}:{port}", rng.range(1, 254))
            }
            Net::Ipv6 => format!(
                "[2001:db8:{:x}:{:x}::{:x}]:{port}",
                rng.below(0x1_0000),
                rng.below(0x1_0000),
                rng.range(1, 0xffff)
            ),
            Net::Onion => {
                const B32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
                let mut s: String = (0..55)
                    .map(|_| B32[rng.below(32) as usize] as char)
                    .collect();
                // A v3 onion address ends in its version byte, which base32-encodes to `d`.
                s.push('d');
                format!("{s}.onion:{port}")
            }
        };
        let addrv2 = !rng.chance(0.08);
        let peer = Peer {
            id: self.next_id,
            conn,
            net,
            addr: addr.into_bytes(),
            short_lived,
            addrv2,
        };
        self.next_id += 1;
        self.peers.push(peer);
        let idx = self.peers.len() - 1;
        self.handshake(idx);
    }

    fn push(&mut self, peer: usize, inbound: bool, kind: Kind, size: u64) {
        self.events.push(Msg {
            peer: peer as u32,
            inbound,
            kind,
            size: size as u32,
        });
    }

    /// The version handshake and the feature negotiation that follows it, as Bitcoin Core does it.
    fn handshake(&mut self, p: usize) {
        let peer = &self.peers[p];
        let (conn, outbound, crawler, addrv2) = (
            peer.conn,
            peer.conn != Conn::Inbound,
            peer.short_lived,
            peer.addrv2,
        );
        // Our version carries "/Satoshi:28.0.0/" (86 + 16 bytes); peers' user agents vary.
        let theirs = 86 + self.rng.range(10, 60);
        let first = outbound; // the connecting side speaks first
        self.push(p, !first, Kind::Version, if first { 102 } else { theirs });
        self.push(p, first, Kind::Version, if first { theirs } else { 102 });
        for inbound in [first, !first] {
            if addrv2 {
                self.push(p, inbound, Kind::WtxidRelay, 0);
                self.push(p, inbound, Kind::SendAddrV2, 0);
            }
            self.push(p, inbound, Kind::Verack, 0);
        }
        if crawler {
            // Crawlers only want addresses.
            self.push(p, true, Kind::GetAddr, 0);
            let n = self.rng.range(200, 1000);
            let size = self.addr_payload(n, addrv2);
            self.push(
                p,
                false,
                if addrv2 { Kind::AddrV2 } else { Kind::Addr },
                size,
            );
            return;
        }
        for inbound in [false, true] {
            self.push(p, inbound, Kind::SendHeaders, 0);
            self.push(p, inbound, Kind::SendCmpct, 9);
            self.push(p, inbound, Kind::Ping, 8);
            self.push(p, !inbound, Kind::Pong, 8);
        }
        // Each side asks for headers with a ~30-entry block locator; synced nodes answer empty.
        for inbound in [!outbound, outbound] {
            let locator = self.rng.range(28, 33);
            self.push(p, inbound, Kind::GetHeaders, 4 + 1 + 32 * locator + 32);
            let n = if self.rng.chance(0.8) {
                0
            } else {
                self.rng.range(1, 3)
            };
            self.push(p, !inbound, Kind::Headers, 1 + 81 * n);
        }
        if conn != Conn::BlockRelayOnly {
            self.push(p, false, Kind::FeeFilter, 8);
            self.push(p, true, Kind::FeeFilter, 8);
            if outbound {
                // We fill our address manager from outbound peers: up to 1000 addresses.
                self.push(p, false, Kind::GetAddr, 0);
                let n = self.rng.range(300, 1000);
                let size = self.addr_payload(n, addrv2);
                self.push(
                    p,
                    true,
                    if addrv2 { Kind::AddrV2 } else { Kind::Addr },
                    size,
                );
            } else {
                // Inbound listeners announce their own address.
                let size = self.addr_payload(1, addrv2);
                self.push(
                    p,
                    true,
                    if addrv2 { Kind::AddrV2 } else { Kind::Addr },
                    size,
                );
            }
        }
    }

    /// Size of an addr/addrv2 message with n entries (mixed IPv4/IPv6/onion for addrv2).
    fn addr_payload(&mut self, n: u64, addrv2: bool) -> u64 {
        let count_len = if n < 253 { 1 } else { 3 };
        if !addrv2 {
            return count_len + 30 * n;
        }
        // time 4 + services CompactSize 3 + network 1 + length 1 + address + port 2.
        let mut size = count_len;
        for _ in 0..n.min(16) {
            let r = self.rng.below(100);
            size += 11
                + if r < 60 {
                    4
                } else if r < 80 {
                    16
                } else {
                    32
                };
        }
        if n > 16 {
            // Large answers: the mix averages out, no need to draw every entry.
            size += (n - 16) * 21;
        }
        size
    }

    /// A random peer for a background message; block-relay-only peers are redrawn for tx relay.
    fn pick_peer(&mut self, kind: Kind) -> usize {
        let n = self.peers.len() as u64;
        let mut p = self.rng.below(n) as usize;
        if kind.tx_relay() {
            for _ in 0..3 {
                if self.peers[p].conn != Conn::BlockRelayOnly {
                    break;
                }
                p = self.rng.below(n) as usize;
            }
        }
        p
    }

    /// Peer churn at the start of a poll: inbound peers come and go, lost outbound slots refill.
    fn churn(&mut self) {
        let rng = &mut self.rng;
        self.drift = 0.9995 * self.drift + 0.4 * (1.0f64 - 0.9995 * 0.9995).sqrt() * rng.normal();
        // Known peers reconnect in a wave during the first half hour after the node starts.
        let wave = 0.25 * (-(self.polls as f64) / 200.0).exp();
        self.polls += 1;
        let connect_p = 0.05 * self.drift.exp() + wave;
        let crawler = rng.chance(0.02);
        let regular = rng.chance(connect_p);
        // Crawlers leave within a minute or so (hazard 0.15 per poll each).
        let mut i = 0;
        while i < self.peers.len() {
            if self.peers[i].short_lived && rng.chance(0.15) {
                self.peers.swap_remove(i);
            } else {
                i += 1;
            }
        }
        // Long-lived peers: drop at most one per poll, picking a victim and scaling its hazard by
        // the peer count so each peer has that hazard (inbound ~1/1300 per poll, outbound rarer).
        let victim = rng.below(self.peers.len() as u64) as usize;
        let hazard = match self.peers[victim].conn {
            _ if self.peers[victim].short_lived => 0.0,
            Conn::Inbound => 0.000_77,
            Conn::Manual => 0.0,
            _ => 0.000_1,
        };
        if rng.chance(hazard * self.peers.len() as f64) {
            let lost = self.peers.swap_remove(victim);
            if lost.conn != Conn::Inbound {
                self.connect(lost.conn, false);
            }
        }
        if crawler && self.peers.len() < MAX_PEERS {
            self.connect(Conn::Inbound, true);
        }
        if regular && self.peers.len() < MAX_PEERS {
            self.connect(Conn::Inbound, false);
        }
    }

    /// Announcement and relay of a new block: compact blocks from/to high-bandwidth peers,
    /// headers to and from everyone else, the odd block transaction round trip or full block.
    fn block(&mut self) {
        let block_size = self.rng.range(1_000_000, 2_000_000);
        let ntx = block_size / 600;
        let cmpct = 80 + 8 + 3 + 6 * (ntx - 1) + 1 + 1 + self.rng.range(180, 400);
        let n = self.peers.len();
        let outbound: Vec<usize> = (0..n)
            .filter(|&i| self.peers[i].conn != Conn::Inbound)
            .collect();
        let hb_in = self.rng.range(1, 3) as usize;
        let mut seen = vec![false; n];
        for _ in 0..hb_in {
            let p = if outbound.is_empty() {
                self.rng.below(n as u64) as usize
            } else {
                outbound[self.rng.below(outbound.len() as u64) as usize]
            };
            seen[p] = true;
            self.push(p, true, Kind::CmpctBlock, cmpct);
        }
        let hb_out = self.rng.range(0, 3);
        for _ in 0..hb_out {
            let p = self.rng.below(n as u64) as usize;
            seen[p] = true;
            self.push(p, false, Kind::CmpctBlock, cmpct);
        }
        for (p, &already) in seen.iter().enumerate() {
            if already || self.peers[p].short_lived {
                continue;
            }
            let r = self.rng.below(100);
            if r < 40 {
                self.push(p, true, Kind::Headers, 82);
            } else if r < 90 {
                self.push(p, false, Kind::Headers, 82);
            } else if r < 95 {
                self.push(p, r < 93, Kind::Inv, 37);
            }
        }
        if self.rng.chance(0.25) {
            // Our mempool missed some transactions of the block.
            let p = self.rng.below(n as u64) as usize;
            let k = self.rng.range(1, 20);
            self.push(p, false, Kind::GetBlockTxn, 32 + 1 + k * 2);
            let txs = (0..k).map(|_| self.tx_size()).sum::<u64>();
            self.push(p, true, Kind::BlockTxn, 32 + 1 + txs);
        }
        if self.rng.chance(0.3) {
            let p = self.rng.below(n as u64) as usize;
            let k = self.rng.range(1, 10);
            self.push(p, true, Kind::GetBlockTxn, 32 + 1 + k * 2);
            let txs = (0..k).map(|_| self.tx_size()).sum::<u64>();
            self.push(p, false, Kind::BlockTxn, 32 + 1 + txs);
        }
        if self.rng.chance(0.3) {
            // A lagging or low-bandwidth peer fetches the full block from us.
            let p = self.rng.below(n as u64) as usize;
            self.push(p, true, Kind::GetData, 37);
            self.push(p, false, Kind::Block, block_size);
        }
        if self.rng.chance(0.03) {
            // Compact block reconstruction failed: fetch it whole.
            let p = self.rng.below(n as u64) as usize;
            self.push(p, false, Kind::GetData, 37);
            self.push(p, true, Kind::Block, block_size);
        }
    }

    /// Raw transaction sizes: lognormal around 330 bytes, a thin tail of large ones up to 100 kB.
    fn tx_size(&mut self) -> u64 {
        if self.rng.chance(0.003) {
            return (5_000.0 * (20.0f64.ln() * self.rng.unit()).exp()) as u64;
        }
        (self.rng.lognormal(330.0, 0.6) as u64).clamp(82, 100_000)
    }

    /// Inventory-style payloads: CompactSize count + 36 bytes per (type, hash) entry.
    fn inv_size(k: u64) -> u64 {
        (if k < 253 { 1 } else { 3 }) + 36 * k
    }

    fn background(&mut self) {
        let (mut kind, weight_in) = {
            let mut r = self.rng.below(1000) as u16;
            let mut pick = MIX[0];
            for m in MIX {
                if r < m.1 {
                    pick = m;
                    break;
                }
                r -= m.1;
            }
            (pick.0, pick.2)
        };
        let p = self.pick_peer(kind);
        if kind == Kind::AddrV2 && !self.peers[p].addrv2 {
            kind = Kind::Addr;
        }
        let inbound = self.rng.below(1000) < u64::from(weight_in);
        let rng = &mut self.rng;
        let size = match kind {
            Kind::Inv => {
                // Trickled announcements hold a few entries; rarely a flood of hundreds.
                let k = if rng.chance(0.002) {
                    rng.range(100, 1000)
                } else {
                    1 + rng.geometric(0.3)
                };
                Self::inv_size(k.min(50_000))
            }
            Kind::GetData => Self::inv_size(1 + rng.geometric(0.45)),
            Kind::NotFound => Self::inv_size(1 + rng.geometric(0.7)),
            Kind::Tx => self.tx_size(),
            Kind::Ping => {
                self.msgs.push(Msg {
                    peer: p as u32,
                    inbound,
                    kind: Kind::Ping,
                    size: 8,
                });
                self.msgs.push(Msg {
                    peer: p as u32,
                    inbound: !inbound,
                    kind: Kind::Pong,
                    size: 8,
                });
                return;
            }
            Kind::AddrV2 | Kind::Addr => {
                let r = rng.below(100);
                let n = if r < 80 {
                    1
                } else if r < 95 {
                    2
                } else {
                    rng.range(3, 10)
                };
                self.addr_payload(n, kind == Kind::AddrV2)
            }
            Kind::FeeFilter => 8,
            Kind::Headers => {
                // Mostly empty answers to getheaders; sometimes a header or two.
                if rng.chance(0.7) {
                    1
                } else {
                    1 + 81 * rng.range(1, 2)
                }
            }
            Kind::GetHeaders => 4 + 1 + 32 * rng.range(28, 33) + 32,
            _ => 0,
        };
        self.msgs.push(Msg {
            peer: p as u32,
            inbound,
            kind,
            size: size as u32,
        });
    }

    /// All messages of one poll, in `self.msgs`: the poll's events (handshakes, a block), then
    /// background gossip.
    fn poll(&mut self, secs: i64) {
        self.msgs.clear();
        self.churn();
        if self.rng.chance(BLOCK_P) {
            self.block();
            self.burst = [1.8, 1.4, 1.2];
        }
        // A daily swing of +-15 % (peak in the European evening) and more peers, more gossip.
        let day_phase = secs.rem_euclid(86_400) as f64 / 86_400.0;
        let diurnal = 1.0 + 0.15 * (TAU * (day_phase - 0.55)).sin();
        let peers = 0.3 + 0.7 * self.peers.len() as f64 / TYPICAL_PEERS;
        let lambda = self.rate * diurnal * peers * self.burst[0];
        self.burst = [self.burst[1], self.burst[2], 1.0];
        // Poisson-ish with some overdispersion: real gossip is burstier than Poisson.
        let n = (lambda + 1.3 * lambda.sqrt() * self.rng.normal())
            .round()
            .max(1.0) as usize;
        // Events first, so a new peer's handshake precedes its gossip within the shared timestamp.
        // `append` also empties `events` for the next poll (the first poll's hold the handshakes
        // of the startup connections).
        self.msgs.append(&mut self.events);
        for _ in 0..n {
            self.background();
        }
    }
}

/// Estimated wire bytes and TCP segments of a message, by `estimate`'s own model with the
/// notebook's constants (the same code the filter runs).
fn wire(model: &Estimator, size: u64, ipv6: bool) -> (u64, u64) {
    match (model.net_size(size, ipv6), model.segments(size, ipv6)) {
        (Some(NetSize::Bytes(bytes)), Some(segments)) => (bytes, segments),
        // Unreachable: synthetic sizes are small and the notebook's model counts no ACKs.
        _ => (0, 0),
    }
}

/// Systemd IP accounting for one poll: the poll's estimated wire bytes scaled by a slowly
/// drifting 1.05-1.10 factor (ACKs, retransmits, TCP options) plus a little background traffic,
/// so the notebook's estimate-vs-empirical check sees a plausible few-percent gap. Its own PRNG
/// keeps the tracepoints independent of it.
#[derive(Debug)]
struct Systemd {
    rng: Rng,
    factor: [f64; 2],
    /// Cumulative counters for the raw monitor layout: packets in/out, bytes in/out.
    total: [u64; 4],
    /// The notebook's estimate of a message's wire bytes.
    model: Estimator,
}

impl Systemd {
    fn row(&mut self, format: Format, ts: &[u8], msgs: &[Msg], peers: &[Peer], out: &mut Vec<u8>) {
        // [bytes, segments] per direction, 0 = in, 1 = out.
        let mut acc = [[0u64; 2]; 2];
        for m in msgs {
            let ipv6 = peers[m.peer as usize].net == Net::Ipv6;
            let (bytes, segments) = wire(&self.model, u64::from(m.size), ipv6);
            let dir = usize::from(!m.inbound);
            acc[dir][0] += bytes;
            acc[dir][1] += segments;
        }
        let mut bytes = [0u64; 2];
        let mut packets = [0u64; 2];
        for dir in 0..2 {
            let f = &mut self.factor[dir];
            *f = (*f + 0.002 * self.rng.normal()).clamp(1.05, 1.10);
            let background = -60.0 * self.rng.unit().ln();
            bytes[dir] = (acc[dir][0] as f64 * *f + background).round() as u64;
            // Packets: the data segments plus delayed ACKs, one per two segments coming the other way.
            packets[dir] = acc[dir][1] + acc[1 - dir][1].div_ceil(2) + (background / 60.0) as u64;
        }
        // The upstream data has gaps: one value in ~2000 rows is missing.
        let gap = if self.rng.chance(GAP_P) {
            self.rng.below(2) as usize
        } else {
            2
        };
        out.extend_from_slice(ts);
        match format {
            Format::Preprocessed => {
                for (dir, b) in bytes.iter().enumerate() {
                    out.push(b',');
                    if dir != gap {
                        push_u64(out, *b);
                        out.extend_from_slice(b".0");
                    }
                }
            }
            Format::Monitor => {
                for (i, v) in [packets[0], packets[1], bytes[0], bytes[1]]
                    .into_iter()
                    .enumerate()
                {
                    self.total[i] += v;
                    out.push(b',');
                    // A gap blanks both counters of that direction; counting goes on underneath.
                    if i % 2 != gap {
                        push_u64(out, self.total[i]);
                    }
                }
            }
        }
        out.extend_from_slice(format.eol());
    }
}

fn generate(args: &Args, tp: &mut Sink, mut sd: Option<&mut Sink>) -> Result<(), Error> {
    let fmt = args.format;
    tp.buf.extend_from_slice(match fmt {
        Format::Preprocessed => b"timestamp,ipv6,flow,msg_type,size".as_slice(),
        Format::Monitor => b"timestamp,peer_id,peer_conn_type,peer_addr,flow,msg_type,size",
    });
    tp.buf.extend_from_slice(fmt.eol());
    if let Some(sd) = sd.as_deref_mut() {
        sd.buf.extend_from_slice(match fmt {
            Format::Preprocessed => b"timestamp,IPIngressBytes,IPEgressBytes".as_slice(),
            Format::Monitor => {
                b"timestamp,IPIngressPackets,IPEgressPackets,IPIngressBytes,IPEgressBytes"
            }
        });
        sd.buf.extend_from_slice(fmt.eol());
    }
    let mut sim = Sim::new(args.seed, args.rate);
    let mut systemd = Systemd {
        rng: Rng::new(args.seed ^ 0x5157_E3D0_5157_E3D0),
        factor: [1.07, 1.07],
        total: [0; 4],
        model: match Estimator::new(Params::default()) {
            Ok(model) => model,
            Err(e) => return Err(Error::Usage(e.to_string())),
        },
    };
    let mut ts = Vec::with_capacity(32);
    let mut left = args.rows;
    let mut secs = args.start_day * 86_400 + 4;
    while left > 0 {
        sim.poll(secs);
        format_timestamp(secs, fmt, &mut ts);
        // The last poll is cut short so exactly --rows rows come out.
        let take = sim
            .msgs
            .len()
            .min(usize::try_from(left).unwrap_or(usize::MAX));
        let msgs = &sim.msgs[..take];
        for m in msgs {
            let peer = &sim.peers[m.peer as usize];
            let out = &mut tp.buf;
            out.extend_from_slice(&ts);
            out.push(b',');
            if fmt == Format::Preprocessed {
                out.extend_from_slice(if peer.net == Net::Ipv6 {
                    b"True"
                } else {
                    b"False"
                });
            } else {
                push_u64(out, peer.id);
                out.push(b',');
                out.extend_from_slice(peer.conn.name());
                out.push(b',');
                out.extend_from_slice(&peer.addr);
            }
            out.extend_from_slice(if m.inbound { b",in," } else { b",out," });
            out.extend_from_slice(m.kind.name());
            out.push(b',');
            push_u64(out, u64::from(m.size));
            out.extend_from_slice(fmt.eol());
            tp.maybe_flush()?;
        }
        if let Some(sd) = sd.as_deref_mut() {
            systemd.row(fmt, &ts, msgs, &sim.peers, &mut sd.buf);
            sd.maybe_flush()?;
        }
        left -= take as u64;
        secs += 5;
    }
    Ok(())
}
