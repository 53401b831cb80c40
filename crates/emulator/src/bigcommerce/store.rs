//! The emulated store's contents and the rules that keep them consistent: catalog with indexes,
//! multi-location stock with a short history (for stale reads), orders, refunds, customers,
//! subscribers, channels, locations and webhook subscriptions.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use crate::world::{BcOption, BcVariantOptionValue, World};

/// The most an item may hold at one location (Inventory API limit).
pub const MAX_STOCK: i64 = 2_147_483_647;

/// How far back the stock history reaches; a stale read older than this sees the oldest kept value.
const HISTORY_HORIZON: Duration = Duration::from_secs(600);
const HISTORY_MAX: usize = 64;

/// A webhook event: the scope it fires under and its light `data`.
#[derive(Debug, Clone)]
pub struct Event {
    pub scope: String,
    pub data: Value,
}

impl Event {
    pub fn new(scope: impl Into<String>, data: Value) -> Event {
        Event { scope: scope.into(), data }
    }
}

// ---------------------------------------------------------------- catalog

#[derive(Debug, Clone)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub sku: String,
    pub price: Decimal,
    pub sale_price: Decimal,
    pub retail_price: Decimal,
    pub cost_price: Decimal,
    pub upc: String,
    pub gtin: String,
    pub mpn: String,
    pub weight: Decimal,
    /// "none", "product" or "variant".
    pub inventory_tracking: String,
    pub inventory_warning_level: i64,
    pub is_visible: bool,
    pub total_sold: i64,
    pub options: Vec<BcOption>,
    pub variant_ids: Vec<i64>,
    /// Present for a product without options (its single base variant).
    pub base_variant_id: Option<i64>,
    pub date_created: DateTime<Utc>,
    pub date_modified: DateTime<Utc>,
    /// Writable product fields the emulator does not model, echoed back as they were sent.
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub id: i64,
    pub product_id: i64,
    pub sku: String,
    /// The v2 SKU id; null for a base variant.
    pub sku_id: Option<i64>,
    pub upc: String,
    pub gtin: String,
    pub mpn: String,
    pub price: Option<Decimal>,
    pub sale_price: Option<Decimal>,
    pub retail_price: Option<Decimal>,
    pub cost_price: Option<Decimal>,
    pub weight: Option<Decimal>,
    pub purchasing_disabled: bool,
    pub purchasing_disabled_message: String,
    pub inventory_warning_level: i64,
    pub bin_picking_number: String,
    pub option_values: Vec<BcVariantOptionValue>,
    pub stock: Vec<StockCell>,
    pub extra: Map<String, Value>,
}

impl Variant {
    pub fn cell(&self, location_id: i64) -> Option<&StockCell> {
        self.stock.iter().find(|c| c.location_id == location_id)
    }

    pub fn cell_mut_or_new(&mut self, location_id: i64) -> &mut StockCell {
        if let Some(i) = self.stock.iter().position(|c| c.location_id == location_id) {
            return &mut self.stock[i];
        }
        self.stock.push(StockCell::new(location_id, 0, 0));
        let last = self.stock.len() - 1;
        &mut self.stock[last]
    }
}

/// Stock of one item at one location, with the values it replaced recently.
#[derive(Debug, Clone)]
pub struct StockCell {
    pub location_id: i64,
    pub on_hand: i64,
    pub safety_stock: i64,
    pub warning_level: i64,
    /// (when it was replaced, on_hand, safety_stock), oldest first.
    history: Vec<(Instant, i64, i64)>,
}

impl StockCell {
    pub fn new(location_id: i64, on_hand: i64, safety_stock: i64) -> StockCell {
        StockCell { location_id, on_hand, safety_stock, warning_level: 0, history: Vec::new() }
    }

    pub fn set(&mut self, now: Instant, on_hand: i64, safety_stock: i64) {
        if on_hand == self.on_hand && safety_stock == self.safety_stock {
            return;
        }
        self.history.push((now, self.on_hand, self.safety_stock));
        let horizon = now.checked_sub(HISTORY_HORIZON);
        // An entry replaced before the horizon can never answer a read inside it.
        if let Some(h) = horizon {
            let keep_from = self.history.iter().position(|(at, _, _)| *at >= h).unwrap_or(self.history.len());
            self.history.drain(..keep_from);
        }
        if self.history.len() > HISTORY_MAX {
            let excess = self.history.len() - HISTORY_MAX;
            self.history.drain(..excess);
        }
        self.on_hand = on_hand;
        self.safety_stock = safety_stock;
    }

