//! Shopify's calculated query cost and its leaky bucket.
//!
//! Cost model (shopify.dev rate-limits page and Shopify's engineering write-up): scalars and
//! enums cost 0, objects 1, a connection 2 plus one object per requested node (`first`/`last`),
//! nested selections are multiplied by the number of nodes, and every mutation field costs
//! 10. The requested cost is checked before execution (over 1000 fails with
//! MAX_COST_EXCEEDED); the same formula over the returned data gives the actual cost, and the
//! difference is refunded to the bucket.

use std::collections::HashMap;
use std::time::Instant;

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet, Type, TypeKind,
    TypeSystemDefinition,
};
use async_graphql::{Name, Value as GqlValue};
use serde_json::{Map, Value};

pub(crate) const MAX_QUERY_COST: f64 = 1000.0;
pub(crate) const MUTATION_COST: f64 = 10.0;
pub(crate) const MAX_PAGE_SIZE: i64 = 250;
pub(crate) const MAX_INPUT_ARRAY: usize = 250;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Leaf,
    Composite,
}

#[derive(Debug, Clone)]
struct FieldInfo {
    type_name: String,
    is_list: bool,
}

/// Return types of every field of the emulator's own schema, read from its SDL.
#[derive(Debug, Default)]
pub(crate) struct TypeIndex {
    kinds: HashMap<String, Kind>,
    fields: HashMap<(String, String), FieldInfo>,
}

fn named(ty: &Type) -> (String, bool) {
    match &ty.base {
        BaseType::Named(n) => (n.to_string(), false),
        BaseType::List(inner) => (named(inner).0, true),
    }
}

impl TypeIndex {
    pub fn from_sdl(sdl: &str) -> Result<TypeIndex, String> {
        let doc = async_graphql::parser::parse_schema(sdl).map_err(|e| e.to_string())?;
        let mut index = TypeIndex::default();
        for def in doc.definitions {
            let TypeSystemDefinition::Type(t) = def else { continue };
            let name = t.node.name.node.to_string();
            let fields = match &t.node.kind {
                TypeKind::Object(o) => Some(&o.fields),
                TypeKind::Interface(i) => Some(&i.fields),
                _ => None,
            };
            let kind = match &t.node.kind {
                TypeKind::Object(_) | TypeKind::Interface(_) | TypeKind::Union(_) => Kind::Composite,
                _ => Kind::Leaf,
            };
            index.kinds.insert(name.clone(), kind);
            for f in fields.into_iter().flatten() {
                let (type_name, is_list) = named(&f.node.ty.node);
                index.fields.insert((name.clone(), f.node.name.node.to_string()), FieldInfo { type_name, is_list });
            }
        }
        Ok(index)
    }

    fn field(&self, parent: &str, name: &str) -> Option<&FieldInfo> {
        self.fields.get(&(parent.to_string(), name.to_string()))
    }

    fn is_composite(&self, type_name: &str) -> bool {
        self.kinds.get(type_name) == Some(&Kind::Composite)
    }

    pub fn is_connection(&self, type_name: &str) -> bool {
        type_name.ends_with("Connection") && self.is_composite(type_name)
    }

    /// Return type of `parent.field`, for walkers outside this module (bulk JSONL).
    pub fn field_type(&self, parent: &str, field: &str) -> Option<(String, bool)> {
        self.field(parent, field).map(|f| (f.type_name.clone(), f.is_list))
    }
}

/// A request refused before execution.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CostError {
    pub message: String,
    pub code: &'static str,
    pub path: Vec<String>,
}

pub(crate) struct CostWalk<'a> {
    pub index: &'a TypeIndex,
    pub doc: &'a ExecutableDocument,
    pub variables: &'a Map<String, Value>,
}

/// Substitutes variables into an argument literal.
fn with_vars(variables: &Map<String, Value>) -> impl FnMut(Name) -> Result<GqlValue, std::convert::Infallible> + '_ {
    move |name| {
        Ok(variables.get(name.as_str()).and_then(|j| GqlValue::from_json(j.clone()).ok()).unwrap_or(GqlValue::Null))
    }
}

fn resolve_int(value: &GqlValue) -> Option<i64> {
    match value {
        GqlValue::Number(n) => n.as_i64(),
        _ => None,
    }
}

