//! Channels v3: the storefront (channel 1) and the POS channel orders from Shopify POS land in.
//! Creation enforces the spec's valid type/platform pairs and writable statuses.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde_json::{Value, json};

use super::Shared;
use super::store::{Channel, IdKind};
use super::wire::{Api, ApiError, Params, date_v3, json_response, page_of, parse_body};

/// The spec's table of platforms and the channel types each accepts.
const PLATFORMS: &[(&str, &[&str])] = &[
    ("clover", &["pos"]),
    ("square", &["pos"]),
    ("stripe", &["pos"]),
    ("talech", &["pos"]),
    ("vend", &["pos"]),
    ("amazon", &["marketplace"]),
    ("belk", &["marketplace"]),
    ("catch", &["marketplace"]),
    ("ebay", &["marketplace"]),
    ("etsy", &["marketplace"]),
    ("facebook", &["marketplace", "marketing"]),
    ("hudsons_bay", &["marketplace"]),
    ("google", &["marketplace", "marketing"]),
    ("google_shopping", &["marketing"]),
    ("instagram", &["marketplace", "marketing"]),
    ("macys", &["marketplace"]),
    ("meta", &["marketplace", "marketing"]),
    ("microsoft", &["marketing"]),
    ("mirakl", &["marketplace"]),
    ("overstock", &["marketplace"]),
    ("pinterest", &["marketplace"]),
    ("target_plus", &["marketplace"]),
    ("tiktok", &["marketplace"]),
    ("wayfair", &["marketplace"]),
    ("wish", &["marketplace"]),
    ("walmart", &["marketplace"]),
    ("acquia", &["storefront"]),
    ("bigcommerce", &["storefront"]),
    ("bloomreach", &["storefront"]),
    ("catalyst", &["storefront"]),
    ("deity", &["storefront"]),
    ("drupal", &["storefront"]),
    ("gatsby", &["storefront"]),
    ("next", &["storefront"]),
    ("vue", &["storefront"]),
    ("wordpress", &["storefront"]),
    ("custom", &["storefront", "pos", "marketing", "marketplace"]),
];

fn channel_json(c: &Channel) -> Value {
    json!({
        "id": c.id,
        "external_id": c.external_id,
        "is_listable_from_ui": c.is_listable_from_ui,
        "is_enabled": c.is_enabled(),
        "is_visible": c.is_visible,
        "status": c.status,
        "name": c.name,
        "type": c.channel_type,
        "platform": c.platform,
        "date_created": date_v3(c.date_created),
        "date_modified": date_v3(c.date_modified),
        "icon_url": "",
    })
}

pub async fn list_channels(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params::new(q, Api::V3);
    let paging = params.paging(50, 250)?;
    let types = params.list("type:in");
    let platforms = params.list("platform:in");
    let statuses = params.list("status:in");
    let available = params.bool("available")?;
    let store = shared.store();
    let matching = store.channels.values().filter(|c| {
        types.as_ref().is_none_or(|t| t.contains(&c.channel_type))
            && platforms.as_ref().is_none_or(|p| p.contains(&c.platform))
            && statuses.as_ref().is_none_or(|s| s.contains(&c.status))
            && available.is_none_or(|a| c.is_enabled() == a)
    });
    let (page, total) = page_of(matching, paging);
    let data: Vec<Value> = page.into_iter().map(channel_json).collect();
    let meta = paging.meta(total, data.len(), &params);
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": meta})))
}

pub async fn get_channel(
    State(shared): State<Arc<Shared>>,
    Path((_, raw)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = raw.parse::<i64>().map_err(|_| ApiError::not_found(format!("Channel \"{raw}\"")))?;
    let store = shared.store();
    let c = store.channels.get(&id).ok_or_else(|| ApiError::not_found(format!("Channel {id}")))?;
    Ok(json_response(StatusCode::OK, &json!({"data": channel_json(c), "meta": {}})))
}

pub async fn create_channel(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    let input: Value = parse_body(&body, Api::V3)?;
    let text = |k: &str| input.get(k).and_then(Value::as_str).map(str::to_string);
    let (name, channel_type, platform) = (text("name"), text("type"), text("platform"));
    let mut missing = serde_json::Map::new();
    for (field, value) in [("name", &name), ("type", &channel_type), ("platform", &platform)] {
        if value.as_deref().is_none_or(str::is_empty) {
            missing.insert(field.into(), json!("error.path.missing"));
        }
    }
    let (Some(name), Some(channel_type), Some(platform)) = (name, channel_type, platform) else {
        return Err(ApiError::v3(
            StatusCode::UNPROCESSABLE_ENTITY,
            "JSON data is missing or invalid; name, type and platform are required",
        )
        .with_errors(missing));
    };
    if !missing.is_empty() {
        return Err(ApiError::v3(
            StatusCode::UNPROCESSABLE_ENTITY,
            "JSON data is missing or invalid; name, type and platform are required",
        )
        .with_errors(missing));
    }
    let valid_pair = PLATFORMS.iter().any(|(p, types)| *p == platform && types.contains(&channel_type.as_str()));
    if !valid_pair {
        return Err(ApiError::v3(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "Input channel type [{channel_type}] with platform [{platform}] is not supported; a POS channel uses platform custom, clover, square, stripe, talech or vend"
            ),
        ));
    }
    let writable: &[&str] = if channel_type == "storefront" {
        &["prelaunch", "active", "inactive", "archived"]
    } else {
        &["connected", "disconnected", "archived"]
    };
    let status = match text("status") {
        None => if channel_type == "storefront" { "prelaunch" } else { "connected" }.to_string(),
        Some(s) if writable.contains(&s.as_str()) => s,
        Some(s) => {
            return Err(ApiError::v3(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "Status \"{s}\" cannot be set on a new {channel_type} channel; use one of {}",
                    writable.join(", ")
                ),
            ));
        }
    };
    let now = Utc::now();
    let mut store = shared.store();
    if store.channels.values().any(|c| c.name == name && c.platform == platform && c.channel_type == channel_type) {
        return Err(ApiError::v3(
            StatusCode::CONFLICT,
            format!(
                "Channel already exists with name: \"{name}\", platform: \"{platform}\", and type: \"{channel_type}\"; reuse it or pick another name"
            ),
        ));
    }
    let id = store.next_id(IdKind::Channel);
    let c = Channel {
        id,
        name,
        channel_type,
        platform,
        status,
        external_id: text("external_id").unwrap_or_default(),
        is_listable_from_ui: input.get("is_listable_from_ui").and_then(Value::as_bool).unwrap_or(true),
        is_visible: input.get("is_visible").and_then(Value::as_bool).unwrap_or(true),
        date_created: now,
        date_modified: now,
    };
    let body = json!({"data": channel_json(&c), "meta": {}});
    store.channels.insert(id, c);
    Ok(json_response(StatusCode::OK, &body))
}
