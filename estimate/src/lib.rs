//! Appends `net_size`, the estimated TCP/IP bytes of each P2P message, to every row.
//!
//! The model (the notebook's): a message of `size` payload bytes travels as
//! `m = size + overhead` application bytes, cut into `ceil(m / mss)` TCP segments of at most
//! `mss = mtu - ip - tcp` bytes, each carrying `ip + tcp` header bytes.

pub mod cli;

use std::io::Write;

use driver::Filter;
use error::{Error, Result};
use itertools::Itertools;
use pandas::num::{is_missing, parse_u64, word_digits, write_int, write_py_float, write_u64};
use table::{find_column, Record, Writer};

/// Where a row's IP version comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ipv6Source {
    /// A boolean column (`True`/`False`, `true`/`false`, `1`/`0`).
    Flag(String),
    /// An address column: an address containing `[` (`[2001:db8::1]:8333`) is IPv6.
    Address(String),
}

/// The model's constants and the columns it reads and writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub mtu: u64,
    pub tcp_header: u64,
    pub ipv4_header: u64,
    pub ipv6_header: u64,
    pub overhead: u64,
    /// Segments per ACK; `Some` adds an ACK estimate and makes `net_size` a float.
    pub ack_ratio: Option<f64>,
    pub size_col: String,
    pub ipv6: Ipv6Source,
    pub out_col: String,
    /// A missing size (or IPv6 flag) gives an empty estimate instead of an error
    /// (`--keep-incomplete`: pandas' NaN in, NaN out).
    pub keep_incomplete: bool,
    /// Also append the row's IP version as `True`/`False`, under this name.
    pub ipv6_out: Option<String>,
    /// Also append the P2P message size (`size + overhead`), under this name.
    pub message_col: Option<String>,
    /// Count segments and headers on the payload alone, without the P2P header: the
    /// study's overhead and peer analyses did so (`--tcpip-from-payload`).
    pub tcpip_from_payload: bool,
    /// More estimates of each row, after the first, each with its own ACK ratio and
    /// segmentation (`--also`): several analyses' columns in one pass over the data.
    pub also: Vec<Also>,
}

/// One more estimate column: its name, ACK ratio, and whether the payload alone is cut
/// into segments.
#[derive(Debug, Clone, PartialEq)]
pub struct Also {
    pub name: String,
    pub ack_ratio: Option<f64>,
    pub from_payload: bool,
}

/// Parses `--also NAME[,acks=R][,payload]`.
pub fn parse_also(arg: &str) -> std::result::Result<Also, String> {
    let mut parts = arg.split(',');
    let name = parts.next().unwrap_or_default();
    if name.is_empty() {
        return Err(format!("expected NAME[,acks=R][,payload], got '{arg}'"));
    }
    let mut also = Also {
        name: name.to_owned(),
        ack_ratio: None,
        from_payload: false,
    };
    for part in parts {
        match part.split_once('=') {
            None if part == "payload" => also.from_payload = true,
            Some(("acks", r)) => {
                let r: f64 = r.parse().map_err(|_| format!("acks={r}: not a number"))?;
                also.ack_ratio = Some(r);
            }
            _ => return Err(format!("'{part}' in '{arg}': expected acks=R or payload")),
        }
    }
    Ok(also)
}

impl Params {
    /// The names of the appended columns, in output order.
    pub fn computed_columns(&self) -> Vec<&String> {
        let mut names: Vec<&String> = self.ipv6_out.iter().chain(&self.message_col).collect();
        names.push(&self.out_col);
        names.extend(self.also.iter().map(|a| &a.name));
        names
    }

    /// The notebook's assumptions: the defaults of the command line too.
    pub const MTU: u64 = 1500;
    pub const TCP_HEADER: u64 = 32;
    pub const IPV4_HEADER: u64 = 20;
    pub const IPV6_HEADER: u64 = 40;
    pub const OVERHEAD: u64 = 24;
    pub const SIZE_COL: &str = "size";
    pub const IPV6_COL: &str = "ipv6";
    pub const OUT_COL: &str = "net_size";
}

