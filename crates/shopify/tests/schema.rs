//! Every operation document, every bulk query text, and the variables our input types produce
//! are checked against Shopify's published Admin schema, so a misspelt field or a wrong input
//! shape fails here instead of in a merchant's shop.
// A broken fixture should stop the test at once, with its message.
#![allow(clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use apollo_compiler::response::JsonMap;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tillbridge_shopify::gid::*;
use tillbridge_shopify::models::{QuantityName, RestockType};
use tillbridge_shopify::ops::{ALL, BULK_QUERIES, bulk, catalog, customers, inventory, orders, webhooks};
use tillbridge_shopify::*;

const SCHEMA_FILE: &str = "specs/shopify/admin_schema_unstable_2025-10-09.graphql";

/// What API versions 2026-01 and 2026-04 added that the saved 2025-10 schema predates
/// (api-facts §2.5): `changeFromQuantity` on both quantity inputs, and the `@idempotent(key:)`
/// directive the inventory and refund mutations carry.
const ADDITIONS_2026: &str = r#"
extend input InventoryQuantityInput { changeFromQuantity: Int }
extend input InventoryChangeInput { changeFromQuantity: Int }
directive @idempotent(key: String!) on FIELD
"#;

fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    dir.join(SCHEMA_FILE).is_file().then_some(dir)
}

fn skip_notice() {
    #[allow(clippy::print_stdout)]
    {
        println!("skipping: ../shared not found (looked for {SCHEMA_FILE} under CARGO_MANIFEST_DIR/../../../shared)");
    }
}

/// Shopify's SDL declares the built-in `ID` scalar (with a description); the GraphQL spec makes
/// built-in scalars implicit and apollo-compiler refuses to redefine them, so those definitions
/// are dropped before parsing. Nothing else of the file is touched.
fn saved_schema_text(shared: &Path) -> String {
    let mut sdl = std::fs::read_to_string(shared.join(SCHEMA_FILE)).expect("the schema file reads");
    for builtin in ["ID", "String", "Int", "Float", "Boolean"] {
        let definition = format!("\nscalar {builtin}\n");
        let Some(at) = sdl.find(&definition) else { continue };
        let before = sdl[..at].trim_end();
        let start = match before.strip_suffix("\"\"\"").and_then(|open| open.rfind("\"\"\"")) {
            Some(description) => description,
            None => at,
        };
        sdl.replace_range(start..at + definition.len(), "\n");
    }
    sdl
}

fn schema(shared: &Path) -> Valid<Schema> {
    let sdl = saved_schema_text(shared);
    match Schema::parse_and_validate(format!("{sdl}\n{ADDITIONS_2026}"), "admin_schema_unstable_2025-10-09.graphql") {
        Ok(valid) => valid,
        Err(with_errors) => panic!("Shopify's schema plus the 2026 additions must load: {}", with_errors.errors),
    }
}

/// Variables as our own types serialize them, for every operation.
fn sample_variables() -> BTreeMap<&'static str, Vec<Value>> {
    let item = InventoryItemId::from_number(502_001);
    let location = LocationId::from_number(70_001);
    let key = IdempotencyKey::for_job("job-1", "write");
    let set = SetQuantities {
        name: SettableQuantity::Available,
        reason: InventoryReason::Correction,
        reference_document_uri: Some("gid://tillbridge/Job/1".into()),
        quantities: vec![
            QuantitySet { item_id: item.clone(), location_id: location.clone(), quantity: 7, change_from: Some(5) },
            QuantitySet {
                item_id: item.clone(),
                location_id: LocationId::from_number(70_002),
                quantity: 7,
                change_from: None,
            },
        ],
    };
    let adjust = AdjustQuantities {
        name: QuantityName::Available,
        reason: InventoryReason::Received,
        reference_document_uri: None,
        changes: vec![QuantityChange {
            item_id: item.clone(),
            location_id: location.clone(),
            delta: 3,
            change_from: Some(4),
            ledger_document_uri: None,
        }],
    };
    let update = VariantUpdate {
        price: Some(Decimal::new(2500, 2)),
        compare_at_price: Some(None),
        barcode: Some(Some("0012345678905".into())),
        sku: Some("TEE-S".into()),
        ..VariantUpdate::new(VariantId::from_number(2001))
    };
    let refund = NewRefund {
        order_id: OrderId::from_number(9),
        note: Some("returned at the counter".into()),
        lines: vec![RefundLineInput {
            line_item_id: LineItemId::from_number(1),
            quantity: 1,
            restock_type: RestockType::Return,
            location_id: Some(location.clone()),
        }],
        money: vec![RefundMoney {
            amount: Decimal::new(2500, 2),
            gateway: "cash".into(),
            parent_id: Some(TransactionId::from_number(3)),
        }],
    };
    let mut v: BTreeMap<&'static str, Vec<Value>> = BTreeMap::new();
    v.insert(VERIFY.name, vec![json!({})]);
    v.insert(
        catalog::PRODUCT_VARIANTS.name,
        vec![
            json!({"after": null, "query": null}),
            json!({"after": "abc", "query": "updated_at:>'2026-03-01T12:00:00Z'"}),
        ],
    );
    v.insert(
        catalog::PRODUCT_VARIANTS_BULK_UPDATE.name,
        vec![json!({"productId": ProductId::from_number(1001), "variants": [update.to_input()]})],
    );
    v.insert(
        catalog::PRODUCT_TITLE_UPDATE.name,
        vec![json!({"product": {"id": ProductId::from_number(1001), "title": "Linen Shirt"}})],
    );
    v.insert(inventory::LOCATIONS.name, vec![json!({"after": null})]);
    v.insert(inventory::INVENTORY_LEVELS_AT_LOCATION.name, vec![json!({"locationId": location, "after": null})]);
    v.insert(inventory::INVENTORY_LEVELS_FOR_ITEMS.name, vec![json!({"ids": [item, InventoryItemId::from_number(2)]})]);
    v.insert(inventory::INVENTORY_LEVEL.name, vec![json!({"itemId": item, "locationId": location})]);
    v.insert(inventory::INVENTORY_SET_QUANTITIES.name, vec![json!({"input": set, "idempotencyKey": key})]);
    v.insert(inventory::INVENTORY_ADJUST_QUANTITIES.name, vec![json!({"input": adjust, "idempotencyKey": key})]);
    v.insert(inventory::INVENTORY_ACTIVATE.name, vec![json!({"itemId": item, "locationId": location})]);
    v.insert(orders::POS_ORDERS.name, vec![json!({"after": null, "query": "source_name:pos"})]);
    v.insert(orders::ORDER.name, vec![json!({"id": OrderId::from_number(9)})]);
    v.insert(orders::REFUND_CREATE.name, vec![json!({"input": refund.to_input(), "idempotencyKey": key})]);
    v.insert(customers::CUSTOMERS_BY_EMAIL.name, vec![json!({"query": "email:\"ada@example.com\""})]);
    v.insert(
        webhooks::WEBHOOK_SUBSCRIPTION_CREATE.name,
        WebhookTopic::ALL.iter().map(|t| json!({"topic": t, "uri": "https://hooks.example/shopify"})).collect(),
    );
    v.insert(webhooks::WEBHOOK_SUBSCRIPTION_DELETE.name, vec![json!({"id": WebhookSubscriptionId::from_number(5)})]);
    v.insert(bulk::BULK_OPERATION_RUN_QUERY.name, vec![json!({"query": bulk::BULK_PRODUCTS_WITH_VARIANTS})]);
    v.insert(bulk::BULK_OPERATION.name, vec![json!({"id": BulkOperationId::from_number(1)})]);
    v.insert(bulk::CURRENT_BULK_OPERATION.name, vec![json!({})]);
    v
}

