//! One verification per presented key at a time: when an agent opens many
//! sessions at once with a key not verified lately, the first call hashes
//! and the others wait for its answer, rather than each queueing for a
//! PBKDF2 turn (a burst of a hundred would otherwise overflow the bounded
//! queue and answer 503).

use std::collections::HashSet;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Fingerprints of the keys being verified now.
#[derive(Debug, Default)]
pub(crate) struct Flights {
    running: Mutex<HashSet<[u8; 32]>>,
    landed: Condvar,
}

/// What a caller does next.
#[derive(Debug)]
pub(crate) enum Turn<'a> {
    /// Nobody was verifying this key: the caller does, holding the flight.
    Lead(Flight<'a>),
    /// Another caller's verification of this key ended: look at its result
    /// (the cache of verified keys) before leading one.
    Landed,
}

/// A verification in progress; it lands when dropped.
#[derive(Debug)]
pub(crate) struct Flight<'a> {
    flights: &'a Flights,
    fingerprint: [u8; 32],
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        if let Ok(mut running) = self.flights.running.lock() {
            running.remove(&self.fingerprint);
        }
        self.flights.landed.notify_all();
    }
}

impl Flights {
    /// Leads the verification of `fingerprint`, or waits until the one in
    /// progress lands; `None` when it has not landed within `patience`.
    pub(crate) fn board(&self, fingerprint: [u8; 32], patience: Duration) -> Option<Turn<'_>> {
        let deadline = Instant::now() + patience;
        let mut running = self.running.lock().ok()?;
        if running.insert(fingerprint) {
            return Some(Turn::Lead(Flight {
                flights: self,
                fingerprint,
            }));
        }
        while running.contains(&fingerprint) {
            let left = deadline.checked_duration_since(Instant::now())?;
            running = self.landed.wait_timeout(running, left).ok()?.0;
        }
        Some(Turn::Landed)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn the_first_leads_the_others_wait_for_it_to_land() {
        use std::sync::atomic::{AtomicBool, Ordering};

        let flights = Arc::new(Flights::default());
        let landing = Arc::new(AtomicBool::new(false));
        let lead = flights.board([1; 32], Duration::ZERO);
        assert!(matches!(lead, Some(Turn::Lead(_))));
        assert!(
            matches!(flights.board([2; 32], Duration::ZERO), Some(Turn::Lead(_))),
            "another key flies apart"
        );
        let follower = {
            let (flights, landing) = (flights.clone(), landing.clone());
            std::thread::spawn(move || {
                let turn = flights.board([1; 32], Duration::from_secs(10)).is_some();
                // Whenever it boarded, it got its turn only once the lead landed.
                turn && landing.load(Ordering::SeqCst)
            })
        };

        std::thread::sleep(Duration::from_millis(50));
        landing.store(true, Ordering::SeqCst);
        drop(lead);
        assert!(follower.join().expect("the follower"));
    }

    #[test]
    fn a_follower_gives_up_at_its_patience() {
        let flights = Flights::default();
        let _lead = flights.board([1; 32], Duration::ZERO);

        assert!(flights.board([1; 32], Duration::from_millis(20)).is_none());
    }
}
