//! Unit tests of the bucket transform on small tables.

use super::*;

fn run(params: Params, input: &str) -> Result<String> {
    driver::transform(Bucketer::new(params)?, input.as_bytes())
}

fn hourly_by(keys: &[&str]) -> Params {
    Params {
        by: keys.iter().map(|k| (*k).to_owned()).collect(),
        time_name: Some("freq".into()),
        ..Params::default()
    }
}

#[test]
fn sums_by_bucket_and_keys_sorted_as_bytes() {
    let input = "timestamp,flow,msg_type,net_size\n\
        2024-12-28 00:00:09+00:00,out,tx,10\n\
        2024-12-28 00:00:09+00:00,in,tx,1\n\
        2024-12-28 00:59:59+00:00,in,tx,2\n\
        2024-12-28 00:00:14+00:00,in,Inv,4\n\
        2024-12-28 01:00:00+00:00,in,tx,8\n";
    let out = run(hourly_by(&["flow", "msg_type"]), input).unwrap();
    assert_eq!(
        out,
        "freq,flow,msg_type,net_size\n\
         2024-12-28 00:00:00+00:00,in,Inv,4\n\
         2024-12-28 00:00:00+00:00,in,tx,3\n\
         2024-12-28 00:00:00+00:00,out,tx,10\n\
         2024-12-28 01:00:00+00:00,in,tx,8\n"
    );
    let stream = run(
        Params {
            stream: true,
            ..hourly_by(&["flow", "msg_type"])
        },
        input,
    )
    .unwrap();
    assert_eq!(stream, out);
}

#[test]
fn key_order_is_per_field_not_per_concatenation() {
    let input = "t,a,b,net_size\n2024-01-01 00:00:00,b,1,1\n2024-01-01 00:00:00,ab,1,1\n\
                 2024-01-01 00:00:00,a,bb,1\n2024-01-01 00:00:00,,z,1\n";
    let out = run(hourly_by(&["a", "b"]), input).unwrap();
    assert_eq!(
        out,
        "freq,a,b,net_size\n2024-01-01,a,bb,1\n2024-01-01,ab,1,1\n2024-01-01,b,1,1\n2024-01-01,,z,1\n"
    );
}

#[test]
fn floats_sum_with_compensation_and_print_as_python() {
    // pandas: [1e16, 1, 1, -1e16] sums to 2.0 (naive summation gives 0.0).
    let input = "t,net_size\n2024-01-01 00:00:00Z,1e16\n2024-01-01 00:00:01Z,1\n\
                 2024-01-01 00:00:02Z,1\n2024-01-01 00:00:03Z,-1e16\n2024-01-01 01:00:00Z,1\n";
    let out = run(Params::default(), input).unwrap();
    assert_eq!(
        out,
        "t,net_size\n2024-01-01 00:00:00+00:00,2.0\n2024-01-01 01:00:00+00:00,1.0\n"
    );
}

#[test]
fn a_missing_value_makes_the_column_float() {
    let input =
        "t,net_size\n2024-01-01 00:00:00,5\n2024-01-01 01:00:00,\n2024-01-01 02:00:00,NaN\n";
    let out = run(Params::default(), input).unwrap();
    // The all-missing groups exist and sum to 0.0, as in pandas.
    assert_eq!(
        out,
        "t,net_size\n2024-01-01 00:00:00,5.0\n2024-01-01 01:00:00,0.0\n2024-01-01 02:00:00,0.0\n"
    );
}

#[test]
fn integers_stay_exact_and_overflow_is_an_error() {
    let big = "t,net_size\n2024-01-01 00:00:00,9007199254740993\n2024-01-01 00:00:00,1\n";
    let out = run(Params::default(), big).unwrap();
    assert_eq!(out, "t,net_size\n2024-01-01,9007199254740994\n");
    let over = "t,net_size\n2024-01-01 00:00:00,9223372036854775807\n2024-01-01 00:00:00,1\n";
    let err = run(Params::default(), over).unwrap_err();
    assert!(err.to_string().contains("beyond int64"), "{err}");
}

