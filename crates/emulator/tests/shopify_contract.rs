//! Every type, field, argument, enum value and directive the emulator exposes must exist, with a
//! compatible type, in Shopify's published Admin schema. A client written against the emulator
//! then works against Shopify; anything the emulator invents would be a trap.
// A broken fixture should stop the test at once, with its message.
#![allow(clippy::expect_used)]

mod shopify_common;

use std::collections::HashMap;
use std::path::PathBuf;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{BaseType, InputValueDefinition, Type, TypeKind, TypeSystemDefinition};
use tillbridge_emulator::shopify::{ShopifyConfig, ShopifyEmulator};

/// 2026 additions, absent from the newest published SDL (unstable, 2025-10-09), recorded in the
/// facts (§2.5, §2.10) from shopify.dev's 2026 pages.
const ALLOWED_ADDITIONS: &[(&str, &str)] = &[
    // 2026-01: compare-and-swap redesign; mandatory from 2026-04.
    ("InventoryQuantityInput", "changeFromQuantity"),
    // 2026-04: CAS for adjustments.
    ("InventoryChangeInput", "changeFromQuantity"),
    // 2026-01 error codes of the redesign and of @idempotent.
    ("InventorySetQuantitiesUserErrorCode", "CHANGE_FROM_QUANTITY_STALE"),
    ("InventorySetQuantitiesUserErrorCode", "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"),
    ("InventoryAdjustQuantitiesUserErrorCode", "CHANGE_FROM_QUANTITY_STALE"),
    ("InventoryAdjustQuantitiesUserErrorCode", "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"),
    // 2026-01: bulkOperation(id) query next to currentBulkOperation.
    ("QueryRoot", "bulkOperation"),
    // The @idempotent(key:) operation directive (2026-01, mandatory at runtime from 2026-04).
    ("@directive", "idempotent"),
];

const BUILT_IN_SCALARS: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];
const BUILT_IN_DIRECTIVES: [&str; 5] = ["skip", "include", "deprecated", "specifiedBy", "oneOf"];

fn spec_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/specs/shopify/admin_schema_unstable_2025-10-09.graphql")
}

#[derive(Debug)]
enum Shape {
    Object { implements: Vec<String>, fields: HashMap<String, (Type, HashMap<String, Type>)> },
    Enum(Vec<String>),
    Input(HashMap<String, Type>),
    Scalar,
    Union,
}

struct Schema {
    types: HashMap<String, Shape>,
    directives: Vec<String>,
}

fn args(list: &[async_graphql::Positioned<InputValueDefinition>]) -> HashMap<String, Type> {
    list.iter().map(|a| (a.node.name.node.to_string(), a.node.ty.node.clone())).collect()
}

fn load(sdl: &str) -> Schema {
    let doc = parse_schema(sdl).unwrap_or_else(|e| panic!("SDL must parse: {e}"));
    let mut types = HashMap::new();
    let mut directives = Vec::new();
    for def in doc.definitions {
        match def {
            TypeSystemDefinition::Type(t) => {
                let name = t.node.name.node.to_string();
                let shape = match t.node.kind {
                    TypeKind::Object(o) => Shape::Object {
                        implements: o.implements.iter().map(|i| i.node.to_string()).collect(),
                        fields: o
                            .fields
                            .iter()
                            .map(|f| (f.node.name.node.to_string(), (f.node.ty.node.clone(), args(&f.node.arguments))))
                            .collect(),
                    },
                    TypeKind::Interface(i) => Shape::Object {
                        implements: i.implements.iter().map(|i| i.node.to_string()).collect(),
                        fields: i
                            .fields
                            .iter()
                            .map(|f| (f.node.name.node.to_string(), (f.node.ty.node.clone(), args(&f.node.arguments))))
                            .collect(),
                    },
                    TypeKind::Enum(e) => Shape::Enum(e.values.iter().map(|v| v.node.value.node.to_string()).collect()),
                    TypeKind::InputObject(i) => Shape::Input(args(&i.fields)),
                    TypeKind::Scalar => Shape::Scalar,
                    TypeKind::Union(_) => Shape::Union,
                };
                types.insert(name, shape);
            }
            TypeSystemDefinition::Directive(d) => directives.push(d.node.name.node.to_string()),
            TypeSystemDefinition::Schema(_) => {}
        }
    }
    Schema { types, directives }
}

/// An output may be stricter than Shopify's (non-null where Shopify allows null), never looser.
fn output_compatible(ours: &Type, theirs: &Type) -> bool {
    if ours.nullable && !theirs.nullable {
        return false;
    }
    match (&ours.base, &theirs.base) {
        (BaseType::Named(a), BaseType::Named(b)) => a == b,
        (BaseType::List(a), BaseType::List(b)) => output_compatible(a, b),
        _ => false,
    }
}

