//! `widen` against pandas: the validation oracle's tables from its own long tables, odd
//! inputs that pin pandas' rules, the melt undone, and errors that name their lines.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use pandas::num::write_py_float;
use proptest::prelude::*;
use support::{read_repo, repo, Dir};

/// The validation notebook's pivot of each table, as widen's flags.
const VALIDATION: [(&str, &str); 4] = [
    ("est_hourly", "--index timestamp,msg_type --fill 0 --int"),
    ("est_daily", "--index timestamp,msg_type --fill 0 --int"),
    (
        "emp_hourly",
        "--index timestamp --fill 0 --int --clip-lower 0",
    ),
    (
        "emp_daily",
        "--index timestamp --fill 0 --int --clip-lower 0",
    ),
];

#[test]
fn the_validation_tables_from_the_long_tables_the_oracle_pivots() {
    let dir = Dir::new();
    for (name, flags) in VALIDATION {
        let long = repo(&format!("tests/golden/widen/long_{name}.csv"));
        let args: Vec<&str> = flags.split(' ').collect();
        let run = dir.run(
            "widen",
            &[&args[..], &[long.to_str().unwrap()]].concat(),
            "",
        );
        let want = read_repo(&format!("tests/golden/oracles/validation/data_{name}.csv"));
        assert!(
            run.ok() == want,
            "{name}: widen {flags} differs from pandas{run:?}"
        );
    }
}

#[test]
fn odd_inputs_as_pandas_writes_or_refuses_them() {
    let folder = repo("tests/golden/widen/odd");
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".args").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 20, "{names:?}");
    let dir = Dir::new();
    for name in names {
        let file = |ext: &str| folder.join(format!("{name}.{ext}"));
        dir.write("in.csv", std::fs::read(file("csv")).unwrap());
        let args = std::fs::read_to_string(file("args")).unwrap();
        let mut args: Vec<&str> = args.split_whitespace().collect();
        args.push("in.csv");
        let run = dir.run("widen", &args, "");
        if file("wide.csv").exists() {
            let want = std::fs::read_to_string(file("wide.csv")).unwrap();
            assert!(run.ok() == want, "{name}: want\n{want}{run:?}");
        } else {
            // pandas raised (see NAME.error): widen refuses the data, naming a line.
            run.fails(1, "widen: in.csv: line ");
        }
    }
}

/// A wide table: distinct ids (numbers or words) in any order, and per id a value in each
/// of a few columns: integers, or floats with gaps.
#[derive(Debug, Clone)]
struct Wide {
    ids: Vec<String>,
    numeric_ids: bool,
    cells: Vec<Vec<Option<String>>>,
    columns: usize,
}

fn wide() -> impl Strategy<Value = Wide> {
    let ids = prop_oneof![
        prop::collection::btree_set(-500i64..500, 1..12)
            .prop_map(|s| (s.iter().map(i64::to_string).collect::<Vec<_>>(), true)),
        prop::collection::btree_set("k[a-z]{0,3}", 1..12)
            .prop_map(|s| (s.into_iter().collect::<Vec<_>>(), false)),
    ];
    (ids, 1usize..5, any::<bool>())
        .prop_flat_map(|((ids, numeric_ids), columns, floats)| {
            let n = ids.len();
            let cell = if floats {
                // At most 14 digits: pandas reads them back exactly (longer ones may land a
                // bit away, and pandas would print that).
                let float = (any::<i32>(), 0..5).prop_map(|(n, k)| f64::from(n) / 10f64.powi(k));
                prop::option::weighted(0.7, float)
                    .prop_map(|x| {
                        x.map(|x| {
                            let mut out = Vec::new();
                            write_py_float(&mut out, x);
                            String::from_utf8(out).unwrap()
                        })
                    })
                    .boxed()
            } else {
                any::<i64>().prop_map(|n| Some(n.to_string())).boxed()
            };
            let cells = prop::collection::vec(prop::collection::vec(cell, columns), n);
            (
                Just(ids).prop_shuffle(),
                Just(numeric_ids),
                cells,
                Just(columns),
            )
        })
        .prop_map(|(ids, numeric_ids, cells, columns)| Wide {
            ids,
            numeric_ids,
            cells,
            columns,
        })
}

