//! `estimate`: appends each P2P message's estimated TCP/IP bytes (see estimate/src/cli.rs).

fn main() -> std::process::ExitCode {
    driver::cli::main::<estimate::cli::Args>()
}
