//! Compressed inputs: bzip2, gzip, zstd and xz told apart by their first bytes, damage named
//! for its cause and place, and bzip2 files decoded by lbzip2 when installed with
//! the same results and messages as by libbz2, and no helper process outliving a filter.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use support::{bin, bz2, filters, installed_decoders, Dir, Run, TRACEPOINTS};

fn gz(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// With the content checksum, as the zstd tool writes it.
fn zst(data: &[u8]) -> Vec<u8> {
    let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
    enc.include_checksum(true).unwrap();
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 6);
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

type Compress = fn(&[u8]) -> Vec<u8>;

/// Each format: its name in messages, what its pieces are called, its compressor.
const FORMATS: [(&str, &str, Compress); 4] = [
    ("bzip2", "stream", bz2),
    ("gzip", "member", gz),
    ("zstd", "frame", zst),
    ("xz", "stream", xz),
];

/// Tracepoints of `rows` messages with varied sizes (so that compressed data is varied too).
fn many_tracepoints(rows: usize) -> String {
    let mut s = String::from("timestamp,ipv6,flow,msg_type,size\n");
    for i in 0..rows {
        let (m, sec) = (i / 60 % 60, i % 60);
        let size = (i * 7919) % 100_000;
        s.push_str(&format!(
            "2024-12-28 00:{m:02}:{sec:02}+00:00,False,in,inv,{size}\n"
        ));
    }
    s
}

/// Runs `estimate ARGS` in `dir` with PATH set to `path` (the decoders it may find), bzip2
/// files decoded the old way: by lbzip2 when `path` has it, else by libbz2.
fn estimate_with_path(dir: &Dir, path: &Path, args: &str) -> Run {
    estimate_decoding(dir, path, Some("lbzip2"), args)
}

/// Runs `estimate ARGS` in `dir` with PATH set to `path` and `NETAGG_BZIP2` set to `mode`
/// (none: bzip2 files are decoded in-process, on every core).
fn estimate_decoding(dir: &Dir, path: &Path, mode: Option<&str>, args: &str) -> Run {
    dir.sh(&format!(
        "PATH={} {} {} {args}",
        path.display(),
        mode.map_or_else(
            || "env -u NETAGG_BZIP2".to_owned(),
            |m| format!("env NETAGG_BZIP2={m}")
        ),
        bin("estimate").display()
    ))
}

#[test]
fn every_format_reads_as_plain_from_files_and_stdin() {
    let dir = Dir::new();
    for (name, args, input) in filters() {
        let want = dir.run(name, args, input).ok();
        let (header, rows) = input.split_at(input.find('\n').unwrap() + 1);
        for (format, _, compress) in FORMATS {
            let mut multi = compress(header.as_bytes());
            multi.extend(compress(rows.as_bytes()));
            for data in [compress(input.as_bytes()), multi] {
                let what = format!("{name} reading {format}");
                assert_eq!(dir.run(name, args, &data).ok(), want, "{what} from stdin");
                dir.write("in.data", &data);
                let mut file_args = args.to_vec();
                file_args.push("in.data");
                assert_eq!(
                    dir.run(name, &file_args, "").ok(),
                    want,
                    "{what} from a file"
                );
            }
        }
    }
}

#[test]
fn damage_is_named_with_the_file_and_the_last_good_row_in_every_format() {
    let dir = Dir::new();
    let data = many_tracepoints(20_000);
    for (format, unit, compress) in FORMATS {
        let good = compress(data.as_bytes());
        let cut = &good[..good.len() * 3 / 4];
        let garbage = [&good[..], b"\0\0\0\0garbage"].concat();
        let cases = [
            (
                cut.to_vec(),
                format!("{format}: the data ends in the middle of a {unit} (a truncated file?)"),
            ),
            (
                garbage,
                format!(
                    "after the row on line 20001: {format}: the last complete {unit} is \
                     followed by data that is not {format} (garbage appended to the file?)"
                ),
            ),
        ];
        for (bytes, message) in cases {
            dir.write("t.csv.z", &bytes);
            let run = dir.run("estimate", &["t.csv.z"], "");
            run.fails(1, "estimate: t.csv.z: after the row on line ");
            run.fails(1, &message);
        }
        let mut flipped = good.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x55;
        dir.write("t.csv.z", &flipped);
        let run = dir.run("estimate", &["t.csv.z"], "");
        run.fails(1, "estimate: t.csv.z: ");
        run.fails(1, &format!("{format}: corrupt data"));
    }
}

#[test]
fn headers_in_messages_are_escaped_and_shortened() {
    let dir = Dir::new();
    // A compressed format the filters do not read (lz4) is read as CSV: its "header" is binary.
    let mut lz4 = vec![
        0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0x1b, 0x00, 0x00, 0x00, b',',
    ];
    lz4.extend(
        (0..=255u8)
            .filter(|b| !b"\n\r\"".contains(b))
            .cycle()
            .take(2000),
    );
    lz4.push(b'\n');
    dir.write("t.csv.lz4", &lz4);
    let run = dir.run("estimate", &["t.csv.lz4"], "");
    run.fails(
        1,
        r"estimate: t.csv.lz4: line 1: no column named 'size'; the header is: \u{4}",
    );
    assert!(run.stderr.ends_with("... (2012 bytes)\n"), "{run:?}");
    assert!(!run.stderr.contains(['\u{1b}', '\r', '\0']), "{run:?}");
    dir.write("a.csv", TRACEPOINTS);
    let run = dir.run("estimate", &["a.csv", "t.csv.lz4"], "");
    run.fails(1, r"estimate: t.csv.lz4: line 1: the header '\u{4}");
    assert!(run.stderr.lines().count() == 1, "{run:?}");
}

#[test]
fn every_bzip2_decoder_gives_libbz2s_rows_and_messages() {
    let dir = Dir::new();
    let data = many_tracepoints(60_000);
    // Level 1: 100 kB blocks, so that damage is several blocks in.
    let good = bz2(data.as_bytes());
    let mut corrupt = good.clone();
    let at = corrupt.len() * 3 / 4;
    corrupt[at] ^= 0x55;
    let files: [(&str, Vec<u8>); 6] = [
        (
            "good",
            [good.clone(), bz2(b""), bz2(&data.as_bytes()[34..])].concat(),
        ),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("corrupt", corrupt),
        ("garbage", [&good[..], b"\0\0\0\0garbage"].concat()),
        // lbzip2 stops at the junk without a word and drops the second stream.
        ("junk-between", [&good[..], b"junk", &good].concat()),
        ("bad-header-after", [&good[..], b"BZh9junk"].concat()),
    ];
    let mut want = Vec::new();
    // bzip2 first: its PATH has neither lbzip2 nor pbzip2, so libbz2 decodes in-process.
    // (The filters do not use pbzip2: with its PATH, libbz2 decodes too.)
    let mut decoders = installed_decoders(&dir);
    decoders.sort_by_key(|(name, _)| *name != "bzip2");
    let all: Vec<(&str, std::path::PathBuf, Option<&str>)> = decoders
        .iter()
        .map(|(name, path)| (*name, path.clone(), Some("lbzip2")))
        .chain(std::iter::once(("in-process", decoders[0].1.clone(), None)))
        .collect();
    assert!(
        decoders.len() == 3 || std::env::var_os("CI").is_none(),
        "CI installs all three"
    );
    // Each PATH with the old way (lbzip2 if there, else libbz2), then the in-process
    // decoder, which hands damaged files to libbz2.
    let ways: Vec<(String, std::path::PathBuf, Option<&str>)> = decoders
        .iter()
        .map(|(name, path)| ((*name).to_owned(), path.clone(), Some("lbzip2")))
        .chain(std::iter::once((
            "in-process".to_owned(),
            decoders[0].1.clone(),
            None,
        )))
        .collect();
    for (decoder, path, mode) in &ways {
        for (i, (name, bytes)) in files.iter().enumerate() {
            let file = format!("{name}.csv.bz2");
            dir.write(&file, bytes);
            let run = estimate_decoding(&dir, path, *mode, &format!("{file} | md5sum"));
            // Before an error, how much output got out depends on timing (a filter passes
            // on what it has whenever its input is slow): only a complete run's compares.
            let stdout = if run.stderr.is_empty() {
                run.stdout()
            } else {
                String::new()
            };
            let got = (stdout, run.stderr.clone());
            if decoder.as_str() == "bzip2" {
                want.push(got);
                continue;
            }
            assert_eq!(got, want[i], "{decoder} on {name}: {run:?}");
        }
    }
    // Each file again amid others, where lbzip2 decodes a run of bzip2 files at once: the
    // same rows and messages as libbz2 file by file, the damaged file named.
    dir.write("plain.csv", data.as_bytes());
    for (i, (name, _)) in files.iter().enumerate() {
        let args = format!("good.csv.bz2 {name}.csv.bz2 good.csv.bz2 plain.csv good.csv.bz2");
        let mut outcomes = Vec::new();
        for (decoder, path, mode) in &all {
            let run = estimate_decoding(&dir, path, *mode, &format!("{args} | md5sum"));
            let stdout = if run.stderr.is_empty() {
                run.stdout()
            } else {
                String::new()
            };
            if i > 0 {
                assert!(run.stderr.contains(&format!("{name}.csv.bz2: ")), "{run:?}");
            }
            outcomes.push((decoder, (stdout, run.stderr.clone())));
        }
        for (decoder, got) in &outcomes[1..] {
            assert_eq!(
                *got, outcomes[0].1,
                "{decoder} vs {} on {args}",
                outcomes[0].0
            );
        }
    }
    assert!(want[0].1.is_empty(), "{:?}", want[0]);
    for (i, cause) in [
        (1, "the data ends in the middle of a stream"),
        (2, "corrupt data"),
        (
            3,
            "the last complete stream is followed by data that is not bzip2",
        ),
        (
            4,
            "the last complete stream is followed by data that is not bzip2",
        ),
    ] {
        assert!(want[i].1.contains(cause), "{}: {}", files[i].0, want[i].1);
    }
    assert!(
        want[3].1.contains("after the row on line 60001: "),
        "{}",
        want[3].1
    );
}

/// A folder with an `lbzip2` that notes its pid in `lbzip2.pid`, then runs the real one;
/// none (the test is skipped, and says so) when lbzip2 is not installed.
fn noting_lbzip2(dir: &Dir) -> Option<std::path::PathBuf> {
    let Some((_, path)) = installed_decoders(dir)
        .into_iter()
        .find(|(name, _)| *name == "lbzip2")
    else {
        eprintln!("skipped: lbzip2 is not installed");
        return None;
    };
    let real = std::fs::read_link(path.join("lbzip2")).unwrap();
    std::fs::remove_file(path.join("lbzip2")).unwrap();
    let shim = path.join("lbzip2");
    std::fs::write(
        &shim,
        format!(
            "#!/bin/sh\necho $$ > '{}'\nexec '{}' \"$@\"\n",
            dir.path("lbzip2.pid").display(),
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&shim, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    Some(path)
}

/// The pid the shim noted, once it has.
fn helper_pid(dir: &Dir) -> u32 {
    for _ in 0..500 {
        if let Ok(pid) = std::fs::read_to_string(dir.path("lbzip2.pid")) {
            if let Ok(pid) = pid.trim().parse() {
                return pid;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("lbzip2 never started");
}

fn is_gone(pid: u32) -> bool {
    !Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn no_helper_outlives_its_filter() {
    let dir = Dir::new();
    let Some(path) = noting_lbzip2(&dir) else {
        return;
    };
    let big = many_tracepoints(400_000);
    dir.write("big.csv.bz2", bz2(big.as_bytes()));
    let bad = big.replacen(",in,inv,", ",in,inv,x", 3);
    dir.write("bad.csv.bz2", bz2(bad.as_bytes()));
    // A closed stdout, and a data error early on.
    for (args, status) in [("big.csv.bz2 | head -1", 0), ("bad.csv.bz2 > /dev/null", 1)] {
        let _ = std::fs::remove_file(dir.path("lbzip2.pid"));
        let run = estimate_with_path(&dir, &path, &format!("{args}; exit ${{PIPESTATUS[0]}}"));
        assert_eq!(run.status, Some(status), "{run:?}");
        assert!(is_gone(helper_pid(&dir)), "lbzip2 outlived {args}");
    }
    // Signals, while the filter is stuck writing to a pipe nobody reads.
    for signal in ["TERM", "INT", "HUP"] {
        let _ = std::fs::remove_file(dir.path("lbzip2.pid"));
        let mut child = Command::new(bin("estimate"))
            .arg("big.csv.bz2")
            .current_dir(dir.tmp.path())
            .env("PATH", &path)
            .env("NETAGG_BZIP2", "lbzip2")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = helper_pid(&dir);
        stop(&mut child, signal);
        assert!(is_gone(pid), "lbzip2 outlived SIG{signal}");
    }
}

/// A run of bzip2 files goes through one lbzip2: each file would cost lbzip2 a start and a
/// drain (its last blocks decode on one core). A file that is not bzip2 ends the run; the
/// files after it start another.
#[test]
fn one_lbzip2_decodes_a_run_of_bzip2_files() {
    let dir = Dir::new();
    let Some(path) = noting_lbzip2(&dir) else {
        return;
    };
    // Appending pids: one line per start.
    let shim = std::fs::read_to_string(path.join("lbzip2")).unwrap();
    std::fs::write(path.join("lbzip2"), shim.replace("echo $$ >", "echo $$ >>")).unwrap();
    let data = many_tracepoints(20_000);
    let (header, rows) = data.split_at(34);
    let lines: Vec<&str> = rows.split_inclusive('\n').collect();
    for (i, part) in lines.chunks(lines.len() / 3 + 1).enumerate() {
        dir.write(
            &format!("{i}.csv.bz2"),
            bz2((header.to_owned() + &part.concat()).as_bytes()),
        );
    }
    dir.write("3.csv", data.as_bytes());
    let whole = estimate_with_path(&dir, &path, "3.csv").stdout;
    for (args, starts) in [
        ("0.csv.bz2 1.csv.bz2 2.csv.bz2", 1),
        ("0.csv.bz2 3.csv 1.csv.bz2 2.csv.bz2", 2),
        ("0.csv.bz2 - 2.csv.bz2 < 1.csv.bz2", 2),
    ] {
        let _ = std::fs::remove_file(dir.path("lbzip2.pid"));
        let run = estimate_with_path(&dir, &path, &format!("-q {args}"));
        assert_eq!(run.status, Some(0), "{run:?}");
        let pids = std::fs::read_to_string(dir.path("lbzip2.pid")).unwrap();
        assert_eq!(pids.lines().count(), starts, "{args}");
        if starts == 1 {
            // The rows of the three files are those of the one file.
            assert_eq!(run.stdout, whole, "{args}");
        }
    }
    // A file that ends mid-row (a crash) ends there, not joined to the next file's header.
    let cut = format!("{data}2024-12-28 00:00:00+00:00,False,in");
    dir.write("cut.csv.bz2", bz2(cut.as_bytes()));
    let run = estimate_with_path(&dir, &path, "cut.csv.bz2 0.csv.bz2 > /dev/null");
    assert!(
        run.stderr
            .contains("cut.csv.bz2: line 20002: found a row of 3 fields"),
        "{run:?}"
    );
}

/// By default bzip2 files are decoded in this process, lbzip2 or not: the same rows, no
/// helper started.
#[test]
fn bzip2_files_decode_in_process_by_default() {
    let dir = Dir::new();
    let Some(path) = noting_lbzip2(&dir) else {
        return;
    };
    let data = many_tracepoints(200_000);
    let (header, rows) = data.split_at(34);
    let lines: Vec<&str> = rows.split_inclusive('\n').collect();
    let mut names = Vec::new();
    for (i, part) in lines.chunks(lines.len() / 3 + 1).enumerate() {
        let name = format!("{i}.csv.bz2");
        dir.write(&name, bz2((header.to_owned() + &part.concat()).as_bytes()));
        names.push(name);
    }
    dir.write("all.csv", data.as_bytes());
    let whole = estimate_decoding(&dir, &path, None, "all.csv").ok();
    let run = estimate_decoding(&dir, &path, None, &names.join(" "));
    assert_eq!(run.ok(), whole);
    // A closed stdout ends it quietly, decoding threads and all.
    let run = estimate_decoding(
        &dir,
        &path,
        None,
        "0.csv.bz2 | head -1; exit ${PIPESTATUS[0]}",
    );
    assert_eq!((run.status, run.stderr.as_str()), (Some(0), ""), "{run:?}");
    assert!(!dir.path("lbzip2.pid").exists(), "lbzip2 started");
}

/// Sends `signal` to a filter that runs a helper, and checks that it stopped on it.
fn stop(child: &mut std::process::Child, signal: &str) {
    std::thread::sleep(std::time::Duration::from_millis(200));
    let killed = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(!status.success(), "{signal}: {status:?}");
}

/// `-o *.bz2` compresses through lbzip2: stopped by a signal mid-run, the filter takes it
/// along and leaves no temp file.
#[test]
fn no_compressing_helper_outlives_its_filter() {
    let dir = Dir::new();
    let Some(path) = noting_lbzip2(&dir) else {
        return;
    };
    for signal in ["TERM", "INT", "HUP"] {
        let _ = std::fs::remove_file(dir.path("lbzip2.pid"));
        let mut child = Command::new(bin("estimate"))
            .args(["-o", "out.csv.bz2"])
            .current_dir(dir.tmp.path())
            .env("PATH", &path)
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        // Rows arrive, then the input stalls with the output half written.
        let mut input = child.stdin.take().unwrap();
        input
            .write_all(many_tracepoints(50_000).as_bytes())
            .unwrap();
        let pid = helper_pid(&dir);
        stop(&mut child, signal);
        drop(input);
        assert!(is_gone(pid), "lbzip2 outlived SIG{signal}");
        let mut left = dir.files();
        left.retain(|f| f.contains("out.csv"));
        assert!(left.is_empty(), "SIG{signal} left {left:?}");
    }
}
