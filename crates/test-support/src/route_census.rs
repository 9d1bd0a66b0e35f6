//! The routes an actix-web app really serves, read from actix-web itself, compared with
//! the service's OpenAPI document: a route served but not documented (or documented but
//! not served) fails the service's `openapi` test, naming it.
//!
//! actix-web keeps no list of routes, so the census asks it twice:
//! 1. the resource map (every path pattern, as a tree of scopes), read from its `Debug`
//!    text because its fields are private;
//! 2. the router, with one request per pattern and method: a method that reaches
//!    anything but the default service is served.
//!
//! The census must find the routes it is told are there (the ones allowed to stay
//! undocumented, `/healthz` at least), so if actix-web ever prints its map differently
//! the test fails loudly instead of comparing two empty lists.

use std::collections::BTreeSet;

use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use actix_web::{App, HttpRequest, HttpResponse, web};

use crate::debug_text::{self, Value};

/// `("PATCH", "/v1/action-items/{id}")`.
pub type Route = (String, String);

/// The methods an OpenAPI path item may hold and the census probes.
const METHODS: [&str; 8] = [
    "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE",
];
const DUMP_PATH: &str = "/__navsync_route_census__";
const UNROUTED: &str = "x-navsync-unrouted";
/// What a path parameter is replaced with when probing: a UUID fits every route here.
const PARAMETER: &str = "00000000-0000-0000-0000-000000000000";

/// Every (method, path pattern) that `configure` serves, as actix-web routes it.
pub async fn served<F>(configure: F) -> BTreeSet<Route>
where
    F: FnOnce(&mut web::ServiceConfig),
{
    let app = test::init_service(
        App::new()
            .configure(configure)
            .route(
                DUMP_PATH,
                web::get().to(|req: HttpRequest| async move {
                    HttpResponse::Ok().body(format!("{:?}", req.resource_map()))
                }),
            )
            .default_service(web::to(|| async {
                HttpResponse::build(StatusCode::NOT_FOUND)
                    .insert_header((UNROUTED, "1"))
                    .finish()
            })),
    )
    .await;
    let dump = test::call_and_read_body(&app, TestRequest::get().uri(DUMP_PATH).to_request()).await;
    let dump = String::from_utf8_lossy(&dump);
    let map = debug_text::parse(&dump)
        .unwrap_or_else(|e| panic!("cannot read actix-web's resource map: {e}"));
    let mut patterns = BTreeSet::new();
    collect(&map, "", &mut patterns);
    patterns.remove(DUMP_PATH);
    assert!(
        !patterns.is_empty(),
        "the census read no path from actix-web's resource map: {dump}"
    );

    let mut routes = BTreeSet::new();
    for pattern in patterns {
        let uri = concrete(&pattern);
        for method in METHODS {
            let method_value = Method::from_bytes(method.as_bytes())
                .unwrap_or_else(|e| panic!("{method} is a method: {e}"));
            let req = TestRequest::default()
                .method(method_value)
                .uri(&uri)
                .to_request();
            let routed = match test::try_call_service(&app, req).await {
                Ok(res) => !res.headers().contains_key(UNROUTED),
                // An error is something other than the default service answering.
                Err(_) => true,
            };
            if routed {
                routes.insert((method.to_owned(), pattern.clone()));
            }
        }
    }
    routes
}

/// Every (method, path) the OpenAPI document `document` (as JSON) lists.
pub fn documented(document: &serde_json::Value) -> BTreeSet<Route> {
    let mut routes = BTreeSet::new();
    let Some(paths) = document.get("paths").and_then(serde_json::Value::as_object) else {
        return routes;
    };
    for (path, item) in paths {
        for method in METHODS {
            if item.get(method.to_ascii_lowercase()).is_some() {
                routes.insert((method.to_owned(), path.clone()));
            }
        }
    }
    routes
}

/// What every service serves without an OpenAPI operation: probes, metrics, the document.
pub const PROBES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
];

