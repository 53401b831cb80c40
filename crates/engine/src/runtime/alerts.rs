//! What a person should hear about while the window is minimized: a scheduled run that failed or
//! waits for approval. The desktop shell turns each alert into a notification.
//!
//! Polled cycles run every 30 s: a store that stays down would fail every one of them. A kind of
//! run alerts once, and again only after one of its runs has ended well, so a night-long outage is
//! one notification rather than a thousand.

use std::collections::HashSet;

use serde::Serialize;
use tillbridge_domain::work::Capability;
use tillbridge_store::{SyncRunRecord, Trigger};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunAlert {
    pub run_id: i64,
    pub capability: Capability,
    /// "Stock sync failed", "The morning sync waits for your approval".
    pub title: String,
    /// Why, in the run's own words, and where to look.
    pub body: String,
}

/// Which kinds of run have alerted since their last good end.
#[derive(Debug, Default)]
pub(crate) struct Alerting {
    raised: HashSet<Capability>,
}

fn kind(capability: Capability) -> &'static str {
    match capability {
        Capability::Catalog => "Product sync",
        Capability::Stock => "Stock sync",
        Capability::Orders => "POS orders sync",
    }
}

impl Alerting {
    /// The alert a finished run calls for, if any.
    pub(crate) fn on_end(&mut self, run: &SyncRunRecord) -> Option<RunAlert> {
        let alert = match run.phase.as_str() {
            "failed" => RunAlert {
                run_id: run.id,
                capability: run.capability,
                title: format!("{} failed", kind(run.capability)),
                body: format!(
                    "{} Tillbridge tries again on its own; Home and Runs show the details.",
                    run.error.as_deref().unwrap_or("The run stopped.")
                ),
            },
            "needs_approval" => RunAlert {
                run_id: run.id,
                capability: run.capability,
                title: format!("{} waits for your approval", kind(run.capability)),
                body: format!(
                    "{}. Nothing was written: open Sync to look at the preview and approve it.",
                    run.approval_reason.as_deref().unwrap_or("It would change more than the guard rails allow")
                ),
            },
            "cancelled" => return None,
            _ => {
                self.raised.remove(&run.capability);
                return None;
            }
        };
        // A person who started the run is looking at it already.
        if run.trigger != Trigger::Scheduled || !self.raised.insert(run.capability) {
            return None;
        }
        Some(alert)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use tillbridge_domain::Scope;

    use super::*;

    fn run(id: i64, capability: Capability, trigger: Trigger, phase: &str) -> SyncRunRecord {
        SyncRunRecord {
            id,
            capability,
            mode: Scope::Delta,
            dry_run: false,
            trigger,
            started_at: Utc::now(),
            finished_at: Some(Utc::now()),
            phase: phase.into(),
            error: Some("Shopify answered 500 to the last 12 requests".into()),
            changes: 0,
            written: 0,
            failed: 0,
            superseded: 0,
            approval_reason: None,
            owner: None,
            heartbeat_at: None,
            cancel_requested: false,
        }
    }

    #[test]
    fn an_outage_alerts_once_per_kind_until_a_run_of_that_kind_ends_well() {
        let mut alerting = Alerting::default();
        let first = alerting.on_end(&run(1, Capability::Stock, Trigger::Scheduled, "failed")).expect("a failed poll");
        assert_eq!(first.title, "Stock sync failed");
        assert!(first.body.contains("answered 500"), "the body carries the run's own reason: {}", first.body);
        assert_eq!(
            alerting.on_end(&run(2, Capability::Stock, Trigger::Scheduled, "failed")),
            None,
            "the next failed poll of the same outage stays quiet"
        );
        assert!(
            alerting.on_end(&run(3, Capability::Orders, Trigger::Scheduled, "failed")).is_some(),
            "another kind of run alerts on its own"
        );
        assert_eq!(
            alerting.on_end(&run(4, Capability::Stock, Trigger::Scheduled, "done")),
            None,
            "a good end is no news"
        );
        assert!(
            alerting.on_end(&run(5, Capability::Stock, Trigger::Scheduled, "failed")).is_some(),
            "after a good end, a new failure alerts again"
        );
    }

    #[test]
    fn only_scheduled_runs_that_fail_or_wait_alert() {
        let mut alerting = Alerting::default();
        assert_eq!(
            alerting.on_end(&run(1, Capability::Catalog, Trigger::Manual, "failed")),
            None,
            "a person who started a run sees it fail on screen"
        );
        assert_eq!(alerting.on_end(&run(2, Capability::Catalog, Trigger::Scheduled, "cancelled")), None);
        let waiting = alerting
            .on_end(&SyncRunRecord {
                approval_reason: Some("612 changes, more than the 500 allowed".into()),
                ..run(3, Capability::Catalog, Trigger::Scheduled, "needs_approval")
            })
            .expect("a held morning sync asks for a person");
        assert_eq!(waiting.title, "Product sync waits for your approval");
        assert!(waiting.body.starts_with("612 changes"), "the body says why it waits: {}", waiting.body);
    }
}
