//! Where a filter writes: stdout, or `-o FILE` written atomically (`.bz2` compressed).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::TempPath;

use crate::{Error, Result, Writer};

/// The byte sink under the CSV writer.
pub enum Sink {
    Stdout(io::Stdout),
    File(BufWriter<File>),
    Bzip2(bzip2::write::BzEncoder<BufWriter<File>>),
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Sink::Stdout(_) => "Sink::Stdout",
            Sink::File(_) => "Sink::File",
            Sink::Bzip2(_) => "Sink::Bzip2",
        })
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(w) => w.write(buf),
            Sink::File(w) => w.write(buf),
            Sink::Bzip2(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Sink::Stdout(w) => w.write_all(buf),
            Sink::File(w) => w.write_all(buf),
            Sink::Bzip2(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(w) => w.flush(),
            Sink::File(w) => w.flush(),
            Sink::Bzip2(w) => w.flush(),
        }
    }
}

/// An output in progress. Until [`Output::commit`] succeeds, `-o FILE` is untouched:
/// rows go to a hidden temp file beside it, which is removed if the filter fails.
#[derive(Debug)]
pub struct Output {
    pub writer: Writer<Sink>,
    name: String,
    pending: Option<(TempPath, PathBuf)>,
}

impl Output {
    /// Opens stdout (`None` or `-`) or a temp file for `path`.
    pub fn open(path: Option<&Path>) -> Result<Output> {
        let Some(path) = path.filter(|p| !crate::input::is_stdin(p)) else {
            return Ok(Output {
                writer: Writer::new(Sink::Stdout(io::stdout())),
                name: "stdout".into(),
                pending: None,
            });
        };
        let name = path.display().to_string();
        let fail = |e: io::Error| Error::io(e).file(Some(&name));
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                return Err(fail(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "is a directory; -o takes a file name",
                )));
            }
            // A device, FIFO or terminal (`-o /dev/null`, `-o /dev/stdout`) is written as it
            // is: renaming a temp file onto it would replace the device node, as root.
            Ok(meta) if !meta.is_file() => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(fail)?;
                return Ok(Output {
                    writer: Writer::new(sink(path, BufWriter::with_capacity(1 << 16, file))),
                    name,
                    pending: None,
                });
            }
            _ => {}
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let file_name = path.file_name().map_or_else(
            || std::borrow::Cow::Borrowed("output"),
            |n| n.to_string_lossy(),
        );
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{file_name}."))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(fail)?;
        let (file, temp_path) = temp.into_parts();
        crate::signals::track(Some(temp_path.to_path_buf()));
        let file = BufWriter::with_capacity(1 << 16, file);
        Ok(Output {
            writer: Writer::new(sink(path, file)),
            name,
            pending: Some((temp_path, path.to_path_buf())),
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

    /// Flushes everything and, for `-o`, moves the finished file into place.
    pub fn commit(self) -> Result<()> {
        let name = self.name;
        let fail = |e: io::Error| Error::io(e).file(Some(&name));
        let sink = self.writer.into_inner().map_err(fail)?;
        let file = match sink {
            Sink::Stdout(mut w) => return w.flush().map_err(fail),
            Sink::File(w) => w,
            Sink::Bzip2(w) => w.finish().map_err(fail)?,
        };
        let file = file.into_inner().map_err(|e| fail(e.into_error()))?;
        if let Some((temp, target)) = self.pending {
            file.sync_all().map_err(fail)?;
            set_readable(&file).map_err(fail)?;
            temp.persist(&target).map_err(|e| fail(e.error))?;
            crate::signals::track(None);
        }
        Ok(())
    }
}

/// The sink for `path`: bzip2-compressed when its name ends in `.bz2`.
fn sink(path: &Path, file: BufWriter<File>) -> Sink {
    if path.extension().is_some_and(|e| e == "bz2") {
        // Level 9, as Python's bz2 module and pandas write it.
        Sink::Bzip2(bzip2::write::BzEncoder::new(
            file,
            bzip2::Compression::best(),
        ))
    } else {
        Sink::File(file)
    }
}

#[cfg(unix)]
fn set_readable(file: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // Temp files are created 0600; a finished table is an ordinary file.
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_readable(_: &File) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;

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
        let path = dir.path().join("out.csv");
        let mut out = Output::open(Some(&path)).unwrap();
        out.writer.record([&b"a"[..]]).unwrap();
        drop(out);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
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

    #[test]
    fn bz2_name_compresses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv.bz2");
        let mut out = Output::open(Some(&path)).unwrap();
        out.writer.record([&b"x"[..], b"1"]).unwrap();
        out.commit().unwrap();
        let mut text = String::new();
        bzip2::read::BzDecoder::new(File::open(&path).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "x,1\n");
    }
}
