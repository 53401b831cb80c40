use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::StoreError;
use crate::error::opening_error;
use crate::migrations::{MIGRATIONS, Migration, migrate, user_version};

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// A handle on the local database. Cheap to clone; all clones share one connection, so
/// writes are serialized inside the process and `busy_timeout` covers other processes.
#[derive(Clone, Debug)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    path: Option<PathBuf>,
}

/// What opening did to the file, for the caller to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub from_version: u32,
    pub to_version: u32,
    /// The copy taken before migrating, when there was anything to copy.
    pub backup: Option<PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings it to [`crate::SCHEMA_VERSION`].
    ///
    /// Refuses a file that is not SQLite, or one written by a newer schema, without touching it.
    /// Before migrating an existing database it writes a consistent copy next to it.
    pub fn open(path: &Path, now: DateTime<Utc>) -> Result<(Store, Opened), StoreError> {
        Self::open_with(path, MIGRATIONS, now)
    }

    fn open_with(path: &Path, migrations: &[Migration], now: DateTime<Utc>) -> Result<(Store, Opened), StoreError> {
        let latest = migrations.last().map_or(0, |m| m.version);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)
                .map_err(|e| StoreError::Unwritable { path: path.into(), detail: e.to_string() })?;
        }
        check_header(path)?;
        create_private(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| opening_error(path, e))?;
        // The version is read before any pragma that writes (switching to WAL rewrites the header),
        // so a database this version must refuse is left byte for byte as it was.
        let found = user_version(&conn).map_err(|e| opening_error(path, e))?;
        if found > latest {
            return Err(StoreError::NewerSchema { path: path.into(), found, supported: latest });
        }
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(StoreError::Unwritable {
                path: path.into(),
                detail: "the file is read-only for this user".into(),
            });
        }
        configure(&conn).map_err(|e| opening_error(path, e))?;
        let backup = if found > 0 && found < latest { Some(back_up(&conn, path, found)?) } else { None };
        let to_version = migrate(&mut conn, migrations, now)?;
        let store = Store { conn: Arc::new(Mutex::new(conn)), path: Some(path.into()) };
        Ok((store, Opened { from_version: found, to_version, backup }))
    }

    /// A private database that vanishes with the handle; for tests and dry runs.
    pub fn open_in_memory(now: DateTime<Utc>) -> Result<Store, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        configure(&conn)?;
        migrate(&mut conn, MIGRATIONS, now)?;
        Ok(Store { conn: Arc::new(Mutex::new(conn)), path: None })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.read(|c| Ok(user_version(c)?))
    }

    /// Runs `f` on the connection for reads.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        f(&self.lock())
    }

    /// Runs `f` inside `BEGIN IMMEDIATE`: the write lock is taken up front, so two writers never
    /// both read, then both fail to upgrade. Commits when `f` returns Ok, rolls back otherwise.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Copies the write-ahead log into the database and empties it, so pages a redaction
    /// overwrote are gone from the log file too.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.read(|c| {
            let _busy: i64 = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
            Ok(())
        })
    }

    /// SQLite's own consistency check, for `tillbridge doctor`.
    pub fn quick_check(&self) -> Result<Vec<String>, StoreError> {
        self.pragma_check("PRAGMA quick_check")
    }

    /// SQLite's full consistency check (indexes against tables too), for the crash benchmark.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        self.pragma_check("PRAGMA integrity_check")
    }

    fn pragma_check(&self, pragma: &str) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(pragma)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            let problems: Vec<String> = rows.collect::<Result<_, _>>()?;
            Ok(problems.into_iter().filter(|p| p != "ok").collect())
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite itself consistent (the transaction
        // rolls back on drop), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // In-memory databases answer "memory"; that is fine, they have nothing to lose.
    let _mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted rows are overwritten, not left in free pages: a customer's redaction must remove
    // their trace from the file, not only from the tables.
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

/// Creates a new database file readable by this user alone: it holds store identities and the
/// audit log. SQLite gives its WAL and shared-memory files the database file's permissions.
fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Unwritable { path: path.into(), detail: e.to_string() }),
    }
}

