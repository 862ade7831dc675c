//! Configuration that would make a deployment unsafe: refused in production
//! with one line saying why (never the secret), a warning elsewhere; secrets
//! read verbatim; passwords masked wherever they sit.

use std::process::Stdio;

use otas_auth_adapter::JwtUserTokenIssuer;
use otas_postgres_adapter::test_support::TestDatabase;
use reqwest::StatusCode;
use secrecy::SecretString;

use crate::support::app::command;
use crate::support::scratch::Scratch;
use crate::support::world::*;
use crate::support::{agent_query, Store, TestApp, World};

/// A secret of 40 bytes, none of them published.
const STRONG: &str = "a-strong-secret-of-forty-bytes-0123456789";

/// Runs `otas-server <args>` with `env` to its end: (success, stdout, stderr).
fn run(
    database_url: &str,
    env: &[(&str, &str)],
    remove: &[&str],
    args: &[&str],
) -> (bool, String, String) {
    let mut command = command(database_url, env);
    for key in remove {
        command.env_remove(key);
    }
    let mut child = command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run otas-server");
    // A refusal is immediate: a server that started instead is killed, and
    // the test fails rather than hangs.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().expect("the child's status").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("the child's output");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn production_refuses_a_published_an_empty_or_a_short_secret_as_one_problem_naming_none() {
    let db = TestDatabase::migrated();
    let production = ("OTAS_ENV", "production");
    for (secret, why) in [
        ("some-jwt-secret", "published"),
        ("test-secret-please-rotate", "published"),
        ("", "empty"),
        ("short-but-not-published", "shorter than 32 bytes"),
    ] {
        let (ok, _, stderr) = run(
            db.url(),
            &[production, ("JWT_SECRET", secret)],
            &[],
            &["serve"],
        );

        assert!(!ok, "{why}: started");
        assert_eq!(stderr.trim().lines().count(), 2, "{why}: {stderr}");
        assert!(
            stderr.contains("refusing to start: 1 problem\n"),
            "{why}: {stderr}"
        );
        assert!(stderr.contains("; fix: "), "{why}: {stderr}");
        assert!(stderr.contains(why), "{why}: {stderr}");
        if !secret.is_empty() {
            assert!(!stderr.contains(secret), "the secret is printed: {stderr}");
        }
    }
}

#[test]
fn production_refuses_a_published_previous_secret_and_a_missing_database_url() {
    let db = TestDatabase::migrated();
    let production = ("OTAS_ENV", "production");

    let (previous_ok, _, previous) = run(
        db.url(),
        &[
            production,
            ("JWT_SECRET", STRONG),
            ("OTAS__AUTH__PREVIOUS_JWT_SECRETS", "some-jwt-secret"),
        ],
        &[],
        &["serve"],
    );
    let (no_url_ok, _, no_url) = run(
        "",
        &[production, ("JWT_SECRET", STRONG)],
        &["DATABASE_URL"],
        &["serve"],
    );

    assert!(!previous_ok);
    assert!(
        previous.contains("a previous JWT secret is a published one"),
        "{previous}"
    );
    assert!(!no_url_ok);
    assert!(no_url.contains("no database URL"), "{no_url}");
}

