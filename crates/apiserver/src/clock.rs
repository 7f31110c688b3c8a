//! The clocks a served cluster runs on (the sim itself never reads the OS clock): the wall
//! clock, and the wall clock plus an offset that only moves forward, so the grader can let a
//! drill's pending work (image pulls, probe delays) happen now instead of in a few seconds.

use jiff::{SignedDuration, Timestamp};
use kubedrill_sim::Clock;
use std::sync::atomic::{AtomicI64, Ordering};

/// `Clock` over the system time.
#[derive(Debug, Clone, Copy, Default)]
pub struct WallClock;

impl Clock for WallClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The system time plus a forward-only offset. Skipping ahead is what a fast kubelet looks
/// like from outside: ages read a little older, and nothing ever goes backwards.
#[derive(Debug, Default)]
pub struct OffsetClock {
    offset_ns: AtomicI64,
}

impl OffsetClock {
    pub fn new() -> Self {
        OffsetClock::default()
    }

    /// Move the clock forward to `to`; a time already past is ignored.
    pub fn advance_to(&self, to: Timestamp) {
        let behind = to.duration_since(self.now());
        if behind > SignedDuration::ZERO {
            let ns = i64::try_from(behind.as_nanos()).unwrap_or(i64::MAX);
            self.offset_ns.fetch_add(ns, Ordering::SeqCst);
        }
    }

    /// How far ahead of the system time the clock runs.
    pub fn offset(&self) -> SignedDuration {
        SignedDuration::from_nanos(self.offset_ns.load(Ordering::SeqCst))
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
            .checked_add(self.offset())
            .unwrap_or(Timestamp::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_clock_only_moves_forward() {
        let c = OffsetClock::new();
        let later = Timestamp::now() + SignedDuration::from_secs(30);
        c.advance_to(later);
        assert!(c.now() >= later);
        let off = c.offset();
        c.advance_to(Timestamp::now() - SignedDuration::from_secs(60));
        assert_eq!(c.offset(), off, "a past time leaves the clock alone");
    }
}
