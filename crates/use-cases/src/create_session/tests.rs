//! Session creation against mocks of its ports: which keys open a session,
//! what is written, and what each call costs (PBKDF2 runs, writes).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use otas_domain::{AgentId, AgentKeyId, CreateSessionError, ProjectId, Timestamp};
use otas_ports::{
    AgentKeyHasher, AgentProfile, MockAgentKeyStore, MockClock, MockSessionTokenIssuer,
    MockSessionWriter, StoredAgentKey,
};
use uuid::Uuid;

use super::*;
use crate::key_verifier::KeyVerification;

const GOOD: &str = "agent_ab_cd_good-secret";
const PREFIX: &str = "ab_cd";

/// A hasher that knows one key, counts its PBKDF2 runs, and can be slow.
#[derive(Default, Debug)]
struct CountingHasher {
    runs: AtomicUsize,
    slow: Option<Duration>,
}

impl AgentKeyHasher for CountingHasher {
    fn fingerprint(&self, presented: &str) -> [u8; 32] {
        let mut out = [0; 32];
        for (i, b) in presented.bytes().enumerate() {
            out[i % 32] ^= b.wrapping_add(i as u8);
        }
        out
    }

    fn verify(&self, presented: &str, stored_hash: &str) -> bool {
        self.runs.fetch_add(1, Ordering::SeqCst);
        if let Some(slow) = self.slow {
            std::thread::sleep(slow);
        }
        presented == GOOD && stored_hash == "hash-of-good"
    }
}

fn now() -> Timestamp {
    Timestamp::from_micros(1_776_349_800_000_000).expect("in range")
}

fn agent() -> AgentId {
    AgentId::from_uuid(Uuid::from_u128(0xa1))
}

fn profile() -> AgentProfile {
    AgentProfile {
        id: agent(),
        name: "summarizer".into(),
        provider: "openai".into(),
        project: ProjectId::from_uuid(Uuid::from_u128(0xb1)),
        active: true,
    }
}

fn key_id() -> AgentKeyId {
    AgentKeyId::from_uuid(Uuid::from_u128(0xc1))
}

fn stored(change: impl FnOnce(&mut StoredAgentKey)) -> StoredAgentKey {
    let mut key = StoredAgentKey {
        id: key_id(),
        agent: profile(),
        prefix: PREFIX.to_owned(),
        hashed_key: "hash-of-good".to_owned(),
        active: true,
        revoked_at: None,
        expires_at: None,
        last_used_at: None,
    };
    change(&mut key);
    key
}

struct Setup {
    keys: MockAgentKeyStore,
    sessions: MockSessionWriter,
    hasher: Arc<CountingHasher>,
    expiry: Duration,
    concurrent: usize,
    failures_allowed: u32,
    cache_capacity: usize,
}

impl Setup {
    fn with_key(key: StoredAgentKey) -> Self {
        let mut keys = MockAgentKeyStore::new();
        keys.expect_keys_with_prefixes()
            .returning(move |_| Ok(vec![key.clone()]));
        keys.expect_mark_used().returning(|_, _| Ok(()));
        Self {
            keys,
            sessions: MockSessionWriter::new(),
            hasher: Arc::new(CountingHasher::default()),
            expiry: Duration::from_secs(60),
            concurrent: 2,
            failures_allowed: 0,
            cache_capacity: 100,
        }
    }

    fn build(self) -> CreateSession {
        let mut clock = MockClock::new();
        clock.expect_now().returning(now);
        let mut tokens = MockSessionTokenIssuer::new();
        tokens
            .expect_issue_session_token()
            .returning(|session, _, _| Ok(format!("token-for-{session}")));
        let verifier = KeyVerifier::new(
            self.hasher,
            KeyVerification {
                cache_expiry: self.expiry,
                cache_max_age: Duration::from_secs(3600),
                cache_capacity: self.cache_capacity,
                concurrent: self.concurrent,
                waiting: 4,
                patience: Duration::from_millis(20),
                failures_allowed: self.failures_allowed,
                failure_window: Duration::from_secs(60),
            },
        );
        CreateSession::new(
            CreateSessionPorts {
                keys: Arc::new(self.keys),
                sessions: Arc::new(self.sessions),
                tokens: Arc::new(tokens),
                clock: Arc::new(clock),
            },
            Arc::new(verifier),
        )
    }
}

fn request(key: &str) -> CreateSessionRequest {
    CreateSessionRequest {
        agent_key: Some(key.to_owned()),
        meta: Some("[1, 2]".to_owned()),
    }
}

