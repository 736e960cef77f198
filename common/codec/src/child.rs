//! Child processes a filter runs (lbzip2): killed and reaped on every way out, so that none
//! outlives the filter or lingers as a zombie.
//!
//! A child is killed when its owner drops it (an error, a closed stdout) and, through
//! [`kill_all`] (which the driver's signal handler calls), when SIGTERM, SIGINT or SIGHUP
//! stops the filter. Only SIGKILL of the filter leaves a child running: it then dies of a
//! broken pipe at its next write.

use std::io;
use std::process::{ChildStdin, ChildStdout, Command, ExitStatus};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The children running now, for the signal handler to kill.
static RUNNING: Mutex<Vec<Arc<Mutex<std::process::Child>>>> = Mutex::new(Vec::new());

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running child process.
#[derive(Debug)]
pub struct Child {
    child: Arc<Mutex<std::process::Child>>,
}

impl Child {
    /// Starts `command`; the error is `NotFound` when the program is not installed.
    pub fn spawn(command: &mut Command) -> io::Result<Child> {
        // Registered before a signal can see it missing: the handler waits for this lock.
        let mut running = lock(&RUNNING);
        let child = Arc::new(Mutex::new(command.spawn()?));
        running.push(Arc::clone(&child));
        Ok(Child { child })
    }

    pub fn take_stdin(&mut self) -> Option<ChildStdin> {
        lock(&self.child).stdin.take()
    }

    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        lock(&self.child).stdout.take()
    }

    /// Waits for the child to end by itself (its output read to the end, its input closed).
    pub fn wait(self) -> io::Result<ExitStatus> {
        let status = lock(&self.child).wait();
        status
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        {
            let mut child = lock(&self.child);
            // Nothing is sent to a child already reaped.
            let _ = child.kill();
            let _ = child.wait();
        }
        lock(&RUNNING).retain(|c| !Arc::ptr_eq(c, &self.child));
    }
}

/// Kills and reaps every running child: the process is about to die of a signal.
pub fn kill_all() {
    for child in lock(&RUNNING).iter() {
        let mut child = lock(child);
        let _ = child.kill();
        let _ = child.wait();
    }
}
