//! A budget of wrong secrets per stored key: prefixes are not secret (every
//! member of a project sees them), so anyone can make the service run PBKDF2
//! against a real key's hash by sending a wrong secret under its prefix.
//! Beyond the budget, such attempts are refused without hashing until the
//! window ends.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::room::make_room;

/// The wrong secrets seen for one key in its current window.
#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
    /// Verifications under way: each may yet be a failure, so each counts
    /// against the budget until it ends.
    attempting: u32,
}

/// Failures counted per key in fixed windows. Memory: at most `capacity`
/// keys, each a few bytes; only keys that exist (found by their prefix) are
/// ever counted, so a flood of invented prefixes adds nothing.
#[derive(Debug)]
pub(crate) struct FailureBudget {
    windows: Mutex<HashMap<Uuid, Window>>,
    allowed: u32,
    window: Duration,
    capacity: usize,
}

impl FailureBudget {
    /// `allowed` wrong secrets per key per `window`; `0` allowed turns the
    /// budget off (every attempt is hashed).
    pub(crate) fn new(allowed: u32, window: Duration, capacity: usize) -> Self {
        Self {
            windows: Mutex::new(HashMap::new()),
            allowed,
            window,
            capacity: capacity.max(1),
        }
    }

    /// How long until `key` may be tried again, when its budget is spent.
    pub(crate) fn spent(&self, key: Uuid) -> Option<Duration> {
        if self.allowed == 0 {
            return None;
        }
        let windows = self.windows.lock().ok()?;
        let window = windows.get(&key)?;
        let left = self.window.checked_sub(window.started.elapsed())?;
        (window.failures + window.attempting >= self.allowed).then_some(left)
    }

    /// Takes one attempt at `key` out of its budget before hashing, so that
    /// concurrent attempts cannot overrun it; `Err` with the time left when
    /// it is spent. Every `Ok` is followed by [`FailureBudget::end`].
    pub(crate) fn begin(&self, key: Uuid) -> Result<(), Duration> {
        if self.allowed == 0 {
            return Ok(());
        }
        let Ok(mut windows) = self.windows.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        let length = self.window;
        make_room(
            &mut windows,
            &key,
            self.capacity,
            |w| w.attempting > 0 || now.duration_since(w.started) < length,
            |w| w.started,
        );
        let window = windows.entry(key).or_insert(Window {
            started: now,
            failures: 0,
            attempting: 0,
        });
        if now.duration_since(window.started) >= self.window {
            window.started = now;
            window.failures = 0;
        }
        if window.failures + window.attempting >= self.allowed {
            return Err(self
                .window
                .saturating_sub(now.duration_since(window.started)));
        }
        window.attempting += 1;
        Ok(())
    }

    /// Ends an attempt begun with [`FailureBudget::begin`]: a wrong secret
    /// counts as a failure, a right one gives its place back.
    pub(crate) fn end(&self, key: Uuid, failed: bool) {
        if self.allowed == 0 {
            return;
        }
        let Ok(mut windows) = self.windows.lock() else {
            return;
        };
        if let Some(window) = windows.get_mut(&key) {
            window.attempting = window.attempting.saturating_sub(1);
            if failed {
                window.failures = window.failures.saturating_add(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn charge(budget: &FailureBudget, key: Uuid) {
        if budget.begin(key).is_ok() {
            budget.end(key, true);
        }
    }

    #[test]
    fn attempts_under_way_count_against_the_budget_and_a_success_gives_its_place_back() {
        let budget = FailureBudget::new(2, Duration::from_secs(60), 10);
        assert!(budget.begin(key(1)).is_ok());
        assert!(budget.begin(key(1)).is_ok());

        assert!(
            budget.begin(key(1)).is_err(),
            "two under way fill a budget of two"
        );
        budget.end(key(1), false);
        assert!(
            budget.begin(key(1)).is_ok(),
            "a right secret gave its place back"
        );
    }

    #[test]
    fn a_key_is_spent_after_its_allowed_failures_until_the_window_ends() {
        let budget = FailureBudget::new(2, Duration::from_millis(80), 10);
        charge(&budget, key(1));
        assert_eq!(budget.spent(key(1)), None);
        charge(&budget, key(1));

        let left = budget.spent(key(1)).expect("spent");
        assert!(left <= Duration::from_millis(80), "{left:?}");
        assert_eq!(budget.spent(key(2)), None, "another key keeps its budget");
        std::thread::sleep(Duration::from_millis(90));
        assert_eq!(budget.spent(key(1)), None, "a new window");
    }

    #[test]
    fn a_budget_of_zero_counts_nothing() {
        let budget = FailureBudget::new(0, Duration::from_secs(60), 10);
        for _ in 0..100 {
            charge(&budget, key(1));
        }
        assert_eq!(budget.spent(key(1)), None);
    }

    #[test]
    fn memory_stays_within_the_capacity() {
        let budget = FailureBudget::new(1, Duration::from_secs(60), 3);
        for n in 0..50 {
            charge(&budget, key(n));
        }
        assert_eq!(budget.windows.lock().map(|w| w.len()).unwrap_or(0), 3);
        assert!(budget.spent(key(49)).is_some(), "the newest is kept");
    }
}
