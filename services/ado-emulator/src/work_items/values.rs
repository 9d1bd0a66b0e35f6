//! Turning a value a client sent for a field into the form the emulator stores, or into
//! the 400 ADO answers for it: numbers for numeric fields, RFC 3339 dates, identities as
//! `"Display Name <unique@name>"`, tags as `"a; b"`, paths under the project.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

use super::fields::{FieldDef, Kind, MAX_STRING, MAX_TAG};
use super::{format_date, split_identity};
use crate::ado_error::AdoError;
use crate::state::People;

/// What normalizing needs to know besides the value.
pub(super) struct ValueContext<'a> {
    pub(super) project_name: &'a str,
    /// ADO names `-1` for a work item not created yet.
    pub(super) item_id: i64,
    pub(super) people: &'a People,
}

/// The stored form of `value`, or `None` when the value clears the field.
pub(super) fn normalize(
    def: &FieldDef,
    value: &Value,
    ctx: &ValueContext<'_>,
) -> Result<Option<Value>, AdoError> {
    if value.is_null() {
        return Ok(None);
    }
    let invalid_type = || AdoError::rule_error(def.reference_name, def.name, &["InvalidType"]);
    match def.kind {
        Kind::String | Kind::Html => {
            let text = as_text(value).ok_or_else(invalid_type)?;
            if def.kind == Kind::String && text.chars().count() > MAX_STRING {
                return Err(AdoError::rule_error(
                    def.reference_name,
                    def.name,
                    &["InvalidTooLong"],
                ));
            }
            Ok(Some(Value::String(text)))
        }
        Kind::Integer => {
            let number = as_f64(value).ok_or_else(invalid_type)?;
            if number.fract() != 0.0 {
                return Err(invalid_type());
            }
            // Priority is a picklist of 1 to 4 in every system process.
            if def.reference_name == "Microsoft.VSTS.Common.Priority"
                && !(1.0..=4.0).contains(&number)
            {
                return Err(AdoError::rule_error(
                    def.reference_name,
                    def.name,
                    &["HasValues", "LimitedToValues", "InvalidListValue"],
                ));
            }
            #[allow(clippy::cast_possible_truncation)]
            Ok(Some(Value::from(number as i64)))
        }
        Kind::Double => {
            let number = as_f64(value).ok_or_else(invalid_type)?;
            Ok(serde_json::Number::from_f64(number).map(Value::Number))
        }
        Kind::DateTime => {
            let text = as_text(value).ok_or_else(invalid_type)?;
            let at = parse_date(&text).ok_or_else(|| {
                AdoError::rule_error(def.reference_name, def.name, &["InvalidDate"])
            })?;
            Ok(Some(Value::String(format_date(at))))
        }
        Kind::Identity => {
            let text = match value {
                Value::Object(o) => o
                    .get("uniqueName")
                    .or_else(|| o.get("displayName"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                other => as_text(other),
            }
            .ok_or_else(invalid_type)?;
            if text.trim().is_empty() {
                return Ok(None);
            }
            // Since TFS 2015 an identity field names a user of the organization; anyone
            // else is refused rather than stored as a "virtual" name.
            let (_, unique) = split_identity(&text);
            if !ctx.people.contains_key(&unique.to_lowercase()) {
                return Err(AdoError::rule_error(
                    def.reference_name,
                    def.name,
                    &["InvalidIdentity"],
                ));
            }
            Ok(Some(Value::String(canonical_identity(&text, ctx.people))))
        }
        Kind::TreePath => {
            let text = as_text(value).ok_or_else(invalid_type)?;
            let text = text.trim().trim_end_matches('\\');
            let project = ctx.project_name;
            let under = text.len() > project.len()
                && text.is_char_boundary(project.len())
                && text[..project.len()].eq_ignore_ascii_case(project)
                && text[project.len()..].starts_with('\\');
            if text.eq_ignore_ascii_case(project) {
                Ok(Some(Value::String(project.to_owned())))
            } else if under {
                Ok(Some(Value::String(format!(
                    "{project}{}",
                    &text[project.len()..]
                ))))
            } else {
                Err(AdoError::invalid_tree_path(ctx.item_id, def.reference_name))
            }
        }
        Kind::Tags => {
            let text = as_text(value).ok_or_else(invalid_type)?;
            Ok(normalize_tags(&text)?.map(Value::String))
        }
    }
}

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// RFC 3339, or a date-time or date without a zone (read as UTC, as ADO does).
pub(crate) fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|n| n.and_utc())
        })
}

/// `"Display Name <unique@name>"`, taking the display name the organization knows for
/// the unique name when the client sent only that.
pub(crate) fn canonical_identity(text: &str, people: &People) -> String {
    let (display, unique) = split_identity(text);
    let display = if display == unique {
        people
            .get(&unique.to_lowercase())
            .map(String::as_str)
            .unwrap_or(display)
    } else {
        display
    };
    format!("{display} <{unique}>")
}

/// `"a; b"` from any `;`-separated list: trimmed, empty ones dropped, duplicates (in any
/// case) dropped, each tag checked.
pub(crate) fn normalize_tags(text: &str) -> Result<Option<String>, AdoError> {
    let mut tags: Vec<&str> = Vec::new();
    for tag in text.split(';').map(str::trim).filter(|t| !t.is_empty()) {
        if tag.chars().count() > MAX_TAG || tag.contains(',') {
            return Err(AdoError::invalid_tag(tag));
        }
        if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            tags.push(tag);
        }
    }
    Ok((!tags.is_empty()).then(|| tags.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_deduplicated_and_joined_with_a_semicolon_and_space() {
        assert_eq!(
            normalize_tags(" a;b ; A;; c").expect("valid").as_deref(),
            Some("a; b; c")
        );
        assert_eq!(normalize_tags(" ; ").expect("valid"), None);
    }

    #[test]
    fn a_tag_with_a_comma_or_over_400_characters_is_refused() {
        assert!(normalize_tags("a,b").is_err());
        assert!(normalize_tags(&"x".repeat(401)).is_err());
        assert!(normalize_tags(&"x".repeat(400)).is_ok());
    }

    #[test]
    fn dates_without_a_zone_are_read_as_utc() {
        let expected = parse_date("2026-03-01T09:00:00Z");
        assert!(expected.is_some());
        assert_eq!(parse_date("2026-03-01T09:00:00"), expected);
        assert_eq!(parse_date("2026-03-01T10:00:00+01:00"), expected);
        assert_eq!(
            parse_date("2026-03-01").map(|d| d.to_rfc3339()),
            Some("2026-03-01T00:00:00+00:00".to_owned())
        );
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn a_bare_unique_name_takes_the_display_name_the_organization_knows() {
        let mut people = People::new();
        people.insert("ann@example.com".into(), "Ann Example".into());
        assert_eq!(
            canonical_identity("Ann@example.com", &people),
            "Ann Example <Ann@example.com>"
        );
        assert_eq!(
            canonical_identity("bob@example.com", &people),
            "bob@example.com <bob@example.com>"
        );
    }
}