impl CostWalk<'_> {
    /// Requested cost of an operation (data None) or its actual cost over the response data.
    pub fn operation(&self, op: &OperationDefinition, data: Option<&Value>) -> Result<f64, CostError> {
        let root = match op.ty {
            OperationType::Query => "QueryRoot",
            OperationType::Mutation => {
                let fields = op
                    .selection_set
                    .node
                    .items
                    .iter()
                    .filter(|s| matches!(&s.node, Selection::Field(f) if !f.node.name.node.starts_with("__")))
                    .count();
                return Ok(MUTATION_COST * fields.max(1) as f64);
            }
            OperationType::Subscription => return Ok(0.0),
        };
        self.selection(root, &op.selection_set.node, data, &mut Vec::new())
    }

    fn selection(
        &self,
        parent: &str,
        set: &SelectionSet,
        data: Option<&Value>,
        path: &mut Vec<String>,
    ) -> Result<f64, CostError> {
        let mut base = 0.0;
        // Fragments on other types than the parent are alternatives (interfaces, unions):
        // only the most expensive counts.
        let mut alternatives: HashMap<String, f64> = HashMap::new();
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => base += self.field(parent, &f.node, data, path)?,
                Selection::FragmentSpread(s) => {
                    let Some(fragment) = self.doc.fragments.get(&s.node.fragment_name.node) else { continue };
                    let on = fragment.node.type_condition.node.on.node.to_string();
                    let cost = self.selection(&on, &fragment.node.selection_set.node, data, path)?;
                    if on == parent { base += cost } else { *alternatives.entry(on).or_default() += cost }
                }
                Selection::InlineFragment(f) => {
                    let on = f
                        .node
                        .type_condition
                        .as_ref()
                        .map_or_else(|| parent.to_string(), |t| t.node.on.node.to_string());
                    let cost = self.selection(&on, &f.node.selection_set.node, data, path)?;
                    if on == parent { base += cost } else { *alternatives.entry(on).or_default() += cost }
                }
            }
        }
        Ok(base + alternatives.values().copied().fold(0.0, f64::max))
    }

    fn field(
        &self,
        parent: &str,
        f: &async_graphql::parser::types::Field,
        data: Option<&Value>,
        path: &mut Vec<String>,
    ) -> Result<f64, CostError> {
        let name = f.name.node.as_str();
        if name.starts_with("__") {
            return Ok(0.0);
        }
        let Some(info) = self.index.field(parent, name) else { return Ok(0.0) };
        if !self.index.is_composite(&info.type_name) {
            return Ok(0.0);
        }
        let key = f.alias.as_ref().map_or(name, |a| a.node.as_str());
        let child = match data {
            Some(d) => match d.get(key) {
                Some(v) if !v.is_null() => Some(v),
                // Not returned: nothing was paid for it.
                _ => return Ok(0.0),
            },
            None => None,
        };
        path.push(key.to_string());
        let set = &f.selection_set.node;
        let cost = if self.index.is_connection(&info.type_name) {
            let arg = |n: &str| {
                f.arguments
                    .iter()
                    .find(|(a, _)| a.node.as_str() == n)
                    .and_then(|(_, v)| v.node.clone().into_const_with(with_vars(self.variables)).ok())
                    .and_then(|v| resolve_int(&v))
            };
            let size = arg("first").or_else(|| arg("last"));
            match child {
                None => {
                    let Some(size) = size else {
                        let p = path.clone();
                        path.pop();
                        return Err(CostError {
                            message: "you must provide one of first or last".into(),
                            code: "BAD_REQUEST",
                            path: p,
                        });
                    };
                    if !(0..=MAX_PAGE_SIZE).contains(&size) {
                        let p = path.clone();
                        path.pop();
                        return Err(CostError {
                            message: format!(
                                "{key}: first and last must be between 0 and {MAX_PAGE_SIZE}, got {size}. Page with after/endCursor, or use a bulk operation for everything."
                            ),
                            code: "BAD_REQUEST",
                            path: p,
                        });
                    }
                    2.0 + size as f64 * self.per_node(&info.type_name, set, None, path)?
                }
                Some(conn) => {
                    let nodes = connection_nodes(conn);
                    let mut total = 2.0;
                    for node in nodes {
                        total += self.per_node(&info.type_name, set, Some(node), path)?;
                    }
                    total
                }
            }
        } else if info.is_list {
            match child.and_then(Value::as_array) {
                None => 1.0 + self.selection(&info.type_name, set, None, path)?,
                Some(items) => {
                    let mut most: f64 = 0.0;
                    for item in items {
                        most = most.max(self.selection(&info.type_name, set, Some(item), path)?);
                    }
                    1.0 + most
                }
            }
        } else {
            1.0 + self.selection(&info.type_name, set, child, path)?
        };
        path.pop();
        Ok(cost)
    }

    /// One node of a connection: the node object itself plus what is selected inside it,
    /// reached through `edges { node }` or `nodes`. `pageInfo` is part of the connection's 2.
    fn per_node(
        &self,
        connection: &str,
        set: &SelectionSet,
        node: Option<&Value>,
        path: &mut Vec<String>,
    ) -> Result<f64, CostError> {
        let Some(edges) = self.index.field(connection, "edges") else { return Ok(1.0) };
        let edge_type = edges.type_name.clone();
        let node_type = self.index.field(connection, "nodes").map(|f| f.type_name.clone()).unwrap_or_default();
        let mut most: f64 = 0.0;
        for item in &set.items {
            let Selection::Field(f) = &item.node else { continue };
            let inner = match f.node.name.node.as_str() {
                "nodes" => self.selection(&node_type, &f.node.selection_set.node, node, path)?,
                "edges" => {
                    let mut best: f64 = 0.0;
                    for e in &f.node.selection_set.node.items {
                        if let Selection::Field(nf) = &e.node
                            && nf.node.name.node.as_str() == "node"
                        {
                            let t =
                                self.index.field(&edge_type, "node").map(|f| f.type_name.clone()).unwrap_or_default();
                            best = best.max(self.selection(&t, &nf.node.selection_set.node, node, path)?);
                        }
                    }
                    best
                }
                _ => 0.0,
            };
            most = most.max(inner);
        }
        Ok(1.0 + most)
    }
}

