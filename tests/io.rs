//! What every filter shares: inputs (files, stdin, bzip2), atomic `-o`, exit codes, pipes.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::os::unix::process::CommandExt;

use support::{bunzip2, bz2, filters, Dir, FILTERS, SYSTEMD, TRACEPOINTS};

#[test]
fn several_files_read_as_one_stream() {
    let dir = Dir::new();
    let (header, rows) = SYSTEMD.split_at(SYSTEMD.find('\n').unwrap() + 1);
    dir.write("a.csv", SYSTEMD);
    dir.write("b.csv.bz2", bz2(format!("{header}{rows}").as_bytes()));
    let one = dir.run("pivot", &["a.csv"], "").ok();
    let (one_header, one_rows) = one.split_at(one.find('\n').unwrap() + 1);
    let both = dir.run("pivot", &["a.csv", "-", "b.csv.bz2"], SYSTEMD).ok();
    assert_eq!(both, format!("{one_header}{one_rows}{one_rows}{one_rows}"));
}

#[test]
fn headers_must_agree() {
    let dir = Dir::new();
    dir.write("a.csv", SYSTEMD);
    dir.write("b.csv", "timestamp,IPEgressBytes,IPIngressBytes\n");
    dir.run("pivot", &["a.csv", "b.csv"], "").fails(
        1,
        "pivot: b.csv: line 1: the header 'timestamp,IPEgressBytes,IPIngressBytes' differs from a.csv's",
    );
}

#[test]
fn output_file_is_atomic_and_bz2_by_name() {
    let dir = Dir::new();
    let want = dir.run("estimate", &[], TRACEPOINTS).ok();
    dir.run("estimate", &["-o", "out.csv"], TRACEPOINTS).ok();
    assert_eq!(dir.read("out.csv"), want);
    dir.run("estimate", &["--output", "out.csv.bz2"], TRACEPOINTS)
        .ok();
    assert_eq!(bunzip2(&dir.path("out.csv.bz2")), want);
    assert_eq!(dir.files(), ["out.csv", "out.csv.bz2"]);

    // A failure half-way leaves the old file as it was, and no temp file.
    let bad = format!("{TRACEPOINTS}2024-12-28 00:00:14+00:00,False,in,inv,x\n");
    dir.run("estimate", &["-o", "out.csv"], &bad).fails(
        1,
        "estimate: line 4, column size: 'x' is not a non-negative integer",
    );
    assert_eq!(dir.read("out.csv"), want);
    dir.run("estimate", &["-o", "new.csv.bz2"], &bad)
        .fails(1, "line 4");
    assert_eq!(dir.files(), ["out.csv", "out.csv.bz2"]);
}

#[test]
fn closed_stdout_ends_quietly() {
    let dir = Dir::new();
    let mut big = String::from(TRACEPOINTS);
    let row = "2024-12-28 00:00:09+00:00,False,in,inv,37\n";
    big.push_str(&row.repeat(200_000));
    dir.write("big.csv", &big);
    // A group a second, so that bucket's output overflows the pipe too.
    let mut seconds = String::from("timestamp,size\n");
    for s in 0..86_400 {
        let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
        seconds.push_str(&format!("2024-12-28 {h:02}:{m:02}:{s:02},1\n"));
    }
    dir.write("seconds.csv", &seconds);
    for (name, args) in [
        ("estimate", "big.csv"),
        ("bucket", "--every 1s --sum size seconds.csv"),
        ("bucket", "--every 1s --sum size --stream seconds.csv"),
    ] {
        let run = dir.sh(&format!(
            "{name} {args} | head -1; echo \"status ${{PIPESTATUS[0]}}\""
        ));
        let out = run.ok();
        assert!(out.ends_with("status 0\n"), "{run:?}");
        assert_eq!(run.stderr, "", "{run:?}");
    }
    let run = dir.sh(
        "pivot --id timestamp --map size=s big.csv | head -1; echo \"status ${PIPESTATUS[0]}\"",
    );
    assert!(run.ok().ends_with("status 0\n"), "{run:?}");
    assert_eq!(run.stderr, "");
}

#[test]
fn a_full_disk_is_an_error() {
    let dir = Dir::new();
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full here");
        return;
    }
    let run = dir.sh("estimate > /dev/full <<'EOF'\ntimestamp,ipv6,size\nx,True,1\nEOF");
    run.fails(1, "estimate: stdout: No space left on device");
}

