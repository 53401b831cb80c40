//! The commands as the window calls them: through Tauri's IPC on the mock runtime (no display),
//! built with the same `setup` as the real app.

// The helpers below run only inside tests, where a failed step should stop the test with its reason.
#![allow(clippy::expect_used)]

use std::path::PathBuf;

use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};
use tillbridge_engine::{App, Config, SecretStoreSpec};

/// A private folder removed at the end of the test. (Not the `tempfile` crate: as a dev-dependency
/// it changes `rustix`'s features, and `cargo test` would then rebuild tauri's whole tree.)
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("tillbridge-desktop-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An engine on a fresh database file in `dir`, with secrets kept in memory.
fn engine(dir: &TempDir) -> App {
    let config = Config { db_path: dir.0.join("t.db"), secrets: SecretStoreSpec::Memory };
    tauri::async_runtime::block_on(App::open(config)).expect("the engine opens on a fresh database")
}

/// The app built by the shared `setup`, plus a webview to send IPC from.
fn window(engine: App) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = tillbridge_desktop::setup(mock_builder(), engine)
        .build(mock_context(noop_assets()))
        .expect("the app builds on the mock runtime");
    let webview =
        WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("the mock runtime opens a window");
    (app, webview)
}

fn invoke(webview: &WebviewWindow<MockRuntime>, cmd: &str) -> Result<Value, Value> {
    invoke_with(webview, cmd, InvokeBody::default())
}

/// A command called the way api.ts calls it: one argument object, named `req`.
fn invoke_req(webview: &WebviewWindow<MockRuntime>, cmd: &str, req: Value) -> Result<Value, Value> {
    invoke_with(webview, cmd, InvokeBody::Json(serde_json::json!({ "req": req })))
}

fn invoke_with(webview: &WebviewWindow<MockRuntime>, cmd: &str, body: InvokeBody) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("a valid URL"),
        body,
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(webview, request).map(|body| body.deserialize::<Value>().expect("the response is JSON"))
}

#[test]
fn health_over_ipc_reports_this_build() {
    let dir = TempDir::new("health");
    let (_app, webview) = window(engine(&dir));

    let health = invoke(&webview, "health").expect("health succeeds on a fresh database");

    assert_eq!(
        health["version"],
        env!("CARGO_PKG_VERSION"),
        "the window shows the version the engine reports; it must be this build's"
    );
    assert!(
        health["schema_version"].as_u64().is_some_and(|v| v > 0),
        "a migrated database has a schema version above 0, got {health}"
    );
}

#[test]
fn status_and_doctor_answer_over_ipc() {
    let dir = TempDir::new("status");
    let (_app, webview) = window(engine(&dir));

    let status = invoke(&webview, "status").expect("status succeeds on a fresh database");
    assert_eq!(
        status["secret_store"]["kind"], "memory",
        "status must describe the secret store the app was opened with"
    );
    assert!(
        status["database"]["path"].as_str().is_some_and(|p| p.ends_with("t.db")),
        "status must name the database file in use, got {status}"
    );

    let doctor = invoke(&webview, "doctor").expect("doctor succeeds on a fresh database");
    assert!(doctor["checks"].as_array().is_some_and(|c| !c.is_empty()), "doctor must report its checks, got {doctor}");
}

#[test]
fn engine_errors_reach_the_window_as_code_and_message() {
    let dir = TempDir::new("error");
    let app = engine(&dir);
    // Damage the database under the engine: reading the connections now fails.
    app.store()
        .write(|tx| Ok(tx.execute_batch("DROP TABLE connections")?))
        .expect("dropping a table of a fresh database works");
    let (_app, webview) = window(app);

    let error = invoke(&webview, "status").expect_err("status fails when the connections table is gone");

    let fields = error.as_object().expect("the error is an object, not a bare string");
    let mut keys: Vec<&str> = fields.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "message"], "the UI reads exactly {{code, message}}; got {error}");
    assert!(
        error["message"].as_str().is_some_and(|m| m.contains("connections")),
        "the message must say what failed so a person can act on it, got {error}"
    );
}

