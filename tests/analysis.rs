//! The study's later analyses through scripts/analysis.sh on the monitor fixture: with
//! --as-notebook, byte for byte the oracles' files (tests/golden/oracles, made by the
//! scripts in ../shared/oracle/later); without it, the numbers corrected where the study's
//! were off. Also: the published tables re-bucket from hourly to daily, and the README's
//! examples on the monitor's RPC logs.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use support::{bunzip2, read_repo, repo, script, upstream, Dir};

/// The files each analysis writes.
const ANALYSES: [(&str, &[&str]); 4] = [
    (
        "validation",
        &[
            "data_est_hourly",
            "data_est_daily",
            "data_emp_hourly",
            "data_emp_daily",
        ],
    ),
    ("connection_type", &["data_hourly", "data_daily"]),
    ("overhead", &["data_est_hourly", "data_est_daily"]),
    (
        "peer_analysis",
        &["data_hourly", "data_daily", "id-addr-mapping"],
    ),
];

/// Runs an analysis on the fixture into `out`; returns each file, decompressed.
fn analysis(dir: &Dir, name: &str, out: &str, notebook: bool) -> Vec<(String, String)> {
    let flag = if notebook { "--as-notebook" } else { "" };
    let monitor = repo("tests/data/monitor");
    let run = script(
        dir,
        "analysis.sh",
        &format!("-q {name} --monitor {} -o {out} {flag}", monitor.display()),
    );
    run.ok();
    let files = ANALYSES.iter().find(|(n, _)| *n == name).unwrap().1;
    let mut got: Vec<String> = std::fs::read_dir(dir.path(out))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    got.sort();
    let mut want: Vec<String> = files.iter().map(|f| format!("{f}.csv.bz2")).collect();
    want.sort();
    assert_eq!(got, want, "{name}: the files written");
    files
        .iter()
        .map(|f| {
            let text = bunzip2(&dir.path(&format!("{out}/{f}.csv.bz2")));
            ((*f).to_owned(), text)
        })
        .collect()
}

fn golden(name: &str, file: &str) -> String {
    read_repo(&format!("tests/golden/oracles/{name}/{file}.csv"))
}

#[test]
fn as_notebook_every_file_is_the_oracles() {
    let dir = Dir::new();
    for (name, _) in ANALYSES {
        for (file, text) in analysis(&dir, name, name, true) {
            assert!(
                text == golden(name, &file),
                "{name}/{file} differs from the oracle's"
            );
        }
    }
}

/// Rows of a table as fields, the header dropped.
fn rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect()
}

#[test]
fn by_default_tcpip_size_counts_the_p2p_header() {
    // The study's overhead and peer analyses segmented the payload alone: a message of 0 to
    // 23 payload bytes, which travels in one segment with its 24-byte header, got a
    // tcpip_size of 0 for an empty payload. Payload and message sizes are the same.
    let dir = Dir::new();
    for name in ["overhead", "peer_analysis"] {
        let fixed = analysis(&dir, name, &format!("{name}-fixed"), false);
        for (file, text) in fixed.iter().filter(|(f, _)| f != "id-addr-mapping") {
            let study = golden(name, file);
            let (ours, theirs) = (rows(text), rows(&study));
            assert_eq!(ours.len(), theirs.len(), "{name}/{file}");
            let mut larger = 0;
            for (a, b) in ours.iter().zip(&theirs) {
                let n = a.len();
                assert_eq!(
                    a[..n - 1],
                    b[..n - 1],
                    "{name}/{file}: keys, payload and message"
                );
                let (tcpip, study_tcpip): (f64, f64) =
                    (a[n - 1].parse().unwrap(), b[n - 1].parse().unwrap());
                let message: f64 = a[n - 2].parse().unwrap();
                assert!(tcpip > message && tcpip >= study_tcpip, "{a:?} vs {b:?}");
                larger += usize::from(tcpip > study_tcpip);
            }
            assert!(larger > 0, "{name}/{file}: the header changes some sums");
        }
    }
}