#[test]
fn production_refuses_a_short_previous_secret_naming_none() {
    let db = TestDatabase::migrated();
    let production = ("OTAS_ENV", "production");
    let previous = format!("{STRONG}-older,x");

    let (ok, _, stderr) = run(
        db.url(),
        &[
            production,
            ("JWT_SECRET", STRONG),
            ("OTAS__AUTH__PREVIOUS_JWT_SECRETS", &previous),
        ],
        &[],
        &["serve"],
    );

    assert!(!ok, "started with a previous secret of one byte");
    assert_eq!(stderr.trim().lines().count(), 2, "{stderr}");
    assert!(
        stderr.contains(
            "refusing to start: 1 problem\n  - a previous JWT secret is shorter than 32 bytes"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains(STRONG), "a secret is printed: {stderr}");
}

#[tokio::test]
async fn production_keeps_a_short_previous_secret_when_told_to() {
    let world = World::new(Store::Postgres);
    let previous = "uasams-old-secret";
    let app = TestApp::spawn_with(
        world.url(),
        &[
            ("OTAS_ENV", "production"),
            ("OTAS__SERVER__HOST", "127.0.0.1"),
            ("JWT_SECRET", STRONG),
            ("OTAS__AUTH__PREVIOUS_JWT_SECRETS", previous),
            ("OTAS__AUTH__ALLOW_SHORT_SECRET", "true"),
        ],
    )
    .await;

    let response = app
        .list(
            Some(&token_for_ada(previous)),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn production_keeps_a_short_secret_uasam_already_uses_when_told_to() {
    let world = World::new(Store::Postgres);
    let secret = "uasams-own-secret";
    let app = TestApp::spawn_with(
        world.url(),
        &[
            ("OTAS_ENV", "production"),
            ("OTAS__SERVER__HOST", "127.0.0.1"),
            ("JWT_SECRET", secret),
            ("OTAS__AUTH__ALLOW_SHORT_SECRET", "true"),
        ],
    )
    .await;
    let token = token_for_ada(secret);

    let response = app
        .list(
            Some(&token),
            Some(&PROJECT_A.to_string()),
            &agent_query(AGENT_A),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
}

fn token_for_ada(secret: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    JwtUserTokenIssuer::new(&SecretString::from(secret.to_owned()))
        .expect("a usable secret")
        .issue(
            otas_domain::UserId::from_uuid(ADA),
            "ada@example.com",
            now,
            3_600,
        )
        .expect("a token")
}

#[tokio::test]
async fn secrets_are_read_verbatim_and_a_previous_one_may_hold_any_character_from_a_file() {
    let world = World::new(Store::Sqlite);
    let scratch = Scratch::new();
    let file = scratch.path().join("previous-secrets");
    let previous = "an old, secret: with commas, and TRUE";
    std::fs::write(&file, format!("{previous}\nanother-old-one\n")).expect("write the file");
    let file = file.to_str().expect("UTF-8").to_owned();
    let app = TestApp::spawn_with(
        world.url(),
        &[
            ("JWT_SECRET", "0123456"),
            ("OTAS__AUTH__PREVIOUS_JWT_SECRETS_FILE", &file),
        ],
    )
    .await;
    let project = PROJECT_A.to_string();

    for secret in ["0123456", previous] {
        let response = app
            .list(
                Some(&token_for_ada(secret)),
                Some(&project),
                &agent_query(AGENT_A),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "signed with {secret:?}");
    }
    let guessed = app
        .list(
            Some(&token_for_ada("123456")),
            Some(&project),
            &agent_query(AGENT_A),
        )
        .await;
    assert_eq!(
        guessed.status(),
        StatusCode::UNAUTHORIZED,
        "the secret lost its zero"
    );
}

#[test]
fn check_config_masks_a_password_given_in_the_database_urls_query_and_names_what_is_unsafe() {
    let url = "postgres://otas@127.0.0.1:1/otas?password=hunter2&sslmode=disable";

    let (_, stdout, stderr) = run(
        url,
        &[("JWT_SECRET", "some-jwt-secret")],
        &[],
        &["check-config"],
    );

    assert!(
        !stdout.contains("hunter2") && !stderr.contains("hunter2"),
        "{stdout}{stderr}"
    );
    assert!(stdout.contains("password=***"), "{stdout}");
    assert!(stdout.contains("sslmode=disable"), "{stdout}");
    assert!(
        stdout.contains("\nunsafe: the JWT secret is a published one"),
        "{stdout}"
    );
    assert!(!stdout.contains("some-jwt-secret"), "{stdout}");
}

#[test]
fn check_config_lists_the_read_replicas_with_their_passwords_masked() {
    let url = "postgres://otas:primary-pw@127.0.0.1:1/otas";
    let replicas = "postgres://otas:replica-pw-1@127.0.0.1:2/otas, \
                    postgres://reader@127.0.0.1:3/otas?password=replica-pw-2";

    let (_, stdout, stderr) = run(
        url,
        &[
            ("JWT_SECRET", "a-secret-of-at-least-32-bytes-for-the-check"),
            ("OTAS__DATABASE__REPLICA_URLS", replicas),
        ],
        &[],
        &["check-config"],
    );

    for password in ["primary-pw", "replica-pw-1", "replica-pw-2"] {
        assert!(
            !stdout.contains(password) && !stderr.contains(password),
            "{password} shown: {stdout}{stderr}"
        );
    }
    assert!(stdout.contains("127.0.0.1:2/otas"), "{stdout}");
    assert!(stdout.contains("127.0.0.1:3/otas"), "{stdout}");
}

#[test]
fn a_malformed_replica_url_is_refused_without_showing_it() {
    let (succeeded, stdout, stderr) = run(
        "postgres://otas@127.0.0.1:1/otas",
        &[
            ("JWT_SECRET", "a-secret-of-at-least-32-bytes-for-the-check"),
            (
                "OTAS__DATABASE__REPLICA_URLS",
                "mysql://u:leaked-pw@host/db",
            ),
        ],
        &[],
        &["serve"],
    );

    assert!(!succeeded);
    assert!(stderr.contains("a replica URL is malformed"), "{stderr}");
    assert!(!stdout.contains("leaked-pw") && !stderr.contains("leaked-pw"));
}
