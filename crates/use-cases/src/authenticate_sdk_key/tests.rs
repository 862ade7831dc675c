//! The SDK-key check against mocks of its ports: UASAM's refusals in
//! UASAM's order, the lookup by prefix, the cache, revocation at once.

use std::sync::Arc;

use otas_domain::{KeyRefused, ProjectId, SdkKeyId, Timestamp};
use otas_ports::{MockClock, MockSdkKeyStore};
use uuid::Uuid;

use super::*;
use crate::key_verifier::test_hasher::{roomy, CountingHasher};

const KEY: &str = "otas_ab_cd_secret";

fn now() -> Timestamp {
    Timestamp::from_micros(1_776_349_800_000_000).expect("in range")
}

fn stored(change: impl FnOnce(&mut StoredSdkKey)) -> StoredSdkKey {
    let mut key = StoredSdkKey {
        id: SdkKeyId::from_uuid(Uuid::from_u128(0xc1)),
        project: ProjectId::from_uuid(Uuid::from_u128(0xb1)),
        prefix: "ab_cd".into(),
        hashed_key: format!("hash-of-{KEY}"),
        active: true,
        revoked_at: None,
        expires_at: None,
        last_used_at: None,
        project_name: "Demo".into(),
        project_description: "The demo project".into(),
    };
    change(&mut key);
    key
}

fn check_over(keys: MockSdkKeyStore, hasher: Arc<CountingHasher>) -> AuthenticateSdkKey {
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    AuthenticateSdkKey::new(
        AuthenticateSdkKeyPorts {
            keys: Arc::new(keys),
            clock: Arc::new(clock),
        },
        Arc::new(KeyVerifier::new(hasher, roomy())),
    )
}

fn holding(key: StoredSdkKey) -> MockSdkKeyStore {
    let mut keys = MockSdkKeyStore::new();
    keys.expect_sdk_keys_with_prefixes()
        .returning(move |_| Ok(vec![key.clone()]));
    keys.expect_mark_sdk_key_used().returning(|_, _| Ok(()));
    keys
}

fn request(key: Option<&str>) -> AuthenticateSdkKeyRequest {
    AuthenticateSdkKeyRequest {
        sdk_key: key.map(str::to_owned),
    }
}

#[test]
fn a_valid_key_names_its_project_and_a_second_call_costs_no_hash() {
    let hasher = Arc::new(CountingHasher::default());
    let check = check_over(holding(stored(|_| {})), hasher.clone());

    assert_eq!(check.authenticate(request(Some(KEY))), Ok(stored(|_| {})));
    assert_eq!(check.authenticate(request(Some(KEY))), Ok(stored(|_| {})));
    assert_eq!(hasher.runs(), 1, "the second call is a cache hit");
}

#[test]
fn a_missing_key_then_a_malformed_one_are_refused_before_any_read() {
    // The store mock panics if asked.
    let check = check_over(MockSdkKeyStore::new(), Arc::new(CountingHasher::default()));

    assert_eq!(
        check.authenticate(request(None)),
        Err(SdkAuthenticateError::MissingKey)
    );
    assert_eq!(
        check.authenticate(request(Some(""))),
        Err(SdkAuthenticateError::MissingKey)
    );
    for malformed in ["otas_abcd", "otasabcd", "x"] {
        assert_eq!(
            check.authenticate(request(Some(malformed))),
            Err(SdkAuthenticateError::InvalidFormat),
            "{malformed}"
        );
    }
    // Three parts, but no `otas_` key: no prefix to look up, so no read.
    assert_eq!(
        check.authenticate(request(Some("agent_ab_cd"))),
        Err(SdkAuthenticateError::Refused(KeyRefused::Invalid))
    );
}

#[test]
fn a_wrong_revoked_inactive_or_expired_key_is_invalid() {
    let cases = [
        ("otas_ab_cd_wrong", stored(|_| {})),
        (KEY, stored(|k| k.revoked_at = Some(now()))),
        (KEY, stored(|k| k.expires_at = Some(now()))),
        (KEY, stored(|k| k.active = false)),
    ];
    for (presented, key) in cases {
        let check = check_over(holding(key.clone()), Arc::new(CountingHasher::default()));
        assert_eq!(
            check.authenticate(request(Some(presented))),
            Err(SdkAuthenticateError::Refused(KeyRefused::Invalid)),
            "{presented} {key:?}"
        );
    }
}

#[test]
fn the_key_is_looked_up_by_its_candidate_prefixes_only() {
    let mut keys = MockSdkKeyStore::new();
    keys.expect_sdk_keys_with_prefixes()
        .withf(|prefixes| prefixes == ["ab", "ab_cd"])
        .times(1)
        .returning(|_| Ok(vec![stored(|_| {})]));
    keys.expect_mark_sdk_key_used().returning(|_, _| Ok(()));

    let check = check_over(keys, Arc::new(CountingHasher::default()));
    assert!(check.authenticate(request(Some(KEY))).is_ok());
}

#[test]
fn a_revoked_key_is_refused_at_once_even_when_cached() {
    let mut keys = MockSdkKeyStore::new();
    let mut seq = mockall::Sequence::new();
    keys.expect_sdk_keys_with_prefixes()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(vec![stored(|_| {})]));
    keys.expect_sdk_keys_with_prefixes()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(vec![stored(|k| k.revoked_at = Some(now()))]));
    keys.expect_mark_sdk_key_used().returning(|_, _| Ok(()));
    let check = check_over(keys, Arc::new(CountingHasher::default()));

    assert!(check.authenticate(request(Some(KEY))).is_ok());
    assert_eq!(
        check.authenticate(request(Some(KEY))),
        Err(SdkAuthenticateError::Refused(KeyRefused::Invalid))
    );
}
