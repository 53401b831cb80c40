//! The first-run setup as the UI walks it: each step's state read from what already exists
//! ([`tillbridge_domain::onboarding`] decides), and the operator's choice to put the setup away.
//! Only that choice is stored; the steps themselves follow the connections, settings, pairs and
//! runs, so finishing a step on another screen or from the command line counts the same.

use serde::{Deserialize, Serialize};
use tillbridge_domain::catalog::{Owner, Ownership};
use tillbridge_domain::onboarding::{OnboardingFacts, OnboardingStep, StepState, step_states};
use tillbridge_store::System;

use crate::catalog::OWNERSHIP_SETTING;
use crate::orders::OrdersConfig;
use crate::runtime::schedule::SCHEDULE_SETTING;
use crate::{ApiError, App};

/// Whether the operator put the setup away; it stays reachable from Settings.
pub(crate) const DISMISSED_SETTING: &str = "onboarding.dismissed";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OnboardingStepView {
    pub step: OnboardingStep,
    pub state: StepState,
    /// Where the step stands, in words: what is there, or what to do.
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OnboardingView {
    /// The seven steps, in order.
    pub steps: Vec<OnboardingStepView>,
    pub complete: bool,
    pub dismissed: bool,
    /// Open the setup when the app starts: some step is not done and the operator did not put it away.
    pub show: bool,
    /// The finished preview that makes step 5 done.
    pub preview_run_id: Option<i64>,
    /// The finished full sync that makes step 6 done.
    pub full_sync_run_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct OnboardingDismissRequest {
    /// True puts the setup away; false brings it back when the app next opens.
    pub dismissed: bool,
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn owners_summary(o: &Ownership) -> String {
    let fields =
        [("title", o.title), ("price", o.price), ("sale price", o.sale_price), ("barcode", o.barcode), ("SKU", o.sku)];
    let list =
        |owner: Owner| fields.iter().filter(|(_, w)| *w == owner).map(|(f, _)| *f).collect::<Vec<_>>().join(", ");
    let parts: Vec<String> =
        [(Owner::BigCommerce, "BigCommerce owns"), (Owner::Shopify, "Shopify owns"), (Owner::None, "not synced:")]
            .into_iter()
            .filter_map(|(owner, words)| Some(list(owner)).filter(|l| !l.is_empty()).map(|l| format!("{words} {l}")))
            .collect();
    format!("Saved: {}.", parts.join("; "))
}

impl App {
    pub async fn onboarding(&self) -> Result<OnboardingView, ApiError> {
        self.blocking(|app| app.onboarding_view()).await
    }

    /// Puts the setup away (or brings it back); the steps are untouched.
    pub async fn set_onboarding_dismissed(
        &self,
        request: OnboardingDismissRequest,
    ) -> Result<OnboardingView, ApiError> {
        self.blocking(move |app| {
            app.store.set_setting(DISMISSED_SETTING, &request.dismissed, app.now())?;
            app.onboarding_view()
        })
        .await
    }

    fn onboarding_view(&self) -> Result<OnboardingView, ApiError> {
        let connections = self.store.connections()?;
        let named = |system: System| connections.iter().find(|c| c.system == system).map(|c| c.name.clone());
        let (bigcommerce, shopify) = (named(System::BigCommerce), named(System::Shopify));
        let orders: Option<OrdersConfig> = self.store.setting(crate::orders::SETTINGS_KEY)?;
        let pairs = self.store.location_pairs()?;
        let ownership: Option<Ownership> = self.store.setting(OWNERSHIP_SETTING)?;
        let preview = self.store.latest_finished_catalog_run(true, true)?;
        let full_sync = self.store.latest_finished_catalog_run(false, true)?;
        let schedule = self.schedule_view()?;
        let schedule_chosen = self.store.setting::<serde_json::Value>(SCHEDULE_SETTING)?.is_some();
        let dismissed = self.store.setting::<bool>(DISMISSED_SETTING)?.unwrap_or(false);

        let facts = OnboardingFacts {
            bigcommerce_connected: bigcommerce.is_some(),
            shopify_connected: shopify.is_some(),
            pos_orders_chosen: orders.is_some(),
            location_pairs: pairs.len() as u64,
            owners_chosen: ownership.is_some(),
            preview_finished: preview.is_some(),
            full_sync_finished: full_sync.is_some(),
            schedule_chosen,
        };
        let summary = |step: OnboardingStep| -> String {
            match step {
                OnboardingStep::Connect => match (&bigcommerce, &shopify) {
                    (Some(b), Some(s)) => format!("BigCommerce ({b}) and Shopify ({s}) are connected."),
                    (Some(_), None) => "BigCommerce is connected; Shopify is not yet.".into(),
                    (None, Some(_)) => "Shopify is connected; BigCommerce is not yet.".into(),
                    (None, None) => {
                        "Connect both stores, or first try Tillbridge on emulated stores: run tillbridge demo.".into()
                    }
                },
                OnboardingStep::PosChannel => match &orders {
                    Some(c) if c.enabled && c.locations.is_empty() => {
                        "POS sales become BigCommerce orders, from every Shopify location.".into()
                    }
                    Some(c) if c.enabled => format!(
                        "POS sales become BigCommerce orders, from {}.",
                        plural(c.locations.len() as u64, "Shopify location", "Shopify locations")
                    ),
                    Some(_) => {
                        "POS sales stay in Shopify: carrying them is off (the Orders screen turns it on).".into()
                    }
                    None => {
                        "Choose whether Shopify POS sales become BigCommerce orders, and from which locations.".into()
                    }
                },
                OnboardingStep::Locations if pairs.is_empty() => {
                    "Pair each BigCommerce location with the Shopify location that sells from the same shelf.".into()
                }
                OnboardingStep::Locations => format!(
                    "{} synced: {}.",
                    plural(pairs.len() as u64, "location pair", "location pairs"),
                    pairs.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
                OnboardingStep::Owners => match &ownership {
                    Some(o) => owners_summary(o),
                    None => "Choose which store's value wins for each product field.".into(),
                },
                OnboardingStep::Preview => match &preview {
                    Some(r) => {
                        format!("Preview {} listed {} without writing.", r.id, plural(r.changes, "change", "changes"))
                    }
                    None => "Read both stores and list what a full sync would change; nothing is written.".into(),
                },
                OnboardingStep::FullSync => match &full_sync {
                    Some(r) if r.failed > 0 => format!(
                        "Full sync {} wrote {}; {} failed and wait on the Failed screen.",
                        r.id,
                        plural(r.written, "change", "changes"),
                        r.failed
                    ),
                    Some(r) => format!("Full sync {} wrote {}.", r.id, plural(r.written, "change", "changes")),
                    None => "Make the changes the preview listed.".into(),
                },
                OnboardingStep::Schedule => match (&schedule.at, &schedule.time_zone, schedule.enabled) {
                    (Some(at), Some(zone), true) => format!("A full sync runs every morning at {at} ({zone})."),
                    _ if schedule_chosen => "No morning sync: full syncs run when you start them.".into(),
                    _ => "Choose when the full sync runs every morning, before opening hours.".into(),
                },
            }
        };
        let steps: Vec<OnboardingStepView> = step_states(&facts)
            .into_iter()
            .map(|(step, state)| OnboardingStepView { step, state, summary: summary(step) })
            .collect();
        let complete = steps.iter().all(|s| s.state == StepState::Done);
        Ok(OnboardingView {
            steps,
            complete,
            dismissed,
            show: !complete && !dismissed,
            preview_run_id: preview.map(|r| r.id),
            full_sync_run_id: full_sync.map(|r| r.id),
        })
    }
}