#[test]
fn naive_output_is_date_only_when_every_bucket_is_midnight() {
    let input = "t,net_size\n2024-01-01 00:10:00,1\n2024-01-02 00:20:00,2\n";
    let hourly = run(Params::default(), input).unwrap();
    assert_eq!(hourly, "t,net_size\n2024-01-01,1\n2024-01-02,2\n");
    let later = format!("{input}2024-01-02 05:00:00,4\n");
    for stream in [false, true] {
        let out = run(
            Params {
                stream,
                ..Params::default()
            },
            &later,
        )
        .unwrap();
        assert_eq!(
            out,
            "t,net_size\n2024-01-01 00:00:00,1\n2024-01-02 00:00:00,2\n2024-01-02 05:00:00,4\n"
        );
    }
}

#[test]
fn offsets_floor_in_wall_time_and_must_not_mix() {
    let input = "t,net_size\n2024-12-28 20:40:09+05:30,1\n";
    let daily = Params {
        every: Some(86_400),
        ..Params::default()
    };
    assert_eq!(
        run(daily.clone(), input).unwrap(),
        "t,net_size\n2024-12-28 00:00:00+05:30,1\n"
    );
    let mixed = "t,net_size\n2024-12-28 00:00:09Z,1\n2024-12-28 00:00:19+00:00,1\n2024-12-28 00:00:29+01:00,1\n";
    let err = run(daily, mixed).unwrap_err().to_string();
    assert!(
        err.contains("'2024-12-28 00:00:29+01:00' has another time zone than '2024-12-28 00:00:09Z' on line 2"),
        "{err}"
    );
}

#[test]
fn stream_rejects_older_rows_and_late_floats() {
    let older = "t,net_size\n2024-01-01 01:00:00,1\n2024-01-01 00:00:00,1\n";
    let stream = Params {
        stream: true,
        ..Params::default()
    };
    let err = run(stream.clone(), older).unwrap_err().to_string();
    assert!(err.contains("older than"), "{err}");
    assert!(run(Params::default(), older).is_ok());
    let late_float = "t,net_size\n2024-01-01 01:00:00,1\n2024-01-01 02:00:00,1.5\n";
    let err = run(stream.clone(), late_float).unwrap_err().to_string();
    assert!(err.contains("--stream already wrote integer sums"), "{err}");
    let forced = Params {
        float: true,
        ..stream
    };
    assert_eq!(
        run(forced, late_float).unwrap(),
        "t,net_size\n2024-01-01 01:00:00,1.0\n2024-01-01 02:00:00,1.5\n"
    );
}

#[test]
fn count_sum_columns_and_names() {
    let input = "ts,a,b\n2024-01-01 00:00:00Z,1,2.5\n2024-01-01 00:30:00Z,3,\n";
    let params = Params {
        time: Some("ts".into()),
        sums: vec!["b".into(), "a".into()],
        count: Some("rows".into()),
        every: Some(86_400),
        ..Params::default()
    };
    assert_eq!(
        run(params, input).unwrap(),
        "ts,b,a,rows\n2024-01-01 00:00:00+00:00,2.5,4,2\n"
    );
}

