//! `pivot`: melts value columns into key/value rows (see pivot/src/cli.rs).

fn main() -> std::process::ExitCode {
    common::cli::main::<pivot::cli::Args>()
}
