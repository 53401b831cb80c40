use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::time::format_time;
use crate::{Store, StoreError};

impl Store {
    /// Reads a setting. A value that no longer parses is reported, never silently replaced by a default,
    /// so a corrupt setting cannot quietly change what the sync does.
    pub fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let raw: Option<String> = self.read(|c| {
            Ok(c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
        })?;
        raw.map(|text| {
            serde_json::from_str(&text)
                .map_err(|e| StoreError::CorruptSetting { key: key.into(), detail: e.to_string() })
        })
        .transpose()
    }

    pub fn set_setting<T: Serialize>(&self, key: &str, value: &T, now: DateTime<Utc>) -> Result<(), StoreError> {
        let text = serde_json::to_string(value)
            .map_err(|e| StoreError::CorruptSetting { key: key.into(), detail: e.to_string() })?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                rusqlite::params![key, text, format_time(now)],
            )?;
            Ok(())
        })
    }

    pub fn remove_setting(&self, key: &str) -> Result<bool, StoreError> {
        self.write(|tx| Ok(tx.execute("DELETE FROM settings WHERE key = ?1", [key])? > 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()
    }

    #[test]
    fn round_trips_and_reports_corruption() {
        let store = Store::open_in_memory(now()).unwrap();
        assert_eq!(store.setting::<u32>("sync.window_s").unwrap(), None, "an unset key has no value");
        store.set_setting("sync.window_s", &30u32, now()).unwrap();
        assert_eq!(store.setting::<u32>("sync.window_s").unwrap(), Some(30), "a stored value reads back");

        store
            .write(|tx| Ok(tx.execute("UPDATE settings SET value = '{oops' WHERE key = 'sync.window_s'", [])?))
            .unwrap();
        let err = store.setting::<u32>("sync.window_s").unwrap_err();
        assert!(
            matches!(err, StoreError::CorruptSetting { ref key, .. } if key == "sync.window_s"),
            "a damaged value must be reported by name, not replaced by a default: {err}"
        );
        assert!(store.remove_setting("sync.window_s").unwrap(), "the damaged value can be removed");
        assert_eq!(store.setting::<u32>("sync.window_s").unwrap(), None, "after removal the default applies again");
    }
}
