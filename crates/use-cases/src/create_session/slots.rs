//! A bound on concurrent key verifications: PBKDF2 takes a core for a
//! quarter of a second, so a flood of wrong keys must not take them all.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// A counting semaphore whose waiters give up after a while.
#[derive(Debug)]
pub(crate) struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

/// A taken slot, given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot<'a>(&'a Slots);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Ok(mut free) = self.0.free.lock() {
            *free += 1;
            self.0.freed.notify_one();
        }
    }
}

impl Slots {
    pub(crate) fn new(count: usize) -> Self {
        Self {
            free: Mutex::new(count.max(1)),
            freed: Condvar::new(),
        }
    }

    /// A slot, waiting at most `patience` for one; `None` past it.
    pub(crate) fn take(&self, patience: Duration) -> Option<Slot<'_>> {
        let deadline = Instant::now() + patience;
        let mut free = self.free.lock().ok()?;
        while *free == 0 {
            let left = deadline.checked_duration_since(Instant::now())?;
            let (guard, _) = self.freed.wait_timeout(free, left).ok()?;
            free = guard;
        }
        *free -= 1;
        Some(Slot(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beyond_the_bound_a_taker_waits_then_gives_up_and_a_freed_slot_is_taken_again() {
        let slots = Slots::new(1);
        let first = slots.take(Duration::ZERO).expect("a free slot");

        assert!(slots.take(Duration::from_millis(20)).is_none());
        drop(first);
        assert!(slots.take(Duration::ZERO).is_some());
    }
}
