//! Webhook ingress throughput against the raw publish rate of the same broker and an
//! actix-web hello world, in one run; then p50 / p99 latency at half the ingress's peak
//! (issue 6's benchmark; the figures go to docs/benchmarks.md).
//!
//! `cargo run --release -p navsync-webhook-ingress --example ingress_bench -- [REQUESTS]`
//!
//! Raw publishing and the ingress take turns (`BENCH_ROUNDS`, default 3, of `BENCH_SECS`
//! each, default 10), moving the very messages the ingress makes of the fixture, and the
//! CPU each side and the broker spend per message is printed beside the rates.
//!
//! Throughput load comes from `wrk` (a C load generator, one thread, 256 keep-alive
//! connections — the raw publisher's window) in its own process, so the generator costs
//! the two cores as little as possible; the ingress runs in this process beside the real
//! integrations service, each webhook a real ADO `workitem.updated` payload, one of
//! REQUESTS notifications sent in turn (made once by wrk's Lua script), Basic-authenticated,
//! answered only after the broker confirmed its event. The paced latency run is wrk too,
//! each of its connections waiting a random pause (averaging the pace) before each request:
//! a reqwest client in this process beside the ingress cost the shared cores more than the
//! ingress at ~10k requests/s and measured its own queueing (p50 60–300 ms).

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{App, HttpServer, web};
use base64::Engine;
use futures::StreamExt;
use lapin::types::{AMQPValue, FieldTable};
use navsync_ado_emulator::Emulator;
use navsync_messaging::{Broker, OutgoingMessage, topology};
use navsync_test_support::{TestDatabase, TestVhost, token};
use navsync_webhook_ingress::payload::{self, Body, Parsed};
use navsync_webhook_ingress::publish;
use navsync_webhook_ingress::{Application, IngressSettings};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// The allocator `main` installs, so that the ingress here costs what it costs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ORG: &str = "bench-org";
const PAT: &str = "benchpat0benchpat1benchpat2benchpat3benchpat4benchpat5benchpatAZDO6789";
/// Requests in flight on each side (`BENCH_CONNECTIONS`, default 256): wrk's connections
/// to the ingress, and the raw publisher's window of unconfirmed messages.
/// The paced latency run's connections: enough that each pauses several ms between its
/// requests at ~10k requests/s, so that the pause, not the answer, sets the pace.
const PACED_CONNECTIONS: usize = 64;

fn connections() -> usize {
    std::env::var("BENCH_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// What `wrk` measured: requests per second, non-2xx answers, p50 and p99 in ms.
struct WrkRun {
    rate: f64,
    non_2xx: u64,
    p50_ms: f64,
    p99_ms: f64,
    /// The mean answer time.
    mean_ms: f64,
}

/// `1.23ms`, `456.00us`, `1.02s` in milliseconds.
fn wrk_ms(text: &str) -> f64 {
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (text, f64::NAN)
    };
    number.parse::<f64>().map_or(f64::NAN, |v| v * scale)
}

/// Runs `wrk` with `script` against `url` for `secs` seconds.
fn wrk(url: &str, script: &std::path::Path, secs: u64) -> WrkRun {
    wrk_with(url, script, secs, connections())
}

fn wrk_with(url: &str, script: &std::path::Path, secs: u64, conns: usize) -> WrkRun {
    let out = std::process::Command::new("wrk")
        .args(["-t1", "-c", &conns.to_string(), "-d", &format!("{secs}s")])
        .arg("--latency")
        .arg("-s")
        .arg(script)
        .arg(url)
        .output()
        .unwrap_or_else(|e| panic!("wrk (install it: apt-get install wrk): {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut run = WrkRun {
        rate: f64::NAN,
        non_2xx: 0,
        p50_ms: f64::NAN,
        p99_ms: f64::NAN,
        mean_ms: f64::NAN,
    };
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", rate] => run.rate = rate.parse().unwrap_or(f64::NAN),
            ["Non-2xx", "or", "3xx", "responses:", n] => run.non_2xx = n.parse().unwrap_or(0),
            ["50%", v] => run.p50_ms = wrk_ms(v),
            ["99%", v] => run.p99_ms = wrk_ms(v),
            ["Latency", mean, ..] if run.mean_ms.is_nan() => run.mean_ms = wrk_ms(mean),
            _ => {}
        }
    }
    assert!(run.rate.is_finite(), "wrk said: {text}");
    run
}

