//! `navsync-dlq`: the operator's command line for dead letters, a thin client of
//! ado-sync's internal API (`src/dead_letters.rs`). `make dlq ARGS="..."` runs it.
//!
//! ```text
//! navsync-dlq list    <queue>
//! navsync-dlq audit   <queue>
//! navsync-dlq redrive <queue> [--id ID] [--reason TEXT] [--routing-key KEY] [--all] [--actor NAME]
//! navsync-dlq discard <queue> [--id ID] [--reason TEXT] [--routing-key KEY] [--all] [--actor NAME]
//! ```
//!
//! It reaches ado-sync at `NAVSYNC_ADO_SYNC__URL` (default `http://127.0.0.1:8084`) with
//! the service credential `NAVSYNC_AUTH__SERVICE_TOKEN` (the dev value when unset outside
//! production), and prints the JSON answer.

use std::process::ExitCode;

use serde_json::{Map, Value};

const USAGE: &str = "usage: navsync-dlq list|audit|redrive|discard <queue> [--id ID] [--reason TEXT] [--routing-key KEY] [--all] [--actor NAME]";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &[String]) -> Result<(), String> {
    let (command, queue) = match args {
        [command, queue, ..] => (command.as_str(), queue.as_str()),
        _ => return Err(USAGE.to_owned()),
    };
    let base = std::env::var("NAVSYNC_ADO_SYNC__URL")
        .unwrap_or_else(|_| "http://127.0.0.1:8084".to_owned());
    let token = match std::env::var("NAVSYNC_AUTH__SERVICE_TOKEN") {
        Ok(t) => t,
        Err(_) if std::env::var("NAVSYNC_ENV").as_deref() == Ok("production") => {
            return Err("NAVSYNC_AUTH__SERVICE_TOKEN: required in production".to_owned());
        }
        Err(_) => navsync_platform::settings::DEV_SERVICE_TOKEN.to_owned(),
    };
    let base = base.trim_end_matches('/');
    let http = reqwest::Client::new();
    let url = |suffix: &str| format!("{base}/internal/v1/dead-letters/{queue}{suffix}");
    let request = match command {
        "list" => http.get(url("")),
        "audit" => http.get(url("/audit")),
        "redrive" | "discard" => http
            .post(url(&format!("/{command}")))
            .json(&Value::Object(selection(&args[2..])?)),
        _ => return Err(USAGE.to_owned()),
    };
    let res = request
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| format!("cannot reach ado-sync: {}", e.without_url()))?;
    let status = res.status();
    let body: Value = res
        .json()
        .await
        .map_err(|_| format!("ado-sync answered HTTP {status} without JSON"))?;
    println!(
        "{}",
        serde_json::to_string_pretty(&body).unwrap_or_else(|_| body.to_string())
    );
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("ado-sync answered HTTP {status}"))
    }
}

fn selection(args: &[String]) -> Result<Map<String, Value>, String> {
    let mut body = Map::new();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let key = match flag.as_str() {
            "--all" => {
                body.insert("all".into(), Value::Bool(true));
                continue;
            }
            "--id" => "message_id",
            "--reason" => "reason_contains",
            "--routing-key" => "routing_key",
            "--actor" => "actor",
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        };
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        body.insert(key.into(), Value::String(value.clone()));
    }
    if !body.contains_key("actor")
        && let Ok(user) = std::env::var("USER")
    {
        body.insert("actor".into(), Value::String(user));
    }
    Ok(body)
}
