use crate::{Secret, SecretError, SecretStore, SecretStoreKind};

/// The OS keychain: Keychain Services on macOS, Credential Manager on Windows, and on Linux the
/// Secret Service (GNOME Keyring, KWallet) with the kernel keyring as a session cache.
#[derive(Debug, Clone)]
pub struct KeychainSecretStore {
    service: String,
}

impl KeychainSecretStore {
    pub fn new(service: &str) -> KeychainSecretStore {
        KeychainSecretStore { service: service.to_string() }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, account).map_err(|e| map_error(account, e))
    }
}

/// Turns keyring's errors into ones that say what to do. On a Linux box without a running
/// keyring the library reports platform failures (no D-Bus, no Secret Service), which all mean
/// "install or unlock a keyring, or opt into the file store".
fn map_error(account: &str, e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::NoStorageAccess(inner) => SecretError::KeychainLocked { detail: inner.to_string() },
        keyring::Error::BadEncoding(_) => {
            SecretError::Damaged { account: account.to_string(), detail: "the stored value is not valid text".into() }
        }
        keyring::Error::Ambiguous(list) => SecretError::Damaged {
            account: account.to_string(),
            detail: format!("the keychain holds {} entries for it", list.len()),
        },
        other => SecretError::KeychainUnavailable { detail: other.to_string() },
    }
}

impl SecretStore for KeychainSecretStore {
    fn kind(&self) -> SecretStoreKind {
        SecretStoreKind::Keychain
    }

    fn describe(&self) -> String {
        format!("OS keychain (service \"{}\")", self.service)
    }

    fn get(&self, account: &str) -> Result<Option<Secret>, SecretError> {
        match self.entry(account)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(account, e)),
        }
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<(), SecretError> {
        self.entry(account)?.set_password(secret.expose()).map_err(|e| map_error(account, e))
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(account, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Needs a live keychain; scripts/test runs it inside a private keyring session
    /// (keyutils session + D-Bus + an unlocked gnome-keyring).
    #[test]
    #[ignore = "needs a live OS keychain: run via scripts/test, which starts one"]
    fn round_trips_through_the_os_keychain() {
        let store = KeychainSecretStore::new("tillbridge-test");
        let account = "bigcommerce:keychain-test";
        store.delete(account).unwrap();
        assert!(store.get(account).unwrap().is_none(), "a fresh account holds nothing");
        store.set(account, &Secret::new("t0k3n-value".into())).unwrap();
        let read = store.get(account).unwrap().expect("the keychain must return what was stored");
        assert_eq!(read.expose(), "t0k3n-value", "the value survives the round trip");
        // A second handle reads what the first wrote: it is the keychain holding it, not the Entry object.
        let other = KeychainSecretStore::new("tillbridge-test");
        assert!(other.get(account).unwrap().is_some(), "a new handle sees the stored secret");
        store.delete(account).unwrap();
        assert!(other.get(account).unwrap().is_none(), "deleting through one handle removes it for all");
        store.probe().unwrap();
    }
}
