//! Unit tests of the widen transform on small tables.

use super::*;
use crate::order::row_order;
use crate::print::Plain;
use crate::store::{get_varint, put_varint};
use pandas::num::write_py_float;

fn run(params: Params, input: &str) -> Result<String> {
    driver::transform(Widen::new(params)?, input.as_bytes())
}

fn index(cols: &[&str]) -> Params {
    Params {
        index: cols.iter().map(|&c| c.to_owned()).collect(),
        ..Params::default()
    }
}

fn validation() -> Params {
    Params {
        fill: Some("0".into()),
        int: true,
        ..index(&["timestamp", "msg_type"])
    }
}

#[test]
fn undoes_the_melt() {
    let long = "timestamp,flow,net_size\n\
                2024-12-28 00:00:09+00:00,in,15828.0\n\
                2024-12-28 00:00:09+00:00,out,8078.0\n\
                2024-12-28 00:00:14+00:00,out,14545.0\n\
                2024-12-28 00:00:04+00:00,in,30666.0\n";
    assert_eq!(
        run(Params::default(), long).unwrap(),
        "timestamp,in,out\n\
         2024-12-28 00:00:04+00:00,30666.0,\n\
         2024-12-28 00:00:09+00:00,15828.0,8078.0\n\
         2024-12-28 00:00:14+00:00,,14545.0\n"
    );
}

#[test]
fn the_validation_step() {
    let long = "timestamp,flow,msg_type,net_size\n\
                2025-01-24 00:00:00+00:00,in,addr,1270.5\n\
                2025-01-24 00:00:00+00:00,out,inv,-0.5\n\
                2025-01-24 00:00:00+00:00,in,inv,7.0\n\
                2025-01-24 01:00:00+00:00,out,addr,1e3\n";
    assert_eq!(
        run(validation(), long).unwrap(),
        "timestamp,msg_type,in,out\n\
         2025-01-24 00:00:00+00:00,addr,1270,0\n\
         2025-01-24 00:00:00+00:00,inv,7,0\n\
         2025-01-24 01:00:00+00:00,addr,0,1000\n"
    );
    let emp = "timestamp,flow,net_size\nd1,in,-5.0\nd1,out,3.0\nd2,in,2.0\n";
    let clip = Params {
        fill: Some("0".into()),
        int: true,
        clip_lower: Some(0),
        ..Params::default()
    };
    assert_eq!(
        run(clip, emp).unwrap(),
        "timestamp,in,out\nd1,0,3\nd2,2,0\n"
    );
}

#[test]
fn rows_and_columns_sort_as_pandas_sorts_them() {
    // Numbers as numbers, text by its bytes, a missing value first.
    let out = run(index(&["t"]), "t,flow,net_size\n10,b,1\n9,a,2\n,B,3\n").unwrap();
    assert_eq!(out, "t,B,a,b\n,3.0,,\n9.0,,2.0,\n10.0,,,1.0\n");
    let out = run(index(&["t"]), "t,flow,net_size\n10,10,1\n9,9,2\n").unwrap();
    assert_eq!(out, "t,9,10\n9,2.0,\n10,,1.0\n");
    let out = run(index(&["t"]), "t,flow,net_size\nx,2.5,1\nx,10,2\nx,NA,3\n").unwrap();
    assert_eq!(out, "t,,2.5,10.0\nx,3,1,2\n");
    // Index levels in turn; the default index is every other column, in input order.
    let out = run(
        Params::default(),
        "net_size,k,flow,t\n1,b,in,2\n2,a,in,2\n3,b,out,1\n",
    )
    .unwrap();
    assert_eq!(out, "k,t,in,out\na,2,2.0,\nb,1,,3.0\nb,2,1.0,\n");
}