impl Wide {
    fn csv(&self) -> String {
        let mut out = String::from("t");
        for c in 0..self.columns {
            out.push_str(&format!(",c{c}"));
        }
        out.push('\n');
        for (id, row) in self.ids.iter().zip(&self.cells) {
            out.push_str(id);
            for cell in row {
                out.push(',');
                out.push_str(cell.as_deref().unwrap_or(""));
            }
            out.push('\n');
        }
        out
    }

    /// What pandas' pivot gives back after the melt: the rows sorted by id, without the
    /// rows and columns that the melt left no value of.
    fn expected(&self) -> String {
        let kept: Vec<usize> = (0..self.columns)
            .filter(|&c| self.cells.iter().any(|row| row[c].is_some()))
            .collect();
        let mut rows: Vec<(&String, &Vec<Option<String>>)> = self
            .ids
            .iter()
            .zip(&self.cells)
            .filter(|(_, row)| row.iter().any(Option::is_some))
            .collect();
        if self.numeric_ids {
            rows.sort_by_key(|(id, _)| id.parse::<i64>().unwrap());
        } else {
            rows.sort();
        }
        let mut out = String::from("t");
        for c in &kept {
            out.push_str(&format!(",c{c}"));
        }
        out.push('\n');
        for (id, row) in rows {
            out.push_str(id);
            for &c in &kept {
                out.push(',');
                out.push_str(row[c].as_deref().unwrap_or(""));
            }
            out.push('\n');
        }
        out
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// `pivot` melts a wide table into long rows; `widen` turns them back.
    #[test]
    fn widen_undoes_the_melt(table in wide()) {
        let dir = Dir::new();
        dir.write("wide.csv", table.csv());
        let maps: String = (0..table.columns).map(|c| format!(" --map c{c}=c{c}")).collect();
        let run = dir.sh(&format!(
            "set -euo pipefail; pivot --id t{maps} wide.csv | widen --index t"
        ));
        prop_assert_eq!(run.ok(), table.expected());
    }
}

#[test]
fn a_second_value_names_both_lines_and_files() {
    let dir = Dir::new();
    dir.write("a.csv", "t,flow,net_size\n1,in,5\n1,out,6\n");
    dir.write("b.csv", "t,flow,net_size\n2,in,7\n1,out,8\n");
    dir.run("widen", &["a.csv", "b.csv"], "").fails(
        1,
        "widen: b.csv: line 3: t '1', flow 'out': a second value; the first is on line 3 of \
         a.csv; a long table holds one value per index and key (pandas' pivot raises: Index \
         contains duplicate entries, cannot reshape)",
    );
    // Equal only as numbers: found when the types are known, at the end.
    dir.write("c.csv", "t,flow,net_size\n+1,in,9\n");
    dir.run("widen", &["a.csv", "c.csv"], "").fails(
        1,
        "widen: c.csv: line 2: t '+1', flow 'in': the same cell as t '1', flow 'in' on line 2 \
         of a.csv (equal as numbers)",
    );
    dir.run("widen", &["a.csv", "-"], "t,flow,net_size\n1,in,9\n")
        .fails(
            1,
            "widen: line 2: t '1', flow 'in': a second value; the first is on line 2 of a.csv",
        );
}

#[test]
fn dropped_rows_still_type_the_columns() {
    // pandas reads the columns before dropna(): the dropped row's NaN makes them float.
    let dir = Dir::new();
    let run = dir.run(
        "widen",
        &["--dropna"],
        "t,flow,net_size\n1,in,5\n2,in,\n,out,6\n",
    );
    assert_eq!(run.ok(), "t,in\n1.0,5.0\n");
    assert!(run.stderr.contains("--dropna dropped 2 rows"), "{run:?}");
}

#[test]
fn the_header_comes_at_the_end_also_into_a_file() {
    let dir = Dir::new();
    let long = "t,flow,net_size\n2,out,1\n1,in,2\n";
    dir.run("widen", &["-o", "wide.csv.bz2"], long).ok();
    assert_eq!(
        support::bunzip2(&dir.path("wide.csv.bz2")),
        "t,in,out\n1,2.0,\n2,,1.0\n"
    );
    assert_eq!(dir.run("widen", &[], "t,flow,net_size\n").ok(), "t\n");
}
