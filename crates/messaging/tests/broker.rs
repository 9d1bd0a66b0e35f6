//! The messaging crate against a real RabbitMQ, one vhost per test.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use navsync_messaging::{
    Broker, Coalescer, ConsumerConfig, IncomingMessage, Outcome, OutgoingMessage, PublishError,
    Publisher, QueueSpec, headers, inspect, run_consumer, topology,
};
use navsync_test_support::{BrokerConnection, TestVhost};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const EXCHANGE: &str = "navsync.test";

fn spec(name: &str) -> QueueSpec {
    QueueSpec::new(name, EXCHANGE, &["thing.#"])
        .with_retry_delays(vec![Duration::from_millis(200), Duration::from_millis(400)])
}

fn message(i: usize) -> OutgoingMessage {
    OutgoingMessage::cloud_event(
        EXCHANGE,
        "thing.happened.v1",
        format!("msg-{i}"),
        format!("{{\"n\":{i}}}").into_bytes(),
        Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into()),
    )
}

async fn setup(vhost: &TestVhost, queue: &QueueSpec) -> Arc<Broker> {
    let broker = Broker::new(vhost.url().to_owned().into(), "test");
    let channel = broker.channel().await.expect("channel");
    topology::declare_queue(&channel, queue)
        .await
        .expect("topology");
    broker
}

