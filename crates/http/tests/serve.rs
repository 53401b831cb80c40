// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use tillbridge_engine::{App, SystemClock};
use tillbridge_http::{ServeOptions, bind, check_bind, serve};
use tillbridge_secrets::MemorySecretStore;
use tillbridge_store::{Opened, Store};

async fn start(ui_dir: Option<std::path::PathBuf>) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
    let app = App::from_parts(
        Store::open_in_memory(now).unwrap(),
        Arc::new(MemorySecretStore::default()),
        Arc::new(SystemClock),
        Opened { from_version: 0, to_version: 1, backup: None },
    );
    let opts = ServeOptions { addr: "127.0.0.1:0".parse().unwrap(), allowed_hosts: Vec::new(), ui_dir };
    let (listener, addr) = bind(&opts).await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        serve(Arc::new(app), &opts, listener, async move {
            let _ = rx.await;
        })
        .await
        .unwrap()
    });
    (addr, tx)
}

/// A raw HTTP/1.1 GET, so the test controls the Host header exactly as a browser would send it.
async fn get(addr: SocketAddr, path: &str, host: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).await.unwrap();
    let status = buf.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = buf.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn health_answers_with_version_and_schema() {
    let (addr, _stop) = start(None).await;
    let (status, body) = get(addr, "/api/health", &addr.to_string()).await;
    assert_eq!(status, 200, "health must answer on the loopback address: {body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"), "the version of this build");
    assert_eq!(v["schema_version"], tillbridge_store::SCHEMA_VERSION, "the schema version in use");
}

#[tokio::test]
async fn foreign_host_names_are_refused() {
    let (addr, _stop) = start(None).await;
    let (status, body) = get(addr, "/api/status", "evil.example:80").await;
    assert_eq!(status, 400, "a rebinding page's Host must not reach the API");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["message"].as_str().unwrap().contains("127.0.0.1"), "the error says where the panel lives: {body}");
    assert!(v.get("code").is_some(), "errors keep the {{code, message}} shape");
    let (status, _) = get(addr, "/api/health", &format!("localhost:{}", addr.port())).await;
    assert_eq!(status, 200, "localhost with the right port is this machine");
}

#[tokio::test]
async fn serves_the_built_ui_and_falls_back_to_index_for_app_routes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<html>tillbridge-ui-marker</html>").unwrap();
    let (addr, _stop) = start(Some(dir.path().to_path_buf())).await;
    let (status, body) = get(addr, "/", &addr.to_string()).await;
    assert_eq!((status, body.contains("tillbridge-ui-marker")), (200, true), "the UI's index is served at /");
    let (status, body) = get(addr, "/mapping", &addr.to_string()).await;
    assert_eq!((status, body.contains("tillbridge-ui-marker")), (200, true), "client-side routes load the app");
    let (status, body) = get(addr, "/api/nope", &addr.to_string()).await;
    assert_eq!(status, 404, "an unknown API route is not found, not the UI page: {body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["message"].as_str().unwrap().contains("/api/nope"), "the error names the route: {body}");
}

#[test]
fn only_loopback_binds_without_the_flag() {
    assert!(check_bind("127.0.0.1:4870".parse().unwrap(), &[]).is_ok(), "IPv4 loopback is the default");
    assert!(check_bind("[::1]:4870".parse().unwrap(), &[]).is_ok(), "IPv6 loopback too");
    let err = check_bind("0.0.0.0:4870".parse().unwrap(), &[]).unwrap_err();
    assert!(err.message.contains("--allowed-host"), "the refusal names the flag that opens it: {}", err.message);
    assert!(
        check_bind("0.0.0.0:4870".parse().unwrap(), &["panel.example".to_string()]).is_ok(),
        "naming the hosts (which turns on the token) opens it"
    );
}

#[tokio::test]
async fn another_sites_page_cannot_post_to_the_api() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (addr, _stop) = start(None).await;
    let body = r#"{"api_url":"http://127.0.0.1:1","store_hash":"abc","token":"t"}"#;
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "POST /api/connect/bigcommerce HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://evil.example\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 400"), "a cross-site POST must be refused before it reaches the engine: {out}");
    assert!(
        out.contains("Origin \\\"http://evil.example\\\"") && !out.contains("Host \\\""),
        "the refusal names the Origin that was refused, not the Host that was fine: {out}"
    );
}

