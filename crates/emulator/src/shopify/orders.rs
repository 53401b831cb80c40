//! Orders, refunds and returns: what a POS counter sale creates and what `refundCreate` or a
//! counter return does to money and stock.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::model::{
    LineItemRec, OrderRec, RefundLineRec, RefundRec, RestockType, ReturnLineRec, ReturnRec, ShopData, TaxLineRec,
    TransactionRec, TxKind, money, round_money,
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
}

/// Records a paid POS sale: the order, its SALE transaction, and stock moved from `available`
/// to `committed` at the till's location. Queues orders/create, orders/paid and
/// inventory_levels/update.
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
        });
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
    };
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
    for (item, quantity) in moves {
        data.change_level(item, req.location_id, now, |q| {
            q.available -= quantity;
            q.committed += quantity;
        });
    }
    data.queue_order("ORDERS_CREATE", id, now);
    data.queue_order("ORDERS_PAID", id, now);
    Ok(id)
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
        let already = order.refunded_quantity(li.id)
            + lines.iter().filter(|l: &&RefundLineRec| l.line_item_id == li.id).map(|l| l.quantity).sum::<i64>();
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
        let location_id = rl.location_id.or(order.location_id);
        let item = li.variant_id.and_then(|v| data.variants.get(&v)).map(|v| v.inventory_item_id);
        if let Some(item) = item {
            match location_id {
                Some(loc) if data.level(item, loc).is_some_and(|l| l.active) => {
                    stock_moves.push((item, loc, rl.quantity, rl.restock_type))
                }
                Some(loc) if rl.restock_type.restocks() => {
                    errors.push(refund_err(
                        &["refundLineItems", &index, "locationId"],
                        format!(
                            "The item is not stocked at location {loc}: restock it at a location where it is stocked."
                        ),
                    ));
                    continue;
                }
                _ => {}
            }
        }
        let share = Decimal::from(rl.quantity) / Decimal::from(li.quantity);
        let subtotal = round_money(li.discounted_total() * share);
        let total_tax = round_money(li.tax_total() * share);
        lines_value += subtotal + total_tax;
        lines.push(RefundLineRec {
            id: data.new_id(),
            line_item_id: li.id,
            quantity: rl.quantity,
            restock_type: rl.restock_type,
            location_id,
            subtotal,
            total_tax,
        });
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
    for (item, loc, quantity, restock) in stock_moves {
        data.restock(item, loc, quantity, restock, now);
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
