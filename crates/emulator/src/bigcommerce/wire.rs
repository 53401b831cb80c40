//! How BigCommerce puts things on the wire: money (v2 four-decimal strings, v3 JSON numbers),
//! dates (v2 RFC-2822, v3 ISO-8601), error bodies (v3 objects, v2 arrays), query filters and
//! `meta.pagination`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// The `type` every BigCommerce error body carries.
pub const ERROR_TYPE: &str = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes";

// ---------------------------------------------------------------- money

/// v2 money: a string with exactly four decimals ("336.3200").
pub fn money_v2(d: Decimal) -> Value {
    Value::String(money_v2_string(d))
}

pub fn money_v2_string(d: Decimal) -> String {
    let mut r = d.round_dp(4);
    r.rescale(4);
    r.to_string()
}

/// v3 money: a JSON number (`format: double` in the specs). Whole amounts print without a
/// fraction, as BigCommerce does (`"retail_price": 10`). The conversion to f64 happens only here,
/// at the edge, because JSON numbers are doubles; all arithmetic stays in `Decimal`.
pub fn money_v3(d: Decimal) -> Value {
    let d = d.normalize();
    if d.fract().is_zero()
        && let Some(i) = d.to_i64()
    {
        return Value::from(i);
    }
    d.to_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
}

pub fn money_v3_opt(d: Option<Decimal>) -> Value {
    d.map_or(Value::Null, money_v3)
}

/// Rounds money to cents the way a payment would be taken.
pub fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// Reads a money value sent as a JSON number or a numeric string (the v2 specs allow both).
pub fn decimal_of(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(Decimal::from(i))
            } else {
                n.to_string().parse::<Decimal>().ok().or_else(|| n.as_f64().and_then(Decimal::from_f64_retain))
            }
        }
        Value::String(s) => s.trim().parse::<Decimal>().ok(),
        _ => None,
    }
}

// ---------------------------------------------------------------- dates

/// v2 dates: "Wed, 10 Jan 2018 21:05:30 +0000".
pub fn date_v2(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// v3 dates: "2018-08-15T14:48:46+00:00", as the catalog samples show them.
pub fn date_v3(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// Parses a date filter given as ISO-8601 (with or without offset), RFC-2822, or a bare date.
/// A bare date takes the current time of day, as the catalog spec says `date_modified:min` does.
pub fn parse_date_filter(s: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(Utc.from_utc_datetime(&d.and_time(now.time())));
    }
    s.parse::<i64>().ok().and_then(|secs| Utc.timestamp_opt(secs, 0).single())
}

// ---------------------------------------------------------------- errors

/// An error response in the shape the endpoint's spec gives.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
    pub content_type: &'static str,
}

impl ApiError {
    /// v3: `{status, title, type, errors}`.
    pub fn v3(status: StatusCode, title: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!({"status": status.as_u16(), "title": title.into(), "type": ERROR_TYPE, "errors": {}}),
            content_type: "application/json",
        }
    }

    /// The inventory and location specs answer errors as `application/problem+json`.
    pub fn problem(status: StatusCode, title: impl Into<String>) -> ApiError {
        ApiError { content_type: "application/problem+json", ..ApiError::v3(status, title) }
    }

    /// v2: a bare array `[{status, message}]`.
    pub fn v2(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!([{"status": status.as_u16(), "message": message.into()}]),
            content_type: "application/json",
        }
    }

    /// The refunds endpoint wraps its 422s in `data`, as the spec's sample shows.
    pub fn refund(status: StatusCode, title: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!({"data": [{"status": status.as_u16(), "title": title.into(), "type": ERROR_TYPE, "errors": {}}]}),
            content_type: "application/json",
        }
    }

    /// Adds field-level details to a v3 body.
    pub fn with_errors(mut self, errors: Map<String, Value>) -> ApiError {
        if let Some(obj) = self.body.as_object_mut() {
            obj.insert("errors".into(), Value::Object(errors));
        }
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> ApiError {
        if let Some(obj) = self.body.as_object_mut() {
            obj.insert("detail".into(), Value::String(detail.into()));
        }
        self
    }

    pub fn not_found(what: impl std::fmt::Display) -> ApiError {
        ApiError::v3(StatusCode::NOT_FOUND, format!("{what} was not found; list the collection to find a valid id"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, self.body.to_string()).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        res
    }
}

/// A JSON response with an explicit status.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut res = (status, body.to_string()).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    V2,
    V3,
}

/// Parses a request body, answering malformed JSON with 400 and ill-typed JSON with 422 in the
/// version's error shape.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8], api: Api) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        let msg = "The request body is empty; send a JSON document with Content-Type: application/json";
        return Err(match api {
            Api::V2 => ApiError::v2(StatusCode::BAD_REQUEST, msg),
            Api::V3 => ApiError::v3(StatusCode::BAD_REQUEST, msg),
        });
    }
    serde_json::from_slice::<T>(bytes).map_err(|e| {
        let (status, msg) = match e.classify() {
            serde_json::error::Category::Data => (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("The request body does not have the expected fields or types: {e}"),
            ),
            _ => (StatusCode::BAD_REQUEST, format!("The request body is not valid JSON: {e}")),
        };
        match api {
            Api::V2 => ApiError::v2(status, msg),
            Api::V3 => ApiError::v3(status, msg),
        }
    })
}

// ---------------------------------------------------------------- query

/// Query parameters in request order, with BigCommerce's `name:op` filter keys kept verbatim.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
    api: Option<Api>,
}

impl Params {
    pub fn new(pairs: Vec<(String, String)>, api: Api) -> Params {
        Params { pairs, api: Some(api) }
    }

