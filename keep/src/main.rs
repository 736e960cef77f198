//! `keep`: keeps, orders and renames columns by name (see keep/src/cli.rs).

fn main() -> std::process::ExitCode {
    driver::cli::main::<keep::cli::Args>()
}
