//! The one key verifier: agent keys (`agent_…`: session creation,
//! `auth/verify`) and SDK keys (`otas_…`: the SDK authenticate call) are
//! found by their prefix, checked against their row, and verified with
//! Django's PBKDF2 or the cache of verified keys, under one budget of
//! PBKDF2 work, one verification per presented key at a time, and a budget
//! of wrong secrets per stored key. Every use case that checks a key shares
//! one `KeyVerifier`, so a key verified by one is a cache hit for the others.

use std::sync::Arc;
use std::time::Duration;

use otas_domain::{agent_key, sdk_key, KeyRefused, Timestamp};
use otas_ports::{AgentKeyHasher, AgentKeyStore, SdkKeyStore, StoredAgentKey, StoredSdkKey};
use uuid::Uuid;

use crate::admission::Admission;
use crate::store_failure::store_failed;

mod failures;
mod flights;
mod room;
#[cfg(test)]
pub(crate) mod test_hasher;
mod verified_keys;

use failures::FailureBudget;
use flights::{Flights, Turn};
use verified_keys::VerifiedKeys;

/// How key verification is bounded.
#[derive(Debug, Clone, Copy)]
pub struct KeyVerification {
    /// A verified key not used for this long is verified (PBKDF2) again.
    pub cache_expiry: Duration,
    /// A verified key is verified again this long after it was, however
    /// busy (revocation never waits for it: the key row is read every call).
    pub cache_max_age: Duration,
    /// The most verified keys kept.
    pub cache_capacity: usize,
    /// The most PBKDF2 computations at once.
    pub concurrent: usize,
    /// The most calls waiting for a PBKDF2 turn; beyond them, `Busy` at once.
    pub waiting: usize,
    /// How long a verification waits for its turn before `Busy` (503).
    pub patience: Duration,
    /// Wrong secrets allowed per stored key per `failure_window`; beyond
    /// them, `TooManyAttempts` without hashing. `0`: no budget.
    pub failures_allowed: u32,
    /// The window the failures are counted in.
    pub failure_window: Duration,
}

/// A stored key the verifier can check: its row's id and hash.
trait Candidate: Clone {
    fn row(&self) -> Uuid;
    fn hash(&self) -> &str;
}

impl Candidate for StoredAgentKey {
    fn row(&self) -> Uuid {
        *self.id.as_uuid()
    }
    fn hash(&self) -> &str {
        &self.hashed_key
    }
}

impl Candidate for StoredSdkKey {
    fn row(&self) -> Uuid {
        *self.id.as_uuid()
    }
    fn hash(&self) -> &str {
        &self.hashed_key
    }
}

/// A key verified: its row, and the presented key's fingerprint (for the
/// bookkeeping of `last_used_at`).
#[derive(Debug, Clone)]
pub struct Verified<K> {
    pub key: K,
    fingerprint: [u8; 32],
}

/// The verifier, shared by every use case that checks a key.
#[derive(Debug)]
pub struct KeyVerifier {
    hasher: Arc<dyn AgentKeyHasher>,
    verified: VerifiedKeys,
    failures: FailureBudget,
    flights: Flights,
    /// The verifications' own budget, apart from the admission of requests:
    /// PBKDF2 takes a core for about a tenth of a second, so a flood of wrong
    /// keys must not take them all. Its waiters are bounded too, and beyond
    /// them a call fails at once rather than holding a request's place while
    /// it waits.
    verifications: Admission,
    patience: Duration,
}

impl KeyVerifier {
    /// A verifier hashing with `hasher` within `verification`'s bounds.
    pub fn new(hasher: Arc<dyn AgentKeyHasher>, verification: KeyVerification) -> Self {
        Self {
            hasher,
            verified: VerifiedKeys::new(
                verification.cache_capacity,
                verification.cache_expiry,
                verification.cache_max_age,
            ),
            failures: FailureBudget::new(
                verification.failures_allowed,
                verification.failure_window,
                verification.cache_capacity,
            ),
            flights: Flights::default(),
            verifications: Admission::new(verification.concurrent).queueing(verification.waiting),
            patience: verification.patience,
        }
    }

