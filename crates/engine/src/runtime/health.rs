//! Each store's health, read from the last real requests in the audit log rather than from the
//! last token check: a store that answers 5xx to every write is not "connected" in any sense an
//! operator cares about.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tillbridge_store::{AuditRecord, System};
use tillbridge_transport::Outcome;

/// How many of a store's latest requests its health is read from.
const WINDOW: u32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    /// No request has gone to it yet.
    Unknown,
    Healthy,
    /// Answering, but some recent requests failed or were throttled.
    Degraded,
    /// The latest requests all failed, or the token was refused.
    Down,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StoreHealth {
    pub system: System,
    pub state: HealthState,
    /// What the state rests on, for a person.
    pub detail: String,
    pub last_request_at: Option<DateTime<Utc>>,
    pub last_status: Option<u16>,
}

/// A request that says the store is not serving us: a 5xx, a dropped connection, or a refused token.
fn failed(r: &AuditRecord) -> bool {
    r.outcome == Outcome::RetryableError || matches!(r.status, Some(401 | 403))
}

/// "the last request", "the last 12 requests".
fn requests(n: usize, lead: &str) -> String {
    if n == 1 { format!("{lead} request") } else { format!("{lead} {n} requests") }
}

/// The health `recent` (newest first) shows, its times on the store's clock (`zone`).
pub(crate) fn assess(system: System, recent: &[AuditRecord], zone: chrono_tz::Tz) -> StoreHealth {
    let Some(last) = recent.first() else {
        return StoreHealth {
            system,
            state: HealthState::Unknown,
            detail: "no request has gone to this store yet".into(),
            last_request_at: None,
            last_status: None,
        };
    };
    let failures = recent.iter().filter(|r| failed(r)).count();
    let throttled = recent.iter().filter(|r| r.outcome == Outcome::RateLimited).count();
    let newest_failing = recent.iter().take(3).filter(|r| failed(r)).count();
    let status = last.status.map_or_else(|| "no answer".to_string(), |s| format!("HTTP {s}"));
    let (state, detail) = if matches!(last.status, Some(401 | 403)) {
        (HealthState::Down, format!("the store refused the access token ({status}): connect it again in Settings"))
    } else if newest_failing == recent.len().min(3) {
        let failing = recent.iter().take_while(|r| failed(r)).count();
        let since =
            recent.get(failing.saturating_sub(1)).map_or(last.at, |r| r.at).with_timezone(&zone).format("%H:%M %Z");
        (HealthState::Down, format!("{} failed since {since}, the latest with {status}", requests(failing, "the last")))
    } else if failures > 0 || throttled * 4 > recent.len() {
        (
            HealthState::Degraded,
            format!("{failures} of the last {} requests failed and {throttled} were throttled", recent.len()),
        )
    } else {
        (HealthState::Healthy, format!("{} succeeded", requests(recent.len(), "the last")))
    };
    StoreHealth { system, state, detail, last_request_at: Some(last.at), last_status: last.status }
}

impl crate::App {
    /// Both stores' health, from their latest requests.
    pub(crate) fn store_health(&self) -> Result<Vec<StoreHealth>, crate::ApiError> {
        // The zone was checked when it was kept; a machine zone the database lacks reads as UTC.
        let zone: chrono_tz::Tz = self.store_zone()?.parse().unwrap_or(chrono_tz::UTC);
        [System::BigCommerce, System::Shopify]
            .into_iter()
            .map(|system| Ok(assess(system, &self.store.last_requests(system, WINDOW)?, zone)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use tillbridge_transport::Direction;

    use super::*;

    fn request(status: Option<u16>, outcome: Outcome) -> AuditRecord {
        AuditRecord {
            id: 1,
            at: DateTime::<Utc>::default(),
            system: System::Shopify,
            direction: Direction::Outbound,
            method: "POST".into(),
            endpoint: "/admin/api/{version}/graphql.json".into(),
            status,
            duration_ms: 10,
            attempt: 1,
            correlation_id: "job-1.1".into(),
            outcome,
            budget_left: None,
        }
    }

    #[test]
    fn health_follows_the_last_requests_not_the_last_token_check() {
        let ok = request(Some(200), Outcome::Success);
        let down = request(Some(503), Outcome::RetryableError);
        assert_eq!(
            assess(System::Shopify, &[], chrono_tz::UTC).state,
            HealthState::Unknown,
            "nothing sent yet: unknown"
        );
        assert_eq!(
            assess(System::Shopify, &[ok.clone(), ok.clone()], chrono_tz::UTC).state,
            HealthState::Healthy,
            "all answered"
        );
        let outage = assess(System::Shopify, &[down.clone(), down.clone(), down.clone(), ok.clone()], chrono_tz::UTC);
        assert_eq!(
            outage.state,
            HealthState::Down,
            "the three newest failed: the store is down whatever happened before"
        );
        assert_eq!(
            outage.detail, "the last 3 requests failed since 00:00 UTC, the latest with HTTP 503",
            "it says how many failed, since when and with what"
        );
        let chicago = assess(System::Shopify, &[down.clone(), down.clone(), down.clone()], chrono_tz::America::Chicago);
        assert!(
            chicago.detail.contains("since 18:00 CST"),
            "the time is the store's wall time, with its zone: {}",
            chicago.detail
        );
        assert_eq!(
            assess(System::Shopify, std::slice::from_ref(&ok), chrono_tz::UTC).detail,
            "the last request succeeded",
            "one request is said in the singular"
        );
        assert_eq!(
            assess(System::Shopify, &[ok.clone(), down.clone(), ok.clone()], chrono_tz::UTC).state,
            HealthState::Degraded,
            "answering again, but a recent failure is shown"
        );
        let refused = request(Some(401), Outcome::PermanentError);
        assert_eq!(
            assess(System::Shopify, &[refused, ok.clone()], chrono_tz::UTC).state,
            HealthState::Down,
            "a refused token is down"
        );
        let refusal = request(Some(422), Outcome::PermanentError);
        assert_eq!(
            assess(System::Shopify, &[refusal, ok], chrono_tz::UTC).state,
            HealthState::Healthy,
            "a refused write is the store working as it should"
        );
    }
}
