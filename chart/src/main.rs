//! `chart`: draws figures from the tables (see chart/src/cli.rs).

fn main() -> std::process::ExitCode {
    driver::cli::main_program::<chart::cli::Args>()
}
