//! The rules serde's types cannot say (a title of 1–255 characters, versions and work item
//! ids from 1, at least one change), checked by both `encode` and `decode` so that what a
//! producer cannot send is exactly what a consumer would refuse. `proto-schemas/` states the
//! same rules as `minLength`, `maximum`, `minimum` and `minProperties`; keep them in step.

/// A rule broken at `field`, a dotted path relative to the value checked (`title`,
/// `changes.title.rev`); the codec prefixes it with `data.`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    pub field: String,
    pub message: String,
}

impl Violation {
    pub(crate) fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Moves the violation one level down: `title` inside `changes` becomes `changes.title`.
    pub(crate) fn within(self, parent: &str) -> Self {
        Self {
            field: format!("{parent}.{}", self.field),
            message: self.message,
        }
    }
}

/// Implemented by every data type; `Ok(())` means the value may go on the wire.
pub(crate) trait Validate {
    fn validate(&self) -> Result<(), Violation>;
}

/// The longest title Navigator and ADO (`System.Title`) both accept, in characters
/// (Unicode scalar values, which is what JSON Schema's `maxLength` counts too).
pub const TITLE_MAX_CHARS: usize = 255;

pub(crate) fn title(field: &str, title: &str) -> Result<(), Violation> {
    let chars = title.chars().count();
    if chars == 0 {
        return Err(Violation::new(field, "must not be empty"));
    }
    if chars > TITLE_MAX_CHARS {
        return Err(Violation::new(
            field,
            format!("must be at most {TITLE_MAX_CHARS} characters, got {chars}"),
        ));
    }
    Ok(())
}

/// Versions, work item ids and ADO revisions all count from 1.
pub(crate) fn at_least_one(field: &str, value: i64) -> Result<(), Violation> {
    if value < 1 {
        return Err(Violation::new(
            field,
            format!("must be at least 1, got {value}"),
        ));
    }
    Ok(())
}

pub(crate) fn optional_at_least_one(field: &str, value: Option<i64>) -> Result<(), Violation> {
    value.map_or(Ok(()), |v| at_least_one(field, v))
}

pub(crate) fn not_empty(field: &str, value: &str) -> Result<(), Violation> {
    if value.is_empty() {
        return Err(Violation::new(field, "must not be empty"));
    }
    Ok(())
}

/// An RFC 3339 full-date: `YYYY-MM-DD`, four digits of year, as every navsync API and
/// event writes a date (JSON Schema's `format: date`). chrono on its own also reads signed
/// and longer years (`-5000-01-01`, `+10000-01-01`): dates PostgreSQL cannot store, or
/// that no one could read back as a `date`.
pub fn full_date(text: &str) -> Option<chrono::NaiveDate> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_date_has_four_digits_of_year_and_exists() {
        assert!(full_date("2026-12-24").is_some());
        assert!(full_date("0000-01-01").is_some());
        assert!(full_date("9999-12-31").is_some());
        for bad in [
            "-5000-01-01",
            "+10000-01-01",
            "10000-01-01",
            "2026-02-29",
            "2026-1-01",
            "2026-01-01T00:00:00Z",
            " 2026-01-01",
            "２０２６-01-01",
            "",
        ] {
            assert_eq!(full_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_title_counts_characters_not_bytes() {
        let accents = "é".repeat(TITLE_MAX_CHARS);
        assert!(accents.len() > TITLE_MAX_CHARS);
        assert_eq!(title("title", &accents), Ok(()));
    }

    #[test]
    fn a_title_is_between_one_and_255_characters() {
        assert!(title("title", "").is_err());
        assert!(title("title", "x").is_ok());
        assert!(title("title", &"x".repeat(255)).is_ok());
        let too_long = title("title", &"x".repeat(256)).expect_err("256 characters is too many");
        assert_eq!(too_long.field, "title");
        assert!(too_long.message.contains("256"));
    }

    #[test]
    fn counts_start_at_one() {
        assert!(at_least_one("version", 0).is_err());
        assert!(at_least_one("version", -3).is_err());
        assert!(at_least_one("version", 1).is_ok());
        assert!(optional_at_least_one("rev", None).is_ok());
        assert!(optional_at_least_one("rev", Some(0)).is_err());
    }

    #[test]
    fn a_violation_nests_under_its_parent() {
        let v = Violation::new("rev", "must be at least 1").within("changes.title");
        assert_eq!(v.field, "changes.title.rev");
    }
}
