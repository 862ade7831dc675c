//! The keys (agent and SDK) verified lately, so that a caller presenting one many times
//! pays PBKDF2 once rather than on every call: an entry lives while its key
//! is used (each use within the idle expiry keeps it), up to a maximum age
//! after which the key is hashed again. Keyed by a keyed fingerprint of the
//! presented key, never the key; only successes are kept. Revocation does
//! not wait for either: the key row is read on every call.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::room::make_room;

/// One verified key.
#[derive(Debug, Clone)]
struct Entry {
    key: Uuid,
    /// The stored hash it was verified against: a changed hash is verified again.
    hashed_key: String,
    verified_at: Instant,
    /// When the entry was last used.
    used_at: Instant,
    /// When this process last wrote the key's `last_used_at`.
    marked_at: Option<Instant>,
}

/// A bounded cache of verified keys, each kept while used, up to an age.
#[derive(Debug)]
pub(crate) struct VerifiedKeys {
    entries: Mutex<HashMap<[u8; 32], Entry>>,
    capacity: usize,
    /// An entry not used for this long is dropped.
    expiry: Duration,
    /// An entry this old is dropped however busy its key.
    max_age: Duration,
}

impl Entry {
    fn live(&self, expiry: Duration, max_age: Duration) -> bool {
        self.used_at.elapsed() < expiry && self.verified_at.elapsed() < max_age
    }
}

impl VerifiedKeys {
    pub(crate) fn new(capacity: usize, expiry: Duration, max_age: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
            expiry,
            max_age,
        }
    }

    /// Whether any verification is kept (a capacity of 0 keeps none).
    pub(crate) fn keeps_any(&self) -> bool {
        self.capacity > 0
    }

    /// Whether the key presented with `fingerprint` was verified against
    /// `hashed_key` as key `key`, and is still live (used within the expiry,
    /// verified within the maximum age); a live entry counts this as a use.
    pub(crate) fn holds(&self, fingerprint: &[u8; 32], key: Uuid, hashed_key: &str) -> bool {
        let Ok(mut entries) = self.entries.lock() else {
            return false;
        };
        let Some(entry) = entries.get_mut(fingerprint) else {
            return false;
        };
        let held = entry.key == key
            && entry.hashed_key == hashed_key
            && entry.live(self.expiry, self.max_age);
        if held {
            entry.used_at = Instant::now();
        }
        held
    }

    /// Keeps a successful verification; the oldest entry makes room when full.
    pub(crate) fn remember(&self, fingerprint: [u8; 32], key: Uuid, hashed_key: &str) {
        if self.capacity == 0 {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        let (expiry, max_age) = (self.expiry, self.max_age);
        make_room(
            &mut entries,
            &fingerprint,
            self.capacity,
            |entry| entry.live(expiry, max_age),
            |entry| entry.used_at,
        );
        let marked_at = entries.get(&fingerprint).and_then(|entry| entry.marked_at);
        entries.insert(
            fingerprint,
            Entry {
                key,
                hashed_key: hashed_key.to_owned(),
                verified_at: Instant::now(),
                used_at: Instant::now(),
                marked_at,
            },
        );
    }

    /// Whether the key's `last_used_at` is due a write (not written by this
    /// process within `every`); when it is, notes that it is being written.
    pub(crate) fn mark_due(&self, fingerprint: &[u8; 32], every: Duration) -> bool {
        let Ok(mut entries) = self.entries.lock() else {
            return true;
        };
        match entries.get_mut(fingerprint) {
            Some(entry) if entry.marked_at.is_some_and(|at| at.elapsed() < every) => false,
            Some(entry) => {
                entry.marked_at = Some(Instant::now());
                true
            }
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_verified_key_is_held_for_the_same_key_and_hash_until_it_expires() {
        let cache = VerifiedKeys::new(10, Duration::from_millis(50), Duration::from_secs(60));
        cache.remember([1; 32], key(1), "hash");

        assert!(cache.holds(&[1; 32], key(1), "hash"));
        assert!(!cache.holds(&[1; 32], key(2), "hash"), "another key row");
        assert!(!cache.holds(&[1; 32], key(1), "rehashed"), "a changed hash");
        assert!(
            !cache.holds(&[2; 32], key(1), "hash"),
            "another presented key"
        );
        std::thread::sleep(Duration::from_millis(60));
        assert!(!cache.holds(&[1; 32], key(1), "hash"), "expired");
    }

    #[test]
    fn a_key_in_use_stays_held_past_the_expiry_until_its_maximum_age() {
        // Margins of hundreds of milliseconds: a loaded machine's late
        // wake-ups cannot change the answer.
        let cache = VerifiedKeys::new(10, Duration::from_millis(1000), Duration::from_millis(1500));
        let verified = Instant::now();
        cache.remember([1; 32], key(1), "hash");

        // Used every 250 ms: each use restarts the idle clock.
        for _ in 0..4 {
            std::thread::sleep(Duration::from_millis(250));
            assert!(cache.holds(&[1; 32], key(1), "hash"), "held while used");
        }
        std::thread::sleep(Duration::from_millis(1600).saturating_sub(verified.elapsed()));
        // Used 600 ms ago (under the idle expiry), verified 1.6 s ago.
        assert!(
            !cache.holds(&[1; 32], key(1), "hash"),
            "past its maximum age, verified again however busy"
        );
    }

    #[test]
    fn a_key_in_use_outlives_the_idle_expiry() {
        let cache = VerifiedKeys::new(10, Duration::from_millis(400), Duration::from_secs(60));
        cache.remember([1; 32], key(1), "hash");

        // 1.2 s of use, three times the idle expiry.
        for _ in 0..6 {
            std::thread::sleep(Duration::from_millis(200));
            assert!(cache.holds(&[1; 32], key(1), "hash"), "held while used");
        }
    }

    #[test]
    fn the_cache_never_grows_past_its_capacity_and_drops_the_oldest_first() {
        let cache = VerifiedKeys::new(2, Duration::from_secs(60), Duration::from_secs(600));
        cache.remember([1; 32], key(1), "h");
        cache.remember([2; 32], key(2), "h");
        cache.remember([3; 32], key(3), "h");

        assert!(!cache.holds(&[1; 32], key(1), "h"));
        assert!(cache.holds(&[2; 32], key(2), "h"));
        assert!(cache.holds(&[3; 32], key(3), "h"));
        assert_eq!(cache.entries.lock().map(|e| e.len()).unwrap_or(0), 2);
    }

    #[test]
    fn last_used_at_is_due_once_per_period() {
        let cache = VerifiedKeys::new(10, Duration::from_secs(60), Duration::from_secs(600));
        cache.remember([1; 32], key(1), "h");

        assert!(cache.mark_due(&[1; 32], Duration::from_secs(60)));
        assert!(!cache.mark_due(&[1; 32], Duration::from_secs(60)));
        assert!(cache.mark_due(&[1; 32], Duration::ZERO));
    }
}
