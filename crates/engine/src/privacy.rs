//! Privacy requests (GDPR/CCPA): remove every stored trace of a customer, export what is stored
//! about one, or remove the shop's data. Shopify sends them as its three mandatory webhooks; a
//! merchant answering a request by hand runs the same from the CLI. Each is recorded (what was
//! done, in counts) with nothing that names the customer.
//!
//! Tillbridge stores no name, email, phone or address: a customer is kept as a link from their
//! Shopify id to their BigCommerce id with a salted hash of their email. So a request names the
//! customer by email (hashed the same way to find them) or by Shopify id.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tillbridge_domain::webhooks::PrivacyTopic;
use tillbridge_store::{Removed, StoreError, customer_data_in, record_privacy_in, redact_customer_in, redact_shop_in};
use tillbridge_transport::System;

use crate::orders::settings::{EMAIL_SALT, salted_email_hash};
use crate::{ApiError, App};

/// Who a request is about: an email, a Shopify customer (number or gid), or both; and for a
/// redaction from Shopify, the orders to redact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct CustomerRef {
    pub email: Option<String>,
    pub shopify_customer: Option<String>,
    pub orders: Vec<String>,
}

impl CustomerRef {
    /// An email (it has an `@`), or a Shopify customer number or gid.
    pub fn parse(text: &str) -> Result<CustomerRef, ApiError> {
        let t = text.trim();
        if t.contains('@') {
            return Ok(CustomerRef { email: Some(t.to_string()), ..CustomerRef::default() });
        }
        if t.starts_with("gid://shopify/Customer/") || (!t.is_empty() && t.chars().all(|c| c.is_ascii_digit())) {
            return Ok(CustomerRef { shopify_customer: Some(t.to_string()), ..CustomerRef::default() });
        }
        Err(ApiError::invalid(
            "name the customer by email (jane@example.com) or by Shopify customer id (1234 or gid://shopify/Customer/1234)",
        ))
    }

    fn gid(&self) -> Option<String> {
        self.shopify_customer
            .as_deref()
            .map(|c| if c.starts_with("gid://") { c.to_string() } else { format!("gid://shopify/Customer/{c}") })
    }

    fn order_gids(&self) -> Vec<String> {
        self.orders
            .iter()
            .map(|o| if o.starts_with("gid://") { o.clone() } else { format!("gid://shopify/Order/{o}") })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct PrivacyReport {
    pub kind: String,
    /// Rows removed per table.
    pub removed: BTreeMap<String, u64>,
    /// For an export: what is stored about the customer.
    #[ts(type = "unknown")]
    pub data: Option<serde_json::Value>,
    /// For an export from the desktop app or a webhook: where the file was saved.
    pub saved_to: Option<String>,
}

fn report(kind: PrivacyTopic, removed: Removed) -> PrivacyReport {
    PrivacyReport {
        kind: kind.as_str().to_string(),
        removed: removed.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        data: None,
        saved_to: None,
    }
}

/// Who a request is about, as the tables key customers: the Shopify gid, the salted email hash,
/// and the Shopify orders named.
#[derive(Debug, Clone, Default)]
pub(crate) struct CustomerKeys {
    gid: Option<String>,
    email_hash: Option<String>,
    orders: Vec<String>,
}

/// Carries out a privacy request inside the transaction `tx` (so a webhook's delivery and its
/// effect are recorded together), recording it as coming from `origin`.
pub(crate) fn privacy_in(
    tx: &tillbridge_store::Transaction<'_>,
    kind: PrivacyTopic,
    who: &CustomerKeys,
    origin: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PrivacyReport, StoreError> {
    let (gid, hash) = (who.gid.as_deref(), who.email_hash.as_deref());
    match kind {
        PrivacyTopic::RedactCustomer => {
            let removed = redact_customer_in(tx, gid, hash, &who.orders)?;
            record_privacy_in(tx, kind.as_str(), origin, &removed, now)?;
            Ok(report(kind, removed))
        }
        PrivacyTopic::ExportCustomer => {
            let data = customer_data_in(tx, gid, hash)?;
            record_privacy_in(tx, kind.as_str(), origin, &Removed::new(), now)?;
            Ok(PrivacyReport { data: Some(data), ..report(kind, Removed::new()) })
        }
        PrivacyTopic::RedactShop => {
            let removed = redact_shop_in(tx)?;
            record_privacy_in(tx, kind.as_str(), origin, &removed, now)?;
            Ok(report(kind, removed))
        }
    }
}

impl App {
    /// How the tables key `who`. The email is hashed with this installation's salt; before any
    /// customer was linked there is no salt, and no hash to find.
    pub(crate) fn customer_keys(&self, kind: PrivacyTopic, who: &CustomerRef) -> Result<CustomerKeys, ApiError> {
        if kind != PrivacyTopic::RedactShop && who.email.is_none() && who.shopify_customer.is_none() {
            return Err(ApiError::invalid("a privacy request needs the customer's email or Shopify customer id"));
        }
        let salt: Option<String> = self.store.setting(EMAIL_SALT)?;
        let email_hash = match (salt, &who.email) {
            (Some(salt), Some(email)) => Some(salted_email_hash(&salt, email)),
            _ => None,
        };
        Ok(CustomerKeys { gid: who.gid(), email_hash, orders: who.order_gids() })
    }

    /// What is left to do outside the database once a request is recorded: an export from a
    /// webhook is saved as a file (nobody waits for its answer); a shop's redaction forgets its
    /// token and connection.
    pub(crate) fn privacy_after(&self, mut report: PrivacyReport, save: bool) -> Result<PrivacyReport, ApiError> {
        if report.kind != PrivacyTopic::ExportCustomer.as_str() {
            // The overwritten pages may still sit in the write-ahead log until a checkpoint.
            self.store.checkpoint()?;
        }
        if report.kind == PrivacyTopic::ExportCustomer.as_str()
            && save
            && let Some(data) = &report.data
        {
            let text = serde_json::to_string_pretty(data).map_err(|e| ApiError::internal(e.to_string()))?;
            report.saved_to = Some(crate::paths::save_export("tillbridge-customer-data", "json", self.now(), &text)?);
        }
        if report.kind == PrivacyTopic::RedactShop.as_str() {
            let mut tokens = 0;
            for c in self.store.connections()?.into_iter().filter(|c| c.system == System::Shopify) {
                self.secrets.delete(&c.secret_ref)?;
                self.store.remove_connection(System::Shopify, &c.store_ref)?;
                tokens += 1;
            }
            report.removed.insert("shopify_token".into(), tokens);
        }
        Ok(report)
    }

    /// A privacy request run by hand (`tillbridge privacy …`), recorded as such.
    pub async fn privacy_request(&self, kind: PrivacyTopic, who: CustomerRef) -> Result<PrivacyReport, ApiError> {
        self.blocking(move |app| {
            let keys = app.customer_keys(kind, &who)?;
            let now = app.now();
            let report = app.store.write(|tx| privacy_in(tx, kind, &keys, "cli", now))?;
            app.privacy_after(report, false)
        })
        .await
    }
}