    fn invalid(&self, name: &str, value: &str, expected: &str) -> ApiError {
        let msg = format!("Query parameter \"{name}\" value must be {expected}; got \"{value}\"");
        match self.api {
            Some(Api::V2) => ApiError::v2(StatusCode::BAD_REQUEST, msg),
            _ => ApiError::v3(StatusCode::UNPROCESSABLE_ENTITY, msg),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A comma-separated list (repeated keys are joined), empty items dropped.
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        let items: Vec<String> = self
            .pairs
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        self.pairs.iter().any(|(k, _)| k == name).then_some(items)
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.trim().parse::<i64>().map(Some).map_err(|_| self.invalid(name, v, "an integer")),
        }
    }

    pub fn ints(&self, name: &str) -> Result<Option<Vec<i64>>, ApiError> {
        match self.list(name) {
            None => Ok(None),
            Some(items) => items
                .iter()
                .map(|s| s.parse::<i64>().map_err(|_| self.invalid(name, s, "a comma-separated list of integers")))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => match v.trim() {
                "true" | "1" => Ok(Some(true)),
                "false" | "0" => Ok(Some(false)),
                _ => Err(self.invalid(name, v, "true or false")),
            },
        }
    }

    pub fn date(&self, name: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => parse_date_filter(v, now)
                .map(Some)
                .ok_or_else(|| self.invalid(name, v, "a date in ISO-8601 (2025-01-15T00:03:17Z) or RFC-2822 form")),
        }
    }

    /// `page` (from 1) and `limit` (1..=max). A limit over the maximum is "too many objects" (413).
    pub fn paging(&self, default_limit: u64, max_limit: u64) -> Result<Paging, ApiError> {
        let page = match self.int("page")? {
            None => 1,
            Some(p) if p >= 1 => p as u64,
            Some(p) => return Err(self.invalid("page", &p.to_string(), "1 or more")),
        };
        let limit = match self.int("limit")? {
            None => default_limit,
            Some(l) if l >= 1 && (l as u64) <= max_limit => l as u64,
            Some(l) if l > 0 => {
                let msg = format!(
                    "The request asks for too many objects: limit {l} is over this endpoint's maximum of {max_limit}; page through with page=N&limit={max_limit}"
                );
                return Err(match self.api {
                    Some(Api::V2) => ApiError::v2(StatusCode::PAYLOAD_TOO_LARGE, msg),
                    _ => ApiError::v3(StatusCode::PAYLOAD_TOO_LARGE, msg),
                });
            }
            Some(l) => return Err(self.invalid("limit", &l.to_string(), "1 or more")),
        };
        Ok(Paging { page, limit })
    }

    /// The query string of this request with `page` and `limit` replaced, for pagination links.
    pub fn link(&self, page: u64, limit: u64) -> String {
        let mut parts: Vec<String> = self
            .pairs
            .iter()
            .filter(|(k, _)| k != "page" && k != "limit")
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        parts.push(format!("page={page}"));
        parts.push(format!("limit={limit}"));
        format!("?{}", parts.join("&"))
    }
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: u64,
    pub limit: u64,
}

impl Paging {
    pub fn offset(&self) -> usize {
        ((self.page - 1) * self.limit) as usize
    }

    /// `meta.pagination` exactly as the v3 specs define it (`pagination_Full`).
    pub fn meta(&self, total: usize, count: usize, params: &Params) -> Value {
        let total_pages = (total as u64).div_ceil(self.limit);
        let mut links = Map::new();
        if self.page > 1 {
            links.insert("previous".into(), Value::String(params.link(self.page - 1, self.limit)));
        }
        links.insert("current".into(), Value::String(params.link(self.page, self.limit)));
        if self.page < total_pages {
            links.insert("next".into(), Value::String(params.link(self.page + 1, self.limit)));
        }
        json!({"pagination": {
            "total": total,
            "count": count,
            "per_page": self.limit,
            "current_page": self.page,
            "total_pages": total_pages,
            "links": links,
        }})
    }
}

/// Collects one page out of an iterator, counting the total as it goes.
pub fn page_of<T>(items: impl Iterator<Item = T>, paging: Paging) -> (Vec<T>, usize) {
    let mut total = 0usize;
    let mut out = Vec::new();
    let start = paging.offset();
    let end = start + paging.limit as usize;
    for item in items {
        if total >= start && total < end {
            out.push(item);
        }
        total += 1;
    }
    (out, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn v2_money_has_four_decimals() {
        assert_eq!(money_v2_string(Decimal::from_str("336.32").unwrap()), "336.3200", "v2 money is a 4-decimal string");
        assert_eq!(money_v2_string(Decimal::from(5)), "5.0000", "whole amounts still carry four decimals");
    }

    #[test]
    fn v3_money_is_a_plain_number() {
        assert_eq!(
            money_v3(Decimal::from_str("10.00").unwrap()).to_string(),
            "10",
            "whole amounts print as integers, like the samples"
        );
        assert_eq!(money_v3(Decimal::from_str("7.95").unwrap()).to_string(), "7.95", "fractions keep their digits");
    }

    #[test]
    fn dates_in_both_styles() {
        let t = Utc.with_ymd_and_hms(2018, 1, 10, 21, 5, 30).unwrap();
        assert_eq!(date_v2(t), "Wed, 10 Jan 2018 21:05:30 +0000", "v2 dates are RFC-2822");
        assert_eq!(date_v3(t), "2018-01-10T21:05:30+00:00", "v3 dates are ISO-8601");
        assert_eq!(parse_date_filter("Wed, 10 Jan 2018 21:05:30 +0000", t), Some(t), "filters accept RFC-2822");
        assert_eq!(parse_date_filter("2018-01-10T21:05:30Z", t), Some(t), "filters accept ISO-8601");
    }
}
