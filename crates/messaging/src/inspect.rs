//! Reading a queue without consuming it continuously: for operators' tools (listing and
//! re-driving dead letters) and for tests that assert what landed where.

use lapin::options::{BasicAckOptions, BasicGetOptions};

use crate::message::headers;
use crate::{Broker, BrokerError, IncomingMessage};

/// A dead-lettered (or otherwise parked) message with the reason it was parked.
#[derive(Debug, Clone)]
pub struct ParkedMessage {
    pub message: IncomingMessage,
    pub reason: Option<String>,
}

/// Takes up to `max` messages off `queue`, acknowledging each: they leave the queue.
pub async fn take(
    broker: &Broker,
    queue: &str,
    max: usize,
) -> Result<Vec<ParkedMessage>, BrokerError> {
    let channel = broker.channel().await?;
    let mut taken = Vec::new();
    while taken.len() < max {
        let Some(got) = channel
            .basic_get(queue.into(), BasicGetOptions { no_ack: false })
            .await?
        else {
            break;
        };
        let delivery = got.delivery;
        let message = crate::consumer::incoming(&delivery);
        delivery.acker.ack(BasicAckOptions::default()).await?;
        taken.push(ParkedMessage {
            reason: message.header_str(headers::DEAD_LETTER_REASON),
            message,
        });
    }
    let _ = channel.close(200, "inspected".into()).await;
    Ok(taken)
}
