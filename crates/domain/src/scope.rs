//! Full or delta: the one word every sync capability, its runs and its reads use for how much to compare.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Align everything that differs.
    Full,
    /// Carry over only what changed since the last sync.
    Delta,
}

impl Scope {
    /// The serde name, as stored in the database and shown in the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Full => "full",
            Scope::Delta => "delta",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "full" => Some(Scope::Full),
            "delta" => Some(Scope::Delta),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_name_is_the_serde_name() {
        for scope in [Scope::Full, Scope::Delta] {
            let json = serde_json::to_string(&scope).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", scope.as_str()), "the database and the API spell {scope:?} alike");
            assert_eq!(Scope::parse(scope.as_str()), Some(scope), "a stored name reads back");
        }
    }
}
