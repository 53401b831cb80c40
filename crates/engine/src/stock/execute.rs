//! Carrying out stock jobs on a lane: pack the due writes into one request (Shopify 250 rows,
//! BigCommerce 2,000 items at one location), check each against the bookkeeping, send, and record
//! what landed in the bookkeeping before the jobs are settled.
//!
//! Shopify writes are compare-and-set (`changeFromQuantity` is what the plan saw) with an
//! idempotency key, so a moved value is refused (`CHANGE_FROM_QUANTITY_STALE`: the next cycle
//! reads again; nothing is forced). BigCommerce has no compare-and-set and its adjustments are
//! relative. On either store, a write whose answer was lost with its process is settled by
//! reading the stock back ([`tillbridge_domain::stock::in_doubt`]), never by resending.

use std::collections::{HashMap, HashSet};

use futures_util::StreamExt;
use tillbridge_bigcommerce::BcError;
use tillbridge_bigcommerce::models::InventoryAdjustment as BcAdjustment;
use tillbridge_domain::stock::{ConflictSnapshot, InDoubt, Side, SidePair, StockWrite, batch, in_doubt};
use tillbridge_domain::work::{Lane, Work};
use tillbridge_shopify::gid::{InventoryItemId, LocationId};
use tillbridge_shopify::{
    IdempotencyKey, InventoryReason, QuantitySet, SetQuantities, SettableQuantity, UserErrorCode, WriteOutcome,
};
use tillbridge_store::{Job, Settlement, land_in, raise_conflict_in, stock_cell_in};
use tillbridge_transport::{ErrorClass, correlation};
use tokio_util::sync::CancellationToken;

use super::TRACKED_BY_PRODUCT;
use super::sync::cell_id;
use crate::clients::StoreClients;
use crate::runtime::lanes::{DueWork, Sent, claim, request_id, retry_or_give_up};
use crate::{ApiError, App};

/// How long a BigCommerce read may still show the stock from before our write: its inventory
/// API applies writes asynchronously. Shopify reads an item's level directly, so none there.
pub(crate) fn echo_window(side: Side) -> chrono::Duration {
    match side {
        Side::BigCommerce => chrono::Duration::seconds(60),
        Side::Shopify => chrono::Duration::zero(),
    }
}

const STALE_SHOPIFY: &str = "Shopify's stock moved after it was read (CHANGE_FROM_QUANTITY_STALE); not forced: the next stock cycle reads it again";

/// Sends the next stock request of `lane` and settles the jobs it carried.
pub(crate) async fn send_next(
    app: &App,
    lane: Lane,
    due: DueWork,
    _cancel: &CancellationToken,
) -> Result<Option<Sent>, ApiError> {
    let due: Vec<(Job, StockWrite)> = due
        .into_iter()
        .filter_map(|(job, work)| match work {
            Work::StockWrite(w) => Some((job, w)),
            _ => None,
        })
        .collect();
    let by_entity: HashMap<String, Job> = due.iter().map(|(j, w)| (w.entity_key(), j.clone())).collect();
    let Some(first) = batch(due.iter().map(|(_, w)| w.clone()).collect()).into_iter().next() else {
        return Ok(None);
    };
    let chosen: Vec<(Job, StockWrite)> =
        first.into_iter().filter_map(|w| by_entity.get(&w.entity_key()).map(|j| (j.clone(), w))).collect();
    let refs: Vec<&Job> = chosen.iter().map(|(j, _)| j).collect();
    let claimed = claim(app, &refs).await?;
    let Some(lead) = claimed.first() else { return Ok(None) };
    let request_id = request_id(lead);
    let started_at = app.now();
    let mut go: Vec<(Job, StockWrite)> =
        chosen.into_iter().filter(|(j, _)| claimed.iter().any(|c| c.id == j.id)).collect();
    let mut settlements = Vec::new();

    // The bookkeeping decides first: a write planned before another landed on the same side is
    // out of date, and one found landed was recorded before its process died.
    let checks: Vec<(i64, Result<(), String>)> = {
        let writes: Vec<(i64, StockWrite)> = go.iter().map(|(j, w)| (j.id, w.clone())).collect();
        app.blocking(move |app| {
            let mut out = Vec::new();
            for (id, w) in writes {
                let cell = app.store.stock_cell(&cell_id(&w.cell))?;
                let verdict = match cell {
                    Some(c) => c.ledger.admits(&w).map_err(|e| e.to_string()),
                    None => Err("the item's bookkeeping is gone (its location pair was unmapped)".into()),
                };
                out.push((id, verdict));
            }
            Ok(out)
        })
        .await?
    };
    go.retain(|(job, _)| match checks.iter().find(|(id, _)| *id == job.id).map(|(_, v)| v) {
        Some(Err(reason)) => {
            let settlement = if job.in_doubt {
                Settlement::AlreadyApplied
            } else {
                Settlement::Superseded { reason: reason.clone() }
            };
            settlements.push((job.id, settlement));
            false
        }
        _ => true,
    });
    if go.is_empty() {
        return Ok(Some(Sent { request_id, started_at, settlements }));
    }
    let clients = match app.shared_clients().await {
        Ok(c) => c,
        Err(e) => {
            for (job, _) in &go {
                settlements.push((job.id, retry_or_give_up(app, job, &e.message)));
            }
            return Ok(Some(Sent { request_id, started_at, settlements }));
        }
    };
    let results = correlation::scope(request_id.clone(), async {
        match lane {
            Lane::Shopify => send_shopify(app, &clients, &request_id, go).await,
            Lane::BigCommerce => send_bigcommerce(app, &clients, go).await,
        }
    })
    .await?;
    settlements.extend(results);
    Ok(Some(Sent { request_id, started_at, settlements }))
}