#[test]
fn equal_values_are_one_level() {
    // `5`, `+5` and ` 5` are one integer; -0.0 and 0.0 one float, printed as first seen.
    let out = run(
        index(&["t"]),
        "t,flow,net_size\n5,in,1\n+5,out,2\n 6,in,3\n",
    )
    .unwrap();
    assert_eq!(out, "t,in,out\n5,1.0,2.0\n6,3.0,\n");
    let out = run(index(&["t"]), "t,flow,net_size\n1,-0.0,1\n2,0.0,2\n").unwrap();
    assert_eq!(out, "t,-0.0\n1,1\n2,2\n");
    // Text is equal only when identical; every missing spelling is one missing value.
    let out = run(
        index(&["t"]),
        "t,flow,net_size\nNA,in,1\n,out,2\n+5,in,3\nx,in,4\n",
    );
    assert_eq!(out.unwrap(), "t,in,out\n,1.0,2.0\n+5,3.0,\nx,4.0,\n");
}

#[test]
fn cells_print_as_the_wide_tables_dtype() {
    let full = "t,flow,net_size\n1,in,5\n1,out,+6\n";
    assert_eq!(run(index(&["t"]), full).unwrap(), "t,in,out\n1,5,6\n");
    // One missing cell makes the whole table float; fillna keeps it float.
    let gap = "t,flow,net_size\n1,in,5\n1,out,6\n2,in,7\n";
    assert_eq!(
        run(index(&["t"]), gap).unwrap(),
        "t,in,out\n1,5.0,6.0\n2,7.0,\n"
    );
    let fill = |v: &str| Params {
        fill: Some(v.into()),
        ..index(&["t"])
    };
    assert_eq!(
        run(fill("0"), gap).unwrap(),
        "t,in,out\n1,5.0,6.0\n2,7.0,0.0\n"
    );
    assert_eq!(
        run(fill("x,y"), gap).unwrap(),
        "t,in,out\n1,5.0,6.0\n2,7.0,\"x,y\"\n"
    );
    assert_eq!(
        run(fill("NaN"), gap).unwrap(),
        run(index(&["t"]), gap).unwrap()
    );
    // A missing value is a missing cell; text stays text, its gaps filled as given.
    let text = "t,flow,net_size\n1,in,hi\n1,out,NA\n2,in,1e3\n";
    assert_eq!(
        run(index(&["t"]), text).unwrap(),
        "t,in,out\n1,hi,\n2,1e3,\n"
    );
    assert_eq!(run(fill("0"), text).unwrap(), "t,in,out\n1,hi,0\n2,1e3,0\n");
    let floats = "t,flow,net_size\n1,in,1e3\n1,out,0.1\n";
    assert_eq!(
        run(index(&["t"]), floats).unwrap(),
        "t,in,out\n1,1000.0,0.1\n"
    );
}

#[test]
fn int_truncates_toward_zero_and_clip_raises_to_the_floor() {
    let long = "t,flow,net_size\n1,a,12.7\n1,b,-0.5\n1,c,1e3\n1,d,-7\n1,e,-inf\n";
    let int = Params {
        int: true,
        ..index(&["t"])
    };
    let err = run(int.clone(), long).unwrap_err().to_string();
    assert_eq!(
        err,
        "line 6, column net_size: '-inf' is not a 64-bit integer when truncated, which \
         --int needs"
    );
    let long = &long[..long.len() - "1,e,-inf\n".len()];
    assert_eq!(
        run(int.clone(), long).unwrap(),
        "t,a,b,c,d\n1,12,0,1000,-7\n"
    );
    let clip = Params {
        clip_lower: Some(-1),
        ..int
    };
    assert_eq!(run(clip, long).unwrap(), "t,a,b,c,d\n1,12,0,1000,-1\n");
    // Without --int the floor takes the column's type.
    let clip = Params {
        clip_lower: Some(0),
        ..index(&["t"])
    };
    assert_eq!(
        run(clip.clone(), "t,flow,net_size\n1,a,-2\n1,b,3\n").unwrap(),
        "t,a,b\n1,0,3\n"
    );
    assert_eq!(
        run(clip, "t,flow,net_size\n1,a,-2.5\n1,b,3\n2,a,\n").unwrap(),
        "t,a,b\n1,0.0,3.0\n2,,\n"
    );
}

