//! The scripts alike: every one takes `--monitor DIR` (or the folder alone), `-o OUTDIR`,
//! `-q` and `-h` the same way, says a usage error in one line and where the help is; on a
//! terminal each draws one live progress line for its run, and elsewhere prints nothing but
//! warnings and its summary. `analysis.sh all` reads the folder once and writes what the
//! four analyses write one by one; the study's published tables go in as they are.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use support::{bunzip2, repo, script, upstream, Dir};

/// Each script with the arguments that make it run on a monitor folder (`DIR`), and a file
/// it then writes under OUTDIR.
const SCRIPTS: [(&str, &str, &str); 4] = [
    ("aggregate.sh", "", "data_est_hourly.csv.bz2"),
    ("preprocess.sh", "", "systemd_preprocessed.csv.bz2"),
    ("analysis.sh", "connection_type", "data_daily.csv.bz2"),
    (
        "figures.sh",
        "--svg",
        "validation/validation-non-listening.svg",
    ),
];

fn monitor() -> String {
    repo("tests/data/monitor").display().to_string()
}

#[test]
fn every_script_takes_the_same_options() {
    let dir = Dir::new();
    let monitor = monitor();
    for (name, args, writes) in SCRIPTS {
        let stem = name.trim_end_matches(".sh");
        // --monitor DIR and the folder alone, -o, -q: the same files, nothing said.
        for (i, how) in [format!("--monitor {monitor}"), monitor.clone()]
            .iter()
            .enumerate()
        {
            let out = format!("{stem}-{i}");
            let run = script(&dir, name, &format!("-q {args} -o {out} {how}"));
            assert_eq!(run.status, Some(0), "{name} {how}{run:?}");
            assert!(
                dir.path(&out).join(writes).exists(),
                "{name} {how}: no {writes}{run:?}"
            );
        }
        // Without -q, the summary names what was written.
        let run = script(&dir, name, &format!("{args} -o {stem}-2 {monitor}"));
        assert!(run.stderr.contains(&format!("{name}: wrote ")), "{run:?}");
        // -h: the usage, naming the script as called, on stdout.
        let help = script(&dir, name, "-h").ok();
        assert!(help.starts_with(&format!("usage: {name} ")), "{help}");
        for option in ["--monitor DIR", "-o OUTDIR", "-q"] {
            assert!(help.contains(option), "{name} -h lacks {option}");
        }
        // A usage error: one line, and where the help is; status 2.
        for bad in ["--bogus", "-o", "--monitor"] {
            let run = script(&dir, name, &format!("{args} {bad}"));
            assert_eq!(run.status, Some(2), "{name} {bad}{run:?}");
            let lines: Vec<&str> = run.stderr.lines().collect();
            assert_eq!(lines.len(), 2, "{name} {bad}{run:?}");
            assert!(lines[0].starts_with(&format!("{name}: ")), "{run:?}");
            assert_eq!(lines[1], format!("Try '{name} -h' for more information."));
        }
    }
}

/// A script linked under another name speaks under that name.
#[test]
fn a_linked_script_says_its_own_name() {
    let dir = Dir::new();
    for (name, _, _) in SCRIPTS {
        let link = format!("netagg-{}", name.trim_end_matches(".sh"));
        std::os::unix::fs::symlink(repo(&format!("scripts/{name}")), dir.path(&link)).unwrap();
        let run = dir.sh(&format!(
            "NETAGG_BIN={} ./{link} --bogus",
            support::bin_dir().display()
        ));
        assert_eq!(
            run.stderr,
            format!("{link}: unknown option --bogus\nTry '{link} -h' for more information.\n")
        );
    }
}

/// A monitor folder of a million messages over two days: enough rows for a progress line
/// that changes while the script runs.
fn big_monitor(dir: &Dir) -> String {
    let from = repo("tests/data/monitor");
    let folder = dir.path("big");
    std::fs::create_dir_all(folder.join("tracepoints/net")).unwrap();
    std::fs::create_dir_all(folder.join("systemd")).unwrap();
    dir.sh(&format!(
        "cp -r '{}/systemd/ip_accounting' big/systemd/",
        from.display()
    ))
    .ok();
    let header = "timestamp,peer_id,peer_conn_type,peer_addr,flow,msg_type,size\r\n";
    for day in ["2025-01-24", "2025-01-25"] {
        let mut text = String::from(header);
        for i in 0..500_000u32 {
            let (h, m, s) = (i / 20_000 % 24, i / 300 % 60, i / 5 % 60);
            text.push_str(&format!(
                "{day}T{h:02}:{m:02}:{s:02}Z,{},inbound,198.51.100.{}:8333,in,tx,{}\r\n",
                i % 97,
                i % 200,
                i % 1000
            ));
        }
        std::fs::write(folder.join(format!("tracepoints/net/{day}.csv")), text).unwrap();
    }
    folder.display().to_string()
}

