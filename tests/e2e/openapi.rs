//! The OpenAPI document at `GET /api/openapi.json`, generated from the code,
//! and the documentation page at `/docs`: real answers of the server, of
//! every endpoint and status a client meets, validate against the document.

use otas_auth_adapter::fixtures::AGENT_KEY;
use otas_domain::{AgentId, AgentKeyId, Timestamp};
use otas_ports::{AgentKeyRow, Row};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::sdk_keys::DJANGO_HASHED;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{Store, TestApp, World};

/// Validates `body`, the answer of `method path` with `status`, against the
/// document's schema for it; panics naming what does not match.
fn validate(document: &Value, method: &str, path: &str, status: StatusCode, body: &Value) {
    let answer = &document["paths"][path][method]["responses"][status.as_str()];
    assert!(
        !answer.is_null(),
        "{method} {path} answered {status}, which the document does not list"
    );
    let schema = &answer["content"]["application/json"]["schema"];
    assert!(
        !schema.is_null(),
        "{method} {path} {status}: no JSON schema"
    );
    let root = json!({
        "$ref": schema["$ref"],
        "components": document["components"],
    });
    let validator = jsonschema::validator_for(&root).expect("a valid schema");
    let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: {errors:?}\n{body}"
    );
}

/// Method, path, query, headers and body of one request.
type Case<'a> = (Method, &'a str, String, Vec<(&'a str, &'a str)>, &'a str);

