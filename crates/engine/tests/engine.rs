// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use tillbridge_domain::work::{Capability, Lane};
use tillbridge_engine::{App, CheckState, Clock};
use tillbridge_secrets::{MemorySecretStore, Secret, SecretStore};
use tillbridge_store::{AttemptOutcome, NewConnection, NewJob, NewRun, Opened, Settlement, Store, System, Trigger};

#[derive(Debug)]
struct FixedClock(DateTime<Utc>);
impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

fn app() -> (App, Arc<MemorySecretStore>) {
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
    let store = Store::open_in_memory(now).unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let opened = Opened { from_version: 0, to_version: 1, backup: None };
    (App::from_parts(store, secrets.clone(), Arc::new(FixedClock(now)), opened), secrets)
}

#[tokio::test]
async fn health_reports_the_build_and_schema_versions() {
    let (app, _) = app();
    let health = app.health().await.unwrap();
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"), "the UI shows this build's version");
    assert_eq!(health.schema_version, tillbridge_store::SCHEMA_VERSION, "and the schema it runs on");
}

#[tokio::test]
async fn status_shows_whether_each_connection_has_its_token() {
    let (app, secrets) = app();
    let now = app.now();
    for (system, store_ref) in [(System::BigCommerce, "abc123"), (System::Shopify, "demo.myshopify.com")] {
        let c = NewConnection {
            system,
            name: store_ref.into(),
            api_url: "http://127.0.0.1:1".into(),
            store_ref: store_ref.into(),
            api_version: None,
            secret_ref: format!("{}:{store_ref}", system.as_str()),
        };
        app.store().save_connection(&c, Some(now), now).unwrap();
    }
    secrets.set("bigcommerce:abc123", &Secret::new("tok".into())).unwrap();

    let status = app.status().await.unwrap();
    assert!(status.secret_store.ok, "the memory store always works");
    let has: Vec<(System, bool)> = status.connections.iter().map(|c| (c.system, c.has_secret)).collect();
    assert_eq!(
        has,
        vec![(System::BigCommerce, true), (System::Shopify, false)],
        "a connection whose token went missing must show it"
    );
    let json = serde_json::to_string(&status).unwrap();
    assert!(!json.contains("\"tok\""), "status never carries a token: {json}");

    let report = app.doctor().await.unwrap();
    assert!(!report.healthy, "a missing token is a failure the operator must fix");
    let shopify = report.checks.iter().find(|c| c.name == "Shopify connection").unwrap();
    assert_eq!(shopify.state, CheckState::Fail, "the Shopify row names the problem");
    assert!(shopify.fix.as_deref().unwrap_or("").contains("tillbridge connect"), "and says how to fix it");
}

#[tokio::test]
async fn doctor_warns_about_no_connections_and_dead_jobs() {
    let (app, _) = app();
    let now = app.now();
    let job = NewJob {
        kind: "catalog_write".into(),
        capability: Capability::Catalog,
        lane: Lane::Shopify,
        entity_key: "product:1:title".into(),
        idempotency_key: "k1".into(),
        payload: serde_json::json!({}),
        summary: "the title of product 1".into(),
        priority: 10,
        run_id: None,
    };
    let id = app.store().enqueue(&job, now).unwrap().id();
    app.store().claim(&[id], "elsewhere/1/1/1", now + chrono::Duration::seconds(30), now).unwrap();
    let refused = Settlement::Dead { error: "HTTP 422".into() };
    let outcome =
        AttemptOutcome { job_id: id, request_id: format!("job-{id}.1"), started_at: now, settlement: refused };
    app.store().settle(&[outcome], now).unwrap();

    let report = app.doctor().await.unwrap();
    assert!(report.healthy, "warnings alone do not make the installation unhealthy");
    let state_of = |name: &str| report.checks.iter().find(|c| c.name == name).map(|c| c.state);
    assert_eq!(state_of("database"), Some(CheckState::Ok), "an in-memory database passes its integrity check");
    assert_eq!(state_of("BigCommerce connection"), Some(CheckState::Warn), "no store connected yet is a warning");
    assert_eq!(state_of("transfer queue"), Some(CheckState::Warn), "a dead transfer needs a person");
    let queue = report.checks.iter().find(|c| c.name == "transfer queue").unwrap();
    assert!(queue.detail.contains("1 transfers were refused"), "and the check counts it: {}", queue.detail);
}

#[tokio::test]
async fn a_sync_live_in_another_process_is_not_started_over_nor_taken_for_a_crash() {
    let (app, _) = app();
    // Another process (the CLI beside the window) holds a live run in the same database.
    let new = NewRun {
        capability: Capability::Catalog,
        mode: tillbridge_engine::Scope::Full,
        dry_run: false,
        trigger: Trigger::Manual,
        owner: "another-host/4242/1/1",
    };
    let theirs = match app.store().start_run(&new, app.now(), &|_| false, &|_| false).unwrap() {
        tillbridge_store::RunStart::Started(id) => id,
        other => panic!("a fresh database has no run to resume: {other:?}"),
    };
    let refused = app
        .sync_run(tillbridge_engine::SyncRequest::new(tillbridge_engine::Scope::Delta, true))
        .await
        .expect_err("a second sync over a live one does not run");
    assert!(
        refused.message.contains("another sync") && refused.message.contains(&format!("run {theirs}")),
        "and says which run it waits for: {}",
        refused.message
    );
    assert_eq!(app.store().sync_run(theirs).unwrap().finished_at, None, "the live run is left alone");
}
