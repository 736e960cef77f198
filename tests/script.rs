//! End-to-end: scripts/aggregate.sh writes the notebook's four tables, or nothing.

mod support;

use support::{bunzip2, read_repo, repo, upstream, Dir, Run, TABLES};

/// Runs scripts/aggregate.sh with the test build of the filters.
fn aggregate(dir: &Dir, args: &str) -> Run {
    support::script(dir, "aggregate.sh", args)
}

#[test]
fn the_bundled_sample_gives_the_notebooks_tables() {
    let dir = Dir::new();
    std::fs::create_dir(dir.path("out")).unwrap();
    let run = aggregate(&dir, "-o out");
    run.ok();
    // One line at the end names what was written; -q drops it.
    assert!(
        run.stderr.starts_with(
            "aggregate.sh: wrote out/data_est_hourly.csv.bz2 out/data_est_daily.csv.bz2 \
             out/data_emp_hourly.csv.bz2 out/data_emp_daily.csv.bz2 in "
        ) && run.stderr.lines().count() == 1,
        "{run:?}"
    );
    assert_eq!(aggregate(&dir, "-q -o out").stderr, "");
    for table in TABLES {
        let got = bunzip2(&dir.path(&format!("out/{table}.csv.bz2")));
        let want = read_repo(&format!("tests/golden/sample/{table}.csv"));
        assert!(got == want, "{table} differs from the oracle's");
    }
    assert_eq!(std::fs::read_dir(dir.path("out")).unwrap().count(), 4);
}

#[test]
fn the_upstream_systemd_input_gives_the_published_tables() {
    let Some(systemd) = upstream("systemd_preprocessed.csv.bz2") else {
        return;
    };
    let dir = Dir::new();
    let tracepoints = repo("scripts/sample/tracepoints.csv.bz2");
    aggregate(
        &dir,
        &format!("{} {}", tracepoints.display(), systemd.display()),
    )
    .ok();
    for table in ["data_emp_hourly", "data_emp_daily"] {
        let published = upstream(&format!("{table}.csv.bz2")).unwrap();
        let got = bunzip2(&dir.path(&format!("{table}.csv.bz2")));
        assert!(
            got == bunzip2(&published),
            "{table} differs from the published one"
        );
    }
}

#[test]
fn a_failing_step_leaves_no_tables() {
    let dir = Dir::new();
    let sample = std::fs::read(repo("scripts/sample/tracepoints.csv.bz2")).unwrap();
    dir.write("truncated.csv.bz2", &sample[..sample.len() / 2]);
    let systemd = repo("scripts/sample/systemd.csv.bz2");
    let run = aggregate(&dir, &format!("truncated.csv.bz2 {}", systemd.display()));
    assert_ne!(run.status, Some(0), "{run:?}");
    assert!(
        run.stderr
            .contains("aggregate.sh: the estimate chain on truncated.csv.bz2 failed"),
        "{run:?}"
    );
    assert_eq!(dir.files(), ["truncated.csv.bz2"], "{run:?}");

    // A bad row deep in the data: the filter's own message, then the script's.
    dir.write(
        "bad.csv",
        "timestamp,ipv6,flow,msg_type,size\n2024-12-28 00:00:04+00:00,False,in,inv,-1\n",
    );
    let run = aggregate(&dir, &format!("bad.csv {}", systemd.display()));
    run.fails(
        1,
        "estimate: bad.csv: line 2, column size: '-1' is not a non-negative integer",
    );
    assert_eq!(dir.files(), ["bad.csv", "truncated.csv.bz2"]);
}

#[test]
fn usage() {
    let dir = Dir::new();
    let help = aggregate(&dir, "-h").ok();
    assert!(
        help.starts_with("usage: aggregate.sh [-q] [-o OUTDIR] [--jobs N"),
        "{help}"
    );
    aggregate(&dir, "-x").fails(2, "unknown option -x");
    aggregate(&dir, "nope.csv nope2.csv").fails(1, "aggregate.sh: cannot read nope.csv");
}

#[test]
fn any_installed_bzip2_decoder_will_do() {
    let dir = Dir::new();
    for (decoder, path) in support::installed_decoders(&dir) {
        std::fs::create_dir(dir.path(decoder)).unwrap();
        let run = dir.sh(&format!(
            "PATH={} {} -o {decoder} {} {}",
            path.display(),
            support::script_command("aggregate.sh"),
            repo("scripts/sample/tracepoints.csv.bz2").display(),
            repo("scripts/sample/systemd.csv.bz2").display(),
        ));
        run.ok();
        for table in TABLES {
            let got = bunzip2(&dir.path(&format!("{decoder}/{table}.csv.bz2")));
            assert!(
                got == read_repo(&format!("tests/golden/sample/{table}.csv")),
                "{table} with {decoder}"
            );
        }
    }
}
