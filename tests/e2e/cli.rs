//! The operators' commands of the real binary: `seed-demo` (the first run's
//! demo and its curl line), `token`, and `--help` (`check-config`: its own
//! file).

use std::process::{Command, Output};

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::app::command;
use crate::support::scratch::Scratch;
use crate::support::TestApp;

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The URL and headers of the curl command `seed-demo` printed.
/// A printed `curl` command: its URL, its headers, its body (`-d`).
#[derive(Debug)]
struct Curl {
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

/// Every `curl` command in `printed`, each joined from its continued lines.
fn curl_commands(printed: &str) -> Vec<Curl> {
    let mut commands: Vec<String> = Vec::new();
    let mut continued = false;
    for line in printed.lines() {
        if line.starts_with("curl") || continued {
            if !continued {
                commands.push(String::new());
            }
            let last = commands.last_mut().expect("a command");
            last.push_str(line.trim_end_matches('\\').trim());
            last.push(' ');
            continued = line.trim_end().ends_with('\\');
        }
    }
    commands
        .iter()
        .map(|command| {
            let quoted: Vec<&str> = command.split('\'').skip(1).step_by(2).collect();
            let url = quoted.first().expect("a quoted URL").to_string();
            let mut headers = Vec::new();
            let mut body = None;
            for part in &quoted[1..] {
                match part.split_once(": ") {
                    Some((name, value)) if !part.starts_with('{') => {
                        headers.push((name.to_owned(), value.to_owned()))
                    }
                    _ => body = Some((*part).to_owned()),
                }
            }
            Curl { url, headers, body }
        })
        .collect()
}

/// The first printed `curl` command's URL and headers.
fn parse_curl(printed: &str) -> (String, Vec<(String, String)>) {
    let first = curl_commands(printed)
        .into_iter()
        .next()
        .expect("a curl command");
    (first.url, first.headers)
}

#[tokio::test]
async fn seed_demo_fills_an_empty_store_once_and_its_curl_line_lists_the_demo_sessions() {
    let store = Scratch::new();
    assert!(store.run(&["migrate"], &[]).status.success());

    let port = [("OTAS__SERVER__PORT", "8000")];
    let first = store.run(&["seed-demo"], &port);
    let second = store.run(&["seed-demo"], &port);

    assert!(first.status.success(), "{}", stderr(&first));
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stderr(&first).contains("demo data loaded"),
        "{}",
        stderr(&first)
    );
    assert!(
        stderr(&second).contains("no demo data loaded"),
        "{}",
        stderr(&second)
    );
    let (url, headers) = parse_curl(&stdout(&first));
    assert!(
        url.starts_with("http://127.0.0.1:8000/api/agent/v1/sessions/list/?agent_id="),
        "{url}"
    );

    // The printed command, sent to a server on this store (on its own port).
    let app = TestApp::spawn(&store.url()).await;
    let path_and_query = url.trim_start_matches("http://127.0.0.1:8000");
    let mut request = app.client.get(format!(
        "{}{path_and_query}&include_total=true",
        app.address
    ));
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let response = request.send().await.expect("an answer");

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["status_description"], "agent_sessions_listed");
    assert_eq!(
        body["response"]["sessions"]
            .as_array()
            .expect("sessions")
            .len(),
        5
    );
    let total = body["response"]["total"].as_u64().expect("a total");
    assert!(
        total >= 100,
        "the demo agent has a few hundred sessions: {total}"
    );
    // The second run printed a command too, with a token that works as well.
    let (_, again) = parse_curl(&stdout(&second));
    assert_eq!(again.len(), 2);

    // The second printed command opens a session with the demo agent's key,
    // and the new session heads the list.
    let commands = curl_commands(&stdout(&first));
    assert_eq!(commands.len(), 3, "{commands:?}");
    let create = &commands[1];
    assert!(
        create.url.ends_with("/api/agent/v1/session/create/"),
        "{create:?}"
    );
    let mut request = app
        .client
        .post(create.url.replace("http://127.0.0.1:8000", &app.address))
        .body(create.body.clone().expect("a body"));
    for (name, value) in &create.headers {
        request = request.header(name, value);
    }
    let created = request.send().await.expect("an answer");
    assert_eq!(created.status(), StatusCode::OK);
    let created: Value = created.json().await.expect("JSON");
    assert_eq!(created["status_description"], "agent_session_created");
    let mut list = app.client.get(format!("{}{path_and_query}", app.address));
    for (name, value) in &headers {
        list = list.header(name, value);
    }
    let listed: Value = list
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        listed["response"]["sessions"][0]["meta"]["task"],
        "first-run"
    );

    // The third asks whose key it is, as brain does: the demo agent's.
    let verify = &commands[2];
    assert!(
        verify.url.ends_with("/api/agent/v1/auth/verify/"),
        "{verify:?}"
    );
    let mut request = app
        .client
        .post(verify.url.replace("http://127.0.0.1:8000", &app.address))
        .body(verify.body.clone().expect("a body"));
    for (name, value) in &verify.headers {
        request = request.header(name, value);
    }
    let verified: Value = request
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        verified["status_description"], "authenticated",
        "{verified}"
    );
    assert_eq!(
        verified["response"]["agent"]["id"],
        "de300000-0000-4000-8000-0000000000a1"
    );
}