#[test]
fn unreadable_inputs_name_the_file() {
    let dir = Dir::new();
    std::fs::create_dir(dir.path("folder")).unwrap();
    dir.write("empty.csv", "");
    dir.write(
        "trunc.csv.bz2",
        &bz2(TRACEPOINTS.repeat(50).as_bytes())[..200],
    );
    let mut garbage = bz2(TRACEPOINTS.as_bytes());
    garbage.extend_from_slice(b"garbage after the stream");
    dir.write("garbage.csv.bz2", garbage);
    let table = [
        ("nope.csv", "estimate: nope.csv: No such file or directory"),
        ("folder", "estimate: folder: Is a directory"),
        (
            "empty.csv",
            "estimate: empty.csv: the input is empty: no header line",
        ),
        ("trunc.csv.bz2", "estimate: trunc.csv.bz2: "),
        ("garbage.csv.bz2", "estimate: garbage.csv.bz2: "),
    ];
    for (file, message) in table {
        dir.run("estimate", &[file], "").fails(1, message);
    }
}

#[test]
fn usage_errors_exit_2() {
    let dir = Dir::new();
    let table: [(&str, &[&str], &str); 7] = [
        ("estimate", &["--mtu", "50"], "--mtu 50 leaves no room"),
        ("estimate", &["--mtu", "x"], "invalid value 'x'"),
        (
            "estimate",
            &["--ack-ratio=-1"],
            "--ack-ratio must be a positive number",
        ),
        ("pivot", &["--map", "nothing"], "expected SRC=LABEL"),
        ("bucket", &["--every", "1week"], "is not a step"),
        ("bucket", &["--stream"], "--stream needs --every"),
        (
            "bucket",
            &["--agg", "median:x"],
            "expected OP:COL or OP:COL=NAME",
        ),
    ];
    for (name, args, message) in table {
        dir.run(name, args, "").fails(2, message);
    }
}

