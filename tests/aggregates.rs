//! bucket's aggregates against pandas' groupby (tests/golden/aggregates, made by its make.py
//! with pandas 2.2.3): sum, size, count, mean, min, max, first, last and durations; integer
//! keys sorted as numbers; a key column with a missing value printed as floats.

mod support;

use support::{read_repo, repo, Dir};

fn golden(name: &str) -> String {
    read_repo(&format!("tests/golden/aggregates/{name}"))
}

fn input(name: &str) -> String {
    repo(&format!("tests/golden/aggregates/{name}"))
        .display()
        .to_string()
}

#[test]
fn every_aggregate_as_pandas_groupby_agg() {
    let dir = Dir::new();
    let mut args = vec!["--every", "1h", "--time-name", "freq", "--by", "peer"];
    let specs = [
        "sum:bytes=sum_bytes",
        "mean:bytes=mean_bytes",
        "min:bytes=min_bytes",
        "max:bytes=max_bytes",
        "first:bytes=first_bytes",
        "last:bytes=last_bytes",
        "count:bytes=count_bytes",
        "sum:rtt=sum_rtt",
        "mean:rtt=mean_rtt",
        "min:rtt=min_rtt",
        "max:rtt=max_rtt",
        "first:name=first_name",
        "last:name=last_name",
        "min:kind=min_kind",
        "max:kind=max_kind",
    ];
    for spec in &specs {
        args.extend(["--agg", spec]);
    }
    let file = input("input.csv");
    args.push(&file);
    let out = dir.run("bucket", &args, "").ok();
    assert_eq!(out, golden("hourly_by_peer.csv"));
}

#[test]
fn the_whole_input_by_keys_with_durations_and_row_numbers() {
    let dir = Dir::new();
    let file = input("input.csv");
    let args = [
        "--by",
        "peer,kind",
        "--agg",
        "duration:timestamp=span",
        "--agg",
        "size:bytes=n",
        "--row-numbers",
        &file,
    ];
    assert_eq!(
        dir.run("bucket", &args, "").ok(),
        golden("by_peer_kind.csv")
    );
}

#[test]
fn a_missing_key_in_a_dropped_row_makes_the_keys_floats() {
    let dir = Dir::new();
    let file = input("input_missing_key.csv");
    let args = [
        "--dropna",
        "--every",
        "1d",
        "--time-name",
        "freq",
        "--by",
        "peer",
        "--sum",
        "bytes",
        &file,
    ];
    let run = dir.run("bucket", &args, "");
    assert_eq!(run.ok(), golden("daily_float_keys.csv"));
    assert!(run.stderr.contains("--dropna dropped 3 rows"), "{run:?}");
}
