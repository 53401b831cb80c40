//! The offline `match` over exported files.
//!
//! It shares the live sync's path: BigCommerce products (as the API returns them) become the same
//! snapshot rows a sync reads, Shopify bulk-export lines become the matcher's Shopify input, and
//! the same pure matcher pairs them.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tillbridge_bigcommerce::models::Product;
use tillbridge_domain::matching::{
    Decisions, MatchClass, MatchCounts, MatchKey, MatchPlan, MatchRules, ShVariantIn, match_variants,
};
use tillbridge_store::BcVariantRow;

use crate::ApiError;

/// BigCommerce products (with `include=variants`) → one snapshot row per variant, base variants
/// included: the same rows a live sync reads, so both match through the same code.
pub fn bigcommerce_rows(products: &[Product]) -> Vec<BcVariantRow> {
    products.iter().flat_map(crate::snapshot::bigcommerce_rows).collect()
}

/// One line of a Shopify bulk export of `products { variants }`: a product, or a variant whose
/// `__parentId` names its product.
#[derive(Debug, Deserialize)]
struct BulkLine {
    id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    barcode: Option<String>,
    #[serde(default, rename = "selectedOptions")]
    selected_options: Vec<SelectedOption>,
    #[serde(default, rename = "__parentId")]
    parent_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SelectedOption {
    name: String,
    value: String,
}

fn bad_input(file: &Path, line: usize, detail: impl std::fmt::Display) -> ApiError {
    ApiError::invalid(format!("{}, line {line}: {detail}", file.display()))
}

/// Reads a BigCommerce export: a JSON array of products, or one `{data:[…]}` page per line.
pub fn read_bigcommerce_file(path: &Path) -> Result<Vec<BcVariantRow>, ApiError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| ApiError::invalid(format!("cannot read {}: {e}", path.display())))?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let products: Vec<Product> = serde_json::from_str(trimmed).map_err(|e| bad_input(path, e.line(), e))?;
        return Ok(bigcommerce_rows(&products));
    }
    #[derive(Deserialize)]
    struct PageLine {
        data: Vec<Product>,
    }
    let mut products = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let page: PageLine = serde_json::from_str(line)
            .map_err(|e| bad_input(path, n + 1, format!("expected a {{\"data\": [products…]}} page: {e}")))?;
        products.extend(page.data);
    }
    if products.is_empty() {
        return Err(bad_input(
            path,
            1,
            "no products found; expected a JSON array of products or {\"data\": […]} pages",
        ));
    }
    Ok(bigcommerce_rows(&products))
}

/// Reads a Shopify bulk export (JSONL), streaming it line by line.
pub fn read_shopify_file(path: &Path) -> Result<Vec<ShVariantIn>, ApiError> {
    let file =
        std::fs::File::open(path).map_err(|e| ApiError::invalid(format!("cannot read {}: {e}", path.display())))?;
    let mut titles: HashMap<String, String> = HashMap::new();
    let mut variants = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| bad_input(path, n + 1, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let row: BulkLine =
            serde_json::from_str(&line).map_err(|e| bad_input(path, n + 1, format!("not a bulk export line: {e}")))?;
        match row.parent_id {
            None if row.id.starts_with("gid://shopify/Product/") => {
                titles.insert(row.id, row.title.unwrap_or_default());
            }
            Some(parent) if row.id.starts_with("gid://shopify/ProductVariant/") => variants.push(ShVariantIn {
                product_id: parent,
                variant_id: row.id,
                sku: row.sku.unwrap_or_default(),
                barcode: row.barcode.unwrap_or_default(),
                options: row.selected_options.into_iter().map(|o| (o.name, o.value)).collect(),
                title: String::new(),
            }),
            // Other children (images, inventory levels) are not part of matching.
            _ => {}
        }
    }
    for v in &mut variants {
        if let Some(t) = titles.get(&v.product_id) {
            v.title = t.clone();
        }
    }
    if variants.is_empty() {
        return Err(bad_input(path, 1, "no variant lines found; expected a bulk export of products { variants }"));
    }
    Ok(variants)
}

pub fn read_rules_file(path: &Path) -> Result<MatchRules, ApiError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| ApiError::invalid(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| bad_input(path, e.line(), format!("not a rules file ({{\"sku\":…, \"synonyms\":…}}): {e}")))
}

/// The `match` report: counts, then one record per pair or singleton.
#[derive(Debug, Clone, Serialize)]
pub struct MatchReport {
    pub counts: MatchCounts,
    pub records: Vec<ReportRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportRecord {
    pub class: MatchClass,
    pub key: Option<MatchKey>,
    pub reason: String,
    pub bigcommerce: Option<BcSide>,
    pub shopify: Option<ShSide>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BcSide {
    pub product_id: i64,
    pub variant_id: i64,
    pub sku: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShSide {
    pub product_id: String,
    pub variant_id: String,
    pub sku: String,
}

pub fn report(plan: &MatchPlan, bc: &[BcVariantRow], sh: &[ShVariantIn]) -> MatchReport {
    MatchReport {
        counts: plan.counts(),
        records: plan
            .records
            .iter()
            .map(|r| ReportRecord {
                class: r.class,
                key: r.key,
                reason: r.reason.clone(),
                bigcommerce: r.bigcommerce.map(|i| BcSide {
                    product_id: bc[i].product_id,
                    variant_id: bc[i].variant_id,
                    sku: bc[i].sku.clone(),
                }),
                shopify: r.shopify.map(|i| ShSide {
                    product_id: sh[i].product_id.clone(),
                    variant_id: sh[i].variant_id.clone(),
                    sku: sh[i].sku.clone(),
                }),
                flags: r.flags.clone(),
            })
            .collect(),
    }
}

/// `tillbridge match`: the matcher over exported catalogs, with no store and no database.
pub fn match_files(bigcommerce: &Path, shopify: &Path, rules: Option<&Path>) -> Result<MatchReport, ApiError> {
    let rules = rules.map(read_rules_file).transpose()?.unwrap_or_default();
    let bc = read_bigcommerce_file(bigcommerce)?;
    let sh = read_shopify_file(shopify)?;
    let bc_in: Vec<_> = bc.iter().map(crate::snapshot::bigcommerce_input).collect();
    let plan = match_variants(&bc_in, &sh, &Decisions::default(), &rules);
    Ok(report(&plan, &bc, &sh))
}
