//! `bucket`: floors timestamps and aggregates by keys (see bucket/src/cli.rs).

fn main() -> std::process::ExitCode {
    common::cli::main::<bucket::cli::Args>()
}
