//! CSV as RFC 4180 writes it, for the mapping and diff exports a spreadsheet opens.

/// One field, quoted when it holds a comma, a quote or a line break. A field starting with
/// `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet shows it instead of running it as a
/// formula (product titles come from the stores, not from the operator).
pub(crate) fn field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@']) && value.parse::<f64>().is_err() {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) { format!("\"{}\"", guarded.replace('"', "\"\"")) } else { guarded }
}

pub(crate) fn line(fields: &[&str]) -> String {
    let mut out = fields.iter().map(|f| field(f)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field("ABC-1"), "ABC-1", "a plain value stays as it is");
        assert_eq!(field("Shirt, red"), "\"Shirt, red\"", "a comma needs quotes");
        assert_eq!(field("12\" pizza"), "\"12\"\" pizza\"", "a quote is doubled inside quotes");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"", "a formula is shown, never run");
        assert_eq!(field("-5.00"), "-5.00", "a negative number is a number, not a formula");
        assert_eq!(line(&["a", "b c"]), "a,b c\r\n", "lines end with CRLF as RFC 4180 says");
    }
}
