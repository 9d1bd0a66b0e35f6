//! Listens on an exchange the way another Navigator service would, so a test can assert
//! on exactly what was published: every message, in arrival order.

use std::sync::Arc;
use std::time::Duration;

use navsync_contracts::{Envelope, Event, decode};
use navsync_messaging::{
    Broker, ConsumerConfig, IncomingMessage, Outcome, QueueSpec, run_consumer, topology,
};
use tokio::sync::{Mutex, mpsc};
use tokio_util::sync::CancellationToken;

/// Every message seen on the observed exchange.
#[derive(Clone)]
pub struct Captured {
    rx: Arc<Mutex<mpsc::UnboundedReceiver<IncomingMessage>>>,
    seen: Arc<Mutex<Vec<IncomingMessage>>>,
}

/// Binds a queue to every routing key of `exchange` (declared before returning, so nothing
/// published afterwards is missed) and captures what arrives until `shutdown`.
pub async fn observe(
    broker: &Arc<Broker>,
    exchange: &str,
    shutdown: &CancellationToken,
) -> Captured {
    let (tx, rx) = mpsc::unbounded_channel();
    let spec = QueueSpec::new(format!("test.observer.{exchange}"), exchange, &["#"]);
    let channel = match broker.channel().await {
        Ok(channel) => channel,
        Err(e) => panic!("observer channel: {e}"),
    };
    if let Err(e) = topology::declare_queue(&channel, &spec).await {
        panic!("observer queue: {e}");
    }
    tokio::spawn(run_consumer(
        broker.clone(),
        ConsumerConfig {
            spec,
            prefetch: 100,
            consumer_tag: "observer".into(),
        },
        move |msg: IncomingMessage| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(msg);
                Outcome::Ack
            }
        },
        shutdown.clone(),
    ));
    Captured {
        rx: Arc::new(Mutex::new(rx)),
        seen: Arc::new(Mutex::new(Vec::new())),
    }
}

fn decoded(messages: &[IncomingMessage]) -> Vec<Envelope<Event>> {
    messages
        .iter()
        .map(|m| match decode(&m.body) {
            Ok(envelope) => envelope,
            Err(e) => panic!("not a valid event: {e}"),
        })
        .collect()
}

impl Captured {
    /// Waits until `n` messages were seen in all (or 20 s pass) and returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<IncomingMessage> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        let mut rx = self.rx.lock().await;
        loop {
            if self.seen.lock().await.len() >= n {
                break;
            }
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(msg)) => self.seen.lock().await.push(msg),
                _ => break,
            }
        }
        self.seen.lock().await.clone()
    }

    /// Everything seen so far, without waiting.
    pub async fn snapshot(&self) -> Vec<IncomingMessage> {
        let mut rx = self.rx.lock().await;
        while let Ok(msg) = rx.try_recv() {
            self.seen.lock().await.push(msg);
        }
        drop(rx);
        self.seen.lock().await.clone()
    }

    /// Waits for `n` messages, then a moment more, and returns everything seen: a test
    /// that expects exactly `n` sees any extra one.
    pub async fn settled(&self, n: usize) -> Vec<IncomingMessage> {
        self.wait_for(n).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        self.snapshot().await
    }

    /// [`Captured::wait_for`], decoded.
    pub async fn envelopes(&self, n: usize) -> Vec<Envelope<Event>> {
        decoded(&self.wait_for(n).await)
    }

    /// [`Captured::settled`], decoded.
    pub async fn settled_envelopes(&self, n: usize) -> Vec<Envelope<Event>> {
        decoded(&self.settled(n).await)
    }

    /// [`Captured::snapshot`], decoded.
    pub async fn snapshot_envelopes(&self) -> Vec<Envelope<Event>> {
        decoded(&self.snapshot().await)
    }

    /// Exactly one event arrived; it is returned raw and decoded.
    pub async fn only_one(&self) -> (IncomingMessage, Envelope<Event>) {
        let seen = self.settled(1).await;
        assert_eq!(seen.len(), 1, "one event expected, got {}", seen.len());
        let envelope = decoded(&seen[..1]).remove(0);
        (seen[0].clone(), envelope)
    }
}
