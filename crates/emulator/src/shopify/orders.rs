//! Orders, refunds and returns: what a POS counter sale creates and what `refundCreate` or a
//! counter return does to money and stock.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::model::{
    COUNTER_STAFF_ID, FulfillmentRec, LineItemRec, OrderRec, RefundLineRec, RefundRec, RefundedUnits, RestockType,
    ReturnLineRec, ReturnRec, ShopData, TaxLineRec, TransactionRec, TxKind, money, round_money,
};

#[derive(Debug, Clone)]
pub(crate) struct SaleLine {
    pub variant_id: u64,
    pub quantity: i64,
    /// Overrides the variant price (a price change at the till).
    pub price: Option<Decimal>,
    /// Total discount for the line.
    pub discount: Decimal,
}

#[derive(Debug, Clone)]
pub(crate) struct SaleRequest {
    pub location_id: u64,
    pub lines: Vec<SaleLine>,
    pub customer_email: Option<String>,
    pub gateway: String,
    pub tax_rate: Decimal,
    pub tax_title: String,
    pub note: Option<String>,
    /// The goods stay at the store to be shipped later: the sale commits units instead of
    /// handing them over.
    pub ship_from_store: bool,
    /// The POS user ringing the sale up; the logged-in cashier when None.
    pub staff_member_id: Option<u64>,
}

/// Records a paid POS sale: the order and its SALE transaction. A counter sale hands the goods
/// over at once, as the real POS capture shows (the line is `fulfilled`, `fulfillable_quantity`
/// 0): a fulfillment at the till's location, and `available` and on_hand drop there. A
/// ship-from-store sale stays unfulfilled and commits its units (available → committed,
/// on_hand unchanged) until it is fulfilled. Queues orders/create, orders/paid,
/// orders/fulfilled (counter sales) and inventory_levels/update.
pub(crate) fn create_sale(data: &mut ShopData, req: &SaleRequest, now: DateTime<Utc>) -> Result<u64, String> {
    if !data.locations.contains_key(&req.location_id) {
        return Err(format!("location {} does not exist: GET /__admin/stock lists the locations", req.location_id));
    }
    if req.lines.is_empty() {
        return Err("a sale needs at least one line".into());
    }
    let mut line_items = Vec::new();
    for (i, l) in req.lines.iter().enumerate() {
        let Some(v) = data.variants.get(&l.variant_id).cloned() else {
            return Err(format!("lines[{i}]: variant {} does not exist", l.variant_id));
        };
        if l.quantity <= 0 {
            return Err(format!("lines[{i}]: quantity must be positive, got {}", l.quantity));
        }
        if !data.level(v.inventory_item_id, req.location_id).is_some_and(|lv| lv.active) {
            return Err(format!(
                "lines[{i}]: {} is not stocked at location {}: activate it there first (inventoryActivate)",
                if v.sku.is_empty() { format!("variant {}", v.id) } else { format!("SKU {:?}", v.sku) },
                req.location_id
            ));
        }
        let unit_price = l.price.unwrap_or(v.price);
        let gross = unit_price * Decimal::from(l.quantity);
        if l.discount < Decimal::ZERO || l.discount > gross {
            return Err(format!(
                "lines[{i}]: discount {} must be between 0 and the line total {}",
                money(l.discount),
                money(gross)
            ));
        }
        let product = data.products.get(&v.product_id).cloned();
        let product = product.as_ref();
        let taxed = gross - l.discount;
        let tax_lines = if req.tax_rate.is_zero() {
            vec![]
        } else {
            vec![TaxLineRec {
                title: req.tax_title.clone(),
                rate: req.tax_rate,
                amount: round_money(taxed * req.tax_rate),
            }]
        };
        line_items.push(LineItemRec {
            id: data.new_id(),
            variant_id: Some(v.id),
            product_id: Some(v.product_id),
            title: product.map(|p| p.title.clone()).unwrap_or_default(),
            variant_title: Some(v.title.clone()),
            sku: v.sku.clone(),
            vendor: product.map(|p| p.vendor.clone()).unwrap_or_default(),
            quantity: l.quantity,
            unit_price,
            discount: l.discount,
            tax_lines,
            fulfilled: if req.ship_from_store { 0 } else { l.quantity },
        });
    }
    let staff_member_id = req.staff_member_id.unwrap_or(COUNTER_STAFF_ID);
    if !data.staff.contains_key(&staff_member_id) {
        return Err(format!(
            "staff member {staff_member_id} does not exist: the shop's staff are {:?}",
            data.staff.keys().collect::<Vec<_>>()
        ));
    }
    let customer_id = req.customer_email.as_deref().map(|e| data.customer_for_email(e, now));
    let id = data.new_id();
    let number = data.next_order_number();
    let mut order = OrderRec {
        id,
        number,
        created_at: now,
        updated_at: now,
        processed_at: now,
        source_name: "pos".into(),
        // POS identifiers name the location, the register and the receipt.
        source_identifier: Some(format!("{}-1-{}", req.location_id, number)),
        location_id: Some(req.location_id),
        customer_id,
        email: req.customer_email.clone(),
        currency: data.currency.clone(),
        note: req.note.clone(),
        line_items,
        transactions: vec![],
        refunds: vec![],
        returns: vec![],
        fulfillments: vec![],
        staff_member_id: Some(staff_member_id),
        // One register per location.
        device_id: Some(3_000_000_000 + req.location_id % 1_000_000_000),
    };
    if !req.ship_from_store {
        let handed_over = FulfillmentRec {
            id: data.new_id(),
            name: format!("{}.1", order.name()),
            location_id: req.location_id,
            created_at: now,
            lines: order.line_items.iter().map(|l| (l.id, l.quantity)).collect(),
        };
        order.fulfillments.push(handed_over);
    }
    let total = order.total_price();
    order.transactions.push(TransactionRec {
        id: data.new_id(),
        kind: TxKind::Sale,
        gateway: req.gateway.clone(),
        amount: total,
        parent_id: None,
        location_id: Some(req.location_id),
        processed_at: now,
    });
    let moves: Vec<(u64, i64)> = order
        .line_items
        .iter()
        .filter_map(|l| Some((data.variants.get(&l.variant_id?)?.inventory_item_id, l.quantity)))
        .collect();
    data.orders.insert(id, order);
    let ship_from_store = req.ship_from_store;
    for (item, quantity) in moves {
        data.change_level(item, req.location_id, now, |q| {
            q.available -= quantity;
            if ship_from_store {
                q.committed += quantity;
            }
        });
    }
    data.queue_order("ORDERS_CREATE", id, now);
    data.queue_order("ORDERS_PAID", id, now);
    if !ship_from_store {
        data.queue_order("ORDERS_FULFILLED", id, now);
    }
    Ok(id)
}

