//! The operator's mapping decisions and the matcher's latest records, paged for the mapping screen.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, Transaction, params, params_from_iter};
use serde::{Deserialize, Serialize};

use crate::columns::{count_at, json_at, json_text, time_at};
use crate::time::format_time;
use crate::{Store, StoreError};

/// What the operator said about one pair or one variant. Automatic matching never overrides it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// These two are the same item (also how an automatic match is confirmed).
    Link { bigcommerce_variant_id: i64, shopify_variant_id: String },
    /// These two are not the same item, whatever their keys say.
    Unlink { bigcommerce_variant_id: i64, shopify_variant_id: String },
    /// Leave this BigCommerce variant out of matching and sync.
    #[serde(rename = "ignore_bigcommerce")]
    IgnoreBigCommerce { variant_id: i64 },
    /// Leave this Shopify variant out of matching and sync.
    IgnoreShopify { variant_id: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Link,
    Unlink,
    Ignore,
}

impl DecisionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Link => "link",
            DecisionKind::Unlink => "unlink",
            DecisionKind::Ignore => "ignore",
        }
    }
}

impl Decision {
    pub fn kind(&self) -> DecisionKind {
        match self {
            Decision::Link { .. } => DecisionKind::Link,
            Decision::Unlink { .. } => DecisionKind::Unlink,
            Decision::IgnoreBigCommerce { .. } | Decision::IgnoreShopify { .. } => DecisionKind::Ignore,
        }
    }

    pub fn bigcommerce_variant_id(&self) -> Option<i64> {
        match self {
            Decision::Link { bigcommerce_variant_id, .. } | Decision::Unlink { bigcommerce_variant_id, .. } => {
                Some(*bigcommerce_variant_id)
            }
            Decision::IgnoreBigCommerce { variant_id } => Some(*variant_id),
            Decision::IgnoreShopify { .. } => None,
        }
    }

