//! A small web hook receiver on port 0: records what the emulator posts and answers each
//! delivery with the next scripted status (200 once the script runs out).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

/// One POST the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub custom_header: Option<String>,
    pub body: Value,
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<u16>>,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
    handle: ServerHandle,
}

async fn receive(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let received = Received {
        authorization: header("authorization"),
        content_type: header("content-type"),
        custom_header: header("x-navsync-test"),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    shared.received.lock().expect("not poisoned").push(received);
    let status = shared
        .script
        .lock()
        .expect("not poisoned")
        .pop_front()
        .unwrap_or(200);
    HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status).expect("a valid scripted status"),
    )
    .finish()
}

impl Receiver {
    /// A receiver answering `script` in order, then 200.
    pub async fn start(script: &[u16]) -> Self {
        let shared = Arc::new(Shared::default());
        shared
            .script
            .lock()
            .expect("not poisoned")
            .extend(script.iter().copied());
        let data = web::Data::from(shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .expect("a free port");
        let address = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url: format!("http://{address}/hooks/ado"),
            shared,
            handle,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().expect("not poisoned").clone()
    }

    /// Waits until `count` posts arrived (or 10 s passed) and returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let received = self.received();
            if received.len() >= count || Instant::now() > deadline {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}
