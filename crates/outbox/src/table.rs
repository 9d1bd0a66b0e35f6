//! The rows of one service's `<schema>.outbox`. Written in the transaction of the change
//! they report and deleted only after the broker confirmed them (deleting is cheaper than
//! updating a row that carries the whole event, and leaves the table holding exactly the
//! backlog).
//!
//! The queries are SQL text because the schema differs per service while diesel's table
//! types are fixed at compile time; the schema name is a constant of the service's code,
//! checked when the table is named, and every value is a bind parameter.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, BigInt, Bytea, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// An event to store with the change it reports.
#[derive(Debug, Clone)]
pub struct NewRow {
    pub event_id: Uuid,
    pub aggregate_id: Uuid,
    pub exchange: String,
    pub routing_key: String,
    pub body: Vec<u8>,
    pub traceparent: Option<String>,
}

/// A stored event waiting for the relay.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct PendingRow {
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    #[diesel(sql_type = SqlUuid)]
    pub event_id: Uuid,
    #[diesel(sql_type = Text)]
    pub exchange: String,
    #[diesel(sql_type = Text)]
    pub routing_key: String,
    #[diesel(sql_type = Bytea)]
    pub body: Vec<u8>,
    #[diesel(sql_type = Nullable<Text>)]
    pub traceparent: Option<String>,
}

/// `<schema>.outbox`, with its queries written once.
#[derive(Debug, Clone)]
pub struct OutboxTable {
    schema: &'static str,
    insert: String,
    lock_unpublished: String,
    delete_published: String,
    backlog: String,
}

#[derive(diesel::QueryableByName)]
struct Backlog {
    #[diesel(sql_type = BigInt)]
    count: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    oldest: Option<DateTime<Utc>>,
}

impl OutboxTable {
    /// The outbox of `schema`, a lower-case identifier of the service's own code.
    ///
    /// # Panics
    /// When `schema` is not a plain identifier: a programming error, found by any test.
    pub fn new(schema: &'static str) -> Self {
        assert!(
            !schema.is_empty()
                && schema
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "outbox schema must be a plain identifier, got {schema:?}"
        );
        let t = format!("{schema}.outbox");
        Self {
            schema,
            insert: format!(
                "INSERT INTO {t} (event_id, aggregate_id, exchange, routing_key, body, traceparent) \
                 VALUES ($1, $2, $3, $4, $5, $6)"
            ),
            // Rows another transaction holds are skipped.
            lock_unpublished: format!(
                "SELECT seq, event_id, exchange, routing_key, body, traceparent FROM {t} \
                 WHERE seq > $1 ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED"
            ),
            delete_published: format!("DELETE FROM {t} WHERE seq = ANY($1)"),
            backlog: format!("SELECT count(*) AS count, min(created_at) AS oldest FROM {t}"),
        }
    }

    pub fn schema(&self) -> &'static str {
        self.schema
    }

    pub async fn insert(
        &self,
        conn: &mut AsyncPgConnection,
        row: &NewRow,
    ) -> diesel::QueryResult<()> {
        diesel::sql_query(&self.insert)
            .bind::<SqlUuid, _>(row.event_id)
            .bind::<SqlUuid, _>(row.aggregate_id)
            .bind::<Text, _>(&row.exchange)
            .bind::<Text, _>(&row.routing_key)
            .bind::<Bytea, _>(&row.body)
            .bind::<Nullable<Text>, _>(&row.traceparent)
            .execute(conn)
            .await
            .map(|_| ())
    }

    /// The oldest waiting rows after `after` (a `seq`), locked.
    pub async fn lock_unpublished(
        &self,
        conn: &mut AsyncPgConnection,
        after: i64,
        limit: i64,
    ) -> diesel::QueryResult<Vec<PendingRow>> {
        diesel::sql_query(&self.lock_unpublished)
            .bind::<BigInt, _>(after)
            .bind::<BigInt, _>(limit)
            .load(conn)
            .await
    }

    /// Removes rows the broker confirmed.
    pub async fn delete_published(
        &self,
        conn: &mut AsyncPgConnection,
        seqs: &[i64],
    ) -> diesel::QueryResult<usize> {
        if seqs.is_empty() {
            return Ok(0);
        }
        diesel::sql_query(&self.delete_published)
            .bind::<Array<BigInt>, _>(seqs)
            .execute(conn)
            .await
    }

    /// How many rows wait, and since when the oldest has waited.
    pub async fn backlog(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> diesel::QueryResult<(i64, Option<DateTime<Utc>>)> {
        let b: Backlog = diesel::sql_query(&self.backlog).get_result(conn).await?;
        Ok((b.count, b.oldest))
    }
}