    /// (on_hand, safety_stock) as they were at `at`; `None` means "now".
    pub fn as_of(&self, at: ReadTime) -> (i64, i64) {
        match at {
            ReadTime::Now => (self.on_hand, self.safety_stock),
            ReadTime::At(t) => self
                .history
                .iter()
                .find(|(replaced, _, _)| *replaced > t)
                .map_or((self.on_hand, self.safety_stock), |&(_, o, s)| (o, s)),
            ReadTime::BeforeEverything => {
                self.history.first().map_or((self.on_hand, self.safety_stock), |&(_, o, s)| (o, s))
            }
        }
    }
}

/// The time of a write: monotonic for the stock history, wall-clock for `date_modified`.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now: Instant,
    pub wall: DateTime<Utc>,
}

impl Clock {
    pub fn now() -> Clock {
        Clock { now: Instant::now(), wall: Utc::now() }
    }
}

/// The moment an inventory read reflects: now, or the past under a stale-read fault.
#[derive(Debug, Clone, Copy)]
pub enum ReadTime {
    Now,
    At(Instant),
    BeforeEverything,
}

impl ReadTime {
    pub fn stale_by(stale: Duration) -> ReadTime {
        if stale.is_zero() {
            return ReadTime::Now;
        }
        Instant::now().checked_sub(stale).map_or(ReadTime::BeforeEverything, ReadTime::At)
    }
}

// ---------------------------------------------------------------- locations

#[derive(Debug, Clone)]
pub struct Location {
    pub id: i64,
    pub code: String,
    pub label: String,
    pub description: String,
    pub managed_by_external_source: bool,
    pub type_id: String,
    pub enabled: bool,
    pub storefront_visibility: bool,
    pub time_zone: String,
    pub address: Option<Value>,
    pub operating_hours: Option<Value>,
    pub special_hours: Vec<Value>,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// ---------------------------------------------------------------- orders

#[derive(Debug, Clone)]
pub struct OrderLine {
    /// The order product id (refunds and shipments refer to it).
    pub id: i64,
    /// 0 for a custom line.
    pub product_id: i64,
    pub variant_id: i64,
    pub name: String,
    pub sku: String,
    pub upc: String,
    pub quantity: i64,
    pub base_price: Decimal,
    pub price_ex_tax: Decimal,
    pub price_inc_tax: Decimal,
    /// This line's share of the order-level discount.
    pub discount: Decimal,
    pub quantity_refunded: i64,
    pub refund_amount: Decimal,
    pub option_values: Vec<BcVariantOptionValue>,
    /// (location, quantity) actually taken from stock when the order was placed.
    pub stock_taken: Vec<(i64, i64)>,
}

impl OrderLine {
    pub fn total_ex_tax(&self) -> Decimal {
        self.price_ex_tax * Decimal::from(self.quantity)
    }
    pub fn total_inc_tax(&self) -> Decimal {
        self.price_inc_tax * Decimal::from(self.quantity)
    }
    pub fn discounted_total_inc_tax(&self) -> Decimal {
        self.total_inc_tax() - self.discount
    }
}

#[derive(Debug, Clone)]
pub struct Order {
    pub id: i64,
    pub customer_id: i64,
    pub status_id: i64,
    pub date_created: DateTime<Utc>,
    pub date_modified: DateTime<Utc>,
    pub billing_address: Map<String, Value>,
    pub shipping_address: Option<Map<String, Value>>,
    /// The order address id (SHIPPING and HANDLING refunds refer to it).
    pub address_id: i64,
    pub lines: Vec<OrderLine>,
    pub subtotal_ex_tax: Decimal,
    pub subtotal_inc_tax: Decimal,
    pub shipping_cost_ex_tax: Decimal,
    pub shipping_cost_inc_tax: Decimal,
    pub handling_cost_ex_tax: Decimal,
    pub handling_cost_inc_tax: Decimal,
    pub discount_amount: Decimal,
    pub total_ex_tax: Decimal,
    pub total_inc_tax: Decimal,
    pub refunded_amount: Decimal,
    pub refunded_shipping: Decimal,
    pub refunded_handling: Decimal,
    pub payment_status: String,
    pub payment_method: String,
    pub payment_provider_id: String,
    pub channel_id: i64,
    pub external_source: Option<String>,
    pub external_order_id: Option<String>,
    pub external_merchant_id: Option<String>,
    pub staff_notes: String,
    pub customer_message: String,
    pub customer_locale: String,
    pub refunds: Vec<Refund>,
}

#[derive(Debug, Clone)]
pub struct Refund {
    pub id: i64,
    pub order_id: i64,
    pub created: DateTime<Utc>,
    pub reason: String,
    pub total_amount: Decimal,
    pub total_tax: Decimal,
    pub uses_merchant_override_values: bool,
    /// As echoed by the API: `{item_type, item_id, reason, quantity?, requested_amount}`.
    pub items: Vec<Value>,
    pub payments: Vec<RefundPayment>,
}

#[derive(Debug, Clone)]
pub struct RefundPayment {
    pub id: i64,
    pub provider_id: String,
    pub amount: Decimal,
    pub offline: bool,
}

pub const ORDER_STATUSES: [(i64, &str, &str); 15] = [
    (
        0,
        "Incomplete",
        "An incomplete order happens when a shopper reached the payment page, but did not complete the transaction.",
    ),
    (1, "Pending", "Customer started the checkout process, but did not complete it."),
    (
        2,
        "Shipped",
        "Order has been shipped, but receipt has not been confirmed; seller has used the Ship Items action.",
    ),
    (
        3,
        "Partially Shipped",
        "Only some items in the order have been shipped, due to some products being pre-order only or other reasons.",
    ),
    (4, "Refunded", "Seller has used the Refund action."),
    (5, "Cancelled", "Seller has cancelled an order, due to a stock inconsistency or other reasons."),
    (6, "Declined", "Seller has marked the order as declined for lack of manual payment, or other reasons."),
    (7, "Awaiting Payment", "Customer has completed checkout process, but payment has yet to be confirmed."),
    (8, "Awaiting Pickup", "Order has been pulled, and is awaiting customer pickup from a seller-specified location."),
    (
        9,
        "Awaiting Shipment",
        "Order has been pulled and packaged, and is awaiting collection from a shipping provider.",
    ),
    (10, "Completed", "Client has paid for their digital product and their file(s) are available for download."),
    (11, "Awaiting Fulfillment", "Customer has completed the checkout process and payment has been confirmed."),
    (12, "Manual Verification Required", "Order is on hold while some aspect needs to be manually confirmed."),
    (
        13,
        "Disputed",
        "Customer has initiated a dispute resolution process for the PayPal transaction that paid for the order.",
    ),
    (14, "Partially Refunded", "Seller has partially refunded the order."),
];

pub fn status_name(id: i64) -> &'static str {
    ORDER_STATUSES.iter().find(|(i, _, _)| *i == id).map_or("", |(_, n, _)| n)
}

