//! One served cluster: the `Sim` behind a std `Mutex` (never held across an `.await`), the
//! "store changed" signal watches wait on, the audit log, the bearer token, the intents of
//! server-side apply, and the background task that does the sim's time-driven work.

use jiff::Timestamp;
use kubedrill_sim::{Kind, Sim};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::watch;

use crate::audit::{AuditEntry, AuditLog};

/// (kind, namespace, name, field manager) → the last intent that manager applied.
pub(crate) type Intents = HashMap<(Kind, String, String, String), Value>;

/// A simulated cluster as the API server serves it.
pub struct Cluster {
    name: String,
    sim: Mutex<Sim>,
    changed: watch::Sender<u64>,
    audit: Mutex<AuditLog>,
    token: Option<String>,
    pub(crate) intents: Mutex<Intents>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster").field("name", &self.name).finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A handler that panicked mid-request leaves the sim as consistent as its last settle.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Cluster {
    /// A cluster that answers without authentication (in-process clients, tests).
    pub fn new(name: impl Into<String>, sim: Sim) -> Arc<Cluster> {
        Self::build(name.into(), sim, None)
    }

    /// A cluster that requires `Authorization: Bearer <token>`.
    pub fn with_token(name: impl Into<String>, sim: Sim, token: impl Into<String>) -> Arc<Cluster> {
        Self::build(name.into(), sim, Some(token.into()))
    }

    fn build(name: String, sim: Sim, token: Option<String>) -> Arc<Cluster> {
        let (changed, _) = watch::channel(sim.resource_version());
        Arc::new(Cluster {
            name,
            sim: Mutex::new(sim),
            changed,
            audit: Mutex::new(AuditLog::default()),
            token,
            intents: Mutex::new(HashMap::new()),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Read the cluster.
    pub fn read<R>(&self, f: impl FnOnce(&Sim) -> R) -> R {
        f(&lock(&self.sim))
    }

    /// Change the cluster; watchers are woken afterwards.
    pub fn write<R>(&self, f: impl FnOnce(&mut Sim) -> R) -> R {
        let (out, rv) = {
            let mut sim = lock(&self.sim);
            let out = f(&mut sim);
            (out, sim.resource_version())
        };
        self.changed.send_replace(rv);
        out
    }

    /// Swap in another simulated cluster (a drill started again from its seed): the same
    /// listener, token and audit log serve it from now on; server-side apply's intents belong
    /// to the old objects and go.
    pub fn replace(&self, sim: Sim) {
        let rv = {
            let mut s = lock(&self.sim);
            *s = sim;
            s.resource_version()
        };
        lock(&self.intents).clear();
        self.changed.send_replace(rv);
    }

    /// The sequence number the next audit entry will get: "what the learner did since".
    pub fn audit_next_seq(&self) -> u64 {
        lock(&self.audit).next_seq()
    }

    /// A receiver that changes after every write.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Every audit entry with `seq >= since`.
    pub fn audit_since(&self, since: u64) -> Vec<AuditEntry> {
        lock(&self.audit).since(since)
    }

    /// The whole audit log, oldest first.
    pub fn audit(&self) -> Vec<AuditEntry> {
        self.audit_since(0)
    }

    pub(crate) fn record(&self, e: AuditEntry) {
        lock(&self.audit).record(e);
    }

    /// Run the sim's time-driven work (graceful deletions, probe delays) when it falls due.
    /// Needs a sim on a clock that moves by itself (`WallClock`).
    pub fn spawn_ticker(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let me = Arc::downgrade(self);
        let mut changed = self.subscribe();
        tokio::spawn(async move {
            loop {
                let Some(c) = me.upgrade() else { return };
                let wait = c.read(|s| {
                    s.next_wakeup()
                        .map(|t| duration_until(s.now(), t))
                        .unwrap_or(Duration::from_secs(60))
                });
                drop(c);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    // A write may have scheduled something sooner.
                    r = changed.changed() => if r.is_err() { return },
                }
                let Some(c) = me.upgrade() else { return };
                let due = c.read(|s| s.next_wakeup().is_some_and(|t| t <= s.now()));
                if due {
                    // A failed settle is the sim's to report on the next request; keep ticking.
                    let _ = c.write(Sim::tick);
                    changed.mark_unchanged();
                }
            }
        })
    }
}

fn duration_until(now: Timestamp, then: Timestamp) -> Duration {
    let d = then.duration_since(now);
    // A few ms late rather than early, so the wakeup is due when we look.
    Duration::try_from(d).unwrap_or(Duration::ZERO) + Duration::from_millis(5)
}
