//! A private PostgreSQL cluster (initdb + pg_ctl on a port of its own), for
//! the tests that stop and restart the database, and a streaming standby of
//! one (pg_basebackup -R). The machine's shared PostgreSQL is never touched.

use std::path::PathBuf;
use std::process::Command;

/// A cluster in a temporary directory; stopped and removed when dropped.
pub struct PrivateCluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    /// Locales of the cluster's own (`LOCPATH`), for a server that writes its
    /// messages in another language.
    locales: Option<PathBuf>,
}

/// The directory holding `initdb` and `pg_ctl`: `pg_config --bindir`, else
/// the newest `/usr/lib/postgresql/*/bin`.
fn bin_dir() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries under /usr/lib/postgresql")
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort();
    dirs.pop()
        .expect("an initdb under /usr/lib/postgresql/*/bin")
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A port for a private cluster, below the kernel's ephemeral range
/// (32768 and up by default) so that no outgoing connection of a test, which
/// gets an ephemeral local port, can take it between this check and the
/// cluster's start; never the same one twice in this process. A port that
/// another program holds is skipped.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    const LOW: u16 = 20_000;
    const SPAN: u16 = 12_000;
    // Where this process starts counting: apart from other processes' starts.
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let start = LOW + (std::process::id() % u32::from(SPAN)) as u16;
    for _ in 0..SPAN {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed) % SPAN;
        let port = LOW + (start - LOW + offset) % SPAN;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port between {LOW} and {}", LOW + SPAN)
}

impl PrivateCluster {
    /// An empty directory for a cluster, owned by `postgres` when the tests
    /// run as root (PostgreSQL refuses to run as root).
    fn new_dir() -> Self {
        let dir = std::env::temp_dir().join(format!("otas-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("cluster directory");
        let cluster = Self {
            dir,
            bin: bin_dir(),
            port: free_port(),
            locales: None,
        };
        if running_as_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&cluster.dir)
                .status()
                .expect("chown");
            assert!(status.success(), "chown the cluster directory to postgres");
        }
        cluster
    }

    /// A streaming standby of `primary`, started: a base backup that
    /// follows the primary's WAL (`pg_basebackup -R`), hot standby on.
    pub fn standby_of(primary: &PrivateCluster) -> Self {
        let standby = Self::new_dir();
        let port = primary.port.to_string();
        standby.run(
            "pg_basebackup",
            &[
                "-D",
                &standby.data(),
                "-R",
                "-c",
                "fast",
                "-X",
                "stream",
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        standby.start_again();
        standby
    }

    /// Runs `sql` on this cluster's database `database` with psql.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let output = self
            .tool("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .output()
            .expect("run psql");
        assert!(
            output.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Creates and starts a cluster whose messages are in German
    /// (`lc_messages = 'de_DE.UTF-8'`, the locale compiled by `localedef`
    /// into the cluster's own directory, PostgreSQL's translations from its
    /// package).
    pub fn start_in_german() -> Self {
        let mut cluster = Self::new_dir();
        let locales = cluster.dir.join("locales");
        std::fs::create_dir_all(&locales).expect("locale directory");
        let output = Command::new("localedef")
            .args(["-c", "-i", "de_DE", "-f", "UTF-8"])
            .arg(locales.join("de_DE.UTF-8"))
            .output()
            .expect("localedef (Debian's libc-bin, with the locales package's sources)");
        assert!(
            locales.join("de_DE.UTF-8").exists(),
            "localedef de_DE.UTF-8 failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        if running_as_root() {
            let _ = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&locales)
                .status();
        }
        cluster.locales = Some(locales);
        cluster.init_and_start(&["lc_messages = 'de_DE.UTF-8'"]);
        cluster
    }

    /// Creates and starts a cluster with trust authentication for `postgres`.
    pub fn start() -> Self {
        let cluster = Self::new_dir();
        cluster.init_and_start(&[]);
        cluster
    }

    /// initdb, `settings` appended to `postgresql.conf`, then start.
    fn init_and_start(&self, settings: &[&str]) {
        let cluster = self;
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        if !settings.is_empty() {
            let conf = self.dir.join("data").join("postgresql.conf");
            let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
            for line in settings {
                text.push_str(line);
                text.push('\n');
            }
            std::fs::write(&conf, text).expect("write postgresql.conf");
        }
        cluster.start_again();
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    /// A PostgreSQL tool, run as `postgres` when the tests run as root.
    fn tool(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        let mut command = if running_as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command.current_dir(&self.dir);
        if let Some(locales) = &self.locales {
            command.env("LOCPATH", locales);
        }
        command
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let output = self
            .tool(tool)
            .args(args)
            .output()
            .expect("run a PostgreSQL tool");
        assert!(
            output.status.success(),
            "{tool} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts the (stopped) cluster again, on the same port.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("postgres.log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
    }

    /// Stops the cluster at once, as a crash or a network cut would look to clients.
    pub fn stop(&self) {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }

    /// Creates the database `otas`, migrates it, writes the world's rows into
    /// it, and returns its URL.
    pub fn database_with_world(&self) -> String {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        diesel::PgConnection::establish(&self.url("postgres"))
            .expect("connect to the private cluster")
            .batch_execute("CREATE DATABASE otas")
            .expect("create database");
        let url = self.url("otas");
        otas_postgres_adapter::run_migrations(&url).expect("migrate");
        crate::support::World::seed_into(&url);
        url
    }

    /// Promotes this standby and waits until it takes writes (`pg_ctl
    /// promote -w`), as a failover manager or an operator does.
    pub fn promote(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-w", "promote"]);
    }

    /// The port this cluster listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of `database` in this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = self
            .tool("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
