//! Unit tests of the catalog planner and its writes.

use rust_decimal::Decimal;

use super::*;

#[test]
fn names_are_the_serde_names() {
    for f in Field::ALL {
        assert_eq!(serde_json::to_value(f).unwrap(), f.as_str(), "the CSV and the API must spell {f:?} alike");
    }
    for d in [Direction::BigCommerceToShopify, Direction::ShopifyToBigCommerce] {
        assert_eq!(serde_json::to_value(d).unwrap(), d.as_str(), "the CSV and the API must spell {d:?} alike");
    }
}

fn money(text: &str) -> Decimal {
    text.parse().expect("test prices are decimals")
}

fn bigcommerce(variant_id: i64, price: &str, sale: Option<&str>, barcode: &str) -> BcItem {
    BcItem {
        product_id: 100 + variant_id / 10,
        variant_id,
        title: format!("Product {}", variant_id / 10),
        sku: format!("SKU-{variant_id}"),
        price: money(price),
        sale_price: sale.map(money),
        barcode: barcode.into(),
    }
}

fn shopify(n: i64, price: &str, sale: Option<&str>, barcode: &str) -> ShItem {
    ShItem {
        product_id: format!("gid://shopify/Product/{}", 900 + n / 10),
        variant_id: format!("gid://shopify/ProductVariant/{n}"),
        title: format!("Product {}", n / 10),
        sku: format!("SKU-{n}"),
        price: money(price),
        sale_price: sale.map(money),
        barcode: barcode.into(),
    }
}

/// A pair whose last-sync values equal its current ones: nothing was edited since.
fn synced(bc: BcItem, sh: ShItem) -> PairState {
    PairState { last_bigcommerce: Some(bc.clone()), last_shopify: Some(sh.clone()), bigcommerce: bc, shopify: sh }
}

/// An identical, synced pair with the given ids.
fn aligned(n: i64) -> PairState {
    synced(bigcommerce(n, "20.00", None, "012345678905"), shopify(n, "20.00", None, "012345678905"))
}

fn owned_by(owner: Owner) -> Ownership {
    Ownership { title: owner, price: owner, sale_price: owner, barcode: owner, sku: owner }
}

fn only_shopify_variant(plan: &SyncPlan) -> ShopifyVariantWrite {
    match plan.requests().as_slice() {
        [CatalogRequest::ShopifyVariants { variants, .. }] if variants.len() == 1 => variants[0].clone(),
        other => panic!("expected one Shopify variant write, got {other:#?}"),
    }
}

fn only_bigcommerce_variant(plan: &SyncPlan) -> BigCommerceVariantWrite {
    match plan.requests().as_slice() {
        [CatalogRequest::BigCommerceVariants { variants }] if variants.len() == 1 => variants[0].clone(),
        other => panic!("expected one BigCommerce variant write, got {other:#?}"),
    }
}

fn fields(plan: &SyncPlan) -> Vec<(Field, Direction)> {
    plan.changes.iter().map(|c| (c.field, c.direction)).collect()
}

#[test]
fn pricing_model_conversions() {
    assert_eq!(
        bigcommerce_prices(money("10"), None, None),
        (money("10"), None),
        "the variant falls back to the product price"
    );
    assert_eq!(
        bigcommerce_prices(money("10"), Some(money("12")), Some(money("0"))),
        (money("12"), None),
        "the variant price wins, and a sale price of 0 is no sale"
    );
    assert_eq!(
        bigcommerce_prices(money("10"), Some(money("12")), Some(money("9"))),
        (money("12"), Some(money("9"))),
        "a sale price"
    );
    assert_eq!(
        shopify_prices(money("15"), Some(money("20"))),
        (money("20"), Some(money("15"))),
        "compare-at above price is a sale"
    );
    assert_eq!(
        shopify_prices(money("15"), Some(money("15"))),
        (money("15"), None),
        "compare-at equal to price is no sale"
    );
    assert_eq!(shopify_prices(money("15"), None), (money("15"), None), "no compare-at, no sale");
    assert_eq!(
        shopify_price_fields(money("20"), Some(money("15"))),
        (money("15"), Some(money("20"))),
        "inverse of shopify_prices"
    );
    assert_eq!(
        bigcommerce_barcode(" 012345678905 ", "  "),
        "012345678905",
        "a blank GTIN falls back to the trimmed UPC"
    );
    assert_eq!(bigcommerce_barcode("012345678905", "4006381333931"), "4006381333931", "a filled-in GTIN wins");
}

