//! A bound on work in flight: take a share of it, give it back when the
//! share is dropped; when the bound is full, refuse at once, or wait a
//! bounded time among a bounded number of waiters.
//!
//! One type serves every bound of the service: requests at the stores,
//! whole lists being streamed and response bytes held until written (in
//! `otas-http`), and the verification budget of PBKDF2 ([`CreateSession`]).
//! It lives here, not in `otas-http`, because the use cases need it and
//! never depend on the web layer; not in the domain, because it is
//! concurrency state (a lock, a condition variable) rather than a rule about
//! sessions. It knows no HTTP status and no metrics crate: callers turn a
//! refusal into their own error and may give a gauge to report to.
//!
//! [`CreateSession`]: crate::CreateSession

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// A gauge the held amount is reported to: called with `+weight` when a
/// share is taken and `-weight` when it is given back.
pub type Gauge = fn(isize);

/// A bound on work in flight. Cloning it shares the bound.
#[derive(Debug, Clone)]
pub struct Admission {
    shared: Arc<Shared>,
}

/// A share of an [`Admission`]'s bound, given back when dropped (also when
/// the work holding it panics). Owned and `Send`, so that it can move into
/// the work it admitted and end with it.
#[derive(Debug)]
#[must_use = "the share is given back as soon as it is dropped"]
pub struct Admitted {
    shared: Arc<Shared>,
    weight: usize,
}

/// What every clone of an admission and every share of it points to.
#[derive(Debug)]
struct Shared {
    limits: Limits,
    state: Mutex<State>,
    freed: Condvar,
}

/// What an admission is built with.
#[derive(Debug, Clone, Copy)]
struct Limits {
    bound: usize,
    max_waiting: usize,
    gauge: Option<Gauge>,
}

/// What is held now, and how many callers wait for room.
#[derive(Debug, Default)]
struct State {
    held: usize,
    waiting: usize,
}

impl Admission {
    /// A bound of `bound` (at least one: a bound of none would refuse
    /// everything), with no waiters: a full bound refuses at once.
    pub fn new(bound: usize) -> Self {
        Self::with(Limits {
            bound: bound.max(1),
            max_waiting: 0,
            gauge: None,
        })
    }

    /// This bound, letting at most `max_waiting` callers of
    /// [`take_within`](Self::take_within) wait for room; beyond them a
    /// caller is refused at once rather than holding its own place while it
    /// waits. Meant for building: the result starts with nothing held.
    pub fn queueing(self, max_waiting: usize) -> Self {
        Self::with(Limits {
            max_waiting,
            ..self.shared.limits
        })
    }

    /// This bound, reporting what it holds to `gauge`. Meant for building:
    /// the result starts with nothing held.
    pub fn reporting(self, gauge: Gauge) -> Self {
        Self::with(Limits {
            gauge: Some(gauge),
            ..self.shared.limits
        })
    }

    fn with(limits: Limits) -> Self {
        Self {
            shared: Arc::new(Shared {
                limits,
                state: Mutex::default(),
                freed: Condvar::new(),
            }),
        }
    }

    /// A share of one, or `None` at once when the bound is full.
    pub fn try_take(&self) -> Option<Admitted> {
        self.try_take_weighted(1)
    }

    /// A share of `weight` (bytes, say), or `None` at once when it would
    /// pass the bound; a refused share holds nothing.
    pub fn try_take_weighted(&self, weight: usize) -> Option<Admitted> {
        let mut state = self.shared.lock();
        if state.held.saturating_add(weight) > self.shared.limits.bound {
            return None;
        }
        Some(self.shared.admit(&mut state, weight))
    }

    /// A share of `weight` counted even past the bound: for work already
    /// under way that can no longer be refused (the later batches of a list
    /// answering `200`). It keeps new work out until it is given back.
    pub fn take_anyway(&self, weight: usize) -> Admitted {
        let mut state = self.shared.lock();
        self.shared.admit(&mut state, weight)
    }

    /// A share of one, waiting at most `patience` for room; `None` past it,
    /// or at once when as many callers as the bound allows already wait.
    pub fn take_within(&self, patience: Duration) -> Option<Admitted> {
        let deadline = Instant::now() + patience;
        let shared = &*self.shared;
        let mut state = shared.lock();
        if state.held >= shared.limits.bound {
            if state.waiting >= shared.limits.max_waiting {
                return None;
            }
            state.waiting += 1;
            while state.held >= shared.limits.bound {
                let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                    break;
                };
                state = shared
                    .freed
                    .wait_timeout(state, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            state.waiting -= 1;
            if state.held >= shared.limits.bound {
                return None;
            }
        }
        Some(self.shared.admit(&mut state, 1))
    }

    /// Whether a share of one would be taken now: no room means new work
    /// can be refused before it is done for nothing.
    pub fn has_room(&self) -> bool {
        self.held() < self.shared.limits.bound
    }

    /// The bound: what the shares taken may weigh together.
    pub fn bound(&self) -> usize {
        self.shared.limits.bound
    }

    /// What the shares taken and not yet given back weigh together.
    pub fn held(&self) -> usize {
        self.shared.lock().held
    }
}

impl Shared {
    /// The state. A panic while it was locked left counts that are still
    /// whole (every change is one addition or subtraction), so a poisoned
    /// lock is used as it is.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts `weight` as held, and the share that gives it back.
    fn admit(self: &Arc<Self>, state: &mut State, weight: usize) -> Admitted {
        state.held = state.held.saturating_add(weight);
        self.report(weight, 1);
        Admitted {
            shared: self.clone(),
            weight,
        }
    }

    fn report(&self, weight: usize, sign: isize) {
        if let Some(gauge) = self.limits.gauge {
            gauge(sign.saturating_mul(isize::try_from(weight).unwrap_or(isize::MAX)));
        }
    }
}

impl Admitted {
    /// What this share weighs.
    pub fn weight(&self) -> usize {
        self.weight
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.held = state.held.saturating_sub(self.weight);
        let waiting = state.waiting > 0;
        drop(state);
        self.shared.report(self.weight, -1);
        if waiting {
            // Every waiter looks: a share of more than one may make room
            // for more than one.
            self.shared.freed.notify_all();
        }
    }
}

#[cfg(test)]
mod tests;
