//! Golden tests: the filters reproduce the pandas oracle's files byte for byte.
//!
//! Fixtures are in tests/data, goldens in tests/golden (made by tests/golden/make.sh with
//! the oracle ../shared/oracle/notebook.py); the upstream study's real data is read from
//! ../shared/upstream and never copied here.

mod support;

use support::{read_repo, repo, upstream, Dir};

const HOURLY_EST: &str = "bucket --every 1h --by flow,msg_type --time-name freq";
const DAILY_EST: &str = "bucket --every 1d --by flow,msg_type";
const HOURLY_EMP: &str = "bucket --every 1h --by flow --time-name freq";
const DAILY_EMP: &str = "bucket --every 1d --by flow";

fn sh(pipeline: &str) -> String {
    Dir::new()
        .sh(&format!("set -euo pipefail; {pipeline}"))
        .ok()
}

#[test]
fn estimate_matches_the_notebook_row_by_row() {
    let fixture = repo("tests/data/tracepoints.csv");
    let out = sh(&format!("estimate {}", fixture.display()));
    assert_eq!(out, read_repo("tests/golden/tracepoints.estimate.csv"));
}

#[test]
fn tracepoint_fixtures_hourly_and_daily() {
    for stem in ["tracepoints", "tracepoints_naive"] {
        let fixture = repo(&format!("tests/data/{stem}.csv"));
        let hourly = sh(&format!("estimate {} | {HOURLY_EST}", fixture.display()));
        assert_eq!(
            hourly,
            read_repo(&format!("tests/golden/{stem}.est_hourly.csv")),
            "{stem}"
        );
        let streamed = sh(&format!(
            "estimate {} | {HOURLY_EST} --stream",
            fixture.display()
        ));
        assert_eq!(streamed, hourly, "{stem} --stream");
        let daily = read_repo(&format!("tests/golden/{stem}.est_daily.csv"));
        // Daily tables come from re-bucketing the hourly ones, or straight from the rows.
        let rebucketed = sh(&format!(
            "estimate {} | {HOURLY_EST} | {DAILY_EST}",
            fixture.display()
        ));
        assert_eq!(rebucketed, daily, "{stem} re-bucketed");
        let direct = sh(&format!(
            "estimate {} | {DAILY_EST} --time-name freq",
            fixture.display()
        ));
        assert_eq!(direct, daily, "{stem} direct");
    }
}

#[test]
fn systemd_fixtures_hourly_and_daily() {
    // An integer file with gaps turns float in pandas before the melt drops the gaps: the
    // melt passes the gaps on (--keep-incomplete) for bucket --dropna to drop and learn
    // from, as scripts/aggregate.sh runs it; --float says it by hand.
    for stem in ["systemd", "systemd_int", "systemd_int_missing"] {
        let fixture = repo(&format!("tests/data/{stem}.csv"));
        let hourly_want = read_repo(&format!("tests/golden/{stem}.emp_hourly.csv"));
        let daily_want = read_repo(&format!("tests/golden/{stem}.emp_daily.csv"));
        let float = if stem.ends_with("missing") {
            "--float"
        } else {
            ""
        };
        for melt in [
            format!(
                "pivot --keep-incomplete {} | {HOURLY_EMP} --dropna",
                fixture.display()
            ),
            format!("pivot {} | {HOURLY_EMP} {float}", fixture.display()),
        ] {
            assert_eq!(sh(&melt), hourly_want, "{melt}");
            let daily = sh(&format!("{melt} | {DAILY_EMP}"));
            assert_eq!(daily, daily_want, "{melt} | {DAILY_EMP}");
        }
    }
}

#[test]
fn upstream_systemd_reproduces_the_published_tables() {
    let (Some(input), Some(hourly), Some(daily)) = (
        upstream("systemd_preprocessed.csv.bz2"),
        upstream("data_emp_hourly.csv.bz2"),
        upstream("data_emp_daily.csv.bz2"),
    ) else {
        return;
    };
    let input = input.display();
    let got = sh(&format!("pivot {input} | {HOURLY_EMP}"));
    assert_eq!(got, support::bunzip2(&hourly));
    let got = sh(&format!("pivot {input} | {HOURLY_EMP} | {DAILY_EMP}"));
    assert_eq!(got, support::bunzip2(&daily));
    let got = sh(&format!(
        "pivot {input} | {DAILY_EMP} --time-name freq --stream"
    ));
    assert_eq!(got, support::bunzip2(&daily));
}

#[test]
fn upstream_hourly_estimate_rebuckets_to_the_published_daily() {
    let (Some(hourly), Some(daily)) = (
        upstream("data_est_hourly.csv.bz2"),
        upstream("data_est_daily.csv.bz2"),
    ) else {
        return;
    };
    let got = sh(&format!("{DAILY_EST} {}", hourly.display()));
    assert_eq!(got, support::bunzip2(&daily));
}
