use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

/// A token or password. Debug, Display and Serialize all print `[redacted]`, so a secret that
/// slips into a log line, an error or a JSON response shows nothing of itself. The memory is
/// wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

const REDACTED: &str = "[redacted]";

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(Zeroizing::new(value))
    }

    /// The only way to the value; grep for it to find every place a secret leaves this type.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

/// Reading a secret (a token pasted into the Settings form) is allowed; writing one out is not.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        Ok(Secret::new(String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every 4-character window of the token: a leak of any fragment counts as a leak.
    fn fragments(token: &str) -> Vec<&str> {
        (0..=token.len() - 4).map(|i| &token[i..i + 4]).collect()
    }

    #[test]
    fn formatting_and_serializing_show_no_part_of_the_value() {
        let token = "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";
        let secret = Secret::new(token.to_string());
        #[derive(Serialize, Debug)]
        struct Connection {
            store: &'static str,
            token: Secret,
        }
        let wrapped = Connection { store: "demo", token: secret.clone() };
        let renderings = [
            format!("{secret:?}"),
            format!("{secret:#?}"),
            format!("{secret}"),
            format!("{wrapped:?}"),
            serde_json::to_string(&secret).unwrap(),
            serde_json::to_string(&wrapped).unwrap(),
        ];
        for text in &renderings {
            for fragment in fragments(token) {
                assert!(!text.contains(fragment), "{text:?} leaks the fragment {fragment:?} of the token");
            }
            assert!(text.contains(REDACTED), "{text:?} should say a value was redacted, not look empty");
        }
        assert_eq!(secret.expose(), token, "the value itself is intact for the one place that sends it");
    }
}
