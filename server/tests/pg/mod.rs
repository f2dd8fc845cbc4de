//! A PostgreSQL schema of its own for one test, on the local server (127.0.0.1:5432,
//! trust auth, database `test`; `TRACE_TEST_PG` overrides the base URL), dropped with
//! everything in it when the guard goes.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

/// The server and database the tests use.
pub fn base_url() -> String {
    std::env::var("TRACE_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A schema that exists until dropped.
pub struct Schema {
    pub name: String,
}

impl Schema {
    /// Creates `t_<pid>_<n>_<nanos>`.
    pub fn new() -> Schema {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "t_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        sql(&format!("CREATE SCHEMA {name}"));
        Schema { name }
    }

    /// The store URL with this schema as the search path.
    pub fn url(&self) -> String {
        format!("{}?options=-csearch_path%3D{}", base_url(), self.name)
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        sql(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}

/// Runs one statement on the base database.
pub fn sql(statement: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(&base_url(), tokio_postgres::NoTls)
            .await
            .unwrap();
        let task = tokio::spawn(connection);
        client.batch_execute(statement).await.unwrap();
        drop(client);
        let _ = task.await;
    });
}
