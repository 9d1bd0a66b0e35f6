//! Spawning a seeded emulator and speaking to it.

use navsync_ado_emulator::{Emulator, RunningEmulator, Seed, SeedOrganization, SeedPat};
use reqwest::{Client, RequestBuilder};
use serde_json::{Value, json};

pub const ORG: &str = "p2anav-dev";
/// Every scope.
pub const FULL_PAT: &str = "full-access-pat-0123456789abcdefghijklmnopqrstuvwxyz";
/// Only `vso.work_write`: connectionData works, projects do not.
pub const WORK_ONLY_PAT: &str = "work-only-pat-0123456789abcdefghijklmnopqrstuvwxyz";
/// `vso.project_write`, which includes `vso.project`.
pub const PROJECT_WRITE_PAT: &str = "project-write-pat-0123456789abcdefghijklmnopqrstu";
/// Only `vso.work`: reads work items, writes nothing.
pub const READ_ONLY_PAT: &str = "read-only-pat-0123456789abcdefghijklmnopqrstuvwxyz";
pub const NAVSYNC_USER: &str = "navsync@p2anav.example";
pub const API: &str = "api-version=7.1";
pub const JSON_PATCH: &str = "application/json-patch+json";

pub struct TestEmulator {
    pub base: String,
    pub emulator: Emulator,
    pub client: Client,
    running: RunningEmulator,
}

/// The organization most tests use: Agile, projects Alpha and Beta, three PATs.
pub fn standard_org() -> SeedOrganization {
    let mut org = SeedOrganization::named(ORG);
    org.projects = vec!["Alpha".into(), "Beta".into()];
    org.pats = vec![
        SeedPat::full_access(FULL_PAT).as_user("Navigator Sync", NAVSYNC_USER),
        SeedPat::with_scopes(WORK_ONLY_PAT, &["vso.work_write"]),
        SeedPat::with_scopes(PROJECT_WRITE_PAT, &["vso.project_write"]),
        SeedPat::with_scopes(READ_ONLY_PAT, &["vso.work"]),
    ];
    org.members = vec!["Board User <board.user@example.com>".into()];
    org
}

pub async fn spawn() -> TestEmulator {
    spawn_with(vec![standard_org()]).await
}

pub async fn spawn_with(organizations: Vec<SeedOrganization>) -> TestEmulator {
    let emulator = Emulator::new();
    emulator
        .seed(Seed { organizations })
        .expect("the test seed is valid");
    let running = emulator
        .start("127.0.0.1", 0)
        .await
        .expect("the emulator starts on a free port");
    let client = Client::builder()
        // Redirects are part of what is under test: see them, do not follow them.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    TestEmulator {
        base: running.base_url.clone(),
        emulator: running.emulator.clone(),
        client,
        running,
    }
}

impl TestEmulator {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(self.url(path))
    }

    /// A GET with `pat` as ADO expects it: Basic, empty user name.
    pub fn get_as(&self, path: &str, pat: &str) -> RequestBuilder {
        self.get(path).basic_auth("", Some(pat))
    }

    /// Any method with the full-access PAT.
    pub fn ado(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .basic_auth("", Some(FULL_PAT))
    }

    /// A JSON Patch to a work item route with the full-access PAT.
    pub fn patch_doc(&self, method: reqwest::Method, path: &str, ops: &Value) -> RequestBuilder {
        self.ado(method, path)
            .header("Content-Type", JSON_PATCH)
            .body(ops.to_string())
    }

    /// Creates a work item through the REST API and returns the answer.
    pub async fn create(&self, project: &str, work_item_type: &str, fields: &Value) -> Value {
        let (status, body) = json(
            self.patch_doc(
                reqwest::Method::POST,
                &format!("/{ORG}/{project}/_apis/wit/workitems/${work_item_type}?{API}"),
                &field_ops(fields),
            )
            .send()
            .await
            .expect("answered"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Creates a Task titled `title` in Alpha and returns its id.
    pub async fn create_task(&self, title: &str) -> u64 {
        let body = self
            .create("Alpha", "Task", &json!({"System.Title": title}))
            .await;
        body["id"].as_u64().expect("an id")
    }

    /// A control API POST with a JSON body.
    pub async fn control(&self, path: &str, body: &Value) -> (u16, Value) {
        json(
            self.post(&format!("/_emulator{path}"))
                .json(body)
                .send()
                .await
                .expect("answered"),
        )
        .await
    }

    pub async fn stop(self) {
        self.running.stop().await;
    }
}

/// A response's status and JSON body.
pub async fn json(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let body = response.json().await.expect("a JSON body");
    (status, body)
}

/// Asserts the shape of ADO's error body and returns its `typeKey` and `message`.
pub fn ado_error(body: &serde_json::Value) -> (String, String) {
    assert_eq!(body["$id"], "1", "{body}");
    assert!(body["innerException"].is_null(), "{body}");
    assert_eq!(body["errorCode"], 0, "{body}");
    assert_eq!(body["eventId"], 3000, "{body}");
    let type_key = body["typeKey"].as_str().expect("typeKey").to_owned();
    let type_name = body["typeName"].as_str().expect("typeName");
    assert!(type_name.contains(&type_key), "{body}");
    (
        type_key,
        body["message"].as_str().expect("message").to_owned(),
    )
}

/// `[{"op": "add", "path": "/fields/X", "value": ...}]` for each field.
pub fn field_ops(fields: &Value) -> Value {
    let ops: Vec<Value> = fields
        .as_object()
        .expect("an object of fields")
        .iter()
        .map(
            |(name, value)| json!({"op": "add", "path": format!("/fields/{name}"), "value": value}),
        )
        .collect();
    Value::Array(ops)
}

/// Asserts ADO's error body as Work Item Tracking sends it (its own `eventId`), and
/// returns `typeKey` and `message`.
pub fn wit_error(body: &Value) -> (String, String) {
    assert_eq!(body["$id"], "1", "{body}");
    assert!(body["innerException"].is_null(), "{body}");
    assert_eq!(body["errorCode"], 0, "{body}");
    assert!(body["eventId"].is_u64(), "{body}");
    (
        body["typeKey"].as_str().expect("typeKey").to_owned(),
        body["message"].as_str().expect("message").to_owned(),
    )
}
