//! `chart` and `scripts/figures.sh`: a golden SVG, the PNG's pixels where they must be, the
//! study's published tables in both layouts, bad inputs, and the README's figure kept current.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use resvg::tiny_skia::Pixmap;
use support::{bz2, read_repo, repo, script, upstream, Dir, HOURLY};

/// Two series and a measured line over three hours, on a linear scale up to 100 B.
const STACK: &str = "timestamp,msg_type,in,out\n\
    2025-01-22 00:00:00+00:00,tx,10,0\n\
    2025-01-22 00:00:00+00:00,inv,15,5\n\
    2025-01-22 01:00:00+00:00,tx,5,5\n\
    2025-01-22 01:00:00+00:00,inv,20,0\n\
    2025-01-22 02:00:00+00:00,tx,10,0\n\
    2025-01-22 02:00:00+00:00,inv,20,0\n";
const MEASURED: &str = "timestamp,in,out\n\
    2025-01-22 00:00:00+00:00,20,20\n\
    2025-01-22 01:00:00+00:00,30,10\n\
    2025-01-22 02:00:00+00:00,40,0\n";

#[test]
fn a_small_figure_is_its_golden_svg() {
    let dir = Dir::new();
    dir.write("measured.csv", MEASURED);
    let args = [
        "--title",
        "Small",
        "--subtitle",
        "Two series & a line",
        "--ylim",
        "0:100",
        "--line",
        "measured.csv",
        "--width",
        "4",
        "--height",
        "3",
    ];
    let svg = dir.run("chart", &args, STACK).ok();
    let golden = "tests/golden/chart/small.svg";
    if std::env::var_os("NETAGG_BLESS").is_some() {
        std::fs::write(repo(golden), &svg).unwrap();
    }
    assert!(
        svg == read_repo(golden),
        "the SVG differs from {golden}; if the change is meant, rerun with NETAGG_BLESS=1 \
         and look at the new file"
    );
    // Self-contained: text is drawn as outlines, no font is named or needed.
    assert!(!svg.contains("<text") && !svg.contains("font-family"));
    // The same bytes again, and from a bzip2 input.
    assert_eq!(dir.run("chart", &args, bz2(STACK.as_bytes())).ok(), svg);
}

/// The PNG at 144 dpi (2 pixels a point) of STACK and MEASURED.
fn small_png(dir: &Dir) -> Pixmap {
    dir.write("stack.csv", STACK);
    dir.write("measured.csv", MEASURED);
    let args = "--ylim 0:100 --line measured.csv --width 4 --height 3 --dpi 144";
    dir.sh(&format!("chart {args} -o small.png stack.csv")).ok();
    Pixmap::decode_png(&std::fs::read(dir.path("small.png")).unwrap()).unwrap()
}

fn rgb(p: &Pixmap, x: u32, y: u32) -> [u8; 3] {
    let c = p.pixel(x, y).unwrap();
    [c.red(), c.green(), c.blue()]
}

/// The lengths of the runs of `color` in row `y`.
fn runs(p: &Pixmap, y: u32, color: [u8; 3]) -> Vec<u32> {
    let mut out = Vec::new();
    let mut run = 0;
    for x in 0..p.width() {
        if rgb(p, x, y) == color {
            run += 1;
        } else if run > 0 {
            out.push(run);
            run = 0;
        }
    }
    if run > 0 {
        out.push(run);
    }
    out
}

