//! Connecting a store: prove the credentials with one cheap call, then keep the token in the
//! secret store and the identity in the database. Nothing is saved when the proof fails. The
//! store's time zone is read with the check and kept beside the connection.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tillbridge_bigcommerce::{BcConnection, BcError, BigCommerceApi, BigCommerceClient};
use tillbridge_secrets::Secret;
use tillbridge_shopify::{DEFAULT_API_VERSION, ShopifyApi, ShopifyClient, ShopifyConnection, ShopifyError};
use tillbridge_store::{NewConnection, System};
use tillbridge_transport::{AuditSink, Backoff, ClientParts, SeededJitter, SystemWallClock};

use crate::error::quoted;
use crate::{ApiError, App, ConnectionView};

/// Builds store clients. The engine uses [`HttpConnector`]; tests pass in-memory stores.
pub trait Connector: Send + Sync + std::fmt::Debug {
    fn bigcommerce(&self, conn: &BcConnection, parts: ClientParts) -> Result<Arc<dyn BigCommerceApi>, ApiError>;
    fn shopify(&self, conn: &ShopifyConnection, parts: ClientParts) -> Result<Arc<dyn ShopifyApi>, ApiError>;
}

/// The real clients, over HTTP.
#[derive(Debug, Default, Clone, Copy)]
pub struct HttpConnector;

impl Connector for HttpConnector {
    fn bigcommerce(&self, conn: &BcConnection, parts: ClientParts) -> Result<Arc<dyn BigCommerceApi>, ApiError> {
        let client = BigCommerceClient::new(conn, parts).map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(Arc::new(client.correlated("connect")))
    }

