//! `POST /internal/v1/integrations/{id}/attention-cleared` (service credential): a service
//! that flagged an integration for a reason it can see go away (`no_webhooks`: a webhook
//! arrived) clears it — only when the integration is flagged for exactly that reason, so
//! it never clears what an admin must fix (a rejected PAT).

use actix_web::{HttpResponse, web};
use diesel_async::AsyncConnection;
use navsync_contracts::IntegrationChange;
use navsync_platform::ApiError;
use navsync_platform::auth::ServiceCaller;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::events;
use crate::settings_input;
use crate::state::AppState;
use crate::store::audit::{self, Action};
use crate::store::integrations::{self as rows, IntegrationChanges};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearRequest {
    reason: String,
    #[serde(default)]
    service: Option<String>,
}

pub async fn cleared(
    state: web::Data<AppState>,
    _caller: ServiceCaller,
    path: web::Path<Uuid>,
    body: web::Json<ClearRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = settings_input::attention_reason(&body.reason)?;
    let actor = format!(
        "service:{}",
        body.service
            .as_deref()
            .and_then(|s| settings_input::attention_reason(s).ok())
            .unwrap_or_else(|| "unknown".to_owned())
    );
    let mut conn = state.pool.get().await?;
    let row = conn
        .transaction(async |conn| {
            let current = rows::find_by_id(conn, id)
                .await?
                .ok_or_else(|| ApiError::not_found("The integration"))?;
            if current.attention_reason.as_deref() != Some(reason.as_str()) {
                return Ok((current, false));
            }
            let changes = IntegrationChanges {
                attention_reason: Some(None),
                updated_at: Some(navsync_platform::db::now()),
                ..IntegrationChanges::default()
            };
            let row = rows::update_by_id(conn, id, &changes).await?;
            audit::insert(
                conn,
                id,
                row.company_id,
                &actor,
                Action::NeedsAttention,
                json!({"reason": reason, "cleared": true}),
            )
            .await?;
            events::record(conn, &row, IntegrationChange::AttentionCleared).await?;
            Ok::<_, ApiError>((row, true))
        })
        .await?;
    let (row, changed) = row;
    if changed {
        state.outbox_wake.notify_one();
        tracing::info!(integration_id = %id, reason = %reason, "attention cleared");
    }
    Ok(HttpResponse::Ok().json(state.view(row)))
}