#[test]
fn delta_pushes_a_bigcommerce_price_change_to_shopify() {
    let mut pair = aligned(1);
    pair.bigcommerce.price = money("24.50");
    let plan = plan_sync(&[pair], &Ownership::default(), Scope::Delta);
    assert_eq!(fields(&plan), [(Field::Price, Direction::BigCommerceToShopify)], "the owner's edit is carried over");
    let change = &plan.changes[0];
    assert_eq!(
        (change.old.as_deref(), change.new.as_deref()),
        (Some("20.00"), Some("24.50")),
        "money renders as plain decimals"
    );
    let write = only_shopify_variant(&plan);
    assert_eq!(write.price, Some(money("24.50")), "the new price is written");
    assert_eq!(write.compare_at_price, Some(None), "a new price also clears any stale compare-at");
    assert_eq!((&write.barcode, &write.sku), (&None, &None), "untouched fields are left alone");
}

#[test]
fn delta_ignores_a_shopify_edit_of_a_bigcommerce_owned_field_but_full_reverts_it() {
    let mut pair = aligned(1);
    pair.shopify.price = money("18.00");
    let delta = plan_sync(std::slice::from_ref(&pair), &Ownership::default(), Scope::Delta);
    assert!(delta.is_empty() && delta.skipped.is_empty(), "delta looks only at owner-side edits: {delta:#?}");
    let full = plan_sync(&[pair], &Ownership::default(), Scope::Full);
    assert_eq!(
        fields(&full),
        [(Field::Price, Direction::BigCommerceToShopify)],
        "full sync puts the owner's price back"
    );
    assert_eq!(only_shopify_variant(&full).price, Some(money("20.00")), "reverted to BigCommerce's price");
}

#[test]
fn delta_leaves_pairs_new_since_the_last_sync_to_the_full_sync() {
    let mut pair = aligned(1);
    pair.bigcommerce.price = money("30");
    pair.last_bigcommerce = None;
    assert!(
        plan_sync(std::slice::from_ref(&pair), &Ownership::default(), Scope::Delta).is_empty(),
        "no last values, no delta"
    );
    assert!(!plan_sync(&[pair], &Ownership::default(), Scope::Full).is_empty(), "full sync aligns the new pair");
}

#[test]
fn delta_does_not_rewrite_an_owner_edit_the_target_already_has() {
    let mut pair = aligned(1);
    pair.bigcommerce.price = money("30");
    pair.shopify.price = money("30.0");
    assert!(plan_sync(&[pair], &Ownership::default(), Scope::Delta).is_empty(), "both sides already agree");
}

#[test]
fn owner_none_never_writes() {
    let pair = PairState {
        bigcommerce: bigcommerce(1, "20", Some("15"), "012345678905"),
        shopify: ShItem { title: "Other".into(), sku: "other".into(), ..shopify(2, "99", None, "4006381333931") },
        last_bigcommerce: None,
        last_shopify: None,
    };
    for scope in [Scope::Full, Scope::Delta] {
        let plan = plan_sync(std::slice::from_ref(&pair), &owned_by(Owner::None), scope);
        assert_eq!(plan, SyncPlan::default(), "fields owned by no one are never synced ({scope:?})");
    }
}

