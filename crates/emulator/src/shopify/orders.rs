//! Orders, refunds and returns: what a POS counter sale creates and what `refundCreate` or a
//! counter return does to money and stock.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::model::{
    AllocationRec, COUNTER_STAFF_ID, DiscountApplicationRec, DiscountKind, DiscountTarget, DiscountValue, Exchange,
    FulfillmentRec, LineItemRec, MailingAddress, MoneyBag, OrderRec, RefundLineRec, RefundRec, RefundedUnits,
    RestockType, ReturnLineRec, ReturnRec, ShippingLineRec, ShopData, TaxLineRec, TransactionRec, TxKind, money,
    round_money,
};
use super::money::{allocate_bag, round_to_increment};
use super::scalars::CurrencyCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SaleItem {
    Variant(u64),
    /// A gift card issued at the till: no stock, no tax, no discounts, handed over at once.
    GiftCard {
        title: String,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct SaleLine {
    pub item: SaleItem,
    pub quantity: i64,
    /// Unit price in the presentment currency; the variant's price converted when None.
    pub price: Option<Decimal>,
    /// A discount on this line alone: a percentage, or a fixed amount off the whole line.
    pub discount: Option<(String, DiscountValue)>,
    pub properties: Vec<(String, String)>,
}

/// A discount on the whole sale, spread across its lines in proportion to their value.
#[derive(Debug, Clone)]
pub(crate) struct OrderDiscount {
    pub kind: DiscountKind,
    pub title: String,
    pub value: DiscountValue,
}

#[derive(Debug, Clone)]
pub(crate) struct TaxRate {
    pub title: String,
    pub rate: Decimal,
}

/// One payment at the till. The amount is in the presentment currency; the one tender
/// without an amount takes what is left to pay.
#[derive(Debug, Clone)]
pub(crate) struct Tender {
    pub gateway: String,
    pub amount: Option<Decimal>,
}

#[derive(Debug, Clone)]
pub(crate) struct ShippingRequest {
    pub title: String,
    pub code: String,
    /// In the presentment currency.
    pub price: Decimal,
    /// Whether the sale's tax rates apply to shipping too.
    pub taxable: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct SaleRequest {
    pub location_id: u64,
    pub lines: Vec<SaleLine>,
    pub customer_email: Option<String>,
    /// The shopper agreed at the till to receive marketing email.
    pub accepts_marketing: bool,
    pub tenders: Vec<Tender>,
    pub taxes: Vec<TaxRate>,
    /// Prices include the taxes (as in most of Europe and Australia) instead of adding them.
    pub taxes_included: bool,
    pub discounts: Vec<OrderDiscount>,
    pub shipping: Option<ShippingRequest>,
    /// The customer's currency and its rate (presentment units per shop unit); the shop's own
    /// currency when None.
    pub presentment: Option<(String, Decimal)>,
    /// The increment cash tenders are rounded to (0.05 in Canada).
    pub cash_rounding: Option<Decimal>,
    pub billing_address: Option<MailingAddress>,
    pub shipping_address: Option<MailingAddress>,
    pub tags: Vec<String>,
    pub note: Option<String>,
    /// The goods stay at the store to be shipped later: the sale commits units instead of
    /// handing them over.
    pub ship_from_store: bool,
    /// The POS user ringing the sale up; the logged-in cashier when None.
    pub staff_member_id: Option<u64>,
    /// An online-store order (`sourceName: web`) shipped from the location, not a till sale: no
    /// retail location, register or cashier.
    pub online: bool,
}

/// What a discount value takes off `base`: a percentage of it in each currency, or a fixed
/// presentment amount with its shop-money counterpart. None when it would take more than the base.
fn discount_amount(value: DiscountValue, base: MoneyBag, exchange: Exchange) -> Option<MoneyBag> {
    let amount = match value {
        DiscountValue::Percentage(p) => base.map(|b| round_money(b * p / Decimal::ONE_HUNDRED)),
        DiscountValue::FixedAmount(a) => exchange.bag(a),
    };
    let fits = amount.presentment >= Decimal::ZERO && amount.presentment <= base.presentment;
    fits.then(|| MoneyBag { shop: amount.shop.min(base.shop), presentment: amount.presentment })
}

fn valid_discount(value: DiscountValue, at: &str) -> Result<(), String> {
    match value {
        DiscountValue::Percentage(p) if p <= Decimal::ZERO || p > Decimal::ONE_HUNDRED => {
            Err(format!("{at}: a percentage discount must be above 0 and at most 100, got {p}"))
        }
        DiscountValue::FixedAmount(a) if a <= Decimal::ZERO => {
            Err(format!("{at}: a fixed discount must be positive, got {a}"))
        }
        _ => Ok(()),
    }
}

/// The taxes on `amount` at each rate. With taxes included, `amount` already holds them and
/// each rate's part is taken out of it; otherwise each is added on top.
fn taxes_on(amount: MoneyBag, rates: &[TaxRate], included: bool) -> Vec<TaxLineRec> {
    let all: Decimal = rates.iter().map(|r| r.rate).sum();
    rates
        .iter()
        .map(|r| {
            let tax =
                amount.map(|a| round_money(if included { a * r.rate / (Decimal::ONE + all) } else { a * r.rate }));
            TaxLineRec { title: r.title.clone(), rate: r.rate, amount: tax }
        })
        .collect()
}

/// The cash rounding of a tender: the nearest increment less the amount owed.
fn cash_rounding_of(
    gateway: &str,
    amount: MoneyBag,
    increment: Option<Decimal>,
    exchange: Exchange,
) -> Option<MoneyBag> {
    let increment = increment.filter(|_| gateway == "cash")?;
    let rounding = round_to_increment(amount.presentment, increment) - amount.presentment;
    Some(MoneyBag { shop: exchange.to_shop(rounding), presentment: rounding })
}

/// Splits `total` over the tenders: fixed amounts first, the open tender takes the rest, and
/// the last tender that pays anything absorbs the conversion cents in shop money, so the
/// payments add up to the total exactly in both currencies.
fn tender_amounts(tenders: &[Tender], total: MoneyBag, exchange: Exchange) -> Result<Vec<MoneyBag>, String> {
    let open = tenders.iter().filter(|t| t.amount.is_none()).count();
    if open > 1 {
        return Err("at most one tender may leave its amount out (it takes what is left to pay)".into());
    }
    let fixed: Decimal = tenders.iter().filter_map(|t| t.amount).sum();
    let rest = total.presentment - fixed;
    let amounts: Vec<Decimal> = tenders.iter().map(|t| t.amount.unwrap_or(rest)).collect();
    if let Some((i, a)) = amounts.iter().enumerate().find(|(_, a)| **a < Decimal::ZERO) {
        return Err(format!(
            "tenders[{i}]: {} is negative: the tenders pay more than the total {}",
            money(*a),
            money(total.presentment)
        ));
    }
    let paid: Decimal = amounts.iter().sum();
    if paid != total.presentment {
        return Err(format!(
            "the tenders pay {}, the sale's total is {}: they must add up to it exactly",
            money(paid),
            money(total.presentment)
        ));
    }
    let mut bags: Vec<MoneyBag> = amounts.iter().map(|a| exchange.bag(*a)).collect();
    if let Some(last) = bags.iter().rposition(|b| !b.presentment.is_zero()) {
        let others: Decimal = bags.iter().enumerate().filter(|(i, _)| *i != last).map(|(_, b)| b.shop).sum();
        bags[last].shop = total.shop - others;
    }
    Ok(bags)
}

/// Records a paid POS sale: the order with its discounts, taxes, shipping and payments. A
/// counter sale hands the goods over at once, as the real POS capture shows (the line is
/// `fulfilled`, `fulfillable_quantity` 0): a fulfillment at the till's location, and
/// `available` and on_hand drop there. A ship-from-store sale stays unfulfilled and commits its
/// units (available → committed, on_hand unchanged) until it is fulfilled. Gift cards are
/// issued at once either way. Queues orders/create, orders/paid, orders/fulfilled (when
/// everything was handed over) and inventory_levels/update.
pub(crate) fn create_sale(data: &mut ShopData, req: &SaleRequest, now: DateTime<Utc>) -> Result<u64, String> {
    if !data.locations.contains_key(&req.location_id) {
        return Err(format!("location {} does not exist: GET /__admin/stock lists the locations", req.location_id));
    }
    if req.lines.is_empty() {
        return Err("a sale needs at least one line".into());
    }
    let shop_currency = data.currency.clone();
    let (presentment_currency, exchange) = match &req.presentment {
        None => (shop_currency.clone(), Exchange::SAME_CURRENCY),
        Some((code, _)) if *code == shop_currency => (shop_currency.clone(), Exchange::SAME_CURRENCY),
        Some((code, rate)) => {
            if CurrencyCode::parse(code).is_none() {
                return Err(format!(
                    "presentment_currency {code:?} is not one the emulated shop sells in: use one of {}",
                    CurrencyCode::CODES.join(", ")
                ));
            }
            if *rate <= Decimal::ZERO {
                return Err(format!(
                    "exchange_rate must be positive (presentment units per {shop_currency}), got {rate}"
                ));
            }
            (code.clone(), Exchange { rate: *rate })
        }
    };
    if let Some(increment) = req.cash_rounding
        && increment <= Decimal::ZERO
    {
        return Err(format!("cash_rounding must be a positive increment such as 0.05, got {increment}"));
    }
    if let Some(r) = req.taxes.iter().find(|r| r.rate < Decimal::ZERO || r.rate >= Decimal::ONE) {
        return Err(format!("tax {:?}: a rate is a fraction such as 0.05, got {}", r.title, r.rate));
    }
    let staff_member_id = req.staff_member_id.unwrap_or(COUNTER_STAFF_ID);
    if !data.staff.contains_key(&staff_member_id) {
        return Err(format!(
            "staff member {staff_member_id} does not exist: the shop's staff are {:?}",
            data.staff.keys().collect::<Vec<_>>()
        ));
    }

    let mut line_items = Vec::new();
    let mut applications: Vec<DiscountApplicationRec> = Vec::new();
    for (i, l) in req.lines.iter().enumerate() {
        let at = format!("lines[{i}]");
        if l.quantity <= 0 {
            return Err(format!("{at}: quantity must be positive, got {}", l.quantity));
        }
        let mut line = match &l.item {
            SaleItem::Variant(variant_id) => {
                let Some(v) = data.variants.get(variant_id).cloned() else {
                    return Err(format!("{at}: variant {variant_id} does not exist"));
                };
                if !data.level(v.inventory_item_id, req.location_id).is_some_and(|lv| lv.active) {
                    return Err(format!(
                        "{at}: {} is not stocked at location {}: activate it there first (inventoryActivate)",
                        if v.sku.is_empty() { format!("variant {}", v.id) } else { format!("SKU {:?}", v.sku) },
                        req.location_id
                    ));
                }
                let product = data.products.get(&v.product_id);
                LineItemRec {
                    id: 0,
                    variant_id: Some(v.id),
                    product_id: Some(v.product_id),
                    title: product.map(|p| p.title.clone()).unwrap_or_default(),
                    variant_title: Some(v.title.clone()),
                    sku: v.sku.clone(),
                    vendor: product.map(|p| p.vendor.clone()).unwrap_or_default(),
                    quantity: l.quantity,
                    unit_price: exchange.bag(l.price.unwrap_or_else(|| exchange.to_presentment(v.price))),
                    allocations: vec![],
                    tax_lines: vec![],
                    taxable: !req.taxes.is_empty(),
                    gift_card: false,
                    properties: l.properties.clone(),
                    fulfilled: if req.ship_from_store { 0 } else { l.quantity },
                }
            }
            SaleItem::GiftCard { title } => {
                let Some(price) = l.price.filter(|p| *p > Decimal::ZERO) else {
                    return Err(format!("{at}: a gift card needs its value as a positive price"));
                };
                if l.discount.is_some() {
                    return Err(format!("{at}: gift cards cannot be discounted"));
                }
                LineItemRec {
                    id: 0,
                    variant_id: None,
                    product_id: None,
                    title: title.clone(),
                    variant_title: None,
                    sku: String::new(),
                    vendor: String::new(),
                    quantity: l.quantity,
                    unit_price: exchange.bag(price),
                    allocations: vec![],
                    tax_lines: vec![],
                    taxable: false,
                    gift_card: true,
                    properties: l.properties.clone(),
                    fulfilled: l.quantity,
                }
            }
        };
        line.id = data.new_id();
        if let Some((title, value)) = &l.discount {
            valid_discount(*value, &at)?;
            let Some(amount) = discount_amount(*value, line.original_total(), exchange) else {
                return Err(format!(
                    "{at}: the discount takes more than the line's {}",
                    money(line.original_total().presentment)
                ));
            };
            line.allocations.push(AllocationRec { application_index: applications.len(), amount });
            applications.push(DiscountApplicationRec {
                kind: DiscountKind::Manual,
                title: title.clone(),
                value: *value,
                target: DiscountTarget::Explicit,
            });
        }
        line_items.push(line);
    }
    for (i, d) in req.discounts.iter().enumerate() {
        let at = format!("discounts[{i}]");
        valid_discount(d.value, &at)?;
        // Gift cards are payment, not merchandise: order discounts leave them alone.
        let bases: Vec<MoneyBag> =
            line_items.iter().map(|l| if l.gift_card { MoneyBag::ZERO } else { l.discounted_total() }).collect();
        let base: MoneyBag = bases.iter().sum();
        let Some(amount) = discount_amount(d.value, base, exchange) else {
            return Err(format!(
                "{at}: the discount takes more than the {} the discounted lines are worth",
                money(base.presentment)
            ));
        };
        let index = applications.len();
        for (line, part) in line_items.iter_mut().zip(allocate_bag(amount, &bases)) {
            if !part.is_zero() {
                line.allocations.push(AllocationRec { application_index: index, amount: part });
            }
        }
        applications.push(DiscountApplicationRec {
            kind: d.kind.clone(),
            title: d.title.clone(),
            value: d.value,
            target: DiscountTarget::All,
        });
    }
    for line in line_items.iter_mut().filter(|l| l.taxable) {
        line.tax_lines = taxes_on(line.discounted_total(), &req.taxes, req.taxes_included);
    }
    let shipping_lines: Vec<ShippingLineRec> = match &req.shipping {
        None => vec![],
        Some(s) if s.price < Decimal::ZERO => {
            return Err(format!("shipping.price must not be negative, got {}", s.price));
        }
        Some(s) => {
            let price = exchange.bag(s.price);
            let tax_lines = if s.taxable { taxes_on(price, &req.taxes, req.taxes_included) } else { vec![] };
            vec![ShippingLineRec { id: data.new_id(), title: s.title.clone(), code: s.code.clone(), price, tax_lines }]
        }
    };

    let customer_id = req.customer_email.as_deref().map(|e| data.customer_for_email(e, now));
    if let Some(c) = customer_id.filter(|_| req.accepts_marketing).and_then(|id| data.customers.get_mut(&id)) {
        c.marketing_consent_at.get_or_insert(now);
        c.updated_at = now;
    }
    let id = data.new_id();
    let number = data.next_order_number();
    let mut order = OrderRec {
        id,
        number,
        created_at: now,
        updated_at: now,
        processed_at: now,
        source_name: if req.online { "web" } else { "pos" }.into(),
        // POS identifiers name the location, the register and the receipt.
        source_identifier: (!req.online).then(|| format!("{}-1-{}", req.location_id, number)),
        location_id: Some(req.location_id),
        customer_id,
        email: req.customer_email.clone(),
        currency: shop_currency,
        presentment_currency,
        exchange,
        taxes_included: req.taxes_included,
        cash_rounding: req.cash_rounding,
        note: req.note.clone(),
        tags: req.tags.clone(),
        billing_address: req.billing_address.clone(),
        shipping_address: req.shipping_address.clone(),
        line_items,
        discount_applications: applications,
        shipping_lines,
        transactions: vec![],
        refunds: vec![],
        returns: vec![],
        fulfillments: vec![],
        staff_member_id: (!req.online).then_some(staff_member_id),
        // One register per location.
        device_id: (!req.online).then(|| 3_000_000_000 + req.location_id % 1_000_000_000),
    };
    let handed_over: Vec<(u64, i64)> =
        order.line_items.iter().filter(|l| l.fulfilled > 0).map(|l| (l.id, l.fulfilled)).collect();
    if !handed_over.is_empty() {
        let fulfillment = FulfillmentRec {
            id: data.new_id(),
            name: format!("{}.1", order.name()),
            location_id: req.location_id,
            created_at: now,
            lines: handed_over,
        };
        order.fulfillments.push(fulfillment);
    }
    let total = order.total_price();
    let amounts = tender_amounts(&req.tenders, total, exchange)?;
    for (tender, amount) in req.tenders.iter().zip(amounts).filter(|(_, a)| !a.is_zero()) {
        order.transactions.push(TransactionRec {
            id: data.new_id(),
            kind: TxKind::Sale,
            gateway: tender.gateway.clone(),
            amount,
            rounding: cash_rounding_of(&tender.gateway, amount, req.cash_rounding, exchange),
            parent_id: None,
            location_id: Some(req.location_id),
            processed_at: now,
        });
    }
    let moves: Vec<(u64, i64)> = order
        .line_items
        .iter()
        .filter_map(|l| Some((data.variants.get(&l.variant_id?)?.inventory_item_id, l.quantity)))
        .collect();
    let fully_fulfilled = order.fulfillment_status() == "FULFILLED";
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
    if fully_fulfilled {
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

/// A refund transaction as refundCreate names it: an amount in the presentment currency.
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
    /// The refunded lines' share of price and tax, back through the sale's tenders.
    LinesValue,
    /// This presentment amount back through the sale's tenders.
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
fn share_of(total: MoneyBag, before: i64, quantity: i64, of: i64) -> MoneyBag {
    if of == 0 {
        return MoneyBag::ZERO;
    }
    let upto = |n: i64| total.map(|t| round_money(t * Decimal::from(n) / Decimal::from(of)));
    upto(before + quantity) - upto(before)
}

/// Pays `amount` back through the sale's tenders in the order they were taken, each up to what
/// is left of it, as POS refunds to the original payment methods. Whatever no tender covers
/// (an over-refund) goes back through the first one.
fn back_through_tenders(order: &OrderRec, amount: MoneyBag) -> Vec<(String, Option<u64>, MoneyBag)> {
    let mut left = amount;
    let mut parts = Vec::new();
    for sale in order.transactions.iter().filter(|t| t.kind == TxKind::Sale) {
        if left.presentment <= Decimal::ZERO {
            break;
        }
        let room = order.refundable_of(sale).presentment;
        if room <= Decimal::ZERO {
            continue;
        }
        let part = if left.presentment <= room { left } else { order.exchange.bag(room) };
        parts.push((sale.gateway.clone(), Some(sale.id), part));
        left -= part;
    }
    if left.presentment > Decimal::ZERO {
        let first = order.transactions.iter().find(|t| t.kind == TxKind::Sale);
        let gateway = first.map_or_else(|| "manual".to_string(), |t| t.gateway.clone());
        parts.push((gateway, first.map(|t| t.id), left));
    }
    parts
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
    let mut lines_value = MoneyBag::ZERO;
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
            let discount = share_of(li.discount(), before, quantity, li.quantity);
            let subtotal = share_of(li.original_total(), before, quantity, li.quantity) - discount;
            let total_tax = share_of(li.tax_total(), before, quantity, li.quantity);
            if let Some(item) = item {
                let release_at = sold_at.filter(|_| units == RefundedUnits::Unfulfilled);
                stock_moves.push((item, quantity, release_at, restock_at));
            }
            let line = RefundLineRec {
                id: data.new_id(),
                line_item_id: li.id,
                quantity,
                restock_type: rl.restock_type,
                units,
                location_id,
                subtotal,
                total_tax,
                discount,
            };
            lines_value += line.value(order.taxes_included);
            lines.push(line);
        }
    }
    let txs: Vec<(String, Option<u64>, MoneyBag)> = match &req.money {
        RefundMoney::Nothing => vec![],
        RefundMoney::LinesValue => back_through_tenders(&order, lines_value),
        RefundMoney::Amount(a) => back_through_tenders(&order, order.exchange.bag(*a)),
        RefundMoney::Transactions(t) => {
            t.iter().map(|t| (t.gateway.clone(), t.parent_id, order.exchange.bag(t.amount))).collect()
        }
    };
    let refunding: Decimal = txs.iter().map(|(_, _, a)| a.presentment).sum();
    let refundable_money = (order.total_received() - order.total_refunded()).presentment;
    if txs.iter().any(|(_, _, a)| a.presentment <= Decimal::ZERO) {
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
    for (gateway, parent_id, amount) in txs {
        transactions.push(TransactionRec {
            id: data.new_id(),
            kind: TxKind::Refund,
            rounding: cash_rounding_of(&gateway, amount, order.cash_rounding, order.exchange),
            gateway,
            amount,
            parent_id,
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
