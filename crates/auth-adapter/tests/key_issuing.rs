//! Keys we issue are verifiable by UASAM, and UASAM's keys by us: checked
//! against vectors that Django 5.0.1 (UASAM's pinned version) computed and
//! that are copied into `tests/vectors/django.json`, never against hashes
//! the code under test made. How they were made: `tests/vectors/make_vectors.py`.
//!
//! Each PBKDF2 here is 720,000 rounds (a fraction of a second with the
//! workspace's optimized debug profile), so the tests compute about a dozen.
#![allow(clippy::expect_used, clippy::unwrap_used)] // Test code: a failed expectation is a failed test.

use otas_auth_adapter::{
    django_pbkdf2_sha256, DjangoKeyHasher, DjangoKeyIssuer, ScriptedRandom, ISSUED_KEY_ITERATIONS,
};
use otas_domain::agent_key::candidate_prefixes;
use otas_ports::{AgentKeyHasher, KeyIssuer, KeyKind};
use serde_json::{json, Value};

/// What Django computed and checked (`make_vectors.py`'s output).
const DJANGO: &str = include_str!("vectors/django.json");
/// What this crate made for Django to check (`print_ours_for_django`'s output).
const OURS: &str = include_str!("vectors/ours.json");

/// Fixed keys and salts that this crate hashes for Django to check.
const OURS_FIXED: [(&str, &str); 2] = [
    (
        "agent_T1RBUy1maXhlZA_c2Vjb25kLXBhcnQtb2YtYS1maXhlZC1rZXktZm9yLWRqYW5nbw",
        "OtasSaltForDjango0001a",
    ),
    (
        "otas_c2RrLWtleS0x_U0RLLWtleS1zZWNyZXQtbWFkZS1ieS1vdGFzLWZvci1kamFuZ28",
        "9ZzyXWvuTSRQPONMLKJIH0",
    ),
];

fn django() -> Value {
    serde_json::from_str(DJANGO).expect("django.json")
}

fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {value}"))
}

fn kind(name: &str) -> KeyKind {
    match name {
        "agent" => KeyKind::Agent,
        "sdk" => KeyKind::Sdk,
        other => panic!("kind {other}"),
    }
}

fn hasher() -> DjangoKeyHasher {
    DjangoKeyHasher::new([3; 32])
}

