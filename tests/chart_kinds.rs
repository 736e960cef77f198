//! `chart`'s kinds and options for the study's other figures: golden SVGs of lines, strip and
//! rank figures, the labels and tick days matplotlib would give, colours and stack order
//! read off the PNG's pixels, bad flags and tables, and pathological tables kept cheap.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use resvg::tiny_skia::Pixmap;
use support::{read_repo, repo, Dir};

/// Three message types over four days, wide (in + out summed): `c` is 0 on the third day.
const WIDE: &str = "timestamp,msg_type,in,out\n\
    2025-01-22,a,600,0\n2025-01-22,b,300,0\n2025-01-22,c,100,0\n\
    2025-01-23,a,500,100\n2025-01-23,b,200,100\n2025-01-23,c,50,50\n\
    2025-01-24,a,900,0\n2025-01-24,b,100,0\n2025-01-24,c,0,0\n\
    2025-01-25,a,400,0\n2025-01-25,b,400,0\n2025-01-25,c,200,0\n";

/// Peers per day with a connection type, as bucket writes them for the strip plot.
const PEERS: &str = "timestamp,peer_id,peer_addr,peer_conn_type,tcpip_size\n\
    2025-01-22,1,a,inbound,20000\n2025-01-22,2,b,outbound-full-relay,3000000\n\
    2025-01-22,10,c,inbound,50000\n2025-01-23,1,a,inbound,40000\n\
    2025-01-23,2,b,outbound-full-relay,2000000\n2025-01-24,3,d,block-relay-only,300000\n";

/// Message types per inbound peer, as bucket writes them for the rank figure.
const RANKED: &str = "peer_id,peer_addr,msg_type,tcpip_size\n\
    1,a,ping,10\n1,a,pong,90\n2,b,inv,80\n2,b,pong,20\n3,c,pong,100\n4,d,tx,1\n4,d,inv,999\n";

/// The flags and input of each golden figure.
fn goldens() -> [(&'static str, Vec<&'static str>, &'static str); 3] {
    [
        (
            "lines-share",
            vec![
                "--kind",
                "lines",
                "--share",
                "--log",
                "--log-zeros",
                "clip",
                "--palette",
                "tab10r",
                "--ylim",
                "0.001:1.01",
                "--day-ticks",
                "2",
                "--minor-days",
                "--legend-handle",
                "square",
                "--title",
                "Shares",
            ],
            WIDE,
        ),
        (
            "strip",
            vec![
                "--kind",
                "strip",
                "--hue",
                "peer_conn_type",
                "--value",
                "tcpip_size",
                "--id",
                "peer_id,peer_addr",
                "--palette",
                "study",
                "--log",
                "--day-ticks",
                "1",
            ],
            PEERS,
        ),
        (
            "rank",
            vec![
                "--rank",
                "peer_id,peer_addr",
                "--value",
                "tcpip_size",
                "--share",
                "--sort-desc",
                "pong,ping",
                "--drop-below",
                "0.01",
                "--label-suffix",
                "_share",
                "--palette",
                "tab20",
                "--ylim",
                "0:1.09",
                "--legend",
                "over",
                "--legend-font",
                "9",
            ],
            RANKED,
        ),
    ]
}

#[test]
fn new_kinds_are_their_golden_svgs() {
    let dir = Dir::new();
    for (name, mut args, input) in goldens() {
        args.extend(["--width", "5", "--height", "3.5"]);
        let svg = dir.run("chart", &args, input).ok();
        let golden = format!("tests/golden/chart/{name}.svg");
        if std::env::var_os("NETAGG_BLESS").is_some() {
            std::fs::write(repo(&golden), &svg).unwrap();
        }
        assert!(
            svg == read_repo(&golden),
            "the SVG differs from {golden}; if the change is meant, rerun with NETAGG_BLESS=1 \
             and look at the new file"
        );
    }
}

/// The texts of a drawn SVG, in order.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].to_owned())
        })
        .collect()
}

/// A naive timestamp as pandas prints it, `seconds` after 1970.
fn stamp(seconds: i64, date_only: bool) -> String {
    let mut out = Vec::new();
    pandas::time::write(&mut out, seconds, pandas::time::Offset::Naive, date_only);
    String::from_utf8(out).unwrap()
}

