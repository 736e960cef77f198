//! scripts/aggregate.sh under `set -euo pipefail` when something in a chain fails: the run
//! stops with the failing step's message and writes no table. tests/corpus.rs has one case
//! per damaged input (corrupt and truncated bzip2 in either chain, a bad row for estimate,
//! pivot and both hourly buckets); these are about who gets the blame when a filter stops
//! early while the decompressor before it is still writing.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::path::Path;

use support::{bz2, installed_decoders, repo, Dir, Run};

/// Tracepoints whose second line is bad, then enough rows that the decoder is still writing
/// (and blocked on a full pipe) when estimate stops.
fn fails_early() -> Vec<u8> {
    let mut s = String::from(
        "timestamp,ipv6,flow,msg_type,size\n2024-12-28 00:00:04+00:00,False,in,inv,-1\n",
    );
    let row = "2024-12-28 00:00:05+00:00,False,out,tx,250\n";
    s.push_str(&row.repeat(200_000));
    bz2(s.as_bytes())
}

fn aggregate(dir: &Dir, path: &Path, prefix: &str, tracepoints: &str) -> Run {
    dir.sh(&format!(
        "{prefix} PATH={} {} -o out {tracepoints} {}",
        path.display(),
        support::script_command("aggregate.sh"),
        repo("scripts/sample/systemd.csv.bz2").display()
    ))
}

#[test]
fn a_filter_stopping_early_is_blamed_not_the_decoders_broken_pipe() {
    let dir = Dir::new();
    dir.write("early.csv.bz2", fails_early());
    std::fs::create_dir(dir.path("out")).unwrap();
    let estimate_says =
        "estimate: early.csv.bz2: line 2, column size: '-1' is not a non-negative integer";
    let decoders = installed_decoders(&dir);
    assert!(!decoders.is_empty(), "no bzip2 decoder installed");
    for (decoder, path) in decoders {
        // SIGPIPE as it normally is (the decoder dies of it), and ignored as some service
        // managers and CI runners leave it (the decoder's write fails with EPIPE instead).
        for (sigpipe, prefix) in [("default", ""), ("ignored", "trap '' PIPE;")] {
            let run = aggregate(&dir, &path, prefix, "early.csv.bz2");
            let what = format!("{decoder}, SIGPIPE {sigpipe}:{run:?}");
            // The status is the filter's (1), not the decoder's death by SIGPIPE (141).
            assert_eq!(run.status, Some(1), "{what}");
            // The first word is the cause, and the script's summary names the input.
            assert!(run.stderr.starts_with(estimate_says), "{what}");
            assert!(
                run.stderr.contains(
                    "aggregate.sh: the estimate chain on early.csv.bz2 failed; no tables written"
                ),
                "{what}"
            );
            if sigpipe == "default" {
                // Killed by SIGPIPE, a decoder says nothing; nor may the script.
                assert!(!run.stderr.contains("Broken pipe"), "{what}");
                assert!(!run.stderr.contains("141"), "{what}");
            }
            assert_eq!(
                std::fs::read_dir(dir.path("out")).unwrap().count(),
                0,
                "{what}"
            );
        }
    }
}

#[test]
fn a_failing_decoder_stops_its_chain() {
    // Cut three quarters in: the decoder writes good rows, then fails. What the filters see
    // ends wherever the decoder stopped (often mid-line, so estimate fails too; at a line
    // end they would succeed and only the decoder's status would tell). Either way the
    // chain fails and nothing is written: pipefail must not lose the decoder's status.
    let dir = Dir::new();
    let mut rows = String::from("timestamp,ipv6,flow,msg_type,size\n");
    for i in 0..60_000 {
        rows.push_str(&format!(
            "2024-12-28 {:02}:{:02}:{:02}+00:00,False,in,inv,{}\n",
            i / 3600 % 24,
            i / 60 % 60,
            i % 60,
            i % 977
        ));
    }
    let mut data = bz2(rows.as_bytes());
    data.truncate(data.len() * 3 / 4);
    dir.write("cut.csv.bz2", &data);
    std::fs::create_dir(dir.path("out")).unwrap();
    let decoders = installed_decoders(&dir);
    assert!(!decoders.is_empty(), "no bzip2 decoder installed");
    for (decoder, path) in decoders {
        let run = aggregate(&dir, &path, "", "cut.csv.bz2");
        let what = format!("{decoder}:{run:?}");
        assert_eq!(run.status, Some(1), "{what}");
        assert!(
            run.stderr.contains(
                "aggregate.sh: the estimate chain on cut.csv.bz2 failed; no tables written"
            ),
            "{what}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path("out")).unwrap().count(),
            0,
            "{what}"
        );
    }
}