#[test]
fn a_terminal_sees_one_live_progress_line_and_the_summary() {
    let dir = Dir::new();
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs script (bsdutils)"
        );
        eprintln!("skipped: script (util-linux) is not installed");
        return;
    }
    let big = big_monitor(&dir);
    for (name, args, _) in SCRIPTS.iter().filter(|s| s.0 != "figures.sh") {
        let command = format!(
            "{} {args} -o out-{name} {big}",
            support::script_command(name)
        );
        // On a terminal: the filter reading the days draws its line, which changes.
        let run = dir.sh(&format!(
            "TERM=xterm script -qefc {} /dev/null",
            shell_quote(&command)
        ));
        let seen = run.stdout();
        let counts: std::collections::BTreeSet<&str> = seen
            .split(['\r', '\n'])
            .filter_map(|l| l.split(" rows, ").next())
            .filter(|l| l.contains("estimate: "))
            .collect();
        assert!(
            counts.len() >= 2,
            "{name}: no changing progress line:\n{seen}"
        );
        assert!(
            seen.contains(&format!("{name}: wrote ")),
            "{name}: no summary:\n{seen}"
        );
        // Elsewhere: no progress, only the summary (and warnings).
        let run = dir.sh(&command);
        assert_eq!(run.status, Some(0), "{run:?}");
        assert!(!run.stderr.contains(" rows, "), "{name}{run:?}");
        let last = run.stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with(&format!("{name}: wrote ")),
            "{name}{run:?}"
        );
    }
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `analysis.sh all` reads the folder once and writes the four analyses' 11 files, each as
/// the analysis alone writes it (and the seed notebook's tables beside them on request).
#[test]
fn all_analyses_in_one_pass_write_what_each_writes() {
    let dir = Dir::new();
    let monitor = monitor();
    for notebook in ["", "--as-notebook"] {
        let all = format!("all{notebook}");
        script(
            &dir,
            "analysis.sh",
            &format!("-q {notebook} all aggregate {monitor} -o {all}"),
        )
        .ok();
        let mut files = 0;
        for name in [
            "validation",
            "connection_type",
            "overhead",
            "peer_analysis",
            "aggregate",
        ] {
            let one = format!("{name}{notebook}");
            script(
                &dir,
                "analysis.sh",
                &format!("-q {notebook} {name} {monitor} -o {one}"),
            )
            .ok();
            for entry in std::fs::read_dir(dir.path(&one)).unwrap() {
                let file = entry.unwrap().file_name();
                let together = dir.path(&all).join(name).join(&file);
                assert_eq!(
                    bunzip2(&together),
                    bunzip2(&dir.path(&one).join(&file)),
                    "{notebook} {name}/{}",
                    file.to_string_lossy()
                );
                files += 1;
            }
        }
        assert_eq!(files, 11 + 4, "{notebook}");
    }
    // aggregate.sh --monitor writes what analysis.sh aggregate writes.
    script(&dir, "aggregate.sh", &format!("-q -o agg {monitor}")).ok();
    for table in support::TABLES {
        let file = format!("{table}.csv.bz2");
        assert_eq!(
            bunzip2(&dir.path("agg").join(&file)),
            bunzip2(&dir.path("all").join("aggregate").join(&file)),
            "{table}"
        );
    }
}

/// The study's published inputs and hourly tables go in as they are: the systemd file alone
/// gives the emp tables, an hourly table its daily one, byte for byte the study's.
#[test]
fn the_published_inputs_give_the_published_tables() {
    let (Some(systemd), Some(est_hourly), Some(later)) = (
        upstream("systemd_preprocessed.csv.bz2"),
        upstream("data_est_hourly.csv.bz2"),
        upstream("later"),
    ) else {
        return;
    };
    let dir = Dir::new();
    let same = |got: &str, want: &std::path::Path| {
        assert!(
            bunzip2(&dir.path(got)) == bunzip2(want),
            "{got} differs from {}",
            want.display()
        );
    };
    script(
        &dir,
        "aggregate.sh",
        &format!("-q -o emp {}", systemd.display()),
    )
    .ok();
    assert_eq!(dir.files(), ["emp"]);
    for table in ["data_emp_hourly", "data_emp_daily"] {
        same(
            &format!("emp/{table}.csv.bz2"),
            &upstream(&format!("{table}.csv.bz2")).unwrap(),
        );
    }
    assert!(!dir.path("emp/data_est_hourly.csv.bz2").exists());
    script(
        &dir,
        "aggregate.sh",
        &format!("-q -o est {}", est_hourly.display()),
    )
    .ok();
    same(
        "est/data_est_daily.csv.bz2",
        &upstream("data_est_daily.csv.bz2").unwrap(),
    );
    same("est/data_est_hourly.csv.bz2", &est_hourly);
    // The later analyses' published hourly tables, a folder of them: their daily tables.
    let run = script(
        &dir,
        "analysis.sh",
        &format!("-q all -o later {}", later.display()),
    );
    assert!(run.stderr.contains("clamped"), "{run:?}");
    for (got, want) in [
        ("validation/data_est_daily", "validation_est_daily"),
        ("connection_type/data_daily", "connection_type_daily"),
        ("overhead/data_est_daily", "overhead_est_daily"),
        ("validation/data_est_hourly", "validation_est_hourly"),
    ] {
        same(
            &format!("later/{got}.csv.bz2"),
            &later.join(format!("{want}.csv.bz2")),
        );
    }
    // The study clamped its hourly and daily systemd sums each on its own: the daily table
    // of the clamped hourly one differs on the two restart days alone.
    let ours = bunzip2(&dir.path("later/validation/data_emp_daily.csv.bz2"));
    let theirs = bunzip2(&later.join("validation_emp_daily.csv.bz2"));
    let differ: Vec<&str> = ours
        .lines()
        .zip(theirs.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, _)| &a[..10])
        .collect();
    assert_eq!(differ, ["2025-02-12", "2025-02-17"]);
}