// ---------------------------------------------------------------- customers, channels, hooks

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub phone: String,
    pub notes: String,
    pub tax_exempt_category: String,
    pub customer_group_id: i64,
    pub accepts_product_review_abandoned_cart_emails: bool,
    pub origin_channel_id: i64,
    pub channel_ids: Option<Vec<i64>>,
    pub date_created: DateTime<Utc>,
    pub date_modified: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Subscriber {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub source: String,
    pub order_id: Option<i64>,
    pub channel_id: i64,
    pub consents: Vec<String>,
    pub date_created: DateTime<Utc>,
    pub date_modified: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub id: i64,
    pub name: String,
    pub channel_type: String,
    pub platform: String,
    pub status: String,
    pub external_id: String,
    pub is_listable_from_ui: bool,
    pub is_visible: bool,
    pub date_created: DateTime<Utc>,
    pub date_modified: DateTime<Utc>,
}

impl Channel {
    /// Orders may name only an enabled channel; a disconnected or archived one is refused.
    pub fn is_enabled(&self) -> bool {
        matches!(self.status.as_str(), "active" | "prelaunch" | "connected")
    }
}

#[derive(Debug, Clone)]
pub struct Hook {
    pub id: i64,
    pub scope: String,
    pub destination: String,
    pub is_active: bool,
    pub headers: Option<BTreeMap<String, String>>,
    pub created_at: i64,
    pub updated_at: i64,
}

// ---------------------------------------------------------------- the store

