use serde::Serialize;
use tillbridge_secrets::SecretError;
use tillbridge_store::StoreError;

/// The few error codes the UI acts on. Everything else is a message for a person to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The UI shows how to unlock a keyring or opt into the file store.
    KeychainUnavailable,
    /// A sync is already running; the UI keeps showing its progress instead.
    SyncRunning,
    /// A Full sync waits for a fresh preview: the ownership, the rules or the mapping changed.
    PreviewStale,
    /// A Full sync waits for the person to accept the large price moves its preview flagged.
    PriceChangesUnconfirmed,
}

/// How an adapter should present the error (an HTTP status, an exit code). Not sent to the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request or the input was wrong; repeating it unchanged will fail again.
    Invalid,
    /// Something outside Tillbridge is missing or locked (the keychain, the database file).
    Unavailable,
    /// The request clashes with work in progress; it may succeed once that work ends.
    Conflict,
    /// What the request names does not exist (a job id, an API route).
    NotFound,
    /// A bug or an unexpected state.
    Internal,
}

/// What crosses from the engine to a front end: `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: Option<ErrorCode>,
    pub message: String,
    #[serde(skip)]
    pub kind: ErrorKind,
}

impl ApiError {
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError { code: None, message: message.into(), kind: ErrorKind::Invalid }
    }

    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError { code: None, message: message.into(), kind: ErrorKind::Unavailable }
    }

    pub fn sync_running() -> ApiError {
        ApiError {
            code: Some(ErrorCode::SyncRunning),
            message: "a sync is already running; wait for it to finish (its progress is on the Mapping screen)".into(),
            kind: ErrorKind::Conflict,
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError { code: None, message: message.into(), kind: ErrorKind::NotFound }
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError { code: None, message: message.into(), kind: ErrorKind::Internal }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let kind = match e {
            StoreError::Unwritable { .. } | StoreError::Busy(_) | StoreError::Backup { .. } => ErrorKind::Unavailable,
            StoreError::Corrupt { .. }
            | StoreError::NewerSchema { .. }
            | StoreError::CorruptSetting { .. }
            | StoreError::UnreadableRow(_) => ErrorKind::Invalid,
            StoreError::NotFound { .. } => ErrorKind::NotFound,
            StoreError::Refused(_) => ErrorKind::Conflict,
            StoreError::SyncRunning { .. } => {
                return ApiError {
                    code: Some(ErrorCode::SyncRunning),
                    message: e.to_string(),
                    kind: ErrorKind::Conflict,
                };
            }
            StoreError::Migration { .. } | StoreError::Sqlite(_) => ErrorKind::Internal,
        };
        ApiError { code: None, message: e.to_string(), kind }
    }
}

impl From<SecretError> for ApiError {
    fn from(e: SecretError) -> ApiError {
        let (code, kind) = match e {
            SecretError::KeychainUnavailable { .. } | SecretError::KeychainLocked { .. } => {
                (Some(ErrorCode::KeychainUnavailable), ErrorKind::Unavailable)
            }
            SecretError::FileTooOpen { .. } | SecretError::File { .. } => (None, ErrorKind::Unavailable),
            SecretError::Damaged { .. } | SecretError::BadSpec(_) => (None, ErrorKind::Invalid),
        };
        ApiError { code, message: e.to_string(), kind }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> ApiError {
        ApiError::internal(format!("a background task failed: {e}"))
    }
}

/// How much of a refused input an error message repeats: enough to recognise it, never megabytes.
const QUOTED: usize = 80;

/// `text` as an error message quotes something a caller sent (a URL, a Host header): escaped, and
/// cut at [`QUOTED`] characters with the full length said.
pub fn quoted(text: &str) -> String {
    let count = text.chars().count();
    if count <= QUOTED {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(QUOTED).collect();
        format!("{head:?}… ({count} characters in all)")
    }
}