impl Default for Params {
    fn default() -> Self {
        Params {
            mtu: Params::MTU,
            tcp_header: Params::TCP_HEADER,
            ipv4_header: Params::IPV4_HEADER,
            ipv6_header: Params::IPV6_HEADER,
            overhead: Params::OVERHEAD,
            ack_ratio: None,
            size_col: Params::SIZE_COL.into(),
            ipv6: Ipv6Source::Flag(Params::IPV6_COL.into()),
            out_col: Params::OUT_COL.into(),
            keep_incomplete: false,
            ipv6_out: None,
            message_col: None,
            tcpip_from_payload: false,
            also: Vec::new(),
        }
    }
}

/// The estimate for one message: an integer, or a float once ACKs are counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NetSize {
    Bytes(u64),
    WithAcks(f64),
}

/// The per-IP-version constants, checked once.
#[derive(Debug, Clone, Copy)]
struct Headers {
    mss: u64,
    header: u64,
}

/// The estimator, ready for rows once it has seen the header.
#[derive(Debug)]
pub struct Estimator {
    params: Params,
    v4: Headers,
    v6: Headers,
    size_idx: usize,
    ipv6_idx: usize,
    /// The IPv6 version comes from a boolean column.
    flag: bool,
}

impl Estimator {
    /// Checks the constants: the MTU must leave room for data after the headers.
    pub fn new(params: Params) -> Result<Estimator> {
        let headers = |ip: u64, name: &str| {
            let header = ip.checked_add(params.tcp_header);
            match header.and_then(|h| params.mtu.checked_sub(h)) {
                Some(mss) if mss > 0 => Ok(Headers {
                    mss,
                    header: header.unwrap_or(0),
                }),
                _ => Err(Error::usage(format!(
                    "--mtu {} leaves no room for data after the {name} ({ip}) and TCP ({}) headers",
                    params.mtu, params.tcp_header
                ))),
            }
        };
        let ipv6_col = match &params.ipv6 {
            Ipv6Source::Flag(c) | Ipv6Source::Address(c) => c,
        };
        let outputs = params.computed_columns();
        for &out in &outputs {
            if *out == params.size_col || out == ipv6_col {
                return Err(Error::usage(format!(
                    "the output column '{out}' would be an input column the estimate reads"
                )));
            }
        }
        if let Some(dup) = outputs.iter().duplicates().next() {
            return Err(Error::usage(format!(
                "the output would have two columns named '{dup}'"
            )));
        }
        let v4 = headers(params.ipv4_header, "IPv4")?;
        let v6 = headers(params.ipv6_header, "IPv6")?;
        let ratios = params
            .also
            .iter()
            .map(|a| (format!("--also {}: acks", a.name), a.ack_ratio));
        for (flag, r) in std::iter::once(("--ack-ratio".to_owned(), params.ack_ratio)).chain(ratios)
        {
            match r {
                Some(r) if !(r.is_finite() && r > 0.0) => {
                    return Err(Error::usage(format!(
                        "{flag} must be a positive number, not {r}"
                    )));
                }
                _ => {}
            }
        }
        Ok(Estimator {
            flag: matches!(params.ipv6, Ipv6Source::Flag(_)),
            params,
            v4,
            v6,
            size_idx: 0,
            ipv6_idx: 0,
        })
    }

    /// The estimate for a message of `size` bytes, `None` if it overflows 64 bits.
    pub fn net_size(&self, size: u64, ipv6: bool) -> Option<NetSize> {
        let (ratio, payload) = (self.params.ack_ratio, self.params.tcpip_from_payload);
        self.estimate(size, ipv6, ratio, payload)
    }

