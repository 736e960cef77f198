//! From the monitor's raw daily files: increase, scripts/preprocess.sh, aggregate.sh --monitor.
//!
//! tests/data/monitor (made by its make.sh) holds three days of raw files with a restart of
//! the node on 2024-12-29 at 12:00 and an empty field in each kind of file.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::collections::BTreeMap;

use support::{bunzip2, repo, script, Dir};

/// The rows of every daily file of one kind, in date order, headers dropped.
fn raw_rows(kind: &str) -> Vec<Vec<String>> {
    let mut files: Vec<_> = std::fs::read_dir(repo(&format!("tests/data/monitor/{kind}")))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "three days");
    files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let rows: Vec<Vec<String>> = text
                .lines()
                .skip(1)
                .map(|l| l.split(',').map(str::to_owned).collect())
                .collect();
            rows
        })
        .collect()
}

/// `2024-12-28T05:00:09Z` floored to its hour or day, printed as pandas prints it.
fn floor(ts: &str, daily: bool) -> String {
    if daily {
        format!("{} 00:00:00+00:00", &ts[..10])
    } else {
        format!("{} {}:00:00+00:00", &ts[..10], &ts[11..13])
    }
}

fn table(sums: &BTreeMap<(String, String, String), i64>, with_type: bool) -> String {
    let mut out = String::from(if with_type {
        "freq,flow,msg_type,net_size\n"
    } else {
        "freq,flow,net_size\n"
    });
    for ((t, flow, kind), sum) in sums {
        if with_type {
            out.push_str(&format!("{t},{flow},{kind},{sum}\n"));
        } else {
            out.push_str(&format!("{t},{flow},{sum}\n"));
        }
    }
    out
}

/// The four tables computed here, by hand, from the raw files.
fn by_hand(daily: bool) -> (String, String, i64) {
    let mut est = BTreeMap::new();
    for row in raw_rows("tracepoints/net") {
        if row.iter().any(String::is_empty) {
            continue;
        }
        let (ts, addr, flow, kind) = (&row[0], &row[3], &row[4], &row[5]);
        let size: i64 = row[6].parse().unwrap();
        let header = if addr.contains('[') { 40 + 32 } else { 20 + 32 };
        let m = size + 24;
        let segments = (m + (1500 - header) - 1) / (1500 - header);
        *est.entry((floor(ts, daily), flow.clone(), kind.clone()))
            .or_insert(0) += m + segments * header;
    }
    let mut emp = BTreeMap::new();
    let mut last: [Option<i64>; 2] = [None, None];
    let mut total = 0;
    for row in raw_rows("systemd/ip_accounting") {
        if row.iter().any(String::is_empty) {
            continue;
        }
        for (i, (col, flow)) in [(3, "in"), (4, "out")].into_iter().enumerate() {
            let now: i64 = row[col].parse().unwrap();
            if let Some(prev) = last[i] {
                // A value below its predecessor: the counter restarted from zero.
                let inc = if now >= prev { now - prev } else { now };
                total += inc;
                *emp.entry((floor(&row[0], daily), flow.to_owned(), String::new()))
                    .or_insert(0) += inc;
            }
            last[i] = Some(now);
        }
    }
    (table(&est, true), table(&emp, false), total)
}

#[test]
fn aggregate_from_the_monitor_folder_equals_the_computation_by_hand() {
    let dir = Dir::new();
    let run = script(
        &dir,
        "aggregate.sh",
        &format!("--monitor {}", repo("tests/data/monitor").display()),
    );
    run.ok();
    assert!(
        run.stderr
            .contains("increase: warning: 1 counter restart(s)"),
        "{run:?}"
    );
    for (daily, suffix) in [(false, "hourly"), (true, "daily")] {
        let (est, emp, _) = by_hand(daily);
        assert!(
            bunzip2(&dir.path(&format!("data_est_{suffix}.csv.bz2"))) == est,
            "est {suffix}"
        );
        assert!(
            bunzip2(&dir.path(&format!("data_emp_{suffix}.csv.bz2"))) == emp,
            "emp {suffix}"
        );
    }
}

