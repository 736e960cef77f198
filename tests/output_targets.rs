//! Where `-o` writes: through symlinks to their target, in place onto `/dev/stdout` and other
//! open files (never renaming over them), with the mode `cp` would give, and a name of a
//! compression it does not write refused before anything is read. (The laws for random
//! symlink chains, FIFOs and /dev/null are property tests in common/src/output.rs.)
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use support::{bin, Dir, TRACEPOINTS};

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn table(dir: &Dir) -> String {
    dir.run("estimate", &[], TRACEPOINTS).ok()
}

/// `/dev/stdout` is a symlink to /proc/self/fd/1, which names whatever stdout is: the table
/// goes through stdout as it is (a file opened by `>` or `>>`, a pipe), and the links stay.
/// Tests run as root, as CI does: before, root renamed a temp file over /dev/stdout itself.
#[test]
fn dev_stdout_writes_through_stdout_as_it_is() {
    let dir = Dir::new();
    dir.write("in.csv", TRACEPOINTS);
    let table = table(&dir);
    let cases = [
        ("estimate -o /dev/stdout in.csv > out.txt", String::new()),
        (
            "echo old > out.txt; estimate -o /dev/stdout in.csv >> out.txt",
            "old\n".into(),
        ),
        (
            "{ echo first; estimate -o /dev/stdout in.csv; } > out.txt",
            "first\n".into(),
        ),
        ("estimate -o /dev/fd/1 in.csv > out.txt", String::new()),
        (
            "estimate -o /proc/self/fd/1 in.csv > out.txt",
            String::new(),
        ),
        (
            "estimate -o /dev/stdout in.csv | cat > out.txt",
            String::new(),
        ),
        ("estimate -o /dev/stderr in.csv 2> out.txt", String::new()),
        // Another descriptor is opened anew, appending: never truncated.
        (
            "echo old > out.txt; estimate -o /dev/fd/3 in.csv 3>> out.txt",
            "old\n".into(),
        ),
    ];
    for (script, before) in cases {
        let run = dir.sh(script);
        run.ok();
        assert_eq!(dir.read("out.txt"), format!("{before}{table}"), "{run:?}");
        for link in ["/dev/stdout", "/dev/stderr", "/dev/fd"] {
            let meta = std::fs::symlink_metadata(link).unwrap();
            assert!(meta.file_type().is_symlink(), "{link} after {script}");
        }
        assert_eq!(dir.files(), ["in.csv", "out.txt"], "{script}");
        assert!(
            !std::fs::read_dir("/dev").unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")),
            "a temp file in /dev after {script}"
        );
    }
}

