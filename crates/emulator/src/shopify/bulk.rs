//! Bulk query operations: the query runs in the background over all data (no page sizes, no
//! cost), the result is JSONL with nested connection children on their own lines carrying
//! `__parentId`, served from `GET /__bulk/{id}.jsonl`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{Context, EmptySubscription, Request, Schema};
use serde_json::{Map, Value};

use super::cost::TypeIndex;
use super::model::{BulkRec, BulkStatus, gid};
use super::mutation::{BulkOperationRunQueryPayload, BulkOperationUserError, MutationRoot};
use super::paging::BulkCursor;
use super::query::QueryRoot;
use super::scalars::BulkOperationUserErrorCode;
use super::state::{ShopState, request_info};
use super::types::BulkObj;
use super::version::ApiVersion;

pub(crate) type ShopSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// How many top-level objects one pass of the background run reads.
const PAGE: usize = 2_000;
const MAX_CONNECTIONS: usize = 5;
const MAX_DEPTH: usize = 2;

fn user_error(code: BulkOperationUserErrorCode, message: String) -> BulkOperationRunQueryPayload {
    BulkOperationRunQueryPayload {
        bulk_operation: None,
        user_errors: vec![BulkOperationUserError { field: Some(vec!["query".into()]), message, code: Some(code) }],
    }
}

/// Counts connections and their nesting depth in a selection.
fn connection_shape(
    index: &TypeIndex,
    doc: &ExecutableDocument,
    parent: &str,
    set: &SelectionSet,
    depth: usize,
    count: &mut usize,
    deepest: &mut usize,
) {
    for (name, _, sub) in fields_of(doc, set) {
        let Some((type_name, _)) = index.field_type(parent, &name) else { continue };
        if index.is_connection(&type_name) {
            *count += 1;
            *deepest = (*deepest).max(depth + 1);
            let node_type = index.field_type(&type_name, "nodes").map(|t| t.0).unwrap_or_default();
            for (conn_field, _, conn_sub) in fields_of(doc, sub) {
                match conn_field.as_str() {
                    "nodes" => connection_shape(index, doc, &node_type, conn_sub, depth + 1, count, deepest),
                    "edges" => {
                        for (edge_field, _, edge_sub) in fields_of(doc, conn_sub) {
                            if edge_field == "node" {
                                connection_shape(index, doc, &node_type, edge_sub, depth + 1, count, deepest);
                            }
                        }
                    }
                    _ => {}
                }
            }
        } else {
            connection_shape(index, doc, &type_name, sub, depth, count, deepest);
        }
    }
}

/// The fields of a selection with fragments merged in: (name, response key, sub-selection).
fn fields_of<'a>(doc: &'a ExecutableDocument, set: &'a SelectionSet) -> Vec<(String, String, &'a SelectionSet)> {
    let mut out = Vec::new();
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                let name = f.node.name.node.to_string();
                let key = f.node.alias.as_ref().map_or_else(|| name.clone(), |a| a.node.to_string());
                out.push((name, key, &f.node.selection_set.node));
            }
            Selection::InlineFragment(fr) => out.extend(fields_of(doc, &fr.node.selection_set.node)),
            Selection::FragmentSpread(s) => {
                if let Some(fr) = doc.fragments.get(&s.node.fragment_name.node) {
                    out.extend(fields_of(doc, &fr.node.selection_set.node));
                }
            }
        }
    }
    out
}