/// The filters that read and write rows through common's I/O arguments: all but `chart`,
/// which draws a figure from a table and has no delimiter flags.
fn row_filters() -> Vec<(&'static str, &'static [&'static str], &'static str)> {
    filters()
        .into_iter()
        .filter(|(name, _, _)| *name != "chart")
        .collect()
}

/// TSV (or any delimiter): `-t`, `-d`, and names ending in `.tsv` read and write it, in
/// every filter, with the same rows as CSV.
#[test]
fn every_filter_reads_and_writes_tabs() {
    let dir = Dir::new();
    for (name, args, input) in row_filters() {
        let want = dir.run(name, args, input).ok();
        let (tsv_in, tsv_want) = (input.replace(',', "\t"), want.replace(',', "\t"));
        let with = |more: &[&'static str]| [args, more].concat();
        for flag in [
            &["-t"][..],
            &["--tsv"],
            &["-d", "tab"],
            &["-d", "\t"],
            &["-d\\t"],
        ] {
            let run = dir.run(name, &with(flag), &tsv_in);
            assert_eq!(run.ok(), tsv_want, "{name} {flag:?}{run:?}");
        }
        let semi = dir.run(name, &with(&["-d", ";"]), input.replace(',', ";"));
        assert_eq!(semi.ok(), want.replace(',', ";"), "{name} -d ';'");

        // Inferred from names: the inputs' for input (and stdout), -o's for output.
        dir.write("in.tsv", &tsv_in);
        dir.write("in.tsv.bz2", bz2(tsv_in.as_bytes()));
        dir.write("in.csv", input);
        for (more, out, expected) in [
            (&["in.tsv"][..], None, &tsv_want),
            (&["in.tsv.bz2"], None, &tsv_want),
            (&["in.csv", "-o", "out.tsv"], Some("out.tsv"), &tsv_want),
            (&["in.tsv", "-o", "out.csv"], Some("out.csv"), &want),
            (
                &["in.tsv", "-o", "out.tsv.bz2"],
                Some("out.tsv.bz2"),
                &tsv_want,
            ),
        ] {
            let stdout = dir.run(name, &with(more), "").ok();
            let got = match out {
                None => stdout,
                Some(file) if file.ends_with(".bz2") => support::bunzip2(&dir.path(file)),
                Some(file) => dir.read(file),
            };
            assert_eq!(&got, expected, "{name} {more:?}");
        }
        // Without a flag or a name, a tab is data, not a delimiter.
        assert_ne!(dir.run(name, args, &tsv_in).stdout(), tsv_want, "{name}");
    }
}

#[test]
fn fields_holding_the_delimiter_are_quoted_as_pandas_quotes_them() {
    let dir = Dir::new();
    // A tab inside a quoted TSV field; a comma is data in TSV and needs no quotes there.
    let tsv = "timestamp\tipv6\tflow\tmsg_type\tsize\n\
               2024-12-28 00:00:09+00:00\tFalse\tin\t\"a\tb\"\t37\n\
               2024-12-28 00:00:09+00:00\tFalse\tout\tx,y\t5\n";
    dir.write("in.tsv", tsv);
    assert_eq!(
        dir.run("estimate", &["in.tsv"], "").ok(),
        "timestamp\tipv6\tflow\tmsg_type\tsize\tnet_size\n\
         2024-12-28 00:00:09+00:00\tFalse\tin\t\"a\tb\"\t37\t113\n\
         2024-12-28 00:00:09+00:00\tFalse\tout\tx,y\t5\t81\n"
    );
    // To CSV, the comma is quoted and the tab is not (pandas' to_csv alike).
    assert_eq!(
        dir.run("estimate", &["in.tsv", "-o", "out.csv"], "").ok(),
        ""
    );
    assert_eq!(
        dir.read("out.csv"),
        "timestamp,ipv6,flow,msg_type,size,net_size\n\
         2024-12-28 00:00:09+00:00,False,in,a\tb,37,113\n\
         2024-12-28 00:00:09+00:00,False,out,\"x,y\",5,81\n"
    );
    // And back: the CSV's unquoted tab is quoted in TSV.
    dir.run(
        "estimate",
        &["--out-col", "again", "-o", "back.tsv", "out.csv"],
        "",
    )
    .ok();
    let back = dir.read("back.tsv");
    assert!(back.contains("\tin\t\"a\tb\"\t37\t113\t113\n"), "{back:?}");
}

#[test]
fn messages_show_rows_and_headers_with_their_delimiter() {
    let dir = Dir::new();
    dir.run("estimate", &["-t"], "timestamp\tipv6\tbytes\n")
        .fails(
            1,
            // Escaped, as every header in a message: a tab is shown as \t.
            r"estimate: line 1: no column named 'size'; the header is: timestamp\tipv6\tbytes",
        );
    dir.run("estimate", &["-t"], "timestamp\tipv6\tsize\nx\tTrue\n")
        .fails(
            1,
            r"line 2: found a row of 2 fields where the header has 3: 'x\tTrue'",
        );
    dir.run("estimate", &["-d", ";"], "timestamp;ipv6;size\nx;True\n")
        .fails(1, "where the header has 3: 'x;True'");
    dir.write("a.tsv", "timestamp\tipv6\tsize\n");
    dir.write("b.tsv", "timestamp\tsize\tipv6\n");
    dir.run("estimate", &["a.tsv", "b.tsv"], "").fails(
        1,
        r"estimate: b.tsv: line 1: the header 'timestamp\tsize\tipv6' differs from a.tsv's 'timestamp\tipv6\tsize'",
    );
}

#[test]
fn a_delimiter_is_one_character_that_is_not_a_quote_or_a_line_end() {
    let dir = Dir::new();
    for args in [
        &["-d", "ab"][..],
        &["-d", ""],
        &["-d", "\u{a7}"],
        &["-d", "\""],
        &["-d", "\n"],
        &["-d", "\r"],
        &["--delimiter", "tabs"],
        &["-t", "-d", ";"],
    ] {
        for (name, _, input) in row_filters() {
            let run = dir.run(name, args, input);
            assert_eq!(run.status, Some(2), "{name} {args:?}{run:?}");
            assert!(run.stderr.contains("--delimiter"), "{run:?}");
        }
    }
}

#[test]
fn help_shows_examples() {
    let dir = Dir::new();
    for &name in FILTERS {
        let help = dir.run(name, &["--help"], "").ok();
        assert!(help.contains("Examples:"), "{name}: {help}");
        assert!(help.contains("-o, --output <FILE>"), "{name}: {help}");
    }
}

#[test]
fn a_corrupt_block_is_blamed_not_the_garbage_it_decodes_to() {
    let dir = Dir::new();
    let row = "2024-12-28 00:00:09+00:00,False,in,inv,37\n";
    let data = format!("{TRACEPOINTS}{}", row.repeat(100_000));
    // Level 1: 100 kB blocks, so the damage is deep in a later block, after good rows.
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    std::io::Write::write_all(&mut enc, data.as_bytes()).unwrap();
    let mut bytes = enc.finish().unwrap();
    let at = bytes.len() * 3 / 4;
    bytes[at] ^= 0x55;
    dir.write("damaged.csv.bz2", &bytes);
    for (name, args) in [
        ("estimate", &["damaged.csv.bz2"][..]),
        (
            "bucket",
            &["--every", "1h", "--sum", "size", "damaged.csv.bz2"][..],
        ),
    ] {
        let run = dir.run(name, args, "");
        run.fails(1, &format!("{name}: damaged.csv.bz2: bzip2: corrupt data"));
    }
}

#[test]
fn rows_from_a_slow_source_come_out_without_waiting_for_more() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    // As in `tail -f log | estimate`: input arrives now and then, and the pipe stays open.
    let mut child = Command::new(support::bin("estimate"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let output = BufReader::new(child.stdout.take().unwrap());
    input
        .write_all(b"timestamp,ipv6,size\n2024-12-28 00:00:04Z,False,1\n")
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    input.write_all(b"2024-12-28 00:00:09Z,True,2\n").unwrap();
    input.flush().unwrap();
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in output.lines().take(3) {
            let _ = send.send(line.unwrap());
        }
    });
    let timeout = std::time::Duration::from_secs(5);
    let got: Vec<String> = (0..3)
        .map_while(|_| lines.recv_timeout(timeout).ok())
        .collect();
    drop(input);
    let _ = child.wait();
    assert_eq!(
        got,
        [
            "timestamp,ipv6,size,net_size",
            "2024-12-28 00:00:04Z,False,1,77",
            "2024-12-28 00:00:09Z,True,2,98"
        ]
    );
}

#[test]
fn the_list_of_filters_is_the_list_of_binaries() {
    let manifest = support::read_repo("Cargo.toml");
    let mut bins: Vec<&str> = manifest
        .split("[[bin]]")
        .skip(1)
        .filter_map(|section| {
            let line = section.lines().find(|l| l.starts_with("name = "))?;
            Some(line.trim_start_matches("name = ").trim_matches('"'))
        })
        .collect();
    let mut listed = FILTERS.to_vec();
    bins.sort_unstable();
    listed.sort_unstable();
    assert_eq!(
        bins, listed,
        "Cargo.toml's [[bin]] targets vs driver::cli::FILTERS"
    );
    let dir = Dir::new();
    for &name in FILTERS {
        let version = dir.run(name, &["--version"], "").ok();
        assert_eq!(version, format!("{name} {}\n", env!("CARGO_PKG_VERSION")));
    }
}

#[test]
fn every_filter_generates_man_pages_and_completions() {
    let dir = Dir::new();
    let man = std::process::Command::new("man").arg("--version").output();
    let have_man = man.is_ok_and(|o| o.status.success());
    if !have_man {
        eprintln!("skipped rendering man pages: man is not installed");
    }
    for &name in FILTERS {
        for kind in [
            "man",
            "complete-bash",
            "complete-zsh",
            "complete-fish",
            "complete-powershell",
        ] {
            let out = dir.run(name, &["--generate", kind], "").ok();
            assert!(out.contains(name), "{name} --generate {kind}: {out}");
        }
        if have_man {
            let page = dir.run(name, &["--generate", "man"], "").ok();
            dir.write("page.1", page);
            let run = dir.sh("MANWIDTH=80 man -l page.1 | col -b");
            let text = run.ok();
            assert!(text.contains("NAME") && text.contains(name), "{run:?}");
        }
    }
    dir.run("bucket", &["--generate", "nroff"], "")
        .fails(2, "invalid value 'nroff'");
}

/// What a command run on a terminal (a pty from util-linux's `script`) wrote to it: stderr
/// and anything not redirected. None, with a note, where `script` is missing.
fn on_a_terminal(dir: &Dir, command: &str) -> Option<String> {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: script (util-linux) is not installed, so no terminal to test on");
        return None;
    }
    dir.write("command.sh", command);
    // TERM is set: without it (or with `dumb`) a terminal has no cursor control, and no
    // progress line is drawn.
    // script's status is the command's; the typescript says what the terminal saw.
    dir.sh("TERM=xterm script -qec 'bash command.sh' typescript >/dev/null");
    Some(dir.read("typescript"))
}

