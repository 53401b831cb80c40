//! The `tillbridge` binary as a user runs it.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Output, Stdio};

fn tillbridge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tillbridge"))
        .args(args)
        .env_remove("TILLBRIDGE_SECRET_STORE")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_explains_every_subcommand() {
    let out = tillbridge(&["--help"]);
    assert!(out.status.success(), "--help succeeds");
    let help = text(&out.stdout);
    for sub in ["serve", "doctor", "status"] {
        assert!(help.contains(sub), "--help lists `{sub}`:\n{help}");
    }
    assert!(help.contains("--db") && help.contains("--secret-store"), "the global flags are documented:\n{help}");
}

#[test]
fn db_flag_works_before_and_after_the_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before.db");
    let after = dir.path().join("after.db");
    let a = tillbridge(&["--db", before.to_str().unwrap(), "--secret-store", "memory", "status"]);
    let b = tillbridge(&["status", "--db", after.to_str().unwrap(), "--secret-store", "memory"]);
    assert!(a.status.success() && b.status.success(), "both spellings run: {} / {}", text(&a.stderr), text(&b.stderr));
    assert!(before.exists() && after.exists(), "each run created the database it was pointed at");
    let status: serde_json::Value = serde_json::from_slice(&b.stdout).unwrap();
    assert_eq!(status["database"]["path"], after.to_str().unwrap(), "status reports the file in use");
}

#[test]
fn a_corrupt_database_fails_clearly_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    std::fs::write(&path, b"this is not a database, it is a shopping list").unwrap();
    let out = tillbridge(&["--db", path.to_str().unwrap(), "--secret-store", "memory", "doctor"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a refused database is a plain failure exit: {err}");
    assert!(err.contains("is not a Tillbridge database"), "the message names the problem: {err}");
    assert!(err.contains("--db"), "and says how to choose another file: {err}");
    assert!(!err.contains("panicked"), "no panic reaches the user: {err}");
}

#[test]
fn an_unwritable_database_path_fails_clearly() {
    let out = tillbridge(&["--db", "/proc/tillbridge-nope/t.db", "--secret-store", "memory", "status"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "an unusable path is a failure exit: {err}");
    assert!(err.contains("cannot open or write the database"), "the message says what failed: {err}");
    assert!(!err.contains("panicked"), "no panic reaches the user: {err}");
}

#[test]
fn a_bad_secret_store_spec_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = tillbridge(&["--db", db.to_str().unwrap(), "--secret-store", "vault:x", "status"]);
    assert_eq!(out.status.code(), Some(1), "an unknown store is an error, not a silent default");
    assert!(text(&out.stderr).contains("file:PATH"), "the message lists the valid forms: {}", text(&out.stderr));
}

#[test]
fn the_file_secret_store_warns_on_use() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let secrets = dir.path().join("secrets.json");
    let out = Command::new(env!("CARGO_BIN_EXE_tillbridge"))
        .args(["--db", db.to_str().unwrap(), "doctor"])
        .env("TILLBRIDGE_SECRET_STORE", format!("file:{}", secrets.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "doctor passes with a working file store: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("warning: Tillbridge is keeping store tokens in the file"), "each use warns");
    assert!(text(&out.stderr).contains("WARN"), "the warning is also logged: {}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains('\u{1b}'),
        "stderr is a pipe here, so it carries no colour codes: {:?}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("[warn] secret store"),
        "doctor also flags the weaker store:\n{}",
        text(&out.stdout)
    );
}

#[test]
fn serve_refuses_a_non_loopback_address_without_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = tillbridge(&["serve", "--addr", "0.0.0.0:0", "--db", db.to_str().unwrap(), "--secret-store", "memory"]);
    assert_eq!(out.status.code(), Some(1), "exposing the panel needs an explicit opt-in");
    assert!(text(&out.stderr).contains("--allowed-host"), "the refusal names the flag: {}", text(&out.stderr));
    assert!(!db.exists(), "a refused serve touches no database");
}

#[test]
fn serve_answers_health_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tillbridge"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db", db.to_str().unwrap(), "--secret-store", "memory"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url =
        line.split_whitespace().find(|w| w.starts_with("http://127.0.0.1:")).expect("serve prints its URL").to_string();
    let host = url.trim_start_matches("http://").trim_end_matches('/').to_string();

    let mut stream = std::net::TcpStream::connect(&host).unwrap();
    use std::io::Write;
    write!(stream, "GET /api/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();

    assert!(response.starts_with("HTTP/1.1 200"), "health answers 200: {response}");
    let body: serde_json::Value = serde_json::from_str(response.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"), "health carries the version");
    assert!(body["schema_version"].as_u64().unwrap() >= 1, "and the schema version");
}