/// Starts a consumer whose handler reports every message and answers with `decide`.
fn consume<F>(
    broker: Arc<Broker>,
    queue: QueueSpec,
    decide: F,
) -> (mpsc::UnboundedReceiver<IncomingMessage>, CancellationToken)
where
    F: Fn(&IncomingMessage) -> Outcome + Send + Sync + 'static,
{
    let (tx, rx) = mpsc::unbounded_channel();
    let shutdown = CancellationToken::new();
    let decide = Arc::new(decide);
    let config = ConsumerConfig {
        spec: queue,
        prefetch: 20,
        consumer_tag: "test".into(),
    };
    tokio::spawn(run_consumer(
        broker,
        config,
        move |msg: IncomingMessage| {
            let (tx, decide) = (tx.clone(), decide.clone());
            async move {
                let outcome = decide(&msg);
                let _ = tx.send(msg);
                outcome
            }
        },
        shutdown.clone(),
    ));
    (rx, shutdown)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<IncomingMessage>) -> IncomingMessage {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a message within 10 s")
        .expect("channel open")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_confirmed_message_reaches_its_queue_with_id_type_and_trace_context() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.basic");
    let broker = setup(&vhost, &queue).await;
    Publisher::new(broker.clone())
        .publish(&message(1))
        .await
        .expect("confirmed");
    let (mut rx, stop) = consume(broker, queue, |_| Outcome::Ack);
    let got = next(&mut rx).await;
    assert_eq!(got.message_id.as_deref(), Some("msg-1"));
    assert_eq!(got.routing_key, "thing.happened.v1");
    assert_eq!(got.body, br#"{"n":1}"#);
    assert_eq!(
        got.header_str(headers::TRACEPARENT).as_deref(),
        Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    );
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unroutable_message_is_an_error_not_a_silent_drop() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.unroutable");
    let broker = setup(&vhost, &queue).await;
    let mut msg = message(1);
    msg.routing_key = "nobody.listens".into();
    let err = Publisher::new(broker)
        .publish(&msg)
        .await
        .expect_err("unroutable");
    assert!(matches!(err, PublishError::Unroutable { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn many_concurrent_publishers_all_get_confirms() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.many");
    let broker = setup(&vhost, &queue).await;
    let publisher = Arc::new(Publisher::new(broker.clone()));
    let mut tasks = Vec::new();
    for t in 0..10 {
        let publisher = publisher.clone();
        tasks.push(tokio::spawn(async move {
            let batch: Vec<_> = (0..100).map(|i| message(t * 100 + i)).collect();
            publisher.publish_all(&batch).await
        }));
    }
    for task in tasks {
        let results = task.await.expect("task");
        assert!(results.iter().all(Result::is_ok));
    }
    let (mut rx, stop) = consume(broker, queue, |_| Outcome::Ack);
    let mut seen = std::collections::HashSet::new();
    while seen.len() < 1000 {
        seen.insert(next(&mut rx).await.message_id.expect("id"));
    }
    stop.cancel();
}

/// RabbitMQ may confirm many messages with one multiple-ack, and lapin then hands a returned
/// message to whichever of them it resolves first: each result must still be the message's own.
#[tokio::test(flavor = "multi_thread")]
async fn in_a_batch_exactly_the_unroutable_messages_are_reported_unroutable() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.returns");
    let broker = setup(&vhost, &queue).await;
    let publisher = Publisher::new(broker.clone());
    for round in 0..10 {
        let batch: Vec<_> = (0..400)
            .map(|i| {
                let mut msg = message(round * 1000 + i);
                if i % 7 == 3 {
                    msg.routing_key = "nobody.listens".into();
                }
                msg
            })
            .collect();
        let results = publisher.publish_all(&batch).await;
        for (i, result) in results.iter().enumerate() {
            match result {
                Ok(()) => assert_ne!(i % 7, 3, "round {round}: {i} was unroutable"),
                Err(PublishError::Unroutable { .. }) => {
                    assert_eq!(i % 7, 3, "round {round}: {i} was routed")
                }
                Err(e) => panic!("round {round}: {i}: {e}"),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_arrives_in_the_order_it_was_published() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.order");
    let broker = setup(&vhost, &queue).await;
    let batch: Vec<_> = (0..1000).map(message).collect();
    let results = Publisher::new(broker.clone()).publish_all(&batch).await;
    assert!(results.iter().all(Result::is_ok));
    let (mut rx, stop) = consume(broker, queue, |_| Outcome::Ack);
    for i in 0..1000 {
        assert_eq!(next(&mut rx).await.message_id, Some(format!("msg-{i}")));
    }
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retried_message_comes_back_after_its_delay_counting_its_retries() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.retry");
    let broker = setup(&vhost, &queue).await;
    Publisher::new(broker.clone())
        .publish(&message(7))
        .await
        .expect("confirmed");
    let (mut rx, stop) = consume(broker, queue, |m| {
        if m.retry_count == 0 {
            Outcome::retry("not yet")
        } else {
            Outcome::Ack
        }
    });
    let first = next(&mut rx).await;
    let started = std::time::Instant::now();
    let second = next(&mut rx).await;
    assert_eq!(first.retry_count, 0);
    assert_eq!(second.retry_count, 1);
    assert_eq!(second.message_id.as_deref(), Some("msg-7"));
    assert_eq!(
        second.routing_key, "thing.happened.v1",
        "the original key survives the move"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "waited for the retry delay (at least half its step, with jitter)"
    );
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_come_back_after_jittered_delays_within_their_step() {
    let step = Duration::from_millis(1000);
    let vhost = TestVhost::create().await;
    let queue = QueueSpec::new("q.jitter", EXCHANGE, &["thing.#"]).with_retry_delays(vec![step]);
    let broker = setup(&vhost, &queue).await;
    let (mut rx, stop) = consume(broker.clone(), queue, |m| {
        if m.retry_count == 0 {
            Outcome::retry("ADO answered 503")
        } else {
            Outcome::Ack
        }
    });
    let publisher = Publisher::new(broker);
    let mut delays = Vec::new();
    // One at a time: in the retry queue a message waits for any ahead of it (TTLs expire
    // at the head only), which would blur what each drew.
    for i in 0..6 {
        publisher.publish(&message(i)).await.expect("confirmed");
        let first = next(&mut rx).await;
        let failed_at = std::time::Instant::now();
        assert_eq!(first.retry_count, 0);
        let again = next(&mut rx).await;
        assert_eq!(again.retry_count, 1);
        assert_eq!(again.message_id, first.message_id);
        delays.push(failed_at.elapsed());
    }
    stop.cancel();
    for delay in &delays {
        assert!(
            *delay >= step / 2 && *delay <= step + Duration::from_millis(500),
            "between half the step and the step (with the broker's own lag): {delays:?}"
        );
    }
    let (shortest, longest) = (
        delays.iter().min().expect("delays"),
        delays.iter().max().expect("delays"),
    );
    assert!(
        *longest - *shortest >= Duration::from_millis(50),
        "the delays differ: {delays:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poison_message_is_dead_lettered_with_its_reason_and_the_next_is_still_processed() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.poison");
    let broker = setup(&vhost, &queue).await;
    let publisher = Publisher::new(broker.clone());
    let mut poison = message(0);
    poison.body = b"not json at all".to_vec();
    publisher.publish(&poison).await.expect("confirmed");
    publisher.publish(&message(1)).await.expect("confirmed");
    let acked = Arc::new(AtomicUsize::new(0));
    let counter = acked.clone();
    let (mut rx, stop) = consume(broker.clone(), queue.clone(), move |m| {
        if m.body.starts_with(b"{") {
            counter.fetch_add(1, Ordering::SeqCst);
            Outcome::Ack
        } else {
            Outcome::dead_letter("undecodable: expected JSON")
        }
    });
    next(&mut rx).await;
    next(&mut rx).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        acked.load(Ordering::SeqCst),
        1,
        "the good message was processed"
    );
    let dead = inspect::take(&broker, &queue.dead_letter_queue(), 10)
        .await
        .expect("dlq read");
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0].reason.as_deref(),
        Some("undecodable: expected JSON")
    );
    assert_eq!(dead[0].message.body, b"not json at all");
    assert_eq!(dead[0].message.routing_key, "thing.happened.v1");
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_that_keeps_failing_is_dead_lettered_when_the_ladder_ends() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.exhausted");
    let broker = setup(&vhost, &queue).await;
    Publisher::new(broker.clone())
        .publish(&message(3))
        .await
        .expect("confirmed");
    let (mut rx, stop) = consume(broker.clone(), queue.clone(), |_| {
        Outcome::retry("ADO is down")
    });
    for attempt in 0..3 {
        assert_eq!(next(&mut rx).await.retry_count, attempt);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dead = inspect::take(&broker, &queue.dead_letter_queue(), 10)
        .await
        .expect("dlq read");
    assert_eq!(dead.len(), 1);
    let reason = dead[0].reason.clone().unwrap_or_default();
    assert!(
        reason.contains("retries exhausted") && reason.contains("ADO is down"),
        "{reason}"
    );
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panicking_handler_dead_letters_its_message_and_the_consumer_goes_on() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.panic");
    let broker = setup(&vhost, &queue).await;
    let publisher = Publisher::new(broker.clone());
    publisher.publish(&message(1)).await.expect("confirmed");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let shutdown = CancellationToken::new();
    tokio::spawn(run_consumer(
        broker.clone(),
        ConsumerConfig {
            spec: queue.clone(),
            prefetch: 5,
            consumer_tag: "panicky".into(),
        },
        move |m: IncomingMessage| {
            let tx = tx.clone();
            async move {
                if m.message_id.as_deref() == Some("msg-1") {
                    panic!("boom");
                }
                let _ = tx.send(m);
                Outcome::Ack
            }
        },
        shutdown.clone(),
    ));
    publisher.publish(&message(2)).await.expect("confirmed");
    assert_eq!(next(&mut rx).await.message_id.as_deref(), Some("msg-2"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dead = inspect::take(&broker, &queue.dead_letter_queue(), 10)
        .await
        .expect("dlq read");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].reason.as_deref(), Some("the handler panicked"));
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_consumer_and_publisher_recover_after_the_broker_closes_their_connections() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.recover");
    let broker = setup(&vhost, &queue).await;
    let publisher = Publisher::new(broker.clone());
    let (mut rx, stop) = consume(broker.clone(), queue, |_| Outcome::Ack);
    publisher.publish(&message(1)).await.expect("confirmed");
    assert_eq!(next(&mut rx).await.message_id.as_deref(), Some("msg-1"));
    vhost.close_connections().await;
    // The first publish after the loss may fail; the publisher must come back by itself.
    let mut delivered = false;
    for attempt in 0..50 {
        if publisher.publish(&message(100 + attempt)).await.is_ok() {
            delivered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(delivered, "publisher recovered");
    let got = next(&mut rx).await;
    assert!(
        got.message_id.expect("id").starts_with("msg-1"),
        "consumer recovered"
    );
    stop.cancel();
}

/// Publishes until a queue is bound (a consumer declares its own queue as it starts).
async fn publish_when_bound(publisher: &Publisher, msg: &OutgoingMessage) {
    for _ in 0..100 {
        match publisher.publish(msg).await {
            Ok(()) => return,
            Err(PublishError::Unroutable { .. }) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            // The consumer declares the exchange too: until it has, the broker answers
            // NOT_FOUND (and closes the channel), which is no more than "not bound yet".
            Err(PublishError::Unavailable(why)) if why.contains("NOT_FOUND") => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(err) => panic!("publish failed: {err}"),
        }
    }
    panic!("no queue was ever bound");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exclusive_queue_delivers_drops_what_is_not_acked_and_goes_with_its_consumer() {
    let vhost = TestVhost::create().await;
    let broker = Broker::new(vhost.url().to_owned().into(), "test");
    let queue = QueueSpec::exclusive("private.1", EXCHANGE, &["thing.#"]);
    let (mut rx, stop) = consume(broker.clone(), queue, |m| {
        if m.message_id.as_deref() == Some("msg-0") {
            Outcome::dead_letter("not for me")
        } else {
            Outcome::Ack
        }
    });
    let publisher = Publisher::new(broker.clone());
    publish_when_bound(&publisher, &message(0)).await;
    publisher.publish(&message(1)).await.expect("confirmed");
    assert_eq!(next(&mut rx).await.message_id.as_deref(), Some("msg-0"));
    assert_eq!(
        next(&mut rx).await.message_id.as_deref(),
        Some("msg-1"),
        "the refused message was dropped, not redelivered ahead of the next"
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(500), rx.recv())
            .await
            .is_err(),
        "nothing comes back"
    );
    stop.cancel();
    // Once its consumer's channel is gone the queue is too: nothing is routed any more.
    let mut gone = false;
    for _ in 0..50 {
        broker.close().await;
        if let Err(PublishError::Unroutable { .. }) =
            Publisher::new(broker.clone()).publish(&message(2)).await
        {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(gone, "the exclusive queue outlived its connection");
}

#[tokio::test(flavor = "multi_thread")]
async fn declaring_navsyncs_topology_makes_every_event_routable() {
    let vhost = TestVhost::create().await;
    let broker = Broker::new(vhost.url().to_owned().into(), "test");
    topology::declare_navsync(&broker).await.expect("declared");
    topology::declare_navsync(&broker)
        .await
        .expect("declaring again changes nothing");
    let publisher = Publisher::new(broker.clone());
    for (key, exchange) in navsync_contracts::routing_key::ALL {
        if exchange == navsync_contracts::exchange::INTEGRATIONS {
            // Only private (exclusive) queues listen there.
            continue;
        }
        let msg = OutgoingMessage::cloud_event(exchange, key, "id", b"{}".to_vec(), None);
        publisher
            .publish(&msg)
            .await
            .unwrap_or_else(|e| panic!("{key}: {e}"));
    }
}

/// Callers arriving one by one make many small batches, each its own write: every one of
/// them is confirmed, and none waits forever.
#[tokio::test(flavor = "multi_thread")]
async fn the_coalescer_answers_every_caller_arriving_one_by_one() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.trickle");
    let broker = setup(&vhost, &queue).await;
    let coalescer = Coalescer::start(&broker);
    let mut tasks = Vec::new();
    for i in 0..3000 {
        let coalescer = coalescer.clone();
        tasks.push(tokio::spawn(
            async move { coalescer.publish(message(i)).await },
        ));
        tokio::task::yield_now().await;
    }
    let all = async {
        for task in tasks {
            task.await.expect("task").expect("confirmed");
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), all)
        .await
        .expect("every caller answered within a minute");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_coalescer_confirms_each_of_many_callers_and_reports_failures_to_each() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.coalesced");
    let broker = setup(&vhost, &queue).await;
    let coalescer = Coalescer::start(&broker);
    let tasks: Vec<_> = (0..500)
        .map(|i| {
            let coalescer = coalescer.clone();
            tokio::spawn(async move {
                let mut msg = message(i);
                // Every tenth one goes nowhere: its own caller, and only it, hears so.
                if i % 10 == 0 {
                    msg.routing_key = "nobody.listens".into();
                }
                (i, coalescer.publish(msg).await)
            })
        })
        .collect();
    for task in tasks {
        let (i, result) = task.await.expect("task");
        match result {
            Ok(()) => assert_ne!(i % 10, 0, "message {i} was unroutable"),
            Err(PublishError::Unroutable { .. }) => assert_eq!(i % 10, 0),
            Err(e) => panic!("message {i}: {e}"),
        }
    }
    let (mut rx, stop) = consume(broker, queue, |_| Outcome::Ack);
    let mut seen = std::collections::HashSet::new();
    while seen.len() < 450 {
        seen.insert(next(&mut rx).await.message_id.expect("id"));
    }
    stop.cancel();
}

/// Takes one message off `queue` with lapin, properties and all.
async fn get_one(broker: &Broker, queue: &str) -> lapin::message::Delivery {
    let channel = broker.channel().await.expect("channel");
    for _ in 0..100 {
        if let Some(got) = channel
            .basic_get(
                queue.into(),
                lapin::options::BasicGetOptions { no_ack: true },
            )
            .await
            .expect("basic.get")
        {
            return got.delivery;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing arrived in {queue}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_coalescer_publishes_persistent_messages_with_id_type_headers_and_a_whole_body() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.coalescer.props");
    let broker = setup(&vhost, &queue).await;
    let coalescer = Coalescer::start(&broker);
    // Larger than a frame (128 KiB): it leaves in several body frames and arrives whole.
    let mut big = message(7);
    big.body = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    for msg in [message(1), big.clone()] {
        coalescer.publish(msg).await.expect("confirmed");
    }
    let first = get_one(&broker, &queue.name).await;
    let props = &first.properties;
    assert_eq!(props.delivery_mode(), &Some(2), "persistent");
    assert_eq!(
        props.message_id().as_ref().map(|s| s.as_str()),
        Some("msg-1")
    );
    assert_eq!(
        props.content_type().as_ref().map(|s| s.as_str()),
        Some("application/cloudevents+json")
    );
    assert_eq!(first.routing_key.as_str(), "thing.happened.v1");
    assert_eq!(first.data, br#"{"n":1}"#);
    let traceparent = props.headers().as_ref().and_then(|h| {
        h.inner()
            .get(&lapin::types::ShortString::from(headers::TRACEPARENT))
            .cloned()
    });
    assert_eq!(
        traceparent,
        Some(lapin::types::AMQPValue::LongString(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into()
        ))
    );
    let second = get_one(&broker, &queue.name).await;
    assert_eq!(second.data.len(), big.body.len());
    assert!(second.data == big.body, "the large body arrived changed");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_coalescer_reports_a_refused_message_as_nacked_to_its_caller_only() {
    use lapin::options::{QueueBindOptions, QueueDeclareOptions};
    use lapin::types::{AMQPValue, FieldTable};
    let vhost = TestVhost::create().await;
    let queue = spec("q.coalescer.ok");
    let broker = setup(&vhost, &queue).await;
    // A queue that takes nothing and says so: RabbitMQ nacks what is routed to it.
    let channel = broker.channel().await.expect("channel");
    let mut args = FieldTable::default();
    args.insert("x-max-length".into(), AMQPValue::LongLongInt(0));
    args.insert(
        "x-overflow".into(),
        AMQPValue::LongString("reject-publish".into()),
    );
    channel
        .queue_declare("q.full".into(), QueueDeclareOptions::default(), args)
        .await
        .expect("declared");
    channel
        .queue_bind(
            "q.full".into(),
            EXCHANGE.into(),
            "full.#".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("bound");
    let coalescer = Coalescer::start(&broker);
    let mut refused = message(1);
    refused.routing_key = "full.thing".into();
    let (refused, fine) = tokio::join!(coalescer.publish(refused), coalescer.publish(message(2)));
    assert!(matches!(refused, Err(PublishError::Nacked)), "{refused:?}");
    fine.expect("the other caller's message is confirmed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_exchange_fails_only_what_was_sent_there_and_the_coalescer_goes_on() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.coalescer.missing");
    let broker = setup(&vhost, &queue).await;
    let coalescer = Coalescer::start(&broker);
    coalescer.publish(message(1)).await.expect("confirmed");
    let mut lost = message(2);
    lost.exchange = "navsync.nowhere".into();
    let err = coalescer.publish(lost).await.expect_err("no such exchange");
    assert!(
        matches!(&err, PublishError::Unavailable(why) if why.contains("NOT_FOUND")),
        "{err}"
    );
    // The broker closed the channel; the next publish goes on a new one at once.
    coalescer.publish(message(3)).await.expect("confirmed");
    let (mut rx, stop) = consume(broker, queue, |_| Outcome::Ack);
    let ids = [next(&mut rx).await, next(&mut rx).await].map(|m| m.message_id);
    assert_eq!(ids, [Some("msg-1".into()), Some("msg-3".into())]);
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_coalescer_reconnects_after_the_broker_closes_its_connection() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.coalescer.recover");
    let broker = setup(&vhost, &queue).await;
    let coalescer = Coalescer::start(&broker);
    coalescer.publish(message(1)).await.expect("confirmed");
    vhost.close_connections().await;
    // The publish that meets the closing connection may fail; a later one must not.
    let mut delivered = None;
    for attempt in 0..50 {
        if coalescer.publish(message(100 + attempt)).await.is_ok() {
            delivered = Some(100 + attempt);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivered = delivered.expect("the coalescer reconnected");
    let (mut rx, stop) = consume(broker, queue, |_| Outcome::Ack);
    let mut ids = Vec::new();
    while ids.last() != Some(&format!("msg-{delivered}")) {
        ids.push(next(&mut rx).await.message_id.expect("id"));
    }
    assert_eq!(ids[0], "msg-1");
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_coalescer_keeps_its_connection_with_the_heartbeat_its_url_asks_for() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.coalescer.heartbeat");
    let _topology = setup(&vhost, &queue).await;
    let broker = Broker::new(format!("{}?heartbeat=1", vhost.url()).into(), "heartbeat");
    let coalescer = Coalescer::start(&broker);
    coalescer.publish(message(1)).await.expect("confirmed");
    // lapin's connection (the topology's) keeps the broker's 60 s.
    let ours = |listed: Vec<BrokerConnection>| -> Vec<BrokerConnection> {
        listed
            .into_iter()
            .filter(|c| c.heartbeat_secs == 1)
            .collect()
    };
    let connected = ours(vhost.connections().await);
    assert_eq!(connected.len(), 1, "{connected:?}");
    // RabbitMQ drops a connection it heard nothing from for two intervals.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(ours(vhost.connections().await), connected);
    coalescer.publish(message(2)).await.expect("confirmed");
    assert_eq!(ours(vhost.connections().await), connected);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_or_refusing_broker_is_unavailable_at_once_and_never_shows_the_password() {
    let vhost = TestVhost::create().await;
    let addr = std::env::var("NAVSYNC_TEST_AMQP_ADDR").unwrap_or_else(|_| "127.0.0.1:5672".into());
    let cases = [
        // Nothing listens on port 1.
        format!("amqp://guest:pw-s3cret-1@127.0.0.1:1/{}", vhost.name()),
        // A wrong password: RabbitMQ refuses the login.
        format!("amqp://guest:pw-s3cret-2@{addr}/{}", vhost.name()),
    ];
    for url in cases {
        let broker = Broker::new(url.into(), "refused");
        let coalescer = Coalescer::start(&broker);
        let answered = tokio::time::timeout(Duration::from_secs(5), coalescer.publish(message(1)))
            .await
            .expect("answered within 5 s");
        let err = answered.expect_err("not published");
        assert!(matches!(err, PublishError::Unavailable(_)), "{err}");
        assert!(!err.to_string().contains("s3cret"), "{err}");
        // While the broker stays away, callers are answered at once.
        let again = tokio::time::timeout(Duration::from_secs(1), coalescer.publish(message(2)))
            .await
            .expect("answered at once");
        assert!(matches!(again, Err(PublishError::Unavailable(_))));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_coalescer_comes_back_once_the_broker_lets_it_in_again() {
    let vhost = TestVhost::create().await;
    let queue = spec("q.coalescer.denied");
    let broker = setup(&vhost, &queue).await;
    vhost.deny().await;
    let coalescer = Coalescer::start(&broker);
    let err = coalescer
        .publish(message(1))
        .await
        .expect_err("not allowed in");
    assert!(matches!(err, PublishError::Unavailable(_)), "{err}");
    vhost.allow().await;
    let mut published = false;
    for attempt in 0..100 {
        if coalescer.publish(message(10 + attempt)).await.is_ok() {
            published = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(published, "published once allowed again");
}