/// Fails unless `configure` serves exactly the routes `document` lists plus [`PROBES`] and
/// the `undocumented` ones (each of which it must serve: a stale entry fails too).
pub async fn assert_documented<F>(
    configure: F,
    document: &serde_json::Value,
    undocumented: &[(&str, &str)],
) where
    F: FnOnce(&mut web::ServiceConfig),
{
    let served = served(configure).await;
    let documented = documented(document);
    let allowed: BTreeSet<Route> = PROBES
        .iter()
        .chain(undocumented)
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let stale: Vec<_> = allowed.difference(&served).collect();
    assert!(
        stale.is_empty(),
        "allowed to be undocumented but not served (or the census is blind): {stale:?}; served: {served:?}"
    );
    let missing: Vec<_> = served
        .difference(&documented)
        .filter(|r| !allowed.contains(*r))
        .collect();
    assert!(
        missing.is_empty(),
        "served but missing from the OpenAPI document: {missing:?}"
    );
    let phantom: Vec<_> = documented.difference(&served).collect();
    assert!(
        phantom.is_empty(),
        "in the OpenAPI document but not served: {phantom:?}"
    );
    assert!(!documented.is_empty(), "the document lists no route");
}

/// Every `$ref` of `document` that points at nothing in it.
pub fn dangling_refs(document: &serde_json::Value) -> Vec<String> {
    fn walk(node: &serde_json::Value, root: &serde_json::Value, out: &mut Vec<String>) {
        match node {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(target)) = map.get("$ref") {
                    let pointer = target.strip_prefix('#').unwrap_or("\u{0}");
                    if root.pointer(pointer).is_none() {
                        out.push(target.clone());
                    }
                }
                map.values().for_each(|v| walk(v, root, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, root, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(document, document, &mut out);
    out
}

/// Adds the full path of every resource under `node` (a `ResourceMap`) to `out`.
fn collect(node: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    let own = node
        .field("pattern")
        .and_then(|def| def.field("patterns"))
        .map(patterns_of)
        .unwrap_or_default();
    let children = match node.field("nodes") {
        Some(Value::Tuple(some, items)) if some == "Some" => match items.first() {
            Some(Value::List(children)) => Some(children),
            _ => None,
        },
        _ => None,
    };
    match children {
        // A scope (or the app): its own pattern prefixes its children's.
        Some(children) => {
            for pattern in own
                .iter()
                .map(String::as_str)
                .chain(own.is_empty().then_some(""))
            {
                let prefix = format!("{prefix}{pattern}");
                children.iter().for_each(|c| collect(c, &prefix, out));
            }
        }
        None => {
            for pattern in own {
                out.insert(format!("{prefix}{pattern}"));
            }
        }
    }
}

/// `Single("/x")` or `List(["/x", "/y"])`.
fn patterns_of(value: &Value) -> Vec<String> {
    match value {
        Value::Tuple(kind, items) if kind == "Single" || kind == "List" => items
            .iter()
            .flat_map(|item| match item {
                Value::Str(s) => vec![s.clone()],
                Value::List(list) => list
                    .iter()
                    .filter_map(|v| match v {
                        Value::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `/v1/items/{id}` → `/v1/items/00000000-…`.
fn concrete(pattern: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in pattern.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push_str(PARAMETER);
                }
                depth += 1;
            }
            '}' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn ok() -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    #[actix_web::test]
    async fn routes_in_scopes_and_by_method_are_all_found() {
        let served = served(|cfg| {
            cfg.route("/healthz", web::get().to(ok)).service(
                web::scope("/v1/things")
                    .route("", web::post().to(ok))
                    .route("/{id}", web::get().to(ok))
                    .route("/{id}", web::delete().to(ok))
                    .service(web::scope("/{id}/deep").route("/x", web::put().to(ok))),
            );
        })
        .await;
        let expected: BTreeSet<Route> = [
            ("GET", "/healthz"),
            ("POST", "/v1/things"),
            ("GET", "/v1/things/{id}"),
            ("DELETE", "/v1/things/{id}"),
            ("PUT", "/v1/things/{id}/deep/x"),
        ]
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
        assert_eq!(served, expected);
    }

    #[test]
    fn a_document_lists_its_routes_and_dangling_refs_are_found() {
        let doc = serde_json::json!({
            "paths": {"/a": {"get": {}, "post": {"$ref": "#/components/responses/Nope"}}},
            "components": {"schemas": {"X": {}}}
        });
        assert_eq!(documented(&doc).len(), 2);
        assert_eq!(
            dangling_refs(&doc),
            vec!["#/components/responses/Nope".to_owned()]
        );
    }
}
