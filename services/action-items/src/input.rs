//! What callers may send, and its checks (SPEC §6). Every refusal names the field: type
//! errors are 400 `invalid_json` with the JSON path, rule violations 422
//! `validation_failed`.

use chrono::NaiveDate;
use navsync_contracts::{ActionItemStatus, TITLE_MAX_CHARS};
use navsync_platform::ApiError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

/// 32 KiB, in bytes of UTF-8.
pub const DESCRIPTION_MAX_BYTES: usize = 32 * 1024;
const EMAIL_MAX_LEN: usize = 254;

/// A new action item (SPEC §6). The schema's limits are the checks below: a title of 1
/// to 255 characters, not only spaces; a description of at most 32 KiB of UTF-8; no
/// U+0000 in either (PostgreSQL text cannot hold it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewActionItem)]
pub struct CreateInput {
    #[schema(
        pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$",
        min_length = 1,
        max_length = 255
    )]
    pub title: String,
    /// At most 32 KiB of UTF-8; empty is the same as none.
    #[serde(default)]
    #[schema(pattern = "^[^\\u0000]*$", max_length = 32768)]
    pub description: Option<String>,
    /// `not_started` when absent.
    #[serde(default)]
    #[schema(value_type = Option<crate::view::Status>)]
    pub status: Option<ActionItemStatus>,
    /// Blank is the same as none.
    #[serde(default)]
    #[schema(format = Email, max_length = 254)]
    pub assignee_email: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "full_date")]
    pub due_date: Option<NaiveDate>,
    /// `true` when absent.
    #[serde(default)]
    pub sync_to_ado: Option<bool>,
}

/// A PATCH: an absent field stays as it is; `null` clears a field that may be empty.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ActionItemChanges)]
pub struct PatchInput {
    #[serde(default)]
    #[schema(
        pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$",
        min_length = 1,
        max_length = 255
    )]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, pattern = "^[^\\u0000]*$", max_length = 32768)]
    pub description: Option<Option<String>>,
    #[serde(default)]
    #[schema(value_type = Option<crate::view::Status>)]
    pub status: Option<ActionItemStatus>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub assignee_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present_full_date")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(default)]
    pub sync_to_ado: Option<bool>,
}

/// Tells a field sent as `null` (Some(None)) from one not sent (None).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A date as SPEC §6 says, `YYYY-MM-DD` ([`navsync_contracts::full_date`]): chrono alone
/// would also take `-5000-01-01` (which PostgreSQL cannot store: a 500) or
/// `+10000-01-01` (which the view would write back as no `date` at all).
fn full_date<'de, D>(d: D) -> Result<Option<NaiveDate>, D::Error>
where
    D: Deserializer<'de>,
{
    Option::<String>::deserialize(d)?
        .map(|text| {
            navsync_contracts::full_date(&text)
                .ok_or_else(|| serde::de::Error::custom("must be a date of the form YYYY-MM-DD"))
        })
        .transpose()
}

/// [`full_date`], telling a `null` (Some(None)) from an absent field (None).
fn present_full_date<'de, D>(d: D) -> Result<Option<Option<NaiveDate>>, D::Error>
where
    D: Deserializer<'de>,
{
    full_date(d).map(Some)
}

/// Reads a JSON document into `T`, naming the path of the first bad field.
pub fn parse<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = if path == "." {
            inner.to_string()
        } else {
            format!("{path}: {inner}")
        };
        ApiError::bad_request("invalid_json", message)
    })
}

fn invalid(field: &str, rule: &str) -> ApiError {
    ApiError::unprocessable("validation_failed", format!("{field}: {rule}"))
}

pub fn title(value: &str) -> Result<String, ApiError> {
    let chars = value.chars().count();
    if value.trim().is_empty() || chars > TITLE_MAX_CHARS {
        return Err(invalid(
            "title",
            "must be 1 to 255 characters, not only spaces",
        ));
    }
    // PostgreSQL text cannot hold U+0000: refused here rather than failing the insert.
    if value.contains('\0') {
        return Err(invalid("title", "must not contain U+0000"));
    }
    Ok(value.to_owned())
}

