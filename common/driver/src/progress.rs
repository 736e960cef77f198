//! The progress line on stderr: tool, rows, bytes, rate, and for files a percentage and ETA.
//!
//! Drawn only by a filter that reads FILE arguments (not stdin) with stderr on a terminal and
//! no `-q`: in a pipeline only the first filter, the one reading the files, draws. Cleared on
//! every way out: the end, an error (before its message), a closed stdout (both by `Drop`),
//! and SIGTERM, SIGINT or SIGHUP ([`clear_on_signal`], from the signal thread).

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};

use indicatif::{
    HumanCount, ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressState, ProgressStyle,
};

/// Rows between updates: keeps the per-row cost at one increment and one compare.
const CHECK_EVERY: u64 = 1 << 16;

/// With every file's size known: how far through them, and when done.
const WITH_SIZE: &str = "{prefix}: {rows} rows, {decimal_bytes} of {decimal_total_bytes} \
                         ({percent}%), {decimal_bytes_per_sec}, ETA {eta}";
/// A FIFO or device among the files has no size.
const WITHOUT_SIZE: &str = "{prefix}: {rows} rows, {decimal_bytes}, {decimal_bytes_per_sec}";

/// The line on the terminal, for the signal thread to clear.
static SHOWN: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// The progress line of one run (nothing at all when it is not drawn).
#[derive(Debug)]
pub struct Progress {
    rows: u64,
    line: Option<Line>,
}

#[derive(Debug)]
struct Line {
    bar: ProgressBar,
    /// The rows as last shown, read by the bar's `{rows}` key when it draws.
    rows: Arc<AtomicU64>,
    /// [`codec::count::read_so_far`] when the run started.
    base: u64,
}

impl Progress {
    /// The line for `tool` reading `files`: drawn when stderr is a terminal, `quiet` is false,
    /// and there are FILE arguments, none of them `-` (stdin). The percentage and ETA need
    /// every file's size; a FIFO or device among them leaves them out.
    pub fn new(tool: &str, quiet: bool, files: &[PathBuf]) -> Progress {
        let reads_files = !files.is_empty() && !files.iter().any(|f| codec::is_stdin(f));
        if quiet || !reads_files || !io::stderr().is_terminal() {
            return Progress::hidden();
        }
        let total: Option<u64> = files
            .iter()
            .map(|f| {
                let meta = std::fs::metadata(f).ok()?;
                meta.is_file().then_some(meta.len())
            })
            .sum();
        let template = if total.is_some() {
            WITH_SIZE
        } else {
            WITHOUT_SIZE
        };
        let Ok(style) = ProgressStyle::with_template(template) else {
            return Progress::hidden();
        };
        let rows = Arc::new(AtomicU64::new(0));
        let shown = Arc::clone(&rows);
        let style = style.with_key(
            "rows",
            move |_: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{}", HumanCount(shown.load(Relaxed)));
            },
        );
        // Hidden by indicatif too when TERM is unset or `dumb`: no cursor control there.
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr())
            .with_style(style)
            .with_prefix(tool.to_owned())
            .with_finish(ProgressFinish::AndClear);
        *SHOWN.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar.clone());
        Progress {
            rows: 0,
            line: Some(Line {
                bar,
                rows,
                base: codec::count::read_so_far(),
            }),
        }
    }

    /// A progress that draws nothing (`-q`, stdin, no terminal, tests).
    pub fn hidden() -> Progress {
        Progress {
            rows: 0,
            line: None,
        }
    }

    /// True when the line is drawn.
    pub fn is_shown(&self) -> bool {
        self.line.is_some()
    }

    /// Counts one row; the line is updated every [`CHECK_EVERY`] rows. Rows are counted
    /// only for a line that is drawn: a hidden one costs a test a row, no count in memory.
    #[inline]
    pub fn row(&mut self) {
        if self.line.is_some() {
            self.rows += 1;
            if self.rows % CHECK_EVERY == 0 {
                self.update();
            }
        }
    }

    /// indicatif redraws at most 20 times a second, whatever the update rate.
    #[cold]
    fn update(&self) {
        if let Some(line) = &self.line {
            line.rows.store(self.rows, Relaxed);
            line.bar
                .set_position(codec::count::read_so_far().saturating_sub(line.base));
        }
    }

    /// Clears the line so that messages after it start clean. Also done when dropped, so
    /// that an error ending the run early is not printed onto the end of the line.
    pub fn finish(&mut self) {
        if let Some(line) = self.line.take() {
            line.bar.finish_and_clear();
            *SHOWN.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Clears the line, if one is drawn, for a process about to die of a signal. Once cleared,
/// the bar is finished: a draw racing with this from the row loop draws nothing.
pub(crate) fn clear_on_signal() {
    let shown = SHOWN.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(bar) = shown {
        bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_parse() {
        for template in [WITH_SIZE, WITHOUT_SIZE] {
            assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
        }
    }

    #[test]
    fn stdin_and_quiet_draw_nothing() {
        let files = [PathBuf::from("a.csv")];
        assert!(!Progress::new("t", true, &files).is_shown());
        assert!(!Progress::new("t", false, &[]).is_shown());
        let with_stdin = [PathBuf::from("a.csv"), PathBuf::from("-")];
        assert!(!Progress::new("t", false, &with_stdin).is_shown());
    }
}
