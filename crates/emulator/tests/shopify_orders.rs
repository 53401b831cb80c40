//! Orders as real Shopify serves them: discount applications and their allocations, taxes added
//! or included, shipping, split tenders, cash rounding, gift cards, staff and location, and the
//! customer's currency next to the shop's, every total adding up to the cent in both.
// A broken fixture should stop the test at once, with its message.
#![allow(clippy::expect_used)]

mod shopify_common;

use rust_decimal::Decimal;
use serde_json::{Value, json};
use shopify_common::{
    FULL_ORDER_QUERY, STORE, Shop, amount, location_gid, money_problems, receiver, rest_money_problems, sample,
    small_world, start, start_small, subscribe, wait_for,
};
use tillbridge_emulator::shopify::{OWNER_STAFF_ID, ShopifyConfig};

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|_| panic!("{s} is a decimal"))
}

async fn sell(shop: &Shop, sale: Value) -> Value {
    let (status, body) = shop.admin_post("/__admin/pos/sale", sale).await;
    assert_eq!(status, 201, "the till accepts the sale: {body}");
    body["order"].clone()
}

async fn refused(shop: &Shop, sale: Value) -> String {
    let (status, body) = shop.admin_post("/__admin/pos/sale", sale).await;
    assert_eq!(status, 422, "the till refuses the sale: {body}");
    body["error"].as_str().unwrap_or_default().to_string()
}

/// The order through [`FULL_ORDER_QUERY`], checked to add up before any test looks at it.
async fn read_order(shop: &Shop, rest_order: &Value) -> Value {
    let body = shop.gql(FULL_ORDER_QUERY, json!({"id": rest_order["admin_graphql_api_id"]})).await;
    let order = body["data"]["order"].clone();
    let problems = money_problems(&order);
    assert!(problems.is_empty(), "the order's money does not add up:\n{}\n{order}", problems.join("\n"));
    order
}

fn shop_amount(bag: &Value) -> Decimal {
    amount(&bag["shopMoney"]["amount"])
}

fn presentment_amount(bag: &Value) -> Decimal {
    amount(&bag["presentmentMoney"]["amount"])
}

