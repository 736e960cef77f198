//! Bad input, case by case: the exit status and the message that points at the problem.

mod support;

use support::Dir;

const TP: &str = "timestamp,ipv6,flow,msg_type,size\n";
const T0: &str = "2024-12-28 00:00:09+00:00";

struct Case {
    what: &'static str,
    filter: &'static str,
    args: &'static [&'static str],
    input: Vec<u8>,
    status: i32,
    stderr: &'static str,
}

fn case(
    what: &'static str,
    filter: &'static str,
    args: &'static [&'static str],
    input: impl Into<Vec<u8>>,
    status: i32,
    stderr: &'static str,
) -> Case {
    Case {
        what,
        filter,
        args,
        input: input.into(),
        status,
        stderr,
    }
}

const HOURLY: &[&str] = &["--every", "1h", "--by", "flow"];

fn cases() -> Vec<Case> {
    vec![
        case("size not a number", "estimate", &[], format!("{TP}{T0},False,in,inv,abc\n"), 1,
            "estimate: line 2, column size: 'abc' is not a non-negative integer"),
        case("negative size", "estimate", &[], format!("{TP}{T0},False,in,inv,1\n{T0},False,in,inv,-5\n"), 1,
            "estimate: line 3, column size: '-5' is not a non-negative integer"),
        case("fractional size", "estimate", &[], format!("{TP}{T0},False,in,inv,1.5\n"), 1,
            "line 2, column size: '1.5' is not a non-negative integer"),
        case("empty size", "estimate", &[], format!("{TP}{T0},False,in,inv,\n"), 1,
            "line 2, column size: '' is not a non-negative integer"),
        case("size overflows", "estimate", &[], format!("{TP}{T0},False,in,inv,99999999999999999999\n"), 1,
            "line 2, column size: '99999999999999999999' is too large: sizes must fit in 64 bits"),
        case("unknown ipv6 value", "estimate", &[], format!("{TP}{T0},maybe,in,inv,1\n"), 1,
            "line 2, column ipv6: 'maybe' is not a boolean"),
        case("missing size column", "estimate", &["--size-col", "bytes"], TP, 1,
            "estimate: line 1: no column named 'bytes'; the header is: timestamp,ipv6,flow,msg_type,size"),
        case("output column exists", "estimate", &["--out-col", "flow"], TP, 1,
            "already has a column named 'flow'"),
        case("ragged row", "estimate", &[], format!("{TP}{T0},False,in\n"), 1,
            "estimate: line 2: found a row of 3 fields where the header has 5"),
        case("invalid UTF-8 in size", "estimate", &[], [format!("{TP}{T0},False,in,inv,").as_bytes(), b"\xff\n"].concat(), 1,
            "line 2, column size:"),
        case("empty input", "estimate", &[], "", 1, "estimate: the input is empty: no header line"),
        case("MTU too small", "estimate", &["--mtu", "72"], TP, 2, "--mtu 72 leaves no room"),
        case("missing melt column", "pivot", &[], "timestamp,IPIngressBytes\n", 1,
            "pivot: line 1: no column named 'IPEgressBytes'; the header is: timestamp,IPIngressBytes"),
        case("melt without maps", "pivot", &["--map", "=x"], "a\n", 2, "expected SRC=LABEL"),
        case("key equals value", "pivot", &["--key", "v", "--value", "v"], "a\n", 2, "--key and --value are both 'v'"),
        case("month 13", "bucket", HOURLY, "t,flow,net_size\n2024-13-01 00:00:00,in,1\n", 1,
            "bucket: line 2, column t: '2024-13-01 00:00:00' is not a timestamp: there is no month 13"),
        case("hour 25", "bucket", HOURLY, "t,flow,net_size\n2024-12-01 25:00:00,in,1\n", 1,
            "line 2, column t: '2024-12-01 25:00:00' is not a timestamp: there is no time 25:00:00"),
        case("not a timestamp", "bucket", HOURLY, "t,flow,net_size\nyesterday,in,1\n", 1,
            "line 2, column t: 'yesterday' is not a timestamp like 2024-12-28 00:00:09"),
        case("two offsets", "bucket", HOURLY,
            "t,flow,net_size\n2024-12-28 00:00:09+00:00,in,1\n2024-12-28 00:00:14+01:00,in,1\n", 1,
            "line 3, column t: '2024-12-28 00:00:14+01:00' has another time zone than '2024-12-28 00:00:09+00:00' on line 2"),
        case("naive after aware", "bucket", HOURLY,
            "t,flow,net_size\n2024-12-28 00:00:09Z,in,1\n2024-12-28 00:00:14,in,1\n", 1,
            "line 3, column t: '2024-12-28 00:00:14' has another time zone"),
        case("value not a number", "bucket", HOURLY, "t,flow,net_size\n2024-12-28 00:00:09,in,12kB\n", 1,
            "line 2, column net_size: '12kB' is not a number"),
        case("integer overflow", "bucket", HOURLY,
            "t,flow,net_size\n2024-12-28 00:00:09,in,9223372036854775807\n2024-12-28 00:00:10,in,1\n", 1,
            "bucket: column net_size: the sum for 2024-12-28,in is 9223372036854775808, beyond int64 \
             (pandas would wrap it around to -9223372036854775808; --float sums as floats)"),
        case("uint64 overflow", "bucket", HOURLY,
            "t,flow,net_size\n2024-12-28 00:00:09,in,18446744073709551615\n2024-12-28 00:00:10,in,1\n", 1,
            "the sum for 2024-12-28,in is 18446744073709551616, beyond uint64"),
        case("value beyond u64", "bucket", HOURLY, "t,flow,net_size\n2024-12-28 00:00:09,in,18446744073709551616\n", 1,
            "line 2, column net_size: '18446744073709551616' overflows a 64-bit integer, which makes \
             the column text (object) as pandas reads it unless it holds a float"),
        case("a bool among numbers", "bucket", HOURLY, "t,flow,net_size\n2024-12-28 00:00:09,in,5\n2024-12-28 00:00:09,in,True\n", 1,
            "line 3, column net_size: 'True' among numbers makes the column text (object)"),
        case("an empty --dropna column", "bucket", &["--dropna=", "--by", "flow"], "t,flow,net_size\n", 2,
            "'' names an empty column"),
        case("a monitor day file without --ipv6-from", "estimate", &[],
            "timestamp,peer_id,peer_conn_type,peer_addr,flow,msg_type,size\n", 1,
            "no column named 'ipv6'; the header is: timestamp,peer_id,peer_conn_type,peer_addr,flow,msg_type,size; \
             a monitor day file tells IPv6 by the peer's address: add --ipv6-from peer_addr"),
        case("missing address", "estimate", &["--ipv6-from", "peer_addr"],
            "timestamp,peer_addr,size\n2025-01-24T00:00:04Z,1.2.3.4:8333,5\n2025-01-24T00:00:04Z,,5\n", 1,
            "estimate: line 3, column peer_addr: '' is a missing address, which tells no IP version"),
        case("a header field with a comma, listed", "keep", &["--cols", "x"], "\"a,b\",c\n1,2\n", 1,
            "keep: line 1: no column named 'x'; the header is: \"a,b\",c"),
        case("unknown key column", "bucket", &["--every", "1h", "--by", "peer"], "t,flow,net_size\n", 1,
            "bucket: line 1: no column named 'peer'; the header is: t,flow,net_size"),
        case("unsorted --stream", "bucket", &["--every", "1h", "--stream"],
            "t,net_size\n2024-12-28 02:00:00,1\n2024-12-28 01:00:00,1\n", 1,
            "line 3, column t: '2024-12-28 01:00:00' is older than its predecessors' bucket"),
        case("bad step", "bucket", &["--every", "0h"], "", 2, "the step must be positive"),
    ]
}