#[test]
fn shopify_owned_barcode_flows_to_bigcommerce_gtin_and_to_upc_when_it_is_12_digits() {
    let ownership = Ownership { barcode: Owner::Shopify, ..Ownership::default() };
    let upc_a = synced(bigcommerce(1, "20", None, ""), shopify(1, "20", None, " 036000291452 "));
    let write = only_bigcommerce_variant(&plan_sync(&[upc_a], &ownership, Scope::Full)).clone();
    assert_eq!(write.gtin.as_deref(), Some("036000291452"), "the trimmed barcode goes to the GTIN field");
    assert_eq!(write.upc.as_deref(), Some("036000291452"), "a UPC-A goes to the UPC field too");

    let ean_13 = synced(bigcommerce(1, "20", None, "036000291452"), shopify(1, "20", None, "4006381333931"));
    let write = only_bigcommerce_variant(&plan_sync(&[ean_13], &ownership, Scope::Full)).clone();
    assert_eq!(write.gtin.as_deref(), Some("4006381333931"), "an EAN-13 goes to the GTIN field");
    assert_eq!(write.upc, None, "and the UPC field is left alone");
}

#[test]
fn a_blank_owner_barcode_clears_the_target() {
    let to_shopify = synced(bigcommerce(1, "20", None, " "), shopify(1, "20", None, "036000291452"));
    let plan = plan_sync(&[to_shopify], &Ownership::default(), Scope::Full);
    assert_eq!(only_shopify_variant(&plan).barcode, Some(None), "Some(None) clears Shopify's barcode");
    assert_eq!(
        (plan.changes[0].old.as_deref(), plan.changes[0].new.as_deref()),
        (Some("036000291452"), None),
        "cleared shows as none"
    );

    let ownership = Ownership { barcode: Owner::Shopify, ..Ownership::default() };
    let to_bigcommerce = synced(bigcommerce(1, "20", None, "036000291452"), shopify(1, "20", None, ""));
    let plan = plan_sync(&[to_bigcommerce], &ownership, Scope::Full);
    let write = only_bigcommerce_variant(&plan);
    assert_eq!(
        (write.gtin.as_deref(), write.upc.as_deref()),
        (Some(""), Some("")),
        "both fields, or the UPC would show through"
    );
}

#[test]
fn upc_a_and_ean_13_with_a_leading_zero_are_not_a_change() {
    let pair = synced(bigcommerce(1, "20", None, "012345678905"), shopify(1, "20", None, "0012345678905"));
    assert!(plan_sync(&[pair], &Ownership::default(), Scope::Full).is_empty(), "the same GTIN written two ways");
}

#[test]
fn malformed_barcodes_compare_as_trimmed_text() {
    let same = synced(bigcommerce(1, "20", None, " ABC-1"), shopify(1, "20", None, "ABC-1 "));
    assert!(plan_sync(&[same], &Ownership::default(), Scope::Full).is_empty(), "only surrounding spaces differ");
    let different = synced(bigcommerce(1, "20", None, "ABC-1"), shopify(1, "20", None, "abc-1"));
    let plan = plan_sync(&[different], &Ownership::default(), Scope::Full);
    assert_eq!(
        fields(&plan),
        [(Field::Barcode, Direction::BigCommerceToShopify)],
        "text that is no GTIN is compared exactly"
    );
}

#[test]
fn prices_compare_by_value_not_by_scale() {
    let pair = synced(bigcommerce(1, "19.9", Some("9.5"), ""), shopify(1, "19.90", Some("9.50"), ""));
    assert!(plan_sync(&[pair], &Ownership::default(), Scope::Full).is_empty(), "19.9 is 19.90");
}

#[test]
fn skus_compare_raw() {
    let mut pair = aligned(1);
    pair.shopify.sku = "sku-1 ".into();
    pair.bigcommerce.sku = "SKU-1".into();
    let plan = plan_sync(&[pair], &Ownership::default(), Scope::Full);
    assert_eq!(fields(&plan), [(Field::Sku, Direction::BigCommerceToShopify)], "case and spaces count for SKUs");
    assert_eq!(only_shopify_variant(&plan).sku.as_deref(), Some("SKU-1"), "the owner's raw SKU is written");
}