#[tokio::test]
async fn mapping_pages_refuse_an_unknown_class_and_exports_download_as_csv() {
    let (addr, _stop) = start(None).await;
    let host = addr.to_string();
    let (status, body) = get(addr, "/api/mapping?class=unmatched&offset=0&limit=10", &host).await;
    assert_eq!(status, 200, "a mapping page answers before any catalog was read: {body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["total"], 0, "nothing read yet, so nothing listed");

    let (status, body) = get(addr, "/api/mapping?class=sideways", &host).await;
    assert_eq!(status, 400, "an unknown class is the caller's mistake: {body}");
    assert!(body.contains("sideways"), "and the error names the bad value: {body}");

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET /api/sync/preview/csv HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    let lower = raw.to_ascii_lowercase();
    assert!(lower.contains("content-type: text/csv"), "the diff export is CSV: {raw}");
    assert!(lower.contains("content-disposition: attachment"), "which a browser saves as a file: {raw}");
    assert!(
        raw.contains("bigcommerce_variant_id,shopify_variant_id,sku,title,field,direction,old,new"),
        "with a header row: {raw}"
    );
}

#[tokio::test]
async fn undo_and_confirm_all_are_routed_and_refuse_what_they_cannot_do() {
    let (addr, _stop) = start(None).await;
    let json = "application/json";
    let (status, body) = send(addr, "POST", "/api/mapping/undo", json, r#"{"added":[],"removed":[]}"#).await;
    assert_eq!(status, 400, "an undo that changes nothing is the caller's mistake: {body}");
    assert!(body.contains("nothing to undo"), "and says so: {body}");

    let (status, body) = send(addr, "POST", "/api/mapping/confirm-all", json, r#"{"q":"","expected":3}"#).await;
    assert_eq!(status, 400, "with no catalog read there is nothing to confirm: {body}");
    assert!(body.contains("nothing to confirm"), "and the refusal says so: {body}");

    let (status, body) = get(addr, "/api/mapping?class=all&sort=sideways", &addr.to_string()).await;
    assert_eq!(status, 400, "an unknown sort is refused: {body}");
    assert!(body.contains("sideways") && body.contains("sku"), "naming it and the sorts there are: {body}");
    let (status, body) = get(addr, "/api/mapping?class=all&sort=sku&group=1", &addr.to_string()).await;
    assert_eq!(status, 200, "a sort and a group are read from the query: {body}");
}

#[tokio::test]
async fn a_sync_without_connected_stores_fails_with_what_to_do() {
    let (addr, _stop) = start(None).await;
    let host = addr.to_string();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = r#"{"mode":"full","dry_run":true}"#;
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!(
            "POST /api/sync HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    assert!(raw.starts_with("HTTP/1.1 200"), "the sync starts in the background and answers at once: {raw}");
    let mut progress = serde_json::Value::Null;
    for _ in 0..100 {
        let (_, body) = get(addr, "/api/sync/progress", &host).await;
        progress = serde_json::from_str(&body).unwrap();
        if progress["running"] == false {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(progress["phase"], "failed", "with no store connected the run fails: {progress}");
    assert!(
        progress["error"].as_str().is_some_and(|e| e.contains("not connected") && e.contains("Settings")),
        "and says which store to connect, and where: {progress}"
    );
}

/// A raw HTTP/1.1 request with a body, as a script or a browser would send it.
async fn send(addr: SocketAddr, method: &str, path: &str, content_type: &str, body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let status = out.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

#[tokio::test]
async fn malformed_bodies_and_queries_are_refused_in_the_api_error_shape() {
    let (addr, _stop) = start(None).await;
    for (what, content_type, body, status) in [
        ("truncated JSON", "application/json", r#"{"mode": "fu"#, 400),
        ("the wrong shape", "application/json", r#"{"mode": "sideways"}"#, 422),
        ("not JSON at all", "text/plain", "mode=full", 415),
    ] {
        let (got, text) = send(addr, "POST", "/api/sync", content_type, body).await;
        assert_eq!(got, status, "{what} gets the framework's status: {text}");
        let v: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what} is answered as JSON ({e}): {text}"));
        assert!(v.get("code").is_some(), "{what} keeps the {{code, message}} shape: {text}");
        assert!(v["message"].as_str().unwrap().contains("request body"), "{what} says what was wrong: {text}");
    }
    let (status, text) = get(addr, "/api/mapping?offset=minus-one", &addr.to_string()).await;
    assert_eq!(status, 400, "a query that does not parse is the caller's mistake: {text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(v["message"].as_str().unwrap().contains("query string"), "and is said in the API's shape: {text}");
}

#[tokio::test]
async fn a_huge_api_url_is_not_echoed_back_whole() {
    let (addr, _stop) = start(None).await;
    let huge = format!("https://{}.example", "a".repeat(1_900_000));
    let body = serde_json::json!({ "api_url": huge, "store_hash": "abc123", "token": "t" }).to_string();
    let (status, text) = send(addr, "POST", "/api/connect/bigcommerce", "application/json", &body).await;
    assert_eq!(status, 400, "an absurd URL is refused: {}", &text[..text.len().min(300)]);
    assert!(text.len() < 1_000, "the answer quotes the start of it, not 1.9 MB ({} bytes)", text.len());
    assert!(text.contains("characters"), "and says how long it was: {text}");
}

/// A panel reached from other machines as `panel.example`, and its access token.
async fn start_remote() -> (SocketAddr, String, Arc<App>, tokio::sync::oneshot::Sender<()>) {
    let app = Arc::new(App::from_parts(
        Store::open_in_memory(Utc::now()).unwrap(),
        Arc::new(MemorySecretStore::default()),
        Arc::new(SystemClock),
        Opened { from_version: 0, to_version: 1, backup: None },
    ));
    let token = app.panel_token().await.unwrap().expose().to_string();
    let opts = ServeOptions {
        addr: "127.0.0.1:0".parse().unwrap(),
        allowed_hosts: vec!["panel.example".into()],
        ui_dir: None,
    };
    let (listener, addr) = bind(&opts).await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let served = app.clone();
    tokio::spawn(async move {
        serve(served, &opts, listener, async move {
            let _ = rx.await;
        })
        .await
        .unwrap()
    });
    (addr, token, app, tx)
}

/// A raw request with the given extra header lines.
async fn request(addr: SocketAddr, head: &str, body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let status = out.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, out)
}

#[tokio::test]
async fn reached_from_another_machine_the_panel_needs_its_token_and_keeps_its_host_and_origin_checks() {
    let (addr, token, app, _stop) = start_remote().await;
    let host = format!("panel.example:{}", addr.port());

    let (status, out) = request(addr, &format!("GET /api/status HTTP/1.1\r\nHost: {host}"), "").await;
    assert_eq!(status, 401, "an allowed name without the token gets nothing: {out}");
    assert!(out.contains("/login"), "and is told where to sign in: {out}");

    let change = r#"{"title":"shopify","price":"shopify","sale_price":"shopify","barcode":"shopify","sku":"shopify"}"#;
    let (status, _) = request(
        addr,
        &format!("PUT /api/ownership HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json"),
        change,
    )
    .await;
    assert_eq!(status, 401, "a write without the token is refused");
    assert_eq!(app.ownership().await.unwrap(), tillbridge_engine::Ownership::default(), "and changed nothing");

    let bearer = format!("Authorization: Bearer {token}");
    let (status, out) = request(addr, &format!("GET /api/status HTTP/1.1\r\nHost: {host}\r\n{bearer}"), "").await;
    assert_eq!(status, 200, "the token as a bearer header opens the API: {out}");
    let (status, _) = request(addr, &format!("GET /api/status HTTP/1.1\r\nHost: evil.example\r\n{bearer}"), "").await;
    assert_eq!(status, 400, "the token does not make a foreign Host acceptable (DNS rebinding)");
    let (status, out) = request(
        addr,
        &format!("PUT /api/ownership HTTP/1.1\r\nHost: {host}\r\n{bearer}\r\nOrigin: http://evil.example\r\nContent-Type: application/json"),
        change,
    )
    .await;
    assert_eq!(status, 400, "nor a foreign Origin (a cross-site write): {out}");
    assert_eq!(app.ownership().await.unwrap(), tillbridge_engine::Ownership::default(), "which changed nothing");
}

#[tokio::test]
async fn the_login_page_sets_a_session_cookie_only_for_the_right_token() {
    let (addr, token, _app, _stop) = start_remote().await;
    let host = format!("panel.example:{}", addr.port());
    let form = "Content-Type: application/x-www-form-urlencoded";

    let (status, out) = request(addr, &format!("GET / HTTP/1.1\r\nHost: {host}"), "").await;
    assert_eq!(status, 303, "a page without a session goes to the login page: {out}");
    assert!(out.contains("location: /login"), "{out}");
    let (status, out) = request(addr, &format!("GET /login HTTP/1.1\r\nHost: {host}"), "").await;
    assert_eq!(status, 200, "the login page itself needs no token: {out}");

    let (status, out) = request(addr, &format!("POST /login HTTP/1.1\r\nHost: {host}\r\n{form}"), "token=wrong").await;
    assert_eq!(status, 401, "a wrong token is refused: {out}");
    assert!(!out.to_ascii_lowercase().contains("set-cookie"), "and gets no session: {out}");

    let (status, out) =
        request(addr, &format!("POST /login HTTP/1.1\r\nHost: {host}\r\n{form}"), &format!("token={token}")).await;
    assert_eq!(status, 303, "the right token signs in: {out}");
    let cookie = out
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("a session cookie is set: {out}"))
        .to_string();
    assert!(out.contains("HttpOnly") && out.contains("SameSite=Strict"), "the cookie is out of scripts' reach: {out}");
    let (status, out) =
        request(addr, &format!("GET /api/status HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}"), "").await;
    assert_eq!(status, 200, "and the session opens the API: {out}");
}

/// Emulated stores whose BigCommerce profile gives `bigcommerce` as its zone (none: no
/// `timezone`) and whose Shopify shop gives `shopify`.
async fn stores_in(bigcommerce: Option<&str>, shopify: &str) -> tillbridge_emulator::RunningStores {
    use tillbridge_emulator::{EmulateOptions, SeedSpec, bigcommerce::BcConfig, shopify::ShopifyConfig};
    let defaults = EmulateOptions::default();
    tillbridge_emulator::start(EmulateOptions {
        seed: SeedSpec { variants: 20, ..SeedSpec::default() },
        bigcommerce: BcConfig { time_zone: bigcommerce.map(str::to_string), ..defaults.bigcommerce.clone() },
        shopify: ShopifyConfig { time_zone: shopify.into(), ..defaults.shopify.clone() },
        ..defaults
    })
    .await
    .unwrap()
}

/// Connects both stores through the API, as the Settings screen does.
async fn connect_through_the_api(addr: SocketAddr, stores: &tillbridge_emulator::RunningStores) {
    let c = &stores.credentials;
    let bigcommerce = serde_json::json!({
        "api_url": c.bigcommerce.api_url, "store_hash": c.bigcommerce.store_hash, "token": c.bigcommerce.access_token,
    });
    let (status, text) =
        send(addr, "POST", "/api/connect/bigcommerce", "application/json", &bigcommerce.to_string()).await;
    assert_eq!(status, 200, "the emulated BigCommerce store connects: {text}");
    let shopify = serde_json::json!({ "shop_url": c.shopify.shop_url, "token": c.shopify.access_token });
    let (status, text) = send(addr, "POST", "/api/connect/shopify", "application/json", &shopify.to_string()).await;
    assert_eq!(status, 200, "the emulated Shopify shop connects: {text}");
}

#[tokio::test]
async fn the_status_answer_carries_the_store_time_zone_the_screens_show_times_in() {
    let (addr, _stop) = start(None).await;
    let host = addr.to_string();
    let stores = stores_in(Some("America/Chicago"), "Asia/Tokyo").await;
    connect_through_the_api(addr, &stores).await;
    let (_, body) = get(addr, "/api/status", &host).await;
    let status: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        status["time_zone"],
        serde_json::json!({"zone": "America/Chicago", "source": "bigcommerce"}),
        "the zone read from the BigCommerce store's profile reaches the answer the UI loads at start: {body}"
    );
    let zones: Vec<(String, serde_json::Value)> = status["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["system"].as_str().unwrap().to_string(), c["time_zone"].clone()))
        .collect();
    assert_eq!(
        zones,
        vec![
            ("bigcommerce".to_string(), serde_json::json!("America/Chicago")),
            ("shopify".to_string(), serde_json::json!("Asia/Tokyo"))
        ],
        "each connection shows the zone its own store gave"
    );

    // The same BigCommerce store with no zone in its profile: the answer falls back to Shopify's.
    let unset = stores_in(None, "Europe/London").await;
    connect_through_the_api(addr, &unset).await;
    let (_, body) = get(addr, "/api/status", &host).await;
    let status: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        status["time_zone"],
        serde_json::json!({"zone": "Europe/London", "source": "shopify"}),
        "with no zone from BigCommerce, Shopify's zone is the one the screens use: {body}"
    );
}