/// Records in the bookkeeping the writes that landed, in one transaction.
async fn land(app: &App, landed: Vec<StockWrite>) -> Result<(), ApiError> {
    if landed.is_empty() {
        return Ok(());
    }
    app.blocking(move |app| {
        let now = app.now();
        app.store.write(|tx| {
            for w in &landed {
                if let Err(e) = land_in(tx, &cell_id(&w.cell), w, now, echo_window(w.side))? {
                    tracing::error!(entity = %w.entity_key(), error = %e, "a landed stock write could not be recorded");
                }
            }
            Ok(())
        })?;
        Ok(())
    })
    .await
}

async fn send_shopify(
    app: &App,
    clients: &StoreClients,
    request_id: &str,
    go: Vec<(Job, StockWrite)>,
) -> Result<Vec<(i64, Settlement)>, ApiError> {
    let mut settlements = Vec::new();
    let (doubtful, go): (Vec<_>, Vec<_>) = go.into_iter().partition(|(j, _)| j.in_doubt);
    let mut go = go;
    if !doubtful.is_empty() {
        let (unsent, results) = verify(app, clients, Side::Shopify, doubtful).await?;
        go.extend(unsent);
        settlements.extend(results);
    }
    let mut ready = Vec::new();
    for (job, w) in go {
        if w.activate {
            let item = InventoryItemId(w.cell.shopify_item.clone());
            let location = LocationId(w.cell.shopify_location.clone());
            match clients.shopify.activate_inventory(&item, &location).await {
                Ok(WriteOutcome::Applied(_)) => {}
                Ok(WriteOutcome::Refused(errors)) => {
                    let why = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; ");
                    settlements.push((
                        job.id,
                        Settlement::Dead { error: format!("Shopify would not stock the item at the location: {why}") },
                    ));
                    continue;
                }
                Err(e) => {
                    settlements.push((job.id, retry_or_give_up(app, &job, &e.to_string())));
                    continue;
                }
            }
        }
        ready.push((job, w));
    }
    if ready.is_empty() {
        return Ok(settlements);
    }
    let input = SetQuantities {
        name: SettableQuantity::Available,
        reason: InventoryReason::Correction,
        reference_document_uri: Some(format!("gid://tillbridge/StockSync/{request_id}")),
        quantities: ready
            .iter()
            .map(|(_, w)| QuantitySet {
                item_id: InventoryItemId(w.cell.shopify_item.clone()),
                location_id: LocationId(w.cell.shopify_location.clone()),
                quantity: w.after(),
                change_from: Some(w.expect),
            })
            .collect(),
    };
    // A request the client sends again within one attempt (a connection dropped after sending)
    // carries the same key, so Shopify answers the first result instead of applying it twice.
    let ids: Vec<String> = ready.iter().map(|(j, _)| j.idempotency_key.clone()).collect();
    let key = IdempotencyKey::for_job(&ids.join(","), "stock-set");
    match clients.shopify.set_quantities(&input, &key).await {
        Ok(WriteOutcome::Applied(_)) => {
            land(app, ready.iter().map(|(_, w)| w.clone()).collect()).await?;
            settlements.extend(ready.iter().map(|(j, _)| (j.id, Settlement::Done)));
        }
        Ok(WriteOutcome::Refused(errors)) => {
            // Shopify refuses the whole request: rows it blamed settle by their error, the rest go
            // out again at once without them.
            let mut blamed: HashMap<usize, Settlement> = HashMap::new();
            let mut unplaced = Vec::new();
            let mut to_activate = Vec::new();
            for e in &errors {
                let row = e.field.iter().skip_while(|f| f.as_str() != "quantities").nth(1).and_then(|n| n.parse().ok());
                let settlement = match e.code {
                    UserErrorCode::ChangeFromQuantityStale => Settlement::Superseded { reason: STALE_SHOPIFY.into() },
                    UserErrorCode::ItemNotStockedAtLocation => Settlement::RetryAt {
                        at: app.now(),
                        error: "the item was not stocked at the Shopify location; it was stocked there and the write goes out again"
                            .into(),
                    },
                    _ => Settlement::Dead { error: format!("Shopify refused the stock: {}", e.message) },
                };
                match row {
                    Some(i) if i < ready.len() => {
                        if e.code == UserErrorCode::ItemNotStockedAtLocation {
                            to_activate.push(i);
                        }
                        blamed.insert(i, settlement);
                    }
                    _ => unplaced.push(e.message.clone()),
                }
            }
            // The item is not stocked at the location (taken off since it was read): it is stocked
            // there again, and the write goes out on its retry.
            for i in to_activate {
                let w = &ready[i].1;
                let item = InventoryItemId(w.cell.shopify_item.clone());
                let location = LocationId(w.cell.shopify_location.clone());
                if let Err(e) = clients.shopify.activate_inventory(&item, &location).await {
                    tracing::warn!(entity = %w.entity_key(), error = %e, "could not stock the item at the Shopify location");
                }
            }
            for (i, (job, _)) in ready.iter().enumerate() {
                let settlement = match blamed.remove(&i) {
                    Some(s) => s,
                    None if !unplaced.is_empty() => {
                        Settlement::Dead { error: format!("Shopify refused the stock: {}", unplaced.join("; ")) }
                    }
                    None => Settlement::RetryAt {
                        at: app.now(),
                        error: "sent together with a row Shopify refused; sent again without it".into(),
                    },
                };
                settlements.push((job.id, settlement));
            }
        }
        Err(e) => {
            for (job, _) in &ready {
                let settlement = match e.class() {
                    ErrorClass::Retryable => retry_or_give_up(app, job, &e.to_string()),
                    ErrorClass::Permanent => Settlement::Dead { error: e.to_string() },
                };
                settlements.push((job.id, settlement));
            }
        }
    }
    Ok(settlements)
}

