//! Randomized robustness of the filters' library entry points (`driver::transform`):
//! arbitrary bytes, and well-formed rows with odd contents. Whatever comes in, a filter
//! returns output or an error that says where (a line, unless the input has no header at
//! all), and never panics.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use error::Error;
use error::Kind;
use estimate::{Estimator, NetSize, Params as EstimateParams};
use proptest::prelude::*;
use support::{filters, transform};
use table::{Reader, Record};

const TP: &str = "timestamp,ipv6,flow,msg_type,size\n";
const SD: &str = "timestamp,IPIngressBytes,IPEgressBytes\n";
const BUCKETED: &str = "timestamp,flow,net_size\n";

fn estimate(input: &[u8]) -> Result<String, Error> {
    transform("estimate", &[], input)
}

fn pivot(input: &[u8]) -> Result<String, Error> {
    transform("pivot", &[], input)
}

fn bucket(input: &[u8], stream: bool) -> Result<String, Error> {
    let args: &[&str] = if stream {
        &["--every", "1h", "--by", "flow", "--stream"]
    } else {
        &["--every", "1h", "--by", "flow"]
    };
    transform("bucket", args, input)
}

/// Every filter on the same bytes: each with its sample arguments, widen also with --int,
/// and bucket also as it reads `estimate`'s output, in batch and in --stream.
fn all(input: &[u8]) -> Vec<(String, Result<String, Error>)> {
    let mut runs: Vec<(String, Result<String, Error>)> = filters()
        .into_iter()
        .map(|(name, args, _)| {
            (
                format!("{name} {}", args.join(" ")),
                transform(name, args, input),
            )
        })
        .collect();
    // widen with every option that can refuse data: a missing cell, a bad value.
    let strict = ["--int", "--fill", "0", "--clip-lower", "0"];
    runs.push((strict.join(" "), transform("widen", &strict, input)));
    runs.push(("widen --int".into(), transform("widen", &["--int"], input)));
    runs.push(("bucket --by flow".into(), bucket(input, false)));
    runs.push(("bucket --by flow --stream".into(), bucket(input, true)));
    runs
}

/// An error must be about the data and say where: a line, or that there was no header.
fn placed(name: &str, result: &Result<String, Error>) -> Result<(), TestCaseError> {
    if let Err(e) = result {
        prop_assert_eq!(e.kind, Kind::Data, "{}: {}", name, e);
        let text = e.to_string();
        prop_assert!(
            e.line.is_some() && text.contains(&format!("line {}", e.line.unwrap_or(0)))
                || text == "the input is empty: no header line",
            "{}: an error without a position: {}",
            name,
            text
        );
    }
    Ok(())
}

/// The records of a filter's output.
fn records(output: &str) -> Vec<Vec<Vec<u8>>> {
    let mut reader = Reader::new(output.as_bytes());
    let mut rec = Record::new();
    let mut out = Vec::new();
    while reader.read(&mut rec).unwrap() {
        out.push(rec.iter().map(<[u8]>::to_vec).collect());
    }
    out
}

/// Bytes that make CSV interesting, and some that are not text at all.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(b"0123456789-+:. TZe,,\n\"\rabnNA".to_vec()),
            1 => any::<u8>(),
        ],
        0..300,
    )
}

/// A field as a careless logger might write it: any text, commas, quotes and newlines too.
///
/// Except a carriage return: the writer quotes only `,` `"` `\n`, as Python's csv module
/// (and so pandas' `to_csv`) does, so a `\r` inside a field is written bare and splits the
/// row when the output is read again, by the next filter or by pandas. The arbitrary-bytes
/// properties above still feed `\r` everywhere.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{0,6}",
        any::<String>().prop_map(|s| s.replace('\r', "")),
        "[\",\n ]{1,4}[a-z]{0,3}",
        Just(String::new()),
    ]
}

/// Writes `fields` as one CSV record, quoting what needs it.
fn csv_row(fields: &[String]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) || f.is_empty() && fields.len() == 1 {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect();
    format!("{}\n", quoted.join(","))
}

/// A number as it may appear in a value column: huge, negative, fractional, missing, odd.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|x| x.to_string()),
        (0u32..1_000_000).prop_map(|n| format!("{n}.0")),
        "[0-9]{19,25}",
        prop::sample::select(vec!["", "NaN", "NA", "inf", "-inf", "1e308", "-0", "+1"])
            .prop_map(str::to_owned),
    ]
}

