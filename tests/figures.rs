//! `scripts/figures.sh`: every figure the study saved, from the published tables and from the
//! monitor fixture, under the study's names; a figure whose tables or filters are missing is
//! skipped with one line; a bad argument or a damaged table leaves no figure behind.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use support::{bin_dir, repo, script, upstream, Dir};

/// Whether the filters of a later step (branch ops) are built here.
fn has(filter: &str) -> bool {
    bin_dir().join(filter).exists()
}

/// Every file under `dir`, as paths relative to it, sorted.
fn tree(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

const VALIDATION: [&str; 6] = [
    "validation/message-breakdown-daily-share.png",
    "validation/message-breakdown-daily-vol.png",
    "validation/message-breakdown-hourly-share.png",
    "validation/message-breakdown-hourly-vol.png",
    "validation/validation-hourly+all+logscale.png",
    "validation/validation-non-listening.png",
];

/// The 28 message types of the published overhead table.
const TYPES: [&str; 28] = [
    "addr",
    "addrv2",
    "alert",
    "block",
    "blocktxn",
    "cmpctblock",
    "feefilter",
    "filterload",
    "getaddr",
    "getblocks",
    "getblocktxn",
    "getdata",
    "getheaders",
    "headers",
    "inv",
    "mempool",
    "notfound",
    "ping",
    "pong",
    "reject",
    "sendaddrv2",
    "sendcmpct",
    "sendheaders",
    "sendtxrcncl",
    "tx",
    "verack",
    "version",
    "wtxidrelay",
];

#[test]
fn every_published_figure_from_the_published_tables() {
    let Some(tables) = upstream("later") else {
        return;
    };
    let dir = Dir::new();
    let run = script(
        &dir,
        "figures.sh",
        &format!("-q --dpi 30 -o out {}", tables.display()),
    );
    run.ok();
    let mut want: Vec<String> = VALIDATION.iter().map(|f| (*f).to_owned()).collect();
    want.push("connection_type/total_traffic_by_connection_type.png".into());
    let mut skipped = vec!["peer_analysis/*: no peer_analysis tables"];
    if has("lookup") && has("derive") {
        want.push("connection_type/per_connection_traffic_by_connection_type.png".into());
    } else {
        skipped.push("connection_type/per_connection_traffic_by_connection_type: needs");
    }
    if has("query") && has("derive") {
        want.push("overhead/breakdown-all-absolute.png".into());
        want.extend(
            TYPES
                .iter()
                .map(|t| format!("overhead/breakdown-{t}-absolute.png")),
        );
    } else {
        skipped.push("overhead/*: needs the filters query and derive");
    }
    want.sort();
    assert_eq!(tree(&dir.path("out")), want, "{run:?}");
    for s in skipped {
        assert!(
            run.stderr
                .contains(&format!("figures.sh: warning: skipped {s}")),
            "{s}{run:?}"
        );
    }
}

#[test]
fn every_figure_from_a_monitor_folder() {
    let dir = Dir::new();
    let monitor = repo("tests/data/monitor");
    let run = script(
        &dir,
        "figures.sh",
        &format!("-q --dpi 30 --svg -o out --monitor {}", monitor.display()),
    );
    run.ok();
    let files = tree(&dir.path("out"));
    // The fixture's four days are not the study's: no hourly rows from 2025-02-18.
    assert!(
        run.stderr.contains(
            "skipped validation/message-breakdown-hourly-*: no hourly rows from 2025-02-18"
        ),
        "{run:?}"
    );
    for f in VALIDATION.iter().filter(|f| !f.contains("hourly-")) {
        assert!(files.contains(&f.replace(".png", ".svg")), "{f}: {files:?}");
    }
    assert!(files.contains(&"connection_type/total_traffic_by_connection_type.svg".to_owned()));
    if has("query") && has("derive") {
        // One per type present, a peer's `hello,world` among them, as a file name.
        assert!(
            files.contains(&"overhead/breakdown-hello,world-absolute.svg".to_owned()),
            "{files:?}"
        );
        assert!(files.contains(&"overhead/breakdown-all-absolute.svg".to_owned()));
    }
    if has("lookup") && has("query") {
        assert!(
            files.contains(&"peer_analysis/daily-peer-traffic.svg".to_owned()),
            "{files:?}"
        );
        assert!(files.contains(&"peer_analysis/peer-message-analysis.svg".to_owned()));
    }
}

#[test]
fn a_failure_leaves_no_figure_behind() {
    let dir = Dir::new();
    let sample = repo("tests/golden/sample");
    std::fs::create_dir(dir.path("out")).unwrap();
    let cases: [(&str, i32, &str); 4] = [
        (
            "--from 2025-13-01",
            2,
            "figures.sh: invalid value '2025-13-01' for '--from <TIME>'",
        ),
        (
            "--from yesterday",
            2,
            "figures.sh: --from yesterday: not a date like 2025-01-24",
        ),
        ("--dpi many", 2, "figures.sh: --dpi many: not a number"),
        (
            "--monitor x",
            2,
            "give either a folder of tables or --monitor DIR, not both",
        ),
    ];
    for (args, status, message) in cases {
        let run = script(
            &dir,
            "figures.sh",
            &format!("-o out {args} {}", sample.display()),
        );
        run.fails(status, message);
        assert!(tree(&dir.path("out")).is_empty(), "{args}: {run:?}");
    }
    // A damaged table: the figures drawn before it are not left behind either.
    let tables = dir.path("tables");
    std::fs::create_dir(&tables).unwrap();
    for name in ["data_est_hourly", "data_emp_hourly", "data_emp_daily"] {
        std::fs::copy(
            sample.join(format!("{name}.csv")),
            tables.join(format!("{name}.csv")),
        )
        .unwrap();
    }
    std::fs::write(
        tables.join("data_est_daily.csv"),
        "freq,flow,msg_type,net_size\n2024-12-28,in,tx,x\n",
    )
    .unwrap();
    let run = script(&dir, "figures.sh", "-o out tables");
    run.fails(
        1,
        "data_est_daily.csv: line 2, column net_size: 'x' is not a number",
    );
    assert!(tree(&dir.path("out")).is_empty(), "{run:?}");
    assert_eq!(dir.files(), ["out", "tables"], "no temp folder left");
}