/// A file of `rows` tracepoint rows: more than the 65,536 rows between progress updates.
fn many_rows(rows: usize) -> String {
    let row = "2024-12-28 00:00:09+00:00,False,in,inv,37\n";
    format!("{TRACEPOINTS}{}", row.repeat(rows))
}

/// The progress line is cleared at the end of `tty`: after the last text drawn comes the
/// clearing `\r\x1b[2K` (each redraw starts with one too).
#[track_caller]
fn cleared_after_the_last_draw(tty: &str, tool: &str) {
    let last = tty
        .rfind(&format!("{tool}: "))
        .unwrap_or_else(|| panic!("no progress line: {tty:?}"));
    assert!(
        tty[last..].contains("\r\u{1b}[2K"),
        "not cleared: {:?}",
        &tty[last..]
    );
}

#[test]
fn progress_names_the_tool_and_how_far_through_the_files() {
    let dir = Dir::new();
    let data = many_rows(200_000);
    dir.write("big.csv", &data);
    dir.write("big.csv.bz2", bz2(data.as_bytes()));
    for (file, tool, args) in [
        ("big.csv", "estimate", ""),
        ("big.csv.bz2", "estimate", ""),
        ("big.csv", "bucket", "--every 1h --sum size"),
    ] {
        let bin = support::bin(tool);
        let Some(tty) = on_a_terminal(&dir, &format!("{} {args} {file} >/dev/null", bin.display()))
        else {
            return;
        };
        // The rows, and the percentage of the file's bytes as stored (compressed for .bz2).
        assert!(tty.contains(&format!("{tool}: 65,536 rows, ")), "{tty:?}");
        assert!(tty.contains("%), ") && tty.contains(", ETA "), "{tty:?}");
        #[allow(clippy::cast_precision_loss)] // a display figure
        let size = std::fs::metadata(dir.path(file)).unwrap().len() as f64;
        let total = if size < 1e6 {
            format!(" of {:.2} kB (", size / 1e3)
        } else {
            format!(" of {:.2} MB (", size / 1e6)
        };
        assert!(tty.contains(&total), "want {total:?} in {tty:?}");
        cleared_after_the_last_draw(&tty, tool);
    }
}

