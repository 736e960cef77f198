//! `pivot`: melts value columns into key/value rows (see pivot/src/cli.rs).

fn main() -> std::process::ExitCode {
    driver::cli::main::<pivot::cli::Args>()
}