/// The node objects a connection returned, from `nodes` or `edges[].node`. For the actual cost
/// a node's own selections are looked up in whichever list the client selected.
fn connection_nodes(conn: &Value) -> Vec<&Value> {
    if let Some(nodes) = conn.get("nodes").and_then(Value::as_array) {
        return nodes.iter().collect();
    }
    conn.get("edges")
        .and_then(Value::as_array)
        .map(|edges| edges.iter().filter_map(|e| e.get("node")).collect())
        .unwrap_or_default()
}

/// Input arrays over 250 items anywhere in the arguments or variables are refused (facts §2.2).
pub(crate) fn oversized_input(op: &OperationDefinition, variables: &Map<String, Value>) -> Option<CostError> {
    fn json_too_big(v: &Value, path: &mut Vec<String>) -> Option<(usize, Vec<String>)> {
        match v {
            Value::Array(items) if items.len() > MAX_INPUT_ARRAY => Some((items.len(), path.clone())),
            Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| {
                path.push(i.to_string());
                let r = json_too_big(x, path);
                path.pop();
                r
            }),
            Value::Object(map) => map.iter().find_map(|(k, x)| {
                path.push(k.clone());
                let r = json_too_big(x, path);
                path.pop();
                r
            }),
            _ => None,
        }
    }
    fn literal_too_big(v: &GqlValue) -> Option<usize> {
        match v {
            GqlValue::List(items) if items.len() > MAX_INPUT_ARRAY => Some(items.len()),
            GqlValue::List(items) => items.iter().find_map(literal_too_big),
            GqlValue::Object(map) => map.values().find_map(literal_too_big),
            _ => None,
        }
    }
    let error = |size: usize, path: Vec<String>| CostError {
        message: format!(
            "The input array size of {size} is greater than the maximum allowed of {MAX_INPUT_ARRAY}. Split the request into batches of {MAX_INPUT_ARRAY} or fewer."
        ),
        code: "MAX_INPUT_SIZE_EXCEEDED",
        path,
    };
    for (name, value) in variables {
        if let Some((size, mut path)) = json_too_big(value, &mut Vec::new()) {
            path.insert(0, format!("${name}"));
            return Some(error(size, path));
        }
    }
    let mut stack: Vec<&SelectionSet> = vec![&op.selection_set.node];
    while let Some(set) = stack.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    for (arg, value) in &f.node.arguments {
                        let literal =
                            value.node.clone().into_const_with(|_| Ok::<_, std::convert::Infallible>(GqlValue::Null));
                        if let Some(size) = literal.ok().as_ref().and_then(literal_too_big) {
                            return Some(error(size, vec![f.node.name.node.to_string(), arg.node.to_string()]));
                        }
                    }
                    stack.push(&f.node.selection_set.node);
                }
                Selection::InlineFragment(f) => stack.push(&f.node.selection_set.node),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    None
}

/// Picks the operation a request runs: the named one, or the only one.
pub(crate) fn pick_operation<'a>(
    doc: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<(Option<&'a Name>, &'a OperationDefinition)> {
    let mut ops = doc.operations.iter();
    match name {
        Some(n) => ops.find(|(op_name, _)| op_name.is_some_and(|o| o.as_str() == n)).map(|(n, op)| (n, &op.node)),
        None if doc.operations.iter().len() == 1 => ops.next().map(|(n, op)| (n, &op.node)),
        None => None,
    }
}

/// The per-app leaky bucket: `capacity` points, refilled at `rate` points per second.
#[derive(Debug)]
pub(crate) struct Bucket {
    pub capacity: f64,
    pub rate: f64,
    available: f64,
    at: Instant,
    /// Points charged so far, net of refunds.
    spent: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ThrottleStatus {
    pub maximum_available: f64,
    pub currently_available: f64,
    pub restore_rate: f64,
}

impl Bucket {
    pub fn new(capacity: f64, rate: f64) -> Bucket {
        Bucket { capacity, rate, available: capacity, at: Instant::now(), spent: 0.0 }
    }

