//! The agent-key check against mocks of its ports: what it answers (the
//! agent read with the key, nothing read besides), and that a second call is
//! a cache hit while the row is still read.

use std::sync::Arc;

use otas_domain::{AgentId, AgentKeyId, ProjectId, StoreFailure, Timestamp};
use otas_ports::{MockAgentKeyStore, MockClock, StoreError, StoredAgentKey};
use uuid::Uuid;

use super::*;
use crate::key_verifier::test_hasher::{roomy, CountingHasher};

const KEY: &str = "agent_ab_cd_secret";

fn now() -> Timestamp {
    Timestamp::from_micros(1_776_349_800_000_000).expect("in range")
}

fn agent() -> AgentProfile {
    AgentProfile {
        id: AgentId::from_uuid(Uuid::from_u128(0xa1)),
        name: "summarizer".into(),
        provider: "openai".into(),
        project: ProjectId::from_uuid(Uuid::from_u128(0xb1)),
        active: true,
    }
}

fn stored(change: impl FnOnce(&mut StoredAgentKey)) -> StoredAgentKey {
    let mut key = StoredAgentKey {
        id: AgentKeyId::from_uuid(Uuid::from_u128(0xc1)),
        agent: agent(),
        prefix: "ab_cd".into(),
        hashed_key: format!("hash-of-{KEY}"),
        active: true,
        revoked_at: None,
        expires_at: None,
        last_used_at: None,
    };
    change(&mut key);
    key
}

fn use_case(key: StoredAgentKey, hasher: Arc<CountingHasher>) -> VerifyAgentKey {
    let mut keys = MockAgentKeyStore::new();
    keys.expect_keys_with_prefixes()
        .returning(move |_| Ok(vec![key.clone()]));
    keys.expect_mark_used().returning(|_, _| Ok(()));
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    VerifyAgentKey::new(
        VerifyAgentKeyPorts {
            keys: Arc::new(keys),
            clock: Arc::new(clock),
        },
        Arc::new(KeyVerifier::new(hasher, roomy())),
    )
}

fn request(key: &str) -> VerifyAgentKeyRequest {
    VerifyAgentKeyRequest {
        agent_key: Some(key.into()),
    }
}

#[test]
fn a_valid_key_names_its_agent_and_a_second_call_costs_no_hash() {
    let hasher = Arc::new(CountingHasher::default());
    let check = use_case(stored(|_| {}), hasher.clone());

    assert_eq!(check.verify(request(KEY)), Ok(agent()));
    assert_eq!(check.verify(request(KEY)), Ok(agent()));
    assert_eq!(hasher.runs(), 1, "the second call is a cache hit");
}

#[test]
fn a_missing_wrong_revoked_or_expired_key_or_one_of_an_inactive_agent_is_invalid() {
    let inactive = AgentProfile {
        active: false,
        ..agent()
    };
    let cases: Vec<(Option<&str>, StoredAgentKey)> = vec![
        (None, stored(|_| {})),
        (Some(""), stored(|_| {})),
        (Some("agent_ab_cd_wrong"), stored(|_| {})),
        (Some("otas_ab_cd_secret"), stored(|_| {})),
        (Some(KEY), stored(|k| k.revoked_at = Some(now()))),
        (Some(KEY), stored(|k| k.expires_at = Some(now()))),
        (Some(KEY), stored(|k| k.active = false)),
        (Some(KEY), stored(|k| k.agent = inactive.clone())),
    ];
    for (presented, key) in cases {
        let check = use_case(key.clone(), Arc::new(CountingHasher::default()));
        let answer = check.verify(VerifyAgentKeyRequest {
            agent_key: presented.map(str::to_owned),
        });
        assert_eq!(answer, Err(KeyRefused::Invalid), "{presented:?} {key:?}");
    }
}

#[test]
fn a_revoked_key_is_refused_at_once_even_when_cached() {
    let hasher = Arc::new(CountingHasher::default());
    let mut keys = MockAgentKeyStore::new();
    let mut seq = mockall::Sequence::new();
    keys.expect_keys_with_prefixes()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(vec![stored(|_| {})]));
    keys.expect_keys_with_prefixes()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(vec![stored(|k| k.revoked_at = Some(now()))]));
    keys.expect_mark_used().returning(|_, _| Ok(()));
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    let check = VerifyAgentKey::new(
        VerifyAgentKeyPorts {
            keys: Arc::new(keys),
            clock: Arc::new(clock),
        },
        Arc::new(KeyVerifier::new(hasher, roomy())),
    );

    assert_eq!(check.verify(request(KEY)), Ok(agent()));
    assert_eq!(check.verify(request(KEY)), Err(KeyRefused::Invalid));
}

#[test]
fn a_store_that_fails_is_a_store_failure() {
    let mut keys = MockAgentKeyStore::new();
    keys.expect_keys_with_prefixes()
        .returning(|_| Err(StoreError::Unavailable("down".into())));
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    let check = VerifyAgentKey::new(
        VerifyAgentKeyPorts {
            keys: Arc::new(keys),
            clock: Arc::new(clock),
        },
        Arc::new(KeyVerifier::new(
            Arc::new(CountingHasher::default()),
            roomy(),
        )),
    );

    assert_eq!(
        check.verify(request(KEY)),
        Err(KeyRefused::Store(StoreFailure::Unavailable))
    );
}
