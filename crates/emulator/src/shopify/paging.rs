//! Relay pagination as Shopify does it: opaque cursors that are base64 JSON
//! `{"last_id":…,"last_value":"…"}` (as in the productVariants doc sample), `first`/`after`,
//! `last`/`before`, `reverse`, and `pageInfo`.

use std::sync::{Arc, Mutex};

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, OutputType};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

/// The value a connection is sorted by, with the id as tie-breaker.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SortValue {
    Int(i64),
    Text(String),
}

impl SortValue {
    fn as_cursor_text(&self) -> String {
        match self {
            SortValue::Int(n) => n.to_string(),
            SortValue::Text(s) => s.clone(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct CursorBody {
    last_id: u64,
    last_value: String,
}

pub(crate) fn encode_cursor(value: &SortValue, id: u64) -> String {
    let body = CursorBody { last_id: id, last_value: value.as_cursor_text() };
    STANDARD.encode(serde_json::to_vec(&body).unwrap_or_default())
}

fn decode_cursor(cursor: &str, like: &SortValue) -> async_graphql::Result<(SortValue, u64)> {
    let invalid = || {
        async_graphql::Error::new(format!(
            "Invalid cursor {cursor:?}: pass an endCursor or startCursor from a previous page of the same query"
        ))
    };
    let bytes = STANDARD.decode(cursor).map_err(|_| invalid())?;
    let body: CursorBody = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let value = match like {
        SortValue::Int(_) => SortValue::Int(body.last_value.parse().map_err(|_| invalid())?),
        SortValue::Text(_) => SortValue::Text(body.last_value),
    };
    Ok((value, body.last_id))
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    pub reverse: bool,
}

impl PageArgs {
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> PageArgs {
        PageArgs { first, after, last, before, reverse: reverse.unwrap_or(false) }
    }
}

/// Where the top-level connection of a bulk run leaves (has next page, end cursor).
pub(crate) type PageEnd = Arc<Mutex<Option<(bool, Option<String>)>>>;

/// Set in the request data while a bulk operation runs its query: the top-level connection
/// then pages by this cursor instead of `first`/`after`, and nested connections return every
/// child, as bulk queries do on Shopify.
#[derive(Debug, Default)]
pub(crate) struct BulkCursor {
    pub after: Option<String>,
    pub size: usize,
    /// Written by the top-level connection: (has next page, end cursor).
    pub next: PageEnd,
}

pub(crate) struct Page {
    pub items: Vec<(u64, String)>,
    pub has_next: bool,
    pub has_previous: bool,
}

/// Cuts one page out of `keyed` (any order; sorted here).
pub(crate) fn window(
    ctx: &Context<'_>,
    args: &PageArgs,
    mut keyed: Vec<(SortValue, u64)>,
) -> async_graphql::Result<Page> {
    keyed.sort();
    if args.reverse {
        keyed.reverse();
    }
    let bulk = ctx.data_opt::<BulkCursor>();
    let top_level = ctx.path_node.as_ref().is_none_or(|p| p.parent.is_none());
    let (first, after, last, before) = match bulk {
        Some(b) if top_level => (Some(b.size), b.after.clone(), None, None),
        Some(_) => (None, None, None, None),
        None => {
            if args.first.is_none() && args.last.is_none() {
                return Err(async_graphql::Error::new("you must provide one of first or last"));
            }
            let size = |n: Option<i32>| n.map(|n| n.max(0) as usize);
            (size(args.first), args.after.clone(), size(args.last), args.before.clone())
        }
    };
    let in_order = |a: &(SortValue, u64), b: &(SortValue, u64)| if args.reverse { b.cmp(a) } else { a.cmp(b) };
    let mut start = 0;
    let mut end = keyed.len();
    if let (Some(c), Some(sample)) = (after.as_deref(), keyed.first()) {
        let key = decode_cursor(c, &sample.0)?;
        start = keyed.partition_point(|e| in_order(e, &key) != std::cmp::Ordering::Greater);
    }
    if let (Some(c), Some(sample)) = (before.as_deref(), keyed.first()) {
        let key = decode_cursor(c, &sample.0)?;
        end = keyed.partition_point(|e| in_order(e, &key) == std::cmp::Ordering::Less).max(start);
    }
    let slice = &keyed[start..end];
    let (taken, has_next, has_previous) = match (first, last) {
        (Some(n), _) => (&slice[..n.min(slice.len())], slice.len() > n || end < keyed.len(), start > 0),
        (None, Some(n)) => (&slice[slice.len().saturating_sub(n)..], end < keyed.len(), slice.len() > n || start > 0),
        (None, None) => (slice, end < keyed.len(), start > 0),
    };
    let items: Vec<(u64, String)> = taken.iter().map(|(v, id)| (*id, encode_cursor(v, *id))).collect();
    if let Some(b) = bulk
        && top_level
        && let Ok(mut next) = b.next.lock()
    {
        *next = Some((has_next, items.last().map(|(_, c)| c.clone())));
    }
    Ok(Page { items, has_next, has_previous })
}

/// Builds the connection object; ids that vanished meanwhile are skipped.
pub(crate) fn connection<T: OutputType>(page: Page, mut make: impl FnMut(u64) -> Option<T>) -> Connection<String, T> {
    let mut conn = Connection::new(page.has_previous, page.has_next);
    conn.edges.extend(page.items.into_iter().filter_map(|(id, cursor)| make(id).map(|node| Edge::new(cursor, node))));
    conn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_looks_like_shopifys() {
        let c = encode_cursor(&SortValue::Int(30322695), 30322695);
        assert_eq!(
            c, "eyJsYXN0X2lkIjozMDMyMjY5NSwibGFzdF92YWx1ZSI6IjMwMzIyNjk1In0=",
            "same bytes as the startCursor in the productVariants doc sample"
        );
    }
}
