//! Messy values as real logs and hand-edited files hold them, through every filter they
//! reach: pandas' missing spellings, NaN spellings pandas reads as text, blanks around
//! numbers, counters over the whole u64 range, sums that overflow, timestamps at the edges
//! of pandas' range, huge steps, old Mac line ends, and the exit-status rule.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use pandas::num::NA_VALUES;
use support::{Dir, Run, FILTERS};

const T0: &str = "2024-01-01 00:00:00";
const T1: &str = "2024-01-01 00:10:00";

/// One run: a filter, its arguments, its stdin; then what it must print or say.
struct Case {
    what: String,
    tool: &'static str,
    args: Vec<String>,
    stdin: String,
    status: i32,
    stdout: Option<String>,
    stderr: Vec<String>,
}

fn case(what: impl Into<String>, tool: &'static str, args: &str, stdin: impl Into<String>) -> Case {
    Case {
        what: what.into(),
        tool,
        args: args.split_whitespace().map(str::to_owned).collect(),
        stdin: stdin.into(),
        status: 0,
        stdout: None,
        stderr: Vec::new(),
    }
}

impl Case {
    fn prints(mut self, stdout: impl Into<String>) -> Case {
        self.stdout = Some(stdout.into());
        self
    }

    fn warns(mut self, message: impl Into<String>) -> Case {
        self.stderr.push(message.into());
        self
    }

    fn fails(mut self, status: i32, message: impl Into<String>) -> Case {
        self.status = status;
        self.stderr.push(message.into());
        self
    }

    fn check(&self, dir: &Dir) -> Option<String> {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let run: Run = dir.run(self.tool, &args, &self.stdin);
        let mut wrong = Vec::new();
        if run.status != Some(self.status) {
            wrong.push(format!("status {:?}, want {}", run.status, self.status));
        }
        if let Some(want) = &self.stdout {
            if run.stdout() != *want {
                wrong.push(format!("stdout should be {want:?}"));
            }
        }
        for want in &self.stderr {
            if !run.stderr.contains(want.as_str()) {
                wrong.push(format!("stderr lacks {want:?}"));
            }
        }
        if self.stderr.is_empty() && !run.stderr.is_empty() {
            wrong.push("stderr is not empty".into());
        }
        if run.stderr.contains("panicked") {
            wrong.push("a panic".into());
        }
        (!wrong.is_empty()).then(|| format!("{}: {}{run:?}", self.what, wrong.join("; ")))
    }
}