/// A wrk script sending `body` as `distinct` different notifications (`notificationId`
/// 1..=distinct, in turn; the ingress deduplicates nothing, so a repeat costs it the same
/// work); with no body, plain GETs. The requests are made once, when wrk's thread starts
/// (`init`, once the URL is known), as the raw publisher's messages are made before its
/// turn: making a 4.4 KiB request per request would take CPU from the two cores the
/// ingress and the broker share during the ingress's turn. wrk's own CPU is printed.
fn wrk_script(
    dir: &std::path::Path,
    name: &str,
    auth: &str,
    body: Option<&Value>,
    distinct: usize,
    pause_ms: Option<f64>,
) -> std::path::PathBuf {
    const MARK: i64 = 987_654_321_987;
    let script = match body {
        None => "wrk.method = \"GET\"\n".to_owned(),
        Some(body) => {
            let mut b = body.clone();
            b["notificationId"] = json!(MARK);
            let text = serde_json::to_string(&b).unwrap_or_default();
            let (prefix, suffix) = text
                .split_once(&MARK.to_string())
                .unwrap_or_else(|| panic!("marker not found"));
            format!(
                "wrk.method = \"POST\"\n\
                 wrk.headers[\"Authorization\"] = \"{auth}\"\n\
                 wrk.headers[\"Content-Type\"] = \"application/json\"\n\
                 local prefix = [==[{prefix}]==]\n\
                 local suffix = [==[{suffix}]==]\n\
                 local requests = {{}}\n\
                 init = function(args)\n\
                   for i = 1, {distinct} do\n\
                     requests[i] = wrk.format(nil, nil, nil, prefix .. i .. suffix)\n\
                   end\n\
                 end\n\
                 local counter = 0\n\
                 request = function()\n\
                   counter = counter % {distinct} + 1\n\
                   return requests[counter]\n\
                 end\n"
            )
        }
    };
    // wrk waits `delay()` ms on the connection before each request; random pauses of the
    // given mean keep the connections from falling into step.
    let script = match pause_ms {
        Some(ms) => format!(
            "{script}delay = function()\n  return math.random() * {}\nend\n",
            2.0 * ms
        ),
        None => script,
    };
    let path = dir.join(name);
    std::fs::write(&path, script).unwrap_or_else(|e| panic!("{e}"));
    path
}

/// Which CPU times of a `/proc/<pid>/stat` line to add up, counted after the `(comm)`
/// field (proc(5)): utime and stime are fields 14 and 15, cutime and cstime 16 and 17.
#[derive(Clone, Copy)]
enum Times {
    /// The process itself.
    Own,
    /// Its children it waited for (wrk).
    WaitedChildren,
}

/// CPU seconds (user + system) of process `pid` (or `self`) so far; NaN when unreadable.
fn stat_cpu_secs(pid: &str, times: Times) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    let (user, system) = match times {
        Times::Own => (ticks(11), ticks(12)),
        Times::WaitedChildren => (ticks(13), ticks(14)),
    };
    if std::env::var_os("BENCH_CPU_SPLIT").is_some() {
        eprintln!("cpu {pid}: user {user:?} system {system:?} ticks");
    }
    match (user, system) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => f64::NAN,
    }
}

/// CPU seconds that process `pid` has used so far.
fn cpu_secs(pid: &str) -> f64 {
    stat_cpu_secs(pid, Times::Own)
}

/// CPU seconds that this process's waited-for children (wrk) have used.
fn children_cpu_secs() -> f64 {
    stat_cpu_secs("self", Times::WaitedChildren)
}

