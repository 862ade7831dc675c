//! A bound on concurrent key verifications: PBKDF2 takes a core for about a
//! tenth of a second, so a flood of wrong keys must not take them all. The
//! budget is the verifications' own, apart from the admission of requests:
//! its waiters are bounded too, and beyond them a call fails at once rather
//! than holding a request's place while it waits.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Free slots and callers waiting for one.
#[derive(Debug)]
struct State {
    free: usize,
    waiting: usize,
}

/// A counting semaphore with a bounded queue whose waiters give up after a while.
#[derive(Debug)]
pub(crate) struct Slots {
    state: Mutex<State>,
    freed: Condvar,
    max_waiting: usize,
}

/// A taken slot, given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot<'a>(&'a Slots);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Ok(mut state) = self.0.state.lock() {
            state.free += 1;
            self.0.freed.notify_one();
        }
    }
}

impl Slots {
    /// `count` slots (at least one); at most `max_waiting` callers wait.
    pub(crate) fn new(count: usize, max_waiting: usize) -> Self {
        Self {
            state: Mutex::new(State {
                free: count.max(1),
                waiting: 0,
            }),
            freed: Condvar::new(),
            max_waiting,
        }
    }

    /// A slot, waiting at most `patience` for one; `None` past it, or at
    /// once when `max_waiting` callers already wait.
    pub(crate) fn take(&self, patience: Duration) -> Option<Slot<'_>> {
        let deadline = Instant::now() + patience;
        let mut state = self.state.lock().ok()?;
        if state.free == 0 {
            if state.waiting >= self.max_waiting {
                return None;
            }
            state.waiting += 1;
            while state.free == 0 {
                let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                    break;
                };
                state = match self.freed.wait_timeout(state, left) {
                    Ok((guard, _)) => guard,
                    Err(_) => return None,
                };
            }
            state.waiting -= 1;
            if state.free == 0 {
                return None;
            }
        }
        state.free -= 1;
        Some(Slot(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beyond_the_bound_a_taker_waits_then_gives_up_and_a_freed_slot_is_taken_again() {
        let slots = Slots::new(1, 4);
        let first = slots.take(Duration::ZERO).expect("a free slot");

        assert!(slots.take(Duration::from_millis(20)).is_none());
        drop(first);
        assert!(slots.take(Duration::ZERO).is_some());
    }

    #[test]
    fn beyond_the_bounded_queue_a_taker_fails_at_once() {
        let slots = std::sync::Arc::new(Slots::new(1, 1));
        let _held = slots.take(Duration::ZERO).expect("a free slot");
        let waiter = {
            let slots = slots.clone();
            std::thread::spawn(move || slots.take(Duration::from_millis(500)).is_some())
        };
        // The waiter is queued once it waits: wait for it.
        while slots.state.lock().map(|s| s.waiting).unwrap_or(1) == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }

        let started = Instant::now();
        assert!(slots.take(Duration::from_secs(5)).is_none());
        assert!(started.elapsed() < Duration::from_secs(1), "failed fast");
        assert!(
            !waiter.join().expect("the waiter"),
            "gave up at its patience"
        );
    }
}