#[test]
fn the_restart_loses_no_bytes() {
    let (_, emp, total) = by_hand(true);
    let dir = Dir::new();
    script(
        &dir,
        "aggregate.sh",
        &format!("--monitor {}", repo("tests/data/monitor").display()),
    )
    .ok();
    let tables = bunzip2(&dir.path("data_emp_daily.csv.bz2"));
    assert_eq!(tables, emp);
    let summed: i64 = tables
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(summed, total);
    // Per direction: the bytes before the restart (last - first reading) plus every byte
    // counted since (the last reading after it), whatever the gaps in between.
    let rows: Vec<_> = raw_rows("systemd/ip_accounting")
        .into_iter()
        .filter(|r| !r.iter().any(String::is_empty))
        .collect();
    let restart = rows
        .iter()
        .position(|r| r[0].as_str() >= "2024-12-29T12:00:00Z")
        .unwrap();
    let mut expected = 0;
    for col in [3, 4] {
        let value = |i: usize| rows[i][col].parse::<i64>().unwrap();
        expected += value(restart - 1) - value(0) + value(rows.len() - 1);
    }
    assert_eq!(summed, expected);
}

#[test]
fn preprocess_writes_the_notebooks_inputs_and_they_aggregate_alike() {
    let dir = Dir::new();
    std::fs::create_dir(dir.path("pre")).unwrap();
    std::fs::create_dir(dir.path("direct")).unwrap();
    std::fs::create_dir(dir.path("via")).unwrap();
    let monitor = repo("tests/data/monitor").display().to_string();
    script(&dir, "preprocess.sh", &format!("{monitor} -o pre")).ok();
    let tp = bunzip2(&dir.path("pre/tracepoints_preprocessed.csv.bz2"));
    assert!(tp
        .starts_with("timestamp,ipv6,flow,msg_type,size\n2024-12-28T00:00:04Z,False,out,version,"));
    assert!(tp.contains(",True,"), "IPv6 peers");
    let sd = bunzip2(&dir.path("pre/systemd_preprocessed.csv.bz2"));
    assert!(sd.starts_with("timestamp,IPIngressBytes,IPEgressBytes\n"));
    script(
        &dir,
        "aggregate.sh",
        &format!("--monitor {monitor} -o direct"),
    )
    .ok();
    script(
        &dir,
        "aggregate.sh",
        "-o via pre/tracepoints_preprocessed.csv.bz2 pre/systemd_preprocessed.csv.bz2",
    )
    .ok();
    for table in [
        "data_est_hourly",
        "data_est_daily",
        "data_emp_hourly",
        "data_emp_daily",
    ] {
        let direct = bunzip2(&dir.path(&format!("direct/{table}.csv.bz2")));
        let via = bunzip2(&dir.path(&format!("via/{table}.csv.bz2")));
        assert!(direct == via, "{table}");
    }
}

#[test]
fn a_folder_without_daily_files_is_an_error() {
    let dir = Dir::new();
    std::fs::create_dir_all(dir.path("empty/tracepoints/net")).unwrap();
    let run = script(&dir, "aggregate.sh", "--monitor empty");
    assert_ne!(run.status, Some(0), "{run:?}");
    assert!(
        run.stderr
            .contains("no daily files in empty/tracepoints/net"),
        "{run:?}"
    );
    assert_eq!(dir.files(), ["empty"]);
    script(&dir, "preprocess.sh", "nowhere").fails(1, "preprocess.sh: no such folder: nowhere");
    script(&dir, "preprocess.sh", "")
        .fails(2, "usage: scripts/preprocess.sh MONITOR_DIR [-o OUTDIR]");
}

#[test]
fn increase_on_the_command_line() {
    let dir = Dir::new();
    let input = "t,a,b\n0,10,1.5\n5,15,2.0\n10,3,2.5\n";
    let run = dir.run("increase", &[], input);
    assert_eq!(run.ok(), "t,a,b\n5,5,0.5\n10,3,0.5\n");
    assert_eq!(
        run.stderr,
        "increase: warning: 1 counter restart(s) (a value below its predecessor), at line 4; each counted from zero\n"
    );
    dir.run("increase", &["--cols", "c"], input).fails(
        1,
        "increase: line 1: no column named 'c'; the header is: t,a,b",
    );
    dir.run("increase", &[], "t,a\n0,1\n5,x\n")
        .fails(1, "increase: line 3, column a: 'x' is not a number");
}