#[test]
fn every_bad_input_has_a_status_and_a_message() {
    let dir = Dir::new();
    let cases = cases();
    for c in &cases {
        let run = dir.run(c.filter, c.args, &c.input);
        assert_eq!(run.status, Some(c.status), "{}: {run:?}", c.what);
        assert!(
            run.stderr.contains(c.stderr),
            "{}: want {:?}{run:?}",
            c.what,
            c.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}: {run:?}", c.what);
    }
}

/// Every message reaches stderr in one write, whole lines only: filters run side by side in
/// a pipeline, and a message written in pieces can be cut by another's (`estimateincrease:
/// warning: ...`). Checked with strace on every case above, and on warnings.
#[test]
fn messages_are_written_whole() {
    let dir = Dir::new();
    if std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_err()
    {
        assert!(std::env::var_os("CI").is_none(), "CI installs strace");
        eprintln!("skipped: strace is not installed");
        return;
    }
    let mut runs: Vec<(String, &[&str], Vec<u8>)> = cases()
        .into_iter()
        .map(|c| (c.filter.to_owned(), c.args, c.input))
        .collect();
    // Warnings: a missing key, rows dropped, a counter restart.
    runs.push((
        "bucket".into(),
        &["--by", "flow"],
        b"t,flow,net_size\n2024-12-28 00:00:09,,1\n".to_vec(),
    ));
    runs.push((
        "estimate".into(),
        &["--dropna"],
        format!("{TP}{T0},False,in,inv,\n{T0},False,in,inv,5\n").into_bytes(),
    ));
    runs.push(("increase".into(), &[], b"t,c\n1,5\n2,3\n".to_vec()));
    for (filter, args, input) in &runs {
        dir.write("in.csv", input);
        let command = format!(
            "strace -f -qq -e trace=write -e signal=none -s 100000 -o trace.txt {} {} < in.csv \
             > /dev/null 2> stderr.txt",
            support::bin(filter).display(),
            args.join(" ")
        );
        dir.sh(&command);
        let trace = dir.read("trace.txt");
        let stderr = dir.read("stderr.txt");
        let writes: Vec<&str> = trace
            .lines()
            .filter_map(|l| l.split_once("write(2, \"").map(|(_, rest)| rest))
            .collect();
        for write in &writes {
            let text = write.rsplit_once("\", ").map_or(*write, |(text, _)| text);
            assert!(
                text.ends_with("\\n"),
                "{filter} {args:?}: a write to stderr ends mid-line: {write:?}\nstderr: {stderr}"
            );
        }
        assert_eq!(
            writes.is_empty(),
            stderr.is_empty(),
            "{filter} {args:?}: {trace}"
        );
    }
}
