//! Output safety: `-o FILE` is either the finished table or untouched, whatever stops the
//! run (a signal, a full disk, a file size limit); a full device is an error; a closed pipe
//! is not. tests/io.rs already covers `| head -1` for each filter and `> /dev/full` for
//! estimate; these cases add signals, limits, `-o` onto devices, a full filesystem, and
//! closed streams for the script.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::io::Write;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use support::{bin, repo, Dir};

const TP_HEADER: &str = "timestamp,ipv6,flow,msg_type,size\n";
const TP_ROW: &str = "2024-12-28 00:00:09+00:00,False,in,inv,37\n";
const SD_HEADER: &str = "timestamp,IPIngressBytes,IPEgressBytes\n";
const SD_ROW: &str = "2024-12-28 00:00:09+00:00,15828.0,8078.0\n";

/// Each filter with arguments and the header and row of an input it accepts.
const FILTERS: [(&str, &[&str], &str, &str); 3] = [
    ("estimate", &[], TP_HEADER, TP_ROW),
    ("pivot", &[], SD_HEADER, SD_ROW),
    (
        "bucket",
        &["--every", "1h", "--sum", "size"],
        TP_HEADER,
        TP_ROW,
    ),
];

/// A file of `rows` rows, a second apart, so that bucket --every 1s writes one row each.
fn big_input(header: &str, row: &str, rows: usize) -> String {
    let mut s = String::from(header);
    let rest = &row[19..];
    for i in 0..rows {
        let (h, m, sec) = (i / 3600 % 24, i / 60 % 60, i % 60);
        s.push_str(&format!("2024-12-28 {h:02}:{m:02}:{sec:02}{rest}"));
    }
    s
}