    pub fn shopify_variant_id(&self) -> Option<&str> {
        match self {
            Decision::Link { shopify_variant_id, .. } | Decision::Unlink { shopify_variant_id, .. } => {
                Some(shopify_variant_id)
            }
            Decision::IgnoreShopify { variant_id } => Some(variant_id),
            Decision::IgnoreBigCommerce { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionRecord {
    pub id: i64,
    pub decision: Decision,
    pub decided_at: DateTime<Utc>,
}

/// Stores a decision, replacing the earlier ones it contradicts, so the latest word of the operator
/// is the one that counts:
/// - a link removes the same pair's unlink, any other link of either variant (a variant has one
///   counterpart) and any ignore of either variant;
/// - an unlink removes the same pair's link;
/// - an ignore removes the variant's links.
///
/// Storing a decision that already exists refreshes its time. Returns the decision's id.
pub fn add_decision(tx: &Transaction<'_>, decision: &Decision, now: DateTime<Utc>) -> Result<i64, StoreError> {
    match decision {
        Decision::Link { bigcommerce_variant_id: b, shopify_variant_id: s } => tx.execute(
            "DELETE FROM mapping_decisions
             WHERE (kind IN ('link', 'ignore') AND (bigcommerce_variant_id = ?1 OR shopify_variant_id = ?2))
                OR (kind = 'unlink' AND bigcommerce_variant_id = ?1 AND shopify_variant_id = ?2)",
            params![b, s],
        )?,
        Decision::Unlink { bigcommerce_variant_id: b, shopify_variant_id: s } => tx.execute(
            "DELETE FROM mapping_decisions
             WHERE kind IN ('link', 'unlink') AND bigcommerce_variant_id = ?1 AND shopify_variant_id = ?2",
            params![b, s],
        )?,
        Decision::IgnoreBigCommerce { variant_id } => tx.execute(
            "DELETE FROM mapping_decisions WHERE kind IN ('link', 'ignore') AND bigcommerce_variant_id = ?1",
            [variant_id],
        )?,
        Decision::IgnoreShopify { variant_id } => tx.execute(
            "DELETE FROM mapping_decisions WHERE kind IN ('link', 'ignore') AND shopify_variant_id = ?1",
            [variant_id],
        )?,
    };
    Ok(tx.query_row(
        "INSERT INTO mapping_decisions (kind, bigcommerce_variant_id, shopify_variant_id, decided_at)
         VALUES (?1, ?2, ?3, ?4) RETURNING id",
        params![
            decision.kind().as_str(),
            decision.bigcommerce_variant_id(),
            decision.shopify_variant_id(),
            format_time(now)
        ],
        |r| r.get(0),
    )?)
}

/// Removes exactly this decision; returns whether it existed.
pub fn remove_decision(tx: &Transaction<'_>, decision: &Decision) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "DELETE FROM mapping_decisions WHERE kind = ?1 AND bigcommerce_variant_id IS ?2 AND shopify_variant_id IS ?3",
        params![decision.kind().as_str(), decision.bigcommerce_variant_id(), decision.shopify_variant_id()],
    )? > 0)
}

const DECISION_COLUMNS: &str =
    "SELECT id, kind, bigcommerce_variant_id, shopify_variant_id, decided_at FROM mapping_decisions";

/// Every decision, oldest first.
pub fn decisions(conn: &Connection) -> Result<Vec<DecisionRecord>, StoreError> {
    let mut stmt = conn.prepare(&format!("{DECISION_COLUMNS} ORDER BY id"))?;
    let rows = stmt.query_map([], decision_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Past this many variants, one pass over a table finds what names them sooner than a lookup each.
const LOOKUPS_BEFORE_SCAN: usize = 2_000;

/// The rows `select` reads (its columns `bigcommerce_variant_id` and `shopify_variant_id`) that name
/// any of these variants, each once, in the order of `key`: a lookup per id, or past
/// [`LOOKUPS_BEFORE_SCAN`] ids one pass over the table. `sides` says which variants a row names.
fn rows_naming<T, K: Ord>(
    conn: &Connection,
    select: &str,
    (bigcommerce, shopify): (&[i64], &[String]),
    read: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
    sides: impl Fn(&T) -> (Option<i64>, Option<&str>),
    key: impl Fn(&T) -> K,
) -> Result<Vec<T>, StoreError> {
    let mut found = std::collections::BTreeMap::new();
    if bigcommerce.len() + shopify.len() > LOOKUPS_BEFORE_SCAN {
        let (bc, sh): (HashSet<&i64>, HashSet<&str>) =
            (bigcommerce.iter().collect(), shopify.iter().map(String::as_str).collect());
        let mut stmt = conn.prepare_cached(select)?;
        for row in stmt.query_map([], &read)? {
            let row = row?;
            let (b, s) = sides(&row);
            if b.is_some_and(|b| bc.contains(&b)) || s.is_some_and(|s| sh.contains(s)) {
                found.insert(key(&row), row);
            }
        }
        return Ok(found.into_values().collect());
    }
    let mut by_bc = conn.prepare_cached(&format!("{select} WHERE bigcommerce_variant_id = ?1"))?;
    for id in bigcommerce {
        for row in by_bc.query_map([id], &read)? {
            let row = row?;
            found.insert(key(&row), row);
        }
    }
    let mut by_sh = conn.prepare_cached(&format!("{select} WHERE shopify_variant_id = ?1"))?;
    for id in shopify {
        for row in by_sh.query_map([id], &read)? {
            let row = row?;
            found.insert(key(&row), row);
        }
    }
    Ok(found.into_values().collect())
}

/// The decisions naming any of these variants, oldest first.
pub fn decisions_naming(
    conn: &Connection,
    bigcommerce: &[i64],
    shopify: &[String],
) -> Result<Vec<DecisionRecord>, StoreError> {
    rows_naming(
        conn,
        DECISION_COLUMNS,
        (bigcommerce, shopify),
        decision_from_row,
        |r| (r.decision.bigcommerce_variant_id(), r.decision.shopify_variant_id()),
        |r| r.id,
    )
}

/// What was decided about some variants: the operator's decisions naming any of them, and the
/// pairs the last sync that wrote had matched among them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecidedAbout {
    pub decisions: Vec<DecisionRecord>,
    pub synced_pairs: Vec<(i64, String)>,
}

/// The pairs the last sync that wrote had matched, among those naming any of these variants.
pub fn synced_pairs_naming(
    conn: &Connection,
    bigcommerce: &[i64],
    shopify: &[String],
) -> Result<Vec<(i64, String)>, StoreError> {
    rows_naming(
        conn,
        "SELECT bigcommerce_variant_id, shopify_variant_id FROM synced_pairs",
        (bigcommerce, shopify),
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        |(b, s)| (Some(*b), Some(s.as_str())),
        Clone::clone,
    )
}

fn decision_from_row(r: &Row<'_>) -> rusqlite::Result<DecisionRecord> {
    let kind: String = r.get(1)?;
    let b: Option<i64> = r.get(2)?;
    let s: Option<String> = r.get(3)?;
    // The table's CHECK guarantees which sides are present for each kind.
    let decision = match (kind.as_str(), b, s) {
        ("link", Some(b), Some(s)) => Decision::Link { bigcommerce_variant_id: b, shopify_variant_id: s },
        ("unlink", Some(b), Some(s)) => Decision::Unlink { bigcommerce_variant_id: b, shopify_variant_id: s },
        ("ignore", Some(b), None) => Decision::IgnoreBigCommerce { variant_id: b },
        ("ignore", None, Some(s)) => Decision::IgnoreShopify { variant_id: s },
        _ => {
            return Err(rusqlite::Error::FromSqlConversionFailure(
                1,
                rusqlite::types::Type::Text,
                format!("decision {kind:?} with the wrong sides").into(),
            ));
        }
    };
    Ok(DecisionRecord { id: r.get(0)?, decision, decided_at: time_at(r, 4)? })
}

/// A record's class, declared in the mapping screen's order: what needs attention comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingClass {
    Unmatched,
    Conflict,
    Ambiguous,
    Matched,
    Ignored,
}

impl MappingClass {
    /// Every class, in the screen's order.
    pub const ALL: [MappingClass; 5] = [
        MappingClass::Unmatched,
        MappingClass::Conflict,
        MappingClass::Ambiguous,
        MappingClass::Matched,
        MappingClass::Ignored,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MappingClass::Matched => "matched",
            MappingClass::Ambiguous => "ambiguous",
            MappingClass::Conflict => "conflict",
            MappingClass::Unmatched => "unmatched",
            MappingClass::Ignored => "ignored",
        }
    }

    pub fn parse(s: &str) -> Option<MappingClass> {
        MappingClass::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The value of `mapping_records.class_rank`, the column the screen's order is indexed on.
    fn rank(self) -> i64 {
        match self {
            MappingClass::Unmatched => 0,
            MappingClass::Conflict => 1,
            MappingClass::Ambiguous => 2,
            MappingClass::Matched => 3,
            MappingClass::Ignored => 4,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingBigCommerceSide {
    pub product_id: i64,
    pub variant_id: i64,
    pub sku: String,
    pub barcode: String,
    pub title: String,
    /// The options as the screen shows them ("Color: Red / Size: XL").
    pub options: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingShopifySide {
    pub product_id: String,
    pub variant_id: String,
    pub sku: String,
    pub barcode: String,
    pub title: String,
    /// The options as the screen shows them ("Color: Red / Size: XL").
    pub options: String,
}

/// One record of the matcher's result, as the mapping screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingRecordRow {
    /// Chosen by the caller in a whole replace (the record's position in the plan works), unique
    /// within it; a replace of some variants' records gives them new ids after the highest.
    pub id: i64,
    pub class: MappingClass,
    /// "sku", "normalized_sku" or "gtin": the key that paired the sides, if a key did.
    pub key: Option<String>,
    pub reason: String,
    pub flags: Vec<String>,
    /// True when an operator's decision produced the record.
    pub decided: bool,
    pub bigcommerce: Option<MappingBigCommerceSide>,
    pub shopify: Option<MappingShopifySide>,
}

/// Which records to list: one class or all, an optional search text matched case-insensitively
/// against the SKU, barcode and title of both sides, optionally one ambiguous group, and in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingFilter {
    pub class: Option<MappingClass>,
    pub q: Option<String>,
    /// The id of an ambiguous record: lists every record of its group (the variants sharing its key).
    pub group: Option<i64>,
    pub order: MappingOrder,
}

/// The order records are listed in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingOrder {
    /// What needs a decision first, then by BigCommerce title; read straight off the order index.
    #[default]
    Attention,
    /// By SKU (BigCommerce's, else Shopify's), case-insensitively.
    Sku,
    /// By title (BigCommerce's, else Shopify's), case-insensitively.
    Title,
}

impl MappingOrder {
    pub fn parse(s: &str) -> Option<MappingOrder> {
        match s {
            "attention" => Some(MappingOrder::Attention),
            "sku" => Some(MappingOrder::Sku),
            "title" => Some(MappingOrder::Title),
            _ => None,
        }
    }

    fn sql(self) -> &'static str {
        match self {
            MappingOrder::Attention => RECORD_ORDER,
            MappingOrder::Sku => "COALESCE(bc_sku, sh_sku) COLLATE NOCASE, COALESCE(sh_sku, '') COLLATE NOCASE, id",
            MappingOrder::Title => {
                "COALESCE(bc_title, sh_title) COLLATE NOCASE, COALESCE(sh_title, '') COLLATE NOCASE, id"
            }
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingClassCounts {
    pub matched: u64,
    pub ambiguous: u64,
    pub conflict: u64,
    pub unmatched: u64,
    pub ignored: u64,
}

impl MappingClassCounts {
    pub fn total(&self) -> u64 {
        self.matched + self.ambiguous + self.conflict + self.unmatched + self.ignored
    }

    fn slot(&mut self, class: MappingClass) -> &mut u64 {
        match class {
            MappingClass::Matched => &mut self.matched,
            MappingClass::Ambiguous => &mut self.ambiguous,
            MappingClass::Conflict => &mut self.conflict,
            MappingClass::Unmatched => &mut self.unmatched,
            MappingClass::Ignored => &mut self.ignored,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingPage {
    /// How many records the filter selects, across all pages.
    pub total: u64,
    /// Records per class among those the search selects, whatever the class filter, for the screen's tabs.
    pub counts: MappingClassCounts,
    /// Automatic matches no decision holds yet, among those the search selects: what "Confirm all" confirms.
    pub confirmable: u64,
    pub rows: Vec<MappingRecordRow>,
}

const RECORD_COLUMNS: &str = "id, class, match_key, reason, flags, decided,
     bc_product_id, bc_variant_id, bc_sku, bc_barcode, bc_title, bc_options,
     sh_product_id, sh_variant_id, sh_sku, sh_barcode, sh_title, sh_options";

/// Matches the index `mapping_records_order`, so a page is read off the index without a sort.
const RECORD_ORDER: &str = "class_rank, bc_title, bc_sku, sh_title, sh_sku, id";

/// Replaces every record with `rows`, with one statement prepared once.
///
/// The order index is dropped for the insert and built again after it: building an index from
/// 100,000 rows at once is much faster than growing it row by row in random order. Its definition is
/// read back from the schema, so the migrations stay the one place it is written.
pub fn replace_mapping_records(tx: &Transaction<'_>, rows: &[MappingRecordRow]) -> Result<(), StoreError> {
    // Rebuilding the indexes once after the inserts is quicker than keeping them up to date row by row.
    let indexes: Vec<(String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'mapping_records' AND sql IS NOT NULL",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
    };
    for (name, _) in &indexes {
        tx.execute(&format!("DROP INDEX {name}"), [])?;
    }
    tx.execute("DELETE FROM mapping_records", [])?;
    for row in rows {
        insert_record(tx, row.id, row)?;
    }
    for (_, sql) in &indexes {
        tx.execute_batch(sql)?;
    }
    Ok(())
}

/// Replaces the records of these variants (any record naming one of them) with `rows`, which get
/// new ids after the highest one; the other records stand. For a re-match of the variants a
/// decision reaches, whose records no other variant shares.
pub fn replace_mapping_records_of(
    tx: &Transaction<'_>,
    bigcommerce: &[i64],
    shopify: &[String],
    rows: &[MappingRecordRow],
) -> Result<(), StoreError> {
    let mut by_bc = tx.prepare_cached("DELETE FROM mapping_records WHERE bc_variant_id = ?1")?;
    for id in bigcommerce {
        by_bc.execute([id])?;
    }
    let mut by_sh = tx.prepare_cached("DELETE FROM mapping_records WHERE sh_variant_id = ?1")?;
    for id in shopify {
        by_sh.execute([id])?;
    }
    let first: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM mapping_records", [], |r| r.get(0))?;
    for (n, row) in rows.iter().enumerate() {
        insert_record(tx, first + n as i64, row)?;
    }
    Ok(())
}

fn insert_record(tx: &Transaction<'_>, id: i64, row: &MappingRecordRow) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO mapping_records (id, class, class_rank, match_key, reason, flags, decided,
             bc_product_id, bc_variant_id, bc_sku, bc_barcode, bc_title, bc_options,
             sh_product_id, sh_variant_id, sh_sku, sh_barcode, sh_title, sh_options, search)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    )?;
    let bc = row.bigcommerce.as_ref();
    let sh = row.shopify.as_ref();
    stmt.execute(params![
        id,
        row.class.as_str(),
        row.class.rank(),
        row.key,
        row.reason,
        json_text(&row.flags)?,
        row.decided,
        bc.map(|s| s.product_id),
        bc.map(|s| s.variant_id),
        bc.map(|s| &s.sku),
        bc.map(|s| &s.barcode),
        bc.map(|s| &s.title),
        bc.map(|s| &s.options),
        sh.map(|s| &s.product_id),
        sh.map(|s| &s.variant_id),
        sh.map(|s| &s.sku),
        sh.map(|s| &s.barcode),
        sh.map(|s| &s.title),
        sh.map(|s| &s.options),
        search_text(row),
    ])?;
    Ok(())
}

/// The text the search box is matched against, lowercased here because SQLite lowercases only ASCII.
fn search_text(row: &MappingRecordRow) -> String {
    let bc = row.bigcommerce.iter().flat_map(|s| [&s.sku, &s.barcode, &s.title]);
    let sh = row.shopify.iter().flat_map(|s| [&s.sku, &s.barcode, &s.title]);
    bc.chain(sh).map(|f| f.to_lowercase()).collect::<Vec<_>>().join("\n")
}

/// Records per class, over all records.
pub fn mapping_counts(conn: &Connection) -> Result<MappingClassCounts, StoreError> {
    searched_counts(conn, None)
}

/// Records per class among those a search selects (all records without one).
fn searched_counts(conn: &Connection, q: Option<&str>) -> Result<MappingClassCounts, StoreError> {
    let (condition, values) = filter_sql(&MappingFilter { q: q.map(str::to_string), ..MappingFilter::default() });
    // By rank, not by class: the rank is in the order index, so counting without a search never reads the table.
    let mut stmt = conn
        .prepare_cached(&format!("SELECT class_rank, COUNT(*) FROM mapping_records {condition} GROUP BY class_rank"))?;
    let mut counts = MappingClassCounts::default();
    let mut rows = stmt.query(params_from_iter(values.iter()))?;
    while let Some(r) = rows.next()? {
        let rank: i64 = r.get(0)?;
        if let Some(class) = MappingClass::ALL.into_iter().find(|c| c.rank() == rank) {
            *counts.slot(class) = count_at(r, 1)?;
        }
    }
    Ok(counts)
}

/// One page of the records the filter selects, in the screen's order, with the filtered total and
/// the per-class counts.
pub fn mapping_page(
    conn: &Connection,
    filter: &MappingFilter,
    offset: u64,
    limit: u64,
) -> Result<MappingPage, StoreError> {
    let (condition, mut values) = filter_sql(filter);
    let total = conn.query_row(
        &format!("SELECT COUNT(*) FROM mapping_records {condition}"),
        params_from_iter(values.iter()),
        |r| count_at(r, 0),
    )?;
    values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    values.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM mapping_records {condition} ORDER BY {} LIMIT ? OFFSET ?",
        order_sql(filter)
    ))?;
    let rows = stmt.query_map(params_from_iter(values.iter()), record_from_row)?.collect::<Result<_, _>>()?;
    let q = searched(filter);
    let confirmable = confirmable_pairs_count(conn, q)?;
    Ok(MappingPage { total, counts: searched_counts(conn, q)?, confirmable, rows })
}

/// The ORDER BY for a filter. The Ambiguous tab in the default order keeps each group together (its
/// members share the reason), the BigCommerce variant first: sorting one class is cheap, and by title
/// the members of a group would scatter across the list.
fn order_sql(filter: &MappingFilter) -> &'static str {
    match (filter.class, filter.order) {
        (Some(MappingClass::Ambiguous), MappingOrder::Attention) => {
            "reason, bc_variant_id IS NULL, bc_title COLLATE NOCASE, sh_title COLLATE NOCASE, id"
        }
        (_, order) => order.sql(),
    }
}

fn searched(filter: &MappingFilter) -> Option<&str> {
    filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
}

fn confirmable_filter(q: Option<&str>) -> (String, Vec<Value>) {
    let (condition, values) = filter_sql(&MappingFilter {
        class: Some(MappingClass::Matched),
        q: q.map(str::to_string),
        ..MappingFilter::default()
    });
    (format!("{condition} AND decided = 0"), values)
}

fn confirmable_pairs_count(conn: &Connection, q: Option<&str>) -> Result<u64, StoreError> {
    let (condition, values) = confirmable_filter(q);
    Ok(conn.query_row(
        &format!("SELECT COUNT(*) FROM mapping_records {condition}"),
        params_from_iter(values.iter()),
        |r| count_at(r, 0),
    )?)
}

/// The (BigCommerce variant, Shopify variant) of every automatic match no decision holds yet,
/// among those the search selects.
pub fn confirmable_pairs(conn: &Connection, q: Option<&str>) -> Result<Vec<(i64, String)>, StoreError> {
    let (condition, values) = confirmable_filter(q.map(str::trim).filter(|q| !q.is_empty()));
    let mut stmt = conn
        .prepare_cached(&format!("SELECT bc_variant_id, sh_variant_id FROM mapping_records {condition} ORDER BY id"))?;
    let rows = stmt.query_map(params_from_iter(values.iter()), |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Visits every record the filter selects, in the screen's order, without holding them all in memory
/// (for the CSV export).
pub fn mapping_rows(
    conn: &Connection,
    filter: &MappingFilter,
    mut visit: impl FnMut(&MappingRecordRow),
) -> Result<u64, StoreError> {
    let (condition, values) = filter_sql(filter);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM mapping_records {condition} ORDER BY {}",
        order_sql(filter)
    ))?;
    let mut rows = stmt.query(params_from_iter(values.iter()))?;
    let mut visited = 0;
    while let Some(r) = rows.next()? {
        visit(&record_from_row(r)?);
        visited += 1;
    }
    Ok(visited)
}

/// The WHERE clause for a filter, with only the conditions it uses, so the planner can read a single
/// class straight off the order index.
fn filter_sql(filter: &MappingFilter) -> (String, Vec<Value>) {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    if let Some(class) = filter.class {
        conditions.push("class_rank = ?");
        values.push(Value::Integer(class.rank()));
    }
    if let Some(group) = filter.group {
        // Members of one group share its reason, which names the shared key and its value.
        conditions
            .push("class_rank = ? AND reason = (SELECT reason FROM mapping_records WHERE id = ? AND class_rank = ?)");
        let rank = Value::Integer(MappingClass::Ambiguous.rank());
        values.extend([rank.clone(), Value::Integer(group), rank]);
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        // instr, not LIKE: no wildcard in the operator's text can change the meaning of the search.
        conditions.push("instr(search, ?) > 0");
        values.push(Value::Text(q.to_lowercase()));
    }
    let clause = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    (clause, values)
}

fn record_from_row(r: &Row<'_>) -> rusqlite::Result<MappingRecordRow> {
    let class: String = r.get(1)?;
    let bc_variant_id: Option<i64> = r.get(7)?;
    let sh_variant_id: Option<String> = r.get(13)?;
    let text = |idx: usize| -> rusqlite::Result<String> { Ok(r.get::<_, Option<String>>(idx)?.unwrap_or_default()) };
    let bigcommerce = match bc_variant_id {
        Some(variant_id) => Some(MappingBigCommerceSide {
            product_id: r.get::<_, Option<i64>>(6)?.unwrap_or_default(),
            variant_id,
            sku: text(8)?,
            barcode: text(9)?,
            title: text(10)?,
            options: text(11)?,
        }),
        None => None,
    };
    let shopify = match sh_variant_id {
        Some(variant_id) => Some(MappingShopifySide {
            product_id: text(12)?,
            variant_id,
            sku: text(14)?,
            barcode: text(15)?,
            title: text(16)?,
            options: text(17)?,
        }),
        None => None,
    };
    Ok(MappingRecordRow {
        id: r.get(0)?,
        // The CHECK constraint admits only the five classes.
        class: MappingClass::parse(&class).unwrap_or(MappingClass::Unmatched),
        key: r.get(2)?,
        reason: r.get(3)?,
        flags: json_at(r, 4)?,
        decided: r.get(5)?,
        bigcommerce,
        shopify,
    })
}

impl Store {
    /// Stores a decision in its own transaction; see [`add_decision`] for what it replaces.
    pub fn add_decision(&self, decision: &Decision, now: DateTime<Utc>) -> Result<i64, StoreError> {
        self.write(|tx| add_decision(tx, decision, now))
    }

    pub fn remove_decision(&self, decision: &Decision) -> Result<bool, StoreError> {
        self.write(|tx| remove_decision(tx, decision))
    }

    pub fn decisions(&self) -> Result<Vec<DecisionRecord>, StoreError> {
        self.read(decisions)
    }

    pub fn replace_mapping_records(&self, rows: &[MappingRecordRow]) -> Result<(), StoreError> {
        self.write(|tx| replace_mapping_records(tx, rows))
    }

    /// See [`replace_mapping_records_of`].
    pub fn replace_mapping_records_of(
        &self,
        bigcommerce: &[i64],
        shopify: &[String],
        rows: &[MappingRecordRow],
    ) -> Result<(), StoreError> {
        self.write(|tx| replace_mapping_records_of(tx, bigcommerce, shopify, rows))
    }

    /// See [`decisions_naming`] and [`synced_pairs_naming`]: both, read together.
    pub fn decided_about(&self, bigcommerce: &[i64], shopify: &[String]) -> Result<DecidedAbout, StoreError> {
        self.read(|c| {
            Ok(DecidedAbout {
                decisions: decisions_naming(c, bigcommerce, shopify)?,
                synced_pairs: synced_pairs_naming(c, bigcommerce, shopify)?,
            })
        })
    }

    pub fn mapping_counts(&self) -> Result<MappingClassCounts, StoreError> {
        self.read(mapping_counts)
    }

    pub fn mapping_page(&self, filter: &MappingFilter, offset: u64, limit: u64) -> Result<MappingPage, StoreError> {
        self.read(|c| mapping_page(c, filter, offset, limit))
    }

    /// See [`confirmable_pairs`].
    pub fn confirmable_pairs(&self, q: Option<&str>) -> Result<Vec<(i64, String)>, StoreError> {
        self.read(|c| confirmable_pairs(c, q))
    }

    /// Visits every record the filter selects; returns how many. Holds the store while it runs, so
    /// `visit` should only format and buffer.
    pub fn mapping_rows(
        &self,
        filter: &MappingFilter,
        visit: impl FnMut(&MappingRecordRow),
    ) -> Result<u64, StoreError> {
        self.read(|c| mapping_rows(c, filter, visit))
    }
}