#[test]
fn the_png_has_its_parts_where_they_belong() {
    let dir = Dir::new();
    let png = small_png(&dir);
    assert_eq!((png.width(), png.height()), (576, 432));
    let tx = [0x74, 0xc7, 0xa5];
    let inv = [0xfe, 0xed, 0xa1];
    let black = [0, 0, 0];
    let white = [255, 255, 255];
    let rows: Vec<u32> = (0..png.height()).collect();
    // The legend: a 10-point (20 px) square swatch of each series, above the plot.
    let swatch = |color| rows.iter().copied().find(|&y| runs(&png, y, color) == [20]);
    let (tx_swatch, inv_swatch) = (swatch(tx).unwrap(), swatch(inv).unwrap());
    // The plot: wide bands of both colours, under the swatches.
    let band = |color| {
        rows.iter()
            .copied()
            .filter(|&y| runs(&png, y, color).iter().any(|&r| r > 200))
            .collect::<Vec<u32>>()
    };
    let (tx_band, inv_band) = (band(tx), band(inv));
    assert!(tx_band[0] > tx_swatch && inv_band[0] > inv_swatch);
    // inv (name order: first) is the bottom layer, tx on top of it.
    assert!(tx_band[0] < inv_band[0], "{tx_band:?} {inv_band:?}");
    // The line, black, crosses every column of the data's span, above the stack.
    let (left, right) = (
        (0..png.width())
            .find(|&x| tx_band.iter().any(|&y| rgb(&png, x, y) == tx))
            .unwrap(),
        (0..png.width())
            .rev()
            .find(|&x| tx_band.iter().any(|&y| rgb(&png, x, y) == tx))
            .unwrap(),
    );
    assert!(right - left > 300, "{left}..{right}");
    for x in left + 3..right - 3 {
        let line = (0..tx_band[0])
            .rev()
            .take(200)
            .find(|&y| rgb(&png, x, y) == black);
        assert!(line.is_some(), "no line above the stack at x = {x}");
    }
    // Above the line there is no data: background, but for the dotted grid.
    let top_row = tx_swatch.max(inv_swatch) + 40;
    let mid = (left + right) / 2;
    let blank = (top_row..top_row + 60)
        .filter(|&y| rgb(&png, mid, y) == white)
        .count();
    assert!(blank > 45, "{blank} of 60 pixels are background");
    // Left of the first data point (the 5% margin), the plot is background too.
    let y = inv_band[inv_band.len() / 2];
    assert_eq!(rgb(&png, left - 8, y), white);
}

