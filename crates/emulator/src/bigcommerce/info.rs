//! `GET /v2/store`: the store's profile (Store Information), shaped as `StoreInformation` in
//! `store_information.v2.yml`. Tillbridge reads its `timezone` to show times in the store's zone.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{TimeZone, Utc};
use chrono_tz::{OffsetComponents, Tz};
use serde_json::{Value, json};

use super::Shared;
use super::wire::{ApiError, json_response};

pub async fn store_information(State(s): State<Arc<Shared>>) -> Result<Response, ApiError> {
    let hash = &s.config.store_hash;
    // A UUID-shaped account id, derived from the store id so it stays the same across runs.
    let account = s.store_id.parse::<u64>().unwrap_or_default();
    let mut body = json!({
        "id": hash,
        "account_uuid": format!("{:08x}-0000-4000-8000-{:012x}", account >> 32, account & 0xffff_ffff_ffff),
        "domain": format!("{hash}.example.com"),
        "secure_url": format!("https://{hash}.example.com"),
        "control_panel_base_url": format!("https://store-{hash}.mybigcommerce.com"),
        "status": "live",
        "name": "Tillbridge Demo Store",
        "first_name": "Demo",
        "last_name": "Merchant",
        "address": "Tillbridge Demo Store",
        "country": "United States",
        "country_code": "US",
        "phone": "",
        "admin_email": "owner@example.com",
        "order_email": "orders@example.com",
        "favicon_url": "",
    });
    // Two halves: one literal of every field is deeper than the json! macro's recursion allows.
    let settings = json!({
        "language": "en",
        "currency": "USD",
        "currency_symbol": "$",
        "decimal_separator": ".",
        "thousands_separator": ",",
        "decimal_places": 2,
        "currency_symbol_location": "left",
        "weight_units": "Ounces",
        "dimension_units": "Inches",
        "dimension_decimal_places": 2,
        "dimension_decimal_token": ".",
        "dimension_thousands_token": ",",
        "plan_name": "Standard",
        "plan_level": "Standard",
        "plan_is_trial": false,
        "industry": "Retail",
        "logo": {"url": ""},
        "is_price_entered_with_tax": false,
        "store_id": s.store_id.parse::<i64>().unwrap_or_default(),
        "default_channel_id": 1,
        "default_site_id": 1000,
        "active_comparison_modules": [],
        "features": {
            "stencil_enabled": true,
            "sitewidehttps_enabled": true,
            "facebook_catalog_id": "",
            "checkout_type": "optimized",
            "wishlists_enabled": false,
            "graphql_storefront_api_enabled": true,
            "shopper_consent_tracking_enabled": true,
            "multi_storefront_enabled": false,
            "storefront_limits": {"active": 1, "total_including_inactive": 1},
        },
    });
    if let (Value::Object(fields), Value::Object(more)) = (&mut body, settings) {
        fields.extend(more);
        // A store without a zone (as a test sets one up) leaves `timezone` out: the spec makes
        // no field of `StoreInformation` required.
        if let Some(zone) = s.config.time_zone.as_deref() {
            fields.insert("timezone".into(), timezone(zone));
        }
    }
    Ok(json_response(StatusCode::OK, &body))
}

/// The spec's `Timezone` for an IANA zone: the standard offset, the summer one, and whether the
/// zone observes daylight saving time, from the zone database (this year's January and July).
fn timezone(zone: &str) -> Value {
    let (raw, dst, observes) = match zone.parse::<Tz>() {
        Ok(tz) => {
            let year = chrono::Datelike::year(&Utc::now());
            let offsets: Vec<(i64, i64)> = [1, 7]
                .iter()
                .filter_map(|&month| Utc.with_ymd_and_hms(year, month, 15, 12, 0, 0).single())
                .map(|t| {
                    let offset = tz.offset_from_utc_datetime(&t.naive_utc());
                    (offset.base_utc_offset().num_seconds(), offset.dst_offset().num_seconds())
                })
                .collect();
            let raw = offsets.first().map_or(0, |o| o.0);
            let saving = offsets.iter().map(|o| o.1).max().unwrap_or(0);
            (raw, raw + saving, saving != 0)
        }
        Err(_) => (0, 0, false),
    };
    json!({
        "name": zone,
        "raw_offset": raw,
        "dst_offset": dst,
        "dst_correction": observes,
        "date_format": {"display": "M jS Y", "export": "M jS Y", "extended_display": "M jS Y @ g:i A"},
    })
}