#[test]
fn a_bigcommerce_sale_becomes_shopify_price_and_compare_at() {
    let starting = synced(bigcommerce(1, "20", Some("15"), ""), shopify(1, "20", None, ""));
    let plan = plan_sync(&[starting], &Ownership::default(), Scope::Full);
    assert_eq!(fields(&plan), [(Field::SalePrice, Direction::BigCommerceToShopify)], "only the sale price differs");
    let write = only_shopify_variant(&plan);
    assert_eq!(write.price, Some(money("15")), "Shopify's price is what the customer pays");
    assert_eq!(write.compare_at_price, Some(Some(money("20"))), "the regular price moves to compare-at");

    let ending = synced(bigcommerce(1, "20", None, ""), shopify(1, "20", Some("15"), ""));
    let plan = plan_sync(&[ending], &Ownership::default(), Scope::Full);
    let write = only_shopify_variant(&plan);
    assert_eq!(write.price, Some(money("20")), "the sale ends: the regular price is charged again");
    assert_eq!(write.compare_at_price, Some(None), "and compare-at is cleared");
}

#[test]
fn a_regular_price_change_during_a_sale_only_moves_compare_at() {
    let pair = synced(bigcommerce(1, "25", Some("15"), ""), shopify(1, "20", Some("15"), ""));
    let plan = plan_sync(&[pair], &Ownership::default(), Scope::Full);
    assert_eq!(fields(&plan), [(Field::Price, Direction::BigCommerceToShopify)], "the regular price changed");
    let write = only_shopify_variant(&plan);
    assert_eq!(write.price, None, "the selling price stays 15, so it is not written");
    assert_eq!(write.compare_at_price, Some(Some(money("25"))), "the regular price lives in compare-at");
}

#[test]
fn a_shopify_sale_becomes_a_bigcommerce_sale_price_and_ending_it_writes_zero() {
    let ownership = owned_by(Owner::Shopify);
    let starting = synced(bigcommerce(1, "20", None, ""), shopify(1, "20", Some("15"), ""));
    let plan = plan_sync(&[starting], &ownership, Scope::Full);
    assert_eq!(fields(&plan), [(Field::SalePrice, Direction::ShopifyToBigCommerce)], "only the sale price differs");
    let write = only_bigcommerce_variant(&plan);
    assert_eq!((write.price, write.sale_price), (None, Some(money("15"))), "only the sale price is written");

    let ending = synced(bigcommerce(1, "20", Some("15"), ""), shopify(1, "20", None, ""));
    let write = only_bigcommerce_variant(&plan_sync(&[ending], &ownership, Scope::Full)).clone();
    assert_eq!(write.sale_price, Some(Decimal::ZERO), "0 is BigCommerce's 'no sale price'");
}

#[test]
fn split_price_ownership_composes_both_sides() {
    // BigCommerce sets the regular price, Shopify runs the sales.
    let ownership = Ownership { sale_price: Owner::Shopify, ..Ownership::default() };
    let pair = synced(bigcommerce(1, "30", None, ""), shopify(1, "20", Some("12"), ""));
    let plan = plan_sync(&[pair], &ownership, Scope::Full);
    assert_eq!(
        fields(&plan),
        [(Field::Price, Direction::BigCommerceToShopify), (Field::SalePrice, Direction::ShopifyToBigCommerce)],
        "each field flows from its owner"
    );
    let requests = plan.requests();
    let [CatalogRequest::ShopifyVariants { variants, .. }, CatalogRequest::BigCommerceVariants { variants: bc }] =
        requests.as_slice()
    else {
        panic!("expected one write per side: {:#?}", plan.requests())
    };
    assert_eq!(
        (variants[0].price, variants[0].compare_at_price),
        (None, Some(Some(money("30")))),
        "Shopify keeps its sale of 12"
    );
    assert_eq!((bc[0].price, bc[0].sale_price), (None, Some(money("12"))), "BigCommerce gets Shopify's sale");
}

#[test]
fn a_sale_price_shopify_cannot_show_is_skipped_not_written() {
    let pair = synced(bigcommerce(1, "20", Some("25"), ""), shopify(1, "20", None, ""));
    let plan = plan_sync(&[pair], &Ownership::default(), Scope::Full);
    assert!(plan.is_empty(), "a sale above the regular price would read back as no sale, forever 'changed': {plan:#?}");
    assert_eq!(plan.skipped.len(), 1, "the operator is told");
    assert_eq!(plan.skipped[0].field, Field::SalePrice, "about the sale price");
    assert!(
        plan.skipped[0].reason.contains("not below the regular price"),
        "with the reason: {}",
        plan.skipped[0].reason
    );
}