#[test]
fn by_default_a_restart_loses_no_bytes() {
    // The fixture's node restarted on 2025-01-26 at 12:00: the study's diff() made that
    // hour's and that day's sums negative and set them to 0; increase counts the bytes
    // after the restart from zero.
    let dir = Dir::new();
    let fixed = analysis(&dir, "validation", "fixed", false);
    let study = analysis(&dir, "validation", "study", true);
    let day = |tables: &[(String, String)], file: &str, when: &str| {
        let text = &tables.iter().find(|(f, _)| f == file).unwrap().1;
        let line = text
            .lines()
            .find(|l| l.starts_with(when))
            .unwrap()
            .to_owned();
        line
    };
    assert_eq!(
        day(&study, "data_emp_daily", "2025-01-26"),
        "2025-01-26 00:00:00+00:00,0,0"
    );
    assert_eq!(
        day(&study, "data_emp_hourly", "2025-01-26 12:00"),
        "2025-01-26 12:00:00+00:00,0,0"
    );
    for file in ["data_emp_daily", "data_emp_hourly"] {
        let when = if file == "data_emp_daily" {
            "2025-01-26"
        } else {
            "2025-01-26 12:00"
        };
        let line = day(&fixed, file, when);
        let bytes: Vec<u64> = line
            .split(',')
            .skip(1)
            .map(|v| v.parse().unwrap())
            .collect();
        assert!(bytes.iter().all(|&b| b > 0), "{file}: {line}");
    }
    // The estimate tables do not depend on the counters.
    for file in ["data_est_hourly", "data_est_daily"] {
        assert!(day(&fixed, file, "2025") == day(&study, file, "2025"));
    }
}

#[test]
fn the_published_hourly_tables_re_bucket_to_the_published_daily_ones() {
    let dir = Dir::new();
    let tables = [
        (
            "connection_type",
            "--by peer_conn_type,msg_type --sum net_size",
            "hourly",
            "daily",
        ),
        (
            "overhead",
            "--by msg_type --sum payload_size,message_size,tcpip_size",
            "est_hourly",
            "est_daily",
        ),
        (
            "validation",
            "--by msg_type --sum in,out",
            "est_hourly",
            "est_daily",
        ),
    ];
    for (name, args, hourly, daily) in tables {
        let Some(hourly) = upstream(&format!("later/{name}_{hourly}.csv.bz2")) else {
            return;
        };
        let daily = upstream(&format!("later/{name}_{daily}.csv.bz2")).unwrap();
        let mut argv: Vec<String> = vec!["--every".into(), "1d".into()];
        argv.extend(args.split(' ').map(str::to_owned));
        argv.push(hourly.display().to_string());
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let got = dir.run("bucket", &argv, "").ok();
        assert!(
            got == bunzip2(&daily),
            "{name}: the re-bucketed hourly table differs"
        );
    }
    // The study clamped the hourly and the daily systemd sums to 0 each on its own, so the
    // days holding a restart cannot come from the clamped hourly table: exactly those differ.
    let hourly = upstream("later/validation_emp_hourly.csv.bz2").unwrap();
    let daily = bunzip2(&upstream("later/validation_emp_daily.csv.bz2").unwrap());
    let got = dir
        .run(
            "bucket",
            &[
                "--every",
                "1d",
                "--sum",
                "in,out",
                &hourly.display().to_string(),
            ],
            "",
        )
        .ok();
    let differ: Vec<&str> = got
        .lines()
        .zip(daily.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, _)| &a[..10])
        .collect();
    assert_eq!(differ, ["2025-02-12", "2025-02-17"]);
}

#[test]
fn the_readmes_examples_on_the_rpc_logs() {
    // README: the filters on the monitor's other logs (CRLF day files, as it writes them).
    let dir = Dir::new();
    let rpc = repo("tests/data/monitor/rpc");
    let run = dir.sh(&format!(
        "bucket --every 1h --agg mean:connectioncount=mean --agg max:connectioncount=max \
         {rpc}/getconnectioncount/*.csv",
        rpc = rpc.display()
    ));
    assert!(run.ok() == read_repo("tests/golden/rpc/connections_hourly.csv"));
    let run = dir.sh(&format!(
        "bucket --every 1s --by network --count peers {rpc}/getpeerinfo/*.csv |
             bucket --every 1h --by network --agg mean:peers=mean --agg max:peers=max",
        rpc = rpc.display()
    ));
    assert!(run.ok() == read_repo("tests/golden/rpc/peers_per_network_hourly.csv"));
}

#[test]
fn usage() {
    let dir = Dir::new();
    script(&dir, "analysis.sh", "").fails(2, "analysis.sh: give the analysis");
    script(&dir, "analysis.sh", "nonsense --monitor x").fails(2, "no analysis named nonsense");
    script(&dir, "analysis.sh", "overhead").fails(2, "give the monitor folder (--monitor DIR)");
    script(&dir, "analysis.sh", "overhead --monitor nowhere").fails(1, "no such folder: nowhere");
    let help = script(&dir, "analysis.sh", "-h").ok();
    assert!(help.contains("--as-notebook"));
}
