//! Faults injected at run time through each emulator's admin endpoint (`PUT /__admin/faults`).
//!
//! Lost responses and rate-limit storms are what make real integrations create duplicates and
//! hammer APIs; the emulators reproduce them on demand so tests can prove the clients cope.

use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::rng::Rng;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Fraction (0..=1) of API requests answered 500 or 503 without being applied.
    pub error_rate: f64,
    /// Added before every API response.
    pub latency_ms: u64,
    /// The next N targeted requests are cut off (connection closed) before they are applied.
    pub drop_before_commit: u32,
    /// The next N targeted requests are applied, then cut off before the response is sent:
    /// the client sees a connection error although the write happened.
    pub drop_after_commit: u32,
    /// Fraction (0..=1) of targeted requests applied and then cut off before the response: a flaky
    /// network that loses answers at random.
    pub drop_after_commit_rate: f64,
    /// Limits `error_rate` and the two `drop_*` faults to requests whose route
    /// ("POST /stores/{store_hash}/v2/orders", "POST /admin/api/{version}/graphql.json") contains this
    /// text; on Shopify the GraphQL operation name follows the route, so a target can name it.
    pub target: Option<String>,
    /// For this long from now, every API request is refused as rate-limited (HTTP 429 on
    /// BigCommerce, THROTTLED on Shopify), advertising the time left as the reset time.
    pub rate_limit_storm_ms: u64,
    /// Inventory reads return the state from this long ago (BigCommerce's inventory API is
    /// eventually consistent).
    pub stale_read_ms: u64,
    pub webhooks: WebhookFaults,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookFaults {
    /// Fraction of deliveries sent twice.
    pub duplicate_rate: f64,
    /// Fraction of deliveries never sent.
    pub drop_rate: f64,
    /// Every delivery waits this long before its first attempt.
    pub delay_ms: u64,
    /// Deliveries wait a random extra time up to `delay_ms` (or 500 ms), so they arrive out of order.
    pub reorder: bool,
}

impl FaultConfig {
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("drop_after_commit_rate", self.drop_after_commit_rate),
            ("webhooks.duplicate_rate", self.webhooks.duplicate_rate),
            ("webhooks.drop_rate", self.webhooks.drop_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0 and 1, got {rate}"));
            }
        }
        Ok(())
    }
}

/// What to do with one API request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestFault {
    None,
    /// Answer with this 5xx status without applying the request.
    ServerError(u16),
    DropBeforeCommit,
    DropAfterCommit,
}

/// The live fault settings of one emulator, with a seeded generator so runs repeat.
#[derive(Debug)]
pub struct Faults {
    inner: Mutex<FaultState>,
}

#[derive(Debug)]
struct FaultState {
    config: FaultConfig,
    rng: Rng,
    storm_until: Option<Instant>,
}

impl Faults {
    pub fn new(seed: u64) -> Faults {
        Faults {
            inner: Mutex::new(FaultState { config: FaultConfig::default(), rng: Rng::new(seed), storm_until: None }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, FaultState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn config(&self) -> FaultConfig {
        self.state().config.clone()
    }

    pub fn set(&self, config: FaultConfig) -> Result<(), String> {
        config.validate()?;
        let mut s = self.state();
        s.storm_until = (config.rate_limit_storm_ms > 0)
            .then(|| Instant::now() + Duration::from_millis(config.rate_limit_storm_ms));
        s.config = config;
        Ok(())
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.state().config.latency_ms)
    }

    pub fn stale_read(&self) -> Duration {
        Duration::from_millis(self.state().config.stale_read_ms)
    }

    /// Time left in a rate-limit storm, if one is raging.
    pub fn storm_remaining(&self) -> Option<Duration> {
        let until = self.state().storm_until?;
        until.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())
    }

    /// Decides the fate of one request on `route` ("METHOD /path/template"). Counters for the
    /// drop faults are consumed here, so each injected drop hits exactly one request.
    pub fn on_request(&self, route: &str) -> RequestFault {
        let mut s = self.state();
        let targeted = s.config.target.as_deref().is_none_or(|t| route.contains(t));
        if !targeted {
            return RequestFault::None;
        }
        if s.config.drop_before_commit > 0 {
            s.config.drop_before_commit -= 1;
            return RequestFault::DropBeforeCommit;
        }
        if s.config.drop_after_commit > 0 {
            s.config.drop_after_commit -= 1;
            return RequestFault::DropAfterCommit;
        }
        // `chance(0.0)` draws nothing, so seeded runs without this fault repeat as before.
        let lose = s.config.drop_after_commit_rate;
        if s.rng.chance(lose) {
            return RequestFault::DropAfterCommit;
        }
        let rate = s.config.error_rate;
        if s.rng.chance(rate) {
            return RequestFault::ServerError(if s.rng.chance(0.5) { 500 } else { 503 });
        }
        RequestFault::None
    }

    /// Decides how one webhook delivery misbehaves.
    pub fn on_webhook(&self) -> WebhookFate {
        let mut s = self.state();
        let w = s.config.webhooks.clone();
        let dropped = s.rng.chance(w.drop_rate);
        let duplicated = s.rng.chance(w.duplicate_rate);
        let jitter = if w.reorder { s.rng.below(w.delay_ms.max(500) + 1) } else { 0 };
        WebhookFate { dropped, duplicated, delay: Duration::from_millis(w.delay_ms + jitter) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookFate {
    pub dropped: bool,
    pub duplicated: bool,
    pub delay: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_hit_only_targeted_routes_and_are_consumed() {
        let f = Faults::new(1);
        f.set(FaultConfig {
            drop_after_commit: 1,
            target: Some("POST /stores/{store_hash}/v2/orders".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(f.on_request("GET /stores/{store_hash}/v2/orders"), RequestFault::None, "reads are not targeted");
        assert_eq!(
            f.on_request("POST /stores/{store_hash}/v2/orders"),
            RequestFault::DropAfterCommit,
            "the targeted write is cut off"
        );
        assert_eq!(f.on_request("POST /stores/{store_hash}/v2/orders"), RequestFault::None, "only once, as configured");
    }

    #[test]
    fn rejects_rates_outside_zero_to_one() {
        let f = Faults::new(1);
        assert!(f.set(FaultConfig { error_rate: 1.5, ..Default::default() }).is_err(), "150% is not a rate");
        assert_eq!(f.config(), FaultConfig::default(), "a rejected config changes nothing");
    }
}
