//! `SessionWriter::insert_session`: a session an agent opens is listed as
//! written (its key, its time to the microsecond, its `meta` digit for
//! digit), and a row the schema refuses is a failure, never a session.

use chrono::{DateTime, Utc};
use otas_domain::{
    AgentId, AgentKeyId, Order, Session, SessionId, SessionKey, SessionQuery, Timestamp,
};
use otas_ports::{ReadBound, SessionRow, StoreError};
use serde_json::Value;
use uuid::Uuid;

use crate::support::{at, TwoAgents};
use crate::Fixture;

/// The row of a session of `agent`, opened with `agent_key`, at `created_at`.
fn row(
    id: Uuid,
    agent: Uuid,
    agent_key: Option<Uuid>,
    created_at: DateTime<Utc>,
    meta: &str,
) -> SessionRow {
    SessionRow {
        id: SessionId::from_uuid(id),
        agent: AgentId::from_uuid(agent),
        agent_key: agent_key.map(AgentKeyId::from_uuid),
        created_at: Timestamp::new(created_at),
        meta: meta.to_owned(),
    }
}

/// Every session of `agent`, newest first.
fn listed<F: Fixture>(fixture: &F, agent: Uuid) -> Vec<Session> {
    fixture
        .session_store()
        .sessions_after(
            &SessionQuery {
                order: Order::Desc,
                ..SessionQuery::all_of(AgentId::from_uuid(agent))
            },
            None::<SessionKey>,
            ReadBound::rows(100),
        )
        .expect("the session store answers")
}

/// A session written through the writer is listed with its id, agent, key,
/// time to the microsecond and `meta` (integers beyond 64 bits included)
/// exactly as written.
pub fn a_session_written_is_listed_with_its_key_time_and_meta_as_written<F: Fixture>() {
    let mut world = TwoAgents::<F>::new();
    let key = Uuid::new_v4();
    world.fixture.insert_agent_key(key, world.agent);
    let id = Uuid::new_v4();
    let meta = r#"{"task": "summarize", "big": 123456789012345678901234567890, "n": [1, 2.5]}"#;
    let created_at = at("2026-04-16T14:30:00.123456Z");

    world
        .fixture
        .session_writer()
        .insert_session(&row(id, world.agent, Some(key), created_at, meta))
        .expect("the session is written");

    let sessions = listed(&world.fixture, world.agent);
    assert_eq!(sessions.len(), 1);
    let session = &sessions[0];
    assert_eq!(session.id, SessionId::from_uuid(id));
    assert_eq!(session.agent_key_id, Some(AgentKeyId::from_uuid(key)));
    assert_eq!(session.created_at, Timestamp::new(created_at));
    let json = |text: &str| -> Value { serde_json::from_str(text).expect("JSON") };
    assert_eq!(json(session.meta.as_str()), json(meta));
    assert!(
        session
            .meta
            .as_str()
            .contains("123456789012345678901234567890"),
        "every digit kept: {}",
        session.meta.as_str()
    );
    assert!(listed(&world.fixture, world.other_agent).is_empty());
}

/// A row the schema refuses (an id already taken, an agent that does not
/// exist, `meta` that is not JSON) is `StoreError::Failure`, and no session
/// is written.
pub fn a_session_the_schema_refuses_is_a_failure_and_nothing_is_written<F: Fixture>() {
    let world = TwoAgents::<F>::new();
    let writer = world.fixture.session_writer();
    let taken = Uuid::new_v4();
    let when = at("2026-04-16T14:30:00Z");
    writer
        .insert_session(&row(taken, world.agent, None, when, "{}"))
        .expect("the first session is written");

    let refused = [
        ("a taken id", row(taken, world.agent, None, when, "{}")),
        (
            "an unknown agent",
            row(Uuid::new_v4(), Uuid::new_v4(), None, when, "{}"),
        ),
        (
            "meta that is not JSON",
            row(Uuid::new_v4(), world.agent, None, when, "{not json"),
        ),
    ];
    for (what, refused) in refused {
        let answer = writer.insert_session(&refused);
        assert!(
            matches!(answer, Err(StoreError::Failure(_))),
            "{what}: {answer:?}"
        );
    }

    assert_eq!(listed(&world.fixture, world.agent).len(), 1);
}
