//! Where a filter writes: stdout, or `-o FILE` written atomically and compressed by its name
//! (`.bz2`, `.gz`, `.zst`, `.xz`), without ever harming another file.

use std::fs::{File, Metadata};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use codec::compress::{Compression, Compressor};
use error::{Error, Result};
use table::Writer;
use tempfile::TempPath;

/// The temp file of the `-o` output in progress, if any, for a signal handler to remove.
static TEMP: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Records the temp file to remove if a signal stops the process (`None` once it is gone).
fn track(path: Option<PathBuf>) {
    *TEMP.lock().unwrap_or_else(PoisonError::into_inner) = path;
}

/// Removes the temp file of the output in progress: the process is about to die of a signal.
/// A signal during the final rename is harmless: either the rename came first and the
/// finished file is in place, or the temp file is gone first and the rename fails.
pub fn remove_unfinished() {
    let temp = TEMP.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(path) = temp {
        let _ = std::fs::remove_file(path);
    }
}

/// Extensions of a table written as plain CSV; a name without an extension is one too.
const TABLES: [&str; 3] = ["csv", "tsv", "txt"];

/// What `-o PATH` writes, by the name's last extension: a compressed table for `.bz2`, `.gz`,
/// `.zst` and `.xz`; plain CSV for `.csv`, `.tsv`, `.txt` or no extension; any other
/// extension (`.parquet`, `.json`, `.lz4`, `.zip`, ...) is a usage error, since plain CSV
/// under such a name would be misread later. One rule for every filter.
pub fn compression_for(path: &Path) -> Result<Option<Compression>> {
    let Some(ext) = path.extension().map(|e| e.to_string_lossy().to_lowercase()) else {
        return Ok(None);
    };
    if let Some(compression) = Compression::for_extension(&ext) {
        return Ok(Some(compression));
    }
    if TABLES.iter().any(|t| t.eq_ignore_ascii_case(&ext)) {
        return Ok(None);
    }
    Err(Error::usage(format!(
        "-o {}: cannot write .{ext} files; -o writes CSV to a name ending in .csv, .tsv or \
         .txt (or without an extension), compressed when it ends in .bz2 (bzip2), .gz (gzip), \
         .zst (zstd) or .xz (xz)",
        path.display()
    )))
}

/// The byte sink under the CSV writer.
#[derive(Debug)]
pub enum Sink {
    Stdout(io::Stdout),
    File(BufWriter<File>),
    Compressed(Compressor),
}

impl Sink {
    fn inner(&mut self) -> &mut dyn Write {
        match self {
            Sink::Stdout(w) => w,
            Sink::File(w) => w,
            Sink::Compressed(w) => w,
        }
    }

    /// Ends the compressed stream and returns the file under it (none for stdout).
    fn finish(self) -> io::Result<Option<BufWriter<File>>> {
        Ok(Some(match self {
            Sink::Stdout(mut w) => {
                w.flush()?;
                return Ok(None);
            }
            Sink::File(w) => w,
            Sink::Compressed(w) => w.finish()?,
        }))
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner().write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner().flush()
    }
}

/// The file a finished `-o` output replaces or becomes, and the old file's metadata.
#[derive(Debug)]
struct Pending {
    temp: TempPath,
    target: PathBuf,
    old: Option<Metadata>,
}

/// An output in progress. Until [`Output::commit`] succeeds, `-o FILE` is untouched:
/// rows go to a hidden temp file beside it, which is removed if the filter fails.
#[derive(Debug)]
pub struct Output {
    pub writer: Writer<Sink>,
    name: String,
    pending: Option<Pending>,
}

/// Where `-o PATH` leads once its symlinks are followed.
#[derive(Debug)]
enum Target {
    /// A regular file (or none yet) at this path: replaced atomically.
    File(PathBuf, Option<Metadata>),
    /// A device, FIFO or socket, or an open file named through /proc (`/dev/stdout`,
    /// `/proc/self/fd/N`): written in place, never renamed over.
    InPlace(PathBuf),
    /// This process's stdout or stderr (`/dev/stdout`, `/dev/fd/2`, ...): written through it.
    Own(File),
}