#[test]
fn a_valid_key_opens_a_session_of_its_agent_with_meta_as_sent_and_a_token() {
    let mut setup = Setup::with_key(stored(|_| {}));
    let written = Arc::new(Mutex::new(Vec::new()));
    let sink = written.clone();
    setup
        .sessions
        .expect_insert_session()
        .times(1)
        .returning(move |row| {
            sink.lock().expect("not poisoned").push(row.clone());
            Ok(())
        });
    let create = setup.build();

    let created = create.create(request(GOOD)).expect("a session");

    assert_eq!(created.agent, agent());
    assert_eq!(created.token, format!("token-for-{}", created.session));
    let written = written.lock().expect("not poisoned");
    let [row] = written.as_slice() else {
        panic!("one session row: {written:?}");
    };
    assert_eq!(
        (
            row.id,
            row.agent,
            row.agent_key,
            row.created_at,
            row.meta.as_str()
        ),
        (created.session, agent(), Some(key_id()), now(), "[1, 2]")
    );
}

#[test]
fn every_prefix_a_key_could_have_is_looked_up() {
    let mut keys = MockAgentKeyStore::new();
    keys.expect_keys_with_prefixes()
        .withf(|prefixes| prefixes == ["ab", "ab_cd"])
        .times(1)
        .returning(|_| Ok(vec![]));
    let create = Setup {
        keys,
        ..Setup::with_key(stored(|_| {}))
    }
    .build();

    assert_eq!(
        create.create(request(GOOD)),
        Err(CreateSessionError::InvalidAgentKey)
    );
}

#[test]
fn no_key_or_text_that_is_no_key_is_refused_before_the_store_is_asked() {
    let create = Setup {
        keys: MockAgentKeyStore::new(),
        ..Setup::with_key(stored(|_| {}))
    }
    .build();
    for key in [
        None,
        Some(""),
        Some("Bearer abc"),
        Some("agent_nounderscore"),
    ] {
        let answer = create.create(CreateSessionRequest {
            agent_key: key.map(str::to_owned),
            meta: Some("{}".into()),
        });
        assert_eq!(answer, Err(CreateSessionError::InvalidAgentKey), "{key:?}");
    }
}

#[test]
fn an_unusable_key_is_refused_without_running_pbkdf2() {
    let later = Timestamp::from_micros(now().as_micros() + 1).expect("in range");
    for unusable in [
        stored(|k| k.active = false),
        stored(|k| k.revoked_at = Some(now())),
        stored(|k| k.expires_at = Some(now())),
        stored(|k| k.agent.active = false),
        stored(|k| k.prefix = "zz".into()),
    ] {
        let setup = Setup::with_key(unusable.clone());
        let hasher = setup.hasher.clone();
        let create = setup.build();

        assert_eq!(
            create.create(request(GOOD)),
            Err(CreateSessionError::InvalidAgentKey),
            "{unusable:?}"
        );
        assert_eq!(hasher.runs.load(Ordering::SeqCst), 0, "{unusable:?}");
    }
    let not_yet_expired = Setup::with_key(stored(|k| k.expires_at = Some(later)));
    let mut not_yet_expired = not_yet_expired;
    not_yet_expired
        .sessions
        .expect_insert_session()
        .returning(|_| Ok(()));
    assert!(not_yet_expired.build().create(request(GOOD)).is_ok());
}

#[test]
fn a_verified_key_is_not_hashed_again_within_the_expiry_and_a_wrong_one_always_is() {
    let mut setup = Setup::with_key(stored(|_| {}));
    setup.sessions.expect_insert_session().returning(|_| Ok(()));
    let hasher = setup.hasher.clone();
    let create = setup.build();

    for _ in 0..5 {
        create.create(request(GOOD)).expect("a session");
    }
    for _ in 0..3 {
        let wrong = create.create(request("agent_ab_cd_wrong-secret"));
        assert_eq!(wrong, Err(CreateSessionError::InvalidAgentKey));
    }

    assert_eq!(hasher.runs.load(Ordering::SeqCst), 1 + 3);
}

#[test]
fn past_the_expiry_a_key_is_verified_again() {
    let mut setup = Setup::with_key(stored(|_| {}));
    setup.sessions.expect_insert_session().returning(|_| Ok(()));
    setup.expiry = Duration::from_millis(30);
    let hasher = setup.hasher.clone();
    let create = setup.build();

    create.create(request(GOOD)).expect("a session");
    std::thread::sleep(Duration::from_millis(40));
    create.create(request(GOOD)).expect("a session");

    assert_eq!(hasher.runs.load(Ordering::SeqCst), 2);
}

#[test]
fn last_used_at_is_written_once_for_many_sessions_within_a_minute() {
    let mut setup = Setup::with_key(stored(|_| {}));
    setup.sessions.expect_insert_session().returning(|_| Ok(()));
    let mut keys = MockAgentKeyStore::new();
    keys.expect_keys_with_prefixes()
        .returning(|_| Ok(vec![stored(|_| {})]));
    keys.expect_mark_used()
        .withf(|key, at| *key == key_id() && *at == now())
        .times(1)
        .returning(|_, _| Ok(()));
    setup.keys = keys;
    let create = setup.build();

    for _ in 0..4 {
        create.create(request(GOOD)).expect("a session");
    }
}

