//! What the admin API takes and answers (SPEC §5), each type with the schema the OpenAPI
//! document shows: the same limits the checks apply, so a generated request means
//! something (schemathesis, `make test-api`).

use navsync_ado_client::{Project, WorkItemType};
use navsync_platform::openapi::{nullable_string_enum, string_enum};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{OneOfBuilder, SchemaType, Type};
use utoipa::openapi::{KnownFormat, ObjectBuilder, SchemaFormat};
use utoipa::{IntoParams, ToSchema};

use crate::settings_input::ON_ACTION_ITEM_DELETED;
use crate::store::audit::AuditRow;
use crate::view::IntegrationView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    /// The ADO organization: 1 to 50 letters, digits or hyphens, starting and ending with
    /// a letter or digit (ADO's rule, which `Organization::parse` checks).
    #[schema(
        pattern = "^[A-Za-z0-9]([A-Za-z0-9-]{0,48}[A-Za-z0-9])?$",
        max_length = 50,
        example = "p2anav-dev"
    )]
    pub organization: String,
    /// The service account's Personal Access Token: printable ASCII without spaces
    /// (`Pat::parse`).
    #[schema(pattern = "^[!-~]+$", min_length = 1, max_length = 512)]
    pub pat: String,
    /// When the PAT expires (`YYYY-MM-DD` or RFC 3339, in the future), as ADO showed it
    /// when the PAT was made; absent or `null`: not given.
    #[serde(default)]
    #[schema(schema_with = expiry_schema)]
    pub pat_expires_at: Option<String>,
}

/// Any of the fields; an absent one stays as it is. A new organization or PAT is checked
/// against ADO exactly as on create, and nothing changes when that fails.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    #[schema(
        pattern = "^[A-Za-z0-9]([A-Za-z0-9-]{0,48}[A-Za-z0-9])?$",
        max_length = 50
    )]
    pub organization: Option<String>,
    #[schema(pattern = "^[!-~]+$", min_length = 1, max_length = 512)]
    pub pat: Option<String>,
    pub enabled: Option<bool>,
    /// A project of the organization, by name or id; `null` clears the choice.
    #[serde(default, with = "serde_with_null")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 64)]
    pub project: Option<Option<String>>,
    /// An ADO work item type name such as `Task` or `User Story`.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f/\\\\?#$&]*$",
        min_length = 1,
        max_length = 128
    )]
    pub work_item_type: Option<String>,
    #[schema(schema_with = crate::settings_input::state_mapping_schema)]
    pub state_mapping: Option<serde_json::Value>,
    #[schema(schema_with = on_deleted_schema)]
    pub on_action_item_deleted: Option<String>,
    /// When the PAT expires (`YYYY-MM-DD` or RFC 3339, in the future); `null` forgets it.
    #[serde(default, with = "serde_with_null")]
    #[schema(schema_with = expiry_schema)]
    pub pat_expires_at: Option<Option<String>>,
}

fn on_deleted_schema() -> ObjectBuilder {
    nullable_string_enum(&ON_ACTION_ITEM_DELETED)
}

/// A date or a date and time, or `null`.
fn expiry_schema() -> OneOfBuilder {
    let string = |format| {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    OneOfBuilder::new()
        .item(string(KnownFormat::Date))
        .item(string(KnownFormat::DateTime))
        .item(ObjectBuilder::new().schema_type(SchemaType::Type(Type::Null)))
}

/// Tells "absent" (leave as is) from `null` (clear) for a PATCH field.
mod serde_with_null {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// Which secret to show.
    #[schema(schema_with = reveal_field_schema)]
    pub field: String,
}

pub const REVEALABLE: [&str; 2] = ["pat", "webhook_secret"];

fn reveal_field_schema() -> ObjectBuilder {
    string_enum(&REVEALABLE)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TypesQuery {
    /// The project to list types of; the integration's own when absent.
    #[param(min_length = 1, max_length = 64)]
    pub project: Option<String>,
}

/// The caller's company's integrations: none or one.
#[derive(Serialize, ToSchema)]
pub struct IntegrationList {
    pub items: Vec<IntegrationView>,
}

/// A secret, shown once (`Cache-Control: no-store`).
#[derive(Serialize, ToSchema)]
pub struct Revealed {
    pub value: String,
}

/// The new webhook secret and the integration that holds it.
#[derive(Serialize, ToSchema)]
pub struct Rotated {
    pub value: String,
    pub integration: IntegrationView,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectView {
    pub id: String,
    pub name: String,
}

impl From<Project> for ProjectView {
    fn from(p: Project) -> Self {
        Self {
            id: p.id,
            name: p.name,
        }
    }
}

/// The organization's projects, read from ADO with the stored PAT.
#[derive(Serialize, ToSchema)]
pub struct ProjectList {
    pub items: Vec<ProjectView>,
}

#[derive(Serialize, ToSchema)]
pub struct WorkItemTypeView {
    pub name: String,
    pub reference_name: String,
    pub is_disabled: bool,
}

impl From<WorkItemType> for WorkItemTypeView {
    fn from(t: WorkItemType) -> Self {
        Self {
            name: t.name,
            reference_name: t.reference_name,
            is_disabled: t.is_disabled,
        }
    }
}

/// The enabled work item types of a project.
#[derive(Serialize, ToSchema)]
pub struct WorkItemTypeList {
    pub project: String,
    pub items: Vec<WorkItemTypeView>,
}

/// Who did what and when, newest first (at most 500).
#[derive(Serialize, ToSchema)]
pub struct AuditLog {
    pub items: Vec<AuditRow>,
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    use super::*;

    /// `#[schema(max_length = …)]` takes only literals: they must say what the checks do.
    #[test]
    fn the_schemas_limits_are_the_checks_limits() {
        let schema = serde_json::to_value(UpdateRequest::schema()).expect("json");
        let max = |field: &str| schema["properties"][field]["maxLength"].as_u64();
        assert_eq!(max("pat"), Some(navsync_ado_client::MAX_PAT_LEN as u64));
        assert_eq!(
            max("work_item_type"),
            Some(crate::settings_input::MAX_NAME_LEN as u64)
        );
        let schema = serde_json::to_value(CreateRequest::schema()).expect("json");
        assert_eq!(
            schema["properties"]["pat"]["maxLength"].as_u64(),
            Some(navsync_ado_client::MAX_PAT_LEN as u64)
        );
    }
}
