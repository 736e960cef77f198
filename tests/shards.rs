//! Sharded runs: daily shards summed in parallel jobs, merged by re-bucketing, equal a single run.

mod support;

use support::{bunzip2, read_repo, repo, Dir, Run, TABLES};

/// Runs scripts/aggregate.sh with the test build of the filters.
fn aggregate(dir: &Dir, args: &str) -> Run {
    support::script(dir, "aggregate.sh", args)
}

/// GNU parallel is installed by .ci/run; elsewhere these tests say why they skip.
fn have_parallel(dir: &Dir) -> bool {
    if dir.sh("command -v parallel").status == Some(0) {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have GNU parallel (.ci/run installs it)"
    );
    eprintln!("skipped: GNU parallel is not installed");
    false
}

/// The bundled sample's tracepoints cut into one file a day (each with the header).
fn daily_shards(dir: &Dir) -> usize {
    let sample = repo("scripts/sample/tracepoints.csv.bz2");
    dir.sh(&format!(
        "bzip2 -dc {} | awk -F, 'NR == 1 {{ h = $0; next }} \
         {{ f = \"tp-\" substr($1, 1, 10) \".csv\"; if (!(f in s)) {{ s[f] = 1; print h > f }} print > f }}'",
        sample.display()
    ))
    .ok();
    dir.files().iter().filter(|f| f.starts_with("tp-")).count()
}

fn daily_shards_left(dir: &Dir) -> usize {
    dir.files().iter().filter(|f| f.starts_with("tp-")).count()
}

fn assert_golden_tables(dir: &Dir, out: &str) {
    for table in TABLES {
        let got = bunzip2(&dir.path(&format!("{out}/{table}.csv.bz2")));
        let want = read_repo(&format!("tests/golden/sample/{table}.csv"));
        assert!(got == want, "{out}/{table} differs from the single run's");
    }
}

#[test]
fn daily_shards_under_parallel_equal_the_single_run() {
    let dir = Dir::new();
    if !have_parallel(&dir) {
        return;
    }
    assert_eq!(daily_shards(&dir), 4);
    std::fs::create_dir(dir.path("two")).unwrap();
    let systemd = repo("scripts/sample/systemd.csv.bz2").display().to_string();
    let run = aggregate(&dir, &format!("-q --jobs 2 -o two tp-*.csv {systemd}"));
    run.ok();
    assert_eq!(run.stderr, "", "{run:?}");
    assert_golden_tables(&dir, "two");
}

#[test]
fn one_job_needs_no_parallel() {
    let dir = Dir::new();
    assert_eq!(daily_shards(&dir), 4);
    std::fs::create_dir(dir.path("one")).unwrap();
    let systemd = repo("scripts/sample/systemd.csv.bz2").display().to_string();
    // A PATH without parallel: --jobs 1 reads the shards as one stream.
    let run = aggregate(&dir, &format!("--jobs 1 -o one tp-*.csv {systemd}"));
    run.ok();
    assert_golden_tables(&dir, "one");
}

#[test]
fn a_failing_shard_stops_the_run() {
    let dir = Dir::new();
    if !have_parallel(&dir) {
        return;
    }
    assert_eq!(daily_shards(&dir), 4);
    dir.sh("echo '2024-12-29 00:00:04+00:00,False,in,inv,-1' >> tp-2024-12-29.csv")
        .ok();
    let systemd = repo("scripts/sample/systemd.csv.bz2").display().to_string();
    let run = aggregate(&dir, &format!("--jobs 2 tp-*.csv {systemd}"));
    assert_ne!(run.status, Some(0), "{run:?}");
    assert!(
        run.stderr
            .contains("column size: '-1' is not a non-negative integer"),
        "{run:?}"
    );
    assert!(
        run.stderr.contains("aggregate.sh: the estimate chain on"),
        "{run:?}"
    );
    assert!(
        dir.files().iter().all(|f| f.starts_with("tp-")),
        "{:?}",
        dir.files()
    );
}

/// An sshd of the test's own on a free loopback port, stopped when dropped.
struct Sshd(std::process::Child);

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn shards_run_over_ssh() {
    let dir = Dir::new();
    if !have_parallel(&dir) {
        return;
    }
    let missing: Vec<_> = ["/usr/sbin/sshd", "ssh", "ssh-keygen", "rsync"]
        .into_iter()
        .filter(|tool| dir.sh(&format!("command -v {tool}")).status != Some(0))
        .collect();
    if !missing.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have {missing:?} (.ci/run installs them)"
        );
        eprintln!("skipped: {missing:?} not installed (openssh-server, openssh-client, rsync)");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let d = dir.tmp.path().display().to_string();
    dir.sh(&format!(
        "set -e; ssh-keygen -q -t ed25519 -N '' -f {d}/host_key; ssh-keygen -q -t ed25519 -N '' -f {d}/client_key; \
         cp {d}/client_key.pub {d}/authorized_keys; mkdir -p /run/sshd 2>/dev/null || true"
    ))
    .ok();
    dir.write(
        "sshd_config",
        format!(
            "ListenAddress 127.0.0.1:{port}\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\n\
             PermitRootLogin yes\nPasswordAuthentication no\nStrictModes no\nUsePAM no\nPidFile {d}/sshd.pid\n"
        ),
    );
    let _sshd = Sshd(
        std::process::Command::new("/usr/sbin/sshd")
            .args([
                "-D",
                "-f",
                &format!("{d}/sshd_config"),
                "-E",
                &format!("{d}/sshd.log"),
            ])
            .spawn()
            .unwrap(),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "sshd did not start: {}",
            dir.read("sshd.log")
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(daily_shards(&dir), 4);
    std::fs::create_dir(dir.path("remote")).unwrap();
    let user = dir.sh("id -un").ok();
    let ssh = format!(
        "ssh -p {port} -i {d}/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
         -o BatchMode=yes -o LogLevel=ERROR"
    );
    let systemd = repo("scripts/sample/systemd.csv.bz2").display().to_string();
    // Absolute shard paths, on the machine itself: the originals must survive --cleanup.
    let run = aggregate(
        &dir,
        &format!(
            "--jobs 2 --ssh '{ssh}' --sshlogin 2/{}@127.0.0.1 -o remote {d}/tp-*.csv {systemd}",
            user.trim()
        ),
    );
    run.ok();
    assert_golden_tables(&dir, "remote");
    assert_eq!(daily_shards_left(&dir), 4, "the shards are still there");
    for script in ["shard.sh", "lib.sh"] {
        assert!(
            repo(&format!("scripts/{script}")).exists(),
            "{script} is still there"
        );
    }
    assert!(
        dir.read("sshd.log").contains("Accepted publickey"),
        "{}",
        dir.read("sshd.log")
    );
}