/// Follows `path`'s symlinks (relative ones from the folder of the link) to what `-o` writes.
fn resolve(path: &Path) -> io::Result<Target> {
    // Symlinks in /proc (`/proc/self/fd/1`) name open files, not paths to rename onto.
    let procfs = std::fs::symlink_metadata("/proc/self")
        .ok()
        .map(|m| m.dev());
    let mut at = path.to_path_buf();
    // Linux's own limit on links followed.
    for _ in 0..40 {
        let meta = match std::fs::symlink_metadata(&at) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::File(at, None)),
            Err(e) => return Err(e),
            Ok(meta) => meta,
        };
        let kind = meta.file_type();
        if kind.is_symlink() && Some(meta.dev()) == procfs {
            return Ok(own_stream(&at)?.map_or(Target::InPlace(at), Target::Own));
        }
        if kind.is_symlink() {
            let link = std::fs::read_link(&at)?;
            at = match at.parent() {
                Some(folder) if link.is_relative() => folder.join(link),
                _ => link,
            };
            continue;
        }
        if kind.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory; -o takes a file name",
            ));
        }
        if kind.is_file() {
            return Ok(Target::File(at, Some(meta)));
        }
        return Ok(Target::InPlace(at));
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "too many levels of symbolic links",
    ))
}

/// A duplicate of this process's stdout or stderr when `link` (in /proc) names one of them.
/// Written through, the output shares its offset and mode (`>>` appends), as a shell's
/// `> /dev/stdout` does; opening the file anew would start at its first byte.
fn own_stream(link: &Path) -> io::Result<Option<File>> {
    use std::os::fd::AsFd;
    let (Some(folder), Some(fd)) = (link.parent(), link.file_name()) else {
        return Ok(None);
    };
    let ours = std::fs::canonicalize("/proc/self/fd").ok();
    if ours.is_none() || std::fs::canonicalize(folder).ok() != ours {
        return Ok(None);
    }
    let fd = if fd == "1" {
        io::stdout().as_fd().try_clone_to_owned()?
    } else if fd == "2" {
        io::stderr().as_fd().try_clone_to_owned()?
    } else {
        return Ok(None);
    };
    Ok(Some(File::from(fd)))
}

impl Output {
    /// Opens stdout (`None` or `-`) or a temp file for `path`.
    ///
    /// `-o` onto a symlink writes its final target (the temp file is made beside the target
    /// and renamed onto it; the links stay links). A device, FIFO, or an open file named
    /// through /proc (`/dev/stdout`) is written in place: a regular file reached that way
    /// is appended to, never truncated. A new file gets the mode that the umask gives any
    /// new file (as `cp` and `sed -i` do); a replaced file keeps its mode and, where
    /// allowed, its owner.
    ///
    /// The name decides the compression ([`compression_for`]); one of another format is a
    /// usage error.
    pub fn open(path: Option<&Path>) -> Result<Output> {
        let compression = match path {
            Some(path) if !codec::is_stdin(path) => compression_for(path)?,
            _ => None,
        };
        Output::open_as(path, compression)
    }

