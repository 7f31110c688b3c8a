//! Time as the simulator sees it: a `Clock` passed in by the caller, never read from the OS here.

use jiff::{SignedDuration, Timestamp};
use std::sync::{Arc, Mutex};

/// The source of "now" for timestamps, probe delays and graceful deletion.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// A clock that only moves when told to: tests and deterministic replays use it.
/// Clones share the same time, so a test can keep a handle and advance the sim's clock.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<Timestamp>>);

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        ManualClock(Arc::new(Mutex::new(start)))
    }

    /// 2026-01-01T00:00:00Z, the default start of a simulated cluster's history.
    pub fn at_epoch() -> Self {
        Self::new(Timestamp::from_second(1_767_225_600).unwrap_or(Timestamp::UNIX_EPOCH))
    }

    pub fn advance(&self, by: SignedDuration) {
        if let Ok(mut t) = self.0.lock() {
            *t = t.checked_add(by).unwrap_or(*t);
        }
    }

    pub fn set(&self, to: Timestamp) {
        if let Ok(mut t) = self.0.lock() {
            *t = to;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.0.lock().map(|t| *t).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// RFC 3339 with second precision and `Z`, as `metav1.Time` marshals.
pub fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parse a `metav1.Time` string.
pub fn parse_time(s: &str) -> Option<Timestamp> {
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced_and_clones_share_it() {
        let c = ManualClock::at_epoch();
        let handle = c.clone();
        let t0 = c.now();
        assert_eq!(c.now(), t0);
        handle.advance(SignedDuration::from_secs(5));
        assert_eq!(rfc3339(c.now()), "2026-01-01T00:00:05Z");
    }
}