    /// The estimate with an ACK ratio and segmentation of its own.
    fn estimate(
        &self,
        size: u64,
        ipv6: bool,
        ack_ratio: Option<f64>,
        from_payload: bool,
    ) -> Option<NetSize> {
        let (m, segments, header) = self.segmented(size, ipv6, from_payload)?;
        let bytes = m.checked_add(segments.checked_mul(header)?)?;
        Some(match ack_ratio {
            None => NetSize::Bytes(bytes),
            // Evaluated in the order Python would: int + (segments / ratio) * headers.
            #[allow(clippy::cast_precision_loss)]
            Some(r) => NetSize::WithAcks(bytes as f64 + (segments as f64 / r) * header as f64),
        })
    }

    /// The bytes that are cut into segments, how many segments, and the header bytes of
    /// each; `None` if the bytes overflow 64 bits.
    fn segmented(&self, size: u64, ipv6: bool, from_payload: bool) -> Option<(u64, u64, u64)> {
        let Headers { mss, header } = if ipv6 { self.v6 } else { self.v4 };
        let m = if from_payload {
            size
        } else {
            size.checked_add(self.params.overhead)?
        };
        // Integer ceil: the notebook's float `math.ceil(m / mss)` agrees for any real size,
        // and this stays exact beyond 2^53. Most messages fit one segment: no division.
        let segments = if m <= mss {
            u64::from(m > 0)
        } else {
            m.div_ceil(mss)
        };
        Some((m, segments, header))
    }

    /// Whether an input of the estimate is missing: the size, the IPv6 flag, or the address
    /// it is told from (pandas' `'[' in addr` raises on a missing one).
    #[cold]
    fn missing_input(&self, row: &Record) -> bool {
        is_missing(row.field(self.size_idx)) || is_missing(row.field(self.ipv6_idx))
    }

    /// The TCP segments a message of `size` bytes travels in, `None` if it overflows.
    pub fn segments(&self, size: u64, ipv6: bool) -> Option<u64> {
        self.segmented(size, ipv6, self.params.tcpip_from_payload)
            .map(|(_, segments, _)| segments)
    }

    /// The size field when it is not 1-8 plain digits: blanks, a `+`, more digits, or an
    /// error saying what is wrong with it.
    #[cold]
    fn parse_size(&self, size_field: &[u8]) -> Result<u64> {
        parse_u64(size_field).ok_or_else(|| {
            let digits = !size_field.is_empty() && size_field.iter().all(u8::is_ascii_digit);
            let why = if digits {
                "is too large: sizes must fit in 64 bits"
            } else {
                "is not a non-negative integer"
            };
            Error::value(
                &self.params.size_col,
                format!("{} {why}", error::show(size_field)),
            )
        })
    }

    /// The IPv6 flag of the usual spellings (`True`, `False`), from the field's word (see
    /// [`Record::word`]) and without a branch on which it is: the two alternate at random.
    /// None for anything else, which [`Estimator::ipv6_of`] reads (or refuses).
    #[inline]
    fn flag_words(&self, (word, len): (u128, usize)) -> Option<bool> {
        const TRUE: u128 = u32::from_le_bytes(*b"True") as u128;
        const FALSE: u128 = u64::from_le_bytes(*b"False\0\0\0") as u128;
        let is_true = (word == TRUE) & (len == 4);
        let is_false = (word == FALSE) & (len == 5);
        (self.flag && (is_true | is_false)).then_some(is_true)
    }

    fn ipv6_of(&self, field: &[u8]) -> Result<bool> {
        match &self.params.ipv6 {
            Ipv6Source::Address(col) if is_missing(field) => Err(Error::value(
                col,
                format!(
                    "{} is a missing address, which tells no IP version (pandas' '[' in \
                     peer_addr raises); --keep-incomplete passes such rows on with empty \
                     estimates, for a later --dropna",
                    error::show(field)
                ),
            )),
            Ipv6Source::Address(_) => Ok(field.contains(&b'[')),
            Ipv6Source::Flag(col) => match field {
                b"True" | b"true" | b"TRUE" | b"1" => Ok(true),
                b"False" | b"false" | b"FALSE" | b"0" => Ok(false),
                _ => Err(Error::value(
                    col,
                    format!(
                        "{} is not a boolean (True/False, true/false, 1/0)",
                        error::show(field)
                    ),
                )),
            },
        }
    }
}