#[tokio::test]
async fn every_answer_a_client_meets_validates_against_the_served_document() {
    let world = World::new(Store::Sqlite);
    world.write(&[Row::AgentKey(AgentKeyRow {
        id: AgentKeyId::from_uuid(uuid::Uuid::new_v4()),
        agent: AgentId::from_uuid(AGENT_A),
        prefix: AGENT_KEY.prefix.to_owned(),
        hashed_key: AGENT_KEY.hashed_key.to_owned(),
        name: None,
        active: true,
        created_at: Timestamp::new(chrono::Utc::now()),
        revoked_at: None,
        expires_at: None,
    })]);
    world.write(&[crate::sdk_keys::sdk_row(&DJANGO_HASHED, PROJECT_A, |_| {}).1]);
    for n in 0..3 {
        world.session(
            uuid::Uuid::new_v4(),
            AGENT_A,
            Some(KEY_A),
            at(n, 0),
            r#"{"n": 1}"#,
        );
    }
    world.session(uuid::Uuid::new_v4(), AGENT_A, None, at(9, 0), "[1, 2]");
    crate::support::admins::add_admin_project(&world);
    let app = TestApp::start(world.url()).await;
    let document = served_document(&app).await;
    assert_eq!(document["openapi"], "3.1.0");
    let docs = app
        .client
        .get(format!("{}/docs/", app.address))
        .send()
        .await
        .expect("the page");
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(
        docs.text().await.expect("HTML").contains("swagger"),
        "the documentation page"
    );

    let (project, agent) = (PROJECT_A.to_string(), AGENT_A.to_string());
    let list = "/api/agent/v1/sessions/list/";
    let create = "/api/agent/v1/session/create/";
    let authenticate = "/api/agent/v1/user/authenticate/";
    let verify = "/api/agent/v1/auth/verify/";
    let sdk = "/api/project/v1/sdk/backend/key/authenticate/";
    let agents = "/api/agent/v1/list/";
    let agent_create = "/api/agent/v1/create/";
    let agent_admin_body = format!(
        r#"{{"agent_id": "{}"}}"#,
        crate::support::admins::AGENT_ADMIN
    );
    let admin_project = crate::support::admins::PROJECT_ADMIN.to_string();
    let admin = [
        ("X-OTAS-USER-TOKEN", VALID),
        ("X-OTAS-PROJECT-ID", admin_project.as_str()),
    ];
    let member = [
        ("X-OTAS-USER-TOKEN", crate::support::tokens::BOB_VALID),
        ("X-OTAS-PROJECT-ID", admin_project.as_str()),
    ];
    let user = [
        ("X-OTAS-USER-TOKEN", VALID),
        ("X-OTAS-PROJECT-ID", project.as_str()),
    ];
    let cases: Vec<Case<'_>> = vec![
        (
            Method::GET,
            list,
            format!("agent_id={agent}"),
            user.to_vec(),
            "",
        ),
        (
            Method::GET,
            list,
            format!("agent_id={agent}&limit=2&include_total=true"),
            user.to_vec(),
            "",
        ),
        (
            Method::GET,
            list,
            format!("agent_id={agent}&limit=0"),
            user.to_vec(),
            "",
        ),
        (
            Method::GET,
            list,
            format!("agent_id={agent}"),
            vec![("X-OTAS-PROJECT-ID", project.as_str())],
            "",
        ),
        (
            Method::GET,
            list,
            format!("agent_id={agent}"),
            vec![
                ("X-OTAS-USER-TOKEN", "forged"),
                ("X-OTAS-PROJECT-ID", project.as_str()),
            ],
            "",
        ),
        (
            Method::GET,
            list,
            format!("agent_id={AGENT_B}"),
            user.to_vec(),
            "",
        ),
        (
            Method::POST,
            create,
            String::new(),
            vec![("X-OTAS-AGENT-KEY", AGENT_KEY.key)],
            r#"{"meta": [1]}"#,
        ),
        (
            Method::POST,
            create,
            String::new(),
            vec![("X-OTAS-AGENT-KEY", "agent_x_y")],
            "{}",
        ),
        (
            Method::POST,
            create,
            String::new(),
            vec![("X-OTAS-AGENT-KEY", AGENT_KEY.key)],
            "[1]",
        ),
        (
            Method::POST,
            authenticate,
            String::new(),
            [user.to_vec(), vec![("X-OTAS-AGENT-ID", agent.as_str())]].concat(),
            "",
        ),
        (
            Method::POST,
            authenticate,
            String::new(),
            [user.to_vec(), vec![("X-OTAS-AGENT-ID", "nope")]].concat(),
            "",
        ),
        (
            Method::POST,
            verify,
            String::new(),
            vec![("X-OTAS-AGENT-KEY", AGENT_KEY.key)],
            "{}",
        ),
        (
            Method::POST,
            verify,
            String::new(),
            vec![("X-OTAS-AGENT-KEY", "agent_x_y")],
            "{}",
        ),
        (
            Method::POST,
            sdk,
            String::new(),
            vec![("X-OTAS-SDK-KEY", DJANGO_HASHED.key)],
            "",
        ),
        (Method::POST, sdk, String::new(), vec![], ""),
        (
            Method::POST,
            sdk,
            String::new(),
            vec![("X-OTAS-SDK-KEY", "otas_x")],
            "",
        ),
        (
            Method::POST,
            sdk,
            String::new(),
            vec![("X-OTAS-SDK-KEY", "otas_x_y")],
            "",
        ),
        (Method::GET, agents, String::new(), user.to_vec(), ""),
        (
            Method::GET,
            agents,
            String::new(),
            vec![("X-OTAS-PROJECT-ID", project.as_str())],
            "",
        ),
        (
            Method::POST,
            agent_create,
            String::new(),
            admin.to_vec(),
            r#"{"agent_name": "a", "agent_provider": "p"}"#,
        ),
        (
            Method::POST,
            agent_create,
            String::new(),
            member.to_vec(),
            r#"{"agent_name": "a", "agent_provider": "p"}"#,
        ),
        (
            Method::POST,
            agent_create,
            String::new(),
            admin.to_vec(),
            "[1]",
        ),
        (
            Method::POST,
            "/api/agent/v1/agents/key/create/",
            String::new(),
            admin.to_vec(),
            &agent_admin_body,
        ),
        (
            Method::POST,
            "/api/agent/v1/agents/key/create/",
            String::new(),
            admin.to_vec(),
            r#"{"agent_id": "nope"}"#,
        ),
        (
            Method::POST,
            "/api/agent/v1/agents/key/revoke/",
            String::new(),
            admin.to_vec(),
            r#"{"agent_key_id": "nope"}"#,
        ),
        (
            Method::POST,
            "/api/agent/v1/agents/key/revoke/",
            String::new(),
            member.to_vec(),
            "{}",
        ),
        (
            Method::POST,
            "/api/project/v1/sdk/backend/key/create/",
            String::new(),
            admin.to_vec(),
            r#"{"validity": 30}"#,
        ),
        (
            Method::POST,
            "/api/project/v1/sdk/backend/key/create/",
            String::new(),
            admin.to_vec(),
            r#"{"validity": 301}"#,
        ),
        (
            Method::POST,
            "/api/project/v1/sdk/backend/key/create/",
            String::new(),
            admin.to_vec(),
            "{",
        ),
        (
            Method::POST,
            "/api/project/v1/sdk/backend/key/create/",
            String::new(),
            member.to_vec(),
            r#"{"validity": 30}"#,
        ),
        (
            Method::POST,
            "/api/project/v1/sdk/backend/key/revoke/",
            String::new(),
            admin.to_vec(),
            r#"{"sdk_key_id": "nope"}"#,
        ),
        (
            Method::POST,
            "/api/project/v1/sdk/backend/key/revoke/",
            String::new(),
            admin.to_vec(),
            "{}",
        ),
        (
            Method::GET,
            "/api/project/v1/sdk/backend/key/list/",
            String::new(),
            admin.to_vec(),
            "",
        ),
        (
            Method::GET,
            "/api/project/v1/sdk/backend/key/list/",
            String::new(),
            member.to_vec(),
            "",
        ),
        (Method::GET, "/healthz", String::new(), vec![], ""),
        (Method::GET, "/readyz", String::new(), vec![], ""),
    ];

    let mut seen = std::collections::BTreeSet::new();
    for (method, path, query, headers, body) in cases {
        let mut request = app
            .client
            .request(method.clone(), format!("{}{path}?{query}", app.address))
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("an answer");
        let status = response.status();
        let answer: Value = response.json().await.expect("JSON");
        validate(
            &document,
            &method.as_str().to_lowercase(),
            path,
            status,
            &answer,
        );
        seen.insert(status.as_u16());
    }
    // Successes and refusals both were checked.
    for status in [200, 201, 400, 401, 403, 404] {
        assert!(seen.contains(&status), "no {status} answer was validated");
    }
}

