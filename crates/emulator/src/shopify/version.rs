//! API versions in the URL and the behaviour each one selects.

/// Stable versions the facts list (quarterly since 2025-01), newest last. Older well-formed
/// versions fall forward to the oldest of these, as Shopify does; anything else is a 404.
pub const SUPPORTED_VERSIONS: [&str; 8] =
    ["2025-01", "2025-04", "2025-07", "2025-10", "2026-01", "2026-04", "2026-07", "2026-10"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersion {
    /// The version that serves the request (echoed in `X-Shopify-API-Version`).
    pub handle: String,
    /// yyyymm; `unstable` ranks above every dated version.
    rank: u32,
}

impl ApiVersion {
    /// Resolves the `{version}` path segment; None means 404.
    pub fn resolve(requested: &str) -> Option<ApiVersion> {
        if requested == "unstable" {
            return Some(ApiVersion { handle: requested.to_string(), rank: 999_999 });
        }
        let rank = rank_of(requested)?;
        let oldest = SUPPORTED_VERSIONS[0];
        if SUPPORTED_VERSIONS.contains(&requested) {
            return Some(ApiVersion { handle: requested.to_string(), rank });
        }
        if rank < rank_of(oldest)? {
            // Unsupported old versions are served by the oldest supported one.
            return Some(ApiVersion { handle: oldest.to_string(), rank: rank_of(oldest)? });
        }
        None
    }

    /// The newest behaviour, for requests that reach the schema without a URL version.
    pub fn unstable() -> ApiVersion {
        ApiVersion { handle: "unstable".into(), rank: 999_999 }
    }

    /// `changeFromQuantity` exists (2026-01+).
    pub fn change_from_supported(&self) -> bool {
        self.rank >= 202_601
    }

    /// `changeFromQuantity` must be given on every row, and `@idempotent` on the mutations
    /// that support it (2026-04+).
    pub fn change_from_mandatory(&self) -> bool {
        self.rank >= 202_604
    }

    pub fn idempotency_mandatory(&self) -> bool {
        self.rank >= 202_604
    }

    /// Bulk queries that may run at once per shop: 5 from 2026-01, 1 before (facts §2.10).
    pub fn bulk_query_limit(&self) -> usize {
        if self.rank >= 202_601 { 5 } else { 1 }
    }

    /// `groupObjects` defaulted to true up to 2025-10 and to false from 2026-01.
    pub fn group_objects_default(&self) -> bool {
        self.rank < 202_601
    }
}

fn rank_of(handle: &str) -> Option<u32> {
    let (year, month) = handle.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let year: u32 = year.parse().ok()?;
    let month: u32 = month.parse().ok()?;
    // Releases are quarterly: January, April, July, October.
    if ![1, 4, 7, 10].contains(&month) || year < 2017 {
        return None;
    }
    Some(year * 100 + month)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_resolve_and_switch_semantics() {
        let v = |h: &str| ApiVersion::resolve(h);
        assert!(v("2026-04").is_some_and(|v| v.change_from_mandatory()), "2026-04 makes changeFromQuantity mandatory");
        assert!(
            v("2026-01").is_some_and(|v| v.change_from_supported() && !v.change_from_mandatory()),
            "2026-01 has it optional"
        );
        assert!(v("2025-10").is_some_and(|v| !v.change_from_supported()), "2025-10 still uses compareQuantity");
        assert_eq!(
            v("2023-04").map(|v| v.handle),
            Some("2025-01".to_string()),
            "old versions fall forward to the oldest supported"
        );
        assert!(v("2026-02").is_none(), "there is no February release");
        assert!(v("2099-01").is_none(), "a future version is unknown");
        assert!(v("latest").is_none(), "not a version");
    }
}