/// An input may accept more than Shopify's (nullable where Shopify requires), never less.
fn input_compatible(ours: &Type, theirs: &Type) -> bool {
    if theirs.nullable && !ours.nullable {
        return false;
    }
    match (&ours.base, &theirs.base) {
        (BaseType::Named(a), BaseType::Named(b)) => a == b,
        (BaseType::List(a), BaseType::List(b)) => input_compatible(a, b),
        _ => false,
    }
}

fn allowed(owner: &str, member: &str) -> bool {
    ALLOWED_ADDITIONS.contains(&(owner, member))
}

#[test]
fn every_exposed_name_exists_in_shopifys_schema() {
    let path = spec_path();
    let Ok(spec) = std::fs::read_to_string(&path) else {
        eprintln!(
            "NOTICE: {} is absent; the Shopify contract test is skipped (run it where ../shared is laid out).",
            path.display()
        );
        return;
    };
    let theirs = load(&spec);
    let emulator = ShopifyEmulator::new(&shopify_common::small_world(), ShopifyConfig::default());
    let ours = load(&emulator.sdl());
    let mut problems: Vec<String> = Vec::new();
    let mut checked = 0usize;

    for (name, shape) in &ours.types {
        if name.starts_with("__") || BUILT_IN_SCALARS.contains(&name.as_str()) {
            continue;
        }
        let Some(real) = theirs.types.get(name) else {
            problems.push(format!("type {name} does not exist in Shopify's schema"));
            continue;
        };
        match (shape, real) {
            (Shape::Object { implements, fields }, Shape::Object { implements: real_impl, fields: real_fields }) => {
                for i in implements {
                    if !real_impl.contains(i) {
                        problems.push(format!("{name} implements {i}, Shopify's does not"));
                    }
                }
                for (field, (ty, field_args)) in fields {
                    checked += 1;
                    let Some((real_ty, real_args)) = real_fields.get(field) else {
                        if !allowed(name, field) {
                            problems.push(format!("{name}.{field} does not exist in Shopify's schema"));
                        }
                        continue;
                    };
                    if !output_compatible(ty, real_ty) {
                        problems.push(format!("{name}.{field}: ours is {ty}, Shopify's is {real_ty}"));
                    }
                    for (arg, arg_ty) in field_args {
                        checked += 1;
                        match real_args.get(arg) {
                            None => {
                                problems.push(format!("{name}.{field}({arg}:) is not an argument in Shopify's schema"))
                            }
                            Some(real) if !input_compatible(arg_ty, real) => {
                                problems.push(format!("{name}.{field}({arg}:): ours is {arg_ty}, Shopify's is {real}"))
                            }
                            Some(_) => {}
                        }
                    }
                }
            }
            (Shape::Enum(values), Shape::Enum(real_values)) => {
                for v in values {
                    checked += 1;
                    if !real_values.contains(v) && !allowed(name, v) {
                        problems.push(format!("enum value {name}.{v} does not exist in Shopify's schema"));
                    }
                }
            }
            (Shape::Input(fields), Shape::Input(real_fields)) => {
                for (field, ty) in fields {
                    checked += 1;
                    match real_fields.get(field) {
                        None if allowed(name, field) => {}
                        None => problems.push(format!("input {name}.{field} does not exist in Shopify's schema")),
                        Some(real) if !input_compatible(ty, real) => {
                            problems.push(format!("input {name}.{field}: ours is {ty}, Shopify's is {real}"))
                        }
                        Some(_) => {}
                    }
                }
            }
            (Shape::Scalar, Shape::Scalar) | (Shape::Union, Shape::Union) => {}
            (ours_shape, real_shape) => problems
                .push(format!("{name} is a different kind of type: ours {ours_shape:?}, Shopify's {real_shape:?}")),
        }
    }
    for d in &ours.directives {
        if !BUILT_IN_DIRECTIVES.contains(&d.as_str()) && !theirs.directives.contains(d) && !allowed("@directive", d) {
            problems.push(format!("directive @{d} does not exist in Shopify's schema"));
        }
    }
    eprintln!("contract: checked {checked} members of {} types", ours.types.len());
    assert!(checked > 300, "the walk must cover the whole exposed schema, covered only {checked} members");
    assert!(
        problems.is_empty(),
        "the emulator exposes names Shopify does not have ({}):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_allow_list_names_only_things_the_emulator_exposes() {
    let emulator = ShopifyEmulator::new(&shopify_common::small_world(), ShopifyConfig::default());
    let ours = load(&emulator.sdl());
    for (owner, member) in ALLOWED_ADDITIONS {
        let present = match (*owner, ours.types.get(*owner)) {
            ("@directive", _) => ours.directives.iter().any(|d| d == member),
            (_, Some(Shape::Object { fields, .. })) => fields.contains_key(*member),
            (_, Some(Shape::Input(fields))) => fields.contains_key(*member),
            (_, Some(Shape::Enum(values))) => values.iter().any(|v| v == member),
            _ => false,
        };
        assert!(present, "allow-list entry {owner}.{member} is stale: the emulator no longer exposes it, so remove it");
    }
}
