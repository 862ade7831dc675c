//! The service for one test, on port 0: in-process ([`TestApp::start`], the
//! server library the binary runs) for tests of what it answers, or the real
//! `otas-server` binary ([`TestApp::spawn`]) for tests of the process itself
//! (its logs, its commands, its configuration from the environment).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::tokens;

/// The path the dashboard lists sessions on.
pub const LIST_PATH: &str = "/api/agent/v1/sessions/list/";

/// A running service; stopped (or killed) when dropped.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    runner: Runner,
}

/// How the service runs.
enum Runner {
    /// The `otas-server` binary, and every line it logged.
    Process {
        child: Child,
        logs: Arc<Mutex<Vec<String>>>,
    },
    /// The server library, in this test's process.
    InProcess(actix_web::dev::ServerHandle),
}

/// An environment variable the binary reads, as the configuration key it sets.
fn setting_key(variable: &str) -> String {
    match variable {
        "JWT_SECRET" => "auth.jwt_secret".to_owned(),
        "DATABASE_URL" => "database.url".to_owned(),
        other => other
            .strip_prefix("OTAS__")
            .unwrap_or_else(|| panic!("{other} is not a configuration variable"))
            .to_lowercase()
            .replace("__", "."),
    }
}

/// Leaves nothing of the developer's own configuration in `command`'s
/// environment (`OTAS*`, `DATABASE_URL`, `JWT_SECRET`, `RUST_LOG`).
pub fn hermetic(command: &mut Command) {
    for (key, _) in std::env::vars() {
        if key.starts_with("OTAS")
            || key == "DATABASE_URL"
            || key == "JWT_SECRET"
            || key == "RUST_LOG"
        {
            command.env_remove(key);
        }
    }
}

/// Starts `otas-server serve` with the fixture secret and the given extra
/// environment, and waits until it listens.
pub fn command(database_url: &str, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_otas-server"));
    hermetic(&mut command);
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
    /// Starts the service in-process over `database_url`, with the fixture
    /// secret.
    pub async fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[]).await
    }

    /// [`TestApp::start`], with settings given as the variables the binary
    /// reads (`("OTAS__HTTP__LIST_BATCH_SIZE", "7")`, `("JWT_SECRET", …)`).
    pub async fn start_with(database_url: &str, env: &[(&str, &str)]) -> Self {
        let mut settings = vec![
            ("database.url".to_owned(), database_url.to_owned()),
            ("auth.jwt_secret".to_owned(), tokens::TEST_SECRET.to_owned()),
            ("server.host".to_owned(), "127.0.0.1".to_owned()),
            ("server.port".to_owned(), "0".to_owned()),
            ("server.workers".to_owned(), "2".to_owned()),
        ];
        for (variable, value) in env {
            settings.push((setting_key(variable), (*value).to_owned()));
        }
        let overrides: Vec<(&str, &str)> = settings
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        let settings = otas_server::Settings::with_overrides(&overrides).expect("valid settings");
        let application = otas_server::Application::build(&settings).expect("the service starts");
        let address = format!("http://{}", application.address());
        let handle = application.handle();
        tokio::spawn(application.run());
        Self {
            address,
            client: reqwest::Client::new(),
            runner: Runner::InProcess(handle),
        }
    }

    /// Starts the `otas-server` binary over `database_url`.
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
            runner: Runner::Process { child, logs },
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

    /// The text of `GET /metrics`.
    pub async fn metrics_text(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.address))
            .send()
            .await
            .expect("the server answers /metrics")
            .text()
            .await
            .expect("a metrics body")
    }

    /// The spawned binary's resident memory (`VmRSS`), in bytes.
    pub fn rss_bytes(&self) -> u64 {
        let Runner::Process { child, .. } = &self.runner else {
            panic!("only a spawned binary has its own memory: use TestApp::spawn");
        };
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
            .expect("the process's status");
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .expect("a VmRSS line");
        kib * 1024
    }

    /// Sends SIGTERM to the spawned binary.
    pub fn terminate(&self) {
        let Runner::Process { child, .. } = &self.runner else {
            panic!("only a spawned binary gets signals: use TestApp::spawn");
        };
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
    }

    /// Waits up to `limit` for the spawned binary to exit; its status.
    pub async fn exit_status(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let Runner::Process { child, .. } = &mut self.runner else {
            panic!("only a spawned binary exits: use TestApp::spawn");
        };
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Some(status) = child.try_wait().expect("the child's status") {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    /// The spawned binary's process id (`None` in-process).
    pub fn pid(&self) -> Option<u32> {
        match &self.runner {
            Runner::Process { child, .. } => Some(child.id()),
            Runner::InProcess(_) => None,
        }
    }

    /// Every line the server has logged so far (a spawned binary only).
    pub fn logs(&self) -> Vec<String> {
        match &self.runner {
            Runner::Process { logs, .. } => logs.lock().expect("log lock").clone(),
            Runner::InProcess(_) => panic!("an in-process app has no log: use TestApp::spawn"),
        }
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
        match &mut self.runner {
            Runner::Process { child, .. } => {
                let _ = child.kill();
                let _ = child.wait();
            }
            // The stop is sent now; the returned future only reports its end.
            Runner::InProcess(handle) => drop(handle.stop(false)),
        }
    }
}
