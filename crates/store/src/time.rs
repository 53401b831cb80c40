use chrono::{DateTime, SecondsFormat, Utc};

/// Fixed-width UTC text, so that SQL text comparison orders by time.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn text_order_is_time_order() {
        let early = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let late = early + chrono::Duration::milliseconds(1);
        assert!(format_time(early) < format_time(late), "jobs are picked by comparing these strings");
        assert_eq!(parse_time(&format_time(late)), Some(late), "a stored time must read back unchanged");
    }
}
