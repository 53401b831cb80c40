//! The POS orders capability's orchestration: the cycle that reads Shopify's POS orders changed
//! since the cursor and queues one job per order ([`sync`]), the lane executor that carries an
//! order, its edits and its refunds into BigCommerce exactly once ([`execute`]), the conversion of
//! a Shopify order into the planner's terms ([`sale`]), the daily reconciliation ([`reconcile`]),
//! and the operator's settings ([`settings`]). The money is `tillbridge_domain::orders`'s; this module only reads, saves and
//! sends.

pub mod channel;
pub(crate) mod execute;
pub mod reconcile;
pub(crate) mod sale;
pub mod settings;
pub mod sync;

/// The operator's settings ([`settings::OrdersConfig`]).
pub(crate) const SETTINGS_KEY: &str = "orders.config";
/// The BigCommerce channel POS orders are recorded on, once chosen or created.
pub(crate) const CHANNEL_SETTING: &str = "orders.channel_id";
/// BigCommerce's default location, where it takes the stock of the orders Tillbridge creates.
pub(crate) const STOCK_LOCATION_SETTING: &str = "orders.bigcommerce_stock_location";
/// When this database's first orders cycle read Shopify: a POS order sold after it and never
/// attempted cannot exist in BigCommerce yet.
pub(crate) const CARRYING_SINCE: &str = "orders.carrying_since";
/// The name of the channel Tillbridge creates when none was chosen.
pub(crate) const CHANNEL_NAME: &str = "Shopify POS";

pub use channel::{ChooseOrderChannel, OrderChannel, OrderChannelsView};
pub use reconcile::{ReconcileRequest, ReconcileView};
pub use settings::OrdersConfig;
pub use sync::{
    OrderPreview, OrderRef, OrderTimelineView, OrdersQuery, OrdersSyncReport, OrdersSyncRequest, OrdersView,
    RetryOrdersRequest,
};