/// Starts `name -o out.csv` on a stdin that delivers a header and rows, then stalls: the run
/// is mid-way, its temp file open, when this returns.
fn start_stalled(
    dir: &Dir,
    name: &str,
    args: &[&str],
    header: &str,
    row: &str,
) -> (Child, ChildStdin) {
    let mut child = Command::new(bin(name))
        .args(args)
        .args(["-o", "out.csv"])
        .current_dir(dir.tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(header.as_bytes()).unwrap();
    for _ in 0..2000 {
        stdin.write_all(row.as_bytes()).unwrap();
    }
    stdin.flush().unwrap();
    let start = Instant::now();
    while !dir.files().iter().any(|f| f.starts_with(".out.csv.")) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{name}: no temp file appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // Time to read what was written: the filter now waits for more input.
    std::thread::sleep(Duration::from_millis(200));
    (child, stdin)
}

fn signal(child: &Child, sig: &str) {
    let status = Command::new("kill")
        .args(["-s", sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn sigkill_mid_run_leaves_the_target_untouched() {
    for (name, args, header, row) in FILTERS {
        let dir = Dir::new();
        dir.write("out.csv", "the previous table\n");
        let (mut child, stdin) = start_stalled(&dir, name, args, header, row);
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        drop(stdin);
        assert_eq!(status.signal(), Some(9), "{name}");
        assert_eq!(dir.read("out.csv"), "the previous table\n", "{name}");
        // SIGKILL cannot be caught, so nothing can remove the hidden temp file: it alone may
        // remain beside the untouched target (a later run does not trip over it).
        let files = dir.files();
        assert_eq!(files.len(), 2, "{name}: {files:?}");
        assert!(
            files[0].starts_with(".out.csv.") && files[0].ends_with(".tmp"),
            "{name}: {files:?}"
        );
    }
}

#[test]
fn sigterm_sigint_and_sighup_mid_run_remove_the_temp_file() {
    for (sig, number) in [("TERM", 15), ("INT", 2), ("HUP", 1)] {
        for (name, args, header, row) in FILTERS {
            let dir = Dir::new();
            dir.write("out.csv", "the previous table\n");
            let (mut child, stdin) = start_stalled(&dir, name, args, header, row);
            signal(&child, sig);
            let status = child.wait().unwrap();
            drop(stdin);
            // It dies of the signal, as without a handler, so a calling shell sees it.
            assert_eq!(status.signal(), Some(number), "{name} SIG{sig}");
            assert_eq!(dir.files(), ["out.csv"], "{name} SIG{sig}");
            assert_eq!(
                dir.read("out.csv"),
                "the previous table\n",
                "{name} SIG{sig}"
            );
        }
    }
}

#[test]
fn a_file_size_limit_is_an_error_not_a_silent_death() {
    let dir = Dir::new();
    dir.write("tp.csv", big_input(TP_HEADER, TP_ROW, 20_000));
    dir.write("sd.csv", big_input(SD_HEADER, SD_ROW, 20_000));
    // `ulimit -f` counts 1024-byte blocks; every output below, compressed or not, is larger
    // than 8 kB.
    let table = [
        (
            "estimate -o out.csv tp.csv",
            "estimate: out.csv: File too large",
        ),
        (
            "pivot -o out.csv.bz2 sd.csv",
            "pivot: out.csv.bz2: File too large",
        ),
        (
            "bucket --every 1s --sum size -o out.csv tp.csv",
            "bucket: out.csv: File too large",
        ),
    ];
    for (command, message) in table {
        let run = dir.sh(&format!("ulimit -f 8; {command}"));
        // Without a handler for SIGXFSZ the process was killed (status 153), silently,
        // leaving its temp file behind.
        run.fails(1, message);
        let mut files = dir.files();
        files.retain(|f| f != "sd.csv" && f != "tp.csv");
        assert!(files.is_empty(), "{command}: {files:?}");
    }
    // Redirected stdout: the shell made the file, the filter says why it stopped.
    let run = dir.sh("ulimit -f 8; estimate tp.csv > shell.csv");
    run.fails(1, "estimate: stdout: File too large");
}

#[test]
fn a_full_device_is_an_error() {
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full here");
        return;
    }
    let dir = Dir::new();
    dir.write("tp.csv", big_input(TP_HEADER, TP_ROW, 1000));
    dir.write("sd.csv", big_input(SD_HEADER, SD_ROW, 1000));
    let table = [
        (
            "pivot sd.csv > /dev/full",
            "pivot: stdout: No space left on device",
        ),
        (
            "bucket --every 1h --sum size tp.csv > /dev/full",
            "bucket: stdout: No space left on device",
        ),
        // -o onto a device writes to it: renaming a temp file onto /dev/full would, as
        // root, have replaced the device node with a regular file.
        (
            "estimate -o /dev/full tp.csv",
            "estimate: /dev/full: No space left on device",
        ),
        (
            "bucket --every 1h --sum size -o /dev/full tp.csv",
            "bucket: /dev/full: No space left on device",
        ),
    ];
    for (command, message) in table {
        dir.sh(command).fails(1, message);
        let meta = std::fs::metadata("/dev/full").unwrap();
        assert!(
            meta.file_type().is_char_device(),
            "{command} replaced /dev/full"
        );
    }
    assert_eq!(dir.files(), ["sd.csv", "tp.csv"]);
    // And /dev/null is a fine -o target.
    dir.sh("estimate -o /dev/null tp.csv").ok();
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
}

#[test]
fn a_full_filesystem_leaves_no_file() {
    // A private 8 kB tmpfs in a user and mount namespace: nothing outside sees it. Every
    // output below, compressed or not, is larger.
    let dir = Dir::new();
    dir.write("tp.csv", big_input(TP_HEADER, TP_ROW, 20_000));
    std::fs::create_dir(dir.path("small")).unwrap();
    let probe = dir.sh("unshare -rm sh -c 'mount -t tmpfs -o size=8k tmpfs small'");
    if probe.status != Some(0) {
        eprintln!("skipped: cannot mount a private tmpfs here{probe:?}");
        return;
    }
    for output in ["small/out.csv", "small/out.csv.bz2"] {
        let run = dir.sh(&format!(
            "unshare -rm sh -c 'mount -t tmpfs -o size=8k tmpfs small && \
             {{ estimate -o {output} tp.csv; echo \"status $?\"; ls -A small; }}'"
        ));
        assert!(run.stdout().starts_with("status 1\n"), "{output}: {run:?}");
        assert_eq!(
            run.stdout(),
            "status 1\n",
            "{output}: files were left{run:?}"
        );
        assert!(
            run.stderr
                .contains(&format!("estimate: {output}: No space left on device")),
            "{output}: {run:?}"
        );
    }
}

#[test]
fn closed_streams() {
    let dir = Dir::new();
    dir.write("tp.csv", big_input(TP_HEADER, TP_ROW, 10));
    dir.write(
        "bad.csv",
        format!("{TP_HEADER}2024-12-28 00:00:09+00:00,False,in,inv,x\n"),
    );
    // A closed stderr: errors still give their status, warnings do not change it.
    dir.sh("estimate bad.csv 2>&-").fails(1, "");
    dir.sh("bucket --every 1h --sum size tp.csv 2>&-").ok();
    let run = dir.sh(
        "printf 't,flow,net_size\\n2024-12-28 00:00:00,,1\\n' | bucket --every 1h --by flow 2>&-",
    );
    assert_eq!(run.ok(), "t,flow,net_size\n2024-12-28,,1\n");
    // stdout closed before the start (`>&-`): Rust's runtime opens /dev/null in its place
    // before main, so this is `> /dev/null` as far as the filter can tell.
    dir.sh("estimate tp.csv >&-").ok();
}

#[test]
fn the_script_with_closed_streams() {
    let dir = Dir::new();
    let script = support::script_command("aggregate.sh");
    // Its reader gone after one line of help: quiet, status 0.
    let run = dir.sh(&format!(
        "{script} -h | head -1; echo \"status ${{PIPESTATUS[0]}}\""
    ));
    assert!(run.ok().ends_with("status 0\n"), "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");
    // It writes tables, not stdout: a closed stdout does not matter.
    std::fs::create_dir(dir.path("out")).unwrap();
    dir.sh(&format!("{script} -o out >&-")).ok();
    assert_eq!(std::fs::read_dir(dir.path("out")).unwrap().count(), 4);
    // A failure with stderr closed still fails, and still writes nothing.
    dir.write(
        "bad.csv",
        format!("{TP_HEADER}2024-12-28 00:00:09+00:00,False,in,inv,x\n"),
    );
    std::fs::create_dir(dir.path("out2")).unwrap();
    let run = dir.sh(&format!(
        "{script} -o out2 bad.csv {} 2>&-",
        repo("scripts/sample/systemd.csv.bz2").display()
    ));
    assert_eq!(run.status, Some(1), "{run:?}");
    assert_eq!(std::fs::read_dir(dir.path("out2")).unwrap().count(), 0);
}
