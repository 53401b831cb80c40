//! Webhook deliveries, once `tillbridge-webhooks` has checked their signature and shape: each is
//! recorded in the inbox under its source's event id (a second delivery of the same event does
//! nothing), then wakes the capability that owns its resource, which reads it again from the store.
//! A privacy request is carried out in the transaction that records it.
//!
//! Polling stays the source of truth: a lost or never-sent webhook changes nothing but how soon a
//! change is seen.

pub mod registration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tillbridge_domain::webhooks::{PrivacyTopic, Wake, bigcommerce_wake, shopify_wake};
use tillbridge_secrets::Secret;
use tillbridge_store::{InboxEntry, record_delivery_in};

use crate::privacy::{CustomerRef, privacy_in};
use crate::stock::sync::BIGCOMMERCE_ANNOUNCED;
use crate::{ApiError, App};

/// Where the signing secrets are kept in the secret store.
const SHOPIFY_SECRET: &str = "tillbridge:webhooks:shopify";
const BIGCOMMERCE_SECRET: &str = "tillbridge:webhooks:bigcommerce";
/// A random value Tillbridge asks BigCommerce to echo as a custom header on every delivery to the
/// hooks it registers: a second proof besides the signature.
pub(crate) const BIGCOMMERCE_HEADER_VALUE: &str = "tillbridge:webhooks:bigcommerce-header";
/// The custom header's name.
pub const BIGCOMMERCE_HEADER: &str = "x-tillbridge-hook";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum WebhookSource {
    Shopify,
    #[serde(rename = "bigcommerce")]
    BigCommerce,
}

impl WebhookSource {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookSource::Shopify => "shopify",
            WebhookSource::BigCommerce => "bigcommerce",
        }
    }

    pub fn parse(s: &str) -> Option<WebhookSource> {
        match s {
            "shopify" => Some(WebhookSource::Shopify),
            "bigcommerce" => Some(WebhookSource::BigCommerce),
            _ => None,
        }
    }
}

/// A verified delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundWebhook {
    pub source: WebhookSource,
    /// The source's id for the event, the same on every retry: Shopify's `X-Shopify-Event-Id`,
    /// BigCommerce's `webhook-id`.
    pub delivery_key: String,
    /// Shopify's topic or BigCommerce's scope.
    pub topic: String,
    /// The resource the hook names, by id ("order 1001").
    pub resource: Option<String>,
    pub triggered_at: Option<DateTime<Utc>>,
    /// For a privacy request: who it is about.
    pub subject: Option<CustomerRef>,
}

/// What became of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// The event was received before: nothing was done this time.
    pub duplicate: bool,
    /// "stock", "orders", "privacy" or "nothing".
    pub woke: &'static str,
}

/// The secrets deliveries are checked with; None where none is set (deliveries from that store
/// are refused).
#[derive(Debug, Clone, Default)]
pub struct WebhookSecrets {
    pub shopify: Option<Secret>,
    pub bigcommerce: Option<Secret>,
    /// The value BigCommerce echoes in [`BIGCOMMERCE_HEADER`], once hooks are registered.
    pub bigcommerce_header: Option<Secret>,
}

impl App {
    pub async fn webhook_secrets(&self) -> Result<WebhookSecrets, ApiError> {
        self.blocking(|app| {
            Ok(WebhookSecrets {
                shopify: app.secrets.get(SHOPIFY_SECRET)?,
                bigcommerce: app.secrets.get(BIGCOMMERCE_SECRET)?,
                bigcommerce_header: app.secrets.get(BIGCOMMERCE_HEADER_VALUE)?,
            })
        })
        .await
    }

    /// Keeps the secret a store signs its deliveries with: the Shopify app's client secret, or the
    /// BigCommerce app's client secret.
    pub async fn set_webhook_secret(&self, source: WebhookSource, secret: Secret) -> Result<(), ApiError> {
        if secret.is_empty() {
            return Err(ApiError::invalid("the signing secret is empty; paste the app's client secret"));
        }
        self.blocking(move |app| {
            let account = match source {
                WebhookSource::Shopify => SHOPIFY_SECRET,
                WebhookSource::BigCommerce => BIGCOMMERCE_SECRET,
            };
            app.secrets.set(account, &secret)?;
            Ok(())
        })
        .await
    }

    /// Records a verified delivery and acts on it, once per event.
    pub async fn receive_webhook(&self, hook: InboundWebhook) -> Result<Receipt, ApiError> {
        let wake = match hook.source {
            WebhookSource::Shopify => shopify_wake(&hook.topic),
            WebhookSource::BigCommerce => bigcommerce_wake(&hook.topic),
        };
        let (new, privacy) = self
            .blocking(move |app| {
                let now = app.now();
                let keys = match wake {
                    Wake::Privacy(kind) => {
                        Some(app.customer_keys(kind, hook.subject.as_ref().unwrap_or(&CustomerRef::default()))?)
                    }
                    _ => None,
                };
                let entry = InboxEntry {
                    source: hook.source.as_str(),
                    delivery_key: hook.delivery_key.clone(),
                    topic: hook.topic.clone(),
                    // A privacy request's resource is the customer: never kept.
                    resource: if keys.is_some() { None } else { hook.resource.clone() },
                    triggered_at: hook.triggered_at,
                    woke: wake.label(),
                    note: match wake {
                        Wake::Nothing(why) => Some(why.to_string()),
                        _ => None,
                    },
                };
                let (new, report) = app.store.write(|tx| {
                    if !record_delivery_in(tx, &entry, now)? {
                        return Ok((false, None));
                    }
                    let report = match (wake, &keys) {
                        (Wake::Privacy(kind), Some(k)) => Some(privacy_in(tx, kind, k, "webhook", now)?),
                        _ => None,
                    };
                    Ok((true, report))
                })?;
                if new && let Wake::Stock { bigcommerce_moved: true } = wake {
                    app.store.set_setting(BIGCOMMERCE_ANNOUNCED, &now, now)?;
                }
                Ok((new, report))
            })
            .await?;
        if !new {
            return Ok(Receipt { duplicate: true, woke: "nothing" });
        }
        if let Some(report) = privacy {
            self.blocking(move |app| app.privacy_after(report, true)).await?;
        }
        match wake {
            Wake::Stock { .. } => self.spawn_stock_poll(true),
            Wake::Orders => self.spawn_orders_poll(true),
            Wake::Privacy(_) | Wake::Nothing(_) => {}
        }
        Ok(Receipt { duplicate: false, woke: wake.label() })
    }
}

/// Who a Shopify privacy request is about, from its payload: `customer {id, email}` and
/// `orders_to_redact` / `orders_requested`. None for `shop/redact`.
pub fn privacy_subject(topic: PrivacyTopic, body: &serde_json::Value) -> Option<CustomerRef> {
    if topic == PrivacyTopic::RedactShop {
        return None;
    }
    let customer = body.get("customer")?;
    let id =
        customer.get("id").and_then(|v| v.as_i64().map(|n| n.to_string()).or_else(|| v.as_str().map(str::to_string)));
    let email = customer.get("email").and_then(|v| v.as_str()).filter(|e| !e.is_empty()).map(str::to_string);
    let orders = ["orders_to_redact", "orders_requested"]
        .iter()
        .filter_map(|k| body.get(*k)?.as_array())
        .flatten()
        .filter_map(|o| o.as_i64().map(|n| n.to_string()).or_else(|| o.as_str().map(str::to_string)))
        .collect();
    Some(CustomerRef { email, shopify_customer: id, orders })
}
