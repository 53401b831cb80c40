//! Tillbridge registers and removes its own subscriptions: BigCommerce hooks (`/v3/hooks`, each
//! echoing a custom header only Tillbridge knows) and Shopify subscriptions
//! (`webhookSubscriptionCreate`), all pointing at the receiver's public address. `doctor` reports
//! the ones a store deactivated (BigCommerce, after its retries fail for two days) or removed
//! (Shopify, after 8 failed retries).
//!
//! Shopify's privacy topics (`customers/redact`, `customers/data_request`, `shop/redact`) are set in
//! the app's configuration, not through the API, and are not registered here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tillbridge_bigcommerce::models::NewHook;
use tillbridge_secrets::Secret;
use tillbridge_shopify::WriteOutcome;
use tillbridge_shopify::gid::WebhookSubscriptionId;
use tillbridge_shopify::ops::webhooks::WebhookTopic;

use super::{BIGCOMMERCE_HEADER, BIGCOMMERCE_HEADER_VALUE};
use crate::{ApiError, App};

/// The BigCommerce scopes Tillbridge listens to: its stock, and its orders (which move its stock).
pub const BIGCOMMERCE_SCOPES: [&str; 3] =
    ["store/sku/inventory/updated", "store/product/inventory/updated", "store/order/*"];
/// The Shopify topics: stock levels, POS orders and their refunds.
pub const SHOPIFY_TOPICS: [WebhookTopic; 4] = [
    WebhookTopic::InventoryLevelsUpdate,
    WebhookTopic::OrdersCreate,
    WebhookTopic::OrdersUpdated,
    WebhookTopic::RefundsCreate,
];

