//! The system clock, for the use cases.

use std::time::{SystemTime, UNIX_EPOCH};

use otas_domain::Timestamp;
use otas_ports::Clock;

/// Now, from the system clock, to the microsecond.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let micros = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
        Timestamp::from_micros(micros).unwrap_or_else(|| {
            Timestamp::from_micros(0).unwrap_or_else(|| unreachable!("the epoch is a time"))
        })
    }
}