    /// The agent key `presented` is, when it is one usable at `now` (active,
    /// not revoked or expired, its agent active). Cost: an HMAC of at most
    /// 512 bytes, one indexed read of at most 255 prefixes (a real key has
    /// one or two), then a cache hit or one PBKDF2 within the budgets.
    pub fn agent_key(
        &self,
        keys: &dyn AgentKeyStore,
        now: Timestamp,
        presented: &str,
    ) -> Result<Verified<StoredAgentKey>, KeyRefused> {
        if presented.is_empty() || presented.len() > agent_key::MAX_AGENT_KEY_BYTES {
            return Err(KeyRefused::Invalid);
        }
        // At most 255 borrowed slices of a key of at most 512 bytes.
        let prefixes = agent_key::candidate_prefixes(presented);
        if prefixes.is_empty() {
            return Err(KeyRefused::Invalid);
        }
        let candidates: Vec<StoredAgentKey> = keys
            .keys_with_prefixes(&prefixes)
            .map_err(store_failed)?
            .into_iter()
            .filter(|key| agent_key::names_prefix(presented, &key.prefix))
            .filter(|key| key.usable_at(now))
            .collect();
        self.pick(presented, candidates)
    }

    /// The SDK key `presented` is, when it is one usable at `now` (active,
    /// not revoked or expired). Cost: as [`Self::agent_key`], on
    /// `backend_api_keys`: never a comparison against every key.
    pub fn sdk_key(
        &self,
        keys: &dyn SdkKeyStore,
        now: Timestamp,
        presented: &str,
    ) -> Result<Verified<StoredSdkKey>, KeyRefused> {
        if presented.is_empty() || presented.len() > sdk_key::MAX_SDK_KEY_BYTES {
            return Err(KeyRefused::Invalid);
        }
        let prefixes = sdk_key::candidate_prefixes(presented);
        if prefixes.is_empty() {
            return Err(KeyRefused::Invalid);
        }
        let candidates: Vec<StoredSdkKey> = keys
            .sdk_keys_with_prefixes(&prefixes)
            .map_err(store_failed)?
            .into_iter()
            .filter(|key| sdk_key::names_prefix(presented, &key.prefix))
            .filter(|key| key.usable_at(now))
            .collect();
        self.pick(presented, candidates)
    }

    /// Whether the verified key's `last_used_at` is due a write (not written
    /// by this process within `every`); when it is, notes that it is.
    pub fn mark_due<K>(&self, verified: &Verified<K>, every: Duration) -> bool {
        self.verified.mark_due(&verified.fingerprint, every)
    }

    /// The candidate `presented` is: a cache hit, or PBKDF2 within the
    /// verifications' own budget (`Busy` beyond it) and each key's budget of
    /// wrong secrets (`TooManyAttempts` beyond it, without hashing).
    fn pick<K: Candidate>(
        &self,
        presented: &str,
        candidates: Vec<K>,
    ) -> Result<Verified<K>, KeyRefused> {
        if candidates.is_empty() {
            return Err(KeyRefused::Invalid);
        }
        // An HMAC over at most 512 bytes.
        let fingerprint = self.hasher.fingerprint(presented);
        let found = |key: K| Ok(Verified { key, fingerprint });
        // A key verified lately is served even while its budget is spent:
        // a flood of wrong secrets does not lock its holder out.
        if let Some(key) = candidates
            .iter()
            .find(|key| self.verified.holds(&fingerprint, key.row(), key.hash()))
        {
            return found(key.clone());
        }
        let mut retry_after: Option<Duration> = None;
        'candidates: for key in candidates {
            // Calls presenting the same key wait for one verification, and
            // look at its outcome: verified, or the budget spent by it.
            let _flight = loop {
                if let Some(left) = self.failures.spent(key.row()) {
                    retry_after = Some(retry_after.map_or(left, |other| other.min(left)));
                    continue 'candidates;
                }
                // A verification's outcome reaches the others through the
                // cache: with none kept, there is nothing to wait for.
                if !self.verified.keeps_any() {
                    break None;
                }
                match self.flights.board(fingerprint, self.patience) {
                    None => return Err(KeyRefused::Busy),
                    Some(Turn::Lead(flight)) => break Some(flight),
                    Some(Turn::Landed) => {
                        if self.verified.holds(&fingerprint, key.row(), key.hash()) {
                            return found(key);
                        }
                    }
                }
            };
            let _turn = self
                .verifications
                .take_within(self.patience)
                .ok_or(KeyRefused::Busy)?;
            if let Err(left) = self.failures.begin(key.row()) {
                retry_after = Some(retry_after.map_or(left, |other| other.min(left)));
                continue;
            }
            let verified = self.hasher.verify(presented, key.hash());
            self.failures.end(key.row(), !verified);
            if verified {
                self.verified.remember(fingerprint, key.row(), key.hash());
                return found(key);
            }
        }
        match retry_after {
            Some(left) => Err(KeyRefused::TooManyAttempts {
                // Whole seconds, rounded up: never an invitation to retry early.
                retry_after_seconds: left.as_secs() + u64::from(left.subsec_nanos() > 0),
            }),
            None => Err(KeyRefused::Invalid),
        }
    }
}
