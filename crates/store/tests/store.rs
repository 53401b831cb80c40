//! The store as a caller sees it: a file on disk, opened by path.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;

use chrono::{DateTime, TimeZone, Utc};
use tillbridge_store::{SCHEMA_VERSION, Store, StoreError};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()
}

fn table_columns(store: &Store, table: &str) -> Vec<String> {
    store
        .read(|c| {
            let mut stmt = c.prepare(&format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"))?;
            let cols = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
            Ok(cols)
        })
        .unwrap()
}

#[test]
fn a_new_database_gets_every_table_at_the_latest_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("tillbridge.db");
    let (store, opened) = Store::open(&path, now()).unwrap();
    assert_eq!(opened.from_version, 0, "a new file starts at version 0");
    assert_eq!(opened.to_version, SCHEMA_VERSION, "and is brought to the version this build writes");
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION, "user_version records it");

    for (table, must_have) in [
        ("settings", &["key", "value", "updated_at"][..]),
        ("connections", &["system", "name", "api_url", "store_ref", "api_version", "secret_ref", "verified_at"]),
        (
            "audit_log",
            &[
                "at",
                "system",
                "direction",
                "method",
                "endpoint",
                "status",
                "duration_ms",
                "attempt",
                "correlation_id",
                "outcome",
            ],
        ),
        (
            "jobs",
            &[
                "kind",
                "capability",
                "lane",
                "entity_key",
                "payload",
                "idempotency_key",
                "lease_owner",
                "lease_expires_at",
                "state",
                "attempts",
                "next_attempt_at",
                "last_error",
                "created_at",
                "updated_at",
            ],
        ),
    ] {
        let cols = table_columns(&store, table);
        for col in must_have {
            assert!(cols.iter().any(|c| c == col), "{table} must have column {col}; has {cols:?}");
        }
    }
    assert!(
        !table_columns(&store, "connections").iter().any(|c| c.contains("token") || c.contains("secret_value")),
        "connections hold identities only; tokens belong in the keychain"
    );

    let pragmas: (String, i64, i64) = store
        .read(|c| {
            Ok((
                c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
                c.query_row("PRAGMA synchronous", [], |r| r.get(0))?,
            ))
        })
        .unwrap();
    assert_eq!(pragmas, ("wal".to_string(), 1, 2), "WAL, foreign keys on, synchronous=FULL (2)");

    drop(store);
    let (_again, reopened) = Store::open(&path, now()).unwrap();
    assert_eq!(reopened.from_version, SCHEMA_VERSION, "reopening finds the schema already current");
    assert_eq!(reopened.backup, None, "and copies nothing, since nothing changes");
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    drop(Store::open(&path, now()).unwrap());
    {
        let conn = rusqlite_conn(&path);
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 5).unwrap();
    }
    let before = fs::read(&path).unwrap();
    let err = Store::open(&path, now()).unwrap_err();
    match &err {
        StoreError::NewerSchema { found, supported, .. } => {
            assert_eq!((*found, *supported), (SCHEMA_VERSION + 5, SCHEMA_VERSION), "both versions are reported")
        }
        other => panic!("expected NewerSchema, got {other}"),
    }
    assert!(err.to_string().contains("newer Tillbridge"), "the message says why: {err}");
    assert_eq!(fs::read(&path).unwrap(), before, "a refused file is not modified");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    fs::write(&path, "sku,qty\nABC-1,3\n").unwrap();
    let err = Store::open(&path, now()).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "a CSV is not a database: {err}");
    assert!(err.to_string().contains("--db"), "the message says how to choose another file: {err}");
    assert_eq!(fs::read_to_string(&path).unwrap(), "sku,qty\nABC-1,3\n", "the file is left as it was");
}

#[test]
fn a_database_damaged_after_the_header_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend(std::iter::repeat_n(0xA5u8, 4096));
    fs::write(&path, &bytes).unwrap();
    let err = Store::open(&path, now()).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "garbage after a valid header is still damage: {err}");
}

#[cfg(unix)]
#[test]
fn an_unwritable_location_gets_a_clear_error() {
    let err = Store::open(std::path::Path::new("/proc/tillbridge/t.db"), now()).unwrap_err();
    assert!(matches!(err, StoreError::Unwritable { .. }), "a folder that can't be created is reported as such: {err}");
    let dir = tempfile::tempdir().unwrap();
    let err = Store::open(dir.path(), now()).unwrap_err();
    assert!(matches!(err, StoreError::Unwritable { .. }), "a folder is not a database file: {err}");
}

fn rusqlite_conn(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn a_newer_database_in_rollback_journal_mode_is_refused_byte_for_byte() {
    // A copy taken with VACUUM INTO (a *.bak) is in rollback-journal mode: switching it to WAL
    // would rewrite header bytes 18-19 while the refusal says nothing was changed.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    {
        let conn = rusqlite_conn(&path);
        conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    }
    let before = fs::read(&path).unwrap();
    assert_eq!(&before[18..20], &[1, 1], "the file starts in rollback-journal mode");
    let err = Store::open(&path, now()).unwrap_err();
    assert!(matches!(err, StoreError::NewerSchema { .. }), "a newer schema is refused: {err}");
    assert_eq!(fs::read(&path).unwrap(), before, "every byte is as it was, the journal mode included");
    assert!(!dir.path().join("newer.db-wal").exists(), "and no WAL file was started beside it");
}

#[cfg(unix)]
#[test]
fn a_new_database_is_private_to_its_user() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    drop(Store::open(&path, now()).unwrap());
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "store identities and the audit log are for this user only, not {mode:o}");
}

#[cfg(unix)]
#[test]
fn a_read_only_database_is_refused_with_its_path_and_what_to_do() {
    use std::os::unix::fs::PermissionsExt;
    if rustix_is_root() {
        eprintln!("skipped: root writes through read-only permissions");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    drop(Store::open(&path, now()).unwrap());
    fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
    let err = Store::open(&path, now()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Unwritable { .. }), "a read-only file cannot hold the queue: {err}");
    assert!(text.contains(&path.display().to_string()), "the message names the file: {text}");
    assert!(text.contains("--db"), "and says what to do: {text}");
}

/// Whether the tests run as root, which ignores file permissions.
#[cfg(unix)]
fn rustix_is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
