//! Bulk queries: one `bulkOperationRunQuery`, a few cheap polls, then the JSONL result streamed
//! from its signed URL and rebuilt parent by parent. This is how a whole catalog is read without
//! paying for it page by page out of the cost bucket.
//!
//! The query is always run with `groupObjects: true`. Ungrouped output (the default from
//! 2026-01) only promises that a child comes somewhere after its parent; grouped output keeps
//! every parent's children right after it, which is what lets the reader hand a parent on as
//! soon as the next parent starts and hold only one parent in memory.

use std::collections::{HashMap, VecDeque};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant as StdInstant};

use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use tillbridge_transport::{AuditEntry, Direction, EndpointTemplate, Outcome, System};

use crate::client::{Operation, ShopifyClient};
use crate::error::ShopifyError;
use crate::gid::{BulkOperationId, ProductId};
use crate::models::{ProductWithVariants, Variant};

pub const BULK_OPERATION_RUN_QUERY: Operation = Operation {
    name: "TillbridgeBulkOperationRunQuery",
    document: r#"mutation TillbridgeBulkOperationRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}"#,
    estimated_cost: 10,
};

/// Polls one operation by id. `node(id:)` works on every version; `bulkOperation(id:)` exists
/// only from 2026-01, and `currentBulkOperation` may name another of the (up to five) bulk
/// queries a 2026 shop runs at once.
pub const BULK_OPERATION: Operation = Operation {
    name: "TillbridgeBulkOperation",
    document: r#"query TillbridgeBulkOperation($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { id status errorCode objectCount rootObjectCount fileSize url partialDataUrl createdAt completedAt }
  }
}"#,
    estimated_cost: 1,
};

/// The latest bulk query of this app, to find one started before a crash.
pub const CURRENT_BULK_OPERATION: Operation = Operation {
    name: "TillbridgeCurrentBulkOperation",
    document: r#"query TillbridgeCurrentBulkOperation {
  currentBulkOperation(type: QUERY) { id status errorCode objectCount rootObjectCount fileSize url partialDataUrl createdAt completedAt }
}"#,
    estimated_cost: 1,
};

/// Every product with every variant: the catalog snapshot.
pub const BULK_PRODUCTS_WITH_VARIANTS: &str = r#"query TillbridgeBulkProducts {
  products {
    edges {
      node {
        id title updatedAt
        variants {
          edges {
            node {
              id sku barcode price compareAtPrice updatedAt
              selectedOptions { name value }
              inventoryItem { id }
            }
          }
        }
      }
    }
  }
}"#;

/// Every variant with its stock at every location, in one export. `productVariants` is the root
/// so that the levels are only the second connection deep (bulk queries allow two levels).
pub const BULK_VARIANTS_WITH_STOCK: &str = r#"query TillbridgeBulkVariantStock {
  productVariants {
    edges {
      node {
        id sku barcode
        product { id }
        inventoryItem {
          id
          inventoryLevels {
            edges {
              node {
                location { id }
                quantities(names: ["available", "committed", "on_hand"]) { name quantity }
              }
            }
          }
        }
      }
    }
  }
}"#;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BulkStatus {
    Created,
    Running,
    Completed,
    Failed,
    Canceling,
    Canceled,
    Expired,
    #[serde(other)]
    Unknown,
}

/// The result file's address. It is signed: anyone holding it can read the shop's data, so it is
/// never printed, logged or put in an error.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SignedUrl(String);

impl std::fmt::Debug for SignedUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignedUrl([redacted])")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkOperation {
    pub id: BulkOperationId,
    pub status: BulkStatus,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default, deserialize_with = "unsigned_int64")]
    pub object_count: Option<u64>,
    #[serde(default, deserialize_with = "unsigned_int64")]
    pub root_object_count: Option<u64>,
    #[serde(default, deserialize_with = "unsigned_int64")]
    pub file_size: Option<u64>,
    #[serde(default)]
    pub url: Option<SignedUrl>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
}

