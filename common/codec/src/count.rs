//! Bytes read from the inputs as stored (for a compressed file, its compressed bytes), on
//! whichever thread reads them: what a progress line counts.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

static RAW_READ: AtomicU64 = AtomicU64::new(0);

/// The bytes read as stored so far, by every input of the process.
pub fn read_so_far() -> u64 {
    RAW_READ.load(Relaxed)
}

/// Counts `n` bytes read as stored.
pub(crate) fn add(n: u64) {
    RAW_READ.fetch_add(n, Relaxed);
}

/// A file as stored, counting the bytes read from it.
#[derive(Debug)]
pub struct Counted<R>(pub R);

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        add(n as u64);
        Ok(n)
    }
}