/// 2025-01-22.
const JAN_22: i64 = 1_737_504_000;

/// The days of the study's connection-type table, 2025-01-22 to 2025-02-25, one series.
fn month() -> String {
    let mut text = String::from("timestamp,msg_type,in,out\n");
    for day in 0..35 {
        writeln!(
            text,
            "{},tx,{},0",
            stamp(JAN_22 + day * 86_400, true),
            1000 + day * 10
        )
        .unwrap();
    }
    text
}

#[test]
fn labels_and_tick_days_are_matplotlibs() {
    let table = month();
    let drawn = chart::cli::drawn_args(&["--day-ticks", "3", "--minor-days"], table.as_bytes());
    let labels = texts(&drawn.unwrap());
    let days: Vec<&String> = labels
        .iter()
        .filter(|l| l.starts_with("Jan ") || l.starts_with("Feb "))
        .collect();
    // DayLocator(3) on the view 01-20 07:12 .. 02-26 16:48 (figures-spec 3.1).
    assert_eq!(days.first().map(|d| d.as_str()), Some("Jan 21"));
    assert_eq!(days.last().map(|d| d.as_str()), Some("Feb 26"));
    assert_eq!(days.len(), 13, "{days:?}");
    // Shares on a log axis: percentages, 0.1% not matplotlib's `0%`.
    let shares = chart::cli::drawn_args(
        &[
            "--kind",
            "lines",
            "--share",
            "--log",
            "--ylim",
            "0.001:1.01",
        ],
        WIDE.as_bytes(),
    );
    let labels = texts(&shares.unwrap());
    for want in ["0.1%", "1%", "10%", "100%"] {
        assert!(labels.iter().any(|l| l == want), "{want} in {labels:?}");
    }
    // A few days of daily data keep date labels.
    let short = texts(&chart::cli::drawn_args(&[], WIDE.as_bytes()).unwrap());
    assert!(short.iter().any(|l| l == "Jan 23"), "{short:?}");
    assert!(!short.iter().any(|l| l.contains(':')), "{short:?}");
}

fn png(dir: &Dir, args: &[&str], input: &str) -> Pixmap {
    dir.write("t.csv", input);
    let mut all = args.to_vec();
    all.extend(["--dpi", "144", "-o", "f.png", "t.csv"]);
    dir.run("chart", &all, "").ok();
    Pixmap::decode_png(&std::fs::read(dir.path("f.png")).unwrap()).unwrap()
}

fn rgb(p: &Pixmap, x: u32, y: u32) -> [u8; 3] {
    let c = p.pixel(x, y).unwrap();
    [c.red(), c.green(), c.blue()]
}

fn hex(color: &str) -> [u8; 3] {
    let byte = |i: usize| u8::from_str_radix(&color[i..i + 2], 16).unwrap();
    [byte(1), byte(3), byte(5)]
}

/// The bottom spine: the lowest row with a black run over half the width, and its extent.
fn spine(p: &Pixmap) -> (u32, u32, u32) {
    for y in (0..p.height()).rev() {
        let black: Vec<u32> = (0..p.width())
            .filter(|&x| rgb(p, x, y) == [0, 0, 0])
            .collect();
        if black.len() as u32 > p.width() / 2 {
            return (y, black[0], *black.last().unwrap());
        }
    }
    panic!("no spine");
}

#[test]
fn the_stack_is_in_the_order_given_bottom_to_top() {
    let dir = Dir::new();
    let p = png(&dir, &["--order", "c,a", "--palette", "tab10"], WIDE);
    // c (tab10's first), then a, then b (the rest by name) on top.
    let (bottom, left, right) = spine(&p);
    let x = (left + right) / 2;
    let mut seen: Vec<[u8; 3]> = Vec::new();
    for y in (0..bottom).rev() {
        let c = rgb(&p, x, y);
        if [hex("#1f77b4"), hex("#ff7f0e"), hex("#2ca02c")].contains(&c) && seen.last() != Some(&c)
        {
            seen.push(c);
        }
    }
    assert_eq!(seen, [hex("#1f77b4"), hex("#ff7f0e"), hex("#2ca02c")]);
}

