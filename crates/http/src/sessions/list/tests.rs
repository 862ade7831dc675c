//! The handler against a mock of the listing use case: what it extracts
//! from the request, and how it renders each outcome.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use actix_web::{test, web, App};
use chrono::DateTime;
use otas_domain::etag::IfNoneMatch;
use otas_domain::{
    AccessDenied, AgentId, ListSessionsError, Meta, RawListParams, Session, SessionId, Timestamp,
};
use otas_ports::MockHealthCheck;
use otas_use_cases::{
    ListOutcome, ListSessionsRequest, MockListSessionsUseCase, NextBatch, RestOfList, SessionPage,
    WholeList,
};
use serde_json::{json, Value};
use uuid::Uuid;

use super::list;
use crate::state::AppState;

const PATH: &str = "/api/agent/v1/sessions/list/";

fn agent() -> AgentId {
    AgentId::from_uuid(Uuid::from_u128(0xa9))
}

fn session(n: u128) -> Session {
    Session {
        id: SessionId::from_uuid(Uuid::from_u128(n)),
        agent_key_id: None,
        created_at: Timestamp::new(
            DateTime::from_timestamp(1_776_349_800 + n as i64, 0).expect("in range"),
        ),
        meta: Meta::from_json(format!(r#"{{"n":{n}}}"#)).expect("JSON"),
    }
}

/// Sends `request` to the list route over `use_case`; the status, the ETag
/// and the body.
async fn call(
    use_case: MockListSessionsUseCase,
    request: test::TestRequest,
) -> (StatusCode, Option<String>, Vec<u8>) {
    let state = web::Data::new(AppState {
        list_sessions: Arc::new(use_case),
        create_session: Arc::new(otas_use_cases::MockCreateSessionUseCase::new()),
        authenticate: Arc::new(otas_use_cases::MockAuthenticateAgentUseCase::new()),
        verify_agent_key: Arc::new(otas_use_cases::MockVerifyAgentKeyUseCase::new()),
        authenticate_sdk_key: Arc::new(otas_use_cases::MockAuthenticateSdkKeyUseCase::new()),
        list_agents: Arc::new(otas_use_cases::MockListAgentsUseCase::new()),
        create_agent: Arc::new(otas_use_cases::MockCreateAgentUseCase::new()),
        agent_keys: Arc::new(otas_use_cases::MockAgentKeysUseCase::new()),
        sdk_keys: Arc::new(otas_use_cases::MockSdkKeysUseCase::new()),
        list_sdk_keys: Arc::new(otas_use_cases::MockListSdkKeysUseCase::new()),
        health: Arc::new(MockHealthCheck::new()),
        metrics: crate::app::MetricsText::new(String::new),
        deadline: std::time::Duration::from_secs(5),
        requests: otas_use_cases::Admission::new(8),
        streams: otas_use_cases::Admission::new(8),
        response_bytes: otas_use_cases::Admission::new(1 << 30),
    });
    let app = test::init_service(
        App::new()
            .app_data(state)
            .route(PATH, web::get().to(list))
            .route(PATH, web::head().to(list)),
    )
    .await;
    let response = test::call_service(&app, request.to_request()).await;
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = test::read_body(response).await.to_vec();
    (status, etag, body)
}

fn answering(
    outcome: impl FnOnce() -> Result<ListOutcome, ListSessionsError> + Send + 'static,
) -> MockListSessionsUseCase {
    let mut use_case = MockListSessionsUseCase::new();
    use_case
        .expect_list()
        .times(1)
        .return_once(move |_| outcome());
    use_case
}

#[actix_web::test]
async fn the_request_reaches_the_use_case_whole_with_repeated_headers_joined() {
    let seen = Arc::new(Mutex::new(None));
    let seen_by_mock = seen.clone();
    let mut use_case = MockListSessionsUseCase::new();
    use_case.expect_list().times(1).returning(move |request| {
        *seen_by_mock.lock().expect("not poisoned") = Some(request);
        Ok(ListOutcome::NotModified {
            etag: "\"t\"".into(),
        })
    });
    let request = test::TestRequest::get()
        .uri(&format!(
            "{PATH}?agent_id=a&agent_id=b&limit=5&cursor=c&order=asc&created_after=x&created_before=y&meta=%7B%7D&include_total=true"
        ))
        .append_header(("X-OTAS-USER-TOKEN", "first"))
        .append_header(("X-OTAS-USER-TOKEN", "second"))
        .append_header(("X-OTAS-PROJECT-ID", "p"))
        .append_header(("If-None-Match", "\"t\""));

    call(use_case, request).await;

    let seen = seen.lock().expect("not poisoned").clone();
    assert_eq!(
        seen,
        Some(ListSessionsRequest {
            user_token: Some("first,second".into()),
            project_id: Some("p".into()),
            agent_id: Some("b".into()),
            params: RawListParams {
                limit: Some("5".into()),
                cursor: Some("c".into()),
                order: Some("asc".into()),
                created_after: Some("x".into()),
                created_before: Some("y".into()),
                meta: Some("{}".into()),
                include_total: Some("true".into()),
            },
            if_none_match: Some(IfNoneMatch::Tags(vec!["\"t\"".into()])),
        })
    );
}

#[actix_web::test]
async fn not_modified_is_a_304_with_the_tag_and_no_body() {
    let use_case = answering(|| {
        Ok(ListOutcome::NotModified {
            etag: "\"abc\"".into(),
        })
    });

    let (status, etag, body) = call(use_case, test::TestRequest::get().uri(PATH)).await;

    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(etag.as_deref(), Some("\"abc\""));
    assert!(body.is_empty());
}

#[actix_web::test]
async fn a_page_is_rendered_in_uasams_envelope_with_its_extras_and_tag() {
    let use_case = answering(|| {
        Ok(ListOutcome::Page(SessionPage {
            agent: agent(),
            sessions: vec![session(2), session(1)],
            has_more: true,
            next_cursor: Some("next".into()),
            total: Some(9),
            etag: "\"page\"".into(),
        }))
    });

    let (status, etag, body) = call(use_case, test::TestRequest::get().uri(PATH)).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(etag.as_deref(), Some("\"page\""));
    let body: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(body["status"], 1);
    assert_eq!(body["status_description"], "agent_sessions_listed");
    assert_eq!(body["response"]["agent_id"], agent().to_string());
    assert_eq!(body["response"]["sessions"][0]["meta"], json!({"n": 2}));
    assert_eq!(body["response"]["has_more"], true);
    assert_eq!(body["response"]["next_cursor"], "next");
    assert_eq!(body["response"]["total"], 9);
}

#[actix_web::test]
async fn an_error_of_the_use_case_is_its_json_envelope() {
    let use_case = answering(|| Err(ListSessionsError::Denied(AccessDenied::AgentNotFound)));

    let (status, _, body) = call(use_case, test::TestRequest::get().uri(PATH)).await;

    assert_eq!(status, StatusCode::FORBIDDEN);
    let body: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(
        body,
        json!({"status": 0, "status_description": "agent_not_found_or_no_access"})
    );
}

/// The rest of a list as given batches, counting the batches read.
#[derive(Debug)]
struct Batches {
    left: Vec<Vec<Session>>,
    read: Arc<AtomicUsize>,
}

impl RestOfList for Batches {
    fn read_next(mut self: Box<Self>) -> Result<NextBatch, ListSessionsError> {
        self.read.fetch_add(1, Ordering::SeqCst);
        let sessions = self.left.remove(0);
        let rest = match self.left.is_empty() {
            true => None,
            false => Some(self as Box<dyn RestOfList>),
        };
        Ok(NextBatch { sessions, rest })
    }
}

/// A whole list of sessions 1..=5 (newest first) in batches of two: the
/// first batch in the outcome, the rest from [`Batches`], which counts its
/// reads in `read`.
fn five_in_batches_of_two(read: Arc<AtomicUsize>) -> MockListSessionsUseCase {
    answering(move || {
        let rest = Batches {
            left: vec![vec![session(3), session(2)], vec![session(1)]],
            read,
        };
        Ok(ListOutcome::Whole(WholeList {
            agent: agent(),
            first: vec![session(5), session(4)],
            rest: Some(Box::new(rest)),
            total: Some(5),
            etag: "\"whole\"".into(),
        }))
    })
}

#[actix_web::test]
async fn a_whole_list_streams_every_batch_into_one_json_body() {
    let read = Arc::new(AtomicUsize::new(0));

    let (status, etag, body) = call(
        five_in_batches_of_two(read.clone()),
        test::TestRequest::get().uri(PATH),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(etag.as_deref(), Some("\"whole\""));
    let body: Value = serde_json::from_slice(&body).expect("one JSON body");
    let ids: Vec<String> = body["response"]["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["id"].as_str().expect("an id").to_owned())
        .collect();
    let expected: Vec<String> = (1..=5).rev().map(|n| session(n).id.to_string()).collect();
    assert_eq!(ids, expected);
    assert_eq!(body["response"]["total"], 5);
    assert_eq!(read.load(Ordering::SeqCst), 2);
}

#[actix_web::test]
async fn head_of_a_whole_list_reads_nothing_after_the_first_batch() {
    let read = Arc::new(AtomicUsize::new(0));

    let (status, etag, _) = call(
        five_in_batches_of_two(read.clone()),
        test::TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri(PATH),
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(etag.as_deref(), Some("\"whole\""));
    assert_eq!(read.load(Ordering::SeqCst), 0, "no batch read");
}