impl Filter for Estimator {
    fn header(&mut self, header: &Record) -> Result<Record> {
        let ipv6_col = match &self.params.ipv6 {
            Ipv6Source::Flag(c) | Ipv6Source::Address(c) => c,
        };
        self.size_idx = find_column(header, &self.params.size_col)?;
        self.ipv6_idx = find_column(header, ipv6_col).map_err(|e| {
            // A monitor day file has the peer's address, not a flag: say how to read it.
            let monitor = header.iter().any(|h| h == b"peer_addr");
            if self.flag && monitor {
                Error::data(format!(
                    "{}; a monitor day file tells IPv6 by the peer's address: add \
                     --ipv6-from peer_addr",
                    e.message
                ))
            } else {
                e
            }
        })?;
        let mut out_header = Record::from_fields(header.iter());
        for out in self.params.computed_columns() {
            if header.iter().any(|h| h == out.as_bytes()) {
                return Err(Error::data(format!(
                    "the input already has a column named '{out}' (choose another name for \
                     the computed column)"
                )));
            }
            out_header.push(out.as_bytes());
        }
        Ok(out_header)
    }

    fn row<W: Write>(&mut self, row: &Record, out: &mut Writer<W>) -> Result<()> {
        if self.params.keep_incomplete && self.missing_input(row) {
            copy_row(row, out);
            for _ in self.params.computed_columns() {
                out.field(b"");
            }
            return Ok(out.end_record()?);
        }
        let word = |i| row.word(i).unwrap_or((0, usize::MAX));
        let (size_word, size_len) = word(self.size_idx);
        let size = match word_digits(size_word, size_len) {
            Some(n) => n,
            None => self.parse_size(row.field(self.size_idx))?,
        };
        let ipv6 = match self.flag_words(word(self.ipv6_idx)) {
            Some(ipv6) => ipv6,
            None => self.ipv6_of(row.field(self.ipv6_idx))?,
        };
        let estimate = self.net_size(size, ipv6).ok_or_else(|| {
            Error::value(
                &self.params.size_col,
                format!("{size} is too large to estimate in 64 bits"),
            )
        })?;
        copy_row(row, out);
        if self.params.ipv6_out.is_some() {
            // As pandas writes a boolean column.
            out.field(if ipv6 { b"True" } else { b"False" });
        }
        if self.params.message_col.is_some() {
            let message = size.checked_add(self.params.overhead).ok_or_else(|| {
                Error::value(
                    &self.params.size_col,
                    format!("{size} plus the header overflows"),
                )
            })?;
            out.field_with(|buf| write_int(buf, message));
        }
        write_estimate(out, estimate);
        for also in &self.params.also {
            let estimate = self
                .estimate(size, ipv6, also.ack_ratio, also.from_payload)
                .ok_or_else(|| {
                    Error::value(
                        &self.params.size_col,
                        format!("{size} is too large to estimate in 64 bits"),
                    )
                })?;
            write_estimate(out, estimate);
        }
        Ok(out.end_record()?)
    }
}

/// Writes an estimate as pandas prints it: an integer, or a float once ACKs are counted.
#[inline(always)]
fn write_estimate<W: Write>(out: &mut Writer<W>, estimate: NetSize) {
    out.field_with(|buf| match estimate {
        NetSize::Bytes(n) => write_u64(buf, n),
        NetSize::WithAcks(x) => write_py_float(buf, x),
    });
}

