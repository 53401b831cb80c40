//! Carrying one POS order into BigCommerce on the BigCommerce lane: create its order exactly once,
//! send later edits as updates, then carry its refunds one by one.
//!
//! Exactly once rests on three things: the order link, written as 'creating' before the create is
//! sent; the create itself, which asks BigCommerce for an order with this `external_order_id`
//! before every send (so a create whose answer was lost is found, not repeated); and refund links,
//! written as 'sending' before each refund, so a refund that landed before a crash is recognised
//! among the order's refunds instead of being sent again.

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use tillbridge_bigcommerce::BcError;
use tillbridge_bigcommerce::models::{
    BillingAddress, NewChannel, NewCustomer, NewOrder, NewOrderLine, NewRefund, NewSubscriber, OrderUpdate, RefundItem,
    RefundOverride, RefundPayment,
};
use tillbridge_domain::orders::{
    CatalogVariant, DraftLine, OFFLINE_PROVIDER, OrderContext, OrderDraft, PosOrderWork, RefundDraft, RefundItemDraft,
    RefundPlan, Sale, draft_order, draft_refund, order_edit,
};
use tillbridge_domain::stock::Side;
use tillbridge_domain::work::{Lane, Work};
use tillbridge_shopify::ShopifyError;
use tillbridge_shopify::gid::OrderId;
use tillbridge_shopify::models::PosOrder;
use tillbridge_store::{OrderLink, OrderLinkState, OrderLinkUpdate, RefundLinkState, RefundLinkUpdate, Settlement};
use tillbridge_transport::{ErrorClass, correlation};
use tokio_util::sync::CancellationToken;

use super::sale::{billing_of, sale_of, version_of};
use super::settings::OrderSettings;
use crate::clients::StoreClients;
use crate::runtime::lanes::{DueWork, Sent, claim, request_id, retry_or_give_up};
use crate::stock::execute::echo_window;
use crate::{ApiError, App};

/// Why carrying an order stopped.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A store was down, throttled, or its answer lost: the job is tried again later.
    Retry(String),
    /// Nothing more happens until a person acts; the order's link says why.
    Refused(String),
}

impl From<BcError> for Failure {
    fn from(e: BcError) -> Failure {
        // A store's message can quote the email it refused; what is kept (the job's error, the
        // order's reason) must not.
        let said = without_emails(&e.to_string());
        match e.class() {
            ErrorClass::Retryable => Failure::Retry(format!("BigCommerce: {said}")),
            ErrorClass::Permanent => Failure::Refused(format!("BigCommerce refused it: {said}")),
        }
    }
}

impl From<ShopifyError> for Failure {
    fn from(e: ShopifyError) -> Failure {
        let said = without_emails(&e.to_string());
        match e.class() {
            ErrorClass::Retryable => Failure::Retry(format!("Shopify: {said}")),
            ErrorClass::Permanent => Failure::Refused(format!("Shopify refused it: {said}")),
        }
    }
}

/// `text` with every word that looks like an email address replaced by "[email]".
pub(crate) fn without_emails(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let core = word.trim_matches(|c: char| !c.is_alphanumeric());
            let looks = core.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
            if looks { word.replace(core, "[email]") } else { word.to_string() }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Failure {
        // The local database failing mid-job: nothing about the order is wrong, so try again.
        Failure::Retry(e.message)
    }
}

/// Runs the most urgent POS order job of the lane. One order per step: its requests depend on one
/// another (the create, then its products, then each refund).
pub(crate) async fn send_next(
    app: &App,
    _lane: Lane,
    due: DueWork,
    _cancel: &CancellationToken,
) -> Result<Option<Sent>, ApiError> {
    let Some((job, work)) = due.into_iter().find_map(|(job, work)| match work {
        Work::PosOrder(w) => Some((job, w)),
        _ => None,
    }) else {
        return Ok(None);
    };
    let claimed = claim(app, &[&job]).await?;
    let Some(job) = claimed.into_iter().next() else { return Ok(None) };
    let request_id = request_id(&job);
    let started_at = app.now();
    let settlement = match app.shared_clients().await {
        Err(e) => retry_or_give_up(app, &job, &e.message),
        Ok(clients) => match correlation::scope(request_id.clone(), carry(app, &clients, &work)).await {
            Ok(()) => Settlement::Done,
            Err(Failure::Retry(reason)) => retry_or_give_up(app, &job, &reason),
            Err(Failure::Refused(reason)) => Settlement::Dead { error: reason },
        },
    };
    Ok(Some(Sent { request_id, started_at, settlements: vec![(job.id, settlement)] }))
}

