//! Test support (feature `test-support`): a throw-away database file per test
//! and UASAM-shaped rows written with plain SQL, in the schema's SQLite types
//! (ids as lower-case hyphenated text, times as microseconds, booleans as 0/1,
//! `meta` as the JSON text given).
//!
//! The same functions as the PostgreSQL adapter's `test_support`, over a
//! `SqliteConnection`. Panics instead of returning errors: it only runs inside
//! tests, where a panic with a clear message is the right answer to a broken
//! fixture.
#![allow(clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use uuid::Uuid;

use crate::migrations::run_migrations;
use crate::pool::set_up;

/// A database file of its own for one test, in a fresh directory under the
/// system's temporary directory; the directory (database, `-wal` and `-shm`
/// files) is removed when it goes out of scope.
#[derive(Debug)]
pub struct TestDatabase {
    dir: PathBuf,
    path: PathBuf,
    url: String,
}

impl TestDatabase {
    /// Creates an empty database file with a unique name and applies the migrations.
    pub fn migrated() -> Self {
        let db = Self::empty();
        run_migrations(db.url()).expect("the migrations apply to an empty database");
        db
    }

    /// Creates an empty database file with a unique name, without any table.
    pub fn empty() -> Self {
        let dir =
            std::env::temp_dir().join(format!("otas-sqlite-test-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let path = dir.join("otas.sqlite3");
        let url = path
            .to_str()
            .unwrap_or_else(|| panic!("the temporary path {} is not UTF-8", path.display()))
            .to_owned();
        let db = Self { dir, path, url };
        // Opening creates the file.
        drop(db.connect());
        db
    }

    /// The database's path as text, what `SqliteSettings::path_or_url` takes.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A new connection to the database, set up as the pool sets up its own
    /// (foreign keys on, WAL, a busy timeout of 5 s).
    pub fn connect(&self) -> SqliteConnection {
        connect_to(&self.url)
    }
}

/// A new connection to the database at `url`, set up as the pool sets up its
/// own (foreign keys on, WAL, a busy timeout of 5 s).
pub fn connect_to(url: &str) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(url).expect("open the test database file");
    set_up(&mut conn, Duration::from_secs(5)).expect("set up the test connection");
    conn
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fixed creation time for rows whose time does not matter, in microseconds.
fn epoch() -> i64 {
    1_764_000_000_000_000
}

/// Inserts a user.
pub fn insert_user(conn: &mut SqliteConnection, id: Uuid, email: &str) {
    diesel::sql_query(
        "INSERT INTO users (id, first_name, middle_name, last_name, email, password, created_at, updated_at) \
         VALUES (?1, 'Test', NULL, 'User', ?2, 'pbkdf2_sha256$720000$salt$hash', ?3, ?3)",
    )
    .bind::<Text, _>(id.to_string())
    .bind::<Text, _>(email)
    .bind::<BigInt, _>(epoch())
    .execute(conn)
    .expect("insert user");
}

/// Inserts a project created by `owner`.
pub fn insert_project(conn: &mut SqliteConnection, id: Uuid, owner: Uuid, is_active: bool) {
    diesel::sql_query(
        "INSERT INTO project (id, name, description, created_at, updated_at, is_active, created_by_id, domain) \
         VALUES (?1, 'Project', '', ?2, ?2, ?3, ?4, NULL)",
    )
    .bind::<Text, _>(id.to_string())
    .bind::<BigInt, _>(epoch())
    .bind::<Bool, _>(is_active)
    .bind::<Text, _>(owner.to_string())
    .execute(conn)
    .expect("insert project");
}

/// Maps `user` to `project` as a member.
pub fn insert_membership(conn: &mut SqliteConnection, user: Uuid, project: Uuid, is_active: bool) {
    diesel::sql_query(
        "INSERT INTO user_project_mapping (privilege, created_at, updated_at, is_active, project_id, user_id) \
         VALUES (2, ?1, ?1, ?2, ?3, ?4)",
    )
    .bind::<BigInt, _>(epoch())
    .bind::<Bool, _>(is_active)
    .bind::<Text, _>(project.to_string())
    .bind::<Text, _>(user.to_string())
    .execute(conn)
    .expect("insert membership");
}

/// Inserts an agent of `project`.
pub fn insert_agent(
    conn: &mut SqliteConnection,
    id: Uuid,
    project: Uuid,
    owner: Uuid,
    is_active: bool,
) {
    diesel::sql_query(
        "INSERT INTO agent (id, name, description, provider, created_at, updated_at, is_active, created_by_id, project_id) \
         VALUES (?1, 'Agent', '', 'anthropic', ?2, ?2, ?3, ?4, ?5)",
    )
    .bind::<Text, _>(id.to_string())
    .bind::<BigInt, _>(epoch())
    .bind::<Bool, _>(is_active)
    .bind::<Text, _>(owner.to_string())
    .bind::<Text, _>(project.to_string())
    .execute(conn)
    .expect("insert agent");
}

/// Inserts an active key of `agent`.
pub fn insert_agent_key(conn: &mut SqliteConnection, id: Uuid, agent: Uuid) {
    diesel::sql_query(
        "INSERT INTO agent_key (id, prefix, hashed_key, name, created_at, active, agent_id) \
         VALUES (?1, ?2, 'pbkdf2_sha256$720000$salt$hash', 'key', ?3, 1, ?4)",
    )
    .bind::<Text, _>(id.to_string())
    .bind::<Text, _>(id.simple().to_string()[..11].to_owned())
    .bind::<BigInt, _>(epoch())
    .bind::<Text, _>(agent.to_string())
    .execute(conn)
    .expect("insert agent key");
}

/// Inserts a session of `agent`; `meta` is JSON text, stored exactly as given.
pub fn insert_session(
    conn: &mut SqliteConnection,
    id: Uuid,
    agent: Uuid,
    agent_key: Option<Uuid>,
    created_at: DateTime<Utc>,
    meta: &str,
) {
    diesel::sql_query(
        "INSERT INTO agent_session (id, created_at, meta, agent_id, agent_key_id) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind::<Text, _>(id.to_string())
    .bind::<BigInt, _>(created_at.timestamp_micros())
    .bind::<Text, _>(meta)
    .bind::<Text, _>(agent.to_string())
    .bind::<Nullable<Text>, _>(agent_key.map(|key| key.to_string()))
    .execute(conn)
    .expect("insert session");
}

/// Deletes a session.
pub fn delete_session(conn: &mut SqliteConnection, id: Uuid) {
    diesel::sql_query("DELETE FROM agent_session WHERE id = ?")
        .bind::<Text, _>(id.to_string())
        .execute(conn)
        .expect("delete session");
}
