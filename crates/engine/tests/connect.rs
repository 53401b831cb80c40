//! Connecting stores: a good token is proven and kept; a wrong token, URL, store hash or missing
//! scope is named, and nothing is saved.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::Utc;
use tillbridge_bigcommerce::{BcConnection, BcError, BigCommerceApi, MemoryBigCommerce};
use tillbridge_emulator::{EmulateOptions, RunningStores, SeedSpec};
use tillbridge_engine::{
    ApiError, App, ConnectBigCommerce, ConnectShopify, Connector, StoreTimeZone, SystemClock, TimeZoneSource,
};
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

/// Emulated stores keeping their clocks in `bigcommerce` (none: the profile gives no zone) and
/// `shopify`.
async fn stores_in(bigcommerce: Option<&str>, shopify: &str) -> RunningStores {
    let defaults = EmulateOptions::default();
    tillbridge_emulator::start(EmulateOptions {
        seed: SeedSpec { variants: 20, ..SeedSpec::default() },
        bigcommerce: tillbridge_emulator::bigcommerce::BcConfig {
            time_zone: bigcommerce.map(str::to_string),
            ..defaults.bigcommerce.clone()
        },
        shopify: tillbridge_emulator::shopify::ShopifyConfig { time_zone: shopify.into(), ..defaults.shopify.clone() },
        ..defaults
    })
    .await
    .unwrap()
}

async fn connect_both(
    app: &App,
    s: &RunningStores,
) -> (tillbridge_engine::ConnectionView, tillbridge_engine::ConnectionView) {
    let c = &s.credentials;
    let bc = app
        .connect_bigcommerce(ConnectBigCommerce {
            api_url: c.bigcommerce.api_url.clone(),
            store_hash: c.bigcommerce.store_hash.clone(),
            token: Secret::new(c.bigcommerce.access_token.clone()),
        })
        .await
        .unwrap();
    let sh = app
        .connect_shopify(ConnectShopify {
            shop_url: c.shopify.shop_url.clone(),
            api_version: None,
            token: Secret::new(c.shopify.access_token.clone()),
        })
        .await
        .unwrap();
    (bc, sh)
}

#[tokio::test]
async fn the_store_of_record_gives_the_time_zone_and_shopify_stands_in_when_it_gives_none() {
    let (app, _secrets) = app();
    assert_eq!(
        app.status().await.unwrap().time_zone.source,
        TimeZoneSource::Machine,
        "with no store connected, times are shown in this computer's zone"
    );

    let s = stores_in(Some("America/Chicago"), "Australia/Sydney").await;
    let (bc, sh) = connect_both(&app, &s).await;
    assert_eq!(
        bc.time_zone.as_deref(),
        Some("America/Chicago"),
        "the connect reads BigCommerce's GET /v2/store timezone"
    );
    assert_eq!(
        sh.time_zone.as_deref(),
        Some("Australia/Sydney"),
        "and Shopify's shop {{ ianaTimezone }} with its check"
    );
    assert_eq!(
        app.status().await.unwrap().time_zone,
        StoreTimeZone { zone: "America/Chicago".into(), source: TimeZoneSource::BigCommerce },
        "BigCommerce is the store of record, so its zone is the one the screens use"
    );

    // The same BigCommerce store, its zone now unset: reconnecting forgets the old zone.
    let unset = stores_in(None, "Europe/London").await;
    let (bc, sh) = connect_both(&app, &unset).await;
    assert_eq!(bc.time_zone, None, "a store profile without a timezone gives no zone, and the old one is not kept");
    assert_eq!(sh.time_zone.as_deref(), Some("Europe/London"), "Shopify's zone is read again");
    let status = app.status().await.unwrap();
    assert_eq!(
        status.time_zone,
        StoreTimeZone { zone: "Europe/London".into(), source: TimeZoneSource::Shopify },
        "with no zone from BigCommerce, the screens fall back to Shopify's"
    );
    assert_eq!(app.time_zone().await.unwrap(), status.time_zone, "the engine answers the same zone on its own");
}

#[tokio::test]
async fn a_store_information_refusal_does_not_fail_the_connection() {
    #[derive(Debug)]
    struct NoProfile;
    impl Connector for NoProfile {
        fn bigcommerce(&self, _: &BcConnection, _: ClientParts) -> Result<Arc<dyn BigCommerceApi>, ApiError> {
            // An API account without the Information & Settings scope: GET /v2/store answers 403.
            let forbidden = BcError::Forbidden {
                endpoint: "/v2/store".into(),
                hint: "Information & Settings: read-only (store_v2_information_read_only)",
            };
            Ok(Arc::new(MemoryBigCommerce { profile_refusal: Some(forbidden), ..MemoryBigCommerce::default() }))
        }
        fn shopify(&self, _: &ShopifyConnection, _: ClientParts) -> Result<Arc<dyn ShopifyApi>, ApiError> {
            Ok(Arc::new(MemoryShopify::default().with_time_zone("America/Denver")))
        }
    }
    let (app, _secrets) = app();
    let app = app.with_connector(Arc::new(NoProfile));
    let bc = app
        .connect_bigcommerce(ConnectBigCommerce {
            api_url: "https://api.bigcommerce.com".into(),
            store_hash: "abc123".into(),
            token: Secret::new("token".into()),
        })
        .await
        .expect("an account without the Information & Settings scope still connects");
    assert_eq!(bc.time_zone, None, "the refused profile gives no zone");
    app.connect_shopify(ConnectShopify {
        shop_url: "https://shop.myshopify.com".into(),
        api_version: None,
        token: Secret::new("token".into()),
    })
    .await
    .unwrap();
    assert_eq!(
        app.status().await.unwrap().time_zone,
        StoreTimeZone { zone: "America/Denver".into(), source: TimeZoneSource::Shopify },
        "the screens use Shopify's zone instead"
    );
}
