use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::{Secret, SecretError, SecretStore, SecretStoreKind};

/// Secrets in a private JSON file, for headless servers without a keychain. The user opts in
/// explicitly; a warning is printed whenever it is opened, because a file is weaker than a
/// keychain (backups and disk images copy it).
#[derive(Debug)]
pub struct FileSecretStore {
    path: PathBuf,
    // Serializes read-modify-write cycles within the process.
    lock: Mutex<()>,
}

#[derive(Default, Serialize, Deserialize)]
struct FileContents {
    version: u32,
    secrets: BTreeMap<String, String>,
}

impl FileSecretStore {
    pub fn open(path: &Path) -> Result<FileSecretStore, SecretError> {
        eprintln!(
            "warning: Tillbridge is keeping store tokens in the file {} instead of the OS keychain. Keep that file private and out of backups you share.",
            path.display()
        );
        tracing::warn!(path = %path.display(), "secrets are kept in a file, not the OS keychain");
        let store = FileSecretStore { path: path.to_path_buf(), lock: Mutex::new(()) };
        store.check_permissions()?;
        Ok(store)
    }

    fn fail(&self, detail: impl ToString) -> SecretError {
        SecretError::File { path: self.path.clone(), detail: detail.to_string() }
    }

    #[cfg(unix)]
    fn check_permissions(&self) -> Result<(), SecretError> {
        use std::os::unix::fs::PermissionsExt;
        match fs::metadata(&self.path) {
            Ok(meta) => {
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(SecretError::FileTooOpen { path: self.path.clone(), mode });
                }
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    #[cfg(not(unix))]
    fn check_permissions(&self) -> Result<(), SecretError> {
        Ok(())
    }

    fn load(&self) -> Result<FileContents, SecretError> {
        match fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                self.fail(format!("it is not a Tillbridge secrets file ({e}); move it aside and connect again"))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileContents { version: 1, ..Default::default() }),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Writes a new file with mode 0600 from the start, then renames it over the old one, so
    /// the secrets are never briefly world-readable and a crash never leaves half a file.
    fn save(&self, contents: &FileContents) -> Result<(), SecretError> {
        let dir = self.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(|e| self.fail(e))?;
        let tmp = self.path.with_extension("tmp");
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp).map_err(|e| self.fail(e))?;
        let text = serde_json::to_vec_pretty(contents).map_err(|e| self.fail(e))?;
        file.write_all(&text).and_then(|()| file.sync_all()).map_err(|e| self.fail(e))?;
        fs::rename(&tmp, &self.path).map_err(|e| self.fail(e))
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for FileSecretStore {
    fn kind(&self) -> SecretStoreKind {
        SecretStoreKind::File
    }

    fn describe(&self) -> String {
        format!("file {} (opted in with --secret-store)", self.path.display())
    }

    fn get(&self, account: &str) -> Result<Option<Secret>, SecretError> {
        let _g = self.guard();
        self.check_permissions()?;
        Ok(self.load()?.secrets.get(account).cloned().map(Secret::new))
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<(), SecretError> {
        let _g = self.guard();
        self.check_permissions()?;
        let mut contents = self.load()?;
        contents.secrets.insert(account.to_string(), secret.expose().to_string());
        self.save(&contents)
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        let _g = self.guard();
        let mut contents = self.load()?;
        if contents.secrets.remove(account).is_some() {
            self.save(&contents)?;
        }
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn file_is_private_and_persists_across_handles() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("secrets.json");
        let store = FileSecretStore::open(&path).unwrap();
        store.set("shopify:demo", &Secret::new("shpat_abc".into())).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "only the owner may read the tokens");
        let again = FileSecretStore::open(&path).unwrap();
        assert_eq!(again.get("shopify:demo").unwrap().unwrap().expose(), "shpat_abc", "a new process reads it back");
        again.probe().unwrap();
    }

    #[test]
    fn refuses_a_file_others_can_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        fs::write(&path, r#"{"version":1,"secrets":{}}"#).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = FileSecretStore::open(&path).unwrap_err();
        assert!(
            matches!(err, SecretError::FileTooOpen { mode: 0o644, .. }),
            "a readable secrets file is refused: {err}"
        );
        assert!(err.to_string().contains("chmod 600"), "the message says how to fix it: {err}");
    }

    #[test]
    fn a_damaged_file_is_named_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        fs::write(&path, "not json").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let store = FileSecretStore::open(&path).unwrap();
        let err = store.set("a", &Secret::new("b".into())).unwrap_err();
        assert!(err.to_string().contains("secrets.json"), "the error names the file: {err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "not json", "the damaged file is left for the user to inspect");
    }
}
