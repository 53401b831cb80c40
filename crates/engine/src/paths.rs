use std::path::PathBuf;

use directories::ProjectDirs;

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
