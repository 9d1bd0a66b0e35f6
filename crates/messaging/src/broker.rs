//! The connection to RabbitMQ. One per process; channels are made from it. When the
//! connection is lost it is made again on the next use, with backoff, so that publishers
//! and consumers recover from a broker restart without a process restart.

use std::sync::Arc;
use std::time::Duration;

use lapin::{Channel, Connection, ConnectionProperties};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The broker did not answer or refused us; the message never names the URL, which
    /// holds the password.
    #[error("RabbitMQ is unavailable: {0}")]
    Unavailable(String),
    #[error("RabbitMQ refused the topology: {0}")]
    Topology(String),
}

impl From<lapin::Error> for BrokerError {
    fn from(err: lapin::Error) -> Self {
        BrokerError::Unavailable(err.to_string())
    }
}

pub struct Broker {
    url: SecretString,
    name: String,
    conn: Mutex<Option<Arc<Connection>>>,
}

impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Broker({})", self.name)
    }
}

impl Broker {
    /// A broker handle; nothing is connected until first use, so a service starts (and
    /// reports not-ready) while RabbitMQ is down.
    pub fn new(url: SecretString, connection_name: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            url,
            name: connection_name.into(),
            conn: Mutex::new(None),
        })
    }

    /// Where a [`crate::Coalescer`] makes its own connection: this broker, under this
    /// broker's connection name.
    pub(crate) fn target(&self) -> crate::coalescer::Target {
        crate::coalescer::Target {
            url: self.url.clone(),
            name: format!("{} (publishing)", self.name),
        }
    }

    /// A live connection, made (again) if there is none or it broke.
    pub async fn connection(&self) -> Result<Arc<Connection>, BrokerError> {
        let mut guard = self.conn.lock().await;
        if let Some(conn) = guard.as_ref()
            && conn.status().connected()
        {
            return Ok(conn.clone());
        }
        let props = ConnectionProperties::default().with_connection_name(self.name.clone().into());
        let conn = tokio::time::timeout(
            Duration::from_secs(10),
            Connection::connect(self.url.expose_secret(), props),
        )
        .await
        .map_err(|_| BrokerError::Unavailable("connection timed out".into()))?
        .map_err(|e| BrokerError::Unavailable(e.to_string()))?;
        let conn = Arc::new(conn);
        *guard = Some(conn.clone());
        tracing::info!(connection = %self.name, "connected to RabbitMQ");
        Ok(conn)
    }

    pub async fn channel(&self) -> Result<Channel, BrokerError> {
        let conn = self.connection().await?;
        match conn.create_channel().await {
            Ok(channel) => Ok(channel),
            Err(err) => {
                // A connection that cannot open channels is as good as gone.
                self.forget(&conn).await;
                Err(err.into())
            }
        }
    }

    /// Drops `conn` if it is still the current one, so the next use reconnects.
    pub async fn forget(&self, conn: &Arc<Connection>) {
        let mut guard = self.conn.lock().await;
        if guard.as_ref().is_some_and(|c| Arc::ptr_eq(c, conn)) {
            *guard = None;
        }
    }

    /// For readiness: can we reach the broker now?
    pub async fn ping(&self) -> Result<(), String> {
        self.connection()
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Closes the connection politely; unacked deliveries return to their queues.
    pub async fn close(&self) {
        if let Some(conn) = self.conn.lock().await.take() {
            let _ = conn.close(200, "shutting down".into()).await;
        }
    }
}