/// Reads the first bytes so a stray file (a CSV, a half-written download) is refused with a clear
/// message instead of SQLite's "file is not a database" on some later query.
fn check_header(path: &Path) -> Result<(), StoreError> {
    let mut file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(StoreError::Unwritable { path: path.into(), detail: e.to_string() }),
    };
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(StoreError::Unwritable { path: path.into(), detail: "it is a folder, not a file".into() });
    }
    let mut head = [0u8; 16];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) => return Err(StoreError::Unwritable { path: path.into(), detail: e.to_string() }),
        }
    }
    match filled {
        0 => Ok(()), // an empty file is a new database
        16 if &head == SQLITE_MAGIC => Ok(()),
        _ => Err(StoreError::Corrupt {
            path: path.into(),
            detail: "the file does not start with the SQLite header".into(),
        }),
    }
}

/// `VACUUM INTO` writes a consistent copy that includes what is still in the WAL, which a plain
/// file copy of the main file would miss.
fn back_up(conn: &Connection, path: &Path, version: u32) -> Result<PathBuf, StoreError> {
    let file_name =
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "tillbridge.db".into());
    let mut target = path.with_file_name(format!("{file_name}.v{version}.bak"));
    let mut n = 1;
    while target.exists() {
        n += 1;
        target = path.with_file_name(format!("{file_name}.v{version}.{n}.bak"));
    }
    let fail = |detail: String| StoreError::Backup { path: path.into(), detail };
    let target_text = target.to_str().ok_or_else(|| fail("the path is not valid UTF-8".into()))?;
    conn.execute("VACUUM INTO ?1", [target_text]).map_err(|e| fail(e.to_string()))?;
    tracing::info!(backup = %target.display(), from_version = version, "copied the database aside before upgrading it");
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const TWO_STEPS: &[Migration] = &[
        MIGRATIONS[0],
        Migration { version: 2, name: "widgets", sql: "CREATE TABLE widgets (id INTEGER PRIMARY KEY);" },
    ];

    const BROKEN_SECOND_STEP: &[Migration] = &[
        MIGRATIONS[0],
        Migration {
            version: 2,
            name: "broken",
            sql: "CREATE TABLE half_done (id INTEGER); SELECT no_such_function();",
        },
    ];

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()
    }

    #[test]
    fn upgrading_copies_the_old_file_aside_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let (v1, opened) = Store::open_with(&path, &MIGRATIONS[..1], now()).unwrap();
        assert_eq!(opened.backup, None, "a new database has nothing worth copying");
        v1.set_setting("marker", &"before upgrade", now()).unwrap();
        drop(v1);

        let (v2, opened) = Store::open_with(&path, TWO_STEPS, now()).unwrap();
        assert_eq!((opened.from_version, opened.to_version), (1, 2), "the upgrade ran one step");
        let backup = opened.backup.expect("an upgrade must leave a copy of the old file");
        assert!(backup.exists(), "the copy is on disk at {}", backup.display());
        assert_eq!(v2.schema_version().unwrap(), 2, "the live file is upgraded");

        let (copy, reopened) = Store::open_with(&backup, &MIGRATIONS[..1], now()).unwrap();
        assert_eq!(reopened.from_version, 1, "the copy is still at the old version");
        assert_eq!(
            copy.setting::<String>("marker").unwrap().as_deref(),
            Some("before upgrade"),
            "the copy holds the data as it was before the upgrade"
        );
    }

    #[test]
    fn a_failed_step_leaves_the_previous_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(Store::open_with(&path, &MIGRATIONS[..1], now()).unwrap());
        let err = Store::open_with(&path, BROKEN_SECOND_STEP, now()).unwrap_err();
        assert!(matches!(err, StoreError::Migration { version: 2, .. }), "the failing step is named: {err}");
        let (store, opened) = Store::open_with(&path, &MIGRATIONS[..1], now()).unwrap();
        assert_eq!(opened.from_version, 1, "the version did not move past the failed step");
        let half_done: i64 = store
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(half_done, 0, "nothing of the failed step remains");
    }
}