#[derive(Debug)]
pub struct Store {
    pub products: BTreeMap<i64, Product>,
    pub variants: BTreeMap<i64, Variant>,
    /// Product (main) SKU → product ids; BigCommerce keeps SKUs unique, but seeds may not.
    pub product_skus: HashMap<String, Vec<i64>>,
    /// Variant SKU → variant ids.
    pub variant_skus: HashMap<String, Vec<i64>>,
    pub locations: BTreeMap<i64, Location>,
    pub default_location: i64,
    pub orders: BTreeMap<i64, Order>,
    pub customers: BTreeMap<i64, Customer>,
    pub subscribers: BTreeMap<i64, Subscriber>,
    pub channels: BTreeMap<i64, Channel>,
    pub hooks: BTreeMap<i64, Hook>,
    next: NextIds,
}

#[derive(Debug, Default)]
struct NextIds {
    product: i64,
    variant: i64,
    sku: i64,
    location: i64,
    order: i64,
    order_line: i64,
    order_address: i64,
    refund: i64,
    refund_payment: i64,
    customer: i64,
    subscriber: i64,
    channel: i64,
    hook: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Location,
    Order,
    OrderLine,
    OrderAddress,
    Refund,
    RefundPayment,
    Customer,
    Subscriber,
    Channel,
    Hook,
}

impl Store {
    pub fn load(world: &World, now: DateTime<Utc>) -> Store {
        let mut s = Store {
            products: BTreeMap::new(),
            variants: BTreeMap::new(),
            product_skus: HashMap::new(),
            variant_skus: HashMap::new(),
            locations: BTreeMap::new(),
            default_location: 1,
            orders: BTreeMap::new(),
            customers: BTreeMap::new(),
            subscribers: BTreeMap::new(),
            channels: BTreeMap::new(),
            hooks: BTreeMap::new(),
            next: NextIds::default(),
        };
        for l in &world.bigcommerce.locations {
            s.locations.insert(
                l.id,
                Location {
                    id: l.id,
                    code: l.code.clone(),
                    label: l.label.clone(),
                    description: String::new(),
                    managed_by_external_source: false,
                    type_id: "PHYSICAL".into(),
                    enabled: true,
                    storefront_visibility: true,
                    time_zone: "Etc/UTC".into(),
                    address: None,
                    operating_hours: None,
                    special_hours: Vec::new(),
                    is_default: l.is_default,
                    created_at: now,
                    updated_at: now,
                },
            );
        }
        // Every BigCommerce store has a default location, even one seeded without any.
        if s.locations.is_empty() {
            s.locations.insert(
                1,
                Location {
                    id: 1,
                    code: "BC-DEFAULT".into(),
                    label: "Default location".into(),
                    description: String::new(),
                    managed_by_external_source: false,
                    type_id: "PHYSICAL".into(),
                    enabled: true,
                    storefront_visibility: true,
                    time_zone: "Etc/UTC".into(),
                    address: None,
                    operating_hours: None,
                    special_hours: Vec::new(),
                    is_default: true,
                    created_at: now,
                    updated_at: now,
                },
            );
        }
        s.default_location =
            s.locations.values().find(|l| l.is_default).or_else(|| s.locations.values().next()).map_or(1, |l| l.id);
        if let Some(l) = s.locations.get_mut(&s.default_location) {
            l.is_default = true;
        }

        let mut next_sku_id = 1;
        for p in &world.bigcommerce.products {
            let base_variant_id = p.options.is_empty().then(|| p.variants.first().map(|v| v.id)).flatten();
            for v in &p.variants {
                let sku_id = if v.option_values.is_empty() {
                    None
                } else {
                    next_sku_id += 1;
                    Some(next_sku_id - 1)
                };
                let stock =
                    v.stock.iter().map(|st| StockCell::new(st.location_id, st.on_hand, st.safety_stock)).collect();
                s.variant_skus.entry(v.sku.clone()).or_default().push(v.id);
                s.variants.insert(
                    v.id,
                    Variant {
                        id: v.id,
                        product_id: p.id,
                        sku: v.sku.clone(),
                        sku_id,
                        upc: v.upc.clone(),
                        gtin: v.gtin.clone(),
                        mpn: v.mpn.clone(),
                        price: v.price,
                        sale_price: v.sale_price,
                        retail_price: None,
                        cost_price: None,
                        weight: None,
                        purchasing_disabled: false,
                        purchasing_disabled_message: String::new(),
                        inventory_warning_level: 0,
                        bin_picking_number: String::new(),
                        option_values: v.option_values.clone(),
                        stock,
                        extra: Map::new(),
                    },
                );
            }
            s.product_skus.entry(p.sku.clone()).or_default().push(p.id);
            s.products.insert(
                p.id,
                Product {
                    id: p.id,
                    name: p.name.clone(),
                    sku: p.sku.clone(),
                    price: p.price,
                    sale_price: p.sale_price,
                    retail_price: p.retail_price,
                    cost_price: Decimal::ZERO,
                    upc: p.upc.clone(),
                    gtin: p.gtin.clone(),
                    mpn: p.mpn.clone(),
                    weight: p.weight,
                    inventory_tracking: p.inventory_tracking.to_string(),
                    inventory_warning_level: 0,
                    is_visible: true,
                    total_sold: 0,
                    options: p.options.clone(),
                    variant_ids: p.variants.iter().map(|v| v.id).collect(),
                    base_variant_id,
                    date_created: p.date_created,
                    date_modified: p.date_modified,
                    extra: Map::new(),
                },
            );
        }

        for (i, c) in world.customers.iter().filter(|c| c.on_bigcommerce).enumerate() {
            let id = i as i64 + 1;
            s.customers.insert(
                id,
                Customer {
                    id,
                    email: c.email.clone(),
                    first_name: c.first_name.clone(),
                    last_name: c.last_name.clone(),
                    company: String::new(),
                    phone: String::new(),
                    notes: String::new(),
                    tax_exempt_category: String::new(),
                    customer_group_id: 0,
                    accepts_product_review_abandoned_cart_emails: false,
                    origin_channel_id: 1,
                    channel_ids: None,
                    date_created: now,
                    date_modified: now,
                },
            );
        }

        // Channel 1 is every store's own storefront; the POS channel is where Shopify POS sales land.
        for (id, name, channel_type, platform, status) in [
            (1, "Tillbridge Demo Store", "storefront", "bigcommerce", "active"),
            (2, "Shopify POS", "pos", "custom", "connected"),
        ] {
            s.channels.insert(
                id,
                Channel {
                    id,
                    name: name.into(),
                    channel_type: channel_type.into(),
                    platform: platform.into(),
                    status: status.into(),
                    external_id: String::new(),
                    is_listable_from_ui: true,
                    is_visible: true,
                    date_created: now,
                    date_modified: now,
                },
            );
        }

        s.next.product = s.products.keys().max().copied().unwrap_or(0) + 1;
        s.next.variant = s.variants.keys().max().copied().unwrap_or(0) + 1;
        s.next.sku = next_sku_id;
        s.next.location = s.locations.keys().max().copied().unwrap_or(0) + 1;
        s.next.order = 100;
        s.next.order_line = 1;
        s.next.order_address = 1;
        s.next.refund = 1;
        s.next.refund_payment = 1;
        s.next.customer = s.customers.keys().max().copied().unwrap_or(0) + 1;
        s.next.subscriber = 1;
        s.next.channel = s.channels.keys().max().copied().unwrap_or(0) + 1;
        s.next.hook = 1;
        s
    }