fn run_all(cases: &[Case]) {
    let dir = Dir::new();
    let failures: Vec<String> = cases.iter().filter_map(|c| c.check(&dir)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The same value in the value or counter column of each filter that reads one.
fn in_each_filter(word: &str) -> [(&'static str, &'static str, String); 4] {
    [
        (
            "estimate",
            "",
            format!("timestamp,ipv6,size\n{T0},False,1\n{T0},False,{word}\n"),
        ),
        (
            "pivot",
            "",
            format!("t,IPIngressBytes,IPEgressBytes\n{T0},1,2\n{T1},{word},3\n"),
        ),
        (
            "bucket",
            "--every 1h",
            format!("t,net_size\n{T0},5\n{T1},{word}\n"),
        ),
        ("increase", "", format!("t,c\n0,100\n5,{word}\n10,150\n")),
    ]
}

#[test]
fn nan_spellings_pandas_reads_as_text_are_not_numbers() {
    let mut cases = Vec::new();
    for word in ["NAN", "Nan", "+nan", "-NAN", "+NaN", "snan", "nan ", " NA"] {
        for (tool, args, input) in in_each_filter(word) {
            let what = format!("{tool} with {word:?}");
            let shown = word.replace('\t', "\\t");
            cases.push(match tool {
                "estimate" => case(what, tool, args, input).fails(
                    1,
                    format!("line 3, column size: '{shown}' is not a non-negative integer"),
                ),
                // pandas keeps text as text: melted byte for byte.
                "pivot" => case(what, tool, args, input).prints(format!(
                    "t,flow,net_size\n{T0},in,1\n{T0},out,2\n{T1},in,{word}\n{T1},out,3\n"
                )),
                "bucket" => case(what, tool, args, input).fails(
                    1,
                    format!("line 3, column net_size: '{shown}' is not a number"),
                ),
                _ => case(what, tool, args, input)
                    .fails(1, format!("line 3, column c: '{shown}' is not a number")),
            });
        }
    }
    run_all(&cases);
}

#[test]
fn every_pandas_missing_spelling_is_missing_everywhere() {
    let mut cases = Vec::new();
    for na in NA_VALUES {
        let word = std::str::from_utf8(na).unwrap();
        let quoted = if word.is_empty() {
            String::new()
        } else {
            word.to_owned()
        };
        for (tool, args, input) in in_each_filter(&quoted) {
            let what = format!("{tool} with {word:?}");
            cases.push(match tool {
                // A message's size must be known: refused, as for the empty field.
                "estimate" => case(what, tool, args, input).fails(
                    1,
                    format!("line 3, column size: '{word}' is not a non-negative integer"),
                ),
                // stack() drops missing values: no row.
                "pivot" => case(what, tool, args, input).prints(format!(
                    "t,flow,net_size\n{T0},in,1\n{T0},out,2\n{T1},out,3\n"
                )),
                // A NaN is skipped by sum() and makes the column float.
                "bucket" => case(what, tool, args, input).prints("t,net_size\n2024-01-01,5.0\n"),
                // A gap, covered by the next reading.
                _ => case(what, tool, args, input).prints("t,c\n5,\n10,50\n"),
            });
        }
        // As a key: kept in a group of its own, printed empty (NaN) and sorted last, as
        // pandas' groupby(dropna=False) does, with one warning (pandas drops the row).
        let input = format!("t,flow,net_size\n{T0},in,1\n{T1},{quoted},2\n");
        let rows = ["2024-01-01,in,1\n", "2024-01-01,,2\n"];
        cases.push(
            case(
                format!("bucket key {word:?}"),
                "bucket",
                "--every 1h --by flow",
                input.clone(),
            )
            .prints(format!("t,flow,net_size\n{}", rows.concat()))
            .warns("bucket: warning: 1 rows have a key that pandas reads as missing"),
        );
        // --dropna drops it, as pandas does.
        cases.push(
            case(
                format!("bucket --dropna key {word:?}"),
                "bucket",
                "--every 1h --by flow --dropna",
                input,
            )
            .prints("t,flow,net_size\n2024-01-01,in,1\n")
            .warns("--dropna dropped 1 row with a missing field (the first: line 3: '2024-01-01 00:10:00,"),
        );
    }
    run_all(&cases);
}

#[test]
fn blanks_around_numbers_are_read_as_pandas_reads_them() {
    run_all(&[
        case(
            "bucket",
            "bucket",
            "--every 1h",
            format!("t,net_size\n{T0}, 5\n{T1},5\t\n"),
        )
        .prints("t,net_size\n2024-01-01,10\n"),
        case(
            "bucket, floats",
            "bucket",
            "--every 1h",
            format!("t,net_size\n{T0}, 1.5 \n"),
        )
        .prints("t,net_size\n2024-01-01,1.5\n"),
        case(
            "estimate",
            "estimate",
            "",
            "ipv6,size\nFalse, 0\nFalse,+1424 \n",
        )
        .prints("ipv6,size,net_size\nFalse, 0,76\nFalse,+1424 ,1500\n"),
        case("increase", "increase", "", "t,c\n0, 100\n5,150 \n").prints("t,c\n5,50\n"),
        // Values are melted byte for byte, blanks and all (pandas would write 5).
        case(
            "pivot",
            "pivot",
            "",
            format!("t,IPIngressBytes,IPEgressBytes\n{T0}, 5,6\n"),
        )
        .prints(format!("t,flow,net_size\n{T0},in, 5\n{T0},out,6\n")),
        // Only blanks is not a number (pandas reads the column as text).
        case(
            "bucket, only blanks",
            "bucket",
            "--every 1h",
            format!("t,net_size\n{T0},  \n"),
        )
        .fails(1, "line 2, column net_size: '  ' is not a number"),
    ]);
}

#[test]
fn counters_are_exact_over_the_whole_u64_range() {
    let near = u64::MAX - 1000;
    run_all(&[
        // 2^64 - 1 is systemd's "no value": a gap, not a reading.
        case(
            "systemd's no value",
            "increase",
            "",
            "t,c\n0,1000\n5,18446744073709551615\n10,1100\n",
        )
        .prints("t,c\n5,\n10,100\n"),
        case(
            "near the top",
            "increase",
            "",
            format!("t,c\n0,{near}\n5,{}\n10,{}\n", near + 10, near + 30),
        )
        .prints("t,c\n5,10\n10,20\n"),
        case(
            "across 2^63",
            "increase",
            "",
            "t,c\n0,9223372036854775000\n5,9223372036854776000\n",
        )
        .prints("t,c\n5,1000\n"),
        case(
            "a restart from near the top",
            "increase",
            "",
            format!("t,c\n0,{near}\n5,7\n"),
        )
        .prints("t,c\n5,7\n")
        .warns("increase: warning: 1 counter restart(s)"),
    ]);
}

#[test]
fn an_integer_sum_overflows_only_where_the_column_stays_integer() {
    let max = i64::MAX;
    let two = format!("t,net_size\n{T0},{max}\n{T1},{max}\n");
    run_all(&[
        case("integer to the end", "bucket", "--every 1h", two.clone()).fails(
            1,
            "bucket: column net_size: the sum for 2024-01-01 is 18446744073709551614, beyond \
             int64 (pandas would wrap it around to -2; --float sums as floats)",
        ),
        case(
            "a float after",
            "bucket",
            "--every 1h",
            format!("{two}2024-01-01 00:20:00,0.5\n"),
        )
        .prints("t,net_size\n2024-01-01,1.8446744073709556e+19\n"),
        case(
            "a float before",
            "bucket",
            "--every 1h",
            format!("t,net_size\n{T0},0.5\n{T0},{max}\n{T1},{max}\n"),
        )
        .prints("t,net_size\n2024-01-01,1.8446744073709556e+19\n"),
        // As pandas holds the column when a missing value makes it float: each integer
        // converted to the nearest double, 2^63 - 1 to 2^63 (pandas 2.2.3: the sum of these
        // two rows beside a row with a missing value is 1.8446744073709552e+19), where a float
        // in the column sends every value through the float converter (2^63 + 2048 above).
        case("--float", "bucket", "--every 1h --float", two.clone())
            .prints("t,net_size\n2024-01-01,1.8446744073709552e+19\n"),
        case(
            "a missing value after",
            "bucket",
            "--every 1h",
            format!("{two}2024-01-01 00:20:00,\n"),
        )
        .prints("t,net_size\n2024-01-01,1.8446744073709552e+19\n"),
    ]);
}

#[test]
fn floats_parse_as_pandas_parses_them() {
    // pandas' converter is not correctly rounded: ...135 reads as ...136 (tests/data/
    // pandas_floats.csv holds 2,000 such values, checked in common).
    run_all(&[
        case(
            "a 16-digit value",
            "bucket",
            "--every 1h",
            format!("t,v\n{T0},912.6469444394135\n"),
        )
        .fails(1, "no column named 'net_size'"),
        case(
            "a 16-digit value",
            "bucket",
            "--every 1h --sum v",
            format!("t,v\n{T0},912.6469444394135\n"),
        )
        .prints("t,v\n2024-01-01,912.6469444394136\n"),
        case(
            "infinities",
            "bucket",
            "--every 1h --sum v",
            format!("t,v\n{T0},-Infinity\n{T1},1\n"),
        )
        .prints("t,v\n2024-01-01,-inf\n"),
    ]);
}

#[test]
fn timestamps_at_the_edges_of_pandas_range() {
    let range = "pandas' range is 1677-09-21 00:12:43.145224193 to 2262-04-11 23:47:16.854775807";
    run_all(&[
        case("fractions are cut to nanoseconds", "bucket", "--every 1h",
            "t,net_size\n2024-12-28 00:00:00.0123456789123,1\n")
            .prints("t,net_size\n2024-12-28,1\n"),
        case("the first time pandas holds", "bucket", "--every 1s",
            "t,net_size\n1677-09-21 00:12:43.145224193,1\n")
            .fails(1, "its bucket starts before pandas' earliest time"),
        case("the first whole hour", "bucket", "--every 1h",
            "t,net_size\n1677-09-21 01:00:00,1\n")
            .prints("t,net_size\n1677-09-21 01:00:00,1\n"),
        case("a nanosecond too early", "bucket", "--every 1h",
            "t,net_size\n1677-09-21 00:12:43.145224192,1\n")
            .fails(1, format!("line 2, column t: '1677-09-21 00:12:43.145224192' is not a timestamp: {range}")),
        case("the last time pandas holds", "bucket", "--every 1h",
            "t,net_size\n2262-04-11 23:47:16.854775807,1\n")
            .prints("t,net_size\n2262-04-11 23:00:00,1\n"),
        case("a nanosecond too late", "bucket", "--every 1h",
            "t,net_size\n2262-04-11 23:47:16.854775808,1\n")
            .fails(1, range),
        case("too late in UTC", "bucket", "--every 1h",
            "t,net_size\n2262-04-11 23:00:00-01:00,1\n")
            .fails(1, format!("{range} (in UTC)")),
        case("a step beyond pandas' Timedelta", "bucket", "--every 3000000000000000s", "t,net_size\n")
            .fails(2, "'3000000000000000s' is longer than pandas' longest step (106751 days 23:47:16.854775807)"),
        case("pandas' longest step", "bucket", "--every 106751d", format!("t,net_size\n{T0},1\n"))
            .prints("t,net_size\n1970-01-01,1\n"),
    ]);
}

#[test]
fn old_mac_line_ends_count_lines() {
    // Each filter, a bad value on the third line of a file whose lines end in a lone CR.
    let cr = |text: &str| text.replace('\n', "\r");
    run_all(&[
        case(
            "estimate",
            "estimate",
            "",
            cr("ipv6,size\nFalse,1\nFalse,x\n"),
        )
        .fails(1, "line 3, column size: 'x'"),
        case(
            "bucket",
            "bucket",
            "--every 1h",
            cr(&format!("t,net_size\n{T0},1\n{T0},x\n")),
        )
        .fails(1, "line 3, column net_size: 'x'"),
        case("increase", "increase", "", cr("t,c\n0,1\n5,x\n")).fails(1, "line 3, column c: 'x'"),
        case(
            "pivot",
            "pivot",
            "",
            cr("t,IPIngressBytes,IPEgressBytes\n1,2,3\n4,5\n"),
        )
        .fails(1, "line 3: found a row of 2 fields where the header has 3"),
    ]);
}

/// The exit-status rule (common/src/error.rs): a problem the flags show alone is a usage
/// error, 2, before any input is read; one that needs the data is 1, with its line.
#[test]
fn flags_alone_exit_2_and_data_exit_1_in_every_filter() {
    let mut cases = Vec::new();
    for &tool in FILTERS {
        let (flags, data): ((&str, &str), (&str, &str, &str)) = match tool {
            "estimate" => (
                (
                    "--out-col size",
                    "the output column 'size' would be an input column the estimate reads",
                ),
                (
                    "--out-col flow",
                    "timestamp,flow,ipv6,size\n",
                    "line 1: the input already has a column named 'flow'",
                ),
            ),
            "pivot" => (
                (
                    "--id flow",
                    "the output would have two columns named 'flow'",
                ),
                (
                    "",
                    "flow,IPIngressBytes,IPEgressBytes\n",
                    "line 1: the output would have two columns named 'flow'",
                ),
            ),
            "widen" => (
                ("--key a --value a", "--key and --value are both 'a'"),
                (
                    "--index t",
                    "t,net_size\n",
                    "line 1: no column named 'flow'; the header is: t,net_size",
                ),
            ),
            "bucket" => (
                (
                    "--every 1h --by flow,flow",
                    "the output would have two columns named 'flow'",
                ),
                (
                    "--every 1h --by t",
                    "t,net_size\n",
                    "line 1: the output would have two columns named 't'",
                ),
            ),
            "increase" => (
                ("--cols a,a", "column 'a' is named twice in --cols"),
                (
                    "--cols b",
                    "t,a\n",
                    "line 1: no column named 'b'; the header is: t,a",
                ),
            ),
            "keep" => (
                (
                    "--cols x=a,x=b",
                    "the output would have two columns named 'x'",
                ),
                (
                    "--cols b",
                    "t,a\n",
                    "line 1: no column named 'b'; the header is: t,a",
                ),
            ),
            "chart" => (
                ("--legend-cols 0", "--legend-cols must be at least 1"),
                (
                    "",
                    "t,x\n",
                    "line 1: no column named 'msg_type'; the header is: t,x",
                ),
            ),
            other => panic!("no exit-status case for {other}: add one here"),
        };
        // Usage errors come before reading: stdin here is not even CSV.
        cases.push(
            case(format!("{tool} {}", flags.0), tool, flags.0, "\u{0}not csv")
                .fails(2, format!("{tool}: {}", flags.1)),
        );
        cases.push(
            case(format!("{tool} {}", data.0), tool, data.0, data.1)
                .fails(1, format!("{tool}: {}", data.2)),
        );
    }
    run_all(&cases);
}

#[test]
fn dropna_on_some_columns_only() {
    // pandas' dropna(subset=...), and groupby dropping a missing key but not a value.
    let input = format!("t,flow,net_size\n{T0},in,1\n{T1},,2\n{T1},out,\n");
    run_all(&[
        case("--dropna=flow", "bucket", "--every 1h --by flow --dropna=flow", input.clone())
            .prints("t,flow,net_size\n2024-01-01,in,1.0\n2024-01-01,out,0.0\n")
            .warns("--dropna dropped 1 row with a missing field (the first: line 3: '2024-01-01 00:10:00,,2')"),
        case("--dropna", "bucket", "--every 1h --by flow --dropna", input.clone())
            .prints("t,flow,net_size\n2024-01-01,in,1.0\n")
            .warns("--dropna dropped 2 rows"),
        case("--dropna=nope", "keep", "--cols t --dropna=nope", input)
            .fails(1, "keep: line 1: no column named 'nope'; the header is: t,flow,net_size"),
    ]);
}
