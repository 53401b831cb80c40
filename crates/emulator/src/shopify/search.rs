//! Shopify's search syntax for the `query:` argument of connections: `sku:ABC`,
//! `updated_at:>'2026-01-01T00:00:00Z'`, `source_name:pos`, terms joined by spaces or `AND`,
//! alternatives with `OR`, negation with `-` or `NOT`.
//!
//! Unknown filter fields do not fail the request on Shopify; they are ignored and reported as a
//! warning in `extensions.search`. The emulator does the same, so a client that misspells a
//! filter sees the warning instead of silently receiving everything.

use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    /// None for a bare word (the resource's default search).
    pub field: Option<String>,
    pub op: Op,
    pub value: String,
    pub negated: bool,
}

/// Alternatives (OR) of conjunctions (AND).
#[derive(Debug, Clone, Default)]
pub(crate) struct Search {
    pub any_of: Vec<Vec<Term>>,
}

impl Search {
    pub fn parse(query: Option<&str>) -> Search {
        let Some(query) = query.map(str::trim).filter(|q| !q.is_empty()) else {
            return Search::default();
        };
        let mut any_of = vec![Vec::new()];
        let mut negate_next = false;
        for token in tokenize(query) {
            match token.as_str() {
                "AND" => continue,
                "OR" => {
                    any_of.push(Vec::new());
                    continue;
                }
                "NOT" => {
                    negate_next = true;
                    continue;
                }
                _ => {}
            }
            let (negated, body) = match token.strip_prefix('-') {
                Some(rest) if !rest.is_empty() => (true, rest.to_string()),
                _ => (false, token.clone()),
            };
            let negated = negated ^ negate_next;
            negate_next = false;
            let term = match body.split_once(':') {
                Some((field, raw))
                    if !field.is_empty() && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    let (op, rest) = if let Some(r) = raw.strip_prefix(">=") {
                        (Op::Ge, r)
                    } else if let Some(r) = raw.strip_prefix("<=") {
                        (Op::Le, r)
                    } else if let Some(r) = raw.strip_prefix('>') {
                        (Op::Gt, r)
                    } else if let Some(r) = raw.strip_prefix('<') {
                        (Op::Lt, r)
                    } else {
                        (Op::Eq, raw)
                    };
                    Term { field: Some(field.to_ascii_lowercase()), op, value: unquote(rest), negated }
                }
                _ => Term { field: None, op: Op::Eq, value: unquote(&body), negated },
            };
            if let Some(last) = any_of.last_mut() {
                last.push(term);
            }
        }
        any_of.retain(|c| !c.is_empty());
        Search { any_of }
    }

    /// The one value every alternative pins `field` to with `:`, if any: lets callers use an
    /// index (SKU, barcode) instead of scanning.
    pub fn pinned(&self, field: &str) -> Option<&str> {
        let [clause] = self.any_of.as_slice() else { return None };
        clause
            .iter()
            .find(|t| t.field.as_deref() == Some(field) && t.op == Op::Eq && !t.negated && !t.value.contains('*'))
            .map(|t| t.value.as_str())
    }

    /// Fields this resource does not know, for the `extensions.search` warning.
    pub fn unknown_fields(&self, known: &[&str]) -> Vec<String> {
        let mut unknown: Vec<String> = Vec::new();
        for t in self.any_of.iter().flatten() {
            if let Some(f) = &t.field
                && !known.contains(&f.as_str())
                && !unknown.contains(f)
            {
                unknown.push(f.clone());
            }
        }
        unknown
    }

    /// `check(field, op, value)` answers one term: Some(bool) for a known field, None for an
    /// unknown one (ignored, as Shopify does).
    pub fn matches(&self, mut check: impl FnMut(Option<&str>, Op, &str) -> Option<bool>) -> bool {
        if self.any_of.is_empty() {
            return true;
        }
        self.any_of.iter().any(|clause| {
            clause.iter().all(|t| match check(t.field.as_deref(), t.op, &t.value) {
                Some(hit) => hit != t.negated,
                None => true,
            })
        })
    }
}

