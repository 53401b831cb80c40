//! `tillbridge match` on exported catalogs: the output contract, and clear errors for bad files.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn tillbridge(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tillbridge")).args(args).output().expect("the binary runs")
}

const BIGCOMMERCE: &str = r#"[
  {"id": 11, "name": "Wool Beanie", "sku": "BEANIE", "price": 20.0, "date_modified": "2026-11-01T09:00:00+00:00",
   "variants": [{"id": 101, "product_id": 11, "sku": "BEANIE", "upc": "012345678905", "price": null, "option_values": []}]},
  {"id": 12, "name": "Linen Shirt", "sku": "SHIRT", "price": 40.0,
   "variants": [
     {"id": 121, "product_id": 12, "sku": "SHIRT-RED-M", "upc": null, "option_values": [
        {"id": 1, "label": "Red", "option_id": 5, "option_display_name": "Color"},
        {"id": 2, "label": "M", "option_id": 6, "option_display_name": "Size"}]},
     {"id": 122, "product_id": 12, "sku": "SHIRT-RED-XL", "upc": "", "option_values": [
        {"id": 1, "label": "Red", "option_id": 5, "option_display_name": "Color"},
        {"id": 3, "label": "XL", "option_id": 6, "option_display_name": "Size"}]}]},
  {"id": 13, "name": "Tea Towel", "sku": "TOWEL", "price": 8.0,
   "variants": [{"id": 131, "product_id": 13, "sku": "TOWEL", "upc": "036000291452", "option_values": []}]}
]"#;

const SHOPIFY: &str = r#"{"id":"gid://shopify/Product/901","title":"Wool Beanie"}
{"id":"gid://shopify/ProductVariant/9011","sku":"","barcode":"0012345678905","selectedOptions":[{"name":"Title","value":"Default Title"}],"__parentId":"gid://shopify/Product/901"}
{"id":"gid://shopify/Product/902","title":"Linen Shirt"}
{"id":"gid://shopify/ProductVariant/9021","sku":" shirt-red-m ","barcode":"","selectedOptions":[{"name":"Colour","value":"Red"},{"name":"Size","value":"Medium"}],"__parentId":"gid://shopify/Product/902"}
{"id":"gid://shopify/ProductVariant/9022","sku":"SHIRT-RED-XL","barcode":"","selectedOptions":[{"name":"Colour","value":"Red"},{"name":"Size","value":"X-Large"}],"__parentId":"gid://shopify/Product/902"}
{"id":"gid://shopify/ProductVariant/9023","sku":"SHIRT-RED-XL","barcode":"","selectedOptions":[{"name":"Colour","value":"Red"},{"name":"Size","value":"X-Large"}],"__parentId":"gid://shopify/Product/902"}
{"id":"gid://shopify/Product/903","title":"Gift Card"}
{"id":"gid://shopify/ProductVariant/9031","sku":"","barcode":"","selectedOptions":[{"name":"Title","value":"Default Title"}],"__parentId":"gid://shopify/Product/903"}
"#;

#[test]
fn matches_exported_files_and_prints_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let bc = dir.path().join("bc.json");
    let sh = dir.path().join("sh.jsonl");
    std::fs::write(&bc, BIGCOMMERCE).unwrap();
    std::fs::write(&sh, SHOPIFY).unwrap();
    let out = tillbridge(&["match", "--bigcommerce", bc.to_str().unwrap(), "--shopify", sh.to_str().unwrap()]);
    assert!(out.status.success(), "match succeeds: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    assert_eq!(
        v["counts"],
        serde_json::json!({"matched": 2, "ambiguous": 3, "conflict": 0, "unmatched": 2, "ignored": 0}),
        "beanie by GTIN, red-M by normalized SKU; red-XL duplicated on Shopify; towel and gift card alone"
    );
    let records = v["records"].as_array().unwrap();
    let beanie = records.iter().find(|r| r["bigcommerce"]["variant_id"] == 101).unwrap();
    assert_eq!(beanie["key"], "gtin", "UPC-A and EAN-13 with a leading zero are one barcode");
    assert_eq!(
        beanie["shopify"]["variant_id"], "gid://shopify/ProductVariant/9011",
        "Shopify ids are the GIDs, as read"
    );
    assert_eq!(beanie["shopify"]["product_id"], "gid://shopify/Product/901", "and so are product ids");
    let shirt = records.iter().find(|r| r["bigcommerce"]["variant_id"] == 121).unwrap();
    assert_eq!(
        (shirt["class"].as_str(), shirt["key"].as_str()),
        (Some("matched"), Some("normalized_sku")),
        "spacing and case"
    );
    let gift = records.iter().find(|r| r["shopify"]["variant_id"] == "gid://shopify/ProductVariant/9031").unwrap();
    assert!(gift["bigcommerce"].is_null(), "a singleton has null for the other side");
    for r in records {
        for side in ["bigcommerce", "shopify"] {
            assert!(r[side].is_null() || r[side]["sku"].is_string(), "each side carries its raw SKU");
        }
    }
}

#[test]
fn a_broken_file_is_named_with_its_line_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let bc = dir.path().join("bc.json");
    let sh = dir.path().join("sh.jsonl");
    std::fs::write(&bc, BIGCOMMERCE).unwrap();
    std::fs::write(
        &sh,
        format!("{}{{\"id\": oops}}\n", SHOPIFY.lines().take(2).map(|l| format!("{l}\n")).collect::<String>()),
    )
    .unwrap();
    let out = tillbridge(&["match", "--bigcommerce", bc.to_str().unwrap(), "--shopify", sh.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "bad input is a failure exit");
    assert!(err.contains("sh.jsonl, line 3"), "the error names the file and the line: {err}");
    assert!(out.stdout.is_empty(), "no partial report is printed");
}
