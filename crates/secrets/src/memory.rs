use std::collections::HashMap;
use std::sync::Mutex;

use crate::{Secret, SecretError, SecretStore, SecretStoreKind};

/// Secrets kept in this process only. For tests, and for demos where losing them on exit is fine.
#[derive(Debug, Default)]
pub struct MemorySecretStore {
    secrets: Mutex<HashMap<String, Secret>>,
}

impl MemorySecretStore {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.secrets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for MemorySecretStore {
    fn kind(&self) -> SecretStoreKind {
        SecretStoreKind::Memory
    }
    fn describe(&self) -> String {
        "memory (secrets are lost when Tillbridge exits)".into()
    }
    fn get(&self, account: &str) -> Result<Option<Secret>, SecretError> {
        Ok(self.map().get(account).cloned())
    }
    fn set(&self, account: &str, secret: &Secret) -> Result<(), SecretError> {
        self.map().insert(account.to_string(), secret.clone());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), SecretError> {
        self.map().remove(account);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_secrets_per_account() {
        let store = MemorySecretStore::default();
        store.set("bigcommerce:abc", &Secret::new("one".into())).unwrap();
        store.set("shopify:demo", &Secret::new("two".into())).unwrap();
        assert_eq!(
            store.get("bigcommerce:abc").unwrap().unwrap().expose(),
            "one",
            "accounts do not overwrite each other"
        );
        store.delete("bigcommerce:abc").unwrap();
        assert!(store.get("bigcommerce:abc").unwrap().is_none(), "a deleted secret is gone");
        assert!(store.get("shopify:demo").unwrap().is_some(), "deleting one account leaves the others");
        store.probe().unwrap();
        assert!(store.get("tillbridge-probe").unwrap().is_none(), "the probe cleans up after itself");
    }
}