    fn shopify(&self, conn: &ShopifyConnection, parts: ClientParts) -> Result<Arc<dyn ShopifyApi>, ApiError> {
        let client = ShopifyClient::new(conn, parts).map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(Arc::new(client.correlated("connect")))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ConnectBigCommerce {
    pub api_url: String,
    pub store_hash: String,
    pub token: Secret,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ConnectShopify {
    pub shop_url: String,
    #[serde(default)]
    pub api_version: Option<String>,
    pub token: Secret,
}

/// The longest URL a store connection takes; real API and shop URLs are far shorter.
const MAX_URL: usize = 2_048;
fn check_url(what: &str, url: &str) -> Result<String, ApiError> {
    let trimmed = url.trim().trim_end_matches('/');
    if trimmed.len() > MAX_URL {
        return Err(ApiError::invalid(format!(
            "{what} is {} characters long; a store URL is at most {MAX_URL}, such as https://api.bigcommerce.com: {}",
            trimmed.len(),
            quoted(trimmed)
        )));
    }
    let ok = (trimmed.starts_with("https://") || trimmed.starts_with("http://"))
        && trimmed.len() > "https://".len()
        && !trimmed.contains(char::is_whitespace);
    if ok {
        Ok(trimmed.to_string())
    } else {
        Err(ApiError::invalid(format!(
            "{what} must be an http(s) URL such as https://api.bigcommerce.com; got {}",
            quoted(url)
        )))
    }
}

impl App {
    /// Client parts for an interactive check: two quick attempts, so a wrong URL fails in seconds.
    pub(crate) fn client_parts(&self, backoff: Backoff) -> ClientParts {
        let seed = self.now().timestamp_nanos_opt().unwrap_or_default() as u64;
        ClientParts {
            audit: Arc::new(self.store.clone()) as Arc<dyn AuditSink>,
            jitter: Arc::new(SeededJitter::new(seed)),
            clock: Arc::new(SystemWallClock),
            backoff,
            timeout: Duration::from_secs(30),
            waits: Arc::new(self.waits.clone()),
        }
    }

    pub async fn connect_bigcommerce(&self, req: ConnectBigCommerce) -> Result<ConnectionView, ApiError> {
        let api_url = check_url("The API URL", &req.api_url)?;
        let store_hash = req.store_hash.trim().to_string();
        if store_hash.is_empty() || !store_hash.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ApiError::invalid(format!(
                "the store hash is the short code in your store's API path (/stores/HASH/), letters and digits only; got {}",
                quoted(&store_hash)
            )));
        }
        if req.token.is_empty() {
            return Err(ApiError::invalid("the access token is empty; paste the API account's access token"));
        }
        let conn = BcConnection { api_url: api_url.clone(), store_hash: store_hash.clone(), token: req.token.clone() };
        let client = self.connector.bigcommerce(&conn, self.client_parts(quick_check()))?;
        let refused = |e: BcError| match e {
            BcError::Network { .. } => ApiError::invalid(format!(
                "could not reach BigCommerce at {api_url}: check the API URL (usually https://api.bigcommerce.com) and the network"
            )),
            BcError::NotFound { .. } => ApiError::invalid(format!(
                "BigCommerce has no store {store_hash:?} at {api_url}: check the store hash in the API path"
            )),
            other => ApiError::invalid(other.to_string()),
        };
        // The store's profile first, for its time zone, so the catalog proof is the latest request
        // the store's health reads. An unreachable URL, a wrong store hash or token fails here as
        // the proof would; an account without the Information & Settings scope (403) or any other
        // refusal of the profile only costs the zone, and the screens use Shopify's.
        let time_zone = match client.store_information().await {
            Ok(info) => crate::time_zone::known_zone(info.time_zone()),
            Err(e @ (BcError::Network { .. } | BcError::NotFound { .. } | BcError::Unauthorized)) => {
                return Err(refused(e));
            }
            Err(e) => {
                tracing::warn!(error = %e, "BigCommerce's store profile (its time zone) could not be read");
                None
            }
        };
        client.verify().await.map_err(refused)?;
        let record = connection(System::BigCommerce, &store_hash, &store_hash, &api_url, None);
        self.save(record, req.token, time_zone).await
    }

    pub async fn connect_shopify(&self, req: ConnectShopify) -> Result<ConnectionView, ApiError> {
        let shop_url = check_url("The shop URL", &req.shop_url)?;
        let api_version = req.api_version.unwrap_or_else(|| DEFAULT_API_VERSION.to_string());
        if req.token.is_empty() {
            return Err(ApiError::invalid("the access token is empty; paste the app's Admin API access token"));
        }
        let conn = ShopifyConnection {
            shop_url: shop_url.clone(),
            api_version: api_version.clone(),
            token: req.token.clone(),
        };
        let client = self.connector.shopify(&conn, self.client_parts(quick_check()))?;
        let shop = client.verify().await.map_err(|e| match e {
            ShopifyError::Network { .. } => {
                ApiError::invalid(format!("could not reach Shopify at {shop_url}: check the shop URL and the network"))
            }
            other => ApiError::invalid(other.to_string()),
        })?;
        let time_zone = crate::time_zone::known_zone(shop.iana_timezone.as_deref());
        // The myshopify domain never changes, even when the URL used to reach the shop does.
        let record = connection(System::Shopify, &shop.myshopify_domain, &shop.name, &shop_url, Some(api_version));
        self.save(record, req.token, time_zone).await
    }

    async fn save(
        &self,
        record: NewConnection,
        token: Secret,
        time_zone: Option<String>,
    ) -> Result<ConnectionView, ApiError> {
        self.blocking(move |app| {
            let now = app.now();
            // The token first: a connection row without its token would look connected but fail.
            app.secrets.set(&record.secret_ref, &token)?;
            app.store.save_connection(&record, Some(now), now)?;
            app.keep_time_zone(record.system, &record.store_ref, time_zone)?;
            let views = app.connection_views(true)?;
            views
                .into_iter()
                .find(|v| v.system == record.system && v.store_ref == record.store_ref)
                .ok_or_else(|| ApiError::internal("the connection was saved but cannot be read back"))
        })
        .await
    }
}

fn connection(
    system: System,
    store_ref: &str,
    name: &str,
    api_url: &str,
    api_version: Option<String>,
) -> NewConnection {
    NewConnection {
        system,
        name: name.to_string(),
        api_url: api_url.to_string(),
        store_ref: store_ref.to_string(),
        api_version,
        secret_ref: format!("{}:{store_ref}", system.as_str()),
    }
}

fn quick_check() -> Backoff {
    Backoff { base: Duration::from_millis(300), cap: Duration::from_secs(2), max_attempts: 2 }
}
