use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::time::{format_time, parse_time};
use tillbridge_transport::{AuditEntry, AuditSink, Direction, Outcome};

use crate::{Store, StoreError, System};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub system: System,
    pub direction: Direction,
    pub method: String,
    pub endpoint: String,
    pub status: Option<u16>,
    pub duration_ms: u64,
    pub attempt: u32,
    pub correlation_id: String,
    pub outcome: Outcome,
    pub budget_left: Option<i64>,
}

impl Store {
    pub fn append_audit(&self, e: &AuditEntry) -> Result<i64, StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO audit_log (at, system, direction, method, endpoint, status, duration_ms, attempt, correlation_id, outcome, budget_left)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                rusqlite::params![
                    format_time(e.at),
                    e.system.as_str(),
                    e.direction.as_str(),
                    e.method,
                    e.endpoint.as_str(),
                    e.status,
                    i64::try_from(e.duration_ms).unwrap_or(i64::MAX),
                    e.attempt.max(1),
                    e.correlation_id,
                    e.outcome.as_str(),
                    e.budget_left,
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// The newest entries first; `before_id` pages further back.
    pub fn recent_audit(&self, limit: u32, before_id: Option<i64>) -> Result<Vec<AuditRecord>, StoreError> {
        self.audit_page(None, limit, before_id)
    }

    /// The newest outbound requests to `system`, newest first: what the store's health is read from.
    pub fn last_requests(&self, system: System, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
        self.audit_page(Some(system), limit, None)
    }

    fn audit_page(
        &self,
        system: Option<System>,
        limit: u32,
        before_id: Option<i64>,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, at, system, direction, method, endpoint, status, duration_ms, attempt, correlation_id, outcome, budget_left
                 FROM audit_log WHERE id < ?1 AND (?3 IS NULL OR (system = ?3 AND direction = 'outbound'))
                 ORDER BY id DESC LIMIT ?2",
            )?;
            let system = system.map(System::as_str);
            let rows = stmt.query_map(rusqlite::params![before_id.unwrap_or(i64::MAX), limit, system], |r| {
                let at: String = r.get(1)?;
                let system: String = r.get(2)?;
                let direction: String = r.get(3)?;
                let outcome: String = r.get(10)?;
                Ok(AuditRecord {
                    id: r.get(0)?,
                    at: parse_time(&at).unwrap_or_default(),
                    system: System::parse(&system).unwrap_or(System::BigCommerce),
                    direction: Direction::parse(&direction),
                    method: r.get(4)?,
                    endpoint: r.get(5)?,
                    status: r.get(6)?,
                    duration_ms: r.get::<_, i64>(7)?.max(0) as u64,
                    attempt: r.get(8)?,
                    correlation_id: r.get(9)?,
                    outcome: Outcome::parse(&outcome),
                    budget_left: r.get(11)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}

impl AuditSink for Store {
    fn record(&self, entry: AuditEntry) {
        // A failed audit write must not fail the call it describes; it is logged instead.
        if let Err(e) = self.append_audit(&entry) {
            tracing::error!(error = %e, endpoint = entry.endpoint.as_str(), "could not append to the audit log");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use tillbridge_transport::EndpointTemplate;

    fn entry(at: DateTime<Utc>, attempt: u32) -> AuditEntry {
        AuditEntry {
            at,
            system: System::BigCommerce,
            direction: Direction::Outbound,
            method: "GET".into(),
            endpoint: EndpointTemplate::new("/stores/{store_hash}/v3/catalog/products").unwrap(),
            status: Some(200),
            duration_ms: 87,
            attempt,
            correlation_id: "sync-1".into(),
            outcome: Outcome::Success,
            budget_left: Some(149),
        }
    }

    #[test]
    fn appends_and_reads_newest_first() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
        let store = Store::open_in_memory(t0).unwrap();
        let a = store.append_audit(&entry(t0, 1)).unwrap();
        let b = store.append_audit(&entry(t0 + chrono::Duration::seconds(1), 2)).unwrap();
        let rows = store.recent_audit(10, None).unwrap();
        assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![b, a], "newest first, both kept");
        assert_eq!(rows[0].attempt, 2, "the attempt number is what tells a retry from a first call");
        assert_eq!(rows[1].endpoint, "/stores/{store_hash}/v3/catalog/products", "the template is stored as given");
        assert_eq!(rows[1].budget_left, Some(149), "the quota left is kept for pacing forensics");
        assert_eq!(rows[1].at, t0, "the time reads back exactly");
        let older = store.recent_audit(10, Some(b)).unwrap();
        assert_eq!(older.iter().map(|r| r.id).collect::<Vec<_>>(), vec![a], "paging back skips what was shown");
    }

    #[test]
    fn rows_cannot_be_changed_or_removed() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
        let store = Store::open_in_memory(t0).unwrap();
        store.append_audit(&entry(t0, 1)).unwrap();
        let update = store.write(|tx| Ok(tx.execute("UPDATE audit_log SET status = 500", [])?));
        assert!(update.is_err(), "an audit row must not be rewritten after the fact");
        let delete = store.write(|tx| Ok(tx.execute("DELETE FROM audit_log", [])?));
        assert!(delete.is_err(), "an audit row must not be deleted");
        assert_eq!(store.recent_audit(10, None).unwrap().len(), 1, "the row is still there");
    }

    #[test]
    fn templates_refuse_concrete_values() {
        for concrete in [
            "/stores/abc/v3/catalog/products/123",
            "/v3/customers?email:in=jo@example.com",
            "/v3/customers/jo@example.com",
            "gid://shopify/Order/1",
            "",
        ] {
            assert!(EndpointTemplate::new(concrete).is_err(), "{concrete:?} carries an id or personal data");
        }
        for template in [
            "/stores/{store_hash}/v3/catalog/products/{product_id}",
            "/admin/api/2026-10/graphql.json ProductVariantsPage",
            "graphql ProductVariantsPage",
            "/v2/orders",
        ] {
            assert!(EndpointTemplate::new(template).is_ok(), "{template:?} is a plain template");
        }
    }
}
