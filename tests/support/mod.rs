//! Shared test harness: runs the real binaries in a private temp dir and explains failures.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test
#![allow(dead_code)] // each test crate uses a different part of it

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub use driver::cli::FILTERS;
#[allow(unused_imports)] // each test crate uses a different part
pub use tools::{filters, sample, transform, HOURLY, LONG, SYSTEMD, TRACEPOINTS};

#[path = "tools.rs"]
mod tools;

/// The path of one of the package's binaries (a name in [`FILTERS`]).
pub fn bin(name: &str) -> PathBuf {
    assert!(
        FILTERS.contains(&name),
        "{name} is not in driver::cli::FILTERS"
    );
    bin_dir().join(name)
}

/// The folder of the binaries under test: the test executable runs from its `deps/`.
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

/// A file of the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// `../shared/upstream/NAME` when present. Absent outside CI: print why and return None;
/// absent in CI: fail, since CI always has it.
pub fn upstream(name: &str) -> Option<PathBuf> {
    let path = repo("../shared/upstream").join(name);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing, and CI always has ../shared",
        path.display()
    );
    eprintln!("skipped: {} is absent (not in CI)", path.display());
    None
}

/// What one run of a binary did.
pub struct Run {
    pub command: String,
    pub status: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let out = String::from_utf8_lossy(&self.stdout);
        let out: String = out.chars().take(3000).collect();
        write!(
            f,
            "\n command: {}\n status: {:?}\n stdout:\n{}\n stderr:\n{}",
            self.command, self.status, out, self.stderr
        )
    }
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Asserts exit 0 and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> String {
        assert_eq!(self.status, Some(0), "{self:?}");
        self.stdout()
    }

    /// Asserts a failure with this status and a stderr containing `message`.
    #[track_caller]
    pub fn fails(&self, status: i32, message: &str) {
        assert_eq!(self.status, Some(status), "{self:?}");
        assert!(
            self.stderr.contains(message),
            "want {message:?} in stderr{self:?}"
        );
    }
}

/// A private working directory for a test.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    pub fn write(&self, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, data).unwrap();
        path
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    /// The names of the files in the directory, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Runs binary `name` with `args` in this directory, feeding it `stdin`.
    pub fn run(&self, name: &str, args: &[&str], stdin: impl AsRef<[u8]>) -> Run {
        let mut cmd = Command::new(bin(name));
        cmd.args(args)
            .current_dir(self.tmp.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut pipe = child.stdin.take().unwrap();
        let input = stdin.as_ref().to_vec();
        // A filter may stop reading early (an error); that is not the test's failure.
        let feeder = std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
        let out = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        Run {
            command: format!("{name} {}", args.join(" ")),
            status: out.status.code(),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs a bash command line in this directory, with the binaries on PATH.
    pub fn sh(&self, script: &str) -> Run {
        let path = format!(
            "{}:{}",
            bin_dir().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("bash")
            .args(["-c", script])
            .current_dir(self.tmp.path())
            .env("PATH", path)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Run {
            command: script.to_owned(),
            status: out.status.code(),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The four tables of the notebook, as scripts/aggregate.sh names them (plus `.csv.bz2`).
pub const TABLES: [&str; 4] = [
    "data_est_hourly",
    "data_est_daily",
    "data_emp_hourly",
    "data_emp_daily",
];

/// The command line that runs `scripts/NAME` with the test build of the filters.
pub fn script_command(name: &str) -> String {
    format!(
        "NETAGG_BIN={} {}",
        bin_dir().display(),
        repo(&format!("scripts/{name}")).display()
    )
}

/// Runs `scripts/NAME ARGS` in `dir` with the test build of the filters.
pub fn script(dir: &Dir, name: &str, args: &str) -> Run {
    dir.sh(&format!("{} {args}", script_command(name)))
}

/// A folder of links to every program on PATH except the bzip2 decoders other than `keep`,
/// so that the script picks `keep`.
pub fn path_with_only(dir: &Dir, keep: &str) -> Option<PathBuf> {
    let decoders = ["lbzip2", "pbzip2", "bzip2"];
    let shims = dir.path(&format!("path-{keep}"));
    std::fs::create_dir(&shims).unwrap();
    let mut found = false;
    for folder in std::env::split_paths(&std::env::var_os("PATH")?) {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if decoders.contains(&name.as_ref()) && name != keep {
                continue;
            }
            found |= name == keep;
            // The first folder on PATH wins, as for the shell.
            let _ = std::os::unix::fs::symlink(entry.path(), shims.join(name.as_ref()));
        }
    }
    found.then_some(shims)
}

/// Each installed bzip2 decoder, with a PATH (see [`path_with_only`]) that holds only it;
/// the ones not installed are named as skipped.
pub fn installed_decoders(dir: &Dir) -> Vec<(&'static str, PathBuf)> {
    let mut found = Vec::new();
    for decoder in ["lbzip2", "pbzip2", "bzip2"] {
        match path_with_only(dir, decoder) {
            Some(path) => found.push((decoder, path)),
            None => eprintln!("skipped {decoder}: not installed"),
        }
    }
    found
}

/// bzip2-compresses `data` (one stream).
pub fn bz2(data: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Decompresses a (multi-stream) bzip2 file.
pub fn bunzip2(path: &Path) -> String {
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut bzip2::read::MultiBzDecoder::new(std::fs::File::open(path).unwrap()),
        &mut text,
    )
    .unwrap();
    text
}

/// The text of a repository file.
pub fn read_repo(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap()
}
