//! The README's PostgreSQL quickstart, run as written: a newcomer pastes it
//! and lists the demo sessions. Only what must differ in a test is changed,
//! each replacement checked to have happened: the database (one of the
//! test's own), the port (a free one), and `make install` (the binary under
//! test is put on PATH instead of building a release).

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use otas_postgres_adapter::test_support::{admin_url, connect_to, TestDatabase};
use serde_json::Value;

use crate::support::cluster::free_port;

const README: &str = include_str!("../../README.md");
const README_DATABASE: &str = "postgres://postgres@127.0.0.1:5432/otas_quickstart";
const README_PORT: &str = "8000";

/// The shell block under the README's quickstart marker.
fn quickstart_block() -> &'static str {
    let marked = README
        .split_once("<!-- quickstart")
        .expect("the README marks its quickstart")
        .1;
    let block = marked
        .split_once("```sh\n")
        .expect("the quickstart is a sh block")
        .1;
    block.split_once("```").expect("the block ends").0
}

/// `text` with `from` replaced by `to`; panics when the README no longer holds
/// `from` (the test would otherwise run something else than it says).
fn replaced(text: &str, from: &str, to: &str) -> String {
    assert!(
        text.contains(from),
        "the README's quickstart no longer holds {from:?}: update this test with it"
    );
    text.replace(from, to)
}

#[test]
fn the_readme_quickstart_lists_the_demo_sessions() {
    // A database name of the test's own, dropped at the end; dropped at once
    // too, so that the quickstart's `migrate --create-database` creates it.
    let database = TestDatabase::empty();
    connect_to(&admin_url())
        .batch_execute(&format!("DROP DATABASE \"{}\"", database.name()))
        .expect("drop the test's database before the quickstart creates it");
    let port = free_port().to_string();

    let bin_dir = tempfile_dir();
    let block = quickstart_block();
    let mut script = replaced(block, "make install", "true");
    script = replaced(&script, README_DATABASE, database.url());
    script = replaced(
        &script,
        &format!("127.0.0.1:{README_PORT}"),
        &format!("127.0.0.1:{port}"),
    );
    script = replaced(
        &script,
        "/tmp/otas-server.log",
        &bin_dir.join("server.log").display().to_string(),
    );
    script = replaced(
        &script,
        &format!("OTAS__SERVER__PORT={README_PORT}"),
        &format!("OTAS__SERVER__PORT={port}"),
    );

    // `make install` puts otas-server on PATH: here, the binary under test.
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_otas-server"),
        bin_dir.join("otas-server"),
    )
    .expect("otas-server on the test's PATH");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut shell = Command::new("bash");
    shell
        .arg("-c")
        .arg(format!("set -eu\n{script}"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env("PATH", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group: the server it starts in the background is
        // stopped with it whatever happens.
        .process_group(0);
    for (key, _) in std::env::vars() {
        if key.starts_with("OTAS")
            || key == "DATABASE_URL"
            || key == "JWT_SECRET"
            || key == "RUST_LOG"
        {
            shell.env_remove(key);
        }
    }
    let mut child = shell.spawn().expect("run bash");
    let pgid = child.id();
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for bash") {
            break Some(status);
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // Whatever is left of the group (the server, when `kill %1` did not run).
    // `--` before the negative id: procps-ng 4.0.2's kill reads `-9 -<pgid>`
    // as kill(-1, SIGKILL), every process the user may signal (the test
    // PostgreSQL and the shell that ran the tests included).
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{pgid}")])
        .status();
    let mut stdout = String::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut stdout)
        .ok();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .ok();
    let log = std::fs::read_to_string(bin_dir.join("server.log")).unwrap_or_default();
    std::fs::remove_dir_all(&bin_dir).ok();
    let stderr = format!("{stderr}\nserver log:\n{log}");

    let status = status.unwrap_or_else(|| {
        panic!("the quickstart did not finish within 120 s\nstdout:\n{stdout}\nstderr:\n{stderr}")
    });
    assert!(
        status.success(),
        "the quickstart failed ({status})\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );

    // The last curl's answer: the demo agent's five newest sessions.
    let answer: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| {
            panic!("the quickstart printed no JSON answer ({e}):\n{stdout}\nstderr:\n{stderr}")
        });
    assert_eq!(answer["status"], 1, "{answer}");
    assert_eq!(answer["status_description"], "agent_sessions_listed");
    let sessions = answer["response"]["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 5, "{answer}");
    assert_eq!(answer["response"]["has_more"], true);
    assert!(answer["response"]["next_cursor"].is_string(), "{answer}");
}

/// A new empty directory under the system's temporary directory.
fn tempfile_dir() -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("otas-quickstart-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}