/// Ships what a ship-from-store sale left waiting: one fulfillment from the sale's location for
/// every unit neither fulfilled nor cancelled. The units leave `committed`, so on_hand drops.
/// Queues orders/fulfilled and orders/updated.
pub(crate) fn fulfill(data: &mut ShopData, order_id: u64, now: DateTime<Utc>) -> Result<u64, String> {
    let Some(order) = data.orders.get(&order_id).cloned() else {
        return Err(format!("order {order_id} does not exist: GET /__admin/orders lists them"));
    };
    let Some(location_id) = order.location_id else {
        return Err(format!("order {} has no location to ship from", order.name()));
    };
    let lines: Vec<(u64, i64)> =
        order.line_items.iter().map(|l| (l.id, order.unfulfilled_quantity(l))).filter(|(_, n)| *n > 0).collect();
    if lines.is_empty() {
        return Err(format!("order {} has nothing left to fulfil", order.name()));
    }
    let fulfillment = FulfillmentRec {
        id: data.new_id(),
        name: format!("{}.{}", order.name(), order.fulfillments.len() + 1),
        location_id,
        created_at: now,
        lines,
    };
    let fulfillment_id = fulfillment.id;
    let moves: Vec<(u64, i64)> = fulfillment
        .lines
        .iter()
        .filter_map(|(line_id, n)| {
            let line = order.line_items.iter().find(|l| l.id == *line_id)?;
            Some((data.variants.get(&line.variant_id?)?.inventory_item_id, *n))
        })
        .collect();
    if let Some(o) = data.orders.get_mut(&order_id) {
        for (line_id, n) in &fulfillment.lines {
            if let Some(line) = o.line_items.iter_mut().find(|l| l.id == *line_id) {
                line.fulfilled += n;
            }
        }
        o.fulfillments.push(fulfillment);
        o.updated_at = now;
    }
    for (item, n) in moves {
        data.change_level(item, location_id, now, |q| q.committed -= n.min(q.committed.max(0)));
    }
    data.queue_order("ORDERS_FULFILLED", order_id, now);
    data.queue_order("ORDERS_UPDATED", order_id, now);
    Ok(fulfillment_id)
}