    /// [`Output::open`] for bytes of a format the caller chose from the name (a figure),
    /// compressed as `compression` says.
    pub fn open_as(path: Option<&Path>, compression: Option<Compression>) -> Result<Output> {
        let Some(path) = path.filter(|p| !codec::is_stdin(p)) else {
            codec::pipe::widen(io::stdout());
            return Ok(Output {
                writer: Writer::new(Sink::Stdout(io::stdout())),
                name: "stdout".into(),
                pending: None,
            });
        };
        let name = path.display().to_string();
        let fail = |e: io::Error| Error::io(e).file(Some(&name));
        let in_place = |file: File| -> Result<Output> {
            let file = BufWriter::with_capacity(1 << 16, file);
            Ok(Output {
                writer: Writer::new(sink(compression, file).map_err(fail)?),
                name: name.clone(),
                pending: None,
            })
        };
        let (target, old) = match resolve(path).map_err(fail)? {
            Target::Own(file) => return in_place(file),
            Target::InPlace(at) => {
                let regular = std::fs::metadata(&at).is_ok_and(|m| m.is_file());
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .append(regular)
                    .open(&at)
                    .map_err(fail)?;
                return in_place(file);
            }
            Target::File(at, old) => (at, old),
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let file_name = target.file_name().map_or_else(
            || std::borrow::Cow::Borrowed("output"),
            |n| n.to_string_lossy(),
        );
        // Created with the mode the file will have (the umask applies, as to any new file),
        // or less: nobody can read more of the temp file than of the finished one.
        let mode = old.as_ref().map_or(0o666, |m| m.mode() & 0o777);
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{file_name}."))
            .suffix(".tmp")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))
            .tempfile_in(dir)
            .map_err(fail)?;
        let (file, temp) = temp.into_parts();
        track(Some(temp.to_path_buf()));
        let file = BufWriter::with_capacity(1 << 16, file);
        Ok(Output {
            writer: Writer::new(sink(compression, file).map_err(fail)?),
            name,
            pending: Some(Pending { temp, target, old }),
        })
    }

    /// Writes `bytes` as they are (a figure, not CSV rows); [`Output::commit`] finishes it.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        let name = &self.name;
        self.writer
            .write_raw(bytes)
            .map_err(|e| Error::io(e).file(Some(name)))
    }

    /// What write errors should be attributed to.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether someone may be reading the output as it is written (stdout, a FIFO, a
    /// device), so that rows are worth passing on before waiting for input. A `-o` file is
    /// seen only when it is complete: flushing it early would only cost (a compressed
    /// stream's flush ends a block).
    pub fn is_live(&self) -> bool {
        self.pending.is_none()
    }

    /// Flushes everything and, for `-o`, moves the finished file into place.
    pub fn commit(self) -> Result<()> {
        let name = self.name;
        let fail = |e: io::Error| Error::io(e).file(Some(&name));
        let sink = self.writer.into_inner().map_err(fail)?;
        let Some(file) = sink.finish().map_err(fail)? else {
            return Ok(());
        };
        let file = file.into_inner().map_err(|e| fail(e.into_error()))?;
        if let Some(Pending { temp, target, old }) = self.pending {
            file.sync_all().map_err(fail)?;
            if let Some(old) = old {
                keep_owner_and_mode(&file, &old).map_err(fail)?;
            }
            temp.persist(&target).map_err(|e| fail(e.error))?;
            track(None);
        }
        Ok(())
    }
}

/// Gives the new file the replaced file's owner (where allowed: root, or a group of one's
/// own, as `sed -i` tries) and then its mode (a change of owner clears set-id bits).
fn keep_owner_and_mode(file: &File, old: &Metadata) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let now = file.metadata()?;
    if (now.uid(), now.gid()) != (old.uid(), old.gid())
        && std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())).is_err()
    {
        let _ = std::os::unix::fs::fchown(file, None, Some(old.gid()));
    }
    file.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o7777))
}