#[test]
fn verifications_beyond_the_bound_wait_briefly_then_answer_busy() {
    let mut setup = Setup::with_key(stored(|_| {}));
    setup.concurrent = 1;
    setup.hasher = Arc::new(CountingHasher {
        runs: AtomicUsize::new(0),
        slow: Some(Duration::from_millis(300)),
    });
    let create = Arc::new(setup.build());

    let first = {
        let create = create.clone();
        std::thread::spawn(move || create.create(request("agent_ab_cd_wrong-1")))
    };
    std::thread::sleep(Duration::from_millis(50));
    let second = create.create(request("agent_ab_cd_wrong-2"));

    assert_eq!(second, Err(CreateSessionError::Busy));
    assert_eq!(
        first.join().expect("the first thread"),
        Err(CreateSessionError::InvalidAgentKey)
    );
}

#[test]
fn a_body_that_is_no_json_object_is_answered_once_the_key_is_checked() {
    let create = Setup::with_key(stored(|_| {})).build();
    let bad_body = |key: &str| CreateSessionRequest {
        agent_key: Some(key.to_owned()),
        meta: None,
    };

    assert_eq!(
        create.create(bad_body(GOOD)),
        Err(CreateSessionError::InvalidJson)
    );
    assert_eq!(
        create.create(bad_body("agent_ab_cd_wrong")),
        Err(CreateSessionError::InvalidAgentKey)
    );
}

#[test]
fn beyond_the_failure_budget_wrong_secrets_are_refused_without_hashing_while_the_verified_holder_is_served(
) {
    let mut setup = Setup::with_key(stored(|_| {}));
    setup.sessions.expect_insert_session().returning(|_| Ok(()));
    setup.failures_allowed = 3;
    let hasher = setup.hasher.clone();
    let create = setup.build();
    create.create(request(GOOD)).expect("verified once");

    let answers: Vec<_> = (0..10)
        .map(|n| create.create(request(&format!("agent_ab_cd_wrong-{n}"))))
        .collect();

    assert_eq!(
        answers[..3],
        [const { Err(CreateSessionError::InvalidAgentKey) }; 3]
    );
    for answer in &answers[3..] {
        assert!(
            matches!(answer, Err(CreateSessionError::TooManyAttempts { retry_after_seconds }) if (1..=60).contains(retry_after_seconds)),
            "{answer:?}"
        );
    }
    assert_eq!(
        hasher.runs.load(Ordering::SeqCst),
        1 + 3,
        "no hash past the budget"
    );
    create
        .create(request(GOOD))
        .expect("the verified holder is still served");
}

#[test]
fn a_key_too_long_to_be_issued_is_refused_before_the_store_is_asked() {
    let create = Setup {
        keys: MockAgentKeyStore::new(),
        ..Setup::with_key(stored(|_| {}))
    }
    .build();
    let hostile = format!("agent_x{}y", "_".repeat(100_000));

    assert_eq!(
        create.create(request(&hostile)),
        Err(CreateSessionError::InvalidAgentKey)
    );
}

#[test]
fn many_calls_with_one_cold_key_hash_it_once() {
    let mut setup = Setup::with_key(stored(|_| {}));
    setup.sessions.expect_insert_session().returning(|_| Ok(()));
    setup.concurrent = 1;
    setup.hasher = Arc::new(CountingHasher {
        runs: AtomicUsize::new(0),
        slow: Some(Duration::from_millis(10)),
    });
    let hasher = setup.hasher.clone();
    let create = Arc::new(setup.build());

    let calls: Vec<_> = (0..16)
        .map(|_| {
            let create = create.clone();
            std::thread::spawn(move || create.create(request(GOOD)))
        })
        .collect();

    for call in calls {
        assert!(call.join().expect("a call").is_ok());
    }
    assert_eq!(hasher.runs.load(Ordering::SeqCst), 1);
}

#[test]
fn without_a_cache_calls_with_one_key_verify_side_by_side() {
    let mut setup = Setup::with_key(stored(|_| {}));
    setup.sessions.expect_insert_session().returning(|_| Ok(()));
    setup.concurrent = 2;
    setup.hasher = Arc::new(CountingHasher {
        runs: AtomicUsize::new(0),
        slow: Some(Duration::from_millis(300)),
    });
    setup.cache_capacity = 0;
    let hasher = setup.hasher.clone();
    let create = Arc::new(setup.build());

    let started = std::time::Instant::now();
    let calls: Vec<_> = (0..2)
        .map(|_| {
            let create = create.clone();
            std::thread::spawn(move || create.create(request(GOOD)))
        })
        .collect();
    for call in calls {
        assert!(call.join().expect("a call").is_ok());
    }

    assert_eq!(hasher.runs.load(Ordering::SeqCst), 2, "nothing to share");
    // Two turns: side by side, not one after the other (600 ms).
    assert!(
        started.elapsed() < Duration::from_millis(550),
        "{:?}",
        started.elapsed()
    );
}