#[derive(Debug, Clone)]
pub(crate) struct RefundLineRequest {
    pub line_item_id: u64,
    pub quantity: i64,
    pub restock_type: RestockType,
    pub location_id: Option<u64>,
}

#[derive(Debug, Clone)]
pub(crate) struct TxRequest {
    pub amount: Decimal,
    pub gateway: String,
    pub parent_id: Option<u64>,
}

#[derive(Debug, Clone)]
pub(crate) enum RefundMoney {
    /// Stock-only refund: no money moves (refundCreate without transactions).
    Nothing,
    /// The refunded lines' share of price and tax, back through the sale's gateway.
    LinesValue,
    /// This amount back through the sale's gateway.
    Amount(Decimal),
    Transactions(Vec<TxRequest>),
}

#[derive(Debug, Clone)]
pub(crate) struct RefundRequest {
    pub order_id: u64,
    pub note: Option<String>,
    pub lines: Vec<RefundLineRequest>,
    pub money: RefundMoney,
    pub allow_over_refunding: bool,
    pub return_id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefundError {
    pub field: Vec<String>,
    pub message: String,
}

/// The part of `total` that `quantity` more units carry after `before` were refunded, of a line
/// of `of` units. Taken as a difference of cumulative shares, so the refunds of a whole line
/// add up to its total to the cent.
fn share_of(total: Decimal, before: i64, quantity: i64, of: i64) -> Decimal {
    if of == 0 {
        return Decimal::ZERO;
    }
    let upto = |n: i64| round_money(total * Decimal::from(n) / Decimal::from(of));
    upto(before + quantity) - upto(before)
}

fn refund_err(field: &[&str], message: impl Into<String>) -> RefundError {
    RefundError { field: field.iter().map(|s| s.to_string()).collect(), message: message.into() }
}

/// Creates a refund. Nothing changes unless every line and amount is valid. Queues
/// refunds/create, orders/updated and the level updates of restocked lines.
pub(crate) fn create_refund(
    data: &mut ShopData,
    req: &RefundRequest,
    now: DateTime<Utc>,
) -> Result<u64, Vec<RefundError>> {
    let Some(order) = data.orders.get(&req.order_id).cloned() else {
        return Err(vec![refund_err(&["orderId"], format!("Order {} does not exist.", req.order_id))]);
    };
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    let mut stock_moves = Vec::new();
    let mut lines_value = Decimal::ZERO;
    for (i, rl) in req.lines.iter().enumerate() {
        let index = i.to_string();
        let Some(li) = order.line_items.iter().find(|l| l.id == rl.line_item_id) else {
            errors.push(refund_err(
                &["refundLineItems", &index, "lineItemId"],
                format!("Line item {} is not on order {}.", rl.line_item_id, order.name()),
            ));
            continue;
        };
        let taken = |lines: &[RefundLineRec], units: Option<RefundedUnits>| -> i64 {
            lines
                .iter()
                .filter(|l| l.line_item_id == li.id && units.is_none_or(|u| l.units == u))
                .map(|l| l.quantity)
                .sum()
        };
        let already = order.refunded_quantity(li.id) + taken(&lines, None);
        let refundable = li.quantity - already;
        if rl.quantity <= 0 || rl.quantity > refundable {
            errors.push(refund_err(
                &["refundLineItems", &index, "quantity"],
                format!(
                    "Quantity {} can't be refunded: {} of {} unit(s) of {:?} are still refundable.",
                    rl.quantity,
                    refundable,
                    li.quantity,
                    li.name()
                ),
            ));
            continue;
        }
        let unfulfilled = order.unfulfilled_quantity(li) - taken(&lines, Some(RefundedUnits::Unfulfilled));
        let fulfilled = order.fulfilled_refundable(li) - taken(&lines, Some(RefundedUnits::Fulfilled));
        let parts: Vec<(RefundedUnits, i64)> = match rl.restock_type {
            RestockType::Cancel if rl.quantity > unfulfilled => {
                errors.push(refund_err(
                    &["refundLineItems", &index, "restockType"],
                    format!(
                        "CANCEL restocks unfulfilled units, and only {unfulfilled} unit(s) of {:?} are unfulfilled: refund handed-over units with RETURN.",
                        li.name()
                    ),
                ));
                continue;
            }
            RestockType::Return if rl.quantity > fulfilled => {
                errors.push(refund_err(
                    &["refundLineItems", &index, "restockType"],
                    format!(
                        "RETURN restocks fulfilled units, and only {fulfilled} unit(s) of {:?} were handed over: refund unfulfilled units with CANCEL.",
                        li.name()
                    ),
                ));
                continue;
            }
            RestockType::Cancel => vec![(RefundedUnits::Unfulfilled, rl.quantity)],
            RestockType::Return => vec![(RefundedUnits::Fulfilled, rl.quantity)],
            // Units still waiting go first: refunding them takes them off the fulfilment.
            RestockType::NoRestock | RestockType::LegacyRestock => {
                let waiting = rl.quantity.min(unfulfilled);
                vec![(RefundedUnits::Unfulfilled, waiting), (RefundedUnits::Fulfilled, rl.quantity - waiting)]
            }
        };
        let location_id = rl.location_id.or(order.location_id);
        let item = li.variant_id.and_then(|v| data.variants.get(&v)).map(|v| v.inventory_item_id);
        let stocked_at = |loc: Option<u64>| -> Option<u64> {
            loc.filter(|loc| item.is_some_and(|item| data.level(item, *loc).is_some_and(|l| l.active)))
        };
        let (sold_at, restock_at) =
            (stocked_at(order.location_id), stocked_at(location_id).filter(|_| rl.restock_type.restocks()));
        if let (Some(_), Some(loc)) = (item, location_id)
            && rl.restock_type.restocks()
            && restock_at.is_none()
        {
            errors.push(refund_err(
                &["refundLineItems", &index, "locationId"],
                format!("The item is not stocked at location {loc}: restock it at a location where it is stocked."),
            ));
            continue;
        }
        for (units, quantity) in parts.into_iter().filter(|(_, q)| *q > 0) {
            let before = order.refunded_quantity(li.id) + taken(&lines, None);
            let subtotal = share_of(li.discounted_total(), before, quantity, li.quantity);
            let total_tax = share_of(li.tax_total(), before, quantity, li.quantity);
            lines_value += subtotal + total_tax;
            if let Some(item) = item {
                let release_at = sold_at.filter(|_| units == RefundedUnits::Unfulfilled);
                stock_moves.push((item, quantity, release_at, restock_at));
            }
            lines.push(RefundLineRec {
                id: data.new_id(),
                line_item_id: li.id,
                quantity,
                restock_type: rl.restock_type,
                units,
                location_id,
                subtotal,
                total_tax,
            });
        }
    }
    let sale = order.sale_transaction().cloned();
    let sale_gateway = sale.as_ref().map_or_else(|| "manual".to_string(), |s| s.gateway.clone());
    let via_sale = |amount: Decimal| {
        vec![TxRequest { amount, gateway: sale_gateway.clone(), parent_id: sale.as_ref().map(|s| s.id) }]
    };
    let txs = match &req.money {
        RefundMoney::Nothing => vec![],
        RefundMoney::LinesValue => via_sale(lines_value),
        RefundMoney::Amount(a) => via_sale(*a),
        RefundMoney::Transactions(t) => t.clone(),
    };
    let refunding: Decimal = txs.iter().map(|t| t.amount).sum();
    let refundable_money = order.total_received() - order.total_refunded();
    if txs.iter().any(|t| t.amount <= Decimal::ZERO) {
        errors.push(refund_err(&["transactions"], "Refund transaction amounts must be positive."));
    } else if refunding > refundable_money && !req.allow_over_refunding {
        errors.push(refund_err(
            &["transactions"],
            format!(
                "Refund amount {} exceeds the refundable amount {}: refund less, or set allowOverRefunding.",
                money(refunding),
                money(refundable_money)
            ),
        ));
    }
    if req.lines.is_empty() && txs.is_empty() {
        errors.push(refund_err(&["refundLineItems"], "A refund needs line items or transactions."));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut transactions = Vec::new();
    for t in txs {
        transactions.push(TransactionRec {
            id: data.new_id(),
            kind: TxKind::Refund,
            gateway: t.gateway,
            amount: round_money(t.amount),
            parent_id: t.parent_id,
            location_id: order.location_id,
            processed_at: now,
        });
    }
    let refund = RefundRec {
        id: data.new_id(),
        created_at: now,
        note: req.note.clone(),
        lines,
        transactions,
        return_id: req.return_id,
    };
    let refund_id = refund.id;
    if let Some(o) = data.orders.get_mut(&req.order_id) {
        o.refunds.push(refund);
        o.updated_at = now;
        if let Some(r) = req.return_id.and_then(|rid| o.returns.iter_mut().find(|r| r.id == rid)) {
            r.refund_ids.push(refund_id);
        }
    }
    for (item, quantity, release_at, restock_at) in stock_moves {
        data.restock(item, quantity, release_at, restock_at, now);
    }
    data.queue_refund(req.order_id, refund_id, now);
    data.queue_order("ORDERS_UPDATED", req.order_id, now);
    Ok(refund_id)
}

#[derive(Debug, Clone)]
pub(crate) struct ReturnLineRequest {
    pub line_item_id: u64,
    pub quantity: i64,
    pub note: String,
}

/// A return processed at the counter: the goods come back (restockType RETURN puts them into
/// `available`), the customer gets the lines' value back, and the return is closed.
pub(crate) fn create_return(
    data: &mut ShopData,
    order_id: u64,
    lines: &[ReturnLineRequest],
    restock: bool,
    location_id: Option<u64>,
    now: DateTime<Utc>,
) -> Result<(u64, u64), Vec<RefundError>> {
    let Some(order) = data.orders.get(&order_id).cloned() else {
        return Err(vec![refund_err(&["orderId"], format!("Order {order_id} does not exist."))]);
    };
    if lines.is_empty() {
        return Err(vec![refund_err(&["returnLineItems"], "A return needs at least one line.")]);
    }
    for (i, l) in lines.iter().enumerate() {
        let returnable = order
            .line_items
            .iter()
            .find(|li| li.id == l.line_item_id)
            .map(|li| li.quantity - order.returned_quantity(li.id));
        match returnable {
            None => {
                return Err(vec![refund_err(
                    &["returnLineItems", &i.to_string(), "lineItemId"],
                    format!("Line item {} is not on order {}.", l.line_item_id, order.name()),
                )]);
            }
            Some(n) if l.quantity <= 0 || l.quantity > n => {
                return Err(vec![refund_err(
                    &["returnLineItems", &i.to_string(), "quantity"],
                    format!("Quantity {} can't be returned: {n} unit(s) are still returnable.", l.quantity),
                )]);
            }
            Some(_) => {}
        }
    }
    let return_id = data.new_id();
    let ret_lines: Vec<ReturnLineRec> = lines
        .iter()
        .map(|l| ReturnLineRec {
            id: data.new_id(),
            line_item_id: l.line_item_id,
            quantity: l.quantity,
            note: l.note.clone(),
        })
        .collect();
    let name = format!("{}-R{}", order.name(), order.returns.len() + 1);
    if let Some(o) = data.orders.get_mut(&order_id) {
        o.returns.push(ReturnRec {
            id: return_id,
            name,
            created_at: now,
            closed_at: Some(now),
            lines: ret_lines,
            refund_ids: vec![],
        });
    }
    let request = RefundRequest {
        order_id,
        note: Some("Return".into()),
        lines: lines
            .iter()
            .map(|l| RefundLineRequest {
                line_item_id: l.line_item_id,
                quantity: l.quantity,
                restock_type: if restock { RestockType::Return } else { RestockType::NoRestock },
                location_id,
            })
            .collect(),
        money: RefundMoney::LinesValue,
        allow_over_refunding: false,
        return_id: Some(return_id),
    };
    match create_refund(data, &request, now) {
        Ok(refund_id) => Ok((return_id, refund_id)),
        Err(e) => {
            // The refund decides whether the return can happen; undo the return record.
            if let Some(o) = data.orders.get_mut(&order_id) {
                o.returns.retain(|r| r.id != return_id);
            }
            Err(e)
        }
    }
}