#[tokio::test]
async fn line_and_order_discounts_come_with_their_applications_and_allocations_to_the_cent() {
    let shop = start_small().await;
    let (url, seen, _task) = receiver().await;
    subscribe(&shop, "ORDERS_CREATE", &url).await;
    let sale = sell(
        &shop,
        json!({
            "location_id": STORE,
            "lines": [
                {"sku": "TEE-S", "quantity": 2, "discount_percentage": "10", "discount_title": "Staff"},
                {"sku": "MUG-1", "quantity": 1}
            ],
            "discounts": [{"code": "SAVE5", "value_type": "fixed_amount", "value": "5.00"}],
            "taxes": [{"title": "GST", "rate": "0.05"}, {"title": "PST", "rate": "0.07"}],
            "gateway": "shopify_payments"
        }),
    )
    .await;
    let order = read_order(&shop, &sale).await;

    let applications = &order["discountApplications"]["nodes"];
    assert_eq!(
        applications[0],
        json!({
            "__typename": "ManualDiscountApplication", "index": 0, "allocationMethod": "ACROSS", "targetSelection": "EXPLICIT",
            "targetType": "LINE_ITEM", "value": {"__typename": "PricingPercentageValue", "percentage": 10.0},
            "title": "Staff", "description": "Staff"
        }),
        "the line's 10 % is a manual application aimed at that line"
    );
    assert_eq!(
        applications[1],
        json!({
            "__typename": "DiscountCodeApplication", "index": 1, "allocationMethod": "ACROSS", "targetSelection": "ALL",
            "targetType": "LINE_ITEM", "value": {"__typename": "MoneyV2", "amount": "5.0", "currencyCode": "USD"}, "code": "SAVE5"
        }),
        "the code's 5.00 spreads across all lines"
    );
    let lines = order["lineItems"]["nodes"].as_array().cloned().unwrap_or_default();
    let allocations = |line: &Value| -> Vec<(i64, Decimal)> {
        line["discountAllocations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| (a["discountApplication"]["index"].as_i64().unwrap_or(-1), shop_amount(&a["allocatedAmountSet"])))
            .collect()
    };
    assert_eq!(
        allocations(&lines[0]),
        vec![(0, d("5.00")), (1, d("3.95"))],
        "10 % of 50.00, then 45/57 of 5.00 with the odd cent"
    );
    assert_eq!(allocations(&lines[1]), vec![(1, d("1.05"))], "the mug carries 12/57 of the code's 5.00");
    assert_eq!(
        shop_amount(&lines[0]["discountedTotalSet"]),
        d("45.00"),
        "discountedTotalSet leaves order-level discounts out, as Shopify's does"
    );
    assert_eq!(shop_amount(&order["totalDiscountsSet"]), d("10.00"), "5.00 + 5.00 in all");
    assert_eq!(shop_amount(&order["subtotalPriceSet"]), d("52.00"), "62.00 of goods less 10.00");
    assert_eq!(
        shop_amount(&order["totalTaxSet"]),
        d("6.24"),
        "GST 2.05 + 0.55 and PST 2.87 + 0.77 on the discounted lines"
    );
    assert_eq!(shop_amount(&order["totalPriceSet"]), d("58.24"), "subtotal plus tax");

    let created = wait_for(&seen, "orders/create", 1).await;
    let payload: Value = serde_json::from_slice(&created[0].body).unwrap_or_default();
    let problems = rest_money_problems(&payload);
    assert!(problems.is_empty(), "the orders/create payload does not add up:\n{}", problems.join("\n"));
    assert_eq!(
        payload["discount_applications"],
        json!([
            {"target_type": "line_item", "type": "manual", "value": "10.0", "value_type": "percentage", "allocation_method": "across",
             "target_selection": "explicit", "title": "Staff", "description": "Staff"},
            {"target_type": "line_item", "type": "discount_code", "value": "5.0", "value_type": "fixed_amount", "allocation_method": "across",
             "target_selection": "all", "code": "SAVE5"}
        ]),
        "discount_applications in the webhook's shape, in the order the allocations index them"
    );
    let rest_line = &payload["line_items"][0];
    let indexes: Vec<Value> = rest_line["discount_allocations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| a["discount_application_index"].clone())
        .collect();
    assert_eq!(indexes, vec![json!(0), json!(1)], "each allocation points into discount_applications");
    assert_eq!(rest_line["discount_allocations"][1]["amount"], "3.95", "with its amount");
    assert_eq!(rest_line["total_discount"], "0.00", "the legacy total_discount stays 0.00, as in every capture");
    assert_eq!(
        payload["discount_codes"],
        json!([{"code": "SAVE5", "amount": "5.00", "type": "fixed_amount"}]),
        "the code and what it took off"
    );
    assert_eq!(payload["total_price"], "58.24", "the same total as GraphQL");
}

#[tokio::test]
async fn taxes_included_in_prices_are_taken_out_of_them_not_added() {
    let shop = start_small().await;
    let sale = sell(
        &shop,
        json!({
            "location_id": STORE,
            "lines": [{"sku": "TEE-S", "quantity": 2}],
            "taxes": [{"title": "VAT", "rate": "0.20"}],
            "taxes_included": true,
            "shipping": {"title": "Courier", "price": "5.00", "taxable": true},
            "ship_from_store": true
        }),
    )
    .await;
    let order = read_order(&shop, &sale).await;
    assert_eq!(order["taxesIncluded"], true, "the order says its prices include tax");
    assert_eq!(
        shop_amount(&order["lineItems"]["nodes"][0]["taxLines"][0]["priceSet"]),
        d("8.33"),
        "20 % VAT inside 50.00 is 50 × 0.2 / 1.2"
    );
    assert_eq!(
        shop_amount(&order["shippingLines"]["nodes"][0]["taxLines"][0]["priceSet"]),
        d("0.83"),
        "and inside the 5.00 shipping"
    );
    assert_eq!(shop_amount(&order["totalTaxSet"]), d("9.16"), "both taxes");
    assert_eq!(
        shop_amount(&order["totalPriceSet"]),
        d("55.00"),
        "the total is what the tags say: tax is not added on top"
    );
    assert_eq!(sale["taxes_included"], true, "REST says so too");
    assert_eq!(sale["shipping_lines"][0]["tax_lines"][0]["price"], "0.83", "shipping carries its tax line");
    let problems = rest_money_problems(&sale);
    assert!(problems.is_empty(), "the REST order does not add up:\n{}", problems.join("\n"));
}

#[tokio::test]
async fn a_split_tender_is_several_sale_transactions_and_a_refund_goes_back_through_them() {
    let shop = start_small().await;
    let sale = sell(
        &shop,
        json!({
            "location_id": STORE,
            "lines": [{"sku": "TEE-S", "quantity": 2}],
            "tenders": [{"gateway": "gift_card", "amount": "10.00"}, {"gateway": "cash", "amount": "15.00"}, {"gateway": "shopify_payments"}]
        }),
    )
    .await;
    let order = read_order(&shop, &sale).await;
    let paid: Vec<(Value, Decimal)> = order["transactions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| (t["gateway"].clone(), shop_amount(&t["amountSet"])))
        .collect();
    assert_eq!(
        paid,
        vec![(json!("gift_card"), d("10.00")), (json!("cash"), d("15.00")), (json!("shopify_payments"), d("25.00"))],
        "one SALE per tender, the open one taking what was left"
    );
    assert_eq!(
        order["paymentGatewayNames"],
        json!(["gift_card", "cash", "shopify_payments"]),
        "every gateway used, once"
    );

    let (status, refund) = shop
        .admin_post(
            "/__admin/pos/refund",
            json!({"order_id": sale["id"], "lines": [{"sku": "TEE-S", "quantity": 2, "restock": true}]}),
        )
        .await;
    assert_eq!(status, 201, "the whole sale comes back: {refund}");
    let order = read_order(&shop, &sale).await;
    let back: Vec<(Value, Decimal, Value)> = order["refunds"][0]["transactions"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| (t["gateway"].clone(), shop_amount(&t["amountSet"]), t["parentTransaction"]["id"].clone()))
        .collect();
    let sales: Vec<Value> = order["transactions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["kind"] == "SALE")
        .map(|t| t["id"].clone())
        .collect();
    assert_eq!(
        back,
        vec![
            (json!("gift_card"), d("10.00"), sales[0].clone()),
            (json!("cash"), d("15.00"), sales[1].clone()),
            (json!("shopify_payments"), d("25.00"), sales[2].clone())
        ],
        "each tender gets its own amount back, as a refund of that payment"
    );
    assert_eq!(order["displayFinancialStatus"], "REFUNDED", "all the money went back");

    let short = refused(&shop, json!({"location_id": STORE, "lines": [{"sku": "TEE-S", "quantity": 1}], "tenders": [{"gateway": "cash", "amount": "20.00"}]})).await;
    assert!(short.contains("add up"), "tenders short of the total are refused: {short}");
    let two_open = refused(&shop, json!({"location_id": STORE, "lines": [{"sku": "TEE-S", "quantity": 1}], "tenders": [{"gateway": "cash"}, {"gateway": "shopify_payments"}]})).await;
    assert!(two_open.contains("at most one tender"), "only one tender may take the rest: {two_open}");
}

#[tokio::test]
async fn cash_rounding_leaves_the_total_alone_and_reports_what_the_drawer_took() {
    let shop = start(&small_world(), ShopifyConfig { currency: "CAD".into(), ..ShopifyConfig::default() }).await;
    let sale = sell(
        &shop,
        json!({
            "location_id": STORE,
            "lines": [{"sku": "TEE-S", "quantity": 1, "price": "10.02"}, {"sku": "MUG-1", "quantity": 1, "price": "5.00"}],
            "tenders": [{"gateway": "shopify_payments", "amount": "5.00"}, {"gateway": "cash"}],
            "cash_rounding": "0.05"
        }),
    )
    .await;
    let order = read_order(&shop, &sale).await;
    assert_eq!(order["currencyCode"], "CAD", "a Canadian shop");
    assert_eq!(shop_amount(&order["totalPriceSet"]), d("15.02"), "the order total is not rounded");
    let cash = order["transactions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["gateway"] == "cash")
        .cloned()
        .unwrap_or_default();
    assert_eq!(shop_amount(&cash["amountSet"]), d("10.02"), "the cash payment covers what is owed");
    assert_eq!(shop_amount(&cash["amountRoundingSet"]), d("-0.02"), "and the drawer took 10.00: 0.02 rounded away");
    let card = order["transactions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["gateway"] == "shopify_payments")
        .cloned()
        .unwrap_or_default();
    assert_eq!(card["amountRoundingSet"], Value::Null, "card payments are not rounded");
    assert_eq!(
        shop_amount(&order["totalCashRoundingAdjustment"]["paymentSet"]),
        d("-0.02"),
        "the order sums the roundings of its payments"
    );
    assert_eq!(
        sale["total_cash_rounding_payment_adjustment_set"]["shop_money"]["amount"], "-0.02",
        "REST carries it as Shopify's payload does"
    );
    assert_eq!(shop_amount(&order["totalCashRoundingAdjustment"]["refundSet"]), Decimal::ZERO, "nothing refunded yet");

    let (status, refund) =
        shop.admin_post("/__admin/pos/refund", json!({"order_id": sale["id"], "amount": "7.53"})).await;
    assert_eq!(status, 201, "money back without goods: {refund}");
    let order = read_order(&shop, &sale).await;
    assert_eq!(
        order["refunds"][0]["transactions"]["nodes"]
            .as_array()
            .map(|t| t.iter().map(|t| t["gateway"].clone()).collect::<Vec<_>>()),
        Some(vec![json!("shopify_payments"), json!("cash")]),
        "the card is refunded first, the rest in cash"
    );
    assert_eq!(
        shop_amount(&order["totalCashRoundingAdjustment"]["refundSet"]),
        d("0.02"),
        "2.53 in cash is paid out as 2.55"
    );
}

#[tokio::test]
async fn a_sale_in_the_customers_currency_adds_up_in_both_currencies() {
    let shop = start_small().await;
    let sale = sell(
        &shop,
        json!({
            "location_id": STORE,
            "presentment_currency": "EUR",
            "exchange_rate": "0.932",
            "lines": [
                {"sku": "TEE-S", "quantity": 3, "discount_percentage": "10"},
                {"sku": "MUG-1", "quantity": 1}
            ],
            "discounts": [{"title": "Spring", "automatic": true, "value_type": "fixed_amount", "value": "5.00"}],
            "taxes": [{"title": "GST", "rate": "0.05"}, {"title": "PST", "rate": "0.07"}],
            "shipping": {"title": "Courier", "price": "7.50", "taxable": true},
            "ship_from_store": true,
            "tenders": [{"gateway": "cash", "amount": "20.00"}, {"gateway": "shopify_payments"}]
        }),
    )
    .await;
    let order = read_order(&shop, &sale).await;
    assert_eq!(
        (order["currencyCode"].clone(), order["presentmentCurrencyCode"].clone()),
        (json!("USD"), json!("EUR")),
        "shop money in USD, the customer's in EUR"
    );
    let mug = &order["lineItems"]["nodes"][1];
    assert_eq!(
        (presentment_amount(&mug["originalTotalSet"]), shop_amount(&mug["originalTotalSet"])),
        (d("11.18"), d("12.00")),
        "12.00 USD is 11.18 EUR, and back"
    );
    assert_eq!(
        order["discountApplications"]["nodes"][1]["value"],
        json!({"__typename": "MoneyV2", "amount": "5.0", "currencyCode": "EUR"}),
        "a fixed discount is set in the customer's currency"
    );

    let (status, refund) = shop
        .admin_post(
            "/__admin/pos/refund",
            json!({"order_id": sale["id"], "lines": [{"sku": "TEE-S", "quantity": 1, "restock": true}]}),
        )
        .await;
    assert_eq!(status, 201, "one tee is cancelled before it ships: {refund}");
    let order = read_order(&shop, &sale).await;
    assert!(
        presentment_amount(&order["currentTotalPriceSet"]) < presentment_amount(&order["totalPriceSet"]),
        "the current total leaves the refunded tee out"
    );
    let problems = rest_money_problems(&refund["order"]);
    assert!(problems.is_empty(), "the REST order does not add up after the refund:\n{}", problems.join("\n"));
    assert_eq!(refund["order"]["presentment_currency"], "EUR", "REST names the customer's currency");
    assert_eq!(refund["order"]["line_items"][1]["price"], "12.00", "bare REST amounts are shop money");
    assert_eq!(
        refund["order"]["line_items"][1]["price_set"]["presentment_money"]["amount"], "11.18",
        "the set carries the customer's"
    );
    assert_eq!(
        refund["refund"]["transactions"][0]["currency"], "EUR",
        "a refund transaction is in the currency it pays back"
    );
    let unsupported = refused(&shop, json!({"location_id": STORE, "lines": [{"sku": "TEE-S", "quantity": 1}], "presentment_currency": "XYZ", "exchange_rate": "2"})).await;
    assert!(unsupported.contains("XYZ"), "an unknown currency is refused by name: {unsupported}");
}

#[tokio::test]
async fn gift_cards_are_issued_at_once_without_tax_discount_or_stock() {
    let shop = start_small().await;
    let sale = sell(
        &shop,
        json!({
            "location_id": STORE,
            "lines": [{"sku": "TEE-S", "quantity": 1}, {"gift_card": true, "title": "Gift card", "price": "50.00", "quantity": 1}],
            "discounts": [{"title": "Welcome", "value_type": "percentage", "value": "10"}],
            "taxes": [{"title": "GST", "rate": "0.05"}],
            "ship_from_store": true
        }),
    )
    .await;
    let order = read_order(&shop, &sale).await;
    let card = &order["lineItems"]["nodes"][1];
    assert_eq!(
        (card["isGiftCard"].clone(), card["taxable"].clone(), card["requiresShipping"].clone()),
        (json!(true), json!(false), json!(false)),
        "a gift card is neither taxed nor shipped"
    );
    assert_eq!(card["discountAllocations"], json!([]), "order discounts leave gift cards alone");
    assert_eq!(
        shop_amount(&order["lineItems"]["nodes"][0]["discountAllocations"][0]["allocatedAmountSet"]),
        d("2.50"),
        "the tee takes the whole 10 %"
    );
    assert_eq!(shop_amount(&order["totalTaxSet"]), d("1.13"), "5 % of the tee's 22.50 only");
    assert_eq!(
        order["displayFulfillmentStatus"], "PARTIALLY_FULFILLED",
        "the card is issued at once while the tee waits to ship"
    );
    assert_eq!(sale["line_items"][1]["gift_card"], true, "REST marks the gift card line");
    assert_eq!(sale["line_items"][1]["fulfillment_status"], "fulfilled", "and issued");
    let stock = shop.stock("TEE-S", STORE).await;
    assert_eq!(
        (stock["available"].clone(), stock["committed"].clone()),
        (json!(9), json!(1)),
        "only the tee moved stock: {stock}"
    );
    let discounted = refused(&shop, json!({"location_id": STORE, "lines": [{"gift_card": true, "price": "20.00", "quantity": 1, "discount": "1.00"}]})).await;
    assert!(discounted.contains("gift cards cannot be discounted"), "a discounted gift card is refused: {discounted}");
}

#[tokio::test]
async fn a_pos_order_names_its_staff_location_customer_addresses_tags_and_line_properties() {
    let shop = start_small().await;
    let guest = sell(&shop, json!({"location_id": STORE, "lines": [{"sku": "MUG-1", "quantity": 1}]})).await;
    let order = read_order(&shop, &guest).await;
    assert_eq!(order["customer"], Value::Null, "a guest sale has no customer");
    assert_eq!(order["staffMember"]["name"], "Sam Counter", "the logged-in cashier rang it up");
    assert_eq!(order["retailLocation"]["id"], location_gid(STORE), "at the store");
    assert_eq!(order["transactions"][0]["user"]["id"], order["staffMember"]["id"], "and took the payment");
    assert_eq!(
        guest["user_id"],
        json!(tillbridge_emulator::shopify::COUNTER_STAFF_ID),
        "REST names the staff member by user_id"
    );

    let sale = sell(
        &shop,
        json!({
            "location_id": STORE,
            "staff_member_id": format!("gid://shopify/StaffMember/{OWNER_STAFF_ID}"),
            "customer_email": "ada@example.com",
            "billing_address": {"first_name": "Ada", "last_name": "Lovelace", "address1": "12 Harbour Street", "city": "Portsmouth", "country_code": "GB", "zip": "PO1 2AB"},
            "tags": ["vip", "counter"],
            "lines": [{"sku": "MUG-1", "quantity": 1, "properties": [{"name": "Engraving", "value": "ADA"}]}]
        }),
    )
    .await;
    let order = read_order(&shop, &sale).await;
    assert_eq!(order["staffMember"]["name"], "Morgan Owner", "the sale names the owner at the till");
    assert!(
        order["customer"]["id"].as_str().is_some_and(|id| id.starts_with("gid://shopify/Customer/")),
        "the customer was attached: {order}"
    );
    assert_eq!(
        order["billingAddress"],
        json!({"name": "Ada Lovelace", "address1": "12 Harbour Street", "city": "Portsmouth", "countryCodeV2": "GB", "zip": "PO1 2AB"}),
        "the billing address reads back"
    );
    assert_eq!(order["tags"], json!(["vip", "counter"]), "tags are a list in GraphQL");
    assert_eq!(sale["tags"], "vip, counter", "and one comma-separated string in REST");
    assert_eq!(
        order["lineItems"]["nodes"][0]["customAttributes"],
        json!([{"key": "Engraving", "value": "ADA"}]),
        "line properties are custom attributes"
    );
    assert_eq!(
        sale["line_items"][0]["properties"],
        json!([{"name": "Engraving", "value": "ADA"}]),
        "and REST properties"
    );
    assert_eq!(sale["billing_address"]["country_code"], "GB", "REST billing_address");

    let unknown =
        refused(&shop, json!({"location_id": STORE, "staff_member_id": 5, "lines": [{"sku": "MUG-1", "quantity": 1}]}))
            .await;
    assert!(unknown.contains("staff member 5"), "an unknown staff member is refused: {unknown}");
}

#[tokio::test]
async fn discounts_the_till_cannot_give_are_refused() {
    let shop = start_small().await;
    let over =
        refused(&shop, json!({"location_id": STORE, "lines": [{"sku": "MUG-1", "quantity": 1, "discount": "12.01"}]}))
            .await;
    assert!(over.contains("more than the line"), "a discount above the line's price is refused: {over}");
    let percent = refused(&shop, json!({"location_id": STORE, "lines": [{"sku": "MUG-1", "quantity": 1}], "discounts": [{"value_type": "percentage", "value": "120"}]})).await;
    assert!(percent.contains("at most 100"), "a percentage above 100 is refused: {percent}");
    let stock = shop.stock("MUG-1", STORE).await;
    assert_eq!(stock["available"], 3, "refused sales move no stock: {stock}");
}

#[tokio::test]
async fn a_counter_return_refunds_what_the_pos_capture_refunded_to_the_cent() {
    let Some(capture) = sample("webhook_refunds_create_POS_capture_2024_scrubbed.json") else { return };
    let shop = start(&small_world(), ShopifyConfig { currency: "CAD".into(), ..ShopifyConfig::default() }).await;
    let captured_line = &capture["refund_line_items"][0];
    let taxes: Vec<Value> = captured_line["line_item"]["tax_lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| json!({"title": t["title"], "rate": t["rate"]}))
        .collect();
    let sale = sell(
        &shop,
        json!({
            "location_id": STORE,
            "lines": [{
                "sku": "TEE-S",
                "quantity": captured_line["line_item"]["quantity"],
                "price": captured_line["line_item"]["price"],
                "discount": captured_line["line_item"]["discount_allocations"][0]["amount"]
            }],
            "taxes": taxes,
            "gateway": "shopify_payments"
        }),
    )
    .await;
    let (status, body) = shop
        .admin_post(
            "/__admin/pos/return",
            json!({"order_id": sale["id"], "lines": [{"sku": "TEE-S", "quantity": captured_line["quantity"]}]}),
        )
        .await;
    assert_eq!(status, 201, "the counter takes the goods back: {body}");
    let line = &body["refund"]["refund_line_items"][0];
    assert_eq!(line["subtotal"], captured_line["subtotal"], "4 × 39.99 − 15.99 = 143.97, as captured");
    assert_eq!(line["total_tax"], captured_line["total_tax"], "GST 7.20 + RST 10.08 = 17.28, as captured");
    assert_eq!(
        line["line_item"]["tax_lines"][0]["price"], captured_line["line_item"]["tax_lines"][0]["price"],
        "GST on the line"
    );
    assert_eq!(
        line["line_item"]["tax_lines"][1]["price"], captured_line["line_item"]["tax_lines"][1]["price"],
        "RST on the line"
    );
    assert_eq!(
        body["refund"]["transactions"][0]["amount"], capture["transactions"][0]["amount"],
        "161.25 back on the card, as captured"
    );
    assert_eq!(body["refund"]["transactions"][0]["currency"], capture["transactions"][0]["currency"], "in CAD");
    assert_eq!(line["restock_type"], captured_line["restock_type"], "a counter return restocks as RETURN");
}