#[test]
fn mapping_and_ownership_answer_over_ipc_with_their_request_objects() {
    let dir = TempDir::new("mapping");
    let (_app, webview) = window(engine(&dir));

    let page = invoke_req(&webview, "mapping", serde_json::json!({ "class": "unmatched", "offset": 0, "limit": 50 }))
        .expect("a mapping page answers on a fresh database");
    assert_eq!(page["total"], 0, "nothing has been read yet, so the page is empty: {page}");
    assert_eq!(page["counts"]["matched"], 0, "and every class count is zero: {page}");

    let bad = invoke_req(&webview, "mapping", serde_json::json!({ "class": "sideways" }))
        .expect_err("an unknown class is refused");
    assert!(bad["message"].as_str().is_some_and(|m| m.contains("sideways")), "the refusal names the bad value: {bad}");

    let owners = invoke(&webview, "ownership").expect("ownership answers");
    assert_eq!(
        owners["price"], "bigcommerce",
        "BigCommerce owns every field until the operator says otherwise: {owners}"
    );
    let mut changed = owners.clone();
    changed["barcode"] = "shopify".into();
    changed["title"] = "none".into();
    invoke_req(&webview, "set_ownership", changed.clone()).expect("ownership can be changed over IPC");
    assert_eq!(invoke(&webview, "ownership").expect("ownership answers"), changed, "the change is kept");
}

#[test]
fn matching_rules_and_unignore_take_the_shapes_the_window_sends() {
    let dir = TempDir::new("rules");
    let (_app, webview) = window(engine(&dir));

    let rules = invoke(&webview, "matching_rules").expect("the rules answer on a fresh database");
    assert_eq!(rules["sku"]["case_fold"], true, "SKUs are case-folded by default: {rules}");
    assert_eq!(rules["synonyms"]["names"]["colour"], "color", "the default synonyms know Colour = Color: {rules}");
    let mut changed = rules.clone();
    changed["synonyms"]["values"]["e2e-xxxl"] = "xxx-large".into();
    let counts = invoke_req(&webview, "set_matching_rules", changed.clone()).expect("new rules are accepted");
    assert_eq!(counts["matched"], 0, "saving re-matches the (empty) snapshot and answers its counts: {counts}");
    assert_eq!(invoke(&webview, "matching_rules").expect("the rules answer"), changed, "the new synonym is kept");

    let refused =
        invoke_req(&webview, "mapping_unignore", serde_json::json!({ "system": "shopify", "variant_id": "7" }))
            .expect_err("an id that is not a Shopify GID is refused");
    assert!(refused["message"].as_str().is_some_and(|m| m.contains("gid://shopify/ProductVariant/")), "{refused}");
}

#[test]
fn the_runtime_screens_take_the_shapes_the_window_sends() {
    let dir = TempDir::new("runtime");
    let (_app, webview) = window(engine(&dir));

    let runs = invoke_req(&webview, "runs", serde_json::json!({ "limit": 20 })).expect("runs answer");
    assert_eq!(runs["total"], 0, "a fresh database has run nothing: {runs}");
    let failed = invoke_req(&webview, "failed_jobs", serde_json::json!({ "limit": 50 })).expect("failed answers");
    assert_eq!(failed["total"], 0, "and nothing failed: {failed}");
    let missing = invoke_req(&webview, "job_timeline", serde_json::json!({ "id": 7 }))
        .expect_err("the timeline of a job that does not exist is refused");
    assert!(missing["message"].is_string(), "with a message the window can show: {missing}");
    let retried = invoke_req(&webview, "retry_jobs", serde_json::json!({ "ids": [7], "all": false }))
        .expect("a retry of an unknown job answers");
    assert_eq!(retried["left"], serde_json::json!([7]), "and says it left the job alone: {retried}");

    assert_eq!(invoke(&webview, "paused").expect("the kill switch answers")["paused"], false, "writes flow by default");
    let paused = invoke_req(&webview, "set_paused", serde_json::json!({ "paused": true })).expect("pause is taken");
    assert_eq!(paused["paused"], true, "the switch turns on: {paused}");
    assert_eq!(invoke(&webview, "paused").expect("the kill switch answers")["paused"], true, "and stays on");
    let cancel = invoke_req(&webview, "sync_cancel", serde_json::json!({ "capability": "catalog" }))
        .expect("a cancel with nothing running answers");
    assert_eq!(cancel["run_id"], serde_json::Value::Null, "no run was running to cancel: {cancel}");
}