#[test]
fn an_int_column_made_float_converts_as_numpy_does() {
    // 2^53 + 1 has no float: pandas' missing cell rounds it before astype(int).
    let long = "t,flow,net_size\n1,a,9007199254740993\n2,b,1\n";
    let int = Params {
        int: true,
        fill: Some("0".into()),
        ..index(&["t"])
    };
    assert_eq!(
        run(int.clone(), long).unwrap(),
        "t,a,b\n1,9007199254740992,0\n2,0,1\n"
    );
    let full = "t,flow,net_size\n1,a,9007199254740993\n";
    assert_eq!(run(int, full).unwrap(), "t,a\n1,9007199254740993\n");
}

#[test]
fn data_errors_name_their_lines() {
    let table: &[(Params, &str, &str)] = &[
        (
            index(&["t"]),
            "t,flow,net_size\n1,in,5\n2,in,6\n1,in,7\n",
            "line 4: t '1', flow 'in': a second value; the first is on line 2; a long \
             table holds one value per index and key (pandas' pivot raises: Index \
             contains duplicate entries, cannot reshape)",
        ),
        (
            index(&["t"]),
            "t,flow,net_size\n1,in,5\n+1,in,7\n",
            "line 3: t '+1', flow 'in': the same cell as t '1', flow 'in' on line 2 \
             (equal as numbers)",
        ),
        (
            index(&["t"]),
            "t,flow,net_size\n1,in,\n1,in,7\n",
            "line 3: t '1', flow 'in': a second value; the first is on line 2",
        ),
        (
            Params {
                int: true,
                ..index(&["t"])
            },
            "t,flow,net_size\n1,in,5\n1,out,NA\n",
            "line 3, column net_size: 'NA' is a missing value, which --int cannot make \
             an integer (pandas' astype(int) raises); give --fill",
        ),
        (
            Params {
                int: true,
                ..index(&["t"])
            },
            "t,flow,net_size\n1,in,5\n2,out,6\n",
            "line 2: t '1' has no flow 'out' value, and --int cannot make an integer of \
             the missing cell (pandas' astype(int) raises on its NaN); give --fill",
        ),
        (
            Params {
                int: true,
                fill: Some("0".into()),
                ..index(&["t"])
            },
            "t,flow,net_size\n1,in,5\n1,out,x\n",
            "line 3, column net_size: 'x' is not a number, which --int needs",
        ),
        (
            Params {
                clip_lower: Some(0),
                ..index(&["t"])
            },
            "t,flow,net_size\n1,in,NAN\n",
            "line 2, column net_size: 'NAN' is not a number, which --clip-lower needs",
        ),
        (
            index(&["t"]),
            "t,flow,net_size\n1,in,5\n1,t,6\n",
            "line 3: the flow value 't' would make a second column named 't' (pandas' \
             reset_index refuses a name it has, of the same type); rename the index \
             column",
        ),
        (
            index(&["t"]),
            "t,net_size\n",
            "line 1: no column named 'flow'; the header is: t,net_size",
        ),
        (
            Params::default(),
            "net_size,flow\n",
            "line 1: no column is left for the index: the header has only the --key and \
             --value ('net_size,flow'); give --index",
        ),
        (
            Params::default(),
            "t,flow,t,net_size\n",
            "line 1: the header names 't' twice, and the index would be every column but \
             the --key and --value; rename them apart, or give --index",
        ),
    ];
    for (params, input, want) in table {
        let err = run(params.clone(), input).unwrap_err();
        assert_eq!(err.exit_code(), 1, "{input}");
        let text = err.to_string();
        assert!(text.starts_with(want), "{input}:\n{text}\nwant {want}");
    }
}

