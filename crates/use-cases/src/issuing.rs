//! Issuing a new key within its own budget: one PBKDF2 at 720,000 rounds
//! (about a tenth of a second of a core) per key, run on the caller's
//! (blocking) thread, at most `concurrent` at once, a bounded number of
//! callers waiting a bounded time, as the verification budget of session
//! creation bounds PBKDF2. A budget of its own: an admin issuing keys never
//! takes a turn from agents opening sessions, nor the reverse.

use std::time::Duration;

use otas_domain::StoreFailure;
use otas_ports::{IssuedKey, KeyIssuer, KeyKind};

use crate::admission::Admission;

/// How key issuing is bounded.
#[derive(Debug, Clone, Copy)]
pub struct IssuingBudget {
    /// The most keys hashed at once.
    pub concurrent: usize,
    /// The most callers waiting for a turn; beyond them, busy at once.
    pub waiting: usize,
    /// How long a caller waits for its turn before it is told busy (503).
    pub patience: Duration,
}

/// The budget, shared by every operation that issues keys (clones share it).
#[derive(Debug, Clone)]
pub struct IssuingTurns {
    turns: Admission,
    patience: Duration,
}

/// Why no key was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotIssued {
    /// No turn within the patience.
    Busy,
    /// The issuer failed (its randomness); logged here.
    Failed(StoreFailure),
}

impl IssuingTurns {
    /// A budget as `budget` says.
    pub fn new(budget: IssuingBudget) -> Self {
        Self {
            turns: Admission::new(budget.concurrent).queueing(budget.waiting),
            patience: budget.patience,
        }
    }

    /// A new key of `kind`, issued within the budget. Cost: one PBKDF2 at
    /// 720,000 rounds, after a wait of at most the patience.
    pub(crate) fn issue(
        &self,
        issuer: &dyn KeyIssuer,
        kind: KeyKind,
    ) -> Result<IssuedKey, NotIssued> {
        let _turn = self
            .turns
            .take_within(self.patience)
            .ok_or(NotIssued::Busy)?;
        issuer.issue(kind).map_err(|error| {
            // The error holds no key material (the port's promise).
            tracing::error!(%error, "no key issued");
            NotIssued::Failed(StoreFailure::Internal)
        })
    }

    /// The turns themselves, for tests that take them all.
    #[cfg(test)]
    pub(crate) fn turns_for_test(&self) -> &Admission {
        &self.turns
    }
}
