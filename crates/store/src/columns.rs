//! Decoding of the TEXT columns that hold decimals, times and JSON.
//!
//! A value that does not parse is an error, never a silent default: a price read back as zero would
//! be synced to the other store as if someone had typed it.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rusqlite::Row;
use rusqlite::types::Type;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::StoreError;
use crate::time::parse_time;

#[derive(Debug)]
struct Unreadable(String);

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreadable {}

fn unreadable(idx: usize, what: &str, text: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(Unreadable(format!("{what} {text:?}"))))
}

pub(crate) fn decimal_at(r: &Row<'_>, idx: usize) -> rusqlite::Result<Decimal> {
    let text: String = r.get(idx)?;
    Decimal::from_str(&text).map_err(|_| unreadable(idx, "not a decimal:", &text))
}

pub(crate) fn optional_decimal_at(r: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Decimal>> {
    let text: Option<String> = r.get(idx)?;
    text.map(|t| Decimal::from_str(&t).map_err(|_| unreadable(idx, "not a decimal:", &t))).transpose()
}

pub(crate) fn time_at(r: &Row<'_>, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = r.get(idx)?;
    parse_time(&text).ok_or_else(|| unreadable(idx, "not an RFC 3339 time:", &text))
}

pub(crate) fn optional_time_at(r: &Row<'_>, idx: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let text: Option<String> = r.get(idx)?;
    text.map(|t| parse_time(&t).ok_or_else(|| unreadable(idx, "not an RFC 3339 time:", &t))).transpose()
}

pub(crate) fn json_at<T: DeserializeOwned>(r: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = r.get(idx)?;
    serde_json::from_str(&text).map_err(|e| unreadable(idx, &format!("unreadable JSON ({e}):"), &text))
}

pub(crate) fn json_text<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
}

/// Counts are u64 in the API and INTEGER (i64) in SQLite; no count comes near the boundary.
pub(crate) fn count_to_sql(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn count_at(r: &Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    let n: i64 = r.get(idx)?;
    Ok(u64::try_from(n).unwrap_or(0))
}