#[tokio::test]
async fn token_writes_a_token_the_server_accepts_for_a_user_it_has() {
    let store = Scratch::new();
    assert!(store.run(&["migrate"], &[]).status.success());
    assert!(store.run(&["seed-demo"], &[]).status.success());
    let demo_user = "de300000-0000-4000-8000-000000000001";

    let issued = store.run(&["token", demo_user], &[]);

    assert!(issued.status.success(), "{}", stderr(&issued));
    let token = stdout(&issued).trim().to_owned();
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    let app = TestApp::spawn(&store.url()).await;
    let response = app
        .list(
            Some(&token),
            Some("de300000-0000-4000-8000-000000000002"),
            "agent_id=de300000-0000-4000-8000-0000000000a1&limit=1",
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[test]
fn token_refuses_a_user_the_database_does_not_have_unless_forced() {
    let store = Scratch::new();
    assert!(store.run(&["migrate"], &[]).status.success());
    let stranger = "99999999-9999-9999-9999-999999999999";

    let refused = store.run(&["token", stranger], &[]);
    let forced = store.run(&["token", stranger, "--force"], &[]);
    let not_a_uuid = store.run(&["token", "ada"], &[]);

    assert!(!refused.status.success());
    assert_eq!(
        stderr(&refused).trim().lines().count(),
        1,
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));
    assert!(stdout(&refused).is_empty());
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(stdout(&forced).trim().split('.').count(), 3);
    assert!(!not_a_uuid.status.success());
}

#[test]
fn every_command_explains_itself_with_help() {
    for command in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["seed-demo", "--help"],
        vec!["token", "--help"],
        vec!["check-config", "--help"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_otas-server"))
            .args(&command)
            .output()
            .expect("run otas-server");
        assert!(output.status.success(), "{command:?}");
        assert!(
            stdout(&output).contains("Usage:"),
            "{command:?}: {}",
            stdout(&output)
        );
    }
}

#[tokio::test]
async fn seed_demo_works_on_postgresql_too_and_leaves_a_database_with_users_alone() {
    use otas_postgres_adapter::test_support::{Fixture, PgFixture, TestDatabase};
    let empty = TestDatabase::migrated();
    let mut uasam = PgFixture::migrated();
    uasam.insert_user(uuid::Uuid::new_v4(), "someone@example.com");
    let run = |url: &str| {
        command(url, &[("OTAS__SERVER__PORT", "8000")])
            .arg("seed-demo")
            .output()
            .expect("run otas-server")
    };

    let seeded = run(empty.url());
    let untouched = run(&uasam.database_url());

    assert!(seeded.status.success(), "{}", stderr(&seeded));
    assert!(
        stderr(&seeded).contains("demo data loaded"),
        "{}",
        stderr(&seeded)
    );
    assert!(untouched.status.success(), "{}", stderr(&untouched));
    assert!(
        stdout(&untouched).is_empty(),
        "no demo, no command: {}",
        stdout(&untouched)
    );
    let (url, headers) = parse_curl(&stdout(&seeded));
    let app = TestApp::spawn(empty.url()).await;
    let mut request = app.client.get(format!(
        "{}{}",
        app.address,
        url.trim_start_matches("http://127.0.0.1:8000")
    ));
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let response = request.send().await.expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body["response"]["sessions"]
            .as_array()
            .expect("sessions")
            .len(),
        5
    );
    assert_eq!(body["response"]["has_more"], true);
}
