use std::path::PathBuf;

use chrono::{DateTime, Utc};
use directories::{ProjectDirs, UserDirs};

use crate::ApiError;

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("com", "Tillbridge", "Tillbridge")
}

/// The per-user data folder: `~/.local/share/tillbridge` on Linux, `~/Library/Application Support/…`
/// on macOS, `%APPDATA%\Tillbridge\…` on Windows.
pub fn default_db_path() -> Result<PathBuf, ApiError> {
    project_dirs()
        .map(|d| d.data_dir().join("tillbridge.db"))
        .ok_or_else(|| ApiError::invalid("cannot find your home folder to keep the database in; pass --db PATH"))
}

/// The per-user log folder: the XDG state folder on Linux, the local data folder elsewhere.
pub fn default_log_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.state_dir().unwrap_or_else(|| d.data_local_dir()).join("logs"))
}

/// Saves an export as `<stem>-<UTC time>.<extension>` in the user's Downloads folder (the home folder
/// when there is none) and answers its path for the UI to show.
pub(crate) fn save_export(stem: &str, extension: &str, now: DateTime<Utc>, contents: &str) -> Result<String, ApiError> {
    let dirs =
        UserDirs::new().ok_or_else(|| ApiError::invalid("cannot find your home folder to save the export in"))?;
    let dir = dirs.download_dir().unwrap_or(dirs.home_dir()).to_path_buf();
    std::fs::create_dir_all(&dir).map_err(|e| ApiError::invalid(format!("cannot create {}: {e}", dir.display())))?;
    let path = dir.join(format!("{stem}-{}.{extension}", now.format("%Y%m%d-%H%M%S")));
    std::fs::write(&path, contents).map_err(|e| ApiError::invalid(format!("cannot write {}: {e}", path.display())))?;
    Ok(path.display().to_string())
}
