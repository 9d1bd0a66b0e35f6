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

/// What to ask ado-sync: the path after `/internal/v1/dead-letters/{queue}` and, for a
/// re-drive or discard, the JSON body (a GET otherwise).
#[derive(Debug, PartialEq)]
struct Call {
    queue: String,
    suffix: String,
    body: Option<Map<String, Value>>,
}

/// Reads the command line; `user` (the login name) is the default `actor` of an action.
fn call_of(args: &[String], user: Option<String>) -> Result<Call, String> {
    let (command, queue) = match args {
        [command, queue, ..] => (command.as_str(), queue.clone()),
        _ => return Err(USAGE.to_owned()),
    };
    let rest = &args[2..];
    let (suffix, body) = match command {
        "list" | "audit" if !rest.is_empty() => {
            return Err(format!("{command} takes no options\n{USAGE}"));
        }
        "list" => (String::new(), None),
        "audit" => ("/audit".to_owned(), None),
        "redrive" | "discard" => (format!("/{command}"), Some(selection(rest, user)?)),
        _ => return Err(USAGE.to_owned()),
    };
    Ok(Call {
        queue,
        suffix,
        body,
    })
}

async fn run(args: &[String]) -> Result<(), String> {
    let call = call_of(args, std::env::var("USER").ok())?;
    let base = std::env::var("NAVSYNC_ADO_SYNC__URL")
        .unwrap_or_else(|_| "http://127.0.0.1:8084".to_owned());
    let token = match std::env::var("NAVSYNC_AUTH__SERVICE_TOKEN") {
        Ok(t) => t,
        Err(_) if std::env::var("NAVSYNC_ENV").as_deref() == Ok("production") => {
            return Err("NAVSYNC_AUTH__SERVICE_TOKEN: required in production".to_owned());
        }
        Err(_) => navsync_platform::settings::DEV_SERVICE_TOKEN.to_owned(),
    };
    let url = url_of(&base, &call)?;
    let http = reqwest::Client::new();
    let request = match call.body {
        None => http.get(url),
        Some(body) => http.post(url).json(&Value::Object(body)),
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

/// `{base}/internal/v1/dead-letters/{queue}{suffix}`, the queue name escaped as one path
/// segment: a name holding `/`, `?` or `#` must not reach another endpoint.
fn url_of(base: &str, call: &Call) -> Result<reqwest::Url, String> {
    let mut url = reqwest::Url::parse(base)
        .map_err(|e| format!("NAVSYNC_ADO_SYNC__URL is not a URL: {e}"))?;
    url.path_segments_mut()
        .map_err(|()| "NAVSYNC_ADO_SYNC__URL cannot take a path".to_owned())?
        .pop_if_empty()
        .extend(["internal", "v1", "dead-letters", call.queue.as_str()])
        .extend(call.suffix.strip_prefix('/').filter(|s| !s.is_empty()));
    Ok(url)
}

fn selection(args: &[String], user: Option<String>) -> Result<Map<String, Value>, String> {
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
        && let Some(user) = user
    {
        body.insert("actor".into(), Value::String(user));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::{Call, call_of, url_of};
    use serde_json::{Value, json};

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    fn body(call: Call) -> Value {
        Value::Object(call.body.expect("an action has a body"))
    }

    #[test]
    fn list_and_audit_are_reads_of_the_queue() {
        let list = call_of(&args("list ado-sync.action-items"), None).expect("list");
        assert_eq!(
            list,
            Call {
                queue: "ado-sync.action-items".into(),
                suffix: String::new(),
                body: None
            }
        );
        let audit = call_of(&args("audit ado-sync.ado-inbound"), None).expect("audit");
        assert_eq!((audit.suffix.as_str(), audit.body), ("/audit", None));
    }

    #[test]
    fn every_option_of_a_redrive_becomes_its_field_and_the_login_is_the_default_actor() {
        let call = call_of(
            &args("redrive q --reason database --routing-key action_item.created.v1"),
            Some("ops".into()),
        )
        .expect("redrive");
        assert_eq!(call.suffix, "/redrive");
        assert_eq!(
            body(call),
            json!({"reason_contains": "database", "routing_key": "action_item.created.v1",
                   "actor": "ops"})
        );
        let call = call_of(
            &args("discard q --id m-1 --all --actor alice"),
            Some("ops".into()),
        )
        .expect("discard");
        assert_eq!(call.suffix, "/discard");
        assert_eq!(
            body(call),
            json!({"message_id": "m-1", "all": true, "actor": "alice"})
        );
        let call = call_of(&args("redrive q --all"), None).expect("no login");
        assert_eq!(body(call), json!({"all": true}));
    }

    #[test]
    fn a_wrong_command_line_says_why_and_sends_nothing() {
        for (line, why) in [
            ("", "usage:"),
            ("list", "usage:"),
            ("purge q", "usage:"),
            ("redrive q --reason", "--reason needs a value"),
            ("redrive q --everything", "unknown option --everything"),
            ("list q --all", "list takes no options"),
        ] {
            let err = call_of(&args(line), None).expect_err(line);
            assert!(err.contains(why), "{line}: {err}");
        }
    }

    #[test]
    fn the_queue_name_is_one_escaped_path_segment() {
        // Test-only `expect`s on arguments and base URLs written here: a failure is the bug.
        let call = call_of(&args("audit ado-sync.ado-inbound"), None).expect("call");
        let url = url_of("http://sync:8084/", &call).expect("url");
        assert_eq!(
            url.as_str(),
            "http://sync:8084/internal/v1/dead-letters/ado-sync.ado-inbound/audit"
        );
        let odd = call_of(&args("list a/b?c#d"), None).expect("call");
        let url = url_of("http://sync:8084", &odd).expect("url");
        assert_eq!(url.path(), "/internal/v1/dead-letters/a%2Fb%3Fc%23d");
        assert_eq!((url.query(), url.fragment()), (None, None));
        assert!(url_of("not a url", &odd).is_err());
    }
}
