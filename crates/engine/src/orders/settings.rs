//! The operator's choices for POS orders, and the salt of the email hash.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{CHANNEL_SETTING, SETTINGS_KEY, STOCK_LOCATION_SETTING};
use crate::{ApiError, App};

/// What the operator sets (`tillbridge orders settings`, the Orders screen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct OrdersConfig {
    /// Carry POS orders on the runtime's poll (off until the operator turns it on).
    pub enabled: bool,
    /// Create a BigCommerce customer for a shopper with no match by email; otherwise a guest order.
    pub create_customers: bool,
    /// The currencies the BigCommerce store sells in; an order in another is held for a person.
    pub store_currencies: Vec<String>,
    /// Only orders rung up at these Shopify locations (gids); empty means every location.
    pub locations: Vec<String>,
    /// BigCommerce lowers its own stock when an order is placed (its default): the decrement at its
    /// default location is then folded into the stock bases, so a sale is counted once. Off for a
    /// store that does not track the stock of these orders.
    pub bigcommerce_lowers_stock: bool,
    /// POS orders sold from this instant on are carried; older ones are left alone (a refund on
    /// one waits for a person). Set to the first orders cycle when absent, so turning POS orders on
    /// never copies years of till history into BigCommerce; set it earlier to carry a backlog.
    #[ts(type = "string | null")]
    pub carry_from: Option<chrono::DateTime<chrono::Utc>>,
    /// A shopper who agreed at the till to marketing email becomes a BigCommerce newsletter
    /// subscriber (consent `marketing_newsletter`). Off until the operator turns it on.
    pub newsletter_from_consent: bool,
    /// Carry the online store's orders too (`sourceName: web`), not only POS sales.
    pub include_web_orders: bool,
}

impl Default for OrdersConfig {
    fn default() -> OrdersConfig {
        OrdersConfig {
            enabled: false,
            create_customers: false,
            store_currencies: vec!["USD".into()],
            locations: Vec::new(),
            bigcommerce_lowers_stock: true,
            carry_from: None,
            newsletter_from_consent: false,
            include_web_orders: false,
        }
    }
}

/// Where the salt of the email hash is kept: random per installation, so a stored hash cannot be
/// matched against a list of known emails elsewhere.
pub(crate) const EMAIL_SALT: &str = "orders.email_salt";

/// Everything a job reads, loaded once per order.
#[derive(Debug, Clone)]
pub(crate) struct OrderSettings {
    pub create_customers: bool,
    pub store_currencies: Vec<String>,
    pub channel_id: Option<i64>,
    pub lowers_stock: bool,
    pub newsletter: bool,
    /// Where BigCommerce takes an order's stock, once read from the store.
    pub stock_location: Option<i64>,
    salt: String,
}

impl OrderSettings {
    pub(crate) async fn load(app: &App) -> Result<OrderSettings, ApiError> {
        app.blocking(|app| {
            let config: OrdersConfig = app.store.setting(SETTINGS_KEY)?.unwrap_or_default();
            let channel_id: Option<i64> = app.store.setting(CHANNEL_SETTING)?;
            let stock_location: Option<i64> = app.store.setting(STOCK_LOCATION_SETTING)?;
            let salt = match app.store.setting::<String>(EMAIL_SALT)? {
                Some(salt) => salt,
                None => {
                    let mut bytes = [0u8; 16];
                    getrandom::fill(&mut bytes).map_err(|e| {
                        ApiError::unavailable(format!("the operating system gave no randomness for a salt: {e}"))
                    })?;
                    let salt: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                    app.store.set_setting(EMAIL_SALT, &salt, app.now())?;
                    salt
                }
            };
            Ok(OrderSettings {
                create_customers: config.create_customers,
                store_currencies: config.store_currencies,
                channel_id,
                lowers_stock: config.bigcommerce_lowers_stock,
                newsletter: config.newsletter_from_consent,
                stock_location,
                salt,
            })
        })
        .await
    }

    /// The salted hash of an email, lower-cased first since emails match without regard to case.
    pub(crate) fn email_hash(&self, email: &str) -> String {
        salted_email_hash(&self.salt, email)
    }
}

/// The hash under which a customer's email is kept: SHA-256 of the installation's salt and the
/// email, lower-cased first since emails match without regard to case.
pub(crate) fn salted_email_hash(salt: &str, email: &str) -> String {
    let digest = Sha256::digest(format!("{salt}:{}", email.trim().to_lowercase()).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
