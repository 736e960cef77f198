//! `widen`: turns a long table wide, as pandas' pivot (see widen/src/cli.rs).

fn main() -> std::process::ExitCode {
    driver::cli::main::<widen::cli::Args>()
}