#[test]
fn a_hundred_and_twenty_bigcommerce_changes_make_three_batches() {
    let ownership = Ownership { sku: Owner::Shopify, ..Ownership::default() };
    let pairs: Vec<PairState> = (1..=120)
        .rev()
        .map(|n| {
            let mut pair = aligned(n);
            pair.shopify.sku = format!("NEW-{n}");
            pair
        })
        .collect();
    let plan = plan_sync(&pairs, &ownership, Scope::Full);
    let sizes: Vec<usize> = plan
        .requests()
        .iter()
        .map(|w| match w {
            CatalogRequest::BigCommerceVariants { variants } => variants.len(),
            other => panic!("only BigCommerce variant writes expected, got {other:?}"),
        })
        .collect();
    assert_eq!(sizes, [50, 50, 20], "BigCommerce takes 50 variants per batch");
    let CatalogRequest::BigCommerceVariants { variants } = &plan.requests()[0] else { unreachable!("checked above") };
    assert_eq!(variants[0].variant_id, 1, "batches are in variant id order, whatever the input order");
    assert_eq!(plan.changes.len(), 120, "one change per variant");
}

#[test]
fn variants_of_one_shopify_product_share_one_write_of_at_most_250() {
    let three: Vec<PairState> = (10..13)
        .map(|n| {
            let mut pair = aligned(n);
            pair.bigcommerce.price = money("21");
            pair
        })
        .collect();
    let plan = plan_sync(&three, &Ownership::default(), Scope::Full);
    let requests = plan.requests();
    let [CatalogRequest::ShopifyVariants { product_id, variants }] = requests.as_slice() else {
        panic!("expected one write for the one product: {:#?}", plan.requests())
    };
    assert_eq!((product_id.as_str(), variants.len()), ("gid://shopify/Product/901", 3), "all three variants in it");

    let many: Vec<PairState> = (0..251)
        .map(|n| {
            let mut pair = aligned(n);
            pair.shopify.product_id = "gid://shopify/Product/1".into();
            pair.bigcommerce.price = money("21");
            pair
        })
        .collect();
    let sizes: Vec<usize> = plan_sync(&many, &Ownership::default(), Scope::Full)
        .requests()
        .iter()
        .map(|w| match w {
            CatalogRequest::ShopifyVariants { variants, .. } => variants.len(),
            other => panic!("only Shopify variant writes expected, got {other:?}"),
        })
        .collect();
    assert_eq!(sizes, [250, 1], "a product with more variants than one call takes is split");
}

#[test]
fn a_title_change_is_one_change_and_one_write_per_product() {
    let pairs: Vec<PairState> = (10..13)
        .map(|n| {
            let mut pair = aligned(n);
            pair.bigcommerce.title = "Renamed".into();
            pair
        })
        .collect();
    let plan = plan_sync(&pairs, &Ownership::default(), Scope::Delta);
    assert_eq!(fields(&plan), [(Field::Title, Direction::BigCommerceToShopify)], "one change for the product");
    assert_eq!(plan.changes[0].bigcommerce_variant_id, 10, "shown on the product's first pair");
    assert_eq!(
        plan.requests(),
        [CatalogRequest::ShopifyProductTitle {
            product_id: "gid://shopify/Product/901".into(),
            title: "Renamed".into()
        }],
        "one title write for the product"
    );
}