/// The sink that compresses as `compression` says into `file`.
fn sink(compression: Option<Compression>, file: BufWriter<File>) -> io::Result<Sink> {
    Ok(match compression {
        None => Sink::File(file),
        Some(c) => Sink::Compressed(c.writer(file)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    use std::path::PathBuf;

    fn write_table(path: &Path, rows: &[&[u8]]) -> Result<()> {
        let mut out = Output::open(Some(path))?;
        for row in rows {
            out.writer.record([*row])?;
        }
        out.commit()
    }

    #[test]
    fn nothing_appears_until_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut out = Output::open(Some(&path)).unwrap();
        out.writer.record([&b"a"[..], b"b"]).unwrap();
        out.writer.flush().unwrap();
        assert!(!path.exists());
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn dropped_output_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["out.csv", "out.csv.bz2"] {
            let path = dir.path().join(name);
            let mut out = Output::open(Some(&path)).unwrap();
            for _ in 0..100_000 {
                out.writer.record([&b"a,b,c,d,e,f,g"[..]]).unwrap();
            }
            drop(out);
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        }
    }

    #[test]
    fn a_device_is_written_in_place() {
        let mut out = Output::open(Some(Path::new("/dev/null"))).unwrap();
        out.writer.record([&b"a"[..]]).unwrap();
        out.commit().unwrap();
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
        let dir = tempfile::tempdir().unwrap();
        let err = Output::open(Some(dir.path())).unwrap_err().to_string();
        assert!(
            err.ends_with(": is a directory; -o takes a file name"),
            "{err}"
        );
    }

    fn decompress(path: &Path) -> String {
        let file = File::open(path).unwrap();
        let mut text = String::new();
        let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
        let mut reader: Box<dyn Read> = match ext.as_deref() {
            Some("bz2") => Box::new(bzip2::read::MultiBzDecoder::new(file)),
            Some("gz") => Box::new(flate2::read::MultiGzDecoder::new(file)),
            Some("zst") => Box::new(zstd::stream::read::Decoder::new(file).unwrap()),
            Some("xz") => Box::new(liblzma::read::XzDecoder::new_multi_decoder(file)),
            _ => Box::new(file),
        };
        reader.read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn names_compress_as_their_extension_says() {
        let dir = tempfile::tempdir().unwrap();
        let rows: Vec<String> = (0..300_000).map(|i| format!("{i}:{}", i % 7)).collect();
        let rows: Vec<&[u8]> = rows.iter().map(|r| r.as_bytes()).collect();
        let want: String = rows
            .iter()
            .map(|r| format!("{}\n", String::from_utf8_lossy(r)))
            .collect();
        for name in ["t.csv.bz2", "t.csv.gz", "t.csv.zst", "t.csv.xz", "T.CSV.GZ"] {
            let path = dir.path().join(name);
            write_table(&path, &rows).unwrap();
            assert_eq!(decompress(&path), want, "{name}");
            assert!(
                std::fs::metadata(&path).unwrap().len() < want.len() as u64 / 2,
                "{name}"
            );
            if name.ends_with(".bz2") {
                // Several pieces give several streams, as lbzip2 writes.
                assert!(std::fs::read(&path).unwrap().starts_with(b"BZh9"));
            }
            // An empty table is still a valid file.
            write_table(&path, &[]).unwrap();
            assert_eq!(decompress(&path), "", "{name}");
        }
    }

    #[test]
    fn names_of_other_formats_are_usage_errors() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "t.csv.lz4",
            "t.zip",
            "t.csv.bz",
            "t.7z",
            "t.csv.Z",
            "t.tgz",
            "t.zstd",
            "t.parquet",
            "t.json",
            "t.xlsx",
            "t.pdf",
            "t.csv.bak",
        ] {
            let err = Output::open(Some(&dir.path().join(name))).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{name}");
            assert!(
                err.to_string().contains(".bz2 (bzip2), .gz (gzip)"),
                "{err}"
            );
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        for name in ["t.csv", "t.tsv", "t.TXT", "table", ".hidden", "t.CSV.GZ"] {
            write_table(&dir.path().join(name), &[b"x"]).unwrap();
        }
    }

    #[test]
    fn new_files_follow_the_umask_and_replaced_files_keep_their_mode() {
        let dir = tempfile::tempdir().unwrap();
        // The umask this process runs with, as any new file shows it.
        let probe = dir.path().join("probe");
        File::create(&probe).unwrap();
        let default = std::fs::metadata(&probe).unwrap().mode() & 0o777;
        for name in ["new.csv", "new.csv.bz2"] {
            let path = dir.path().join(name);
            write_table(&path, &[b"x"]).unwrap();
            assert_eq!(
                std::fs::metadata(&path).unwrap().mode() & 0o777,
                default,
                "{name}"
            );
            for mode in [0o600, 0o640, 0o755, 0o444] {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
                write_table(&path, &[b"y"]).unwrap();
                assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o7777, mode);
            }
        }
    }

    /// The folders of a property case, below its root: links and targets go into these.
    const FOLDERS: [&str; 3] = ["a", "b", "b/sub"];

    /// What a folder tree holds: each path (below the root) with its link text or contents.
    fn snapshot(root: &Path) -> std::collections::BTreeMap<PathBuf, String> {
        let mut seen = std::collections::BTreeMap::new();
        let mut todo = vec![root.to_path_buf()];
        while let Some(folder) = todo.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                let meta = std::fs::symlink_metadata(&path).unwrap();
                let what = if meta.is_symlink() {
                    format!("link to {}", std::fs::read_link(&path).unwrap().display())
                } else if meta.is_dir() {
                    todo.push(path.clone());
                    "folder".into()
                } else if meta.file_type().is_fifo() {
                    "fifo".into()
                } else {
                    format!(
                        "{:o} {}",
                        meta.mode() & 0o777,
                        std::fs::read_to_string(&path).unwrap()
                    )
                };
                seen.insert(path.strip_prefix(root).unwrap().to_path_buf(), what);
            }
        }
        seen
    }

    /// `to` (below the root) as seen from `from_folder` (below the root).
    fn relative(from_folder: &str, to: &Path) -> PathBuf {
        let mut path = PathBuf::new();
        for _ in Path::new(from_folder).components() {
            path.push("..");
        }
        path.join(to)
    }

    /// Where the chain ends.
    #[derive(Debug, Clone, Copy)]
    enum End {
        NewFile,
        OldFile(u32),
        Fifo,
        DevNull,
    }

    fn end() -> impl proptest::strategy::Strategy<Value = End> {
        use proptest::prelude::*;
        prop_oneof![
            Just(End::NewFile),
            (0o400u32..0o777).prop_map(End::OldFile),
            Just(End::Fifo),
            Just(End::DevNull),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// -o through any chain of symlinks (relative or absolute, across folders) writes the
        /// table into the chain's end: a regular file replaced (its mode kept) or created, a
        /// FIFO or /dev/null written in place; the links stay as they were, nothing else in
        /// the folders changes, and no temp file is left.
        #[test]
        fn symlink_chains_lead_to_their_end(
            links in proptest::collection::vec((0..FOLDERS.len(), proptest::bool::ANY), 0..5),
            end_folder in 0..FOLDERS.len(),
            end in end(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            for folder in FOLDERS {
                std::fs::create_dir_all(root.join(folder)).unwrap();
                std::fs::write(root.join(folder).join("bystander.csv"), "keep\n").unwrap();
            }
            // The chain's end, then the links to it, last to first.
            let mut next = Path::new(FOLDERS[end_folder]).join("target.csv");
            match end {
                End::NewFile => {}
                End::OldFile(mode) => {
                    std::fs::write(root.join(&next), "old\n").unwrap();
                    std::fs::set_permissions(root.join(&next), PermissionsExt::from_mode(mode))
                        .unwrap();
                }
                End::Fifo => {
                    let status = std::process::Command::new("mkfifo")
                        .arg(root.join(&next))
                        .status()
                        .unwrap();
                    assert!(status.success());
                }
                End::DevNull => next = PathBuf::from("/dev/null"),
            }
            for (i, &(folder, relative_link)) in links.iter().enumerate().rev() {
                let link = Path::new(FOLDERS[folder]).join(format!("link{i}.csv"));
                let text = if next.is_absolute() || !relative_link {
                    root.join(&next)
                } else {
                    relative(FOLDERS[folder], &next)
                };
                std::os::unix::fs::symlink(&text, root.join(&link)).unwrap();
                next = link;
            }
            let before = snapshot(root);
            let reader = matches!(end, End::Fifo).then(|| {
                let fifo = root.join(FOLDERS[end_folder]).join("target.csv");
                std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
            });
            write_table(&root.join(&next), &[b"x", b"y"]).unwrap();
            let got = reader.map(|r| r.join().unwrap());
            let mut after = snapshot(root);
            let target = Path::new(FOLDERS[end_folder]).join("target.csv");
            match end {
                End::NewFile => {
                    let default = 0o666 & !umask(root);
                    let made = after.remove(&target).unwrap();
                    proptest::prop_assert_eq!(made, format!("{default:o} x\ny\n"));
                }
                End::OldFile(mode) => {
                    let replaced = after.insert(target.clone(), before[&target].clone()).unwrap();
                    proptest::prop_assert_eq!(replaced, format!("{mode:o} x\ny\n"));
                }
                End::Fifo => proptest::prop_assert_eq!(got.as_deref(), Some("x\ny\n")),
                End::DevNull => {}
            }
            proptest::prop_assert_eq!(after, before);
        }
    }

    /// The umask, as a new file in `folder` shows it.
    fn umask(folder: &Path) -> u32 {
        let probe = folder.join(".probe");
        File::create(&probe).unwrap();
        let mode = std::fs::metadata(&probe).unwrap().mode();
        std::fs::remove_file(probe).unwrap();
        0o666 & !mode & 0o777
    }
}