#[test]
fn every_operation_and_its_variables_validate_against_shopifys_admin_schema() {
    let Some(shared) = shared_dir() else { return skip_notice() };
    let schema = schema(&shared);
    let samples = sample_variables();
    let mut failures = Vec::new();
    for op in ALL {
        let doc = match ExecutableDocument::parse_and_validate(&schema, op.document, format!("{}.graphql", op.name)) {
            Ok(doc) => doc,
            Err(e) => {
                failures.push(format!("{}: {}", op.name, e.errors));
                continue;
            }
        };
        let Ok(operation) = doc.operations.get(Some(op.name)) else {
            failures.push(format!("{}: the document has no operation of that name", op.name));
            continue;
        };
        let Some(variable_sets) = samples.get(op.name) else {
            failures.push(format!("{}: no sample variables; add them so its inputs are checked too", op.name));
            continue;
        };
        for variables in variable_sets {
            let map: JsonMap = serde_json::from_value(variables.clone()).expect("variables are a JSON object");
            if let Err(e) = apollo_compiler::request::coerce_variable_values(&schema, operation, &map) {
                failures.push(format!("{}: variables {variables} refused: {}", op.name, e.message()));
            }
        }
    }
    for (i, query) in BULK_QUERIES.iter().enumerate() {
        if let Err(e) = ExecutableDocument::parse_and_validate(&schema, *query, format!("bulk-{i}.graphql")) {
            failures.push(format!("bulk query {i}: {}", e.errors));
        }
    }
    assert!(failures.is_empty(), "documents or variables Shopify's schema would refuse:\n{}", failures.join("\n"));
}

#[test]
fn the_2026_additions_are_what_makes_the_inventory_writes_valid() {
    let Some(shared) = shared_dir() else { return skip_notice() };
    // Without the additions the saved schema refuses @idempotent: proof the check is real and
    // that the documents do carry the directive.
    let plain = Schema::parse_and_validate(saved_schema_text(&shared), "plain.graphql")
        .expect("the saved schema loads on its own");
    for op in [&inventory::INVENTORY_SET_QUANTITIES, &inventory::INVENTORY_ADJUST_QUANTITIES, &orders::REFUND_CREATE] {
        let result = ExecutableDocument::parse_and_validate(&plain, op.document, "plain-op.graphql");
        assert!(result.is_err(), "{} must use @idempotent, which only the 2026 additions declare", op.name);
    }
}

#[test]
fn the_check_refuses_a_misspelt_field_and_a_misshapen_input() {
    let Some(shared) = shared_dir() else { return skip_notice() };
    let schema = schema(&shared);
    let misspelt = "query TillbridgeProbe { productVariants(first: 1) { nodes { skuu } } }";
    assert!(
        ExecutableDocument::parse_and_validate(&schema, misspelt, "probe.graphql").is_err(),
        "an unknown field must fail validation"
    );
    let doc =
        ExecutableDocument::parse_and_validate(&schema, inventory::INVENTORY_SET_QUANTITIES.document, "set.graphql")
            .expect("the real document is valid");
    let operation = doc.operations.get(None).expect("one operation");
    let wrong = json!({"idempotencyKey": "k", "input": {"name": "available", "reason": "correction", "quantities": [
        {"inventoryItemId": "gid://shopify/InventoryItem/1", "locationId": "gid://shopify/Location/1", "quantity": 1, "changeFromQuantityy": 0}
    ]}});
    let map: JsonMap = serde_json::from_value(wrong).expect("an object");
    assert!(
        apollo_compiler::request::coerce_variable_values(&schema, operation, &map).is_err(),
        "a misspelt input field must be refused, or the variables check proves nothing"
    );
}