fn tokenize(query: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in query.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                current.push(c);
            }
            Some(_) => current.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                current.push(c);
            }
            None if c.is_whitespace() => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            None => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

fn unquote(value: &str) -> String {
    let v = value.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = v.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    v.to_string()
}

/// Case-insensitive text match with a trailing `*` wildcard, as Shopify's search does for
/// token fields like `sku`.
pub(crate) fn text_eq(actual: &str, wanted: &str) -> bool {
    match wanted.strip_suffix('*') {
        Some(prefix) => actual.to_lowercase().starts_with(&prefix.to_lowercase()),
        None => actual.eq_ignore_ascii_case(wanted),
    }
}

pub(crate) fn text_contains(actual: &str, wanted: &str) -> bool {
    actual.to_lowercase().contains(&wanted.trim_end_matches('*').to_lowercase())
}

/// Compares a timestamp with a search value: a full RFC 3339 time or a bare date (a date with
/// `:` matches the whole day; with `>` it means after that day's start).
pub(crate) fn time_matches(actual: DateTime<Utc>, op: Op, value: &str) -> Option<bool> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(compare(actual, op, t.with_timezone(&Utc)));
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S") {
        return Some(compare(actual, op, t.and_utc()));
    }
    let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    let start = day.and_hms_opt(0, 0, 0)?.and_utc();
    let end = start + chrono::Duration::days(1);
    Some(match op {
        Op::Eq => actual >= start && actual < end,
        Op::Gt => actual >= end,
        Op::Ge => actual >= start,
        Op::Lt => actual < start,
        Op::Le => actual < end,
    })
}

pub(crate) fn number_matches(actual: i64, op: Op, value: &str) -> Option<bool> {
    let wanted: i64 = value.parse().ok()?;
    Some(compare(actual, op, wanted))
}

fn compare<T: PartialOrd>(actual: T, op: Op, wanted: T) -> bool {
    match op {
        Op::Eq => actual == wanted,
        Op::Gt => actual > wanted,
        Op::Ge => actual >= wanted,
        Op::Lt => actual < wanted,
        Op::Le => actual <= wanted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_operators_quotes_and_alternatives() {
        let s = Search::parse(Some("source_name:pos AND updated_at:>'2026-01-02T03:04:05Z' OR -sku:ABC*"));
        assert_eq!(s.any_of.len(), 2, "OR splits the query into two alternatives");
        assert_eq!(s.any_of[0][1].op, Op::Gt, "`:>` is a greater-than comparison");
        assert_eq!(s.any_of[0][1].value, "2026-01-02T03:04:05Z", "quotes are stripped from values");
        assert!(s.any_of[1][0].negated, "a leading '-' negates the term");
    }

    #[test]
    fn dates_compare_by_day_and_times_exactly() {
        let t = DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z").map(|t| t.with_timezone(&Utc));
        let Ok(t) = t else { panic!("test time parses") };
        assert_eq!(time_matches(t, Op::Eq, "2026-03-01"), Some(true), "a bare date matches the whole day");
        assert_eq!(time_matches(t, Op::Gt, "2026-03-01T09:59:59Z"), Some(true), "a full time compares exactly");
        assert_eq!(time_matches(t, Op::Gt, "2026-03-01T10:00:00Z"), Some(false), "`>` is strict");
        assert_eq!(time_matches(t, Op::Gt, "yesterday"), None, "an unreadable value is not a match decision");
    }

    #[test]
    fn pinned_sku_lets_callers_use_the_index() {
        assert_eq!(Search::parse(Some("sku:'AB 1'")).pinned("sku"), Some("AB 1"), "one exact sku term pins the index");
        assert_eq!(Search::parse(Some("sku:A OR sku:B")).pinned("sku"), None, "alternatives cannot use one key");
    }
}