    fn refill(&mut self) {
        let now = Instant::now();
        let elapsed = now.duration_since(self.at).as_secs_f64();
        self.available = (self.available + elapsed * self.rate).min(self.capacity);
        self.at = now;
    }

    /// Takes `cost` points if the bucket holds them.
    pub fn try_take(&mut self, cost: f64) -> bool {
        self.refill();
        if self.available >= cost {
            self.available -= cost;
            self.spent += cost;
            true
        } else {
            false
        }
    }

    /// Gives back the difference between requested and actual cost.
    pub fn refund(&mut self, points: f64) {
        self.refill();
        self.available = (self.available + points.max(0.0)).min(self.capacity);
        self.spent -= points.max(0.0);
    }

    pub fn spent(&self) -> f64 {
        self.spent
    }

    pub fn status(&mut self) -> ThrottleStatus {
        self.refill();
        ThrottleStatus {
            maximum_available: self.capacity,
            currently_available: self.available,
            restore_rate: self.rate,
        }
    }

    /// New limits keep the points already held (capped at the new size).
    pub fn reconfigure(&mut self, capacity: f64, rate: f64) {
        self.refill();
        self.capacity = capacity;
        self.rate = rate;
        self.available = self.available.min(capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = r#"
        type QueryRoot { products(first: Int, last: Int): ProductConnection! shop: Shop! }
        type Shop { name: String! }
        type ProductConnection { edges: [ProductEdge!]! nodes: [Product!]! pageInfo: PageInfo! }
        type ProductEdge { cursor: String! node: Product! }
        type PageInfo { hasNextPage: Boolean! }
        type Product { title: String! variants(first: Int): VariantConnection! }
        type VariantConnection { edges: [VariantEdge!]! nodes: [Variant!]! }
        type VariantEdge { node: Variant! }
        type Variant { price: String! inventoryItem: Item! }
        type Item { id: ID! }
    "#;

    fn cost(query: &str, data: Option<Value>) -> Result<f64, CostError> {
        let index = TypeIndex::from_sdl(SDL).map_err(|e| CostError { message: e, code: "", path: vec![] })?;
        let doc = async_graphql::parser::parse_query(query).map_err(|e| CostError {
            message: e.to_string(),
            code: "",
            path: vec![],
        })?;
        let variables = Map::new();
        let walk = CostWalk { index: &index, doc: &doc, variables: &variables };
        let (_, op) =
            pick_operation(&doc, None).ok_or(CostError { message: "no op".into(), code: "", path: vec![] })?;
        walk.operation(op, data.as_ref())
    }

    #[test]
    fn nested_connections_multiply() {
        let q = "{ products(first: 10) { edges { node { title variants(first: 5) { nodes { price } } } } } }";
        assert_eq!(cost(q, None), Ok(2.0 + 10.0 * (1.0 + 2.0 + 5.0)), "2 + 10 × (product + 2 + 5 variants)");
        let q = "{ products(first: 250) { nodes { title } pageInfo { hasNextPage } } }";
        assert_eq!(cost(q, None), Ok(252.0), "a flat page of 250 costs 252, as Shopify reports");
        let q = "{ products(first: 2) { nodes { variants(first: 3) { nodes { inventoryItem { id } } } } } }";
        assert_eq!(cost(q, None), Ok(2.0 + 2.0 * (1.0 + 2.0 + 3.0 * 2.0)), "an object inside a node adds one per node");
    }

    #[test]
    fn actual_cost_counts_what_came_back() {
        let q = "{ products(first: 50) { nodes { title } } }";
        let data = serde_json::json!({"products": {"nodes": [{"title": "a"}, {"title": "b"}]}});
        assert_eq!(cost(q, Some(data)), Ok(4.0), "two products returned: 2 + 2");
    }

    #[test]
    fn connections_need_a_page_size_within_limits() {
        assert!(
            cost("{ products { nodes { title } } }", None).is_err_and(|e| e.message.contains("first or last")),
            "first/last is required"
        );
        assert!(cost("{ products(first: 251) { nodes { title } } }", None).is_err(), "pages are capped at 250");
    }

    #[test]
    fn bucket_leaks_and_refills() {
        let mut b = Bucket::new(100.0, 1_000_000.0);
        assert!(b.try_take(100.0), "a full bucket pays a query as big as itself");
        let mut slow = Bucket::new(100.0, 0.0);
        assert!(slow.try_take(60.0) && !slow.try_take(60.0), "without refill the second query is refused");
        slow.refund(50.0);
        assert!(slow.try_take(60.0), "a refund makes room again");
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(b.try_take(100.0), "at a million points a second, 5 ms refills the bucket");
    }
}
