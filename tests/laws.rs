//! Property tests of the laws that make the filters composable, run through the binaries.

mod support;

use proptest::prelude::*;
use support::Dir;

/// One generated row: seconds into a 3-day span, two keys, a value.
type Row = (u32, u8, u8, u32);

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec((0u32..3 * 86_400, 0u8..3, 0u8..4, 0u32..2_000_000), 0..120)
}

const KEYS_A: [&str; 3] = ["in", "out", ""];
const KEYS_B: [&str; 4] = ["inv", "tx", "block", "Inv"];

/// The rows as CSV, timestamps naive or `+00:00`, values integers or `N.0` floats.
fn csv(rows: &[Row], aware: bool, floats: bool) -> String {
    let mut out = String::from("t,a,b,v\n");
    for &(secs, a, b, v) in rows {
        let (d, h, m, s) = (
            28 + secs / 86_400,
            secs / 3600 % 24,
            secs / 60 % 60,
            secs % 60,
        );
        let zone = if aware { "+00:00" } else { "" };
        let value = if floats {
            format!("{v}.0")
        } else {
            v.to_string()
        };
        out.push_str(&format!(
            "2024-12-{d:02} {h:02}:{m:02}:{s:02}{zone},{},{},{value}\n",
            KEYS_A[a as usize], KEYS_B[b as usize]
        ));
    }
    out
}

fn bucket(dir: &Dir, args: &str) -> String {
    let run = dir.sh(&format!(
        "set -euo pipefail; bucket --sum v --by a,b {args}"
    ));
    run.ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn rebucketing_hourly_to_daily_equals_bucketing_daily(
        rows in rows(), aware: bool, floats: bool,
    ) {
        let dir = Dir::new();
        dir.write("rows.csv", csv(&rows, aware, floats));
        let daily = bucket(&dir, "--every 1d rows.csv");
        let via_hourly = bucket(&dir, "--every 1h rows.csv | bucket --sum v --by a,b --every 1d");
        prop_assert_eq!(via_hourly, daily);
    }

    /// What `aggregate.sh` relies on to compress its plain hourly tables: a table bucketed
    /// again at its own step, by the same keys, is the same table.
    #[test]
    fn rebucketing_a_table_at_its_own_step_changes_nothing(
        rows in rows(), aware: bool, floats: bool,
        every in prop::sample::select(vec!["30s", "1h", "1d"]),
    ) {
        let dir = Dir::new();
        dir.write("rows.csv", csv(&rows, aware, floats));
        let table = bucket(&dir, &format!("--every {every} --time-name freq rows.csv"));
        dir.write("table.csv", &table);
        prop_assert_eq!(bucket(&dir, &format!("--every {every} table.csv")), table);
    }

    #[test]
    fn order_and_splitting_do_not_matter(
        rows in rows(), aware: bool, seed: u64, split in 0usize..120,
    ) {
        let dir = Dir::new();
        dir.write("rows.csv", csv(&rows, aware, false));
        let want = bucket(&dir, "--every 1h rows.csv");

        let mut shuffled = rows.clone();
        // A seeded Fisher-Yates keeps failures reproducible.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        dir.write("shuffled.csv", csv(&shuffled, aware, false));
        prop_assert_eq!(bucket(&dir, "--every 1h shuffled.csv"), want.clone());

        let split = split.min(rows.len());
        dir.write("first.csv", csv(&rows[..split], aware, false));
        dir.write("second.csv", csv(&rows[split..], aware, false));
        let merged = bucket(
            &dir,
            "--every 1h first.csv > p1.csv && bucket --sum v --by a,b --every 1h second.csv > p2.csv \
             && bucket --sum v --by a,b --every 1h p1.csv p2.csv",
        );
        prop_assert_eq!(merged, want);
    }

    #[test]
    fn stream_equals_batch_on_sorted_input(
        mut rows in rows(), aware: bool, floats: bool, every in prop::sample::select(vec!["30s", "1h", "6h", "1d"]),
    ) {
        rows.sort_by_key(|r| r.0);
        let dir = Dir::new();
        dir.write("rows.csv", csv(&rows, aware, floats));
        let batch = bucket(&dir, &format!("--every {every} rows.csv"));
        let stream = bucket(&dir, &format!("--every {every} --stream rows.csv"));
        prop_assert_eq!(stream, batch);
    }

    #[test]
    fn estimate_equals_an_independent_segment_count(
        sizes in prop::collection::vec((0u64..20_000_000, any::<bool>()), 1..50),
        mtu in 200u64..9000, tcp in 20u64..60, overhead in 0u64..40,
    ) {
        let dir = Dir::new();
        let mut input = String::from("ipv6,size\n");
        for (size, v6) in &sizes {
            input.push_str(&format!("{},{size}\n", if *v6 { "True" } else { "False" }));
        }
        let args = format!("--mtu {mtu} --tcp-header {tcp} --overhead {overhead}");
        let out = dir.sh(&format!("estimate {args} <<'EOF'\n{input}EOF")).ok();
        let mut want = String::from("ipv6,size,net_size\n");
        for (size, v6) in &sizes {
            let header = if *v6 { 40 } else { 20 } + tcp;
            // Segments counted one by one, not by a ceiling division.
            let (mut left, mut segments) = (size + overhead, 0u64);
            while left > 0 {
                left -= left.min(mtu - header);
                segments += 1;
            }
            let net = size + overhead + segments * header;
            want.push_str(&format!("{},{size},{net}\n", if *v6 { "True" } else { "False" }));
        }
        prop_assert_eq!(out, want);
    }
}