async fn remember_tracked_by_product(app: &App, product: i64) -> Result<(), ApiError> {
    app.blocking(move |app| {
        let mut known: Vec<i64> = app.store.setting(TRACKED_BY_PRODUCT)?.unwrap_or_default();
        if !known.contains(&product) {
            known.push(product);
            app.store.set_setting(TRACKED_BY_PRODUCT, &known, app.now())?;
        }
        Ok(())
    })
    .await
}

/// A write as BigCommerce wants it: by variant, or by product for a product tracked as a whole.
fn adjustment(w: &StockWrite, by_product: &HashSet<i64>, quantity: i64) -> BcAdjustment {
    if by_product.contains(&w.cell.bigcommerce_product) {
        BcAdjustment::of_product(w.cell.bigcommerce_location, w.cell.bigcommerce_product, quantity)
    } else {
        BcAdjustment::of_variant(w.cell.bigcommerce_location, w.cell.bigcommerce_variant, quantity)
    }
}

async fn send_bigcommerce(
    app: &App,
    clients: &StoreClients,
    go: Vec<(Job, StockWrite)>,
) -> Result<Vec<(i64, Settlement)>, ApiError> {
    let mut settlements = Vec::new();
    let by_product: HashSet<i64> = app
        .blocking(|app| Ok(app.store.setting::<Vec<i64>>(TRACKED_BY_PRODUCT)?.unwrap_or_default()))
        .await?
        .into_iter()
        .collect();
    // A job taken back from a process that died mid-request may have landed: BigCommerce cannot
    // replay a relative adjustment, so its stock is read back first.
    let (doubtful, mut ready): (Vec<_>, Vec<_>) = go.into_iter().partition(|(j, _)| j.in_doubt);
    if !doubtful.is_empty() {
        let (verified, results) = verify(app, clients, Side::BigCommerce, doubtful).await?;
        ready.extend(verified);
        settlements.extend(results);
    }
    // An item not yet tracked at the location takes an absolute adjustment: BigCommerce refuses a
    // relative one there, and with no stock row nothing can have sold in between, so setting the
    // value loses nothing (and a repeat sets the same value).
    let (new_rows, ready): (Vec<_>, Vec<_>) = ready.into_iter().partition(|(_, w)| w.activate);
    if !new_rows.is_empty() {
        let items: Vec<BcAdjustment> = new_rows.iter().map(|(_, w)| adjustment(w, &by_product, w.after())).collect();
        match clients.bigcommerce.set_stock(&items, "Tillbridge stock sync").await {
            Ok(_) => {
                land(app, new_rows.iter().map(|(_, w)| w.clone()).collect()).await?;
                settlements.extend(new_rows.iter().map(|(j, _)| (j.id, Settlement::Done)));
            }
            Err(e) => {
                for (job, _) in &new_rows {
                    settlements.push((job.id, bigcommerce_failure(app, job, &e)));
                }
            }
        }
    }
    if ready.is_empty() {
        return Ok(settlements);
    }
    let items: Vec<BcAdjustment> = ready.iter().map(|(_, w)| adjustment(w, &by_product, w.adjust)).collect();
    match clients.bigcommerce.adjust_stock(&items, "Tillbridge stock sync").await {
        Ok(_) => {
            land(app, ready.iter().map(|(_, w)| w.clone()).collect()).await?;
            settlements.extend(ready.iter().map(|(j, _)| (j.id, Settlement::Done)));
        }
        Err(BcError::OutcomeUnknown { .. }) => {
            let (unsent, results) = verify(app, clients, Side::BigCommerce, ready).await?;
            settlements.extend(results);
            for (job, _) in unsent {
                settlements.push((
                    job.id,
                    Settlement::RetryAt {
                        at: app.now(),
                        error: "the answer was lost and the stock shows it did not land; sent again".into(),
                    },
                ));
            }
        }
        Err(BcError::Rejected { status: 422, .. }) => {
            // All or nothing, and the refusal may not say which item: each goes alone, so one
            // item below its safety stock does not hold back the rest. An item BigCommerce
            // tracks by product is sent again by its product, and remembered as such.
            for (job, w) in ready {
                let one = [adjustment(&w, &by_product, w.adjust)];
                let mut result = clients.bigcommerce.adjust_stock(&one, "Tillbridge stock sync").await;
                if let Err(BcError::Rejected { title, details, .. }) = &result
                    && (title.contains("tracked by product") || details.contains("tracked by product"))
                    && one[0].variant_id.is_some()
                {
                    remember_tracked_by_product(app, w.cell.bigcommerce_product).await?;
                    let by_its_product =
                        [BcAdjustment::of_product(w.cell.bigcommerce_location, w.cell.bigcommerce_product, w.adjust)];
                    result = clients.bigcommerce.adjust_stock(&by_its_product, "Tillbridge stock sync").await;
                }
                match result {
                    Ok(_) => {
                        land(app, vec![w]).await?;
                        settlements.push((job.id, Settlement::Done));
                    }
                    Err(e) => settlements.push((job.id, bigcommerce_failure(app, &job, &e))),
                }
            }
        }
        Err(e) => {
            for (job, _) in &ready {
                settlements.push((job.id, bigcommerce_failure(app, job, &e)));
            }
        }
    }
    Ok(settlements)
}

