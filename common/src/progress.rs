//! A progress line (rows, MB, MB/s) on stderr, only when stderr is a terminal.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Rows between clock reads: keeps the per-row cost at one increment and one compare.
const CHECK_EVERY: u64 = 1 << 16;
const REDRAW: Duration = Duration::from_millis(250);

#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    start: Instant,
    last: Instant,
    rows: u64,
    drawn: bool,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        let now = Instant::now();
        Progress {
            enabled: !quiet && std::io::stderr().is_terminal(),
            start: now,
            last: now,
            rows: 0,
            drawn: false,
        }
    }

    /// Counts one row; `bytes` (input bytes so far) is only evaluated now and then.
    #[inline]
    pub fn row(&mut self, bytes: impl FnOnce() -> u64) {
        self.rows += 1;
        if self.enabled && self.rows % CHECK_EVERY == 0 {
            self.draw(bytes());
        }
    }

    #[cold]
    fn draw(&mut self, bytes: u64) {
        let now = Instant::now();
        if now.duration_since(self.last) < REDRAW {
            return;
        }
        self.last = now;
        #[allow(clippy::cast_precision_loss)] // a display figure
        let mb = bytes as f64 / 1e6;
        let secs = now.duration_since(self.start).as_secs_f64().max(1e-9);
        let _ = write!(
            std::io::stderr(),
            "\r{} rows, {mb:.1} MB, {:.1} MB/s   ",
            self.rows,
            mb / secs
        );
        self.drawn = true;
    }

    /// Clears the line so that messages after it start clean. Also done when dropped, so
    /// that an error ending the run early is not printed onto the end of the line.
    pub fn finish(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
            self.drawn = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
