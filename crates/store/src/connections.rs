use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::time::{format_time, parse_time};
use crate::{Store, StoreError, System};

/// A store to connect, as the user typed it. It carries no token: the token goes to the
/// `SecretStore` under `secret_ref`, and only that reference is kept here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConnection {
    pub system: System,
    pub name: String,
    pub api_url: String,
    /// The store hash (BigCommerce) or shop domain (Shopify).
    pub store_ref: String,
    pub api_version: Option<String>,
    pub secret_ref: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionRecord {
    pub id: i64,
    pub system: System,
    pub name: String,
    pub api_url: String,
    pub store_ref: String,
    pub api_version: Option<String>,
    pub secret_ref: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Records a connection, replacing the one for the same store. `verified_at` is the time the
    /// credentials were last proven with a live call.
    pub fn save_connection(
        &self,
        c: &NewConnection,
        verified_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.write(|tx| {
            Ok(tx.query_row(
                "INSERT INTO connections (system, name, api_url, store_ref, api_version, secret_ref, created_at, updated_at, verified_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)
                 ON CONFLICT (system, store_ref) DO UPDATE SET
                   name = excluded.name, api_url = excluded.api_url, api_version = excluded.api_version,
                   secret_ref = excluded.secret_ref, updated_at = excluded.updated_at, verified_at = excluded.verified_at
                 RETURNING id",
                rusqlite::params![
                    c.system.as_str(),
                    c.name,
                    c.api_url,
                    c.store_ref,
                    c.api_version,
                    c.secret_ref,
                    format_time(now),
                    verified_at.map(format_time),
                ],
                |r| r.get(0),
            )?)
        })
    }

    pub fn connections(&self) -> Result<Vec<ConnectionRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, system, name, api_url, store_ref, api_version, secret_ref, created_at, updated_at, verified_at
                 FROM connections ORDER BY system, id",
            )?;
            let rows = stmt.query_map([], |r| {
                let system: String = r.get(1)?;
                let created: String = r.get(7)?;
                let updated: String = r.get(8)?;
                let verified: Option<String> = r.get(9)?;
                Ok(ConnectionRecord {
                    id: r.get(0)?,
                    // The CHECK constraint admits only the two known systems.
                    system: System::parse(&system).unwrap_or(System::BigCommerce),
                    name: r.get(2)?,
                    api_url: r.get(3)?,
                    store_ref: r.get(4)?,
                    api_version: r.get(5)?,
                    secret_ref: r.get(6)?,
                    created_at: parse_time(&created).unwrap_or_default(),
                    updated_at: parse_time(&updated).unwrap_or_default(),
                    verified_at: verified.as_deref().and_then(parse_time),
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    pub fn remove_connection(&self, system: System, store_ref: &str) -> Result<bool, StoreError> {
        self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM connections WHERE system = ?1 AND store_ref = ?2",
                (system.as_str(), store_ref),
            )? > 0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn saving_the_same_store_twice_updates_it() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
        let store = Store::open_in_memory(t0).unwrap();
        let mut c = NewConnection {
            system: System::BigCommerce,
            name: "Main store".into(),
            api_url: "https://api.bigcommerce.com".into(),
            store_ref: "abc123".into(),
            api_version: None,
            secret_ref: "bigcommerce:abc123".into(),
        };
        let first = store.save_connection(&c, None, t0).unwrap();
        c.name = "Renamed".into();
        let second = store.save_connection(&c, Some(t0), t0).unwrap();
        assert_eq!(first, second, "one store has one connection row, whatever the number of connects");
        let all = store.connections().unwrap();
        assert_eq!(all.len(), 1, "reconnecting must not add a second row");
        assert_eq!(all[0].name, "Renamed", "the newer details win");
        assert_eq!(all[0].verified_at, Some(t0), "verification time is recorded");
        assert!(store.remove_connection(System::BigCommerce, "abc123").unwrap(), "the row can be removed");
        assert!(store.connections().unwrap().is_empty(), "and is gone afterwards");
    }
}