/// Carries the order as Shopify has it now (the job holds ids only, so an edit made since it was
/// queued is not lost).
pub(crate) async fn carry(app: &App, clients: &StoreClients, work: &PosOrderWork) -> Result<(), Failure> {
    let id = OrderId(work.order_gid.clone());
    let read = app
        .runtime
        .orders_read
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&super::sync::read_key(&work.order_gid, &work.version))
        .filter(|o| o.complete);
    let order = match read {
        Some(order) => Some(order),
        None => clients.shopify.order(&id).await?,
    };
    let Some(order) = order else {
        return Err(Failure::Refused(format!(
            "Shopify has no order {} any more (deleted?); nothing was sent: skip this job",
            work.order_gid
        )));
    };
    if !order.complete {
        return Err(Failure::Refused(format!(
            "order {} has more lines, refunds or payments than one read carries; nothing was sent: record it in BigCommerce by hand, then skip this job",
            order.name
        )));
    }
    let sale = sale_of(&order);
    let gid = sale.gid.clone();
    let link = app.blocking(move |app| Ok(app.store.order_link(&gid)?)).await?;
    let link = match link {
        // A person chose not to carry it.
        Some(link) if link.state == OrderLinkState::Skipped => return Ok(()),
        Some(link) if link.state == OrderLinkState::Created => update(app, clients, &sale, link).await?,
        // Never attempted, and sold after this database began carrying orders: no earlier request
        // can have created it, so the first send need not look. Older sales (a first run's backlog,
        // or a database started afresh) are looked up first.
        None => {
            let since: Option<chrono::DateTime<chrono::Utc>> =
                app.blocking(|app| Ok(app.store.setting(super::CARRYING_SINCE)?)).await?;
            let looked_at =
                if since.is_some_and(|t| sale.processed_at > t) { Earlier::NeverSent } else { Earlier::Unknown };
            create(app, clients, &order, &sale, looked_at).await?
        }
        Some(link) => {
            // Holds are written just before a send, and let go only when the order is recorded or
            // refused: with either sign, an earlier attempt of ours may have made it.
            let gid = sale.gid.clone();
            let held = app.blocking(move |app| Ok(app.store.holds_stock(&gid)?)).await?;
            let earlier =
                if link.state == OrderLinkState::Creating || held { Earlier::MaybeSent } else { Earlier::Unknown };
            create(app, clients, &order, &sale, earlier).await?
        }
    };
    carry_refunds(app, clients, &sale, &link).await?;
    // Only now is this version wholly in BigCommerce: intake skips it from here on.
    let (gid, version, at) = (sale.gid.clone(), version_of(&order), sale.updated_at);
    app.blocking(move |app| Ok(app.store.note_order_carried(&gid, None, Some((&version, at)), app.now())?)).await?;
    Ok(())
}

fn link_update(sale: &Sale, draft: Option<&OrderDraft>, reason: Option<String>) -> OrderLinkUpdate {
    OrderLinkUpdate {
        shopify_order_gid: sale.gid.clone(),
        name: sale.name.clone(),
        shopify_total: Some(sale.total),
        currency: Some(sale.currency.clone()),
        unmatched_lines: draft.map_or(0, |d| d.unmatched.len() as u32),
        retail_location_gid: sale.retail_location_gid.clone(),
        processed_at: Some(sale.processed_at),
        reason,
        ..OrderLinkUpdate::default()
    }
}

async fn save_link(app: &App, state: OrderLinkState, link: OrderLinkUpdate) -> Result<(), Failure> {
    app.blocking(move |app| Ok(app.store.save_order_link(state, &link, app.now())?)).await?;
    Ok(())
}

/// Marks the order as needing a person, and stops.
async fn refuse_order(app: &App, sale: &Sale, reason: String) -> Failure {
    if let Err(e) = save_link(app, OrderLinkState::NeedsAttention, link_update(sale, None, Some(reason.clone()))).await
    {
        return e;
    }
    Failure::Refused(reason)
}

fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// What is known of earlier attempts to create an order, which decides whether BigCommerce is
/// asked first and whether an order found there took its stock for this sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Earlier {
    /// No attempt can have sent it: created without asking.
    NeverSent,
    /// This database's own earlier attempt may have sent it: an order found is that attempt's, and
    /// its stock decrement is this sale's.
    MaybeSent,
    /// Nothing recorded (a backlog, a database started afresh, a refused attempt): an order found
    /// was made before, and whatever it did to stock is already in the stock bases.
    Unknown,
}

async fn create(
    app: &App,
    clients: &StoreClients,
    order: &PosOrder,
    sale: &Sale,
    earlier: Earlier,
) -> Result<OrderLink, Failure> {
    let settings = OrderSettings::load(app).await?;
    let channel_id = match channel(app, clients, &settings).await {
        Ok(id) => id,
        Err(Failure::Refused(reason)) => return Err(refuse_order(app, sale, reason).await),
        Err(retry) => return Err(retry),
    };
    let variant_gids: Vec<String> = sale.lines.iter().filter_map(|l| l.variant_gid.clone()).collect();
    let catalog: HashMap<String, CatalogVariant> = app
        .blocking(move |app| Ok(app.store.matched_bigcommerce_variants(&variant_gids)?))
        .await?
        .into_iter()
        .map(|(gid, (product_id, variant_id))| (gid, CatalogVariant { product_id, variant_id }))
        .collect();
    let customer_id = match customer(app, clients, order, &settings).await {
        Ok(id) => id,
        Err(Failure::Refused(reason)) => {
            let reason = format!("the shopper's BigCommerce customer could not be matched or made: {reason}");
            return Err(refuse_order(app, sale, reason).await);
        }
        Err(retry) => return Err(retry),
    };
    let ctx = OrderContext {
        channel_id,
        store_currencies: &settings.store_currencies,
        catalog: &catalog,
        customer_id,
        billing: billing_of(order),
    };
    let draft = match draft_order(sale, &ctx) {
        Ok(d) => d,
        Err(refusal) => return Err(refuse_order(app, sale, refusal.to_string()).await),
    };
    let found = match earlier {
        Earlier::NeverSent => None,
        Earlier::MaybeSent | Earlier::Unknown => clients.bigcommerce.order_by_external_id(&sale.gid).await?,
    };
    let found = match found {
        Some(existing) if earlier == Earlier::Unknown => {
            // Made before this database knew of it: linked as it is, and its stock left alone.
            let gid = sale.gid.clone();
            app.blocking(move |app| Ok(app.store.release_stock_holds(&gid)?)).await?;
            return finish_create(app, clients, order, sale, &draft, channel_id, &settings, existing).await;
        }
        other => other,
    };
    // The cells whose stock BigCommerce will lower for this order are held from the stock planner
    // until that decrement is folded in with the link below.
    if settings.lowers_stock {
        hold_stock(app, clients, &settings, sale, &draft).await?;
    }
    // Written before the request: a process that dies now leaves 'creating', and the next attempt
    // asks BigCommerce for this external_order_id before sending anything.
    save_link(app, OrderLinkState::Creating, link_update(sale, Some(&draft), None)).await?;
    let sent = match found {
        Some(ours) => Ok(ours),
        // Asked already (or never sent): the first send goes straight; after a failure that may
        // have reached the store, the client asks again before resending.
        None => clients.bigcommerce.create_order_unsent(&new_order(&draft)).await,
    };
    let made = match sent {
        Ok(made) => made,
        Err(e) => {
            return Err(match Failure::from(e) {
                Failure::Refused(reason) => {
                    // Refused: no order, so nothing was taken from the stock.
                    let gid = sale.gid.clone();
                    app.blocking(move |app| Ok(app.store.release_stock_holds(&gid)?)).await?;
                    refuse_order(app, sale, reason).await
                }
                retry => retry,
            });
        }
    };
    finish_create(app, clients, order, sale, &draft, channel_id, &settings, made).await
}

