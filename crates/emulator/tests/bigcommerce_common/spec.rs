//! Validates emulator responses against BigCommerce's own OpenAPI files in `../shared`.
//!
//! OpenAPI 3.0 schemas are JSON Schema draft 4 plus a few extras; the only one that changes
//! meaning is `nullable` (and the Swagger-era `x-nullable` these files also use), which becomes
//! an explicit `null` type. Local `$ref`s resolve against the file's `components`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};

/// `/work/shared` seen from the crate: `CARGO_MANIFEST_DIR/../../../shared`.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    dir.join("specs/bigcommerce/reference").is_dir().then_some(dir)
}

pub struct Specs {
    reference: PathBuf,
    docs: Mutex<HashMap<String, Arc<Value>>>,
}

impl Specs {
    /// None (with a printed notice) when the shared reference material is absent.
    pub fn load() -> Option<Specs> {
        match shared_dir() {
            Some(dir) => {
                Some(Specs { reference: dir.join("specs/bigcommerce/reference"), docs: Mutex::new(HashMap::new()) })
            }
            None => {
                eprintln!(
                    "skipping: ../shared not found (looked for CARGO_MANIFEST_DIR/../../../shared/specs/bigcommerce/reference)"
                );
                None
            }
        }
    }

    fn doc(&self, file: &str) -> Arc<Value> {
        let mut docs = self.docs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(d) = docs.get(file) {
            return d.clone();
        }
        let text =
            std::fs::read_to_string(self.reference.join(file)).unwrap_or_else(|e| panic!("read spec {file}: {e}"));
        let yaml: serde_norway::Value =
            serde_norway::from_str(&text).unwrap_or_else(|e| panic!("parse spec {file}: {e}"));
        let mut json = yaml_to_json(yaml);
        nullable_to_null_type(&mut json);
        let doc = Arc::new(json);
        docs.insert(file.to_string(), doc.clone());
        doc
    }

    /// The schema of the documented response, or why there is none.
    fn response_schema(
        &self,
        file: &str,
        method: &str,
        path: &str,
        status: u16,
    ) -> Result<(Arc<Value>, Value), String> {
        let doc = self.doc(file);
        let op = doc
            .pointer(&format!("/paths/{}/{}", escape(path), method.to_lowercase()))
            .ok_or_else(|| format!("{method} {path} is not in {file}"))?;
        let mut response = op
            .get("responses")
            .and_then(|r| r.get(status.to_string()))
            .ok_or_else(|| format!("status {status} is not documented for {method} {path} in {file}"))?
            .clone();
        if let Some(r) = response.get("$ref").and_then(Value::as_str) {
            response = resolve(&doc, r).ok_or_else(|| format!("unresolvable {r} in {file}"))?.clone();
        }
        let content = response
            .get("content")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{method} {path} {status} has no body in {file}"))?;
        let schema = ["application/json", "application/problem+json"]
            .iter()
            .find_map(|ct| content.get(*ct))
            .or_else(|| content.values().next())
            .and_then(|c| c.get("schema"))
            .ok_or_else(|| format!("{method} {path} {status} has no schema in {file}"))?
            .clone();
        Ok((doc, schema))
    }

    /// Validates `body` against the response schema of `method path` for `status` in `file`.
    pub fn check(&self, file: &str, method: &str, path: &str, status: u16, body: &Value) -> Result<(), String> {
        let (doc, schema) = self.response_schema(file, method, path, status)?;
        validate(&doc, schema, body)
            .map_err(|e| format!("{method} {path} {status} ({file}): {e}\nbody: {}", truncate(body)))
    }