/// Copies a row's fields: a line that needed no quoting whole, not field by field.
#[inline(always)]
fn copy_row<W: Write>(row: &Record, out: &mut Writer<W>) {
    match row.plain() {
        Some(line) => out.joined(line, row.len()),
        None => row.iter().for_each(|f| out.field(f)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(params: Params, input: &str) -> Result<String> {
        driver::transform(Estimator::new(params)?, input.as_bytes())
    }

    #[test]
    fn the_notebook_model_at_segment_boundaries() {
        let est = Estimator::new(Params::default()).unwrap();
        // IPv4: mss 1448, 52 header bytes a segment; IPv6: mss 1428, 72.
        let table: &[(u64, bool, u64)] = &[
            (0, false, 24 + 52),
            (1423, false, 1447 + 52),
            (1424, false, 1448 + 52),
            (1425, false, 1449 + 2 * 52),
            (0, true, 24 + 72),
            (1404, true, 1428 + 72),
            (1405, true, 1429 + 2 * 72),
            (10_000_000, false, 10_000_024 + 6907 * 52),
        ];
        for &(size, v6, want) in table {
            assert_eq!(
                est.net_size(size, v6),
                Some(NetSize::Bytes(want)),
                "size {size} v6 {v6}"
            );
        }
        assert_eq!(est.net_size(u64::MAX, false), None);
    }

    #[test]
    fn ack_ratio_makes_floats() {
        let est = Estimator::new(Params {
            ack_ratio: Some(2.0),
            ..Params::default()
        })
        .unwrap();
        // 1 segment: 76 + 0.5 * 52
        assert_eq!(est.net_size(0, false), Some(NetSize::WithAcks(102.0)));
        let out = run(
            Params {
                ack_ratio: Some(4.0),
                ..Params::default()
            },
            "ipv6,size\nFalse,0\n",
        )
        .unwrap();
        assert_eq!(out, "ipv6,size,net_size\nFalse,0,89.0\n");
    }

    #[test]
    fn rejects_impossible_constants() {
        for params in [
            Params {
                mtu: 52,
                ..Params::default()
            },
            Params {
                mtu: 60,
                ..Params::default()
            },
            Params {
                ack_ratio: Some(0.0),
                ..Params::default()
            },
            Params {
                tcp_header: u64::MAX,
                ..Params::default()
            },
        ] {
            let err = Estimator::new(params).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{err}");
        }
    }

    #[test]
    fn passes_columns_through_and_appends() {
        let out = run(
            Params::default(),
            "timestamp,ipv6,flow,msg_type,size\n\
             2024-12-28 00:00:09+00:00,True,in,inv,37\n\
             2024-12-28 00:00:09+00:00,0,out,\"a,b\",1425\n",
        )
        .unwrap();
        assert_eq!(
            out,
            "timestamp,ipv6,flow,msg_type,size,net_size\n\
             2024-12-28 00:00:09+00:00,True,in,inv,37,133\n\
             2024-12-28 00:00:09+00:00,0,out,\"a,b\",1425,1553\n"
        );
    }

    /// The usual spellings take a word-wide path, the rest the general parsers: both agree.
    #[test]
    fn every_spelling_of_flags_and_sizes_reads_alike() {
        let flags = [
            ("True", true),
            ("true", true),
            ("TRUE", true),
            ("1", true),
            ("\"True\"", true),
            ("False", false),
            ("false", false),
            ("FALSE", false),
            ("0", false),
            ("\"False\"", false),
        ];
        let sizes = [
            ("37", 37),
            (" 37", 37),
            ("+37", 37),
            ("37\t", 37),
            ("00000037", 37),
            ("000000037", 37),
            ("12345678", 12_345_678),
            ("123456789", 123_456_789),
            ("\"1425\"", 1425),
        ];
        let est = Estimator::new(Params::default()).unwrap();
        for (flag, v6) in flags {
            for (size, n) in sizes {
                let out = run(Params::default(), &format!("ipv6,size\n{flag},{size}\n")).unwrap();
                let Some(NetSize::Bytes(want)) = est.net_size(n, v6) else {
                    panic!("{n}");
                };
                assert!(out.ends_with(&format!(",{want}\n")), "{flag} {size}: {out}");
            }
        }
        for flag in ["Tru", "TrueX", "True ", "False\0", "Fals", "\"\""] {
            let err = run(Params::default(), &format!("ipv6,size\n{flag},1\n")).unwrap_err();
            assert!(
                err.to_string().contains("is not a boolean"),
                "{flag}: {err}"
            );
        }
    }

    #[test]
    fn ipv6_from_address() {
        let params = Params {
            ipv6: Ipv6Source::Address("peer_addr".into()),
            ..Params::default()
        };
        let out = run(
            params,
            "peer_addr,size\n[2001:db8::1]:8333,0\n203.0.113.5:8333,0\nabc.onion:8333,0\n",
        )
        .unwrap();
        assert!(out.ends_with(",0,96\n203.0.113.5:8333,0,76\nabc.onion:8333,0,76\n"));
    }

    #[test]
    fn bad_rows_name_their_column() {
        let table = [
            (
                "ipv6,size\nTrue,abc\n",
                "column size: 'abc' is not a non-negative integer",
            ),
            (
                "ipv6,size\nTrue,-1\n",
                "column size: '-1' is not a non-negative integer",
            ),
            (
                "ipv6,size\nTrue,1.5\n",
                "column size: '1.5' is not a non-negative integer",
            ),
            (
                "ipv6,size\nTrue,\n",
                "column size: '' is not a non-negative integer",
            ),
            ("ipv6,size\nyes,1\n", "column ipv6: 'yes' is not a boolean"),
            ("ipv6,size\nTrue,18446744073709551615\n", "too large"),
            (
                "ipv6,size\nTrue,18446744073709551616\n",
                "column size: '18446744073709551616' is too large: sizes must fit in 64 bits",
            ),
            (
                "ipv6,bytes\nTrue,1\n",
                "no column named 'size'; the header is: ipv6,bytes",
            ),
            (
                "ipv6,size,net_size\nTrue,1,2\n",
                "already has a column named 'net_size'",
            ),
        ];
        for (input, want) in table {
            let err = run(Params::default(), input).unwrap_err().to_string();
            assert!(err.contains(want), "{input:?}: {err}");
        }
    }

    /// `--also` gives, in one pass, the columns that separate runs with each setting give.
    #[test]
    fn more_estimates_in_one_pass_equal_separate_runs() {
        let input = "ipv6,size\nFalse,0\nTrue,1404\nFalse,3000\nTrue,\n";
        let keep = |p: Params| Params {
            keep_incomplete: true,
            ..p
        };
        let column = |p: Params| -> Vec<String> {
            run(keep(p), input)
                .unwrap()
                .lines()
                .map(|l| l.rsplit(',').next().unwrap().to_owned())
                .skip(1)
                .collect()
        };
        let acks = Params {
            ack_ratio: Some(2.0),
            ..Params::default()
        };
        let payload = Params {
            ack_ratio: Some(2.0),
            tcpip_from_payload: true,
            ..Params::default()
        };
        let all = Params {
            also: vec![
                parse_also("with_acks,acks=2").unwrap(),
                parse_also("from_payload,acks=2,payload").unwrap(),
            ],
            ..Params::default()
        };
        let out = run(keep(all), input).unwrap();
        let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split(',').collect()).collect();
        assert_eq!(
            rows[0],
            ["ipv6", "size", "net_size", "with_acks", "from_payload"]
        );
        let col = |i: usize| -> Vec<String> { rows[1..].iter().map(|r| r[i].to_owned()).collect() };
        assert_eq!(col(2), column(Params::default()));
        assert_eq!(col(3), column(acks));
        assert_eq!(col(4), column(payload));
        for bad in ["", ",acks=2", "x,acks=two", "x,window"] {
            assert!(parse_also(bad).is_err(), "{bad}");
        }
    }
}
