//! Compressed inputs: bzip2, gzip, zstd and xz told apart by their first bytes, damage named
//! for its cause and place, bzip2 files decoded by the filters' own decoder with the same rows
//! and messages as by libbz2 (and the same rows as lbzip2, pbzip2 and bzip2 give), and no
//! compressing child process outliving a filter.
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

/// Runs `estimate ARGS` in `dir` with PATH set to `path`, bzip2 files decoded by libbz2
/// (`NETAGG_BZIP2=libbz2`) or by default by the filters' own decoder.
fn estimate_decoding(dir: &Dir, path: &Path, libbz2: bool, args: &str) -> Run {
    let mode = if libbz2 {
        "env NETAGG_BZIP2=libbz2"
    } else {
        "env -u NETAGG_BZIP2"
    };
    dir.sh(&format!(
        "PATH={} {mode} {} {args}",
        path.display(),
        bin("estimate").display()
    ))
}

/// stdout when the run left nothing on stderr: before an error, how much output got out
/// depends on timing (a filter passes on what it has whenever its input is slow).
fn complete_stdout(run: &Run) -> String {
    if run.stderr.is_empty() {
        run.stdout()
    } else {
        String::new()
    }
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
        r#"estimate: t.csv.lz4: line 1: no column named 'size'; the header is: "\u{4}""M"#,
    );
    // Listed as CSV: the quote in the first field makes it quoted.
    assert!(run.stderr.ends_with("... (2015 bytes)\n"), "{run:?}");
    assert!(!run.stderr.contains(['\u{1b}', '\r', '\0']), "{run:?}");
    dir.write("a.csv", TRACEPOINTS);
    let run = dir.run("estimate", &["a.csv", "t.csv.lz4"], "");
    run.fails(1, r#"estimate: t.csv.lz4: line 1: the header '"\u{4}""M"#);
    assert!(run.stderr.lines().count() == 1, "{run:?}");
}

#[test]
fn the_bzip2_decoder_gives_libbz2s_rows_and_messages() {
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
        ("junk-between", [&good[..], b"junk", &good].concat()),
        ("bad-header-after", [&good[..], b"BZh9junk"].concat()),
    ];
    let path = std::env::var_os("PATH").unwrap();
    let path = Path::new(&path);
    let mut libbz2 = Vec::new();
    for (name, bytes) in &files {
        let file = format!("{name}.csv.bz2");
        dir.write(&file, bytes);
        let want = estimate_decoding(&dir, path, true, &format!("{file} | md5sum"));
        let got = estimate_decoding(&dir, path, false, &format!("{file} | md5sum"));
        let outcome = |run: &Run| (complete_stdout(run), run.stderr.clone());
        assert_eq!(outcome(&got), outcome(&want), "{name}: {got:?}");
        libbz2.push(outcome(&want));
    }
    // Each file again amid others: the same rows and messages, the damaged file named.
    dir.write("plain.csv", data.as_bytes());
    for (i, (name, _)) in files.iter().enumerate() {
        let args =
            format!("good.csv.bz2 {name}.csv.bz2 good.csv.bz2 plain.csv good.csv.bz2 | md5sum");
        let want = estimate_decoding(&dir, path, true, &args);
        let got = estimate_decoding(&dir, path, false, &args);
        if i > 0 {
            assert!(got.stderr.contains(&format!("{name}.csv.bz2: ")), "{got:?}");
        }
        assert_eq!(
            (complete_stdout(&got), &got.stderr),
            (complete_stdout(&want), &want.stderr),
            "{args}"
        );
    }
    assert!(libbz2[0].1.is_empty(), "{:?}", libbz2[0]);
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
        assert!(
            libbz2[i].1.contains(cause),
            "{}: {}",
            files[i].0,
            libbz2[i].1
        );
    }
    assert!(
        libbz2[3].1.contains("after the row on line 60001: "),
        "{}",
        libbz2[3].1
    );
    // The installed bzip2 tools decode a good file to the rows the filter reads from it.
    let want = estimate_decoding(&dir, path, false, "good.csv.bz2").ok();
    for (tool, path) in installed_decoders(&dir) {
        let run = dir.sh(&format!(
            "PATH={}; {tool} -dc good.csv.bz2 | {}",
            path.display(),
            bin("estimate").display()
        ));
        assert_eq!(run.ok(), want, "{tool} -dc | estimate");
    }
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
fn child_pid(dir: &Dir) -> u32 {
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

/// bzip2 files are decoded in this process: the same rows whatever the files' split, no
/// child started, a closed stdout ends it quietly, and a file cut mid-row (a crash) ends
/// there, not joined to the next file's header.
#[test]
fn bzip2_files_decode_in_process() {
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
    let whole = estimate_decoding(&dir, &path, false, "all.csv").ok();
    let run = estimate_decoding(&dir, &path, false, &names.join(" "));
    assert_eq!(run.ok(), whole);
    let run = estimate_decoding(
        &dir,
        &path,
        false,
        "0.csv.bz2 all.csv - 2.csv.bz2 < 1.csv.bz2",
    );
    assert_eq!(run.status, Some(0), "{run:?}");
    let run = estimate_decoding(
        &dir,
        &path,
        false,
        "0.csv.bz2 | head -1; exit ${PIPESTATUS[0]}",
    );
    assert_eq!((run.status, run.stderr.as_str()), (Some(0), ""), "{run:?}");
    assert!(!dir.path("lbzip2.pid").exists(), "lbzip2 started");
    let cut = format!("{data}2024-12-28 00:00:00+00:00,False,in");
    dir.write("cut.csv.bz2", bz2(cut.as_bytes()));
    let run = estimate_decoding(&dir, &path, false, "cut.csv.bz2 0.csv.bz2 > /dev/null");
    assert!(
        run.stderr
            .contains("cut.csv.bz2: line 200002: found a row of 3 fields"),
        "{run:?}"
    );
}

/// Sends `signal` to a filter that runs a child process, and checks that it stopped on it.
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
fn no_compressing_child_outlives_its_filter() {
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
        let pid = child_pid(&dir);
        stop(&mut child, signal);
        drop(input);
        assert!(is_gone(pid), "lbzip2 outlived SIG{signal}");
        let mut left = dir.files();
        left.retain(|f| f.contains("out.csv"));
        assert!(left.is_empty(), "SIG{signal} left {left:?}");
    }
}