/// `UnsignedInt64` arrives as a string ("6"); accept a number too.
fn unsigned_int64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => s.parse().map(Some).map_err(serde::de::Error::custom),
        Some(Value::Number(n)) => {
            n.as_u64().map(Some).ok_or_else(|| serde::de::Error::custom("not an unsigned integer"))
        }
        Some(other) => Err(serde::de::Error::custom(format!("expected an UnsignedInt64, got {other}"))),
    }
}

/// How often to ask whether a bulk query has finished.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollSchedule {
    /// The first wait; each next one is half as long again, up to `longest`.
    pub first: Duration,
    pub longest: Duration,
    /// Stop waiting (and report a retryable error) after this long.
    pub give_up_after: Duration,
}

impl Default for PollSchedule {
    /// Small exports finish in seconds, a 100,000-variant catalog in minutes: start quick, settle
    /// at one cheap poll every 5 s, and hand back to the job queue after an hour.
    fn default() -> PollSchedule {
        PollSchedule {
            first: Duration::from_millis(500),
            longest: Duration::from_secs(5),
            give_up_after: Duration::from_secs(3600),
        }
    }
}

/// Requests a runner has made, for benchmarks and the audit summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkRequestCount {
    pub starts: u64,
    pub polls: u64,
    pub downloads: u64,
}

impl BulkRequestCount {
    pub fn total(&self) -> u64 {
        self.starts + self.polls + self.downloads
    }
}

#[derive(Debug, Default)]
struct Counters {
    starts: AtomicU64,
    polls: AtomicU64,
    downloads: AtomicU64,
}

/// One object of the result with the objects nested under it (children, and theirs).
#[derive(Debug, Clone, PartialEq)]
pub struct BulkObject {
    /// The line as Shopify wrote it, without `__parentId`.
    pub object: Value,
    pub children: Vec<BulkObject>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunPayload {
    bulk_operation: Option<BulkOperation>,
    #[serde(default)]
    user_errors: Vec<BulkUserError>,
}

#[derive(Deserialize)]
struct BulkUserError {
    #[serde(default)]
    code: Option<String>,
    message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunData {
    bulk_operation_run_query: Option<RunPayload>,
}

#[derive(Deserialize)]
struct NodeData {
    node: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CurrentData {
    current_bulk_operation: Option<BulkOperation>,
}

/// Runs bulk queries for one client and counts what it sends.
#[derive(Debug, Clone)]
pub struct BulkRunner {
    client: ShopifyClient,
    schedule: PollSchedule,
    counters: Arc<Counters>,
}

impl BulkRunner {
    pub fn new(client: &ShopifyClient) -> BulkRunner {
        BulkRunner { client: client.clone(), schedule: PollSchedule::default(), counters: Arc::default() }
    }

    pub fn with_schedule(mut self, schedule: PollSchedule) -> BulkRunner {
        self.schedule = schedule;
        self
    }

    pub fn requests(&self) -> BulkRequestCount {
        BulkRequestCount {
            starts: self.counters.starts.load(Ordering::Relaxed),
            polls: self.counters.polls.load(Ordering::Relaxed),
            downloads: self.counters.downloads.load(Ordering::Relaxed),
        }
    }

    /// Starts `query` as a bulk query and returns its id.
    pub async fn start(&self, query: &str) -> Result<BulkOperationId, ShopifyError> {
        self.counters.starts.fetch_add(1, Ordering::Relaxed);
        let data: RunData = self.client.execute(&BULK_OPERATION_RUN_QUERY, &json!({ "query": query })).await?;
        let payload = data.bulk_operation_run_query.unwrap_or(RunPayload { bulk_operation: None, user_errors: vec![] });
        if let Some(e) = payload.user_errors.into_iter().next() {
            return Err(ShopifyError::BulkRefused {
                code: e.code.unwrap_or_else(|| "UNSPECIFIED".into()),
                message: e.message,
            });
        }
        payload.bulk_operation.map(|op| op.id).ok_or_else(|| ShopifyError::Decode {
            operation: BULK_OPERATION_RUN_QUERY.name.into(),
            detail: "neither a bulk operation nor a reason came back".into(),
        })
    }