/// Validates and registers a bulk query, then runs it in the background.
pub(crate) async fn start(
    ctx: &Context<'_>,
    version: &ApiVersion,
    query: String,
    group_objects: bool,
) -> BulkOperationRunQueryPayload {
    let state = ctx.data_unchecked::<Arc<ShopState>>().clone();
    let Some(schema) = ctx.data_opt::<ShopSchema>().cloned() else {
        return user_error(
            BulkOperationUserErrorCode::Invalid,
            "bulk operations are not available on this request".into(),
        );
    };
    let Some(index) = state.type_index.get() else {
        return user_error(BulkOperationUserErrorCode::Invalid, "the schema index is not ready".into());
    };
    let doc = match async_graphql::parser::parse_query(&query) {
        Ok(doc) => doc,
        Err(e) => return user_error(BulkOperationUserErrorCode::Invalid, format!("Invalid bulk query: {e}")),
    };
    let Some((_, op)) = super::cost::pick_operation(&doc, None) else {
        return user_error(
            BulkOperationUserErrorCode::Invalid,
            "Invalid bulk query: send exactly one operation".into(),
        );
    };
    if op.ty != OperationType::Query {
        return user_error(
            BulkOperationUserErrorCode::Invalid,
            "Invalid bulk query: bulkOperationRunQuery takes a query, not a mutation".into(),
        );
    }
    let top = fields_of(&doc, &op.selection_set.node);
    let [(top_name, _, _)] = top.as_slice() else {
        return user_error(
            BulkOperationUserErrorCode::Invalid,
            "Invalid bulk query: select exactly one top-level field".into(),
        );
    };
    if top_name == "node" || top_name == "nodes" {
        return user_error(
            BulkOperationUserErrorCode::Invalid,
            "Invalid bulk query: top-level node and nodes are not allowed; start from a connection such as products"
                .into(),
        );
    }
    let (mut count, mut deepest) = (0, 0);
    connection_shape(index, &doc, "QueryRoot", &op.selection_set.node, 0, &mut count, &mut deepest);
    if !index.field_type("QueryRoot", top_name).is_some_and(|(t, _)| index.is_connection(&t)) {
        return user_error(
            BulkOperationUserErrorCode::Invalid,
            format!("Invalid bulk query: {top_name} is not a connection; bulk queries need at least one connection"),
        );
    }
    if count > MAX_CONNECTIONS {
        return user_error(
            BulkOperationUserErrorCode::Invalid,
            format!("Invalid bulk query: {count} connections, the maximum is {MAX_CONNECTIONS}"),
        );
    }
    if deepest > MAX_DEPTH {
        return user_error(
            BulkOperationUserErrorCode::Invalid,
            format!("Invalid bulk query: connections nest {deepest} levels deep, the maximum is {MAX_DEPTH}"),
        );
    }
    // A dry run with no top-level objects catches unknown fields now, as userErrors.
    let probe = BulkCursor { after: None, size: 0, next: Arc::new(Mutex::new(None)) };
    let checked = schema.execute(Request::new(query.clone()).data(probe)).await;
    if let Some(e) = checked.errors.first() {
        return user_error(BulkOperationUserErrorCode::Invalid, format!("Invalid bulk query: {}", e.message));
    }
    let base_url = request_info(ctx).map(|i| i.base_url.clone()).unwrap_or_default();
    let rec = {
        let mut d = state.write();
        let active: Vec<u64> = d.bulk_operations.values().filter(|b| b.status.is_active()).map(|b| b.id).collect();
        if active.len() >= version.bulk_query_limit() {
            let ids: Vec<String> = active.iter().map(|id| gid("BulkOperation", *id)).collect();
            return BulkOperationRunQueryPayload {
                bulk_operation: None,
                user_errors: vec![BulkOperationUserError {
                    field: None,
                    message: format!(
                        "A bulk query operation for this app and shop is already in progress: {}.",
                        ids.join(", ")
                    ),
                    code: Some(BulkOperationUserErrorCode::OperationInProgress),
                }],
            };
        }
        let id = d.new_id();
        let rec = BulkRec {
            id,
            status: BulkStatus::Created,
            query: query.clone(),
            created_at: state.now(),
            completed_at: None,
            object_count: 0,
            root_object_count: 0,
            file_size: None,
            url: None,
            error_code: None,
        };
        d.bulk_operations.insert(id, rec.clone());
        rec
    };
    tokio::spawn(run(state, schema, rec.id, query, group_objects, base_url));
    BulkOperationRunQueryPayload { bulk_operation: Some(BulkObj(rec)), user_errors: vec![] }
}

fn set_status(state: &ShopState, id: u64, change: impl FnOnce(&mut BulkRec)) -> Option<BulkStatus> {
    let mut d = state.write();
    let rec = d.bulk_operations.get_mut(&id)?;
    change(rec);
    Some(rec.status)
}

async fn run(state: Arc<ShopState>, schema: ShopSchema, id: u64, query: String, group: bool, base_url: String) {
    // Stay CREATED for a moment, as the real service queues the job first.
    tokio::time::sleep(Duration::from_millis(20)).await;
    set_status(&state, id, |r| r.status = BulkStatus::Running);
    let Ok(doc) = async_graphql::parser::parse_query(&query) else { return fail(&state, id) };
    let Some(index) = state.type_index.get() else { return fail(&state, id) };
    let mut out = Vec::new();
    let (mut objects, mut roots) = (0u64, 0u64);
    let mut after: Option<String> = None;
    loop {
        if set_status(&state, id, |_| {}) == Some(BulkStatus::Canceling) {
            set_status(&state, id, |r| r.status = BulkStatus::Canceled);
            return;
        }
        let next = Arc::new(Mutex::new(None));
        let cursor = BulkCursor { after: after.clone(), size: PAGE, next: next.clone() };
        let response = schema.execute(Request::new(query.clone()).data(cursor)).await;
        if !response.errors.is_empty() {
            return fail(&state, id);
        }
        let Ok(data) = response.data.into_json() else { return fail(&state, id) };
        let Some((_, op)) = super::cost::pick_operation(&doc, None) else { return fail(&state, id) };
        let mut lines = Lines::default();
        for (name, key, sub) in fields_of(&doc, &op.selection_set.node) {
            let Some((conn_type, _)) = index.field_type("QueryRoot", &name) else { continue };
            if let Some(conn) = data.get(&key) {
                emit_connection(index, &doc, &conn_type, sub, conn, None, group, &mut lines);
            }
        }
        roots += lines.roots;
        objects += lines.count;
        out.extend_from_slice(&lines.bytes);
        let more = next.lock().ok().and_then(|n| n.clone());
        match more {
            Some((true, Some(end))) => after = Some(end),
            _ => break,
        }
        // Let API requests in between pages of a big export.
        tokio::task::yield_now().await;
    }
    let size = out.len() as u64;
    let mut d = state.write();
    d.bulk_files.insert(id, Arc::new(out));
    if let Some(r) = d.bulk_operations.get_mut(&id) {
        r.status = BulkStatus::Completed;
        r.completed_at = Some(state.now());
        r.object_count = objects;
        r.root_object_count = roots;
        // Shopify reports no file (and no url) for an empty result.
        r.file_size = (size > 0).then_some(size);
        r.url = (size > 0).then(|| format!("{base_url}/__bulk/{id}.jsonl"));
    }
}