/// Records the order as created (folding its stock decrement into the cells it held), and carries
/// the shopper's consent when asked to.
#[allow(clippy::too_many_arguments)] // the pieces of one create, passed on from it
async fn finish_create(
    app: &App,
    clients: &StoreClients,
    order: &PosOrder,
    sale: &Sale,
    draft: &OrderDraft,
    channel_id: i64,
    settings: &OrderSettings,
    made: tillbridge_bigcommerce::models::Order,
) -> Result<OrderLink, Failure> {
    // Which order product each line became is read when a refund first needs it: most sales are
    // never refunded, and BigCommerce's quota is the scarce thing.
    let update = OrderLinkUpdate {
        bigcommerce_order_id: Some(made.id),
        bigcommerce_total: Some(made.total_inc_tax),
        sent_digest: Some(digest(&order_edit(sale).fingerprint())),
        ..link_update(sale, Some(draft), None)
    };
    let window = echo_window(Side::BigCommerce);
    let folded = app.blocking(move |app| Ok(app.store.complete_order_create(&update, app.now(), window)?)).await?;
    tracing::info!(order = %sale.gid, bigcommerce_order = made.id, folded, "POS order carried into BigCommerce");
    if settings.newsletter {
        carry_consent(app, clients, order, channel_id, made.id).await;
    }
    let gid = sale.gid.clone();
    let link = app.blocking(move |app| Ok(app.store.order_link(&gid)?)).await?;
    link.ok_or_else(|| Failure::Retry("the order link vanished while it was being written".into()))
}

/// Which BigCommerce order product each Shopify line became. BigCommerce keeps the lines in the
/// order they were sent (one per sale line); a line is paired only when its quantity agrees and,
/// for a catalog line, its variant, so a store that reordered them leaves the line unpaired (its
/// refunds then wait for a person) rather than paired wrongly.
fn line_map(
    sale: &Sale,
    catalog: &HashMap<String, (i64, i64)>,
    products: &[tillbridge_bigcommerce::models::OrderProduct],
) -> BTreeMap<String, i64> {
    if sale.lines.len() != products.len() {
        return BTreeMap::new();
    }
    sale.lines
        .iter()
        .zip(products)
        .filter(|(line, product)| {
            let variant = line.variant_gid.as_ref().filter(|_| !line.gift_card).and_then(|v| catalog.get(v));
            let same_variant = variant.is_none_or(|(_, variant_id)| product.variant_id == Some(*variant_id));
            same_variant && line.quantity == product.quantity
        })
        .map(|(line, product)| (line.gid.clone(), product.id))
        .collect()
}

/// The line map of a created order, read from BigCommerce the first time a refund needs it.
async fn line_map_of(
    app: &App,
    clients: &StoreClients,
    sale: &Sale,
    link: &OrderLink,
    order_id: i64,
) -> Result<BTreeMap<String, i64>, Failure> {
    if !link.line_map.is_empty() {
        return Ok(link.line_map.clone());
    }
    let products = clients.bigcommerce.order_products(order_id).await?;
    let variant_gids: Vec<String> = sale.lines.iter().filter_map(|l| l.variant_gid.clone()).collect();
    let catalog = app.blocking(move |app| Ok(app.store.matched_bigcommerce_variants(&variant_gids)?)).await?;
    let map = line_map(sale, &catalog, &products);
    let (gid, saved) = (sale.gid.clone(), map.clone());
    app.blocking(move |app| Ok(app.store.save_line_map(&gid, &saved, app.now())?)).await?;
    Ok(map)
}

fn new_order(d: &OrderDraft) -> NewOrder {
    NewOrder {
        customer_id: d.customer_id,
        status_id: d.status.id(),
        channel_id: d.channel_id,
        external_source: d.external_source.into(),
        external_order_id: d.external_order_id.clone(),
        billing_address: BillingAddress {
            first_name: d.billing.first_name.clone(),
            last_name: d.billing.last_name.clone(),
            street_1: d.billing.street_1.clone(),
            city: d.billing.city.clone(),
            state: d.billing.state.clone(),
            zip: d.billing.zip.clone(),
            country: d.billing.country.clone(),
            country_iso2: d.billing.country_iso2.clone(),
            email: d.billing.email.clone(),
        },
        products: d
            .lines
            .iter()
            .map(|l| match l {
                DraftLine::Catalog { product_id, variant_id, quantity, price_inc_tax, price_ex_tax, .. } => {
                    NewOrderLine::Catalog {
                        product_id: *product_id,
                        variant_id: *variant_id,
                        quantity: *quantity,
                        price_inc_tax: *price_inc_tax,
                        price_ex_tax: *price_ex_tax,
                    }
                }
                DraftLine::Custom { name, sku, quantity, price_inc_tax, price_ex_tax, .. } => NewOrderLine::Custom {
                    name: name.clone(),
                    sku: sku.clone(),
                    quantity: *quantity,
                    price_inc_tax: *price_inc_tax,
                    price_ex_tax: *price_ex_tax,
                },
            })
            .collect(),
        discount_amount: d.discount_amount,
        subtotal_ex_tax: d.subtotal_ex_tax,
        subtotal_inc_tax: d.subtotal_inc_tax,
        shipping_cost_ex_tax: d.shipping_ex_tax,
        shipping_cost_inc_tax: d.shipping_inc_tax,
        total_ex_tax: d.total_ex_tax,
        total_inc_tax: d.total_inc_tax,
        payment_method: d.payment_method.clone(),
        staff_notes: Some(d.staff_notes.clone()),
    }
}

