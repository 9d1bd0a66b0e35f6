//! Checks of the integration settings an admin may change (SPEC §5), each refusing with a
//! 422 whose code names the field.

use navsync_platform::ApiError;
use utoipa::openapi::schema::{AdditionalProperties, SchemaType, Type};
use utoipa::openapi::{ObjectBuilder, Schema};

pub const STATUSES: [&str; 3] = ["not_started", "in_progress", "done"];
pub const ON_ACTION_ITEM_DELETED: [&str; 2] = ["keep", "recycle"];
pub const MAX_NAME_LEN: usize = 128;
/// What the OpenAPI document says of names checked here: no control characters (the
/// checks trim spaces and refuse a few more characters, each named in its error).
pub const NO_CONTROL_CHARACTERS: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";

/// The schema of `state_mapping`, from the same statuses and limits the check uses.
pub fn state_mapping_schema() -> ObjectBuilder {
    let name = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .min_length(Some(1))
        .max_length(Some(MAX_NAME_LEN))
        .pattern(Some(NO_CONTROL_CHARACTERS))
        .build();
    STATUSES.iter().fold(
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Object))
            .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false))),
        |object, status| object.property(*status, name.clone()),
    )
}

/// `work_item_type`: an ADO type name such as `Task` or `User Story`.
pub fn work_item_type(value: &str) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty()
        || trimmed.chars().count() > MAX_NAME_LEN
        || trimmed
            .chars()
            .any(|c| c.is_control() || "/\\?#$&".contains(c))
    {
        return Err(ApiError::unprocessable(
            "invalid_work_item_type",
            "work_item_type must be 1 to 128 characters, without control characters or / \\ ? # $ &.",
        ));
    }
    Ok(trimmed.to_owned())
}

/// A project name or id in a query: it becomes a URL path segment (escaped by the client),
/// so only ADO's own restrictions are checked here, enough to refuse nonsense early.
pub fn project_name(value: &str) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty()
        || trimmed.chars().count() > 64
        || trimmed
            .chars()
            .any(|c| c.is_control() || "\\/:*?\"<>|;#$%{},+=[]".contains(c))
    {
        return Err(ApiError::unprocessable(
            "invalid_project",
            "project must be 1 to 64 characters, without control characters or \\ / : * ? \" < > | ; # $ % { } , + = [ ].",
        ));
    }
    Ok(trimmed.to_owned())
}

/// `state_mapping`: an override from action item status to ADO state name, for example
/// `{"done": "Closed"}`. Only the three statuses may be keys.
pub fn state_mapping(value: &serde_json::Value) -> Result<serde_json::Value, ApiError> {
    let invalid = || {
        ApiError::unprocessable(
            "invalid_state_mapping",
            "state_mapping maps not_started, in_progress or done to an ADO state name of 1 to 128 characters.",
        )
    };
    let map = value.as_object().ok_or_else(invalid)?;
    for (key, state) in map {
        let name = state.as_str().ok_or_else(invalid)?;
        if !STATUSES.contains(&key.as_str())
            || name.trim().is_empty()
            || name.chars().count() > MAX_NAME_LEN
            || name.chars().any(char::is_control)
        {
            return Err(invalid());
        }
    }
    Ok(value.clone())
}

/// `on_action_item_deleted`: `keep` or `recycle`.
pub fn on_action_item_deleted(value: &str) -> Result<String, ApiError> {
    match value {
        v if ON_ACTION_ITEM_DELETED.contains(&v) => Ok(value.to_owned()),
        _ => Err(ApiError::unprocessable(
            "invalid_on_action_item_deleted",
            "on_action_item_deleted must be keep or recycle.",
        )),
    }
}

/// A reason for `needs_attention`: a short snake_case code such as `pat_rejected`.
pub fn attention_reason(value: &str) -> Result<String, ApiError> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(ApiError::unprocessable(
            "invalid_reason",
            "reason must be a snake_case code of at most 64 characters.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_mapping_of_known_statuses_is_accepted() {
        assert!(state_mapping(&json!({"done": "Closed", "in_progress": "Active"})).is_ok());
        assert!(state_mapping(&json!({})).is_ok());
    }

    #[test]
    fn a_mapping_with_unknown_keys_or_bad_values_is_refused() {
        for bad in [
            json!({"finished": "Closed"}),
            json!({"done": 3}),
            json!({"done": ""}),
            json!(["done"]),
            json!("done"),
        ] {
            assert_eq!(
                state_mapping(&bad).err().map(|e| e.code().to_owned()),
                Some("invalid_state_mapping".to_owned()),
                "{bad}"
            );
        }
    }

    #[test]
    fn work_item_types_are_trimmed_and_checked() {
        assert_eq!(
            work_item_type(" User Story ").ok(),
            Some("User Story".into())
        );
        assert!(work_item_type("").is_err());
        assert!(work_item_type("Task/../x").is_err());
        assert!(work_item_type(&"x".repeat(129)).is_err());
    }

    #[test]
    fn project_names_follow_ado_restrictions() {
        assert_eq!(project_name(" Alpha ").ok(), Some("Alpha".into()));
        assert!(project_name("Navigator Demo").is_ok());
        assert!(project_name("").is_err());
        assert!(project_name("../x").is_err());
        assert!(project_name("a?b").is_err());
        assert!(project_name(&"x".repeat(65)).is_err());
    }

    #[test]
    fn deletion_policy_is_keep_or_recycle() {
        assert!(on_action_item_deleted("keep").is_ok());
        assert!(on_action_item_deleted("recycle").is_ok());
        assert!(on_action_item_deleted("destroy").is_err());
    }

    #[test]
    fn attention_reasons_are_codes() {
        assert!(attention_reason("pat_rejected").is_ok());
        assert!(attention_reason("PAT rejected!").is_err());
        assert!(attention_reason("").is_err());
    }
}