    /// The state of one bulk operation.
    pub async fn status(&self, id: &BulkOperationId) -> Result<BulkOperation, ShopifyError> {
        self.counters.polls.fetch_add(1, Ordering::Relaxed);
        let data: NodeData = self.client.execute(&BULK_OPERATION, &json!({ "id": id })).await?;
        let node = data.node.ok_or_else(|| ShopifyError::Missing {
            operation: BULK_OPERATION.name.into(),
            what: format!("bulk operation {id}"),
        })?;
        serde_json::from_value(node)
            .map_err(|e| ShopifyError::Decode { operation: BULK_OPERATION.name.into(), detail: e.to_string() })
    }

    /// The app's latest bulk query, if any.
    pub async fn current(&self) -> Result<Option<BulkOperation>, ShopifyError> {
        self.counters.polls.fetch_add(1, Ordering::Relaxed);
        let data: CurrentData = self.client.execute(&CURRENT_BULK_OPERATION, &json!({})).await?;
        Ok(data.current_bulk_operation)
    }

    /// Polls until the operation is finished; Ok only when it completed.
    pub async fn wait(&self, id: &BulkOperationId) -> Result<BulkOperation, ShopifyError> {
        let started = tokio::time::Instant::now();
        // An export is never finished the instant it starts: asking at once would cost a request
        // (and points) for a certain "running".
        tokio::time::sleep(self.schedule.first).await;
        let mut pause = self.schedule.first.mul_f64(1.5).min(self.schedule.longest);
        loop {
            let op = self.status(id).await?;
            let advice = match op.status {
                BulkStatus::Completed => return Ok(op),
                BulkStatus::Created | BulkStatus::Running => None,
                BulkStatus::Failed => Some(match op.error_code.as_deref() {
                    Some("ACCESS_DENIED") => "the app lacks a scope the query needs; grant it and reinstall the app",
                    _ => "Shopify could not finish it; run the export again",
                }),
                BulkStatus::Canceling | BulkStatus::Canceled => Some("it was canceled; run the export again"),
                BulkStatus::Expired => Some("its result expired (Shopify keeps it 7 days); run the export again"),
                BulkStatus::Unknown => {
                    Some("Shopify reported a status this version does not know; run the export again")
                }
            };
            if let Some(advice) = advice {
                return Err(ShopifyError::BulkFailed {
                    status: format!("{:?}", op.status).to_uppercase(),
                    error_code: op.error_code,
                    advice: advice.into(),
                });
            }
            if started.elapsed() >= self.schedule.give_up_after {
                return Err(ShopifyError::BulkTimedOut {
                    status: format!("{:?}", op.status).to_uppercase(),
                    waited_secs: started.elapsed().as_secs(),
                });
            }
            tokio::time::sleep(pause).await;
            pause = pause.mul_f64(1.5).min(self.schedule.longest);
        }
    }

    /// Streams the result of a completed operation, one top-level object (with everything
    /// nested under it) at a time.
    pub fn objects(
        &self,
        op: &BulkOperation,
    ) -> impl Stream<Item = Result<BulkObject, ShopifyError>> + Send + 'static + use<> {
        let runner = self.clone();
        let url = op.url.clone();
        futures_util::stream::try_unfold(Reader::Unopened(url), move |state| {
            let runner = runner.clone();
            async move { state.next(&runner).await }
        })
    }

