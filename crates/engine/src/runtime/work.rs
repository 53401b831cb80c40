//! A capability's unit of work as a queue row, and back.

use sha2::{Digest, Sha256};
use tillbridge_domain::work::Work;
use tillbridge_store::{Job, NewJob};

use crate::ApiError;

/// The job for `work`, planned by `run_id`. The idempotency key is the entity plus a digest of the
/// payload, so the same write planned twice is one job, and a different value for the same entity
/// is a new job that supersedes the queued one.
pub(crate) fn new_job(work: &Work, run_id: Option<i64>) -> Result<NewJob, ApiError> {
    let payload = serde_json::to_value(work)
        .map_err(|e| ApiError::internal(format!("a planned write could not be encoded: {e}")))?;
    let entity_key = work.entity_key();
    let digest = Sha256::digest(payload.to_string().as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    Ok(NewJob {
        kind: work.kind().to_string(),
        capability: work.capability(),
        lane: work.lane(),
        idempotency_key: format!("{entity_key}#{hex}"),
        entity_key,
        payload,
        summary: work.describe(),
        priority: work.capability().priority(),
        run_id,
    })
}

/// The typed payload of a job, or why it cannot be read (the job is then dead, never half-run).
pub(crate) fn work_of(job: &Job) -> Result<Work, String> {
    serde_json::from_value::<Work>(job.payload.clone())
        .map_err(|e| format!("job {} holds a payload this version cannot read ({e}); it was not sent: skip it", job.id))
}

#[cfg(test)]
mod tests {
    use tillbridge_domain::catalog::CatalogWrite;

    use super::*;

    fn title(t: &str) -> Work {
        Work::CatalogWrite(CatalogWrite::ShopifyTitle { product_id: "gid://shopify/Product/1".into(), title: t.into() })
    }

    #[test]
    fn the_key_follows_the_content_and_the_entity_does_not() {
        let a = new_job(&title("Tee"), Some(1)).unwrap_or_else(|e| panic!("{e}"));
        let again = new_job(&title("Tee"), Some(2)).unwrap_or_else(|e| panic!("{e}"));
        let other = new_job(&title("Shirt"), Some(2)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.idempotency_key, again.idempotency_key, "the same write from another run is the same work");
        assert_ne!(a.idempotency_key, other.idempotency_key, "another value is other work");
        assert_eq!(a.entity_key, other.entity_key, "for the same entity, so it supersedes");
        assert_eq!(a.entity_key, "product:gid://shopify/Product/1:title", "keyed by what it changes");
    }
}