#[test]
fn lines_keep_their_colours_along_their_length() {
    let dir = Dir::new();
    // a above b all along; tab10 reversed over two series: a orange, b blue.
    let table = "timestamp,msg_type,in,out\n2025-01-22,a,90,0\n2025-01-22,b,10,0\n\
        2025-01-23,a,80,0\n2025-01-23,b,20,0\n2025-01-24,a,85,0\n2025-01-24,b,15,0\n";
    let p = png(
        &dir,
        &["--kind", "lines", "--palette", "tab10r", "--ylim", "0:100"],
        table,
    );
    let (bottom, left, right) = spine(&p);
    let span = right - left;
    let (orange, blue) = (hex("#ff7f0e"), hex("#1f77b4"));
    for x in (left + span / 10..right - span / 10).step_by(7) {
        // Upwards from the spine to the plot's top (under the legend): the blue line first,
        // then the orange one.
        let column: Vec<[u8; 3]> = (bottom / 8..bottom).rev().map(|y| rgb(&p, x, y)).collect();
        let first = |c| column.iter().position(|&p| p == c);
        let (o, b) = (first(orange), first(blue));
        assert!(o.is_some() && b.is_some(), "x = {x}");
        assert!(
            b < o,
            "at x = {x} the orange line is not above the blue one"
        );
    }
}

#[test]
fn day_ticks_sit_on_their_days() {
    let drawn = chart::cli::drawn_args(&["--day-ticks", "3", "--minor-days"], month().as_bytes());
    let drawn = drawn.unwrap();
    // The x axis: `M{left} {bottom}H{right}`, then a `M{x} {bottom}v5` per major tick.
    let axis = drawn
        .split("<path d=\"")
        .filter_map(|p| p.split('"').next())
        .find(|d| d.contains("v5M") || d.ends_with("v5"))
        .unwrap();
    let numbers = |s: &str| -> Vec<f64> {
        s.split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|t| !t.is_empty())
            .map(|t| t.parse().unwrap())
            .collect()
    };
    let head = numbers(axis.split('M').nth(1).unwrap());
    let (left, right) = (head[0], head[2]);
    let majors: Vec<f64> = axis
        .split('M')
        .filter(|m| m.ends_with("v5"))
        .map(|m| numbers(m)[0])
        .collect();
    // The view: 2025-01-22 .. 02-25 with 5% margins (in days from Jan 22); majors from
    // Jan 21 every 3 days.
    let (t0, t1) = (-1.7, 34.0 + 1.7);
    let want: Vec<f64> = (0..13)
        .map(|k| left + (-1.0 + 3.0 * f64::from(k) - t0) / (t1 - t0) * (right - left))
        .collect();
    assert_eq!(majors.len(), want.len(), "{axis}");
    for (got, want) in majors.iter().zip(&want) {
        assert!((got - want).abs() <= 0.02, "{majors:?} vs {want:?}");
    }
}