pub fn description(value: Option<String>) -> Result<Option<String>, ApiError> {
    match value {
        Some(text) if text.len() > DESCRIPTION_MAX_BYTES => {
            Err(invalid("description", "must be at most 32 KiB"))
        }
        Some(text) if text.contains('\0') => Err(invalid("description", "must not contain U+0000")),
        Some(text) if text.is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// A deliberately modest check: one `@`, something on each side, no spaces or controls.
/// ADO decides later whether the identity exists.
pub fn assignee_email(value: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(email) = value else { return Ok(None) };
    let email = email.trim().to_owned();
    if email.is_empty() {
        return Ok(None);
    }
    let valid = email.len() <= EMAIL_MAX_LEN
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.contains('@')
               && !domain.starts_with('.') && !domain.ends_with('.'));
    if valid {
        Ok(Some(email))
    } else {
        Err(invalid("assignee_email", "must be an email address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_of_1_to_255_characters_are_accepted() {
        assert!(title("a").is_ok());
        assert!(title(&"é".repeat(255)).is_ok(), "characters, not bytes");
        assert!(title(&"a".repeat(256)).is_err());
        assert!(title("   ").is_err());
        assert!(title("").is_err());
        assert!(title("a\0b").is_err(), "PostgreSQL refuses U+0000");
        assert!(description(Some("a\0b".into())).is_err());
    }

    #[test]
    fn descriptions_are_limited_to_32_kib() {
        assert!(description(Some("x".repeat(32 * 1024))).is_ok());
        assert!(description(Some("x".repeat(32 * 1024 + 1))).is_err());
        assert_eq!(description(Some(String::new())).ok(), Some(None));
    }

    #[test]
    fn emails_need_a_local_part_and_a_domain() {
        assert!(assignee_email(Some("a@b.example".into())).is_ok());
        for bad in [
            "a",
            "@b.example",
            "a@b",
            "a b@c.example",
            "a@b@c.example",
            "a@.example",
        ] {
            assert!(assignee_email(Some(bad.into())).is_err(), "{bad}");
        }
        assert_eq!(assignee_email(Some(" ".into())).ok(), Some(None));
    }

    #[test]
    fn type_errors_name_the_field() {
        let err = parse::<CreateInput>(serde_json::json!({"title": 5}))
            .err()
            .map(|e| e.message().to_owned())
            .unwrap_or_default();
        assert!(err.starts_with("title:"), "{err}");
        let err = parse::<CreateInput>(serde_json::json!({"title": "x", "status": "finished"}))
            .err()
            .map(|e| e.message().to_owned())
            .unwrap_or_default();
        assert!(err.starts_with("status:"), "{err}");
        let err = parse::<CreateInput>(serde_json::json!({"title": "x", "due_date": "2026-13-01"}))
            .err()
            .map(|e| e.message().to_owned())
            .unwrap_or_default();
        assert!(err.starts_with("due_date:"), "{err}");
    }

    #[test]
    fn due_dates_have_four_digits_of_year() {
        let due = |d: &str| parse::<CreateInput>(serde_json::json!({"title": "x", "due_date": d}));
        assert!(due("2026-12-24").is_ok());
        for bad in ["-5000-01-01", "+10000-01-01", "2026-02-30"] {
            let message = due(bad)
                .err()
                .map(|e| e.message().to_owned())
                .unwrap_or_default();
            assert!(message.starts_with("due_date:"), "{bad}: {message}");
        }
        let p: PatchInput = parse(serde_json::json!({"due_date": null})).expect("parses");
        assert_eq!(p.due_date, Some(None));
        let p: PatchInput = parse(serde_json::json!({"due_date": "2027-01-31"})).expect("parses");
        assert_eq!(p.due_date, NaiveDate::from_ymd_opt(2027, 1, 31).map(Some));
        assert!(parse::<PatchInput>(serde_json::json!({"due_date": "+10000-01-01"})).is_err());
    }

    /// `#[schema(max_length = …)]` takes only literals: they must say what the checks do.
    #[test]
    fn the_schemas_limits_are_the_checks_limits() {
        use utoipa::PartialSchema;
        for schema in [CreateInput::schema(), PatchInput::schema()] {
            let schema = serde_json::to_value(schema).expect("json");
            let max = |field: &str| schema["properties"][field]["maxLength"].as_u64();
            assert_eq!(max("title"), Some(TITLE_MAX_CHARS as u64));
            assert_eq!(max("description"), Some(DESCRIPTION_MAX_BYTES as u64));
            assert_eq!(max("assignee_email"), Some(EMAIL_MAX_LEN as u64));
        }
    }

    #[test]
    fn patch_tells_null_from_absent() {
        let p: PatchInput = parse(serde_json::json!({"description": null})).expect("parses");
        assert_eq!(p.description, Some(None));
        let p: PatchInput = parse(serde_json::json!({})).expect("parses");
        assert_eq!(p.description, None);
    }
}