    /// Runs the catalog export and streams every product with all its variants.
    pub fn products_with_variants(
        &self,
    ) -> impl Stream<Item = Result<ProductWithVariants, ShopifyError>> + Send + 'static + use<> {
        let runner = self.clone();
        futures_util::stream::once(async move {
            let id = runner.start(BULK_PRODUCTS_WITH_VARIANTS).await?;
            let done = runner.wait(&id).await?;
            Ok::<_, ShopifyError>(runner.objects(&done))
        })
        .map(|started| match started {
            Ok(objects) => objects.boxed(),
            Err(e) => futures_util::stream::once(async move { Err(e) }).boxed(),
        })
        .flatten()
        .map(|object| object.and_then(product_with_variants))
    }

    /// GETs the result file without the access token (the URL is signed and lives outside the
    /// shop), retrying the connection like any other call. Returns the body as a byte stream.
    async fn download(&self, url: &SignedUrl) -> Result<ByteStream, ShopifyError> {
        let parts = self.client.parts();
        let endpoint = EndpointTemplate::new("GET bulk result file")
            .map_err(|e| ShopifyError::BulkFile { detail: e.to_string(), retryable: false })?;
        let mut failures = 0u32;
        loop {
            self.counters.downloads.fetch_add(1, Ordering::Relaxed);
            let started = StdInstant::now();
            let result = self.client.http().get(&url.0).send().await;
            let (status, outcome, retry) = match &result {
                Ok(res) if res.status().is_success() => (Some(res.status().as_u16()), Outcome::Success, false),
                Ok(res) if res.status().is_server_error() => {
                    (Some(res.status().as_u16()), Outcome::RetryableError, true)
                }
                Ok(res) => (Some(res.status().as_u16()), Outcome::PermanentError, false),
                Err(_) => (None, Outcome::RetryableError, true),
            };
            parts.audit.record(AuditEntry {
                at: parts.clock.now(),
                system: System::Shopify,
                direction: Direction::Outbound,
                method: "GET".into(),
                endpoint: endpoint.clone(),
                status,
                duration_ms: started.elapsed().as_millis() as u64,
                attempt: failures + 1,
                correlation_id: tillbridge_transport::correlation::current()
                    .unwrap_or_else(|| self.client.correlation_id().to_string()),
                outcome,
                budget_left: None,
            });
            match result {
                Ok(res) if res.status().is_success() => return Ok(Box::pin(res.bytes_stream())),
                Ok(res) if !retry => {
                    // 403/404 from storage: the signature expired or the file is gone.
                    return Err(ShopifyError::BulkFile {
                        detail: format!(
                            "the result file answered {}; run the export again for a fresh link",
                            res.status().as_u16()
                        ),
                        retryable: true,
                    });
                }
                _ => {}
            }
            failures += 1;
            if parts.backoff.gives_up_after(failures) {
                return Err(ShopifyError::BulkFile {
                    detail: format!("the result file could not be fetched after {failures} attempts"),
                    retryable: true,
                });
            }
            tokio::time::sleep(parts.backoff.delay(failures, parts.jitter.as_ref())).await;
        }
    }
}

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// The download, read line by line.
enum Reader {
    Unopened(Option<SignedUrl>),
    Reading(Box<Lines>),
    Done,
}

struct Lines {
    body: ByteStream,
    buffer: Vec<u8>,
    assembler: Assembler,
    ready: VecDeque<BulkObject>,
    ended: bool,
}

impl Reader {
    async fn next(self, runner: &BulkRunner) -> Result<Option<(BulkObject, Reader)>, ShopifyError> {
        let mut lines = match self {
            Reader::Done => return Ok(None),
            // Shopify gives no file for an empty result.
            Reader::Unopened(None) => return Ok(None),
            Reader::Unopened(Some(url)) => {
                let body = runner.download(&url).await?;
                Box::new(Lines {
                    body,
                    buffer: Vec::new(),
                    assembler: Assembler::default(),
                    ready: VecDeque::new(),
                    ended: false,
                })
            }
            Reader::Reading(lines) => lines,
        };
        loop {
            if let Some(object) = lines.ready.pop_front() {
                return Ok(Some((object, Reader::Reading(lines))));
            }
            if lines.ended {
                return Ok(lines.assembler.finish().map(|last| (last, Reader::Done)));
            }
            match lines.body.next().await {
                Some(Ok(chunk)) => {
                    lines.buffer.extend_from_slice(chunk.as_ref());
                    let mut start = 0;
                    while let Some(end) = lines.buffer[start..].iter().position(|b| *b == b'\n') {
                        let line = &lines.buffer[start..start + end];
                        if let Some(done) = lines.assembler.push(line)? {
                            lines.ready.push_back(done);
                        }
                        start += end + 1;
                    }
                    lines.buffer.drain(..start);
                }
                Some(Err(_)) => {
                    return Err(ShopifyError::BulkFile {
                        detail: "the download was cut off; run the export again".into(),
                        retryable: true,
                    });
                }
                None => {
                    let rest = std::mem::take(&mut lines.buffer);
                    if let Some(done) = lines.assembler.push(&rest)? {
                        lines.ready.push_back(done);
                    }
                    lines.ended = true;
                }
            }
        }
    }
}

/// Rebuilds trees from grouped JSONL: a line without `__parentId` starts a new top-level
/// object and completes the previous one; a line with one is attached under the object with
/// that id, which must belong to the current top-level object.
#[derive(Debug, Default)]
pub struct Assembler {
    current: Option<BulkObject>,
    /// Where each id of the current tree sits: child indexes from the root.
    paths: HashMap<String, Vec<usize>>,
    line: u64,
}

impl Assembler {
    /// Takes one line; returns the previous top-level object once it is complete.
    pub fn push(&mut self, line: &[u8]) -> Result<Option<BulkObject>, ShopifyError> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        self.line += 1;
        let mut object: Value = serde_json::from_slice(line).map_err(|e| ShopifyError::BulkFile {
            detail: format!("line {} is not JSON: {e}", self.line),
            retryable: false,
        })?;
        let parent = object.as_object_mut().and_then(|o| o.remove("__parentId"));
        let id = object.get("id").and_then(Value::as_str).map(str::to_string);
        match parent {
            None => {
                let finished = self.current.take();
                self.paths.clear();
                if let Some(id) = id {
                    self.paths.insert(id, Vec::new());
                }
                self.current = Some(BulkObject { object, children: Vec::new() });
                Ok(finished)
            }
            Some(parent) => {
                let parent = parent.as_str().unwrap_or_default().to_string();
                let (Some(root), Some(path)) = (self.current.as_mut(), self.paths.get(&parent)) else {
                    return Err(ShopifyError::BulkFile {
                        detail: format!(
                            "line {} belongs to {parent}, which is not the object being read: the file is not grouped by parent; run the query with groupObjects: true",
                            self.line
                        ),
                        retryable: false,
                    });
                };
                let mut node = root;
                for i in path {
                    node = &mut node.children[*i];
                }
                let mut child_path = path.clone();
                child_path.push(node.children.len());
                node.children.push(BulkObject { object, children: Vec::new() });
                if let Some(id) = id {
                    self.paths.insert(id, child_path);
                }
                Ok(None)
            }
        }
    }

