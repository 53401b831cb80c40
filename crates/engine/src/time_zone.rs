//! The time zone every screen shows its times in: the BigCommerce store's (the store of record),
//! else the Shopify shop's, else this computer's. An operator on a back-office PC set to UTC reads
//! "06:31" as the shop's 06:31. Each store's zone is read with its connection check (BigCommerce's
//! `GET /v2/store` `timezone.name`, Shopify's `shop { ianaTimezone }`) and kept in a setting beside
//! the connection, so showing it costs no request.

use serde::{Deserialize, Serialize};
use tillbridge_domain::schedule::DailySchedule;
use tillbridge_store::System;

use crate::{ApiError, App, ConnectionView};

/// Where the zone the screens use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub enum TimeZoneSource {
    #[serde(rename = "bigcommerce")]
    BigCommerce,
    #[serde(rename = "shopify")]
    Shopify,
    /// Neither store gave a zone (or none is connected): this computer's.
    #[serde(rename = "machine")]
    Machine,
}

/// The zone the screens show times in: an IANA name, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StoreTimeZone {
    pub zone: String,
    pub source: TimeZoneSource,
}

/// What a connection check read: the zone belongs to the store it was read from, so a store
/// connected in its place does not inherit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct KeptZone {
    store_ref: String,
    zone: Option<String>,
}

fn setting_key(system: System) -> String {
    format!("connection.{}.time_zone", system.as_str())
}

/// `zone` when the zone database knows it; a store's setting Tillbridge cannot use is no zone.
pub(crate) fn known_zone(zone: Option<&str>) -> Option<String> {
    let zone = zone?.trim();
    let known = !zone.is_empty() && DailySchedule { at: "00:00".into(), time_zone: zone.to_string() }.parse().is_ok();
    if !known {
        tracing::warn!(zone, "a store gave a time zone the zone database does not know; it is not used");
    }
    known.then(|| zone.to_string())
}

/// The zone the screens use, from the connections as listed (BigCommerce first).
pub(crate) fn resolve(connections: &[ConnectionView]) -> StoreTimeZone {
    let from = |system: System| connections.iter().filter(|c| c.system == system).find_map(|c| c.time_zone.clone());
    if let Some(zone) = from(System::BigCommerce) {
        return StoreTimeZone { zone, source: TimeZoneSource::BigCommerce };
    }
    if let Some(zone) = from(System::Shopify) {
        return StoreTimeZone { zone, source: TimeZoneSource::Shopify };
    }
    StoreTimeZone { zone: crate::runtime::schedule::local_zone(), source: TimeZoneSource::Machine }
}

impl App {
    /// Records the zone a connection check read (none, when the store gave none).
    pub(crate) fn keep_time_zone(&self, system: System, store_ref: &str, zone: Option<String>) -> Result<(), ApiError> {
        let kept = KeptZone { store_ref: store_ref.to_string(), zone };
        Ok(self.store.set_setting(&setting_key(system), &kept, self.now())?)
    }

    /// The zone last read for this store, if any. An unreadable setting only costs the zone: the
    /// screens then fall back to the other store's, or this computer's.
    pub(crate) fn kept_time_zone(&self, system: System, store_ref: &str) -> Option<String> {
        match self.store.setting::<KeptZone>(&setting_key(system)) {
            Ok(kept) => kept.filter(|k| k.store_ref == store_ref).and_then(|k| k.zone),
            Err(e) => {
                tracing::warn!(error = %e, "the stored time zone of a connection cannot be read");
                None
            }
        }
    }

    /// The zone the screens show times in, and the one a day's reconciliation and a schedule set
    /// without a zone go by.
    pub async fn time_zone(&self) -> Result<StoreTimeZone, ApiError> {
        self.blocking(|app| Ok(resolve(&app.connection_views(false)?))).await
    }

    /// As [`App::time_zone`], its name only, from blocking code.
    pub(crate) fn store_zone(&self) -> Result<String, ApiError> {
        Ok(resolve(&self.connection_views(false)?).zone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(system: System, zone: Option<&str>) -> ConnectionView {
        ConnectionView {
            system,
            name: "store".into(),
            store_ref: "ref".into(),
            api_url: "https://example.com".into(),
            api_version: None,
            verified_at: None,
            has_secret: true,
            time_zone: zone.map(str::to_string),
        }
    }

    #[test]
    fn bigcommerce_then_shopify_then_this_computer() {
        let both = [
            connection(System::BigCommerce, Some("America/Chicago")),
            connection(System::Shopify, Some("Europe/London")),
        ];
        assert_eq!(
            resolve(&both),
            StoreTimeZone { zone: "America/Chicago".into(), source: TimeZoneSource::BigCommerce },
            "BigCommerce is the store of record: its zone wins"
        );
        let shopify_only = [connection(System::BigCommerce, None), connection(System::Shopify, Some("Europe/London"))];
        assert_eq!(
            resolve(&shopify_only),
            StoreTimeZone { zone: "Europe/London".into(), source: TimeZoneSource::Shopify },
            "a BigCommerce store that gave no zone falls back to Shopify's"
        );
        assert_eq!(resolve(&[]).source, TimeZoneSource::Machine, "with no store connected, this computer's zone");
    }

    #[test]
    fn only_zones_the_database_knows_are_kept() {
        assert_eq!(known_zone(Some(" America/Chicago ")), Some("America/Chicago".into()), "a known zone, trimmed");
        assert_eq!(known_zone(Some("Mars/Olympus")), None, "an unknown name is no zone");
        assert_eq!(known_zone(Some("")), None, "an empty name is no zone");
        assert_eq!(known_zone(None), None, "no name is no zone");
    }
}
