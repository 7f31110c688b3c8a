//! Letting an in-process cluster's pending work happen now: the simulated cluster schedules
//! image pulls, probe delays and graceful deletions on its clock; waiting for them in real
//! time would make every grade take seconds, so the backend moves the clock to the next
//! wakeup instead. A real cluster has no such control: the backend polls.

use jiff::Timestamp;
use kubedrill_apiserver::OffsetClock;
use kubedrill_sim::ManualClock;

/// A clock the backend may move forward.
pub trait TimeControl: Send + Sync {
    /// Move to `to` (never backwards).
    fn advance_to(&self, to: Timestamp);
}

impl TimeControl for OffsetClock {
    fn advance_to(&self, to: Timestamp) {
        OffsetClock::advance_to(self, to);
    }
}

impl TimeControl for ManualClock {
    fn advance_to(&self, to: Timestamp) {
        if to > kubedrill_sim::Clock::now(self) {
            self.set(to);
        }
    }
}
