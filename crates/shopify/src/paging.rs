//! Cursor paging: one request per page, each page handed on as soon as it arrives, so a
//! 100,000-variant shop is never held in memory by the client.

use std::sync::Arc;

use futures_util::Stream;
use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::{Operation, ShopifyClient};
use crate::error::ShopifyError;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PageInfo {
    pub has_next_page: bool,
    #[serde(default)]
    pub end_cursor: Option<String>,
}

/// A connection's `nodes` and `pageInfo`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Connection<T> {
    pub nodes: Vec<T>,
    pub page_info: PageInfo,
}

enum Cursor {
    Start,
    After(String),
    Done,
}

/// Streams the pages of `op`. `vars` builds the variables for a cursor (None on the first
/// page); `take` picks the page's items and `pageInfo` out of the decoded response.
pub(crate) fn cursor_pages<V, R, T>(
    client: ShopifyClient,
    op: &'static Operation,
    vars: impl Fn(Option<&str>) -> V + Send + Sync + 'static,
    take: impl Fn(R) -> Result<(Vec<T>, PageInfo), ShopifyError> + Send + Sync + 'static,
) -> impl Stream<Item = Result<Vec<T>, ShopifyError>> + Send + 'static
where
    V: Serialize + Send + Sync + 'static,
    R: DeserializeOwned + Send + 'static,
    T: Send + 'static,
{
    let vars = Arc::new(vars);
    let take = Arc::new(take);
    futures_util::stream::try_unfold(Cursor::Start, move |cursor| {
        let (client, vars, take) = (client.clone(), vars.clone(), take.clone());
        async move {
            let after = match cursor {
                Cursor::Done => return Ok(None),
                Cursor::Start => None,
                Cursor::After(c) => Some(c),
            };
            let response: R = client.execute(op, &vars(after.as_deref())).await?;
            let (items, info) = take(response)?;
            let next = match (info.has_next_page, info.end_cursor) {
                (false, _) => Cursor::Done,
                // More pages but no way forward: stop loudly rather than re-read the same page forever.
                (true, None) => return Err(ShopifyError::StuckPaging { operation: op.name.into() }),
                (true, Some(end)) if after.as_deref() == Some(end.as_str()) => {
                    return Err(ShopifyError::StuckPaging { operation: op.name.into() });
                }
                (true, Some(end)) => Cursor::After(end),
            };
            Ok(Some((items, next)))
        }
    })
}