#[test]
fn bad_input_names_the_column() {
    let table = [
        (
            "t,net_size\n2024-13-01 00:00:00,1\n",
            "column t: '2024-13-01 00:00:00' is not a timestamp: there is no month 13",
        ),
        (
            "t,net_size\n2024-01-01 00:00:00,abc\n",
            "column net_size: 'abc' is not a number",
        ),
        (
            "t,net_size\n2024-01-01 00:00:00,99999999999999999999\n",
            "line 2, column net_size: '99999999999999999999' overflows a 64-bit integer, which \
             makes the column text (object) as pandas reads it unless it holds a float, so \
             it cannot be summed or averaged",
        ),
        (
            "t,bytes\n2024-01-01 00:00:00,1\n",
            "no column named 'net_size'; the header is: t,bytes",
        ),
    ];
    for (input, want) in table {
        let err = run(Params::default(), input).unwrap_err().to_string();
        assert!(err.contains(want), "{input:?}: {err}");
    }
    // The time column's name comes from the data: a clash with it is the data's (exit 1,
    // line 1); a clash the flags make alone is a usage error (exit 2).
    let clash = Params {
        by: vec!["t".into()],
        ..Params::default()
    };
    let err = run(clash, "t,net_size\n").unwrap_err();
    assert_eq!((err.exit_code(), err.line), (1, Some(1)), "{err}");
    let dup = Params {
        by: vec!["flow".into(), "flow".into()],
        ..Params::default()
    };
    assert_eq!(Bucketer::new(dup).unwrap_err().exit_code(), 2);
}

#[test]
fn an_integer_sum_overflows_only_if_the_column_stays_integer() {
    let max = i64::MAX;
    let overflow = format!("t,net_size\n2024-01-01 00:00:00,{max}\n2024-01-01 00:10:00,{max}\n");
    let err = run(Params::default(), &overflow).unwrap_err();
    assert_eq!(
        err.to_string(),
        "column net_size: the sum for 2024-01-01 is 18446744073709551614, beyond int64 \
         (pandas would wrap it around to -2; --float sums as floats)"
    );
    // The total decides, not the running sum: x + x - x is x in any order, as in pandas.
    let x = 9_223_372_036_854_775_000_i64;
    for order in [[x, x, -x], [-x, x, x], [x, -x, x]] {
        let rows: String = order
            .iter()
            .map(|v| format!("2024-01-01 00:00:00,{v}\n"))
            .collect();
        let out = run(Params::default(), &format!("t,net_size\n{rows}")).unwrap();
        assert_eq!(out, format!("t,net_size\n2024-01-01,{x}\n"), "{order:?}");
    }
    // uint64 columns sum as uint64, and only a total beyond it is an error.
    let unsigned = "t,net_size\n2024-01-01 00:00:00,18446744073709551000\n\
                    2024-01-01 00:00:01,615\n";
    assert_eq!(
        run(Params::default(), unsigned).unwrap(),
        "t,net_size\n2024-01-01,18446744073709551615\n"
    );
    let beyond = format!("{unsigned}2024-01-01 00:00:02,1\n");
    let err = run(Params::default(), &beyond).unwrap_err().to_string();
    assert!(
        err.contains("is 18446744073709551616, beyond uint64"),
        "{err}"
    );
    // A float anywhere makes the column float, as in pandas: no overflow then, and the
    // order of the rows does not matter (pandas 2.2.3 prints these same sums).
    let with_float = format!("{overflow}2024-01-01 00:20:00,0.5\n");
    assert_eq!(
        run(Params::default(), &with_float).unwrap(),
        "t,net_size\n2024-01-01,1.8446744073709556e+19\n"
    );
    let float_first = format!(
        "t,net_size\n2024-01-01 00:20:00,0.5\n2024-01-01 00:00:00,{max}\n2024-01-01 00:10:00,{max}\n"
    );
    assert_eq!(
        run(Params::default(), &float_first).unwrap(),
        "t,net_size\n2024-01-01,1.8446744073709556e+19\n"
    );
}

#[test]
fn missing_keys_are_kept_and_counted() {
    let mut b = Bucketer::new(hourly_by(&["flow"])).unwrap();
    let mut out = Writer::new(Vec::new());
    let header = Record::from_fields(["t", "flow", "net_size"]);
    b.header(&header).unwrap();
    for flow in [
        "", "in", "", "NA", "null", "None", "nan", "<NA>", "1.#IND", "Null",
    ] {
        b.row(
            &Record::from_fields(["2024-01-01 00:00:00", flow, "1"]),
            &mut out,
        )
        .unwrap();
    }
    b.finish(&mut out).unwrap();
    let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
    // Every spelling of a missing value is one missing key, printed empty and sorted
    // last, as pandas' groupby(dropna=False) does.
    assert_eq!(text, "2024-01-01,Null,1\n2024-01-01,in,1\n2024-01-01,,8\n");
    assert_eq!(b.notes().len(), 1);
    // `Null` is text to pandas, like `in`.
    assert!(
        b.notes()[0].starts_with("8 rows have a key that pandas reads as missing"),
        "{}",
        b.notes()[0]
    );
}

