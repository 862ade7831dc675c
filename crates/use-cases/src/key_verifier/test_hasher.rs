//! A hasher for the unit tests of the use cases that check keys: it knows
//! the keys it is told, and counts its PBKDF2 runs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use otas_ports::AgentKeyHasher;

use super::KeyVerification;

/// Verifies `presented` against `"hash-of-<presented>"`; counts each run.
#[derive(Debug, Default)]
pub(crate) struct CountingHasher {
    pub(crate) runs: AtomicUsize,
}

impl CountingHasher {
    pub(crate) fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }
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
        stored_hash == format!("hash-of-{presented}")
    }
}

/// Bounds that never refuse a test's few calls.
pub(crate) fn roomy() -> KeyVerification {
    KeyVerification {
        cache_expiry: Duration::from_secs(60),
        cache_max_age: Duration::from_secs(3600),
        cache_capacity: 100,
        concurrent: 2,
        waiting: 4,
        patience: Duration::from_millis(20),
        failures_allowed: 0,
        failure_window: Duration::from_secs(60),
    }
}
