//! Every command example runs as written, with nothing on stderr but warnings: the README's
//! and docs/figures.md's ```sh blocks and each filter's `--help` examples, in a fresh folder holding the repository's `scripts/` and `tests/`
//! (the bundled sample and the monitor fixture), in order, so that an example may read what
//! an earlier one wrote. Where the README shows output (`# ...` lines after a command), the
//! command prints exactly that.
//!
//! `~` is the folder itself, so the install examples install there. Not run, and why: `cargo ...` (the quick start's build and tests, the install: this test
//! is part of them), and the examples that need other machines (`--sshlogin`, `--slf`) or
//! Hadoop (`-mapper`, `-reducer`). A `tail -n +1 -F` pipeline follows its file forever: it
//! runs for two seconds and must print and fail nothing before it is stopped.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use support::{bin_dir, repo, Dir, FILTERS};

/// A shell command and the output the documentation shows for it (none: not checked).
#[derive(Debug)]
struct Example {
    command: String,
    output: Vec<String>,
}

/// Whether a command can run here, on this machine, in a test.
fn runnable(command: &str) -> bool {
    let elsewhere = ["--sshlogin", "--slf", "-mapper", "-reducer"];
    !command.starts_with("cargo ") && !elsewhere.iter().any(|w| command.contains(w))
}

/// Splits lines into commands: a line indented deeper than the first (or closing a loop with
/// `done`) continues the command before it; `# ...` lines after a command are its output.
fn commands(lines: &[&str]) -> Vec<Example> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let base = lines
        .iter()
        .find(|l| !l.trim().is_empty())
        .map_or(0, |l| indent(l));
    let mut examples: Vec<Example> = Vec::new();
    for line in lines {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let continues = indent(line) > base || trimmed == "done";
        match examples.last_mut() {
            Some(last) if continues => {
                last.command.push('\n');
                last.command.push_str(line);
            }
            Some(last) if trimmed.starts_with('#') => {
                let output = trimmed.trim_start_matches('#');
                last.output
                    .push(output.strip_prefix(' ').unwrap_or(output).to_owned());
            }
            _ => examples.push(Example {
                command: (*line).to_owned(),
                output: Vec::new(),
            }),
        }
    }
    examples
}

/// The ```sh blocks of the README, in order.
fn readme_examples() -> Vec<Example> {
    doc_examples("README.md")
}

/// The ```sh blocks of a Markdown file of the repository, in order.
fn doc_examples(path: &str) -> Vec<Example> {
    let text = support::read_repo(path);
    let mut lines = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("```") {
            inside = line == "```sh";
            continue;
        }
        if inside {
            lines.push(line);
        }
    }
    commands(&lines)
}

/// The lines under `Examples:` in a tool's --help, up to the end.
fn help_examples(tool: &str) -> Vec<Example> {
    let help = Dir::new().run(tool, &["--help"], "").ok();
    let start = help
        .find("\nExamples:\n")
        .unwrap_or_else(|| panic!("{tool}: no examples"));
    let lines: Vec<&str> = help[start..].lines().skip(2).collect();
    commands(&lines)
}

/// A folder as a user's: the repository's scripts (and sample) and tests (and fixture).
fn workspace() -> Dir {
    let dir = Dir::new();
    for folder in ["scripts", "tests"] {
        std::os::unix::fs::symlink(repo(folder), dir.path(folder)).unwrap();
    }
    dir
}

/// Runs each example in `dir`; returns what went wrong.
fn run(dir: &Dir, examples: &[Example], source: &str) -> Vec<String> {
    let mut wrong = Vec::new();
    // A `cd` example moves the ones after it, as in the user's shell.
    let mut cwd = dir.tmp.path().to_path_buf();
    for example in examples.iter().filter(|e| runnable(&e.command)) {
        if let Some(to) = example.command.strip_prefix("cd ") {
            cwd = cwd.join(to.trim());
            continue;
        }
        let live = example.command.contains("tail -n +1 -F");
        // The filters under test, for the scripts too (Dir::sh puts them on PATH).
        let script = if live {
            format!(
                "cd '{}' && timeout 2 bash -c '{}'; test $? = 124",
                cwd.display(),
                example.command.replace('\'', r"'\''")
            )
        } else {
            format!(
                "cd '{}' && export HOME='{}' NETAGG_BIN={}\n{}",
                cwd.display(),
                dir.tmp.path().display(),
                bin_dir().display(),
                example.command
            )
        };
        let run = dir.sh(&script);
        // As a user types it, without pipefail (`bzcat | head` dies of SIGPIPE), so a step
        // that fails must be seen on stderr: only warnings and the scripts' summary may be
        // there. A live pipeline must have found its file and printed before it was stopped.
        let noise = run
            .stderr
            .lines()
            .any(|l| !l.contains("warning:") && !l.contains(": wrote "));
        let failed = run.status != Some(0) || noise || live && run.stdout.is_empty();
        let stdout = run.stdout();
        let shown: Vec<&str> = stdout.lines().collect();
        let differs = !example.output.is_empty()
            && shown
                .get(..example.output.len())
                .is_none_or(|s| s != example.output);
        if failed || differs {
            wrong.push(format!(
                "{source}: {}{}{run:?}",
                example.command,
                if differs {
                    format!("\n want output: {:?}", example.output)
                } else {
                    String::new()
                }
            ));
        }
    }
    wrong
}

#[test]
fn every_readme_example_runs_as_written() {
    let examples = readme_examples();
    assert!(examples.len() > 20, "{examples:?}");
    let dir = workspace();
    let wrong = run(&dir, &examples, "README.md");
    assert!(
        wrong.is_empty(),
        "{} failed:\n\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}

#[test]
fn every_figures_doc_example_runs_as_written() {
    let examples = doc_examples("docs/figures.md");
    assert!(examples.len() > 5, "{examples:?}");
    let wrong = run(&workspace(), &examples, "docs/figures.md");
    assert!(
        wrong.is_empty(),
        "{} failed:\n\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}

#[test]
fn every_help_example_runs_as_written() {
    let mut wrong = Vec::new();
    for &tool in FILTERS {
        let examples = help_examples(tool);
        assert!(examples.len() >= 2, "{tool}: {examples:?}");
        assert!(
            examples.iter().any(|e| e.command.contains(tool)),
            "{tool}: {examples:?}"
        );
        wrong.extend(run(&workspace(), &examples, &format!("{tool} --help")));
    }
    assert!(
        wrong.is_empty(),
        "{} failed:\n\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}