/// Runs `params` over `rows` (time, key 1, key 2, value) with the fast paths (short keys
/// found by value, plain digits added straight to a lone sum) or without them: the table,
/// or the error.
fn bucketed(
    params: &Params,
    rows: &[(u8, Vec<u8>, Vec<u8>, &str)],
    fast: bool,
) -> std::result::Result<Vec<u8>, String> {
    let mut b = Bucketer::new(params.clone()).unwrap();
    let mut out = Writer::new(Vec::new());
    b.header(&Record::from_fields(["t", "a", "b", "n"]))
        .unwrap();
    b.groups.short &= fast;
    b.one_sum &= fast;
    for (hour, a, c, n) in rows {
        let t = format!("2024-01-01 {:02}:00:00", hour % 24);
        let row = Record::from_fields([t.as_bytes(), a, c, n.as_bytes()]);
        b.row(&row, &mut out).map_err(|e| e.to_string())?;
    }
    b.finish(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner().unwrap())
}

/// Many more keys than the recent-group slots, revisited in a scrambled order: slots are
/// overwritten and found stale all the time, and the table is still the general path's.
#[test]
fn recent_groups_survive_many_keys() {
    let mut rows = Vec::new();
    for i in 0..6000u32 {
        let k = i.wrapping_mul(2_654_435_761) % 1500;
        let (a, c) = (
            format!("k{}", k % 50).into_bytes(),
            format!("m{}", k / 50).into_bytes(),
        );
        rows.push(((k % 3) as u8, a, c, if i % 7 == 0 { "3" } else { "1" }));
    }
    let params = Params {
        sums: vec!["n".into()],
        ..hourly_by(&["a", "b"])
    };
    assert_eq!(
        bucketed(&params, &rows, true),
        bucketed(&params, &rows, false)
    );
}

proptest::proptest! {
    /// The fast paths give the tables (and errors) of the general one: keys found by value
    /// (all fields of at most 16 bytes: zero bytes, empty, 16 and 17 bytes, mixed in one
    /// run) group as encoded keys do, and plain digits add up as parsed values do, also
    /// among missing values, floats, signs, blanks and sums that overflow.
    #[test]
    fn fast_paths_give_the_general_tables(rows in proptest::collection::vec(
        (
            0u8..3,
            proptest::sample::select(vec![
                b"".to_vec(), b"a".to_vec(), b"a\0".to_vec(), b"\0".to_vec(),
                b"0123456789abcdef".to_vec(), b"0123456789abcdefg".to_vec(),
            ]),
            proptest::sample::select(vec![b"in".to_vec(), b"".to_vec(), b"inv".to_vec(),
                b"x".repeat(40)]),
            proptest::sample::select(vec!["0", "7", "42", "7", "", "1.5", " 3", "-2", "NA",
                "999999999999999", "1234567890123456", "9000000000000000000"]),
        ),
        0..60,
    )) {
        // Three keys are more than a short key holds: the encoded path, both ways.
        for keys in [&["a"][..], &["a", "b"], &["b", "a"], &["a", "b", "t"]] {
            for every in [Some(3600), None] {
                let params = Params { every, ..hourly_by(keys) };
                let params = Params { sums: vec!["n".into()], ..params };
                for float in [false, true] {
                    let params = Params { float, ..params.clone() };
                    proptest::prop_assert_eq!(
                        bucketed(&params, &rows, true),
                        bucketed(&params, &rows, false)
                    );
                }
            }
        }
    }
}