    pub fn next_id(&mut self, kind: IdKind) -> i64 {
        let n = &mut self.next;
        let slot = match kind {
            IdKind::Location => &mut n.location,
            IdKind::Order => &mut n.order,
            IdKind::OrderLine => &mut n.order_line,
            IdKind::OrderAddress => &mut n.order_address,
            IdKind::Refund => &mut n.refund,
            IdKind::RefundPayment => &mut n.refund_payment,
            IdKind::Customer => &mut n.customer,
            IdKind::Subscriber => &mut n.subscriber,
            IdKind::Channel => &mut n.channel,
            IdKind::Hook => &mut n.hook,
        };
        let id = *slot;
        *slot += 1;
        id
    }

    /// The variant's effective price: its own, or the product's when it inherits (null).
    pub fn effective_price(&self, v: &Variant) -> Decimal {
        v.price.or_else(|| self.products.get(&v.product_id).map(|p| p.price)).unwrap_or_default()
    }

    /// The price a storefront would charge: the sale price when one is set below the price.
    pub fn calculated_price(&self, v: &Variant) -> Decimal {
        let price = self.effective_price(v);
        let sale = v.sale_price.or_else(|| self.products.get(&v.product_id).map(|p| p.sale_price)).unwrap_or_default();
        if sale > Decimal::ZERO && sale < price { sale } else { price }
    }

    /// What the Catalog API shows as `inventory_level` for a variant: available to sell at the
    /// default location only (the inventory guide: catalog levels "reflect the total inventory
    /// the merchant has available to sell"), never below zero.
    pub fn catalog_level(&self, v: &Variant, at: ReadTime) -> i64 {
        v.cell(self.default_location).map_or(0, |c| {
            let (on_hand, safety) = c.as_of(at);
            (on_hand - safety).max(0)
        })
    }

