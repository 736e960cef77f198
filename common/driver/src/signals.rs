//! Signals that would otherwise leave a mess: a stopped filter must not leave its `-o` temp
//! file or its progress line behind, and a file size limit (`ulimit -f`) must be an error
//! message, not a silent death.
//!
//! SIGKILL cannot be caught: after `kill -9` the hidden `.NAME.XXXXXX.tmp` beside the target
//! stays (the target itself is still untouched).

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGXFSZ};

/// Makes SIGXFSZ fail the write (EFBIG: "File too large") instead of killing the process.
pub fn catch_file_size_limit() -> std::io::Result<()> {
    signal_hook::flag::register(SIGXFSZ, Arc::new(AtomicBool::new(false)))?;
    Ok(())
}

/// On SIGTERM, SIGINT or SIGHUP, kills the child processes (lbzip2), removes the `-o` temp
/// file and clears the progress line, then dies of the signal, as the process would have
/// without this (so a calling shell sees the signal). Called again, it does nothing more.
pub fn clean_up_on_termination() -> std::io::Result<()> {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| install().map_err(|e| e.to_string()))
        .clone()
        .map_err(std::io::Error::other)
}

fn install() -> std::io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                codec::child::kill_all();
                output::remove_unfinished();
                crate::progress::clear_on_signal();
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}
