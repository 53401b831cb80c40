//! `inventorySetQuantities` and `inventoryAdjustQuantities`: validation, compare-and-swap in
//! both generations (≤2025-10 `compareQuantity`, 2026-01+ `changeFromQuantity`, mandatory
//! from 2026-04), and all-or-nothing application.

use chrono::{DateTime, Utc};

use super::model::{REASONS, ShopData};
use super::version::ApiVersion;

/// One of the three states a 2026 input field can be in: omitted, explicit null, a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Given<T> {
    Omitted,
    Null,
    Value(T),
}

#[derive(Debug, Clone)]
pub(crate) struct QuantityRequest {
    pub item: Option<u64>,
    pub location: Option<u64>,
    pub quantity: i64,
    pub compare_quantity: Option<i64>,
    pub change_from: Given<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct SetRequest {
    pub name: String,
    pub reason: String,
    pub reference_document_uri: Option<String>,
    pub ignore_compare_quantity: bool,
    pub quantities: Vec<QuantityRequest>,
}

#[derive(Debug, Clone)]
pub(crate) struct ChangeRequest {
    pub item: Option<u64>,
    pub location: Option<u64>,
    pub delta: i64,
    pub ledger_document_uri: Option<String>,
    pub change_from: Given<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct AdjustRequest {
    pub name: String,
    pub reason: String,
    pub reference_document_uri: Option<String>,
    pub changes: Vec<ChangeRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InventoryError {
    pub field: Vec<String>,
    pub message: String,
    /// The user error code enum value, or None where Shopify documents no code.
    pub code: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub(crate) struct ChangeRec {
    pub name: String,
    pub delta: i64,
    pub quantity_after_change: i64,
    pub item_id: u64,
    pub location_id: u64,
    pub ledger_document_uri: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct AdjustmentGroupRec {
    pub id: u64,
    pub created_at: DateTime<Utc>,
    pub reason: String,
    pub reference_document_uri: Option<String>,
    pub changes: Vec<ChangeRec>,
}

#[derive(Debug, Clone)]
pub(crate) struct InventoryOutcome {
    pub group: Option<AdjustmentGroupRec>,
    pub errors: Vec<InventoryError>,
}

const LIMIT: i64 = 1_000_000_000;

fn path(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| p.to_string()).collect()
}

fn err(field: Vec<String>, code: Option<&'static str>, message: impl Into<String>) -> InventoryError {
    InventoryError { field, message: message.into(), code }
}

fn check_reason_and_document(reason: &str, uri: Option<&str>, errors: &mut Vec<InventoryError>) {
    if !REASONS.contains(&reason) {
        errors.push(err(
            path(&["input", "reason"]),
            Some("INVALID_REASON"),
            format!("The specified reason {reason:?} is invalid. Use one of: {}.", REASONS.join(", ")),
        ));
    }
    if let Some(uri) = uri
        && !has_scheme(uri)
    {
        errors.push(err(
            path(&["input", "referenceDocumentUri"]),
            Some("INVALID_REFERENCE_DOCUMENT"),
            format!("The reference document URI {uri:?} is invalid: use a URI with a scheme, such as gid://your-app/Sale/123."),
        ));
    }
}

fn has_scheme(uri: &str) -> bool {
    uri.split_once(':').is_some_and(|(scheme, rest)| {
        !scheme.is_empty() && !rest.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// Checks the item/location pair of one row; returns the pair when it can be written.
fn check_target(
    data: &ShopData,
    item: Option<u64>,
    location: Option<u64>,
    row: &[&str],
    seen: &mut Vec<(u64, u64)>,
    errors: &mut Vec<InventoryError>,
) -> Option<(u64, u64)> {
    let field = |leaf: &str| {
        let mut p = path(row);
        p.push(leaf.to_string());
        p
    };
    let Some(item) = item.filter(|i| data.items.contains_key(i)) else {
        errors.push(err(
            field("inventoryItemId"),
            Some("INVALID_INVENTORY_ITEM"),
            "The specified inventory item could not be found.",
        ));
        return None;
    };
    let Some(location) = location.filter(|l| data.locations.contains_key(l)) else {
        errors.push(err(field("locationId"), Some("INVALID_LOCATION"), "The specified location could not be found."));
        return None;
    };
    if seen.contains(&(item, location)) {
        errors.push(err(
            field("inventoryItemId"),
            Some("NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR"),
            "The same inventory item and location pair appears twice: send each pair once.",
        ));
        return None;
    }
    seen.push((item, location));
    if !data.level(item, location).is_some_and(|l| l.active) {
        errors.push(err(
            field("locationId"),
            Some("ITEM_NOT_STOCKED_AT_LOCATION"),
            "The inventory item is not stocked at the location: call inventoryActivate for this item and location first.",
        ));
        return None;
    }
    Some((item, location))
}

/// The compare-and-swap check of one row. `current` is the persisted quantity.
fn check_expected(
    version: &ApiVersion,
    change_from: Given<i64>,
    legacy: Option<(bool, Option<i64>)>,
    current: i64,
    field: Vec<String>,
    errors: &mut Vec<InventoryError>,
) {
    let stale = |errors: &mut Vec<InventoryError>, code: &'static str, leaf: &str, expected: i64| {
        let mut f = field.clone();
        f.push(leaf.to_string());
        errors.push(err(
            f,
            Some(code),
            format!("The {leaf} value {expected} does not match the persisted quantity {current}: read the level again and retry with the new value."),
        ));
    };
    if version.change_from_supported() {
        match change_from {
            Given::Value(expected) if expected != current => {
                return stale(errors, "CHANGE_FROM_QUANTITY_STALE", "changeFromQuantity", expected);
            }
            Given::Value(_) | Given::Null => return,
            Given::Omitted if version.change_from_mandatory() => {
                let mut f = field.clone();
                f.push("changeFromQuantity".into());
                errors.push(err(
                    f,
                    None,
                    format!(
                        "changeFromQuantity is required as of API version 2026-04: pass the quantity you last read ({current} now), or an explicit null to skip the check."
                    ),
                ));
                return;
            }
            Given::Omitted => {}
        }
    }
    // Before changeFromQuantity: compareQuantity unless ignoreCompareQuantity (set only).
    if let Some((ignore, compare)) = legacy {
        if ignore {
            return;
        }
        match compare {
            None => {
                let mut f = field.clone();
                f.push("compareQuantity".into());
                errors.push(err(
                    f,
                    Some("COMPARE_QUANTITY_REQUIRED"),
                    "The compareQuantity argument must be given to each quantity or ignored using ignoreCompareQuantity.",
                ));
            }
            Some(expected) if expected != current => {
                stale(errors, "COMPARE_QUANTITY_STALE", "compareQuantity", expected)
            }
            Some(_) => {}
        }
    }
}

/// The state a change of `name` by `delta` touches, and whether on_hand moves with it.
fn apply_delta(q: &mut super::model::Quantities, name: &str, delta: i64) {
    match name {
        "available" | "on_hand" => q.available += delta,
        "damaged" => q.damaged += delta,
        "reserved" => q.reserved += delta,
        "safety_stock" => q.safety_stock += delta,
        "quality_control" => q.quality_control += delta,
        "incoming" => q.incoming += delta,
        _ => {}
    }
}

/// The names reported in `changes` for a write of `name`: the state itself plus on_hand when
/// the state is physically present (as in the doc samples: available and on_hand).
fn reported_names(name: &str) -> Vec<&'static str> {
    match name {
        "available" | "on_hand" => vec!["available", "on_hand"],
        "damaged" => vec!["damaged", "on_hand"],
        "reserved" => vec!["reserved", "on_hand"],
        "safety_stock" => vec!["safety_stock", "on_hand"],
        "quality_control" => vec!["quality_control", "on_hand"],
        "incoming" => vec!["incoming"],
        _ => vec![],
    }
}

#[allow(clippy::too_many_arguments)]
fn record_changes(
    data: &mut ShopData,
    item: u64,
    location: u64,
    name: &str,
    delta: i64,
    ledger: Option<String>,
    now: DateTime<Utc>,
    changes: &mut Vec<ChangeRec>,
) {
    data.change_level(item, location, now, |q| apply_delta(q, name, delta));
    let Some(level) = data.level(item, location) else { return };
    for reported in reported_names(name) {
        changes.push(ChangeRec {
            name: reported.to_string(),
            delta,
            quantity_after_change: level.quantities.get(reported).unwrap_or_default(),
            item_id: item,
            location_id: location,
            ledger_document_uri: ledger.clone(),
        });
    }
}

pub(crate) fn set_quantities(
    data: &mut ShopData,
    version: &ApiVersion,
    req: &SetRequest,
    now: DateTime<Utc>,
) -> InventoryOutcome {
    let mut errors = Vec::new();
    if req.name != "available" && req.name != "on_hand" {
        errors.push(err(
            path(&["input", "name"]),
            Some("INVALID_NAME"),
            format!("The quantity name must be either 'available' or 'on_hand', not {:?}.", req.name),
        ));
    }
    check_reason_and_document(&req.reason, req.reference_document_uri.as_deref(), &mut errors);
    let mut seen = Vec::new();
    let mut planned = Vec::new();
    for (i, row) in req.quantities.iter().enumerate() {
        let index = i.to_string();
        let row_path = ["input", "quantities", index.as_str()];
        let field = path(&row_path);
        if row.quantity > LIMIT {
            let mut f = field.clone();
            f.push("quantity".into());
            errors.push(err(f, Some("INVALID_QUANTITY_TOO_HIGH"), "The quantity can't be higher than 1,000,000,000."));
            continue;
        }
        if row.quantity < -LIMIT {
            let mut f = field.clone();
            f.push("quantity".into());
            errors.push(err(f, Some("INVALID_QUANTITY_TOO_LOW"), "The quantity can't be lower than -1,000,000,000."));
            continue;
        }
        if req.name == "on_hand" && row.quantity < 0 {
            let mut f = field.clone();
            f.push("quantity".into());
            errors.push(err(f, Some("INVALID_QUANTITY_NEGATIVE"), "The on_hand quantity can't be negative."));
            continue;
        }
        let Some((item, location)) = check_target(data, row.item, row.location, &row_path, &mut seen, &mut errors)
        else {
            continue;
        };
        let current = data.level(item, location).and_then(|l| l.quantities.get(&req.name)).unwrap_or_default();
        check_expected(
            version,
            row.change_from,
            Some((req.ignore_compare_quantity, row.compare_quantity)),
            current,
            field,
            &mut errors,
        );
        planned.push((item, location, row.quantity - current));
    }
    if !errors.is_empty() {
        return InventoryOutcome { group: None, errors };
    }
    let mut changes = Vec::new();
    for (item, location, delta) in planned {
        record_changes(data, item, location, &req.name, delta, None, now, &mut changes);
    }
    let group = AdjustmentGroupRec {
        id: data.new_id(),
        created_at: now,
        reason: req.reason.clone(),
        reference_document_uri: req.reference_document_uri.clone(),
        changes,
    };
    InventoryOutcome { group: Some(group), errors }
}

const ADJUSTABLE: [&str; 7] =
    ["available", "damaged", "incoming", "on_hand", "quality_control", "reserved", "safety_stock"];

pub(crate) fn adjust_quantities(
    data: &mut ShopData,
    version: &ApiVersion,
    req: &AdjustRequest,
    now: DateTime<Utc>,
) -> InventoryOutcome {
    let mut errors = Vec::new();
    if !ADJUSTABLE.contains(&req.name.as_str()) {
        errors.push(err(
            path(&["input", "name"]),
            Some("INVALID_QUANTITY_NAME"),
            format!("The quantity name {:?} can't be adjusted. Use one of: {}.", req.name, ADJUSTABLE.join(", ")),
        ));
    }
    check_reason_and_document(&req.reason, req.reference_document_uri.as_deref(), &mut errors);
    let mut seen = Vec::new();
    let mut planned = Vec::new();
    for (i, row) in req.changes.iter().enumerate() {
        let index = i.to_string();
        let row_path = ["input", "changes", index.as_str()];
        let field = path(&row_path);
        let ledger_field = || {
            let mut f = field.clone();
            f.push("ledgerDocumentUri".into());
            f
        };
        match (&row.ledger_document_uri, req.name.as_str()) {
            (Some(_), "available") => {
                errors.push(err(
                    ledger_field(),
                    Some("INVALID_AVAILABLE_DOCUMENT"),
                    "A ledger document URI can't be given for the 'available' quantity: leave ledgerDocumentUri out.",
                ));
                continue;
            }
            (Some(uri), _) if uri.starts_with("gid://shopify/") => {
                errors.push(err(ledger_field(), Some("INTERNAL_LEDGER_DOCUMENT"), "The ledger document URI can't be a gid://shopify/ URI: use your own, such as gid://your-app/Count/1."));
                continue;
            }
            (Some(uri), _) if !has_scheme(uri) => {
                errors.push(err(
                    ledger_field(),
                    Some("INVALID_LEDGER_DOCUMENT"),
                    format!("The ledger document URI {uri:?} is invalid: use a URI with a scheme."),
                ));
                continue;
            }
            (None, name) if name != "available" => {
                errors.push(err(
                    ledger_field(),
                    Some("INVALID_LEDGER_DOCUMENT"),
                    format!("A ledgerDocumentUri is required when adjusting {name:?}."),
                ));
                continue;
            }
            _ => {}
        }
        let Some((item, location)) = check_target(data, row.item, row.location, &row_path, &mut seen, &mut errors)
        else {
            continue;
        };
        let current = data.level(item, location).and_then(|l| l.quantities.get(&req.name)).unwrap_or_default();
        let after = current + row.delta;
        if after > LIMIT {
            let mut f = field.clone();
            f.push("delta".into());
            errors.push(err(
                f,
                Some("INVALID_QUANTITY_TOO_HIGH"),
                "The resulting quantity can't be higher than 1,000,000,000.",
            ));
            continue;
        }
        if after < -LIMIT {
            let mut f = field.clone();
            f.push("delta".into());
            errors.push(err(
                f,
                Some("INVALID_QUANTITY_TOO_LOW"),
                "The resulting quantity can't be lower than -1,000,000,000.",
            ));
            continue;
        }
        check_expected(version, row.change_from, None, current, field, &mut errors);
        planned.push((item, location, row.delta, row.ledger_document_uri.clone()));
    }
    if !errors.is_empty() {
        return InventoryOutcome { group: None, errors };
    }
    let mut changes = Vec::new();
    for (item, location, delta, ledger) in planned {
        record_changes(data, item, location, &req.name, delta, ledger, now, &mut changes);
    }
    let group = AdjustmentGroupRec {
        id: data.new_id(),
        created_at: now,
        reason: req.reason.clone(),
        reference_document_uri: req.reference_document_uri.clone(),
        changes,
    };
    InventoryOutcome { group: Some(group), errors }
}