/// A timestamp of the right shape with any digits: month 13, hour 25 and day 0 included.
fn timestamp() -> impl Strategy<Value = String> {
    (
        1600u32..2300,
        0u32..20,
        0u32..40,
        0u32..30,
        0u32..70,
        0u32..70,
        prop::sample::select(vec!["", "Z", "+00:00", "-05:30", "+0100", ".5+00:00"]),
    )
        .prop_map(|(y, mo, d, h, mi, s, zone)| {
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}{zone}")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any bytes at all.
    #[test]
    fn arbitrary_bytes(input in prop::collection::vec(any::<u8>(), 0..400)) {
        for (name, result) in all(&input) {
            placed(&name, &result)?;
        }
    }

    /// A header each filter accepts, then bytes that are mostly CSV punctuation and digits.
    #[test]
    fn a_good_header_then_noise(header in 0usize..3, body in csvish()) {
        let header = [TP, SD, BUCKETED][header];
        let input = [header.as_bytes(), &body].concat();
        for (name, result) in all(&input) {
            placed(&name, &result)?;
        }
    }

    /// Well-formed tracepoint rows with any text in the passed-through columns and any
    /// size: the estimate is right, every column comes back unchanged, or the error is the
    /// size's, on its line.
    #[test]
    fn estimate_odd_rows(
        rows in prop::collection::vec(
            (text(), prop::sample::select(vec!["True", "False", "1", "0"]), text(),
             prop_oneof![any::<u64>(), 0u64..5000]),
            0..20,
        ),
    ) {
        let mut input = String::from(TP);
        for (stamp, ipv6, kind, size) in &rows {
            input.push_str(&csv_row(&[
                stamp.clone(), (*ipv6).to_owned(), "in".into(), kind.clone(), size.to_string(),
            ]));
        }
        let model = Estimator::new(EstimateParams::default()).unwrap();
        let result = estimate(input.as_bytes());
        placed("estimate", &result)?;
        let first_too_big = rows.iter().position(|(_, ipv6, _, size)| {
            model.net_size(*size, matches!(*ipv6, "True" | "1")).is_none()
        });
        match (result, first_too_big) {
            (Ok(out), None) => {
                let got = records(&out);
                prop_assert_eq!(got.len(), rows.len() + 1);
                for (row, (stamp, ipv6, kind, size)) in got[1..].iter().zip(&rows) {
                    prop_assert_eq!(&row[0], stamp.as_bytes());
                    prop_assert_eq!(&row[3], kind.as_bytes());
                    let Some(NetSize::Bytes(want)) =
                        model.net_size(*size, matches!(*ipv6, "True" | "1"))
                    else {
                        unreachable!()
                    };
                    let want = want.to_string();
                    prop_assert_eq!(&row[5], want.as_bytes());
                }
            }
            (Err(e), Some(_)) => {
                prop_assert!(e.to_string().contains("column size: "), "{}", e);
            }
            (result, _) => prop_assert!(false, "{:?} for {:?}", result, input),
        }
    }

    /// Well-formed systemd rows with odd ids and values: every non-missing value comes back
    /// byte for byte, in order, under its label.
    #[test]
    fn pivot_odd_rows(rows in prop::collection::vec((text(), number(), number()), 0..20)) {
        let mut input = String::from(SD);
        for (id, a, b) in &rows {
            input.push_str(&csv_row(&[id.clone(), a.clone(), b.clone()]));
        }
        let out = pivot(input.as_bytes()).unwrap();
        let mut want = vec![vec![b"timestamp".to_vec(), b"flow".to_vec(), b"net_size".to_vec()]];
        for (id, a, b) in &rows {
            for (label, value) in [("in", a), ("out", b)] {
                if !pandas::num::is_missing(value.as_bytes()) {
                    want.push(vec![id.clone().into_bytes(), label.into(), value.clone().into_bytes()]);
                }
            }
        }
        prop_assert_eq!(records(&out), want);
    }

    /// Timestamps of the right shape with any values, odd keys and integer values: either
    /// every timestamp is real and the sums add up to the input's total, or the error names
    /// the first bad timestamp's line and column.
    #[test]
    fn bucket_odd_rows(
        rows in prop::collection::vec((timestamp(), text(), -1_000_000i64..1_000_000), 1..20),
        stream in any::<bool>(),
    ) {
        // One zone for the whole input, as bucket requires: the first row's.
        let zone_of = |t: &str| t.get(19..).unwrap_or("").trim_start_matches(".5").to_owned();
        let zone = zone_of(&rows[0].0);
        let mut input = String::from(BUCKETED);
        for (stamp, key, value) in &rows {
            let stamp = format!("{}{zone}", &stamp[..19]);
            input.push_str(&csv_row(&[stamp, key.clone(), value.to_string()]));
        }
        let result = bucket(input.as_bytes(), stream);
        placed("bucket", &result)?;
        let first_bad = rows.iter().position(|(stamp, ..)| {
            pandas::time::parse(format!("{}{zone}", &stamp[..19]).as_bytes()).is_err()
        });
        match (result, first_bad) {
            (Ok(out), None) => {
                let got = records(&out);
                let total: i64 = got[1..]
                    .iter()
                    .map(|r| std::str::from_utf8(&r[2]).unwrap().parse::<i64>().unwrap())
                    .sum();
                prop_assert_eq!(total, rows.iter().map(|r| r.2).sum::<i64>());
            }
            (Err(e), Some(_)) => {
                prop_assert!(e.to_string().contains("column timestamp: "), "{}", e);
            }
            // --stream refuses rows older than the current bucket: also placed, also fine.
            (Err(e), None) if stream => {
                prop_assert!(e.to_string().contains("is older than"), "{}", e);
            }
            (result, _) => prop_assert!(false, "{:?} for {:?}", result, input),
        }
    }
}