#[test]
fn bad_flags_and_tables() {
    let dir = Dir::new();
    dir.write("old.svg", "the previous figure\n");
    let usage: [(&[&str], &str); 9] = [
        (&["--kind", "strip"], "--kind strip needs --hue COL"),
        (&["--hue", "x"], "--hue goes with --kind strip"),
        (
            &["--sort-desc", "pong"],
            "--sort-desc orders the rows of a rank axis",
        ),
        (&["--minor-days"], "--minor-days goes with --day-ticks N"),
        (
            &["--rank", "peer_id", "--from", "2025-01-01"],
            "a rank axis (--rank) has no times",
        ),
        (&["-o", "fig.eps"], "cannot write .eps files"),
        (&["--legend-font", "0"], "'0' is not a text size in points"),
        (&["--palette", "viridis"], "invalid value 'viridis'"),
        (&["--day-ticks", "0"], "--day-ticks"),
    ];
    for (args, message) in usage {
        dir.run("chart", args, WIDE).fails(2, message);
    }
    let many: String = (0..200).fold("timestamp,msg_type,in,out\n".to_owned(), |mut t, k| {
        writeln!(t, "2025-01-22,type{k:03},{k},0").unwrap();
        t
    });
    let header = "timestamp,msg_type,in,out\n";
    let data: [(&str, String, &[&str], &str); 5] = [
        (
            "an infinite value",
            format!("{header}2025-01-22,tx,inf,0\n"),
            &[],
            "chart: t.csv: line 2, column in: 'inf' is infinite, which no axis can show",
        ),
        (
            "a legend of 200 series",
            many,
            &[],
            "chart: the legend's 200 entries leave no room for the plot at --height 5.6: show \
             fewer series (--top N, --threshold AMOUNT)",
        ),
        (
            "a strip plot without its hue column",
            PEERS.to_owned(),
            &["--kind", "strip", "--hue", "type", "--value", "tcpip_size"],
            "chart: t.csv: line 1: no column named 'type'",
        ),
        (
            "more skipped than shown",
            WIDE.to_owned(),
            &["--skip-first", "3", "--skip-last", "1"],
            "chart: t.csv: no rows left after --skip-first 3 --skip-last 1 of 4 times",
        ),
        (
            "a rank axis without its columns",
            RANKED.to_owned(),
            &["--rank", "peer", "--value", "tcpip_size"],
            "chart: t.csv: line 1: no column named 'peer'",
        ),
    ];
    for (what, input, args, message) in data {
        dir.write("t.csv", input);
        let mut all = args.to_vec();
        all.extend(["-o", "old.svg", "t.csv"]);
        dir.run("chart", &all, "").fails(1, message);
        assert_eq!(dir.read("old.svg"), "the previous figure\n", "{what}");
    }
}

#[test]
fn a_pdf_is_one_vector_page_of_the_figures_size() {
    let dir = Dir::new();
    dir.write("t.csv", WIDE);
    let args = [
        "--kind", "lines", "--width", "5", "--height", "3", "-o", "f.pdf", "t.csv",
    ];
    dir.run("chart", &args, "").ok();
    let pdf = std::fs::read(dir.path("f.pdf")).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.starts_with("%PDF-1.7"), "{}", &text[..20]);
    assert!(text.contains("/MediaBox [0 0 360 216]"), "{text}");
    assert!(text.contains("/FlateDecode") && text.trim_end().ends_with("%%EOF"));
    // No raster image, no font: paths only; and the same bytes again.
    assert!(!text.contains("/Image") && !text.contains("/Font"));
    dir.run("chart", &args, "").ok();
    assert_eq!(std::fs::read(dir.path("f.pdf")).unwrap(), pdf);
}

#[test]
fn pathological_tables_stay_cheap() {
    let dir = Dir::new();
    // 100,000 hours whose three series jump every row.
    let mut jumpy = String::from("timestamp,msg_type,in,out\n");
    for h in 0..100_000 {
        let t = stamp(1_420_070_400 + h * 3600, false);
        let (a, b) = if h % 2 == 0 { (1, 1000) } else { (1000, 1) };
        writeln!(jumpy, "{t},x,{a},0\n{t},y,{b},0\n{t},z,{},0", a + b).unwrap();
    }
    dir.write("jumpy.csv", &jumpy);
    let clock = Instant::now();
    dir.run("chart", &["--log", "-o", "jumpy.png", "jumpy.csv"], "")
        .ok();
    dir.run(
        "chart",
        &["--kind", "lines", "-o", "lines.png", "jumpy.csv"],
        "",
    )
    .ok();
    assert!(
        clock.elapsed() < Duration::from_secs(20),
        "{:?}",
        clock.elapsed()
    );
    // Three series named by 50,000 characters each: cut before the layout.
    let long: String =
        ["p", "q", "r"]
            .iter()
            .fold("timestamp,msg_type,in,out\n".to_owned(), |mut t, c| {
                writeln!(t, "2025-01-22,{},1,0", c.repeat(50_000)).unwrap();
                t
            });
    dir.write("long.csv", &long);
    let clock = Instant::now();
    let svg = dir.run("chart", &["long.csv"], "").ok();
    assert!(
        clock.elapsed() < Duration::from_secs(5),
        "{:?}",
        clock.elapsed()
    );
    assert!(svg.len() < 300_000, "{} bytes", svg.len());
}