    /// A product's `inventory_level`: its base variant's, or the sum over its variants when it
    /// tracks by variant; zero when it does not track inventory.
    pub fn product_level(&self, p: &Product, at: ReadTime) -> i64 {
        if p.inventory_tracking == "none" {
            return 0;
        }
        p.variant_ids
            .iter()
            .filter_map(|id| self.variants.get(id))
            .map(|v| self.catalog_level(v, at))
            .sum::<i64>()
            .min(MAX_STOCK)
    }

    /// Sets stock at one location and returns the webhook events the change fires, bumping the
    /// product's `date_modified` when the catalog-visible level moved. `method` is "absolute"
    /// or "relative"; `by_order` selects the order-driven scopes.
    pub fn set_stock(
        &mut self,
        variant_id: i64,
        location_id: i64,
        on_hand: i64,
        method: &str,
        by_order: bool,
        at: Clock,
    ) -> Vec<Event> {
        let Clock { now, wall } = at;
        let default_location = self.default_location;
        let Some(v) = self.variants.get_mut(&variant_id) else { return Vec::new() };
        let product_id = v.product_id;
        let cell = v.cell_mut_or_new(location_id);
        let (before, safety) = (cell.on_hand, cell.safety_stock);
        if before == on_hand {
            return Vec::new();
        }
        cell.set(now, on_hand, safety);
        let sku_id = v.sku_id;
        let mut events = vec![Event::new(
            "store/channel/*/inventory/product/stock_changed",
            json!({"variant_id": variant_id, "product_id": product_id, "location_id": location_id}),
        )];
        if location_id != default_location {
            return events;
        }
        let Some(p) = self.products.get_mut(&product_id) else { return events };
        if p.inventory_tracking == "none" {
            return events;
        }
        p.date_modified = wall;
        let value = if method == "absolute" { on_hand } else { on_hand - before };
        let suffix = if by_order { "inventory/order/updated" } else { "inventory/updated" };
        if p.inventory_tracking == "variant" && !p.options.is_empty() {
            events.push(Event::new(
                format!("store/sku/{suffix}"),
                json!({"type": "sku", "id": sku_id.unwrap_or(variant_id), "inventory": {
                    "product_id": product_id, "method": method, "value": value, "variant_id": variant_id,
                }}),
            ));
        } else {
            events.push(Event::new(
                format!("store/product/{suffix}"),
                json!({"type": "product", "id": product_id, "inventory": {"product_id": product_id, "method": method, "value": value}}),
            ));
        }
        events.push(Event::new("store/product/updated", json!({"type": "product", "id": product_id})));
        events
    }

    pub fn variants_by_sku(&self, sku: &str) -> &[i64] {
        self.variant_skus.get(sku).map_or(&[], Vec::as_slice)
    }

    pub fn reindex_variant_sku(&mut self, variant_id: i64, old: &str, new: &str) {
        if let Some(ids) = self.variant_skus.get_mut(old) {
            ids.retain(|&i| i != variant_id);
            if ids.is_empty() {
                self.variant_skus.remove(old);
            }
        }
        self.variant_skus.entry(new.to_string()).or_default().push(variant_id);
    }

    pub fn reindex_product_sku(&mut self, product_id: i64, old: &str, new: &str) {
        if let Some(ids) = self.product_skus.get_mut(old) {
            ids.retain(|&i| i != product_id);
            if ids.is_empty() {
                self.product_skus.remove(old);
            }
        }
        self.product_skus.entry(new.to_string()).or_default().push(product_id);
    }

    /// Whether `sku` is taken by any product or variant other than the ones named.
    pub fn sku_taken(&self, sku: &str, except_product: Option<i64>, except_variant: Option<i64>) -> bool {
        if sku.is_empty() {
            return false;
        }
        let by_product = self.product_skus.get(sku).is_some_and(|ids| ids.iter().any(|&id| Some(id) != except_product));
        let by_variant = self.variant_skus.get(sku).is_some_and(|ids| {
            ids.iter().any(|&id| {
                Some(id) != except_variant
                    // A product's base variant shares its SKU with the product itself.
                    && !(except_product.is_some() && self.variants.get(&id).is_some_and(|v| Some(v.product_id) == except_product && v.option_values.is_empty()))
            })
        });
        by_product || by_variant
    }
}
