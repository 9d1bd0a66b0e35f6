//! The errors of Work Item Tracking, service hooks and throttling, in ADO's words.
//!
//! Clients branch on `typeKey`, on the status and on the `TFnnnnnn` / `VSnnnnnn` code
//! that opens `message`, so these copy dev.azure.com where it is known (ADO.md and
//! integrators' reports); the few marked "emulator's wording" are not recorded anywhere
//! and only keep ADO's shape.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::ado_error::{AdoError, COMMON, EMULATOR, FRAMEWORK, WEB_API};

const WIT_SERVER: (&str, &str) = (
    "Microsoft.TeamFoundation.WorkItemTracking.Server",
    "Microsoft.TeamFoundation.WorkItemTracking.Server",
);
const PATCH: (&str, &str) = (
    "Microsoft.VisualStudio.Services.WebApi.Patch",
    "Microsoft.VisualStudio.Services.WebApi",
);
const HOOKS: (&str, &str) = (
    "Microsoft.VisualStudio.Services.ServiceHooks.WebApi",
    "Microsoft.VisualStudio.Services.ServiceHooks.WebApi",
);
/// Work Item Tracking's `eventId`.
const WIT_EVENT: u32 = 3200;

impl AdoError {
    fn wit(status: StatusCode, type_key: &'static str, message: String) -> Self {
        Self::new(status, WIT_SERVER, type_key, message).with_event_id(WIT_EVENT)
    }

    /// 404 `TF401232`: absent, in the recycle bin, or not readable — ADO does not say which.
    pub(crate) fn work_item_not_found(id: impl std::fmt::Display) -> Self {
        Self::wit(
            StatusCode::NOT_FOUND,
            "WorkItemUnauthorizedAccessException",
            format!(
                "TF401232: Work item {id} does not exist, or you do not have permissions to read it."
            ),
        )
    }

    /// 400 `TF51535`: a field the work item type does not have (or nobody has).
    pub(crate) fn field_not_found(field: &str) -> Self {
        Self::wit(
            StatusCode::BAD_REQUEST,
            "WorkItemTrackingFieldDefinitionNotFoundException",
            format!("TF51535: Cannot find field {field}."),
        )
    }

    /// 400 `TF401320`: a rule of the process refused a value. `flags` are ADO's error
    /// codes (`Required`, `InvalidEmpty`, `InvalidListValue`, ...).
    pub(crate) fn rule_error(reference_name: &str, friendly_name: &str, flags: &[&str]) -> Self {
        let message = format!(
            "TF401320: Rule Error for field {friendly_name}. Error code: {}.",
            flags.join(", ")
        );
        let status_flags: Vec<String> = flags
            .iter()
            .map(|f| {
                let mut chars = f.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect();
        Self::wit(
            StatusCode::BAD_REQUEST,
            "RuleValidationException",
            message.clone(),
        )
        .with_custom_properties(json!({
            "RuleValidationErrors": [{
                "fieldReferenceName": reference_name,
                "fieldStatusFlags": status_flags.join(", "),
                "errorMessage": message,
                "fieldStatusCode": 0,
                "ruleValidationErrors": null,
            }]
        }))
    }

    /// 400 `TF401326`: a field only the service writes.
    pub(crate) fn read_only_field(reference_name: &str) -> Self {
        Self::wit(
            StatusCode::BAD_REQUEST,
            "RuleValidationException",
            format!("TF401326: Invalid field status 'ReadOnly' for field '{reference_name}'."),
        )
    }

    /// 400 `TF401347`: an area or iteration path outside the project.
    pub(crate) fn invalid_tree_path(id: i64, reference_name: &str) -> Self {
        Self::wit(
            StatusCode::BAD_REQUEST,
            "WorkItemFieldInvalidTreeNameException",
            format!(
                "TF401347: Invalid tree name given for work item {id}, field '{reference_name}'."
            ),
        )
    }

    /// 412 `VS403351`: a `test` operation of the patch failed; nothing was changed.
    pub(crate) fn test_failed(path: &str, current: &str, tested: &str) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            PATCH,
            "TestPatchOperationFailedException",
            format!(
                "VS403351: Test Operation for path {path} failed, value {current} was not \
                 equal to test value {tested}."
            ),
        )
    }