#[test]
fn the_study_figures_draw_from_the_published_tables_in_both_layouts() {
    // Wide: the study's validation tables; long: the seed notebook's, as aggregate.sh writes.
    let (Some(wide), Some(long)) = (upstream("later"), upstream("data_est_hourly.csv.bz2")) else {
        return;
    };
    let long = long.parent().unwrap().to_path_buf();
    // The seed's node was not listening: no block traffic worth a series of its own.
    let warned = "chart: warning: --last block: merged into 'other' (too small to keep)\n";
    for (folder, range, has_block) in [
        (&wide, "--from 2025-01-24 --to 2025-02-11", true),
        (&long, "--from 2024-12-29 --to 2025-01-05", false),
        (&long, "", false),
    ] {
        let dir = Dir::new();
        let run = script(
            &dir,
            "figures.sh",
            &format!("-q --dpi 50 {range} -o . {}", folder.display()),
        );
        run.ok();
        // The other figures' lines: skipped for want of tables (or filters).
        let warnings: String = run
            .stderr
            .lines()
            .filter(|l| !l.starts_with("figures.sh: warning: skipped"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(warnings, if has_block { "" } else { warned }, "{run:?}");
        let figures = [
            "validation-hourly+all+logscale.png",
            "validation-non-listening.png",
        ];
        for file in figures {
            let file = format!("validation/{file}");
            let png = Pixmap::decode_png(&std::fs::read(dir.path(&file)).unwrap()).unwrap();
            // The block series' blue is in the hourly figure only, if at all.
            let blue = png
                .pixels()
                .iter()
                .any(|c| [c.red(), c.green(), c.blue()] == [0x37, 0x8e, 0xbb]);
            assert_eq!(
                blue,
                has_block && file.contains("hourly"),
                "{file} from {}",
                folder.display()
            );
        }
    }
}

#[test]
fn bad_tables_get_clear_errors_and_odd_ones_sensible_figures() {
    let dir = Dir::new();
    dir.write("old.svg", "the previous figure\n");
    let header = "freq,flow,msg_type,net_size\n";
    let table: [(&str, String, &[&str], &str); 6] = [
        (
            "no rows",
            header.into(),
            &[],
            "chart: t.csv: line 1: no rows to draw",
        ),
        (
            "a missing column",
            "freq,flow,net_size\n2024-12-28,in,1\n".into(),
            &[],
            "chart: t.csv: line 1: no column named 'msg_type'",
        ),
        (
            "a negative value on a log scale",
            format!("{header}2024-12-28,in,tx,5\n2024-12-28,in,inv,-5\n"),
            &["--log"],
            "chart: t.csv: line 3, column net_size: '-5' is negative",
        ),
        (
            "a bad timestamp",
            format!("{header}2024-12-28 25:00,in,tx,5\n"),
            &[],
            "chart: t.csv: line 2, column freq: '2024-12-28 25:00' is not a timestamp",
        ),
        (
            "a range without rows",
            HOURLY.into(),
            &["--from", "2025-01-01"],
            "chart: t.csv: no rows from 2025-01-01 00:00:00 on: the table's times run from \
             2024-12-28 00:00:00 to 2024-12-28 01:00:00",
        ),
        (
            "an empty file",
            String::new(),
            &[],
            "chart: t.csv: the input is empty: no header line",
        ),
    ];
    for (what, input, args, message) in table {
        dir.write("t.csv", input);
        let mut all = args.to_vec();
        all.extend(["-o", "old.svg", "t.csv"]);
        let run = dir.run("chart", &all, "");
        run.fails(1, message);
        assert_eq!(dir.read("old.svg"), "the previous figure\n", "{what}");
    }
    assert_eq!(dir.files(), ["old.svg", "t.csv"]);

    // Odd but drawable: one time point, all zeros on a log scale, one series.
    for (what, input, args) in [
        (
            "one time point",
            format!("{header}2024-12-28,in,tx,5\n"),
            &["--log"][..],
        ),
        (
            "zeros on a log scale",
            format!("{header}2024-12-28,in,tx,0\n2024-12-29,in,tx,0\n"),
            &["--log"],
        ),
        (
            "negative values on a linear scale",
            format!("{header}2024-12-28,in,tx,-5\n2024-12-29,in,tx,5\n"),
            &[],
        ),
    ] {
        dir.write("t.csv", input);
        let mut all = args.to_vec();
        all.extend(["-o", "odd.png", "t.csv"]);
        dir.run("chart", &all, "").ok();
        let png = Pixmap::decode_png(&std::fs::read(dir.path("odd.png")).unwrap());
        assert!(png.is_ok(), "{what}");
    }
}

#[test]
fn flag_problems_are_usage_errors() {
    let dir = Dir::new();
    dir.write("a.csv", HOURLY);
    let table: [(&[&str], &str); 6] = [
        (&["--threshold", "5X"], "'5X' is not an amount"),
        (&["--ylim", "9:1"], "LO must be below HI"),
        (
            &["--log", "--ylim", "0:1"],
            "a log scale needs a positive lower limit",
        ),
        (
            &[
                "--ylim", ":1", "--ylim", ":2", "--ylim", ":3", "a.csv", "a.csv",
            ],
            "--ylim is given 3 times for 2 panels",
        ),
        (
            &["--from", "2025-02-01", "--to", "2025-01-01"],
            "--from is later than --to",
        ),
        (&["--color", "tx=red"], "'red' is not a colour like #1f77b4"),
    ];
    for (args, message) in table {
        dir.run("chart", args, HOURLY).fails(2, message);
    }
}

#[test]
fn the_readme_figure_is_current() {
    // The README's command, on the sample's tables (tests/golden/sample: what
    // scripts/aggregate.sh makes of the bundled sample, as tests/script.rs checks).
    let dir = Dir::new();
    let run = script(
        &dir,
        "figures.sh",
        &format!("--dpi 100 -o . {}", repo("tests/golden/sample").display()),
    );
    run.ok();
    let fresh = std::fs::read(dir.path("validation/validation-hourly+all+logscale.png")).unwrap();
    let committed = std::fs::read(repo("scripts/sample/hourly.png")).unwrap();
    if std::env::var_os("NETAGG_BLESS").is_some() {
        std::fs::write(repo("scripts/sample/hourly.png"), &fresh).unwrap();
    }
    assert!(
        fresh == committed,
        "scripts/sample/hourly.png is not what the README's commands draw now: run them \
         (or this test with NETAGG_BLESS=1)"
    );
    assert!(committed.len() < 300_000, "{} bytes", committed.len());
    assert!(read_repo("README.md").contains("scripts/sample/hourly.png"));
}