/// What Tillbridge registered, in the settings.
const REGISTRATION: &str = "webhooks.registration";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Registration {
    /// Where the stores deliver: the receiver as the internet reaches it.
    pub public_url: String,
    /// BigCommerce hook id by scope.
    pub bigcommerce: BTreeMap<String, i64>,
    /// Shopify subscription gid by topic.
    pub shopify: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
pub struct RegisterRequest {
    /// `https://tillbridge.example.com`: the receiver behind a reverse proxy or tunnel. Deliveries
    /// go to `/webhooks/shopify` and `/webhooks/bigcommerce` under it.
    pub public_url: String,
}

fn topic_name(t: WebhookTopic) -> String {
    serde_json::to_value(t).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// A public address the stores can deliver to: https, or plain http on this machine (for the
/// emulated stores). No path, query or credentials.
fn check_url(url: &str) -> Result<String, ApiError> {
    let url = url.trim().trim_end_matches('/');
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"].iter().any(|p| url.starts_with(p));
    if !(url.starts_with("https://") || loopback) {
        return Err(ApiError::invalid(format!(
            "{} is not an https:// address; the stores deliver webhooks over https only (put the receiver behind a reverse proxy or tunnel)",
            crate::quoted(url)
        )));
    }
    if url.contains('@') || url.contains('?') || url.contains('#') {
        return Err(ApiError::invalid("give the receiver's base address only, with no credentials, query or fragment"));
    }
    Ok(url.to_string())
}

impl App {
    pub async fn webhook_registration(&self) -> Result<Option<Registration>, ApiError> {
        self.blocking(|app| Ok(app.store.setting::<Registration>(REGISTRATION)?)).await
    }

    /// Registers Tillbridge's subscriptions on both stores, pointing at `public_url`. Running it
    /// again is harmless: existing hooks are kept (and turned back on if BigCommerce turned them
    /// off), and Shopify answers an existing subscription as taken.
    pub async fn register_webhooks(&self, request: RegisterRequest) -> Result<Registration, ApiError> {
        let public_url = check_url(&request.public_url)?;
        let header = self
            .blocking(|app| {
                if let Some(v) = app.secrets.get(BIGCOMMERCE_HEADER_VALUE)? {
                    return Ok(v);
                }
                let mut bytes = [0u8; 24];
                getrandom::fill(&mut bytes)
                    .map_err(|e| ApiError::unavailable(format!("the operating system gave no randomness: {e}")))?;
                let value = Secret::new(bytes.iter().map(|b| format!("{b:02x}")).collect());
                app.secrets.set(BIGCOMMERCE_HEADER_VALUE, &value)?;
                Ok(value)
            })
            .await?;
        let clients = self.shared_clients().await?;
        let previous = self.webhook_registration().await?.unwrap_or_default();
        let mut registration = Registration { public_url: public_url.clone(), ..Registration::default() };
        for scope in BIGCOMMERCE_SCOPES {
            let hook = NewHook {
                scope: scope.to_string(),
                destination: format!("{public_url}/webhooks/bigcommerce"),
                is_active: true,
                headers: BTreeMap::from([(BIGCOMMERCE_HEADER.to_string(), header.expose().to_string())]),
            };
            let mut made = clients
                .bigcommerce
                .create_hook(&hook)
                .await
                .map_err(|e| ApiError::unavailable(format!("BigCommerce refused the hook for {scope}: {e}")))?;
            if !made.is_active {
                made = clients.bigcommerce.activate_hook(made.id).await.map_err(|e| {
                    ApiError::unavailable(format!("BigCommerce would not turn hook {} back on: {e}", made.id))
                })?;
            }
            registration.bigcommerce.insert(scope.to_string(), made.id);
        }
        let uri = format!("{public_url}/webhooks/shopify");
        for topic in SHOPIFY_TOPICS {
            let name = topic_name(topic);
            match clients.shopify.subscribe_webhook(topic, &uri).await {
                Ok(WriteOutcome::Applied(sub)) => {
                    registration.shopify.insert(name, sub.id.0);
                }
                // "Address for this topic has already been taken": the subscription exists.
                Ok(WriteOutcome::Refused(errors)) if errors.iter().any(|e| e.message.contains("taken")) => {
                    if let Some(id) = previous.shopify.get(&name) {
                        registration.shopify.insert(name, id.clone());
                    }
                }
                Ok(WriteOutcome::Refused(errors)) => {
                    let why: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
                    return Err(ApiError::invalid(format!(
                        "Shopify refused the {name} subscription: {}",
                        why.join("; ")
                    )));
                }
                Err(e) => return Err(ApiError::unavailable(format!("subscribing to {name} on Shopify failed: {e}"))),
            }
        }
        let saved = registration.clone();
        self.blocking(move |app| Ok(app.store.set_setting(REGISTRATION, &saved, app.now())?)).await?;
        Ok(registration)
    }

    /// Removes every subscription Tillbridge registered. Polling carries on as before.
    pub async fn remove_webhooks(&self) -> Result<Registration, ApiError> {
        let Some(registration) = self.webhook_registration().await? else {
            return Err(ApiError::invalid("no webhooks are registered; nothing to remove"));
        };
        let clients = self.shared_clients().await?;
        for (scope, id) in &registration.bigcommerce {
            clients.bigcommerce.delete_hook(*id).await.map_err(|e| {
                ApiError::unavailable(format!("removing BigCommerce hook {id} ({scope}) failed: {e}; run this again"))
            })?;
        }
        for (topic, id) in &registration.shopify {
            let gid = WebhookSubscriptionId(id.clone());
            if let Err(e) = clients.shopify.delete_webhook(&gid).await {
                return Err(ApiError::unavailable(format!(
                    "removing the Shopify {topic} subscription failed: {e}; run this again"
                )));
            }
        }
        self.blocking(|app| Ok(app.store.remove_setting(REGISTRATION)?)).await?;
        Ok(registration)
    }

    /// What a store turned off or removed of what Tillbridge registered, in sentences (empty when
    /// all is well or nothing is registered). BigCommerce lists its hooks; Shopify's are taken as
    /// registered, since a shop lists subscriptions only to the app that made them.
    pub(crate) async fn webhook_problems(&self) -> Result<Vec<String>, ApiError> {
        let Some(registration) = self.webhook_registration().await? else { return Ok(Vec::new()) };
        let clients = self.shared_clients().await?;
        let hooks = clients
            .bigcommerce
            .hooks()
            .await
            .map_err(|e| ApiError::unavailable(format!("listing BigCommerce's hooks failed: {e}")))?;
        let mut problems = Vec::new();
        for (scope, id) in &registration.bigcommerce {
            match hooks.iter().find(|h| h.id == *id) {
                None => problems.push(format!("BigCommerce hook {id} ({scope}) is gone")),
                Some(h) if !h.is_active => problems
                    .push(format!("BigCommerce deactivated hook {id} ({scope}) after its deliveries kept failing")),
                Some(_) => {}
            }
        }
        Ok(problems)
    }
}
