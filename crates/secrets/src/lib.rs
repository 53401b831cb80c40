//! Store tokens never touch the database, the logs or the UI. They live in a [`SecretStore`]:
//! the OS keychain by default, a 0600 file when a headless server opts in, or memory in tests.

mod file;
mod keychain;
mod memory;
mod secret;

pub use file::FileSecretStore;
pub use keychain::KeychainSecretStore;
pub use memory::MemorySecretStore;
pub use secret::Secret;

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

/// The keychain service name every Tillbridge secret is filed under.
pub const SERVICE: &str = "tillbridge";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum SecretStoreKind {
    Keychain,
    File,
    Memory,
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "no usable OS keychain ({detail}). Tillbridge keeps store tokens in the keychain. On a desktop, install and unlock a Secret Service keyring (for example `sudo apt-get install gnome-keyring`, then log in to a desktop session). On a headless server you can opt into a private file instead: --secret-store file:PATH or TILLBRIDGE_SECRET_STORE=file:PATH."
    )]
    KeychainUnavailable { detail: String },

    #[error(
        "the OS keychain is locked ({detail}). Unlock it (log in to your desktop session, or unlock the 'login' keyring), then try again."
    )]
    KeychainLocked { detail: String },

    #[error("the secrets file {path} is readable by other users (mode {mode:o}). Run `chmod 600 {path}` and try again.", path = path.display())]
    FileTooOpen { path: PathBuf, mode: u32 },

    #[error("cannot use the secrets file {path}: {detail}", path = path.display())]
    File { path: PathBuf, detail: String },

    #[error("the stored secret for '{account}' is damaged ({detail}). Connect the store again to replace it.")]
    Damaged { account: String, detail: String },

    #[error("'{0}' is not a secret store. Use `keychain` (the default), `file:PATH`, or `memory` (lost on exit).")]
    BadSpec(String),
}

/// Keeps secrets by account name (for example "bigcommerce:abc123").
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    fn kind(&self) -> SecretStoreKind;
    /// Where secrets go, for `doctor` and the status screen. Never includes a secret.
    fn describe(&self) -> String;
    fn get(&self, account: &str) -> Result<Option<Secret>, SecretError>;
    fn set(&self, account: &str, secret: &Secret) -> Result<(), SecretError>;
    /// Removing an account that is not there is not an error.
    fn delete(&self, account: &str) -> Result<(), SecretError>;

    /// Writes, reads back and removes a throw-away secret. Some keychains fail only on write,
    /// or answer "no entry" when they are really unreachable, so a read alone proves nothing.
    fn probe(&self) -> Result<(), SecretError> {
        const PROBE: &str = "tillbridge-probe";
        let value = Secret::new("probe-value".to_string());
        self.set(PROBE, &value)?;
        let read = self.get(PROBE)?;
        self.delete(PROBE)?;
        match read {
            Some(s) if s.expose() == value.expose() => Ok(()),
            _ => Err(SecretError::KeychainUnavailable {
                detail: "a secret written a moment ago could not be read back".into(),
            }),
        }
    }
}

/// Which secret store to use, as given by `--secret-store` or `TILLBRIDGE_SECRET_STORE`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SecretStoreSpec {
    #[default]
    Keychain,
    File(PathBuf),
    Memory,
}

impl std::str::FromStr for SecretStoreSpec {
    type Err = SecretError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "" | "keychain" => Ok(SecretStoreSpec::Keychain),
            "memory" => Ok(SecretStoreSpec::Memory),
            other => match other.strip_prefix("file:") {
                Some(path) if !path.is_empty() => Ok(SecretStoreSpec::File(PathBuf::from(path))),
                _ => Err(SecretError::BadSpec(other.to_string())),
            },
        }
    }
}

impl SecretStoreSpec {
    /// Builds the store. Opening never talks to the keychain; `probe` does.
    pub fn open(&self) -> Result<Arc<dyn SecretStore>, SecretError> {
        Ok(match self {
            SecretStoreSpec::Keychain => Arc::new(KeychainSecretStore::new(SERVICE)),
            SecretStoreSpec::File(path) => Arc::new(FileSecretStore::open(path)?),
            SecretStoreSpec::Memory => Arc::new(MemorySecretStore::default()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        assert_eq!("keychain".parse::<SecretStoreSpec>().unwrap(), SecretStoreSpec::Keychain, "explicit default");
        assert_eq!(
            "".parse::<SecretStoreSpec>().unwrap(),
            SecretStoreSpec::Keychain,
            "an empty variable means the default"
        );
        assert_eq!(
            "file:/srv/tb/secrets.json".parse::<SecretStoreSpec>().unwrap(),
            SecretStoreSpec::File("/srv/tb/secrets.json".into()),
            "the headless opt-in"
        );
        assert_eq!("memory".parse::<SecretStoreSpec>().unwrap(), SecretStoreSpec::Memory, "tests and demos");
        assert!("file:".parse::<SecretStoreSpec>().is_err(), "a file store needs a path");
        assert!("vault".parse::<SecretStoreSpec>().is_err(), "unknown stores are refused, not guessed");
    }
}