#[test]
fn a_product_matched_to_differently_named_products_is_skipped() {
    let mut first = aligned(10);
    let mut second = aligned(20);
    second.shopify.product_id = first.shopify.product_id.clone();
    first.bigcommerce.title = "Shirt".into();
    second.bigcommerce.title = "Tee".into();
    let plan = plan_sync(&[second, first], &Ownership::default(), Scope::Full);
    assert!(plan.is_empty(), "renaming would flip between two names: {plan:#?}");
    assert_eq!(plan.skipped.len(), 1, "one skip for the product");
    let skip = &plan.skipped[0];
    assert_eq!((skip.bigcommerce_variant_id, skip.field), (10, Field::Title), "reported on the first pair");
    assert!(
        skip.reason.starts_with(
            "Shopify product gid://shopify/Product/901 is matched to BigCommerce products with different names"
        ),
        "the reason names the product: {}",
        skip.reason
    );
}

#[test]
fn bigcommerce_names_are_batched_ten_products_per_write() {
    let ownership = Ownership { title: Owner::Shopify, ..Ownership::default() };
    let pairs: Vec<PairState> = (0..11)
        .map(|p| {
            let mut pair = aligned(p * 10);
            pair.shopify.title = format!("Shopify name {p}");
            pair
        })
        .collect();
    let plan = plan_sync(&pairs, &ownership, Scope::Full);
    let sizes: Vec<usize> = plan
        .requests()
        .iter()
        .map(|w| match w {
            CatalogRequest::BigCommerceProductNames { products } => products.len(),
            other => panic!("only name writes expected, got {other:?}"),
        })
        .collect();
    assert_eq!(sizes, [10, 1], "BigCommerce takes 10 products per batch");
    assert_eq!(plan.changes.len(), 11, "one change per product");
}

#[test]
fn by_kind_counts_changes_per_field_and_direction() {
    let ownership = Ownership { sku: Owner::Shopify, ..Ownership::default() };
    let pairs: Vec<PairState> = (1..=3)
        .map(|n| {
            let mut pair = aligned(n * 10);
            pair.bigcommerce.price = money("30");
            pair.shopify.sku = format!("X{n}");
            pair
        })
        .collect();
    let counts = plan_sync(&pairs, &ownership, Scope::Full).by_kind();
    assert_eq!(
        counts,
        [
            ChangeCount { field: Field::Price, direction: Direction::BigCommerceToShopify, changes: 3 },
            ChangeCount { field: Field::Sku, direction: Direction::ShopifyToBigCommerce, changes: 3 },
        ],
        "sorted by field, then direction"
    );
}