#[test]
fn progress_is_drawn_only_by_the_filter_reading_files() {
    let dir = Dir::new();
    dir.write("big.csv", many_rows(200_000));
    let est = support::bin("estimate").display().to_string();
    let bucket = support::bin("bucket").display().to_string();
    let pipeline = format!("{est} big.csv | {bucket} --every 1h >/dev/null");
    let Some(tty) = on_a_terminal(&dir, &pipeline) else {
        return;
    };
    assert!(tty.contains("estimate: 65,536 rows"), "{tty:?}");
    assert!(!tty.contains("bucket:"), "{tty:?}");
    // Nothing from stdin (in a pipeline, or redirected), and nothing with -q.
    for command in [
        format!("cat big.csv | {est} >/dev/null"),
        format!("{est} < big.csv >/dev/null"),
        format!("{est} - < big.csv >/dev/null"),
        format!("{est} -q big.csv >/dev/null"),
        format!("{est} --quiet big.csv >/dev/null"),
    ] {
        let tty = on_a_terminal(&dir, &command).unwrap();
        assert!(!tty.contains(" rows"), "{command}: {tty:?}");
    }
}

/// On a terminal, the progress line is cleared before a message, on every exit path.
#[test]
fn an_error_does_not_land_on_the_progress_line() {
    let dir = Dir::new();
    let row = "2024-12-28 00:00:09+00:00,False,in,inv,37\n";
    dir.write("a.csv", many_rows(150_000));
    dir.write(
        "b.csv",
        format!(
            "{}2024-12-28 00:00:09+00:00,False,in,inv,x\n",
            row.repeat(150_000)
        ),
    );
    // A named pipe is a FILE argument (so the line is drawn) that can pause mid-input, so
    // that the line is drawn before the bad row arrives.
    let inner = format!(
        "mkfifo in.csv; {{ cat a.csv; sleep 0.5; cat b.csv; }} > in.csv & {} in.csv > out.csv",
        support::bin("estimate").display()
    );
    let Some(tty) = on_a_terminal(&dir, &inner) else {
        return;
    };
    let drawn = tty
        .find(" rows")
        .unwrap_or_else(|| panic!("no progress line: {tty:?}"));
    let error = tty
        .find("estimate: in.csv: line 300004, column size")
        .unwrap_or_else(|| panic!("no error: {tty:?}"));
    assert!(drawn < error, "{tty:?}");
    let between = &tty[drawn..error];
    assert!(
        between.contains("\r\u{1b}[2K"),
        "not cleared before the error: {between:?}"
    );
    cleared_after_the_last_draw(&tty[..error], "estimate");
}

