//! `increase`: cumulative counters to per-row increments (see increase/src/cli.rs).

fn main() -> std::process::ExitCode {
    driver::cli::main::<increase::cli::Args>()
}