#[test]
fn serde_names_match_the_http_contract() {
    let json = |v: serde_json::Value| v.to_string();
    assert_eq!(json(serde_json::json!(Field::SalePrice)), r#""sale_price""#, "fields are snake_case");
    assert_eq!(json(serde_json::json!(Owner::BigCommerce)), r#""bigcommerce""#, "owners are one word");
    assert_eq!(json(serde_json::json!(Direction::ShopifyToBigCommerce)), r#""shopify_to_bigcommerce""#, "directions");
    assert_eq!(json(serde_json::json!(Scope::Delta)), r#""delta""#, "scopes");
    let partial: Ownership = serde_json::from_str(r#"{"barcode":"shopify"}"#).expect("a partial ownership reads");
    assert_eq!(
        partial,
        Ownership { barcode: Owner::Shopify, ..Ownership::default() },
        "missing fields default to BigCommerce"
    );
}

#[test]
fn writes_are_tagged_and_round_trip_with_money_as_strings() {
    let write = CatalogRequest::ShopifyVariants {
        product_id: "gid://shopify/Product/1".into(),
        variants: vec![
            ShopifyVariantWrite {
                variant_id: "gid://shopify/ProductVariant/1".into(),
                price: Some(money("19.90")),
                compare_at_price: Some(None),
                barcode: Some(None),
                sku: None,
            },
            ShopifyVariantWrite {
                variant_id: "gid://shopify/ProductVariant/2".into(),
                price: None,
                compare_at_price: Some(Some(money("25.00"))),
                barcode: Some(Some("012345678905".into())),
                sku: Some("A".into()),
            },
        ],
    };
    let text = serde_json::to_string(&write).expect("writes serialize");
    assert!(text.starts_with(r#"{"kind":"shopify_variants""#), "tagged by kind: {text}");
    assert!(text.contains(r#""price":"19.90""#), "money is a string, scale kept: {text}");
    assert!(text.contains(r#""compare_at_price":null"#), "clearing is an explicit null: {text}");
    assert!(!text.contains(r#""sku":null"#), "leaving alone is an absent field: {text}");
    let back: CatalogRequest = serde_json::from_str(&text).expect("writes deserialize");
    assert_eq!(back, write, "a job payload reads back as the write it was");

    let bigcommerce = CatalogRequest::BigCommerceVariants {
        variants: vec![BigCommerceVariantWrite {
            sale_price: Some(Decimal::ZERO),
            ..BigCommerceVariantWrite::new(aligned(1).bigcommerce.product_id, aligned(1).bigcommerce.variant_id)
        }],
    };
    let text = serde_json::to_string(&bigcommerce).expect("writes serialize");
    assert!(
        text.contains(r#""kind":"bigcommerce_variants""#) && text.contains(r#""sale_price":"0""#),
        "as a string: {text}"
    );
    assert_eq!(serde_json::from_str::<CatalogRequest>(&text).expect("reads back"), bigcommerce, "round trip");
}

#[test]
fn output_does_not_depend_on_input_order() {
    let ownership = Ownership { barcode: Owner::Shopify, title: Owner::Shopify, ..Ownership::default() };
    let mut pairs: Vec<PairState> = (0..40)
        .map(|n| {
            let mut pair = aligned(n);
            pair.bigcommerce.price = money("25");
            pair.shopify.barcode = format!("{:012}", n);
            pair.shopify.title = format!("T{}", n % 3);
            pair
        })
        .collect();
    let forward = plan_sync(&pairs, &ownership, Scope::Full);
    pairs.reverse();
    assert_eq!(plan_sync(&pairs, &ownership, Scope::Full), forward, "reversing the input changes nothing");
}

#[test]
fn a_variant_write_is_split_per_field_group_and_merged_back_into_one_request() {
    let ownership = Ownership { barcode: Owner::BigCommerce, ..Ownership::default() };
    let mut pair = aligned(7);
    pair.bigcommerce.price = money("25.00");
    pair.bigcommerce.barcode = "4006381333931".into();
    let plan = plan_sync(&[pair], &ownership, Scope::Full);
    let entities: Vec<String> = plan.writes.iter().map(CatalogWrite::entity_key).collect();
    assert_eq!(
        entities,
        ["product:gid://shopify/ProductVariant/7:price", "product:gid://shopify/ProductVariant/7:barcode"],
        "a price and a barcode are two jobs, each keyed by what it changes"
    );
    let requests = plan.requests();
    let [CatalogRequest::ShopifyVariants { variants, .. }] = requests.as_slice() else {
        panic!("both ride in one request: {requests:#?}")
    };
    assert_eq!(variants.len(), 1, "as one entry for the variant");
    assert_eq!(
        (variants[0].price, variants[0].barcode.clone()),
        (Some(money("25.00")), Some(Some("4006381333931".to_string()))),
        "carrying both fields"
    );
}

#[test]
fn a_write_describes_itself_for_a_person() {
    let write = CatalogWrite::ShopifyVariant {
        product_id: "gid://shopify/Product/1".into(),
        label: "TB-1-RED-M".into(),
        variant: ShopifyVariantWrite {
            barcode: Some(Some("0123".into())),
            ..ShopifyVariantWrite::new("gid://shopify/ProductVariant/1")
        },
    };
    assert_eq!(write.describe(), "the barcode 0123 on TB-1-RED-M", "reads as the object of 'Shopify refused …'");
    let cleared = CatalogWrite::BigCommerceVariant {
        label: String::new(),
        variant: BigCommerceVariantWrite { sale_price: Some(Decimal::ZERO), ..BigCommerceVariantWrite::new(1, 2) },
    };
    assert_eq!(cleared.describe(), "the cleared sale price on an item without SKU", "0 is no sale, said plainly");
    assert_eq!(cleared.entity_key(), "product:bigcommerce/2:sale_price", "keyed by the BigCommerce variant");
}