/// An edit of an order already carried: the payment, status and notes follow; the lines and money
/// do not (refunds carry what changed there). Nothing is sent when nothing changed.
async fn update(app: &App, clients: &StoreClients, sale: &Sale, link: OrderLink) -> Result<OrderLink, Failure> {
    let edit = order_edit(sale);
    let fingerprint = digest(&edit.fingerprint());
    let Some(order_id) = link.bigcommerce_order_id else {
        return Err(Failure::Refused(format!("order {} is linked without a BigCommerce order id", sale.name)));
    };
    if link.sent_digest.as_deref() != Some(fingerprint.as_str()) {
        let current = clients.bigcommerce.order_by_external_id(&sale.gid).await?;
        let Some(current) = current.filter(|o| o.id == order_id) else {
            return Err(Failure::Refused(format!(
                "BigCommerce order {order_id} for {} is gone or no longer carries its Shopify id; nothing was sent: check the order in BigCommerce",
                sale.name
            )));
        };
        let change = OrderUpdate {
            status_id: edit.status_over(current.status_id),
            payment_method: Some(edit.payment_method.clone()),
            staff_notes: Some(edit.staff_notes.clone()),
        };
        clients.bigcommerce.update_order(order_id, &change).await?;
        tracing::info!(order = %sale.gid, bigcommerce_order = order_id, "POS order edit carried");
    }
    let gid = sale.gid.clone();
    app.blocking(move |app| Ok(app.store.note_order_carried(&gid, Some(&fingerprint), None, app.now())?)).await?;
    Ok(link)
}

fn new_refund(d: &RefundDraft) -> NewRefund {
    NewRefund {
        items: d
            .items
            .iter()
            .map(|i| match i {
                RefundItemDraft::Product { order_product_id, quantity } => {
                    RefundItem::Product { item_id: *order_product_id, quantity: *quantity }
                }
                RefundItemDraft::Order { order_id, amount } => {
                    RefundItem::Order { item_id: *order_id, amount: *amount }
                }
            })
            .collect(),
        payments: vec![RefundPayment { provider_id: OFFLINE_PROVIDER.into(), amount: d.total, offline: true }],
        merchant_calculated_override: Some(RefundOverride { total_amount: d.total, total_tax: d.tax }),
    }
}

