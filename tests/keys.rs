//! Keys grouped by value, as pandas groups them: `5`, `+5` and `05` are one key in an int
//! column, `10`, `1e1` and `10.0` in a float one, `true` and `True` in a bool one, `-0.0` and
//! `0.0` one (printed as the first seen); text keys are their spellings. Checked against
//! pandas' own tables (tests/golden/keys, made by its make.py) and by the law that respelling
//! a key never changes the table; with aggregates exact over the whole int64 and uint64
//! ranges.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use proptest::prelude::*;
use support::{read_repo, transform, Dir};

/// The aggregates of tests/golden/keys/make.py, as bucket spells them.
const AGGS: &str = "--sum v --agg min:v=mn --agg max:v=mx --agg first:v=f --agg last:v=l \
                    --agg mean:v=m --agg count:v=n";

#[test]
fn bucket_groups_keys_as_pandas_does() {
    let golden = read_repo("tests/golden/keys/cases.txt");
    let dir = Dir::new();
    let mut failed = Vec::new();
    let cases: Vec<&str> = golden.split("=== ").skip(1).collect();
    assert_eq!(cases.len(), 300);
    for case in &cases {
        let (keys, rest) = case.split_once('\n').unwrap();
        let (input, want) = rest.split_once("--- pandas\n").unwrap();
        let args = format!("--by {keys} --dropna={keys} {AGGS}");
        let args: Vec<&str> = args.split_whitespace().collect();
        let run = dir.run("bucket", &args, input);
        if run.status != Some(0) || run.stdout() != want {
            failed.push(format!("{input}want:\n{want}{run:?}"));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} cases differ from pandas:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}

/// Spellings of one value that read as that value in a column of its type, and print alike.
const SPELLINGS: [(&str, &[&str]); 6] = [
    ("int", &["5", "+5", "05", " 5", "5 "]),
    ("int", &["-3", "-03", " -3"]),
    ("float", &["10.0", "1e1", "10", "1E1", "+10.0", "10.00"]),
    ("float", &["1.5", "1.50", "15e-1", "0.15e1"]),
    ("bool", &["True", "true", "TRUE", "tRUE"]),
    ("bool", &["False", "false", "FALSE"]),
];

/// Runs bucket over `rows` of (key, value) with every aggregate.
fn bucketed(rows: &[(String, i64)]) -> String {
    let mut input = String::from("k,v\n");
    for (k, v) in rows {
        input.push_str(&format!("\"{k}\",{v}\n"));
    }
    let args: Vec<&str> = format!("--by k {AGGS}").leak().split_whitespace().collect();
    transform("bucket", &args, input.as_bytes()).unwrap()
}

proptest! {
    /// Respelling a key (with a spelling of the same value, of the same kind as the column's
    /// other keys) never changes the table.
    #[test]
    fn respelling_a_key_never_changes_the_table(
        kind in 0usize..3,
        rows in proptest::collection::vec((0usize..2, 0usize..8, -5i64..5), 1..20),
    ) {
        let kinds = ["int", "float", "bool"];
        let families: Vec<&[&str]> = SPELLINGS
            .iter()
            .filter(|(k, _)| *k == kinds[kind])
            .map(|(_, s)| *s)
            .collect();
        let first: Vec<(String, i64)> = rows
            .iter()
            .map(|&(f, _, v)| (families[f][0].to_owned(), v))
            .collect();
        let respelled: Vec<(String, i64)> = rows
            .iter()
            .map(|&(f, s, v)| (families[f][s % families[f].len()].to_owned(), v))
            .collect();
        prop_assert_eq!(bucketed(&first), bucketed(&respelled));
    }

    /// Sums, means, minima and maxima are exact over the whole int64 range: the sum is the
    /// exact total (an error when it leaves int64: pandas would wrap around), the mean
    /// pandas' (each value converted to a double, compensated sum, divided), the extremes
    /// the exact values.
    #[test]
    fn int64_aggregates_are_exact(values in proptest::collection::vec(any::<i64>(), 1..8)) {
        let input: String = std::iter::once("k,v\n".to_owned())
            .chain(values.iter().map(|v| format!("a,{v}\n")))
            .collect();
        let args = ["--by", "k", "--agg", "min:v=mn", "--agg", "max:v=mx", "--agg", "mean:v=m"];
        let out = transform("bucket", &args, input.as_bytes()).unwrap();
        let want = format!(
            "k,mn,mx,m\na,{},{},{}\n",
            values.iter().min().unwrap(),
            values.iter().max().unwrap(),
            python_float(mean(values.iter().map(|&v| v as f64)))
        );
        prop_assert_eq!(out, want);
        let total: i128 = values.iter().map(|&v| i128::from(v)).sum();
        let summed = transform("bucket", &["--by", "k", "--sum", "v"], input.as_bytes());
        match i64::try_from(total) {
            Ok(total) => prop_assert_eq!(summed.unwrap(), format!("k,v\na,{total}\n")),
            Err(_) => {
                let err = summed.unwrap_err().to_string();
                prop_assert!(err.contains(&format!("is {total}, beyond int64")), "{}", err);
            }
        }
    }

    /// The same over the uint64 range (a column with a value above int64's is uint64).
    #[test]
    fn uint64_aggregates_are_exact(
        values in proptest::collection::vec(any::<u64>(), 1..8),
        big in (1u64 << 63)..=u64::MAX,
    ) {
        let values: Vec<u64> = std::iter::once(big).chain(values).collect();
        let input: String = std::iter::once("k,v\n".to_owned())
            .chain(values.iter().map(|v| format!("a,{v}\n")))
            .collect();
        let args = ["--by", "k", "--agg", "min:v=mn", "--agg", "max:v=mx", "--agg", "mean:v=m"];
        let out = transform("bucket", &args, input.as_bytes()).unwrap();
        let want = format!(
            "k,mn,mx,m\na,{},{},{}\n",
            values.iter().min().unwrap(),
            values.iter().max().unwrap(),
            python_float(mean(values.iter().map(|&v| v as f64)))
        );
        prop_assert_eq!(out, want);
        let total: u128 = values.iter().map(|&v| u128::from(v)).sum();
        let summed = transform("bucket", &["--by", "k", "--sum", "v"], input.as_bytes());
        match u64::try_from(total) {
            Ok(total) => prop_assert_eq!(summed.unwrap(), format!("k,v\na,{total}\n")),
            Err(_) => {
                let err = summed.unwrap_err().to_string();
                prop_assert!(err.contains(&format!("is {total}, beyond uint64")), "{}", err);
            }
        }
    }
}

/// pandas' group mean: a compensated (Kahan) sum of the doubles, divided by their count.
fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut compensation, mut n) = (0.0f64, 0.0f64, 0u32);
    for x in values {
        let y = x - compensation;
        let t = sum + y;
        compensation = t - sum - y;
        sum = t;
        n += 1;
    }
    sum / f64::from(n)
}

