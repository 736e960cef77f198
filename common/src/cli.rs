//! The command line every filter shares: its name and version, `--generate`, and the run.
//!
//! A filter's `main` is one line, `common::cli::main::<its::Args>()`: parsing, man pages,
//! completions, error reporting and exit codes all happen here, once.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command, Parser};
use clap_complete::Shell;

use crate::{Filter, IoArgs, Result};

/// The filters and commands this project builds, in the order the README presents them.
/// Every table of tests that applies to "each filter" iterates over this list; a test
/// checks it against the binaries that Cargo builds.
pub const FILTERS: &[&str] = &["estimate", "pivot", "bucket", "increase", "keep"];

/// A filter's command line: clap's parser plus how the parsed arguments become a filter.
pub trait Tool: Parser {
    /// The binary's name, as messages, `--version` and man pages show it.
    const NAME: &'static str;
    type Filter: Filter;

    /// The input/output arguments, and the filter built from the rest (or why not).
    fn into_parts(self) -> (IoArgs, Result<Self::Filter>);
}

/// What `--generate` can write, from the same clap definitions that parse the arguments.
const KINDS: [&str; 5] = [
    "man",
    "complete-bash",
    "complete-zsh",
    "complete-fish",
    "complete-powershell",
];

/// The tool's clap command, named for the tool (not the package) and with `--generate`.
pub fn command<T: Tool>() -> Command {
    T::command()
        .name(T::NAME)
        .bin_name(T::NAME)
        .version(env!("CARGO_PKG_VERSION"))
        .arg(
            Arg::new("generate")
                .long("generate")
                .value_name("KIND")
                .value_parser(KINDS)
                .action(ArgAction::Set)
                .exclusive(true)
                .help("Write a man page or a shell completion script to stdout, and exit")
                .long_help(
                    "Write a man page (man) or a completion script for bash, zsh, fish or \
                     PowerShell (complete-SHELL) to stdout, and exit. See the README for \
                     where to put them.",
                ),
        )
}

/// Parses the command line, runs the filter, and returns the exit status: 0 ok (or a
/// closed stdout), 1 data or I/O error, 2 usage.
pub fn main<T: Tool>() -> ExitCode {
    let matches = match command::<T>().try_get_matches() {
        Ok(m) => m,
        // --help and --version come here too; clap knows their status (0) and a usage
        // error's (2). A closed stdout while printing help is not worth a panic.
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    if let Some(kind) = matches.get_one::<String>("generate") {
        return match generate::<T>(kind, &mut io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                let _ = writeln!(io::stderr(), "{}: {e}", T::NAME);
                ExitCode::FAILURE
            }
        };
    }
    let args = match from_matches::<T>(&matches) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    let (io, filter) = args.into_parts();
    crate::run(T::NAME, &io, filter)
}

fn from_matches<T: Tool>(matches: &ArgMatches) -> std::result::Result<T, clap::Error> {
    T::from_arg_matches(matches).map_err(|e| e.format(&mut command::<T>()))
}

/// Writes what `--generate KIND` asks for.
pub fn generate<T: Tool>(kind: &str, out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = command::<T>();
    let shell = match kind {
        "man" => return clap_mangen::Man::new(cmd).render(out),
        "complete-bash" => Shell::Bash,
        "complete-zsh" => Shell::Zsh,
        "complete-fish" => Shell::Fish,
        "complete-powershell" => Shell::PowerShell,
        other => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("cannot generate '{other}'"),
            ))
        }
    };
    clap_complete::generate(shell, &mut cmd, T::NAME, out);
    Ok(())
}

/// Parses `args` (without the program name) as the tool's command line and runs the filter
/// over CSV held in memory: the uniform entry point of the property tests.
pub fn transform_args<T: Tool>(args: &[&str], input: &[u8]) -> Result<String> {
    let parsed = T::try_parse_from(std::iter::once(T::NAME).chain(args.iter().copied()))
        .map_err(|e| crate::Error::usage(e.to_string()))?;
    let (_, filter) = parsed.into_parts();
    crate::transform(filter?, input)
}
