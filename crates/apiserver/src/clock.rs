//! The wall clock a served cluster runs on (the sim itself never reads the OS clock).

use jiff::Timestamp;
use kubedrill_sim::Clock;

/// `Clock` over the system time.
#[derive(Debug, Clone, Copy, Default)]
pub struct WallClock;

impl Clock for WallClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}