/// As a normal user too (setpriv to nobody, when run as root): no temp file is attempted in
/// /dev, where a normal user may not create one.
#[test]
fn dev_stdout_works_for_a_normal_user() {
    if !is_root() || !Path::new("/usr/bin/setpriv").exists() {
        eprintln!("skipped: needs root and setpriv to become another user");
        return;
    }
    let dir = Dir::new();
    let open = dir.path("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, PermissionsExt::from_mode(0o777)).unwrap();
    std::fs::set_permissions(dir.tmp.path(), PermissionsExt::from_mode(0o755)).unwrap();
    dir.write("open/in.csv", TRACEPOINTS);
    let table = table(&dir);
    let estimate = bin("estimate");
    if !estimate
        .ancestors()
        .all(|p| std::fs::metadata(p).is_ok_and(|m| m.mode() & 0o001 != 0))
    {
        eprintln!("skipped: nobody cannot reach {}", estimate.display());
        return;
    }
    let run = dir.sh(&format!(
        "cd open && setpriv --reuid=65534 --regid=65534 --clear-groups \
         sh -c '{} -o /dev/stdout in.csv > out.txt && id -u'",
        estimate.display()
    ));
    assert_eq!(run.ok(), "65534\n", "{run:?}");
    assert_eq!(dir.read("open/out.txt"), table);
    assert_eq!(
        std::fs::metadata(dir.path("open/out.txt")).unwrap().uid(),
        65534
    );
}

#[test]
fn a_symlink_is_written_through_and_stays_a_link() {
    let dir = Dir::new();
    std::fs::create_dir(dir.path("data")).unwrap();
    dir.write("data/table.csv", "old\n");
    std::os::unix::fs::symlink("data/table.csv", dir.path("latest.csv")).unwrap();
    std::os::unix::fs::symlink("nowhere/x.csv", dir.path("dangling.csv")).unwrap();
    std::os::unix::fs::symlink("new.csv", dir.path("to-new.csv")).unwrap();
    let table = table(&dir);
    dir.run("estimate", &["-o", "latest.csv"], TRACEPOINTS).ok();
    assert_eq!(dir.read("data/table.csv"), table);
    assert!(std::fs::symlink_metadata(dir.path("latest.csv"))
        .unwrap()
        .is_symlink());
    // A link to nothing yet creates its target, as `>` does.
    dir.run("estimate", &["-o", "to-new.csv"], TRACEPOINTS).ok();
    assert_eq!(dir.read("new.csv"), table);
    // ... unless the target's folder is missing.
    dir.run("estimate", &["-o", "dangling.csv"], TRACEPOINTS)
        .fails(1, "estimate: dangling.csv: No such file or directory");
    std::os::unix::fs::symlink("loop2", dir.path("loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", dir.path("loop2")).unwrap();
    dir.run("estimate", &["-o", "loop1"], TRACEPOINTS)
        .fails(1, "estimate: loop1: ");
    let mut files = dir.files();
    files.retain(|f| f.starts_with('.'));
    assert!(files.is_empty(), "temp files left: {files:?}");
}

#[test]
fn modes_come_from_the_umask_or_the_replaced_file() {
    let dir = Dir::new();
    dir.write("in.csv", TRACEPOINTS);
    let mode = |name: &str| std::fs::metadata(dir.path(name)).unwrap().mode() & 0o7777;
    for out in ["t.csv", "t.csv.bz2", "t.csv.gz"] {
        dir.sh(&format!("umask 077; estimate -o {out} in.csv")).ok();
        assert_eq!(mode(out), 0o600, "{out}: new under umask 077");
        dir.sh(&format!(
            "chmod 640 {out}; umask 000; estimate -o {out} in.csv"
        ))
        .ok();
        assert_eq!(mode(out), 0o640, "{out}: replaced");
        std::fs::remove_file(dir.path(out)).unwrap();
        dir.sh(&format!("umask 022; estimate -o {out} in.csv")).ok();
        assert_eq!(mode(out), 0o644, "{out}: new under umask 022");
    }
    if is_root() {
        // Root replacing another user's file keeps its owner.
        dir.sh("chown 65534:65534 t.csv && estimate -o t.csv in.csv")
            .ok();
        let meta = std::fs::metadata(dir.path("t.csv")).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    }
}

/// One rule for `-o` names in every filter: a table (`.csv`, `.tsv`, `.txt`, no extension),
/// maybe compressed (`.bz2`, `.gz`, `.zst`, `.xz`); any other extension is refused before
/// any input is read. `chart` writes figures: `.svg` or `.png`.
#[test]
fn names_of_formats_not_written_are_refused_before_reading() {
    let dir = Dir::new();
    for (name, args, _) in support::filters() {
        let (refused, why): (&[&str], &str) = if name == "chart" {
            (
                &["fig.eps", "fig.csv.bz2", "fig.jpg", "fig.svgz"],
                "chart writes SVG (.svg), PNG (.png) or PDF",
            )
        } else {
            (
                &[
                    "t.csv.lz4",
                    "t.zip",
                    "t.csv.bz",
                    "t.7z",
                    "t.csv.Z",
                    "t.parquet",
                    "t.json",
                    "t.xlsx",
                ],
                "-o writes CSV to a name ending in .csv, .tsv or .txt (or without an \
                 extension), compressed when it ends in .bz2 (bzip2), .gz (gzip), .zst (zstd) \
                 or .xz (xz)",
            )
        };
        for out in refused {
            // The input does not even exist: the name is refused first.
            let ext = out.rsplit('.').next().unwrap().to_lowercase();
            let mut with_o = args.to_vec();
            with_o.extend(["-o", out, "missing.csv"]);
            dir.run(name, &with_o, "").fails(
                2,
                &format!("{name}: -o {out}: cannot write .{ext} files; {why}"),
            );
        }
    }
    assert!(dir.files().is_empty());
}

/// Decompresses a file written by `-o`, by its extension, with the crates' own decoders.
fn decompress(path: &Path) -> String {
    use std::io::Read;
    let file = std::fs::File::open(path).unwrap();
    let mut reader: Box<dyn Read> = match path.extension().unwrap().to_str().unwrap() {
        "bz2" => Box::new(bzip2::read::MultiBzDecoder::new(file)),
        "gz" => Box::new(flate2::read::MultiGzDecoder::new(file)),
        "zst" => Box::new(zstd::stream::read::Decoder::new(file).unwrap()),
        _ => Box::new(liblzma::read::XzDecoder::new_multi_decoder(file)),
    };
    let mut text = String::new();
    reader.read_to_string(&mut text).unwrap();
    text
}

#[test]
fn every_compression_round_trips_through_every_filter() {
    let dir = Dir::new();
    // chart writes figures, not tables: its names are checked above.
    for (name, args, input) in support::filters().into_iter().filter(|f| f.0 != "chart") {
        let want = dir.run(name, args, input).ok();
        for ext in ["bz2", "gz", "zst", "xz"] {
            let out = format!("out.csv.{ext}");
            let mut with_o = args.to_vec();
            with_o.extend(["-o", &out]);
            dir.run(name, &with_o, input).ok();
            assert_eq!(decompress(&dir.path(&out)), want, "{name} -o {out}");
        }
    }
}

/// Without lbzip2, `-o *.bz2` compresses on every core in-process: the same table.
#[test]
fn bzip2_output_without_lbzip2() {
    let dir = Dir::new();
    let Some(path) = support::path_with_only(&dir, "bzip2") else {
        eprintln!("skipped: no bzip2 installed to build the PATH with");
        return;
    };
    let rows: String = (0..100_000)
        .map(|i| format!("2024-12-28 00:00:09+00:00,False,in,inv,{i}\n"))
        .collect();
    dir.write(
        "in.csv",
        format!("timestamp,ipv6,flow,msg_type,size\n{rows}"),
    );
    let want = dir.run("estimate", &["in.csv"], "").ok();
    let run = dir.sh(&format!(
        "PATH={} {} -o out.csv.bz2 in.csv",
        path.display(),
        bin("estimate").display()
    ));
    run.ok();
    assert_eq!(decompress(&dir.path("out.csv.bz2")), want);
}
