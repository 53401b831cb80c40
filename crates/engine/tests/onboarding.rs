//! The first-run setup against the emulated stores: each step turns done when what it sets up
//! exists (whichever screen or command made it), the current step is the first one missing, the
//! location pairs are suggested by name, and putting the setup away hides it without touching a
//! step.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use chrono::Utc;
use tillbridge_emulator::SeedSpec;
use tillbridge_engine::{
    App, LocationRules, MapLocationsRequest, OnboardingDismissRequest, OnboardingStep, OnboardingView, OrdersConfig,
    Ownership, RuntimeOptions, ScheduleRequest, Scope, StepState, StockOwner, SuggestedBy, SyncRequest, SystemClock,
};
use tillbridge_secrets::MemorySecretStore;
use tillbridge_store::{Opened, Store};

fn fresh_app() -> App {
    App::from_parts(
        Store::open_in_memory(Utc::now()).unwrap(),
        Arc::new(MemorySecretStore::default()),
        Arc::new(SystemClock),
        Opened { from_version: 0, to_version: 3, backup: None },
    )
}

fn state(view: &OnboardingView, step: OnboardingStep) -> StepState {
    view.steps.iter().find(|s| s.step == step).map(|s| s.state).expect("every step is listed")
}

fn current(view: &OnboardingView) -> Option<OnboardingStep> {
    view.steps.iter().find(|s| s.state == StepState::Current).map(|s| s.step)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_step_is_done_when_its_result_exists_in_order_to_the_schedule() {
    let stores = support::stores(SeedSpec { variants: 30, locations: 2, ..SeedSpec::default() }).await;
    let app = fresh_app();

    let fresh = app.onboarding().await.unwrap();
    assert_eq!(fresh.steps.len(), 7, "seven steps, from connecting to the schedule");
    assert_eq!(current(&fresh), Some(OnboardingStep::Connect), "a fresh installation starts by connecting");
    assert!(fresh.show, "a fresh installation opens the setup");
    assert!(
        fresh.steps[1..].iter().all(|s| s.state == StepState::Waiting),
        "nothing else can be done before the stores are connected: {:?}",
        fresh.steps
    );
    assert!(
        fresh.steps[0].summary.contains("tillbridge demo"),
        "step 1 names the demo command: {}",
        fresh.steps[0].summary
    );

    support::connect_both(&app, &stores).await;
    app.start_runtime(RuntimeOptions::one_shot());
    let connected = app.onboarding().await.unwrap();
    assert_eq!(state(&connected, OnboardingStep::Connect), StepState::Done, "both stores are connected");
    assert_eq!(current(&connected), Some(OnboardingStep::PosChannel), "the POS orders come next");

    app.set_orders_config(OrdersConfig { enabled: true, ..OrdersConfig::default() }).await.unwrap();
    let orders = app.onboarding().await.unwrap();
    assert_eq!(state(&orders, OnboardingStep::PosChannel), StepState::Done, "the saved POS settings make step 2 done");
    assert!(
        orders.steps[1].summary.contains("every Shopify location"),
        "and say what was chosen: {}",
        orders.steps[1].summary
    );
    assert_eq!(current(&orders), Some(OnboardingStep::Locations), "then the locations");

    let live = app.locations().await.unwrap();
    assert_eq!(live.suggestions.len(), 2, "the seeded stores name their two locations alike: {:?}", live.suggestions);
    assert!(live.suggestions.iter().all(|s| s.by == SuggestedBy::Name), "both found by name");
    for s in &live.suggestions {
        let bc = live.bigcommerce.iter().find(|l| l.id == s.bigcommerce_location_id.to_string()).unwrap();
        let sh = live.shopify.iter().find(|l| l.id == s.shopify_location_id).unwrap();
        assert_eq!(bc.name, sh.name, "a suggestion by name pairs locations of the same name");
    }
    let first = &live.suggestions[0];
    app.map_locations(MapLocationsRequest {
        bigcommerce_location_id: first.bigcommerce_location_id,
        shopify_location_id: first.shopify_location_id.clone(),
        rules: LocationRules { owner: StockOwner::Both, same_window: Default::default(), hold_back: 0, cap: None },
    })
    .await
    .unwrap();
    assert_eq!(app.locations().await.unwrap().suggestions.len(), 1, "a pair made is no longer suggested");
    let located = app.onboarding().await.unwrap();
    assert_eq!(state(&located, OnboardingStep::Locations), StepState::Done, "one pair is enough to go on");
    assert_eq!(current(&located), Some(OnboardingStep::Owners), "then the field owners");

    app.set_ownership(Ownership::default()).await.unwrap();
    let owned = app.onboarding().await.unwrap();
    assert_eq!(
        state(&owned, OnboardingStep::Owners),
        StepState::Done,
        "owners kept as they are still count once saved"
    );
    assert_eq!(current(&owned), Some(OnboardingStep::Preview), "then the preview");
    assert_eq!(owned.preview_run_id, None, "no preview has run");

    let preview = app.sync_run(SyncRequest::new(Scope::Full, true)).await.unwrap();
    assert_eq!(preview.error, None, "the preview ran");
    let previewed = app.onboarding().await.unwrap();
    assert_eq!(previewed.preview_run_id, preview.run_id, "the finished preview is the one the step names");
    assert_eq!(current(&previewed), Some(OnboardingStep::FullSync), "then the first full sync");
    assert_eq!(previewed.full_sync_run_id, None, "a preview is not a full sync");

    let full = app.sync_run(SyncRequest::new(Scope::Full, false)).await.unwrap();
    assert_eq!(full.error, None, "the full sync ran");
    let synced = app.onboarding().await.unwrap();
    assert_eq!(synced.full_sync_run_id, full.run_id, "the full sync is the one the step names");
    assert_eq!(synced.preview_run_id, preview.run_id, "and the preview stays done");
    assert_eq!(current(&synced), Some(OnboardingStep::Schedule), "the schedule is last");
    assert!(synced.show && !synced.complete, "one step is left");

    app.set_schedule(ScheduleRequest { at: Some("06:30".into()), time_zone: Some("Europe/Paris".into()), guard: None })
        .await
        .unwrap();
    let done = app.onboarding().await.unwrap();
    assert!(done.complete, "every step is done: {:?}", done.steps);
    assert!(!done.show, "a finished setup does not open again");
    assert!(done.steps[6].summary.contains("06:30 (Europe/Paris)"), "the schedule is named: {}", done.steps[6].summary);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_done_elsewhere_counts_and_a_later_step_stays_done() {
    let app = fresh_app();
    // A schedule set from Settings before anything else.
    app.set_schedule(ScheduleRequest { at: None, time_zone: None, guard: None }).await.unwrap();
    let view = app.onboarding().await.unwrap();
    assert_eq!(state(&view, OnboardingStep::Schedule), StepState::Done, "a schedule deliberately left off is a choice");
    assert!(view.steps[6].summary.contains("No morning sync"), "and says so: {}", view.steps[6].summary);
    assert_eq!(current(&view), Some(OnboardingStep::Connect), "the first missing step is still the current one");
    assert_eq!(view.steps.iter().filter(|s| s.state == StepState::Current).count(), 1, "exactly one step is current");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn putting_the_setup_away_hides_it_and_bringing_it_back_shows_it() {
    let app = fresh_app();
    let before = app.onboarding().await.unwrap();
    let away = app.set_onboarding_dismissed(OnboardingDismissRequest { dismissed: true }).await.unwrap();
    assert!(away.dismissed && !away.show, "put away: the app opens on the home screen");
    assert_eq!(away.steps, before.steps, "putting it away changes no step");
    assert!(app.onboarding().await.unwrap().dismissed, "the choice is kept, not only answered");
    let back = app.set_onboarding_dismissed(OnboardingDismissRequest { dismissed: false }).await.unwrap();
    assert!(back.show, "reopened from Settings, it shows again while steps are left");
}
