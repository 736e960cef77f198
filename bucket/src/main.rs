//! `bucket`: floors timestamps and aggregates by keys (see bucket/src/cli.rs).

fn main() -> std::process::ExitCode {
    driver::cli::main::<bucket::cli::Args>()
}