/// A double as Python's repr prints it.
fn python_float(x: f64) -> String {
    let mut out = Vec::new();
    pandas::num::write_py_float(&mut out, x);
    String::from_utf8(out).unwrap()
}

/// `-0.0` and `0.0` are one key, labelled by the first seen; min and max keep the first of
/// equal values (pandas 2.2.3).
#[test]
fn negative_zero_is_zero_and_the_first_seen_stays() {
    for (rows, want) in [
        (
            "-0.0,1\n0.0,2\n",
            "k,v,mn,mx,f,l,m,n\n-0.0,3,1,2,1,2,1.5,2\n",
        ),
        (
            "0.0,1\n-0.0,2\n",
            "k,v,mn,mx,f,l,m,n\n0.0,3,1,2,1,2,1.5,2\n",
        ),
    ] {
        let input = format!("k,v\n{rows}");
        let args: Vec<&str> = format!("--by k {AGGS}").leak().split_whitespace().collect();
        assert_eq!(transform("bucket", &args, input.as_bytes()).unwrap(), want);
    }
    for (rows, min, max) in [
        ("-0.0\n0.0\n", "-0.0", "-0.0"),
        ("0.0\n-0.0\n", "0.0", "0.0"),
    ] {
        let input: String = format!(
            "k,v\n{}",
            rows.lines().map(|v| format!("a,{v}\n")).collect::<String>()
        );
        let args = ["--by", "k", "--agg", "min:v=mn", "--agg", "max:v=mx"];
        let out = transform("bucket", &args, input.as_bytes()).unwrap();
        assert_eq!(out, format!("k,mn,mx\na,{min},{max}\n"), "{rows:?}");
    }
}