/// Carries the sale's refunds not yet carried, oldest first.
async fn carry_refunds(app: &App, clients: &StoreClients, sale: &Sale, link: &OrderLink) -> Result<(), Failure> {
    let Some(order_id) = link.bigcommerce_order_id else { return Ok(()) };
    let gid = sale.gid.clone();
    let known: HashMap<String, (RefundLinkState, Option<i64>)> = app
        .blocking(move |app| Ok(app.store.refund_links(&gid)?))
        .await?
        .into_iter()
        .map(|r| (r.shopify_refund_gid, (r.state, r.bigcommerce_refund_id)))
        .collect();
    let mut refunds: Vec<_> = sale
        .refunds
        .iter()
        .filter(|r| !matches!(known.get(&r.gid), Some((RefundLinkState::Sent | RefundLinkState::NoMoney, _))))
        .collect();
    if refunds.is_empty() {
        return Ok(());
    }
    refunds.sort_by_key(|r| r.created_at);
    let products: HashMap<String, i64> = line_map_of(app, clients, sale, link, order_id).await?.into_iter().collect();
    let mut linked: HashSet<i64> = known.values().filter_map(|(_, id)| *id).collect();
    let total = link.bigcommerce_total.unwrap_or(sale.total);
    for refund in refunds {
        let existing = clients.bigcommerce.refunds(order_id).await?;
        let save = |state: RefundLinkState, bc_id: Option<i64>, reason: Option<String>| {
            let (order, refund_gid, amount) = (sale.gid.clone(), refund.gid.clone(), refund.amount());
            app.blocking(move |app| {
                let link = RefundLinkUpdate {
                    shopify_order_gid: &order,
                    shopify_refund_gid: &refund_gid,
                    state,
                    bigcommerce_refund_id: bc_id,
                    amount,
                    reason: reason.as_deref(),
                };
                Ok(app.store.save_refund_link(&link, app.now())?)
            })
        };
        // A refund written ahead and then lost with its process may have landed: one BigCommerce
        // refund not linked to any Shopify refund, for the same amount, is that one.
        if matches!(known.get(&refund.gid), Some((RefundLinkState::Sending, _))) {
            let landed = existing.iter().find(|r| !linked.contains(&r.id) && r.total_amount == refund.amount());
            if let Some(landed) = landed {
                save(RefundLinkState::Sent, Some(landed.id), None).await?;
                linked.insert(landed.id);
                continue;
            }
        }
        let refunded: Decimal = existing.iter().map(|r| r.total_amount).sum();
        match draft_refund(refund, order_id, &products, total - refunded) {
            Ok(RefundPlan::NoMoney) => save(RefundLinkState::NoMoney, None, None).await?,
            Ok(RefundPlan::Send(draft)) => {
                save(RefundLinkState::Sending, None, None).await?;
                match clients.bigcommerce.create_refund(order_id, &new_refund(&draft)).await {
                    Ok(made) => {
                        save(RefundLinkState::Sent, Some(made.id), None).await?;
                        linked.insert(made.id);
                        tracing::info!(refund = %refund.gid, bigcommerce_refund = made.id, "refund carried");
                    }
                    Err(e) => match Failure::from(e) {
                        Failure::Refused(reason) => {
                            save(RefundLinkState::NeedsAttention, None, Some(reason.clone())).await?;
                            return Err(Failure::Refused(reason));
                        }
                        retry => return Err(retry),
                    },
                }
            }
            Err(refusal) => {
                let reason = refusal.to_string();
                save(RefundLinkState::NeedsAttention, None, Some(reason.clone())).await?;
                return Err(Failure::Refused(reason));
            }
        }
    }
    Ok(())
}

/// Holds the stock cells the order's catalog lines will lower at BigCommerce's default location.
async fn hold_stock(
    app: &App,
    clients: &StoreClients,
    settings: &OrderSettings,
    sale: &Sale,
    draft: &OrderDraft,
) -> Result<(), Failure> {
    let mut lines: BTreeMap<i64, i64> = BTreeMap::new();
    for line in &draft.lines {
        if let DraftLine::Catalog { variant_id, quantity, .. } = line {
            *lines.entry(*variant_id).or_default() += quantity;
        }
    }
    let paired = app.blocking(|app| Ok(!app.store.location_pairs()?.is_empty())).await?;
    if lines.is_empty() || !paired {
        return Ok(());
    }
    let location = match settings.stock_location {
        Some(l) => l,
        None => {
            let Some(l) = clients.bigcommerce.default_location().await? else { return Ok(()) };
            app.blocking(move |app| Ok(app.store.set_setting(super::STOCK_LOCATION_SETTING, &l, app.now())?)).await?;
            l
        }
    };
    let (gid, lines): (String, Vec<(i64, i64)>) = (sale.gid.clone(), lines.into_iter().collect());
    app.blocking(move |app| Ok(app.store.hold_stock_for_order(&gid, location, &lines)?)).await?;
    Ok(())
}