    /// For responses documented only by an example: the body has every top-level key of the
    /// example, with the same JSON type.
    pub fn check_example(&self, file: &str, method: &str, path: &str, status: u16, body: &Value) -> Result<(), String> {
        let doc = self.doc(file);
        let response = doc
            .pointer(&format!("/paths/{}/{}/responses/{status}", escape(path), method.to_lowercase()))
            .ok_or_else(|| format!("status {status} is not documented for {method} {path} in {file}"))?;
        let content = response
            .pointer("/content/application~1json")
            .ok_or_else(|| format!("{method} {path} {status} has no JSON content"))?;
        let example = content
            .get("example")
            .or_else(|| {
                content
                    .get("examples")
                    .and_then(Value::as_object)
                    .and_then(|e| e.values().next())
                    .and_then(|e| e.get("value"))
            })
            .ok_or_else(|| format!("{method} {path} {status} has neither schema nor example in {file}"))?;
        let kind = |v: &Value| match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        for (key, expected) in example.as_object().into_iter().flatten() {
            match body.get(key) {
                Some(actual) if kind(actual) == kind(expected) => {}
                Some(actual) => {
                    return Err(format!(
                        "{method} {path} {status}: {key} is {} but the spec's example has {}",
                        kind(actual),
                        kind(expected)
                    ));
                }
                None => {
                    return Err(format!(
                        "{method} {path} {status}: {key} is missing (the spec's example has it)\nbody: {}",
                        truncate(body)
                    ));
                }
            }
        }
        Ok(())
    }

    /// Validates `value` against `#/components/schemas/{name}` in `file`.
    pub fn check_component(&self, file: &str, name: &str, value: &Value) -> Result<(), String> {
        let doc = self.doc(file);
        let schema = doc
            .pointer(&format!("/components/schemas/{name}"))
            .ok_or_else(|| format!("no schema {name} in {file}"))?
            .clone();
        validate(&doc, schema, value).map_err(|e| format!("schema {name} ({file}): {e}\nvalue: {}", truncate(value)))
    }
}

fn truncate(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 1500 { format!("{}…", &s[..1500]) } else { s }
}

fn validate(doc: &Value, schema: Value, body: &Value) -> Result<(), String> {
    // The target sits beside the file's components so its local $refs resolve.
    let mut root = Map::new();
    root.insert("components".into(), doc.get("components").cloned().unwrap_or(json!({})));
    root.insert("x-target".into(), schema);
    root.insert("$ref".into(), json!("#/x-target"));
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&Value::Object(root))
        .map_err(|e| format!("the spec's schema does not compile: {e}"))?;
    let errors: Vec<String> =
        validator.iter_errors(body).map(|e| format!("at {}: {}", e.instance_path(), e)).take(8).collect();
    if errors.is_empty() { Ok(()) } else { Err(errors.join("\n")) }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

fn yaml_to_json(v: serde_norway::Value) -> Value {
    use serde_norway::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                json!(i)
            } else if let Some(u) = n.as_u64() {
                json!(u)
            } else {
                n.as_f64().map_or(Value::Null, |f| json!(f))
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        Y::Number(n) => n.to_string(),
                        Y::Bool(b) => b.to_string(),
                        other => format!("{other:?}"),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(t) => yaml_to_json(t.value),
    }
}

/// OpenAPI's `nullable: true` (and `x-nullable: true`) → JSON Schema's explicit null type.
fn nullable_to_null_type(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(nullable_to_null_type),
        Value::Object(map) => {
            for child in map.values_mut() {
                nullable_to_null_type(child);
            }
            let nullable = ["nullable", "x-nullable"].iter().any(|k| map.get(*k) == Some(&Value::Bool(true)));
            if !nullable {
                return;
            }
            map.remove("nullable");
            map.remove("x-nullable");
            match map.get_mut("type") {
                Some(Value::String(t)) => {
                    let t = t.clone();
                    map.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(e)) = map.get_mut("enum") {
                        e.push(Value::Null);
                    }
                }
                Some(Value::Array(types)) => types.push(json!("null")),
                _ => {
                    let inner = std::mem::take(map);
                    map.insert("anyOf".into(), json!([Value::Object(inner), {"type": "null"}]));
                }
            }
        }
        _ => {}
    }
}