fn fail(state: &ShopState, id: u64) {
    set_status(state, id, |r| {
        r.status = BulkStatus::Failed;
        r.error_code = Some("INTERNAL_SERVER_ERROR");
        r.completed_at = Some(state.now());
    });
}

#[derive(Default)]
struct Lines {
    bytes: Vec<u8>,
    count: u64,
    roots: u64,
}

impl Lines {
    fn push(&mut self, line: &Map<String, Value>, root: bool) {
        if let Ok(text) = serde_json::to_vec(line) {
            self.bytes.extend_from_slice(&text);
            self.bytes.push(b'\n');
            self.count += 1;
            self.roots += u64::from(root);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn emit_connection(
    index: &TypeIndex,
    doc: &ExecutableDocument,
    conn_type: &str,
    set: &SelectionSet,
    conn: &Value,
    parent_id: Option<&str>,
    group: bool,
    out: &mut Lines,
) {
    let node_type = index.field_type(conn_type, "nodes").map(|t| t.0).unwrap_or_default();
    let mut deferred = Lines::default();
    for (field, key, sub) in fields_of(doc, set) {
        let nodes: Vec<(&Value, &SelectionSet)> = match field.as_str() {
            "nodes" => conn
                .get(&key)
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|n| (n, sub)).collect())
                .unwrap_or_default(),
            "edges" => {
                let node_sel = fields_of(doc, sub).into_iter().find(|(f, _, _)| f == "node");
                match (conn.get(&key).and_then(Value::as_array), node_sel) {
                    (Some(edges), Some((_, node_key, node_sub))) => {
                        edges.iter().filter_map(|e| e.get(&node_key)).map(|n| (n, node_sub)).collect()
                    }
                    _ => vec![],
                }
            }
            _ => vec![],
        };
        for (node, node_sub) in nodes {
            let Value::Object(map) = node else { continue };
            let mut line = map.clone();
            let mut children = Vec::new();
            strip_connections(index, doc, &node_type, node_sub, &mut line, &mut children);
            if let Some(p) = parent_id {
                line.insert("__parentId".into(), Value::String(p.to_string()));
            }
            out.push(&line, parent_id.is_none());
            let own_id = map.get("id").and_then(Value::as_str).map(str::to_string);
            let child_parent = own_id.as_deref().or(parent_id);
            for (child_type, child_set, child_value) in children {
                // Grouped output keeps children right after their parent; otherwise they
                // come after the whole page, which is what ungrouped output allows.
                let target = if group { &mut *out } else { &mut deferred };
                emit_connection(index, doc, &child_type, child_set, &child_value, child_parent, group, target);
            }
        }
    }
    out.bytes.extend_from_slice(&deferred.bytes);
    out.count += deferred.count;
    out.roots += deferred.roots;
}

/// Removes nested connection fields from a node's JSON (they become their own lines) and
/// hands them back with their type and selection.
fn strip_connections<'a>(
    index: &TypeIndex,
    doc: &'a ExecutableDocument,
    parent: &str,
    set: &'a SelectionSet,
    line: &mut Map<String, Value>,
    children: &mut Vec<(String, &'a SelectionSet, Value)>,
) {
    for (field, key, sub) in fields_of(doc, set) {
        let Some((type_name, _)) = index.field_type(parent, &field) else { continue };
        if index.is_connection(&type_name) {
            if let Some(value) = line.remove(&key) {
                children.push((type_name, sub, value));
            }
        } else if let Some(Value::Object(inner)) = line.get_mut(&key) {
            strip_connections(index, doc, &type_name, sub, inner, children);
        }
    }
}