    /// 400: the body is not a JSON Patch array.
    pub(crate) fn invalid_patch_document() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            COMMON,
            "VssPropertyValidationException",
            "You must pass a valid patch document in the body of the request.",
        )
    }

    /// 400: an operation the emulator (and, for these, ADO) cannot apply. Emulator's
    /// wording.
    pub(crate) fn patch_operation_failed(message: String) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            PATCH,
            "PatchOperationFailedException",
            message,
        )
    }

    /// 415: the write routes take only `application/json-patch+json`.
    pub(crate) fn unsupported_content_type(content_type: &str, method: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WEB_API,
            "VssRequestContentTypeNotSupportedException",
            format!(
                "The request indicated a Content-Type of \"{content_type}\" for method type \
                 \"{method}\" which is not supported. Valid content types for this method \
                 are: application/json-patch+json."
            ),
        )
    }

    /// 404: a work item type the process does not have.
    pub(crate) fn work_item_type_not_found(name: &str) -> Self {
        Self::wit(
            StatusCode::NOT_FOUND,
            "WorkItemTypeNotFoundException",
            format!("VS402323: Work item type {name} does not exist."),
        )
    }

    /// 400: `fields` and `$expand` together.
    pub(crate) fn conflicting_expand_and_fields() -> Self {
        Self::wit(
            StatusCode::BAD_REQUEST,
            "ConflictingParametersException",
            "The expand parameter can not be used with the fields parameter.".to_owned(),
        )
    }

    /// 400: a tag longer than 400 characters or holding a comma. Emulator's wording.
    pub(crate) fn invalid_tag(tag: &str) -> Self {
        Self::wit(
            StatusCode::BAD_REQUEST,
            "InvalidTagNameException",
            format!(
                "The tag '{tag}' is not valid: a tag is at most 400 characters and holds no \
                 ',' or ';'."
            ),
        )
    }

    /// 400: restoring a work item that is not in the recycle bin. Emulator's wording.
    pub(crate) fn invalid_restore(id: u32) -> Self {
        Self::wit(
            StatusCode::BAD_REQUEST,
            "WorkItemInvalidRestoreRequestException",
            format!(
                "Work item {id} cannot be restored: it is not in the recycle bin, or the \
                 request body is not {{\"IsDeleted\": false}}."
            ),
        )
    }

    /// 400: a bad argument (ids missing or too many, an unknown `$expand`). Emulator's
    /// wording.
    pub(crate) fn bad_argument(message: String) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            COMMON,
            "ArgumentException",
            message,
        )
    }

    /// 400 on a WIQL statement: ADO's shape, `TF51005` for an unknown field and
    /// `TF51006` for a statement it cannot parse (or, here, that the emulator does not
    /// support — the message says so).
    pub(crate) fn wiql(message: String) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            COMMON,
            "VssPropertyValidationException",
            message,
        )
    }

    /// 429 `TF400733`: the identity's budget is spent.
    pub(crate) fn rate_limited(resource: &str) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            FRAMEWORK,
            "RequestBlockedException",
            format!(
                "TF400733: The request has been canceled: Request was blocked due to exceeding \
                 usage of resource '{resource}' in namespace 'User'."
            ),
        )
    }

    /// 404: an unknown subscription. Emulator's wording.
    pub(crate) fn subscription_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            HOOKS,
            "SubscriptionNotFoundException",
            format!("VS403050: The subscription {id} does not exist."),
        )
    }

    /// 400: a subscription ADO would refuse (bad publisher, event, consumer or URL).
    /// Emulator's wording.
    pub(crate) fn invalid_subscription(message: String) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            HOOKS,
            "SubscriptionInputException",
            message,
        )
    }

    /// A refusal of the control API about a work item or person (400 or 404).
    pub(crate) fn control_request(message: String) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            EMULATOR,
            "InvalidRequestException",
            message,
        )
    }
}