#[test]
fn flag_errors_are_usage_errors() {
    let table: &[(Params, &str)] = &[
        (
            Params {
                key: "a".into(),
                value: "a".into(),
                ..Params::default()
            },
            "--key and --value are both 'a'",
        ),
        (
            index(&["t", "flow"]),
            "'flow' is both an --index column and the --key",
        ),
        (index(&["t", "t"]), "--index names 't' twice"),
        (
            Params {
                int: true,
                fill: Some("none".into()),
                ..Params::default()
            },
            "--fill none is not a number, which --int needs",
        ),
        (
            Params {
                int: true,
                fill: Some("1e300".into()),
                ..Params::default()
            },
            "--fill 1e300 is not a 64-bit integer, which --int needs",
        ),
        (
            Params {
                clip_lower: Some(0),
                fill: Some("x".into()),
                ..Params::default()
            },
            "--fill x is not a number, which --clip-lower needs",
        ),
    ];
    for (params, want) in table {
        let err = Widen::new(params.clone()).unwrap_err();
        assert_eq!((err.exit_code(), err.to_string().as_str()), (2, *want));
    }
}

#[test]
fn a_header_alone_gives_the_index_alone() {
    assert_eq!(run(index(&["t"]), "t,flow,net_size\n").unwrap(), "t\n");
}

proptest::proptest! {
    /// The copies of `Plain` values print what parsing and formatting would.
    #[test]
    fn plain_numbers_print_as_parsed(v in "-?(0|[1-9][0-9]{0,13})(\\.[0-9]{1,9})?") {
        let Some(plain) = Plain::of(v.as_bytes()) else {
            return Ok(());
        };
        let x = parse_f64(v.as_bytes()).unwrap();
        let mut repr = Vec::new();
        write_py_float(&mut repr, x);
        let repr = String::from_utf8(repr).unwrap();
        if !plain.fraction {
            proptest::prop_assert_eq!(&repr, &format!("{v}.0"));
        } else if plain.repr {
            proptest::prop_assert_eq!(&repr, &v);
        }
        let int = &v[..plain.int_end];
        let int = if int == "-0" { "0" } else { int };
        proptest::prop_assert_eq!(truncate(x).unwrap().to_string(), int);
    }
}

#[test]
fn plain_spellings() {
    for v in [
        "0",
        "-0",
        "12",
        "0.5",
        "0.0001",
        "-0.0",
        "1.25",
        "123456789012345",
    ] {
        assert!(Plain::of(v.as_bytes()).is_some_and(|p| p.repr), "{v}");
    }
    for v in ["0.00001", "1.50", "2.000"] {
        assert!(Plain::of(v.as_bytes()).is_some_and(|p| !p.repr), "{v}");
    }
    let others = [
        "",
        "-",
        "+5",
        " 5",
        "05",
        "1.",
        ".5",
        "1e3",
        "1234567890123456",
        "1.2.3",
    ];
    for v in others {
        assert!(Plain::of(v.as_bytes()).is_none(), "{v}");
    }
}

#[test]
fn rows_sort_alike_packed_or_not() {
    let levels: [usize; 4] = [3, 1, 70_000, 2];
    let mut ranks = Vec::new();
    let mut seed = 7u64;
    for _ in 0..500 {
        for &count in &levels {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ranks.push(u32::try_from((seed >> 33) % count as u64).unwrap());
        }
    }
    let rank = |row: u32, level: usize| ranks[row as usize * 4 + level];
    let rows = |(order, mask): (Vec<u64>, u64)| -> Vec<u64> {
        order.iter().map(|&element| element & mask).collect()
    };
    let packed = rows(row_order(500, &levels, rank, 64));
    assert_eq!(packed, rows(row_order(500, &levels, rank, 0)));
    let tuple = |r: u64| &ranks[r as usize * 4..r as usize * 4 + 4];
    assert!(packed.windows(2).all(|w| tuple(w[0]) <= tuple(w[1])));
}

#[test]
fn varints_round_trip() {
    let mut buf = Vec::new();
    let numbers = [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX];
    for n in numbers {
        put_varint(&mut buf, n);
    }
    let mut at = 0;
    for n in numbers {
        assert_eq!(get_varint(&buf, &mut at), n);
    }
    assert_eq!(at, buf.len());
    assert_eq!(truncate(-0.5), Some(0));
    assert_eq!(truncate(9.3e18), None);
    assert_eq!(truncate(-9_223_372_036_854_775_808.0), Some(i64::MIN));
    assert_eq!(truncate(f64::NAN), None);
}
