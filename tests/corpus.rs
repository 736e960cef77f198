//! The robustness corpus: damaged and odd monitor logs, one table row each, for the three
//! filters and `scripts/aggregate.sh`. Each case states the exit status, what stderr must say
//! (file, line and column wherever there is one) and, for a success, stdout exactly; no case
//! may panic, and no case may leave a file behind that it did not ask for.
//!
//! Related cases live elsewhere and are not repeated here: tests/errors.rs holds bad values
//! read from stdin (month 13, hour 25, two offsets in one stream, negative and fractional
//! sizes, overflowing sums); tests/io.rs holds estimate's missing, folder, empty, truncated
//! and garbage-tailed inputs. The cases below read files (so messages must name them), put
//! the damage after lines that are hard to count (quoted newlines, CRLF, a BOM, blank lines),
//! and cover pivot, bucket and the script as well.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::collections::BTreeSet;

use support::{bunzip2, bz2, read_repo, repo, Dir, Run, TABLES};

const TP: &str = "timestamp,ipv6,flow,msg_type,size\n";
const SD: &str = "timestamp,IPIngressBytes,IPEgressBytes\n";
const T0: &str = "2024-12-28 00:00:09+00:00";
const TEN_MB: usize = 10 << 20;

/// A file the case creates before the run.
enum Setup {
    File(&'static str, Vec<u8>),
    Folder(&'static str),
}

/// What a successful run must have written.
enum Want {
    /// Stdout, byte for byte.
    Stdout(Vec<u8>),
    /// The script's four tables, each equal to the corresponding text.
    Tables([String; 4]),
}

struct Case {
    name: &'static str,
    /// `estimate`, `pivot`, `bucket`, or `script` (scripts/aggregate.sh).
    tool: &'static str,
    /// Split on spaces; for the script, `@TP` and `@SD` are the bundled sample inputs.
    args: &'static str,
    stdin: Vec<u8>,
    setup: Vec<Setup>,
    status: i32,
    /// Substrings stderr must hold, in order; none means stderr must be empty.
    stderr: Vec<String>,
    want: Option<Want>,
}

fn case(name: &'static str, tool: &'static str, args: &'static str) -> Case {
    Case {
        name,
        tool,
        args,
        stdin: Vec::new(),
        setup: Vec::new(),
        status: 0,
        stderr: Vec::new(),
        want: None,
    }
}

impl Case {
    fn stdin(mut self, data: impl Into<Vec<u8>>) -> Case {
        self.stdin = data.into();
        self
    }

    fn file(mut self, name: &'static str, data: impl Into<Vec<u8>>) -> Case {
        self.setup.push(Setup::File(name, data.into()));
        self
    }

    fn folder(mut self, name: &'static str) -> Case {
        self.setup.push(Setup::Folder(name));
        self
    }

    fn fails(mut self, status: i32, messages: &[&str]) -> Case {
        self.status = status;
        self.stderr = messages.iter().map(|m| (*m).to_owned()).collect();
        self
    }

    fn prints(mut self, stdout: impl Into<Vec<u8>>) -> Case {
        self.want = Some(Want::Stdout(stdout.into()));
        self
    }

    fn tables(mut self, tables: [String; 4]) -> Case {
        self.want = Some(Want::Tables(tables));
        self
    }
}

/// Concatenates byte strings: the corpus mixes text with bytes that are not UTF-8.
fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// `data` with every `\n` made `\r\n`.
fn crlf(data: &str) -> String {
    data.replace('\n', "\r\n")
}

/// A bzip2 file of `data` cut to `percent` of its length, or with one byte flipped.
fn truncated_bz2(data: &[u8], percent: usize) -> Vec<u8> {
    let mut z = bz2(data);
    z.truncate(z.len() * percent / 100);
    z
}

fn corrupt_bz2(data: &[u8]) -> Vec<u8> {
    let mut z = bz2(data);
    let mid = z.len() / 2;
    z[mid] ^= 0x55;
    z
}

/// Tracepoints of `rows` messages, enough for several bzip2 blocks at level 1 (100 kB each).
fn many_tracepoints(rows: usize) -> String {
    let mut s = String::from(TP);
    for i in 0..rows {
        let (m, sec) = (i / 60 % 60, i % 60);
        s.push_str(&format!(
            "2024-12-28 00:{m:02}:{sec:02}+00:00,False,in,inv,{}\n",
            i % 1000
        ));
    }
    s
}

fn many_systemd(rows: usize) -> String {
    let mut s = String::from(SD);
    for i in 0..rows {
        let (m, sec) = (i / 60 % 60, i % 60);
        s.push_str(&format!(
            "2024-12-28 00:{m:02}:{sec:02}+00:00,{}.0,{}.0\n",
            i * 7,
            i * 3
        ));
    }
    s
}

/// The golden tables of the bundled sample.
fn sample_tables() -> [String; 4] {
    TABLES.map(|t| read_repo(&format!("tests/golden/sample/{t}.csv")))
}

fn sample(name: &str) -> String {
    bunzip2(&repo(&format!("scripts/sample/{name}.csv.bz2")))
}

#[allow(clippy::too_many_lines)] // one table
fn cases() -> Vec<Case> {
    let big = "x".repeat(TEN_MB);
    let big_size = "1".repeat(TEN_MB);
    let nul_tail = cat(&[
        b"t,net_size\n2024-12-28 00:00:00,1\n2024-12-28 00:00:01,2\n",
        &[0u8; 4096],
    ]);
    vec![
        // Ragged rows, and line numbers that count quoted newlines, CRLF and blank lines.
        case("row too short after a quoted multi-line field", "estimate", "tp.csv")
            .file("tp.csv", format!("{TP}{T0},False,in,\"multi\nline\",1\n{T0},False,in\n"))
            .fails(1, &["estimate: tp.csv: line 4: found a row of 3 fields where the header has 5: \
                '2024-12-28 00:00:09+00:00,False,in'"]),
        case("row too long (a trailing comma)", "pivot", "sd.csv")
            .file("sd.csv", format!("{SD}{T0},1.0,2.0\n{T0},1.0,2.0,\n"))
            .fails(1, &["pivot: sd.csv: line 3: found a row of 4 fields where the header has 3"]),
        case("ragged row after blank lines", "bucket", "--every 1h t.csv")
            .file("t.csv", "t,net_size\n\n2024-12-28 00:00:00,1\n\n\n2024-12-28 00:00:01\n")
            .fails(1, &["bucket: t.csv: line 6: found a row of 1 field where the header has 2"]),
        case("NUL-filled tail of a crashed log", "bucket", "--every 1h t.csv")
            .file("t.csv", nul_tail)
            .fails(1, &[r"bucket: t.csv: line 4: found a row of 1 field where the header has 2: '\0\0\0"]),
        // Quoting.
        case("quoted commas, quotes and newlines pass through as pandas quotes them", "estimate", "tp.csv")
            .file("tp.csv", format!("{TP}{T0},False,in,\"a,b\",1\n{T0},True,\"out\",\"say \"\"hi\"\"\nthere\",37\n"))
            .prints(format!("{}{T0},False,in,\"a,b\",1,77\n{T0},True,out,\"say \"\"hi\"\"\nthere\",37,133\n",
                TP.replace('\n', ",net_size\n"))),
        case("a quoted key with a comma and a newline groups and prints quoted", "bucket", "--every 1h --by k")
            .stdin("t,k,net_size\n2024-12-28 00:00:00,\"a,\nb\",1\n2024-12-28 00:10:00,\"a,\nb\",2\n2024-12-28 00:20:00,a,4\n")
            .prints("t,k,net_size\n2024-12-28,a,4\n2024-12-28,\"a,\nb\",3\n"),
        case("bad value after a three-line quoted field", "estimate", "tp.csv")
            .file("tp.csv", format!("{TP}{T0},False,in,\"one\ntwo\nthree\",1\n{T0},False,in,inv,x\n"))
            .fails(1, &["estimate: tp.csv: line 5, column size: 'x' is not a non-negative integer"]),
        // CRLF line ends: read as pandas reads them, written as `\n`.
        case("CRLF in, LF out", "estimate", "tp.csv")
            .file("tp.csv", crlf(&format!("{TP}{T0},False,in,inv,1\n{T0},True,out,tx,37\n")))
            .prints(format!("{}{T0},False,in,inv,1,77\n{T0},True,out,tx,37,133\n",
                TP.replace('\n', ",net_size\n"))),
        case("CRLF: the bad value is shown without its \\r", "bucket", "--every 1h t.csv")
            .file("t.csv", crlf("t,net_size\n2024-12-28 00:00:00,1\n2024-12-28 00:00:01,x\n"))
            .fails(1, &["bucket: t.csv: line 3, column net_size: 'x' is not a number"]),
        case("CRLF: an empty last value is missing, not '\\r'", "pivot", "sd.csv")
            .file("sd.csv", crlf(&format!("{SD}{T0},5.0,\n")))
            .prints(format!("timestamp,flow,net_size\n{T0},in,5.0\n")),
        // A byte-order mark (Excel, PowerShell) is not part of the first column's name.
        case("BOM: the first column is found by name", "bucket", "--every 1h --time timestamp --sum size sd.csv")
            .file("sd.csv", format!("\u{feff}timestamp,size\n{T0},3\n{T0},4\n"))
            .prints("timestamp,size\n2024-12-28 00:00:00+00:00,7\n"),
        case("BOM: not copied to the output", "estimate", "tp.csv.bz2")
            .file("tp.csv.bz2", bz2(format!("\u{feff}{TP}{T0},False,in,inv,1\n").as_bytes()))
            .prints(format!("{}{T0},False,in,inv,1,77\n", TP.replace('\n', ",net_size\n"))),
        // Invalid UTF-8: untouched where passed through, an error (escaped) where parsed.
        case("invalid UTF-8 in a passed-through column", "estimate", "")
            .stdin(cat(&[TP.as_bytes(), T0.as_bytes(), b",False,in,\xff\xfeinv,1\n"]))
            .prints(cat(&[TP.replace('\n', ",net_size\n").as_bytes(), T0.as_bytes(), b",False,in,\xff\xfeinv,1,77\n"])),
        case("invalid UTF-8 in a key", "bucket", "--every 1h --by k")
            .stdin(cat(&[b"t,k,net_size\n2024-12-28 00:00:00,\xc3(,1\n2024-12-28 00:00:01,\xc3(,2\n"]))
            .prints(cat(&[b"t,k,net_size\n2024-12-28,\xc3(,3\n"])),
        case("invalid UTF-8 in the melted id column", "pivot", "")
            .stdin(cat(&[SD.as_bytes(), b"\xe9t\xe9,1.0,2.0\n"]))
            .prints(cat(&[b"timestamp,flow,net_size\n\xe9t\xe9,in,1.0\n\xe9t\xe9,out,2.0\n"])),
        case("invalid UTF-8 in size", "estimate", "tp.csv")
            .file("tp.csv", cat(&[TP.as_bytes(), T0.as_bytes(), b",False,in,inv,1\xff\n"]))
            .fails(1, &[r"estimate: tp.csv: line 2, column size: '1\xff' is not a non-negative integer"]),
        case("invalid UTF-8 in ipv6", "estimate", "tp.csv")
            .file("tp.csv", cat(&[TP.as_bytes(), T0.as_bytes(), b",Tru\xe9,in,inv,1\n"]))
            .fails(1, &[r"estimate: tp.csv: line 2, column ipv6: 'Tru\xe9' is not a boolean"]),
        case("invalid UTF-8 in a timestamp", "bucket", "--every 1h t.csv")
            .file("t.csv", cat(&[b"t,net_size\n2024-12-28 00:00:0\xff,1\n"]))
            .fails(1, &[r"bucket: t.csv: line 2, column t: '2024-12-28 00:00:0\xff' is not a timestamp like"]),
        case("invalid UTF-8 in a summed value", "bucket", "--every 1h t.csv")
            .file("t.csv", cat(&[b"t,net_size\n2024-12-28 00:00:00,1\xfe\n"]))
            .fails(1, &[r"bucket: t.csv: line 2, column net_size: '1\xfe' is not a number"]),
        // NUL bytes.
        case("NUL in a passed-through column", "estimate", "")
            .stdin(format!("{TP}{T0},False,in,a\0b,1\n"))
            .prints(format!("{}{T0},False,in,a\0b,1,77\n", TP.replace('\n', ",net_size\n"))),
        case("NUL in size is shown escaped", "estimate", "tp.csv")
            .file("tp.csv", format!("{TP}{T0},False,in,inv,1\0\n"))
            .fails(1, &[r"estimate: tp.csv: line 2, column size: '1\0' is not a non-negative integer"]),
        // A 10 MB field.
        case("10 MB field passes through", "estimate", "")
            .stdin(format!("{TP}{T0},False,in,{big},1\n"))
            .prints(format!("{}{T0},False,in,{big},1,77\n", TP.replace('\n', ",net_size\n"))),
        case("10 MB key groups", "bucket", "--every 1d --by k")
            .stdin(format!("t,k,net_size\n2024-12-28 00:00:00,{big},1\n2024-12-28 05:00:00,{big},2\n"))
            .prints(format!("t,k,net_size\n2024-12-28,{big},3\n")),
        case("10 MB size: the message stays short", "estimate", "tp.csv")
            .file("tp.csv", format!("{TP}{T0},False,in,inv,{big_size}\n"))
            .fails(1, &["estimate: tp.csv: line 2, column size: '111111", "...' (10485760 bytes) is too large"]),
        // Empty input and header only.
        case("empty file", "pivot", "sd.csv")
            .file("sd.csv", "")
            .fails(1, &["pivot: sd.csv: the input is empty: no header line"]),
        case("only blank lines", "bucket", "--every 1h")
            .stdin("\n\r\n\n")
            .fails(1, &["bucket: the input is empty: no header line"]),
        case("header only", "estimate", "tp.csv")
            .file("tp.csv", TP)
            .prints(TP.replace('\n', ",net_size\n")),
        case("header only, no newline", "pivot", "")
            .stdin(SD.trim_end())
            .prints("timestamp,flow,net_size\n"),
        case("header only, CRLF, bzip2", "bucket", "--every 1h --by flow --count n t.csv.bz2")
            .file("t.csv.bz2", bz2(b"t,flow,net_size\r\n"))
            .prints("t,flow,n\n"),
        // Duplicated header names: fine when passed through, an error when looked up.
        case("duplicated names passed through", "estimate", "")
            .stdin(format!("timestamp,flow,flow,ipv6,size\n{T0},in,out,False,1\n"))
            .prints(format!("timestamp,flow,flow,ipv6,size,net_size\n{T0},in,out,False,1,77\n")),
        case("duplicated size column", "estimate", "tp.csv")
            .file("tp.csv", format!("timestamp,size,ipv6,size\n{T0},1,False,2\n"))
            .fails(1, &["estimate: tp.csv: line 1: the header has 2 columns named 'size'"]),
        case("duplicated key column", "bucket", "--every 1h --by flow t.csv")
            .file("t.csv", "t,flow,flow,net_size\n2024-12-28 00:00:00,in,out,1\n")
            .fails(1, &["bucket: t.csv: line 1: the header has 2 columns named 'flow'"]),
        case("duplicated melted column", "pivot", "sd.csv")
            .file("sd.csv", "timestamp,IPIngressBytes,IPEgressBytes,IPIngressBytes\n")
            .fails(1, &["pivot: sd.csv: line 1: the header has 2 columns named 'IPIngressBytes'"]),
        // A missing column.
        case("missing sum column, in a bzip2 file", "bucket", "--every 1d --sum bytes hourly.csv.bz2")
            .file("hourly.csv.bz2", bz2(b"freq,flow,net_size\n"))
            .fails(1, &["bucket: hourly.csv.bz2: line 1: no column named 'bytes'; the header is: freq,flow,net_size"]),
        case("missing id column", "pivot", "--id node sd.csv")
            .file("sd.csv", SD)
            .fails(1, &["pivot: sd.csv: line 1: no column named 'node'; the header is: timestamp,IPIngressBytes,IPEgressBytes"]),
        case("missing address column", "estimate", "--ipv6-from peer_addr tp.csv")
            .file("tp.csv", TP)
            .fails(1, &["estimate: tp.csv: line 1: no column named 'peer_addr'"]),
        // Numbers that overflow, negative and fractional values.
        case("size one past u64", "estimate", "tp.csv")
            .file("tp.csv", format!("{TP}{T0},False,in,inv,18446744073709551616\n"))
            .fails(1, &["estimate: tp.csv: line 2, column size: '18446744073709551616' is too large: sizes must fit in 64 bits"]),
        case("size whose estimate overflows u64", "estimate", "tp.csv")
            .file("tp.csv", format!("{TP}{T0},False,in,inv,18446744073709551615\n"))
            .fails(1, &["estimate: tp.csv: line 2, column size: 18446744073709551615 is too large to estimate in 64 bits"]),
        case("a zero-padded size longer than u64::MAX's 20 digits", "estimate", "")
            .stdin(format!("{TP}{T0},False,in,inv,0000000000000000000000037\n"))
            .prints(format!("{}{T0},False,in,inv,0000000000000000000000037,113\n", TP.replace('\n', ",net_size\n"))),
        case("size in float notation", "estimate", "tp.csv")
            .file("tp.csv", format!("{TP}{T0},False,in,inv,1e3\n"))
            .fails(1, &["estimate: tp.csv: line 2, column size: '1e3' is not a non-negative integer"]),
        case("negative sum overflows", "bucket", "--every 1h t.csv")
            .file("t.csv", "t,net_size\n2024-12-28 00:00:00,-9223372036854775808\n2024-12-28 00:00:01,-1\n")
            .fails(1, &["bucket: column net_size: the sum for 2024-12-28 is -9223372036854775809, \
                          beyond int64 (pandas would wrap it around to 9223372036854775807"]),
        case("float sums overflow to inf as in pandas", "bucket", "--every 1h")
            .stdin("t,net_size\n2024-12-28 00:00:00,1e308\n2024-12-28 00:00:01,1e308\n")
            .prints("t,net_size\n2024-12-28,inf\n"),
        case("negative and fractional values sum as in pandas", "bucket", "--every 1h")
            .stdin("t,net_size\n2024-12-28 00:00:00,-5\n2024-12-28 00:00:01,2.5\n2024-12-28 01:00:00,-0.5\n")
            .prints("t,net_size\n2024-12-28 00:00:00,-2.5\n2024-12-28 01:00:00,-0.5\n"),
        case("huge and negative values are melted byte for byte", "pivot", "")
            .stdin(format!("{SD}{T0},99999999999999999999999,-1.5\n"))
            .prints(format!("timestamp,flow,net_size\n{T0},in,99999999999999999999999\n{T0},out,-1.5\n")),
        // Bad and out-of-range timestamps.
        case("month 13 after CRLF lines", "bucket", "--every 1h t.csv")
            .file("t.csv", crlf("t,net_size\n2024-12-28 00:00:00,1\n2024-13-01 00:00:00,1\n"))
            .fails(1, &["bucket: t.csv: line 3, column t: '2024-13-01 00:00:00' is not a timestamp: there is no month 13"]),
        case("hour 25 in a named time column", "bucket", "--every 1h --time ts --sum v t.csv")
            .file("t.csv", "v,ts\n1,2024-12-28 25:00:00+00:00\n")
            .fails(1, &["bucket: t.csv: line 2, column ts: '2024-12-28 25:00:00+00:00' is not a timestamp: there is no time 25:00:00"]),
        case("November 31", "bucket", "--every 1h t.csv")
            .file("t.csv", "t,net_size\n2024-11-31 00:00:00,1\n")
            .fails(1, &["bucket: t.csv: line 2, column t: '2024-11-31 00:00:00' is not a timestamp: there is no day 31 in 2024-11"]),
        case("a leap second (pandas refuses it too)", "bucket", "--every 1h t.csv")
            .file("t.csv", "t,net_size\n2016-12-31 23:59:60Z,1\n")
            .fails(1, &["line 2, column t: '2016-12-31 23:59:60Z' is not a timestamp: there is no time 23:59:60"]),
        case("before pandas' range", "bucket", "--every 1h t.csv")
            .file("t.csv", "t,net_size\n1677-09-21 00:00:00,1\n")
            .fails(1, &["line 2, column t: '1677-09-21 00:00:00' is not a timestamp: pandas' range is \
                1677-09-21 00:12:43.145224193 to 2262-04-11 23:47:16.854775807"]),
        case("ten fraction digits are cut to nanoseconds", "bucket", "--every 1h t.csv")
            .file("t.csv", "t,net_size\n2024-12-28 00:00:00.0123456789,1\n")
            .prints("t,net_size\n2024-12-28,1\n"),
        case("two offsets in one file", "bucket", "--every 1h t.csv")
            .file("t.csv", "t,net_size\n2024-12-28 00:00:00+00:00,1\n\"2024-12-28 00:00:01+02:00\",1\n")
            .fails(1, &["bucket: t.csv: line 3, column t: '2024-12-28 00:00:01+02:00' has another time zone than \
                '2024-12-28 00:00:00+00:00' on line 2;"]),
        case("two offsets in two files", "bucket", "--every 1h a.csv b.csv")
            .file("a.csv", "t,net_size\n2024-12-28 00:00:00+00:00,1\n")
            .file("b.csv", "t,net_size\n2024-12-28 01:00:00+01:00,1\n")
            .fails(1, &["bucket: b.csv: line 2, column t: '2024-12-28 01:00:00+01:00' has another time zone than \
                '2024-12-28 00:00:00+00:00' on line 2 of a.csv;"]),
        // Damaged bzip2.
        case("truncated bzip2, several blocks in", "pivot", "sd.csv.bz2")
            .file("sd.csv.bz2", truncated_bz2(many_systemd(20_000).as_bytes(), 60))
            .fails(1, &["pivot: sd.csv.bz2: after the row on line ", ": bzip2: the data ends in the middle of a stream (a truncated file?)"]),
        case("truncated bzip2 on stdin", "estimate", "")
            .stdin(truncated_bz2(many_tracepoints(100).as_bytes(), 50))
            .fails(1, &["estimate: bzip2: the data ends in the middle of a stream"]),
        case("bzip2 with trailing garbage", "bucket", "--every 1h --sum size tp.csv.bz2")
            .file("tp.csv.bz2", cat(&[&bz2(many_tracepoints(10).as_bytes()), b"\0\0\0\0garbage"]))
            .fails(1, &["bucket: tp.csv.bz2: after the row on line 11: bzip2: the last complete stream is followed by data that is not bzip2"]),
        case("bzip2 with a flipped byte", "estimate", "tp.csv.bz2")
            .file("tp.csv.bz2", corrupt_bz2(many_tracepoints(1000).as_bytes()))
            .fails(1, &["estimate: tp.csv.bz2: ", "bzip2: corrupt data"]),
        // Inputs and outputs that are not there.
        case("no such file", "bucket", "--every 1h nope.csv")
            .fails(1, &["bucket: nope.csv: No such file or directory"]),
        case("a folder as input", "pivot", "folder")
            .folder("folder")
            .fails(1, &["pivot: folder: Is a directory"]),
        case("second file missing: no output written", "estimate", "-o out.csv tp.csv nope.csv")
            .file("tp.csv", format!("{TP}{T0},False,in,inv,1\n"))
            .fails(1, &["estimate: nope.csv: No such file or directory"]),
        case("-o into a missing folder", "pivot", "-o nowhere/out.csv sd.csv")
            .file("sd.csv", SD)
            .fails(1, &["pivot: nowhere/out.csv: No such file or directory"]),
        case("-o onto a folder", "bucket", "--every 1h -o folder t.csv")
            .folder("folder")
            .file("t.csv", "t,net_size\n")
            .fails(1, &["bucket: folder: is a directory; -o takes a file name"]),
        // The script: every chain stops on damage with the step's message, and writes nothing.
        case("script: a folder as input", "script", "folder @SD")
            .folder("folder")
            .fails(1, &["aggregate.sh: cannot read folder"]),
        case("script: truncated bzip2 systemd", "script", "@TP sd.csv.bz2")
            .file("sd.csv.bz2", truncated_bz2(many_systemd(20_000).as_bytes(), 60))
            .fails(1, &["aggregate.sh: the systemd chain on sd.csv.bz2 failed; no tables written"]),
        case("script: corrupt bzip2 tracepoints", "script", "tp.csv.bz2 @SD")
            .file("tp.csv.bz2", corrupt_bz2(many_tracepoints(20_000).as_bytes()))
            .fails(1, &["aggregate.sh: the estimate chain on tp.csv.bz2 failed; no tables written"]),
        case("script: empty tracepoints", "script", "tp.csv @SD")
            .file("tp.csv", "")
            // Read first for its header, which tells the inputs apart.
            .fails(1, &["aggregate.sh: tp.csv: the input is empty: no header line"]),
        case("script: systemd without its egress column", "script", "@TP sd.csv")
            .file("sd.csv", format!("timestamp,IPIngressBytes\n{T0},1.0\n"))
            .fails(1, &["pivot: sd.csv: line 1: no column named 'IPEgressBytes'",
                "aggregate.sh: the systemd chain on sd.csv failed; no tables written"]),
        case("script: month 13 in systemd", "script", "@TP sd.csv")
            .file("sd.csv", format!("{SD}{T0},1.0,2.0\n2024-13-28 00:00:14+00:00,1.0,2.0\n"))
            .fails(1, &["column timestamp: '2024-13-28 00:00:14+00:00' is not a timestamp: there is no month 13",
                "aggregate.sh: the systemd chain on sd.csv failed; no tables written"]),
        case("script: duplicated size column", "script", "tp.csv @SD")
            .file("tp.csv", format!("timestamp,ipv6,flow,msg_type,size,size\n{T0},False,in,inv,1,2\n"))
            .fails(1, &["estimate: tp.csv: line 1: the header has 2 columns named 'size'",
                "aggregate.sh: the estimate chain on tp.csv failed; no tables written"]),
        case("script: two offsets in tracepoints", "script", "tp.csv @SD")
            .file("tp.csv", format!("{TP}{T0},False,in,inv,1\n2024-12-28 00:00:10+01:00,False,in,inv,1\n"))
            .fails(1, &["has another time zone than '2024-12-28 00:00:09+00:00' on line 2",
                "aggregate.sh: the estimate chain on tp.csv failed; no tables written"]),
        case("script: header-only inputs give header-only tables", "script", "-q tp.csv sd.csv")
            .file("tp.csv", TP)
            .file("sd.csv", SD)
            .tables([
                "freq,flow,msg_type,net_size\n".into(),
                "freq,flow,msg_type,net_size\n".into(),
                "freq,flow,net_size\n".into(),
                "freq,flow,net_size\n".into(),
            ]),
        case("script: CRLF and a BOM give the same tables", "script", "-q tp.csv sd.csv")
            .file("tp.csv", format!("\u{feff}{}", crlf(&sample("tracepoints"))))
            .file("sd.csv", crlf(&sample("systemd")))
            .tables(sample_tables()),
    ]
}

fn run(dir: &Dir, c: &Case) -> Run {
    let args: Vec<String> = c
        .args
        .split_whitespace()
        .map(|a| match a {
            "@TP" => repo("scripts/sample/tracepoints.csv.bz2")
                .display()
                .to_string(),
            "@SD" => repo("scripts/sample/systemd.csv.bz2").display().to_string(),
            _ => a.to_owned(),
        })
        .collect();
    if c.tool == "script" {
        return support::script(dir, "aggregate.sh", &args.join(" "));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    dir.run(c.tool, &args, &c.stdin)
}

/// Runs one case in a fresh folder and says what is wrong with the result, if anything.
fn check(c: &Case) -> Option<String> {
    let dir = Dir::new();
    for s in &c.setup {
        match s {
            Setup::File(name, data) => {
                dir.write(name, data);
            }
            Setup::Folder(name) => std::fs::create_dir(dir.path(name)).unwrap(),
        }
    }
    let before: BTreeSet<String> = dir.files().into_iter().collect();
    let run = run(&dir, c);
    let mut wrong = Vec::new();
    if run.status != Some(c.status) {
        wrong.push(format!("status {:?}, want {}", run.status, c.status));
    }
    if run.stderr.contains("panicked") {
        wrong.push("a panic".to_owned());
    }
    let mut rest = run.stderr.as_str();
    for want in &c.stderr {
        match rest.find(want.as_str()) {
            Some(at) => rest = &rest[at + want.len()..],
            None => wrong.push(format!("stderr lacks {want:?}")),
        }
    }
    if c.stderr.is_empty() && !run.stderr.is_empty() {
        wrong.push("stderr is not empty".to_owned());
    }
    let mut after: BTreeSet<String> = dir.files().into_iter().collect();
    match &c.want {
        Some(Want::Stdout(want)) if run.stdout != *want => {
            let show = |b: &[u8]| String::from_utf8_lossy(&b[..b.len().min(300)]).into_owned();
            wrong.push(format!(
                "stdout differs: want {:?} ({} bytes)",
                show(want),
                want.len()
            ));
        }
        Some(Want::Tables(want)) => {
            for (table, want) in TABLES.iter().zip(want) {
                let name = format!("{table}.csv.bz2");
                if !after.remove(&name) {
                    wrong.push(format!("{name} is missing"));
                } else if bunzip2(&dir.path(&name)) != *want {
                    wrong.push(format!("{name} differs"));
                }
            }
        }
        Some(Want::Stdout(_)) | None => {}
    }
    if after != before {
        wrong.push(format!("files before {before:?}, after {after:?}"));
    }
    (!wrong.is_empty()).then(|| format!("{}: {}{run:?}", c.name, wrong.join("; ")))
}

#[test]
fn the_corpus() {
    let cases = cases();
    assert!(cases.len() >= 30);
    let failures: Vec<String> = cases.iter().filter_map(check).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
