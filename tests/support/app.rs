//! The real `otas-server` binary, started on port 0 for one test.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::tokens;

/// The path the dashboard lists sessions on.
pub const LIST_PATH: &str = "/api/agent/v1/sessions/list/";

/// A running `otas-server`; killed when dropped.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    child: Child,
    logs: Arc<Mutex<Vec<String>>>,
}

/// Starts `otas-server serve` with the fixture secret and the given extra
/// environment, and waits until it listens.
pub fn command(database_url: &str, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_otas-server"));
    // Hermetic: nothing of the developer's own configuration leaks in.
    for (key, _) in std::env::vars() {
        if key.starts_with("OTAS")
            || key == "DATABASE_URL"
            || key == "JWT_SECRET"
            || key == "RUST_LOG"
        {
            command.env_remove(key);
        }
    }
    command
        .env(
            "OTAS_CONFIG_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../config"),
        )
        .env("DATABASE_URL", database_url)
        .env("JWT_SECRET", tokens::TEST_SECRET)
        .env("OTAS__SERVER__HOST", "127.0.0.1")
        .env("OTAS__SERVER__PORT", "0")
        .env("OTAS__SERVER__WORKERS", "2")
        .env("OTAS__LOG__FORMAT", "json");
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

impl TestApp {
    pub async fn spawn(database_url: &str) -> Self {
        Self::spawn_with(database_url, &[]).await
    }

    pub async fn spawn_with(database_url: &str, env: &[(&str, &str)]) -> Self {
        Self::spawn_command(command(database_url, env)).await
    }

    /// Starts `otas-server serve` with no `DATABASE_URL` at all: the store is
    /// the SQLite file the configuration (and `env`) names.
    pub async fn spawn_without_database_url(env: &[(&str, &str)]) -> Self {
        let mut command = command("", env);
        command.env_remove("DATABASE_URL");
        Self::spawn_command(command).await
    }

    async fn spawn_command(mut command: Command) -> Self {
        let mut child = command
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start otas-server");
        let stdout = child.stdout.take().expect("stdout is piped");
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (address_tx, address_rx) = mpsc::channel();
        let sink = Arc::clone(&logs);
        // Keeps reading for the server's whole life, so that it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) {
                    if let Some(address) = event.get("address").and_then(|a| a.as_str()) {
                        let _ = address_tx.send(address.to_owned());
                    }
                }
                sink.lock().expect("log lock").push(line);
            }
        });
        let address = match address_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(address) => address,
            Err(_) => {
                let _ = child.kill();
                let mut stderr = String::new();
                if let Some(mut err) = child.stderr.take() {
                    let _ = err.read_to_string(&mut stderr);
                }
                panic!("otas-server did not start listening: {stderr}");
            }
        };
        Self {
            address: format!("http://{address}"),
            client: reqwest::Client::new(),
            child,
            logs,
        }
    }

    /// `GET` the session list with the given headers (`None`: not sent) and query string.
    pub async fn list(
        &self,
        token: Option<&str>,
        project: Option<&str>,
        query: &str,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .get(format!("{}{LIST_PATH}?{query}", self.address));
        if let Some(token) = token {
            request = request.header("X-OTAS-USER-TOKEN", token);
        }
        if let Some(project) = project {
            request = request.header("X-OTAS-PROJECT-ID", project);
        }
        request.send().await.expect("the server answers")
    }

    /// Every line the server has logged so far.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().expect("log lock").clone()
    }

    /// Waits until the server has logged a line containing `needle`.
    pub async fn wait_for_log(&self, needle: &str) -> String {
        for _ in 0..100 {
            if let Some(line) = self.logs().into_iter().find(|l| l.contains(needle)) {
                return line;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no log line contains {needle:?}; logs: {:#?}", self.logs());
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
