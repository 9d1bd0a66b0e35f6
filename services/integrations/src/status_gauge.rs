//! `integrations{status}`: how many integrations are active, disabled or need attention
//! (a rejected PAT), counted every [`EVERY`] — the "an integration needs attention" alert
//! reads it. Every replica reports the same counts; the alert takes the maximum.

use std::time::Duration;

use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use navsync_platform::db::Pool;
use tokio_util::sync::CancellationToken;

pub const EVERY: Duration = Duration::from_secs(15);
const STATUSES: [&str; 3] = ["active", "disabled", "needs_attention"];

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Keeps the gauge current until `shutdown`.
pub async fn run(pool: Pool, shutdown: CancellationToken) {
    loop {
        match count(&pool).await {
            Ok(counts) => {
                for status in STATUSES {
                    let n = counts
                        .iter()
                        .find(|c| c.status == status)
                        .map_or(0, |c| c.n);
                    metrics::gauge!("integrations", "status" => status).set(n as f64);
                }
            }
            Err(err) => tracing::warn!(error = %err, "cannot count the integrations"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}

async fn count(pool: &Pool) -> Result<Vec<Count>, String> {
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    diesel::sql_query(
        "SELECT CASE WHEN NOT enabled THEN 'disabled' \
                     WHEN attention_reason IS NOT NULL THEN 'needs_attention' \
                     ELSE 'active' END AS status, count(*) AS n \
         FROM integrations.integrations GROUP BY 1",
    )
    .load(&mut conn)
    .await
    .map_err(|e| e.to_string())
}