fn url_safe(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[test]
fn the_vectors_were_made_by_djangos_5_0_at_720000_rounds() {
    let django = django();

    assert_eq!(text(&django, "django_version"), "5.0.1");
    assert_eq!(django["pbkdf2_iterations"], json!(ISSUED_KEY_ITERATIONS));
}

#[test]
fn our_make_password_is_djangos_byte_for_byte_and_djangos_hashes_verify_here() {
    let django = django();
    let vectors = django["make_password"].as_array().expect("vectors");
    assert!(vectors.len() >= 3);

    for vector in vectors {
        let (raw, salt, hashed) = (
            text(vector, "raw"),
            text(vector, "salt"),
            text(vector, "hashed_key"),
        );

        assert_eq!(
            django_pbkdf2_sha256(raw, salt, ISSUED_KEY_ITERATIONS),
            hashed
        );
        assert!(hasher().verify(raw, hashed), "{raw}");
    }
}

#[test]
fn a_scripted_source_issues_the_key_and_hash_python_and_django_made_from_the_same_bytes() {
    for vector in django()["scripted_issue"].as_array().expect("vectors") {
        let script: Vec<u8> = vector["script"]
            .as_array()
            .expect("script")
            .iter()
            .map(|b| u8::try_from(b.as_u64().expect("a byte")).expect("a byte"))
            .collect();
        let issuer = DjangoKeyIssuer::with_random(ScriptedRandom::new(script));

        let issued = issuer.issue(kind(text(vector, "kind"))).expect("a key");

        assert_eq!(issued.raw.expose(), text(vector, "raw"));
        assert_eq!(issued.prefix, text(vector, "prefix"));
        assert_eq!(issued.hashed_key, text(vector, "hashed_key"));
    }
}

#[test]
fn django_check_password_accepted_every_hash_we_made_and_we_still_make_them() {
    let django = django();
    let ours: Value = serde_json::from_str(OURS).expect("ours.json");
    let checked = django["check_password_of_ours"].as_array().expect("checks");
    let made: Vec<&Value> = ours["hashes"]
        .as_array()
        .expect("hashes")
        .iter()
        .chain(ours["issued"].as_array().expect("issued"))
        .collect();

    assert_eq!(checked.len(), made.len());
    for (check, mine) in checked.iter().zip(&made) {
        assert_eq!(text(check, "raw"), text(mine, "raw"));
        assert_eq!(text(check, "hashed_key"), text(mine, "hashed_key"));
        assert_eq!(check["accepted"], json!(true), "{check}");
    }
    assert_eq!(
        django["check_password_of_ours_with_another_key"],
        json!(false)
    );
    // Django checked what this code makes today, not a stale copy.
    for ((raw, salt), mine) in OURS_FIXED
        .iter()
        .zip(ours["hashes"].as_array().expect("hashes"))
    {
        assert_eq!(
            django_pbkdf2_sha256(raw, salt, ISSUED_KEY_ITERATIONS),
            text(mine, "hashed_key")
        );
    }
}

#[test]
fn uasams_own_split_finds_the_prefix_of_every_key_we_issued() {
    let django = django();
    let splits = django["uasam_split_of_ours"].as_array().expect("splits");
    let ours: Value = serde_json::from_str(OURS).expect("ours.json");
    let issued = ours["issued"].as_array().expect("issued");

    assert_eq!(splits.len(), issued.len());
    assert!(issued.len() >= 32);
    for (split, key) in splits.iter().zip(issued) {
        assert_eq!(text(split, "raw"), text(key, "raw"));
        assert_eq!(split["accepted"], json!(true), "{split}");
        assert_eq!(text(split, "prefix"), text(key, "prefix"));
    }
}

#[test]
fn a_key_issued_from_the_operating_system_has_uasams_shape_and_verifies_here() {
    let issuer = DjangoKeyIssuer::new();
    for kind in [KeyKind::Agent, KeyKind::Sdk] {
        let issued = issuer.issue(kind).expect("a key");
        let raw = issued.raw.expose();
        let parts: Vec<&str> = raw.splitn(3, '_').collect();
        let hash: Vec<&str> = issued.hashed_key.split('$').collect();

        assert_eq!(parts.len(), 3, "{kind:?}");
        assert_eq!(parts[0], kind.tag());
        assert_eq!(parts[1], issued.prefix);
        assert_eq!(issued.prefix.len(), 11);
        assert!(url_safe(&issued.prefix) && !issued.prefix.contains('_'));
        assert_eq!(parts[2].len(), 43);
        assert!(url_safe(parts[2]));
        assert_eq!(hash[..2], ["pbkdf2_sha256", "720000"]);
        assert_eq!(hash[2].len(), 22);
        assert!(hash[2].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert!(hasher().verify(raw, &issued.hashed_key));
        assert!(!hasher().verify(&format!("{raw}x"), &issued.hashed_key));
        if kind == KeyKind::Agent {
            assert_eq!(candidate_prefixes(raw).first(), Some(&&*issued.prefix));
        }
        assert!(!format!("{issued:?}").contains(parts[2]));
    }
}

/// Writes `tests/vectors/ours.json`, the input of `make_vectors.py`: the
/// hashes of `OURS_FIXED` and 32 keys issued from the operating system's
/// randomness, for Django to check and UASAM's split to parse. Run by hand
/// (`cargo test -p otas-auth-adapter --test key_issuing -- --ignored`), then
/// run `make_vectors.py`.
#[test]
#[ignore = "writes the vectors' input; run by hand, then make_vectors.py"]
fn print_ours_for_django() {
    let hashes: Vec<Value> = OURS_FIXED
        .iter()
        .map(|(raw, salt)| {
            json!({
                "raw": raw,
                "salt": salt,
                "hashed_key": django_pbkdf2_sha256(raw, salt, ISSUED_KEY_ITERATIONS),
            })
        })
        .collect();
    let issuer = DjangoKeyIssuer::new();
    let issued: Vec<Value> = [("agent", KeyKind::Agent), ("sdk", KeyKind::Sdk)]
        .into_iter()
        .flat_map(|(name, kind)| std::iter::repeat_n((name, kind), 16))
        .map(|(name, kind)| {
            let key = issuer.issue(kind).expect("a key");
            json!({
                "kind": name,
                "raw": key.raw.expose(),
                "prefix": key.prefix,
                "hashed_key": key.hashed_key,
            })
        })
        .collect();
    let ours = json!({
        "made_by": "crates/auth-adapter/tests/key_issuing.rs print_ours_for_django",
        "hashes": hashes,
        "issued": issued,
    });
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/ours.json");
    let text = serde_json::to_string_pretty(&ours).expect("json") + "\n";
    std::fs::write(path, text).expect("ours.json written");
}
