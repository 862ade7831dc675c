//! A directory of the test's own, for SQLite files.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// A fresh directory under the system's temporary directory, removed (with
/// whatever the test left in it) when dropped.
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("otas-e2e-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Self { dir }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A SQLite store in a directory that does not exist yet.
    pub fn url(&self) -> String {
        format!("sqlite://{}/store/otas.db", self.dir.display())
    }

    /// Runs `otas-server <args>` against this store and waits for it.
    pub fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        super::app::command(&self.url(), env)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run otas-server")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
