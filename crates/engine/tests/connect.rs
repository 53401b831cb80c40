//! Connecting stores: a good token is proven and kept; a wrong token, URL, store hash or missing
//! scope is named, and nothing is saved.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::Utc;
use tillbridge_bigcommerce::{BcConnection, BcError, BigCommerceApi, MemoryBigCommerce};
use tillbridge_emulator::{EmulateOptions, RunningStores, SeedSpec};
use tillbridge_engine::{ApiError, App, ConnectBigCommerce, ConnectShopify, Connector, SystemClock};
use tillbridge_secrets::{MemorySecretStore, Secret, SecretStore};
use tillbridge_shopify::{MemoryShopify, ShopifyApi, ShopifyConnection, ShopifyError};
use tillbridge_store::{Opened, Store};
use tillbridge_transport::ClientParts;

fn app() -> (App, Arc<MemorySecretStore>) {
    let secrets = Arc::new(MemorySecretStore::default());
    let app = App::from_parts(
        Store::open_in_memory(Utc::now()).unwrap(),
        secrets.clone(),
        Arc::new(SystemClock),
        Opened { from_version: 0, to_version: 1, backup: None },
    );
    (app, secrets)
}

async fn stores() -> RunningStores {
    tillbridge_emulator::start(EmulateOptions {
        seed: SeedSpec { variants: 60, ..SeedSpec::default() },
        ..EmulateOptions::default()
    })
    .await
    .unwrap()
}

async fn nothing_saved(app: &App, secrets: &MemorySecretStore, account: &str) {
    assert!(app.connections().await.unwrap().is_empty(), "a failed connect records no connection");
    assert!(secrets.get(account).unwrap().is_none(), "and keeps no token");
}

#[tokio::test]
async fn the_emulated_stores_connect_and_are_recorded_with_their_tokens() {
    let s = stores().await;
    let (app, secrets) = app();
    let c = &s.credentials;
    let bc = app
        .connect_bigcommerce(ConnectBigCommerce {
            api_url: c.bigcommerce.api_url.clone(),
            store_hash: c.bigcommerce.store_hash.clone(),
            token: Secret::new(c.bigcommerce.access_token.clone()),
        })
        .await
        .unwrap();
    assert!(bc.has_secret && bc.verified_at.is_some(), "the token is kept and the proof time recorded");
    let sh = app
        .connect_shopify(ConnectShopify {
            shop_url: c.shopify.shop_url.clone(),
            api_version: None,
            token: Secret::new(c.shopify.access_token.clone()),
        })
        .await
        .unwrap();
    assert_eq!(sh.api_version.as_deref(), Some("2026-10"), "the default API version is recorded");
    assert!(
        sh.store_ref.ends_with(".myshopify.com"),
        "a shop is known by its permanent domain, not the URL: {}",
        sh.store_ref
    );
    let token = secrets.get(&format!("bigcommerce:{}", c.bigcommerce.store_hash)).unwrap().unwrap();
    assert_eq!(token.expose(), c.bigcommerce.access_token, "the token went to the secret store");
    let rows = format!("{:?}", app.store().connections().unwrap());
    assert!(!rows.contains(&c.bigcommerce.access_token), "and not into the database");
}

#[tokio::test]
async fn a_wrong_token_url_or_store_hash_is_named_and_nothing_is_saved() {
    let s = stores().await;
    let (app, secrets) = app();
    let c = &s.credentials;
    let attempt = |api_url: &str, hash: &str, token: &str| ConnectBigCommerce {
        api_url: api_url.into(),
        store_hash: hash.into(),
        token: Secret::new(token.into()),
    };
    let account = format!("bigcommerce:{}", c.bigcommerce.store_hash);

    let err = app
        .connect_bigcommerce(attempt(&c.bigcommerce.api_url, &c.bigcommerce.store_hash, "wrong-token"))
        .await
        .unwrap_err();
    assert!(err.message.contains("rejected the access token"), "a wrong token is named: {}", err.message);
    nothing_saved(&app, &secrets, &account).await;

    let err = app
        .connect_bigcommerce(attempt("http://127.0.0.1:1", &c.bigcommerce.store_hash, &c.bigcommerce.access_token))
        .await
        .unwrap_err();
    assert!(err.message.contains("could not reach BigCommerce"), "an unreachable URL is named: {}", err.message);
    nothing_saved(&app, &secrets, &account).await;

    let err = app
        .connect_bigcommerce(attempt(&c.bigcommerce.api_url, "nosuchstore", &c.bigcommerce.access_token))
        .await
        .unwrap_err();
    assert!(err.message.contains("no store \"nosuchstore\""), "a wrong store hash is named: {}", err.message);
    nothing_saved(&app, &secrets, "bigcommerce:nosuchstore").await;

    let err = app
        .connect_shopify(ConnectShopify {
            shop_url: c.shopify.shop_url.clone(),
            api_version: None,
            token: Secret::new("shpat_wrong".into()),
        })
        .await
        .unwrap_err();
    assert!(err.message.contains("rejected the access token"), "a wrong Shopify token is named: {}", err.message);
    assert!(app.connections().await.unwrap().is_empty(), "nothing saved for Shopify either");
}

/// Stores that refuse for lack of a scope; the emulators grant every scope, so this is in memory.
#[derive(Debug)]
struct ScopeLess;

impl Connector for ScopeLess {
    fn bigcommerce(&self, _: &BcConnection, _: ClientParts) -> Result<Arc<dyn BigCommerceApi>, ApiError> {
        let refusal = BcError::Forbidden {
            endpoint: "/stores/{store_hash}/v3/catalog/products".into(),
            hint: "Products: modify (store_v2_products)",
        };
        Ok(Arc::new(MemoryBigCommerce { refusal: Some(refusal), ..Default::default() }))
    }
    fn shopify(&self, _: &ShopifyConnection, _: ClientParts) -> Result<Arc<dyn ShopifyApi>, ApiError> {
        let refusal =
            ShopifyError::AccessDenied { operation: "TillbridgeVerify".into(), detail: "read_locations".into() };
        Ok(Arc::new(MemoryShopify::refusing(refusal)))
    }
}

#[tokio::test]
async fn a_missing_scope_is_named_and_nothing_is_saved() {
    let (app, secrets) = app();
    let app = app.with_connector(Arc::new(ScopeLess));
    let err = app
        .connect_bigcommerce(ConnectBigCommerce {
            api_url: "https://api.bigcommerce.com".into(),
            store_hash: "abc123".into(),
            token: Secret::new("t".into()),
        })
        .await
        .unwrap_err();
    assert!(err.message.contains("store_v2_products"), "the missing scope is named: {}", err.message);
    nothing_saved(&app, &secrets, "bigcommerce:abc123").await;
    let err = app
        .connect_shopify(ConnectShopify {
            shop_url: "https://shop.myshopify.com".into(),
            api_version: None,
            token: Secret::new("t".into()),
        })
        .await
        .unwrap_err();
    assert!(err.message.contains("read_locations"), "the missing Shopify scope is named: {}", err.message);
    assert!(app.connections().await.unwrap().is_empty(), "nothing saved");
}
