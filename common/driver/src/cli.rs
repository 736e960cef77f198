//! The command line every filter shares: its name and version, `--generate`, and the run.
//!
//! A filter's `main` is one line, `common::cli::main::<its::Args>()`: parsing, man pages,
//! completions, error reporting and exit codes all happen here, once. A tool that reads
//! whole tables instead of filtering rows (`chart`) is a [`Program`], started by
//! `common::cli::main_program::<its::Args>()`, with the same harness.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::{Arg, ArgAction, Command, Parser};
use clap_complete::Shell;

use error::Result;

use crate::{Filter, IoArgs};

/// The filters and commands this project builds, in the order the README presents them.
/// Every table of tests that applies to "each filter" iterates over this list; a test
/// checks it against the binaries that Cargo builds.
pub const FILTERS: &[&str] = &[
    "estimate", "pivot", "widen", "bucket", "increase", "keep", "chart",
];

/// A filter's command line: clap's parser plus how the parsed arguments become a filter.
pub trait Tool: Parser {
    /// The binary's name, as messages, `--version` and man pages show it.
    const NAME: &'static str;
    type Filter: Filter;

    /// The input/output arguments, and the filter built from the rest (or why not).
    fn into_parts(self) -> (IoArgs, Result<Self::Filter>);
}

/// A command line that is not a row filter: it reads whole tables and writes one output
/// (a figure). It gets the same name, `--version`, `--generate`, messages and exit codes.
pub trait Program: Parser {
    /// The binary's name, as messages, `--version` and man pages show it.
    const NAME: &'static str;

    /// Where it writes (`-o`; none or `-` is stdout), so that a signal removes the temp file.
    fn output(&self) -> Option<&Path>;

    /// Does the work; the warnings are printed after a success.
    fn run(self) -> Result<Vec<String>>;
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
    named::<T>(T::NAME)
}

fn named<P: Parser>(name: &'static str) -> Command {
    P::command()
        .name(name)
        .bin_name(name)
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
    start::<T>(T::NAME, |args| {
        let (io, filter) = args.into_parts();
        crate::run(T::NAME, &io, filter)
    })
}

/// [`main`] for a [`Program`].
pub fn main_program<T: Program>() -> ExitCode {
    start::<T>(T::NAME, |args| {
        let output = args.output().map(Path::to_path_buf);
        crate::run_with(T::NAME, output.as_deref(), || args.run())
    })
}

/// Parses the command line and answers `--help`, `--version` and `--generate`, or hands the
/// parsed arguments to `go`.
fn start<P: Parser>(name: &'static str, go: impl FnOnce(P) -> ExitCode) -> ExitCode {
    let matches = match named::<P>(name).try_get_matches() {
        Ok(m) => m,
        // --help and --version come here too; clap knows their status (0) and a usage
        // error's (2). A closed stdout while printing help is not worth a panic.
        Err(e) => {
            if e.use_stderr() {
                // A usage error: one write, so that it never mixes with another filter's.
                crate::run::say(e.render().to_string().trim_end());
            } else {
                let _ = e.print();
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    if let Some(kind) = matches.get_one::<String>("generate") {
        return match generate_named::<P>(name, kind, &mut io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                crate::run::say(&format!("{name}: {e}"));
                ExitCode::FAILURE
            }
        };
    }
    match P::from_arg_matches(&matches) {
        Ok(args) => go(args),
        Err(e) => {
            let e = e.format(&mut named::<P>(name));
            crate::run::say(e.render().to_string().trim_end());
            ExitCode::from(2)
        }
    }
}

/// Writes what `--generate KIND` asks for.
pub fn generate<T: Tool>(kind: &str, out: &mut dyn Write) -> io::Result<()> {
    generate_named::<T>(T::NAME, kind, out)
}

fn generate_named<P: Parser>(
    name: &'static str,
    kind: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut cmd = named::<P>(name);
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
    clap_complete::generate(shell, &mut cmd, name, out);
    Ok(())
}

/// Parses `args` (without the program name) as the tool's command line and runs the filter
/// over CSV held in memory: the uniform entry point of the property tests.
pub fn transform_args<T: Tool>(args: &[&str], input: &[u8]) -> Result<String> {
    let parsed = T::try_parse_from(std::iter::once(T::NAME).chain(args.iter().copied()))
        .map_err(|e| error::Error::usage(e.to_string()))?;
    let (_, filter) = parsed.into_parts();
    crate::transform(filter?, input)
}
