//! ADO's error body, `{"$id":"1","innerException":null,"message","typeName","typeKey",
//! "errorCode":0,"eventId":3000}`, and the errors the emulator answers with.
//!
//! Clients branch on `typeKey` and on the `TFnnnnnn` code that opens `message`, so each
//! constructor here copies what dev.azure.com says; the few that ADO.md does not pin down
//! are marked as the emulator's own choice.

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Value, json};

pub(crate) const FRAMEWORK: (&str, &str) = (
    "Microsoft.TeamFoundation.Framework.Server",
    "Microsoft.TeamFoundation.Framework.Server",
);
pub(crate) const WEB_API: (&str, &str) = (
    "Microsoft.VisualStudio.Services.WebApi",
    "Microsoft.VisualStudio.Services.WebApi",
);
const CORE_WEB_API: (&str, &str) = (
    "Microsoft.TeamFoundation.Core.WebApi",
    "Microsoft.TeamFoundation.Core.WebApi",
);
pub(crate) const COMMON: (&str, &str) = (
    "Microsoft.VisualStudio.Services.Common",
    "Microsoft.VisualStudio.Services.Common",
);
/// The emulator's own errors (control API) say so in their type name.
pub(crate) const EMULATOR: (&str, &str) = ("NavSync.AdoEmulator", "NavSync.AdoEmulator");

/// One ADO error answer: a status, the JSON body, and any extra headers.
#[derive(Debug, Clone)]
pub(crate) struct AdoError {
    status: StatusCode,
    type_key: &'static str,
    type_name: String,
    message: String,
    /// 3000 for most services; Work Item Tracking answers 3200.
    event_id: u32,
    /// ADO's `customProperties`, e.g. the `RuleValidationErrors` of a rule error.
    /// Boxed: rarely set, and errors travel in every `Result` of the crate.
    custom_properties: Option<Box<Value>>,
    headers: Vec<(HeaderName, String)>,
}

impl AdoError {
    pub(crate) fn new(
        status: StatusCode,
        (namespace, assembly): (&str, &str),
        type_key: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            type_key,
            type_name: format!("{namespace}.{type_key}, {assembly}"),
            message: message.into(),
            event_id: 3000,
            custom_properties: None,
            headers: Vec::new(),
        }
    }

    pub(crate) fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub(crate) fn with_event_id(mut self, event_id: u32) -> Self {
        self.event_id = event_id;
        self
    }

    pub(crate) fn with_custom_properties(mut self, properties: Value) -> Self {
        self.custom_properties = Some(Box::new(properties));
        self
    }

    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    pub(crate) fn type_key(&self) -> &'static str {
        self.type_key
    }

    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    /// 401 `TF400813`: no usable credentials (`user` empty), or a PAT whose user may not
    /// do this (`user` is that identity).
    pub(crate) fn unauthorized(user: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            FRAMEWORK,
            "UnauthorizedRequestException",
            format!("TF400813: The user '{user}' is not authorized to access this resource."),
        )
    }

    /// 403 for a PAT without the scope a route needs (the documented alternative to the
    /// 401 that integrators report).
    pub(crate) fn missing_scope(scope: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            FRAMEWORK,
            "UnauthorizedRequestException",
            format!(
                "Access denied: the personal access token used lacks the scope '{scope}' ({}) \
                 that this request needs.",
                scope_description(scope)
            ),
        )
    }

    pub(crate) fn version_not_specified(method: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            WEB_API,
            "VssVersionNotSpecifiedException",
            format!(
                "No api-version was supplied for the \"{method}\" request. The version must be \
                 supplied either as part of the Accept header (e.g. \"application/json; \
                 api-version=1.0\") or as a query parameter (e.g. '?api-version=1.0')."
            ),
        )
    }

    pub(crate) fn version_out_of_range(requested: &str, latest: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            WEB_API,
            "VssVersionOutOfRangeException",
            format!(
                "The requested REST API version of {requested} is out of range for this server. \
                 The latest REST API version this server supports is {latest}."
            ),
        )
    }

    pub(crate) fn preview_flag_missing(requested: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            WEB_API,
            "VssInvalidPreviewVersionException",
            format!(
                "The requested version \"{requested}\" of the resource is under preview. The \
                 -preview flag must be supplied in the api-version for such requests. For \
                 example: \"{requested}-preview\""
            ),
        )
    }

    /// The emulator's wording: ADO.md does not record this message.
    pub(crate) fn invalid_version(requested: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            WEB_API,
            "VssInvalidApiResourceVersionException",
            format!("The api-version '{requested}' is not a valid version string."),
        )
    }

    pub(crate) fn project_not_found(id_or_name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            CORE_WEB_API,
            "ProjectDoesNotExistWithNameException",
            format!(
                "TF200016: The following project does not exist: {id_or_name}. Verify that the \
                 name of the project is correct and that the project exists on the specified \
                 Azure DevOps Server."
            ),
        )
    }

    /// The emulator's wording for an organization it does not hold.
    pub(crate) fn organization_not_found(org: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            FRAMEWORK,
            "HostDoesNotExistException",
            format!("The organization '{org}' does not exist."),
        )
    }

    /// The emulator's wording for a route it does not serve.
    pub(crate) fn route_not_found(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            WEB_API,
            "VssResourceNotFoundException",
            format!("The resource for {method} {path} cannot be found."),
        )
    }

    /// The answer to an injected fault: a status with a plausible ADO error for it.
    pub(crate) fn injected(status: StatusCode) -> Self {
        match status.as_u16() {
            429 => Self::new(
                status,
                FRAMEWORK,
                "RequestCanceledException",
                "TF400733: The request has been canceled: Request was blocked due to exceeding \
                 usage of resource 'ATCPU' in namespace 'User'. (Injected by the emulator.)",
            ),
            401 => Self::unauthorized(""),
            503 => Self::new(
                status,
                COMMON,
                "VssServiceUnavailableException",
                "The service is temporarily unavailable. (Injected by the emulator.)",
            ),
            _ => Self::new(
                status,
                COMMON,
                "VssServiceException",
                format!(
                    "The request failed with status {}. (Injected by the emulator.)",
                    status.as_u16()
                ),
            ),
        }
    }

    /// A bad request to the control API.
    pub(crate) fn control(status: StatusCode, type_key: &'static str, message: String) -> Self {
        Self::new(status, EMULATOR, type_key, message)
    }
}

/// What a scope lets a PAT do, in the words of the PAT creation page.
fn scope_description(scope: &str) -> &'static str {
    match scope {
        "vso.project" => "Project and Team: Read",
        "vso.project_write" => "Project and Team: Read & write",
        "vso.work" => "Work Items: Read",
        "vso.work_write" => "Work Items: Read & write",
        "vso.hooks" | "vso.hooks_write" => "Service Hooks",
        _ => "see the scope list of the PAT page",
    }
}

impl std::fmt::Display for AdoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.type_key,
            self.message
        )
    }
}

impl ResponseError for AdoError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status);
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                builder.insert_header((name.clone(), value));
            }
        }
        let mut body = json!({
            "$id": "1",
            "innerException": null,
            "message": self.message,
            "typeName": self.type_name,
            "typeKey": self.type_key,
            "errorCode": 0,
            "eventId": self.event_id,
        });
        if let Some(properties) = &self.custom_properties {
            body["customProperties"] = (**properties).clone();
        }
        builder.json(body)
    }
}
