//! One PostgreSQL database per test, so tests run in parallel and leave nothing behind.
//!
//! The server is `NAVSYNC_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432`).

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

pub struct TestDatabase {
    name: String,
    url: String,
    server: String,
}

fn server_url() -> String {
    std::env::var("NAVSYNC_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

impl TestDatabase {
    /// Creates an empty database named `navsync_test_<uuid>`.
    pub async fn create() -> Self {
        let server = server_url();
        let name = format!("navsync_test_{}", Uuid::new_v4().simple());
        let mut conn = AsyncPgConnection::establish(&format!("{server}/postgres"))
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {server} is not reachable: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("cannot create test database: {e}"));
        Self {
            url: format!("{server}/{name}"),
            name,
            server,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which must not block; a thread with its own
        // runtime does the cleanup and is joined so the database is gone when the test ends.
        let joined = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut conn) =
                    AsyncPgConnection::establish(&format!("{server}/postgres")).await
                {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut conn)
                            .await;
                }
            });
        })
        .join();
        if joined.is_err() {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}