/// The broker's Erlang VM (not a `rabbitmqctl`'s), to see what each message costs it.
fn broker_pid() -> String {
    std::process::Command::new("pgrep")
        .args(["-f", "beam.smp.* rabbit boot"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .unwrap_or_default()
}

/// Runs `phase`, answering its result and the CPU µs per `count(result)` spent by this
/// process and by the broker meanwhile.
async fn with_cpu<T, Fut: std::future::Future<Output = T>>(
    phase: Fut,
    count: impl Fn(&T) -> f64,
) -> (T, f64, f64) {
    let broker = broker_pid();
    let (own0, broker0) = (cpu_secs("self"), cpu_secs(&broker));
    let result = phase.await;
    let (own1, broker1) = (cpu_secs("self"), cpu_secs(&broker));
    let n = count(&result);
    (
        result,
        (own1 - own0) * 1e6 / n,
        (broker1 - broker0) * 1e6 / n,
    )
}

/// Empties ado-sync's inbound queue (nobody consumes it here), so that every phase meets
/// the broker with the same, empty queue.
async fn purge(broker: &Arc<Broker>) {
    let channel = broker.channel().await.unwrap_or_else(|e| panic!("{e}"));
    channel
        .queue_purge(
            navsync_contracts::queues::ADO_SYNC_ADO_INBOUND.name.into(),
            lapin::options::QueuePurgeOptions::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Sends `n` requests with 256 in flight; answers requests per second and how many failed.
async fn load<F, Fut>(n: usize, send: F) -> (f64, usize)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let started = Instant::now();
    let failed = futures::stream::iter(0..n)
        .map(send)
        .buffer_unordered(connections())
        .filter(|answer| futures::future::ready(answer.is_err()))
        .count()
        .await;
    (n as f64 / started.elapsed().as_secs_f64(), failed)
}

/// The message the ingress publishes for the fixture, `n` times with its own ids: the
/// same bytes and headers, so that both sides of the comparison move the same messages.
fn ingress_messages(fixture: &Value, n: usize) -> Vec<OutgoingMessage> {
    let bytes = serde_json::to_vec(fixture).unwrap_or_else(|e| panic!("{e}"));
    let mut spare = None;
    let body = Body::read(&bytes, &mut spare).unwrap_or_else(|e| panic!("{e}"));
    let Parsed::Publish(notification) = payload::parse(body) else {
        panic!("the fixture is not a publishable update");
    };
    (0..n)
        .map(|i| {
            let mut notification = (*notification).clone();
            notification.key.notification_id = i as i64;
            let mut envelope =
                publish::envelope_for(Uuid::new_v4(), Uuid::new_v4(), ORG, notification);
            envelope.traceparent = Some(format!(
                "00-{}-{}-01",
                Uuid::new_v4().simple(),
                &Uuid::new_v4().simple().to_string()[..16]
            ));
            publish::message(&envelope).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

/// Publishes `messages` over and over for `secs` seconds, as long as wrk loads the ingress,
/// so both meet a queue growing alike; answers the messages confirmed and their rate.
async fn raw_publish(
    broker: &Arc<Broker>,
    messages: &[OutgoingMessage],
    secs: u64,
) -> (usize, f64) {
    // lapin itself, not our Publisher: one confirm channel with connections() publishes in
    // flight, the broker's windowed-confirm rate that the ingress is measured against.
    let channel = broker.channel().await.unwrap_or_else(|e| panic!("{e}"));
    channel
        .confirm_select(lapin::options::ConfirmSelectOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let mut sent = 0;
    let failed = futures::stream::iter(messages.iter().cycle())
        .take_while(|_| futures::future::ready(Instant::now() < deadline))
        .map(|m| {
            sent += 1;
            let channel = channel.clone();
            async move {
                let confirm = channel
                    .basic_publish(
                        m.exchange.as_str().into(),
                        m.routing_key.as_str().into(),
                        lapin::options::BasicPublishOptions {
                            mandatory: true,
                            immediate: false,
                        },
                        &m.body,
                        lapin::BasicProperties::default()
                            .with_message_id(m.message_id.as_str().into())
                            .with_content_type(m.content_type.as_str().into())
                            .with_delivery_mode(2)
                            .with_headers(headers(m)),
                    )
                    .await?;
                confirm.await
            }
        })
        .buffer_unordered(connections())
        .filter(|r| futures::future::ready(!matches!(r, Ok(lapin::Confirmation::Ack(None)))))
        .count()
        .await;
    assert_eq!(failed, 0);
    (sent, sent as f64 / started.elapsed().as_secs_f64())
}

/// The message's headers, and the publish tag our publisher adds, as lapin wants them.
fn headers(message: &OutgoingMessage) -> FieldTable {
    let mut table = FieldTable::default();
    let tagged = message
        .headers
        .iter()
        .cloned()
        .chain([("x-navsync-publish-tag".to_owned(), "0".to_owned())]);
    for (key, value) in tagged {
        table.insert(
            key.as_str().into(),
            AMQPValue::LongString(value.into_bytes().into()),
        );
    }
    table
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let emulator = Emulator::new();
    emulator
        .seed(
            serde_json::from_value(json!({"organizations": [
                {"name": ORG, "projects": ["Alpha"], "pats": [PAT]}]}))
            .unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let emulator = emulator
        .start("127.0.0.1", 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let db = TestDatabase::create().await;
    let vhost = TestVhost::create().await;
    let stop = CancellationToken::new();
    let settings = navsync_test_support::settings(
        &db,
        &emulator.base_url,
        &[("NAVSYNC_AMQP__URL", vhost.url())],
    );
    let integrations = navsync_integrations::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let integrations_url = format!("http://127.0.0.1:{}", integrations.port());
    tokio::spawn(integrations.run_until_stopped(stop.clone()));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(connections())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let admin = token(Uuid::new_v4()).encode();
    let created: Value = http
        .post(format!("{integrations_url}/v1/integrations"))
        .bearer_auth(&admin)
        .json(&json!({"organization": ORG, "pat": PAT}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    let secret: Value = http
        .post(format!("{integrations_url}/v1/integrations/{id}/reveal"))
        .bearer_auth(&admin)
        .json(&json!({"field": "webhook_secret"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let secret = secret["value"].as_str().unwrap_or_default().to_owned();

    let broker = Broker::new(vhost.url().to_owned().into(), "bench");
    topology::declare_navsync(&broker)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let settings = navsync_test_support::settings(
        &db,
        &emulator.base_url,
        &[
            ("NAVSYNC_AMQP__URL", vhost.url()),
            ("NAVSYNC_INTEGRATIONS__URL", &integrations_url),
        ],
    );
    // As `main` does: JSON logs at the default level and OpenTelemetry spans (exported
    // nowhere), so that every request pays for its root span as in production. The log
    // lines go nowhere: the happy path writes none at `info`.
    let _telemetry =
        navsync_platform::telemetry::init_with_writer("webhook-ingress", &settings, std::io::sink);
    let ingress = IngressSettings {
        rate_per_sec: 1_000_000,
        burst: 1_000_000,
        ..IngressSettings::default()
    };
    let app = Application::build(settings, ingress)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let hook = format!("http://127.0.0.1:{}/hooks/ado/{id}", app.port());
    tokio::spawn(app.run_until_stopped(stop.clone()));

    let hello = HttpServer::new(|| {
        App::new()
            .route("/", web::get().to(|| async { "hello" }))
            // The same body as a webhook, read and dropped: what HTTP alone costs.
            .route("/", web::post().to(|_body: web::Bytes| async { "ok" }))
    })
    .workers(2)
    .bind(("127.0.0.1", 0))
    .unwrap_or_else(|e| panic!("{e}"));
    let hello_url = format!("http://{}/", hello.addrs()[0]);
    let hello = hello.run();
    let hello_handle = hello.handle();
    tokio::spawn(hello);

    let payload: Value =
        serde_json::from_str(include_str!("../tests/fixtures/workitem.updated.json"))
            .unwrap_or_else(|e| panic!("{e}"));
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("ado:{secret}"))
    );
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..n.max(1))
            .map(|i| {
                let mut p = payload.clone();
                p["notificationId"] = json!(i + 1);
                serde_json::to_vec(&p).unwrap_or_default()
            })
            .collect(),
    );
    let webhook = |i: usize| {
        let (http, hook, auth, bodies) = (http.clone(), hook.clone(), auth.clone(), bodies.clone());
        async move {
            http.post(&hook)
                .header("Authorization", auth)
                .header("Content-Type", "application/json")
                .body(bodies[i % bodies.len()].clone())
                .send()
                .await
                .map_err(|e| format!("{e:?}"))
                .and_then(|r| match r.status().as_u16() {
                    200 => Ok(()),
                    other => Err(format!("status {other}")),
                })
        }
    };
    let secs: u64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let dir = std::env::temp_dir().join(format!("ingress-bench-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let get_script = wrk_script(&dir, "get.lua", &auth, None, n, None);
    let post_script = wrk_script(&dir, "post.lua", &auth, Some(&payload), n, None);
    // `BENCH_PROFILE=1`: only the ingress under wrk; `BENCH_PROFILE=raw`: only raw
    // publishing, to compare with the ingress's own. For a profiler (callgrind:
    // `callgrind_control -i on` once wrk runs, or once "raw publishing" is printed).
    if let Ok(profile) = std::env::var("BENCH_PROFILE") {
        if profile == "raw" {
            let messages = ingress_messages(&payload, n);
            println!("profile: raw publishing for {secs} s");
            let (sent, rate) = raw_publish(&broker, &messages, secs).await;
            println!("profile: raw {sent} messages, {rate:.0} msg/s");
        } else {
            load(200, &webhook).await;
            let run = wrk(&hook, &post_script, secs);
            println!("profile: {} req/s, non-2xx {}", run.rate, run.non_2xx);
        }
        // Returning (not exiting) drops the test database and vhost: a vhost left behind
        // with its queues full slows every later run and test on this broker.
        let _ = std::fs::remove_dir_all(&dir);
        stop.cancel();
        tokio::time::sleep(Duration::from_millis(300)).await;
        return;
    }
    // Warm every connection, cache and channel.
    load(2_000, &webhook).await;
    let wrk_in = |url: String, script: std::path::PathBuf| {
        tokio::task::spawn_blocking(move || wrk(&url, &script, secs))
    };
    let hello_get = wrk_in(hello_url.clone(), get_script)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let hello_post = wrk_in(hello_url.clone(), post_script.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Raw publishing and the ingress take turns, ROUNDS times, so that whatever else the
    // machine does weighs on both alike; each turn meets an empty queue.
    let rounds: u32 = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let messages = ingress_messages(&payload, n);
    let (mut raw_sent, mut raw_cpu, mut raw_broker_cpu) = (0.0, 0.0, 0.0);
    let (mut accepted, mut ingress_cpu, mut ingress_broker_cpu, mut failed) = (0.0, 0.0, 0.0, 0);
    let mut wrk_cpu = 0.0;
    let mut ingress_run = None;
    for _ in 0..rounds {
        purge(&broker).await;
        let ((sent, _), own_us, broker_us) =
            with_cpu(raw_publish(&broker, &messages, secs), |(sent, _)| {
                *sent as f64
            })
            .await;
        let raw_cpu_turn = (own_us, broker_us);
        raw_sent += sent as f64;
        raw_cpu += own_us * sent as f64;
        raw_broker_cpu += broker_us * sent as f64;
        purge(&broker).await;
        let wrk0 = children_cpu_secs();
        let (run, own_us, broker_us) = with_cpu(
            async {
                wrk_in(hook.clone(), post_script.clone())
                    .await
                    .unwrap_or_else(|e| panic!("{e}"))
            },
            |run: &WrkRun| run.rate * secs as f64,
        )
        .await;
        let requests = run.rate * secs as f64;
        wrk_cpu += (children_cpu_secs() - wrk0) * 1e6;
        accepted += requests;
        ingress_cpu += own_us * requests;
        ingress_broker_cpu += broker_us * requests;
        failed += run.non_2xx;
        // Each turn's rates, to tell a slow turn (a broker stall, the machine busy with
        // something else) from a slow run.
        println!(
            "turn: raw {:.0} msg/s, ingress {:.0} webhooks/s (CPU per message: raw {:.1} + broker {:.1} µs; ingress {:.1} + broker {:.1} µs)",
            sent as f64 / secs as f64,
            run.rate,
            raw_cpu_turn.0,
            raw_cpu_turn.1,
            own_us,
            broker_us
        );
        ingress_run = Some(run);
    }
    let Some(ingress_run) = ingress_run else {
        panic!("BENCH_ROUNDS must be at least 1");
    };
    let turn = f64::from(rounds) * secs as f64;
    let (raw_rate, ingress_rate) = (raw_sent / turn, accepted / turn);
    let (raw_own_us, raw_broker_us) = (raw_cpu / raw_sent, raw_broker_cpu / raw_sent);
    let (ingress_own_us, ingress_broker_us) =
        (ingress_cpu / accepted, ingress_broker_cpu / accepted);
    let (hello_rate, post_rate) = (hello_get.rate, hello_post.rate);

    purge(&broker).await;
    // Half the peak, paced for 10 s: each connection pauses before each request so that
    // together they send `half` a second. A first 2 s run measures the answer time that a
    // connection's cycle (pause + answer) includes, and the pause is shortened by it.
    let half = ingress_rate / 2.0;
    let cycle_ms = PACED_CONNECTIONS as f64 * 1000.0 / half;
    let paced = |pause_ms: f64, secs: u64| {
        let script = wrk_script(&dir, "paced.lua", &auth, Some(&payload), n, Some(pause_ms));
        let url = hook.clone();
        tokio::task::spawn_blocking(move || wrk_with(&url, &script, secs, PACED_CONNECTIONS))
    };
    let probe = paced(cycle_ms, 2).await.unwrap_or_else(|e| panic!("{e}"));
    purge(&broker).await;
    let pause_ms = (cycle_ms - probe.mean_ms).max(0.0);
    let at_half = paced(pause_ms, 10).await.unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "| requests | hello world (req/s) | raw windowed publish (msg/s) | ingress accepted (webhooks/s) | ingress / raw | at {:.0}/s (half: {half:.0}): p50 | p99 |",
        at_half.rate
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {n} | {hello_rate:.0} | {raw_rate:.0} | {ingress_rate:.0} | {:.0}% | {:.1} ms | {:.1} ms |",
        100.0 * ingress_rate / raw_rate,
        at_half.p50_ms,
        at_half.p99_ms
    );
    println!("the same POST body to a hello world that drops it: {post_rate:.0} req/s");
    println!(
        "ingress at full load (wrk, {} connections): p50 {:.1} ms, p99 {:.1} ms",
        connections(),
        ingress_run.p50_ms,
        ingress_run.p99_ms
    );
    println!(
        "CPU per message: raw publish {raw_own_us:.1} µs here + {raw_broker_us:.1} µs broker; \
         ingress {ingress_own_us:.1} µs here + {ingress_broker_us:.1} µs broker + {:.1} µs wrk",
        wrk_cpu / accepted
    );
    println!(
        "non-2xx webhooks under wrk: {failed} at full load, {} paced",
        at_half.non_2xx
    );
    hello_handle.stop(false).await;
    stop.cancel();
    tokio::time::sleep(Duration::from_millis(300)).await;
}