#[test]
fn the_progress_line_is_cleared_by_a_signal_or_a_closed_stdout() {
    let dir = Dir::new();
    dir.write("a.csv", many_rows(200_000));
    let est = support::bin("estimate").display().to_string();
    for (signal, status) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        // The input stalls after the first rows: the line is drawn, then the signal comes.
        let command = format!(
            "mkfifo in.{signal}; (cat a.csv; exec sleep 10) > in.{signal} & writer=$!; \
             {est} in.{signal} >/dev/null & pid=$!; sleep 1; kill -{signal} $pid; \
             wait $pid; echo \"status $?\"; kill $writer"
        );
        let Some(tty) = on_a_terminal(&dir, &command) else {
            return;
        };
        assert!(tty.contains(&format!("status {status}")), "{tty:?}");
        cleared_after_the_last_draw(&tty, "estimate");
    }
    // `| head`: the closed stdout ends the run quietly, the line cleared. bucket writes only
    // at the end, after drawing: a group a second fills the pipe, and head has gone by then.
    let mut seconds = String::from("timestamp,size\n");
    for s in 0..86_400 {
        let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
        seconds.push_str(&format!("2024-12-28 {h:02}:{m:02}:{s:02},1\n"));
    }
    dir.write("seconds.csv", &seconds);
    let command = format!(
        "{} --every 1s --sum size seconds.csv | {{ sleep 1; head -1 >/dev/null; }}; \
         echo \"status ${{PIPESTATUS[0]}}\"",
        support::bin("bucket").display()
    );
    let tty = on_a_terminal(&dir, &command).unwrap();
    assert!(tty.contains("status 0"), "{tty:?}");
    cleared_after_the_last_draw(&tty, "bucket");
}

/// Reads lines from a child's stdout on a thread, so that a test can wait with a timeout.
fn lines_of(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let output = std::io::BufReader::new(child.stdout.take().unwrap());
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in output.lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                return;
            }
        }
    });
    lines
}

/// A live source's first rows come out at once, even when nothing follows them for a while
/// (the writer pauses after its first burst): every filter that writes row by row.
#[test]
fn the_first_rows_of_a_live_input_pass_without_waiting() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    for (name, args, input) in filters() {
        if matches!(name, "bucket" | "widen" | "chart") {
            continue; // they write when a bucket or the whole table is complete
        }
        let mut child = Command::new(support::bin(name))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input.as_bytes()).unwrap();
        stdin.flush().unwrap();
        let lines = lines_of(&mut child);
        let want = dir_run_lines(name, args, input);
        let start = Instant::now();
        let got: Vec<String> = (0..want.len())
            .map_while(|_| lines.recv_timeout(Duration::from_secs(1)).ok())
            .collect();
        let waited = start.elapsed();
        drop(stdin);
        let _ = child.wait();
        assert_eq!(got, want, "{name}: not all rows came out within a second");
        assert!(waited < Duration::from_secs(1), "{name}: took {waited:?}");
    }
}

/// What `name` prints for `input` when it reads it all at once.
fn dir_run_lines(name: &str, args: &[&str], input: &str) -> Vec<String> {
    let out = Dir::new().run(name, args, input).ok();
    out.lines().map(str::to_owned).collect()
}

/// The README's and --help's way to follow a live log: `tail -n +1 -F` starts at the header
/// and follows the file (and its daily rotation); `tail -f` would start 10 lines from the end.
#[test]
fn tail_from_the_first_line_follows_a_live_log() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    use std::time::Duration;
    let dir = Dir::new();
    let log = dir.write("today.csv", support::sample("estimate").1);
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "tail -n +1 -F today.csv 2>/dev/null | {} --ipv6-col ipv6",
            support::bin("estimate").display()
        ))
        .current_dir(dir.tmp.path())
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    let next = || lines.recv_timeout(Duration::from_secs(5)).ok();
    assert_eq!(
        next().as_deref(),
        Some("timestamp,ipv6,flow,msg_type,size,net_size")
    );
    assert!(next().is_some_and(|l| l.ends_with(",37,113")));
    assert!(next().is_some_and(|l| l.ends_with(",250,346")));
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    file.write_all(b"2024-12-28 00:00:14+00:00,False,in,ping,8\n")
        .unwrap();
    assert_eq!(
        next().as_deref(),
        Some("2024-12-28 00:00:14+00:00,False,in,ping,8,84")
    );
    // The whole pipeline is in a process group of its own: stop tail with it.
    let _ = Command::new("kill")
        .args(["-TERM", "--", &format!("-{}", child.id())])
        .status();
    let _ = child.wait();
}