fn bigcommerce_failure(app: &App, job: &Job, e: &BcError) -> Settlement {
    match e.class() {
        ErrorClass::Retryable => retry_or_give_up(app, job, &e.to_string()),
        ErrorClass::Permanent => Settlement::Dead { error: e.to_string() },
    }
}

/// Reads back the stock of writes that may or may not have landed (their process died, or the
/// connection dropped, mid-request), all to `side`. Landed ones are recorded and settled; ones
/// that did not land are returned to be sent; unclear ones become a conflict for a person, since
/// counting a change twice or never is exactly what must not happen. Resending instead would be
/// unsafe on both stores: BigCommerce adjustments are relative, and a Shopify idempotency key
/// belongs to the whole request, whose other rows may differ the second time.
async fn verify(
    app: &App,
    clients: &StoreClients,
    side: Side,
    writes: Vec<(Job, StockWrite)>,
) -> Result<(Vec<(Job, StockWrite)>, Vec<(i64, Settlement)>), ApiError> {
    let read: Result<HashMap<String, i64>, String> = match side {
        Side::BigCommerce => {
            let mut locations: Vec<i64> = writes.iter().map(|(_, w)| w.cell.bigcommerce_location).collect();
            locations.sort_unstable();
            locations.dedup();
            let mut stock = HashMap::new();
            let mut pages = clients.bigcommerce.inventory_items(&locations);
            let mut failure = None;
            while let Some(page) = pages.next().await {
                match page {
                    Ok(items) => {
                        for item in items {
                            for at in item.locations {
                                stock.insert(
                                    format!("{}@{}", item.identity.variant_id, at.location_id),
                                    at.available_to_sell,
                                );
                            }
                        }
                    }
                    Err(e) => {
                        failure = Some(e.to_string());
                        break;
                    }
                }
            }
            failure.map_or(Ok(stock), Err)
        }
        Side::Shopify => {
            let mut items: Vec<InventoryItemId> =
                writes.iter().map(|(_, w)| InventoryItemId(w.cell.shopify_item.clone())).collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            items.dedup();
            match clients.shopify.inventory_levels_for_items(&items).await {
                Ok(levels) => Ok(levels
                    .into_iter()
                    .filter_map(|l| Some((format!("{}@{}", l.item_id.0, l.location_id.0), l.quantities.available()?)))
                    .collect()),
                Err(e) => Err(e.to_string()),
            }
        }
    };
    let stock = match read {
        Ok(stock) => stock,
        Err(e) => {
            // Nothing is proven by a failed read: the writes wait and are checked again.
            let settlements = writes.iter().map(|(j, _)| (j.id, retry_or_give_up(app, j, &e))).collect();
            return Ok((Vec::new(), settlements));
        }
    };
    let key = |w: &StockWrite| match side {
        Side::BigCommerce => format!("{}@{}", w.cell.bigcommerce_variant, w.cell.bigcommerce_location),
        Side::Shopify => format!("{}@{}", w.cell.shopify_item, w.cell.shopify_location),
    };
    let mut unsent = Vec::new();
    let mut landed = Vec::new();
    let mut settlements = Vec::new();
    let mut unclear = Vec::new();
    for (job, w) in writes {
        let now_shows = stock.get(&key(&w)).copied().unwrap_or(0);
        match in_doubt(&w, now_shows) {
            InDoubt::Landed => {
                settlements.push((job.id, Settlement::AlreadyApplied));
                landed.push(w);
            }
            InDoubt::NotLanded => unsent.push((job, w)),
            InDoubt::Unclear => {
                settlements.push((
                    job.id,
                    Settlement::Dead {
                        error: format!(
                            "may or may not have landed: {} showed {} before, would show {} after, and shows {now_shows}; decide the stock in Conflicts",
                            side.name(),
                            w.expect,
                            w.after()
                        ),
                    },
                ));
                unclear.push((w, now_shows));
            }
        }
    }
    land(app, landed).await?;
    if !unclear.is_empty() {
        app.blocking(move |app| {
            let now = app.now();
            app.store.write(|tx| {
                for (w, now_shows) in &unclear {
                    let id = cell_id(&w.cell);
                    let Some(cell) = stock_cell_in(tx, &id)? else { continue };
                    let base = cell.ledger.base.unwrap_or_default();
                    let mut seen = SidePair::new(
                        cell.seen.bigcommerce.unwrap_or(base.bigcommerce),
                        cell.seen.shopify.unwrap_or(base.shopify),
                    );
                    *seen.get_mut(side) = *now_shows;
                    let snapshot = ConflictSnapshot {
                        base_bigcommerce: base.bigcommerce,
                        base_shopify: base.shopify,
                        seen_bigcommerce: seen.bigcommerce,
                        seen_shopify: seen.shopify,
                    };
                    raise_conflict_in(tx, &id, &w.cell.label, &snapshot, "in_doubt", now)?;
                }
                Ok(())
            })?;
            Ok(())
        })
        .await?;
    }
    Ok((unsent, settlements))
}