/// One Authorize fills every call: the credential headers are security
/// schemes of the document, and every endpoint that needs them says which,
/// rather than asking for each header as a parameter.
#[tokio::test]
async fn the_credential_headers_are_security_schemes_every_call_names() {
    let world = World::new(Store::Sqlite);
    let app = TestApp::start(world.url()).await;
    let document = served_document(&app).await;

    let schemes = &document["components"]["securitySchemes"];
    for (name, header) in [
        ("user_token", "X-OTAS-USER-TOKEN"),
        ("project_id", "X-OTAS-PROJECT-ID"),
        ("agent_key", "X-OTAS-AGENT-KEY"),
    ] {
        assert_eq!(schemes[name]["type"], "apiKey", "{name}: {schemes}");
        assert_eq!(schemes[name]["in"], "header", "{name}: {schemes}");
        assert_eq!(schemes[name]["name"], header, "{name}: {schemes}");
    }
    for (path, method, wanted) in [
        (
            "/api/agent/v1/sessions/list/",
            "get",
            json!([{"user_token": [], "project_id": []}]),
        ),
        (
            "/api/agent/v1/user/authenticate/",
            "post",
            json!([{"user_token": [], "project_id": []}]),
        ),
        (
            "/api/agent/v1/session/create/",
            "post",
            json!([{"agent_key": []}]),
        ),
        (
            "/api/project/v1/sdk/backend/key/create/",
            "post",
            json!([{"user_token": [], "project_id": []}]),
        ),
        (
            "/api/project/v1/sdk/backend/key/revoke/",
            "post",
            json!([{"user_token": [], "project_id": []}]),
        ),
        (
            "/api/project/v1/sdk/backend/key/list/",
            "get",
            json!([{"user_token": [], "project_id": []}]),
        ),
    ] {
        let operation = &document["paths"][path][method];
        assert_eq!(operation["security"], wanted, "{method} {path}");
        let credential_params: Vec<&Value> = operation["parameters"]
            .as_array()
            .map(|params| {
                params
                    .iter()
                    .filter(|p| {
                        let name = p["name"].as_str().unwrap_or_default();
                        ["X-OTAS-USER-TOKEN", "X-OTAS-PROJECT-ID", "X-OTAS-AGENT-KEY"]
                            .contains(&name)
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            credential_params.is_empty(),
            "{method} {path}: {credential_params:?}"
        );
    }
}

/// The document the server serves.
async fn served_document(app: &TestApp) -> Value {
    app.client
        .get(format!("{}/api/openapi.json", app.address))
        .send()
        .await
        .expect("the document")
        .json()
        .await
        .expect("JSON")
}