/// Subscribes a shopper who agreed at the till to marketing email to BigCommerce's newsletter, once.
/// A failure here never holds the order back: it is logged (ids only) and tried with the next order.
async fn carry_consent(app: &App, clients: &StoreClients, order: &PosOrder, channel_id: i64, order_id: i64) {
    let Some(shopper) = order.customer.as_ref().filter(|c| c.accepts_marketing) else { return };
    let Some(email) = shopper.email.clone().filter(|e| !e.trim().is_empty()) else { return };
    let gid = shopper.id.to_string();
    let key = gid.clone();
    match app.blocking(move |app| Ok(app.store.newsletter_carried(&key)?)).await {
        Ok(false) => {}
        Ok(true) => return,
        Err(e) => {
            tracing::warn!(customer = %gid, error = %e, "could not read whether the consent was carried");
            return;
        }
    }
    let subscriber = NewSubscriber {
        email,
        first_name: shopper.first_name.clone().unwrap_or_default(),
        last_name: shopper.last_name.clone().unwrap_or_default(),
        source: "Shopify POS".into(),
        order_id: Some(order_id),
        channel_id: Some(channel_id),
        consents: vec!["marketing_newsletter".into()],
    };
    match clients.bigcommerce.subscribe(&subscriber).await {
        Ok(_) => {
            let key = gid.clone();
            if let Err(e) = app.blocking(move |app| Ok(app.store.record_newsletter(&key, app.now())?)).await {
                tracing::warn!(customer = %gid, error = %e, "the consent was carried but could not be recorded");
            }
        }
        Err(e) => tracing::warn!(
            customer = %gid,
            error = %without_emails(&e.to_string()),
            "the shopper's marketing consent was not carried"
        ),
    }
}

/// The BigCommerce channel POS orders are recorded on: the one chosen, else Tillbridge's own
/// "Shopify POS" channel, found by name or created once.
async fn channel(app: &App, clients: &StoreClients, settings: &OrderSettings) -> Result<i64, Failure> {
    if let Some(id) = settings.channel_id {
        return Ok(id);
    }
    let channels = clients.bigcommerce.channels().await?;
    let id = match channels.iter().find(|c| c.name == super::CHANNEL_NAME) {
        Some(c) => c.id,
        None => {
            let wanted = NewChannel { name: super::CHANNEL_NAME.into(), kind: "pos".into(), platform: "custom".into() };
            clients.bigcommerce.create_channel(&wanted).await?.id
        }
    };
    app.blocking(move |app| Ok(app.store.set_setting(super::CHANNEL_SETTING, &id, app.now())?)).await?;
    Ok(id)
}

/// The BigCommerce customer for the sale: a stored link, else one with the same email (without
/// regard to case), else a new one when the operator allows it; otherwise 0, a guest order.
async fn customer(
    app: &App,
    clients: &StoreClients,
    order: &PosOrder,
    settings: &OrderSettings,
) -> Result<i64, Failure> {
    let Some(shopper) = &order.customer else { return Ok(0) };
    let gid = shopper.id.to_string();
    let key = gid.clone();
    if let Some(id) = app.blocking(move |app| Ok(app.store.customer_link(&key)?)).await? {
        return Ok(id);
    }
    let Some(email) = shopper.email.clone().or(order.email.clone()).filter(|e| !e.trim().is_empty()) else {
        return Ok(0);
    };
    let found = clients.bigcommerce.customers_by_email(std::slice::from_ref(&email)).await?;
    let id = match found.into_iter().find(|c| c.email.eq_ignore_ascii_case(&email)) {
        Some(c) => c.id,
        None if settings.create_customers => {
            // BigCommerce needs both names; a POS shopper is often known by email alone.
            let named = |n: &Option<String>| n.clone().filter(|n| !n.trim().is_empty());
            let new = NewCustomer {
                email: email.clone(),
                first_name: named(&shopper.first_name).unwrap_or_else(|| "Shopify POS".into()),
                last_name: named(&shopper.last_name).unwrap_or_else(|| "customer".into()),
            };
            let made = clients.bigcommerce.create_customers(std::slice::from_ref(&new)).await?;
            match made.first() {
                Some(c) => c.id,
                None => return Err(Failure::Retry("BigCommerce created no customer and said nothing".into())),
            }
        }
        None => return Ok(0),
    };
    let hash = settings.email_hash(&email);
    app.blocking(move |app| Ok(app.store.save_customer_link(&gid, id, Some(&hash), app.now())?)).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::without_emails;

    #[test]
    fn a_stores_message_keeps_its_words_but_not_the_email_it_quotes() {
        let said = "the email address ada.lovelace@example.com is already in use (\"zed@shop.io\")";
        let kept = without_emails(said);
        assert!(!kept.contains("lovelace") && !kept.contains("zed@"), "no address survives: {kept}");
        assert_eq!(kept, "the email address [email] is already in use (\"[email]\")", "the rest reads as before");
        assert_eq!(without_emails("products[0] @ 2 units"), "products[0] @ 2 units", "an @ alone is not an email");
    }
}
