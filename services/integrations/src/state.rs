//! What every handler shares: the pool, the ADO client, the secret box, and public URLs.

use std::sync::Arc;

use navsync_ado_client::{AdoClient, Organization, Pat};
use navsync_platform::{ApiError, db::Pool};
use uuid::Uuid;

use crate::crypto::{Field, SecretBox};
use crate::store::integrations::IntegrationRow;
use crate::view::IntegrationView;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub ado: AdoClient,
    pub secrets: Arc<SecretBox>,
    pub webhook_base_url: Arc<str>,
    /// Wakes the outbox relay after a commit that wrote an event.
    pub outbox_wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn view(&self, row: IntegrationRow) -> IntegrationView {
        IntegrationView::new(row, &self.webhook_base_url)
    }

    /// The stored PAT of `row`, decrypted. A failure here is ours (a lost key), never the
    /// caller's, so it is an opaque 500 with the key id in the log.
    pub fn pat_of(&self, row: &IntegrationRow) -> Result<Pat, ApiError> {
        let secret = self.decrypt(row.id, Field::Pat, &row.pat_ciphertext)?;
        Pat::parse(secret.as_str()).map_err(ApiError::internal)
    }

    pub fn webhook_secret_of(&self, row: &IntegrationRow) -> Result<String, ApiError> {
        self.decrypt(row.id, Field::WebhookSecret, &row.webhook_secret_ciphertext)
    }

    fn decrypt(&self, id: Uuid, field: Field, stored: &str) -> Result<String, ApiError> {
        use secrecy::ExposeSecret;
        self.secrets
            .decrypt(id, field, stored)
            .map(|s| s.expose_secret().to_owned())
            .map_err(ApiError::internal)
    }
}

/// The stored organization name, re-checked: rows are only written after validation, but
/// a name goes into a URL, so it is checked every time.
pub fn organization_of(row: &IntegrationRow) -> Result<Organization, ApiError> {
    Organization::parse(&row.organization).map_err(ApiError::internal)
}