    /// The last top-level object, at the end of the file.
    pub fn finish(&mut self) -> Option<BulkObject> {
        self.paths.clear();
        self.current.take()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProductLine {
    id: ProductId,
    title: String,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
}

/// A product line and its variant lines, as the catalog model.
fn product_with_variants(object: BulkObject) -> Result<ProductWithVariants, ShopifyError> {
    let decode = |e: serde_json::Error| ShopifyError::BulkFile {
        detail: format!("a product in the export could not be read: {e}"),
        retryable: false,
    };
    let product: ProductLine = serde_json::from_value(object.object).map_err(decode)?;
    let product_ref = json!({ "id": product.id, "title": product.title });
    let mut variants = Vec::with_capacity(object.children.len());
    for child in object.children {
        let mut line = child.object;
        // Variant lines are read with the product they sit under, which the line itself omits.
        if let Some(map) = line.as_object_mut() {
            map.insert("product".into(), product_ref.clone());
        }
        variants.push(serde_json::from_value::<Variant>(line).map_err(decode)?);
    }
    Ok(ProductWithVariants { id: product.id, title: product.title, updated_at: product.updated_at, variants })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(a: &mut Assembler, text: &str) -> Vec<BulkObject> {
        let mut out: Vec<BulkObject> = text.lines().filter_map(|l| a.push(l.as_bytes()).unwrap()).collect();
        out.extend(a.finish());
        out
    }

    #[test]
    fn parents_are_rebuilt_with_children_and_grandchildren() {
        let text = r#"{"id":"gid://shopify/Product/1","title":"A"}
{"id":"gid://shopify/ProductVariant/11","__parentId":"gid://shopify/Product/1"}
{"id":"gid://shopify/InventoryLevel/5?inventory_item_id=9","__parentId":"gid://shopify/ProductVariant/11"}
{"id":"gid://shopify/ProductVariant/12","__parentId":"gid://shopify/Product/1"}
{"id":"gid://shopify/Product/2","title":"B"}
"#;
        let objects = feed(&mut Assembler::default(), text);
        assert_eq!(objects.len(), 2, "two top-level products");
        assert_eq!(objects[0].children.len(), 2, "both variants belong to the first product");
        assert_eq!(objects[0].children[0].children.len(), 1, "the level sits under its variant, not the product");
        assert!(
            objects[0].children[0].object.get("__parentId").is_none(),
            "the link is consumed, not kept in the data"
        );
        assert!(objects[1].children.is_empty(), "a product without variants is still emitted");
    }

    #[test]
    fn a_parent_is_handed_on_only_when_the_next_parent_starts() {
        let mut a = Assembler::default();
        assert!(a.push(br#"{"id":"gid://shopify/Product/1"}"#).unwrap().is_none(), "nothing is complete yet");
        assert!(
            a.push(br#"{"id":"gid://shopify/ProductVariant/11","__parentId":"gid://shopify/Product/1"}"#)
                .unwrap()
                .is_none(),
            "children may still come"
        );
        let done = a.push(br#"{"id":"gid://shopify/Product/2"}"#).unwrap();
        assert_eq!(done.map(|d| d.children.len()), Some(1), "the next parent completes the first, with its child");
    }

    #[test]
    fn an_ungrouped_file_is_refused_instead_of_misattributing_children() {
        let mut a = Assembler::default();
        a.push(br#"{"id":"gid://shopify/Product/1"}"#).unwrap();
        a.push(br#"{"id":"gid://shopify/Product/2"}"#).unwrap();
        let late = a.push(br#"{"id":"gid://shopify/ProductVariant/11","__parentId":"gid://shopify/Product/1"}"#);
        let Err(e) = late else { panic!("a child of an already finished parent must not be attached elsewhere") };
        assert!(e.to_string().contains("groupObjects: true"), "the error says how to fix it: {e}");
    }

    #[test]
    fn the_result_url_never_prints() {
        let url = SignedUrl("https://storage.example/bulk.jsonl?X-Goog-Signature=abc123".into());
        assert!(!format!("{url:?}").contains("abc123"), "the signature grants access to the shop's data");
    }

    #[test]
    fn counts_arrive_as_strings_and_are_read_as_numbers() {
        let op: BulkOperation = serde_json::from_value(json!({
            "id": "gid://shopify/BulkOperation/1", "status": "COMPLETED", "objectCount": "6", "rootObjectCount": "2", "fileSize": null, "url": null
        }))
        .unwrap();
        assert_eq!(
            (op.object_count, op.root_object_count, op.file_size),
            (Some(6), Some(2), None),
            "UnsignedInt64 is a string on the wire"
        );
    }
}
