use std::path::PathBuf;

use rusqlite::ErrorCode;

/// What went wrong in the local store, phrased so the reader knows what to do next.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot open or write the database at {path}: {detail}. Choose a writable file with --db PATH, or fix the folder's permissions."
    )]
    Unwritable { path: PathBuf, detail: String },

    #[error(
        "{path} is not a Tillbridge database or is damaged ({detail}). Nothing was changed. Move it aside (a copy taken before the last upgrade may sit next to it as *.bak) or choose another file with --db PATH."
    )]
    Corrupt { path: PathBuf, detail: String },

    #[error(
        "{path} was written by a newer Tillbridge (schema version {found}; this version understands up to {supported}). Nothing was changed. Install the newer Tillbridge, or choose another file with --db PATH."
    )]
    NewerSchema { path: PathBuf, found: u32, supported: u32 },

    #[error(
        "could not copy {path} aside before upgrading it ({detail}). Nothing was changed. Free some disk space or fix the folder's permissions, then try again."
    )]
    Backup { path: PathBuf, detail: String },

    #[error(
        "upgrading the database to schema version {version} failed: {detail}. The database was left at the previous version."
    )]
    Migration { version: u32, detail: String },

    #[error(
        "the setting '{key}' holds unreadable data ({detail}). Set it again, or remove it to fall back to the default."
    )]
    CorruptSetting { key: String, detail: String },

    /// A stored row that this version cannot read (edited by hand, or written by a broken build).
    #[error("{0}; nothing was changed: restore the database from a backup, or remove that row")]
    UnreadableRow(String),

    /// A rule of the data refused the change; the message says which and what to do.
    #[error("{0}")]
    Refused(String),

    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: i64 },

    #[error(
        "another sync (run {run_id}, last heard from {seconds_ago} s ago) is still running, perhaps in another Tillbridge window or command; wait for it to finish"
    )]
    SyncRunning { run_id: i64, seconds_ago: i64 },

    #[error("the database is busy; try again in a moment ({0})")]
    Busy(rusqlite::Error),

    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl StoreError {
    /// Busy and locked databases clear up by themselves; everything else needs a person or a code fix.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Busy(_))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy(e),
            _ => StoreError::Sqlite(e),
        }
    }
}

/// Classifies an error met while opening `path`, where "not a database" and "can't open" have
/// clearer meanings than the generic SQLite text.
pub(crate) fn opening_error(path: &std::path::Path, e: rusqlite::Error) -> StoreError {
    let detail = e.to_string();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt { path: path.into(), detail },
        Some(
            ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied | ErrorCode::SystemIoFailure,
        ) => StoreError::Unwritable { path: path.into(), detail },
        _ => StoreError::from(e),
    }
}
