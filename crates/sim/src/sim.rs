//! `Sim`: one simulated cluster and its public API — create, update, patch, delete, get, list,
//! watch — each write going admission → store → controllers settled to a fixed point.
//!
//! The write pipeline itself (metadata stamping, conflicts, no-op detection, graceful deletion)
//! lives in `write.rs`; this file is the surface the API server and tests call.

use jiff::Timestamp;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

use crate::alloc::Allocators;
use crate::clock::{Clock, ManualClock};
use crate::config::ClusterConfig;
use crate::controllers::Queues;
use crate::error::ApiError;
use crate::kinds::Kind;
use crate::patch::PatchType;
use crate::rand::Rng;
use crate::selector::{FieldSelector, LabelSelector};
use crate::store::{ObjKey, Store, WatchEvent};

/// Options of a list or watch.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    pub label_selector: LabelSelector,
    pub field_selector: FieldSelector,
}

impl ListOptions {
    /// Parse the `labelSelector` / `fieldSelector` query values.
    pub fn parse(label: Option<&str>, field: Option<&str>) -> Result<Self, ApiError> {
        Ok(ListOptions {
            label_selector: label
                .map(LabelSelector::parse)
                .transpose()?
                .unwrap_or_default(),
            field_selector: field
                .map(FieldSelector::parse)
                .transpose()?
                .unwrap_or_default(),
        })
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.label_selector.matches_object(obj) && self.field_selector.matches(obj)
    }
}

/// `propagationPolicy` of a delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagation {
    #[default]
    Background,
    Foreground,
    Orphan,
}

/// Options of a delete.
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    /// `gracePeriodSeconds`; `None` uses the object's own (pods: terminationGracePeriodSeconds).
    pub grace_period_seconds: Option<i64>,
    pub propagation: Option<Propagation>,
    /// `preconditions.uid` / `preconditions.resourceVersion`.
    pub precondition_uid: Option<String>,
    pub precondition_rv: Option<String>,
}

/// A list result: the items and the resourceVersion the list is consistent at.
#[derive(Debug, Clone)]
pub struct ObjectList {
    pub items: Vec<Arc<Value>>,
    pub resource_version: u64,
}

/// Whether a write targets the main resource or its `/status` subresource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subresource {
    Main,
    Status,
}

/// A simulated cluster.
#[derive(Clone)]
pub struct Sim {
    pub(crate) store: Store,
    pub(crate) config: ClusterConfig,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: Rng,
    pub(crate) alloc: Allocators,
    pub(crate) queues: Queues,
    /// Time-driven work: (when, controller queue, object).
    pub(crate) wakeups: BTreeSet<(Timestamp, crate::controllers::Ctl, ObjKey)>,
    /// involved uid → (reason, message, Event name), so repeats bump `count` (lookups only).
    pub(crate) event_index: crate::controllers::events::EventIndex,
    /// What containers printed (not objects: no resourceVersion, not in the dump).
    pub(crate) logs: crate::logs::Logs,
    /// The network model's indexes, kube-proxy's spread and ClientIP affinity.
    pub(crate) net: crate::net::state::NetState,
    /// (pod uid, container) → exit code of a main process ended from outside (an attached
    /// shell's `exit`): the kubelet terminates that container.
    pub(crate) ended: std::collections::HashMap<(String, String), i64>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("resource_version", &self.store.resource_version())
            .field("objects", &self.store.all().count())
            .finish()
    }
}

impl Sim {
    /// A new cluster: nodes, system namespaces, the `kubernetes` and `kube-dns` Services and
    /// the CoreDNS pods, settled.
    pub fn new(config: ClusterConfig, clock: Arc<dyn Clock>) -> Result<Sim, ApiError> {
        let mut sim = Sim {
            store: Store::new(config.watch_window),
            rng: Rng::new(config.seed),
            alloc: Allocators::new(&config),
            queues: Queues::default(),
            wakeups: BTreeSet::new(),
            event_index: Default::default(),
            logs: Default::default(),
            net: crate::net::state::NetState::new(config.seed),
            ended: Default::default(),
            config,
            clock,
        };
        crate::bootstrap::bootstrap(&mut sim)?;
        Ok(sim)
    }

    /// The default cluster on a manual clock at 2026-01-01T00:00:00Z, with the clock handle.
    pub fn default_with_clock() -> Result<(Sim, ManualClock), ApiError> {
        let clock = ManualClock::at_epoch();
        let sim = Sim::new(ClusterConfig::default(), Arc::new(clock.clone()))?;
        Ok((sim, clock))
    }

    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn resource_version(&self) -> u64 {
        self.store.resource_version()
    }

    /// Read-only access for the layers above (snapshots, the network model).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Create an object. A namespaced object without `metadata.namespace` goes to `default`.
    pub fn create(&mut self, obj: Value) -> Result<Arc<Value>, ApiError> {
        let out = self.create_unsettled(obj)?;
        self.settle()?;
        Ok(self.refreshed(out))
    }

    /// Replace an object (PUT). A `metadata.resourceVersion` that is not current is a 409.
    pub fn update(&mut self, obj: Value) -> Result<Arc<Value>, ApiError> {
        let out = self.update_unsettled(obj, Subresource::Main)?;
        self.settle()?;
        Ok(self.refreshed(out))
    }

    /// Replace an object's status (PUT `/status`).
    pub fn update_status(&mut self, obj: Value) -> Result<Arc<Value>, ApiError> {
        let out = self.update_unsettled(obj, Subresource::Status)?;
        self.settle()?;
        Ok(self.refreshed(out))
    }

    /// Patch an object (or its status) with one of the four patch types.
    pub fn patch(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        patch_type: PatchType,
        body: &Value,
        sub: Subresource,
    ) -> Result<Arc<Value>, ApiError> {
        let out = self.patch_unsettled(kind, namespace, name, patch_type, body, sub)?;
        self.settle()?;
        Ok(self.refreshed(out))
    }

    /// Delete an object. Pods and namespaces go gracefully: the returned object carries a
    /// `deletionTimestamp` and disappears (with a DELETED event) once the kubelet or the
    /// namespace controller is done.
    pub fn delete(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Arc<Value>, ApiError> {
        let out = self.delete_unsettled(&ObjKey::new(kind, namespace, name), opts)?;
        self.settle()?;
        Ok(out)
    }

    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Result<Arc<Value>, ApiError> {
        self.store
            .get_by(kind, namespace, name)
            .cloned()
            .ok_or_else(|| ApiError::NotFound {
                kind,
                name: name.to_string(),
            })
    }

    /// List objects of a kind, in one namespace or all, filtered by the selectors.
    pub fn list(
        &self,
        kind: Kind,
        namespace: Option<&str>,
        opts: &ListOptions,
    ) -> Result<ObjectList, ApiError> {
        opts.field_selector.check_supported(kind)?;
        let items = self
            .store
            .list(kind, namespace)
            .filter(|o| opts.matches(o))
            .cloned()
            .collect();
        Ok(ObjectList {
            items,
            resource_version: self.store.resource_version(),
        })
    }

    /// Watch events of a kind after `since` (exclusive), filtered like a list. An event whose
    /// object stops matching the selectors is still delivered (as a real watch delivers the
    /// transition); callers that need exact transition semantics compare old and new.
    pub fn watch_since(
        &self,
        kind: Kind,
        namespace: Option<&str>,
        since: u64,
        opts: &ListOptions,
    ) -> Result<Vec<WatchEvent>, ApiError> {
        opts.field_selector.check_supported(kind)?;
        Ok(self
            .store
            .events_since(since)?
            .filter(|e| e.kind == kind)
            .filter(|e| namespace.is_none_or(|ns| crate::meta::namespace(&e.object) == ns))
            .filter(|e| opts.matches(&e.object))
            .cloned()
            .collect())
    }

    /// Do the work that was waiting for time to pass (graceful deletions, probe delays).
    pub fn tick(&mut self) -> Result<(), ApiError> {
        let now = self.now();
        while let Some(first) = self.wakeups.first().cloned() {
            if first.0 > now {
                break;
            }
            self.wakeups.remove(&first);
            self.queues.push(first.1, first.2);
        }
        self.settle()
    }

    /// When `tick` next has something to do.
    pub fn next_wakeup(&self) -> Option<Timestamp> {
        self.wakeups.first().map(|w| w.0)
    }

    /// Create every document of a multi-document YAML manifest, in order.
    pub fn apply_yaml(&mut self, yaml: &str) -> Result<Vec<Arc<Value>>, ApiError> {
        self.create_all(crate::yaml::parse_documents(yaml)?)
    }

    /// Create objects in order and settle once at the end (seeding a scenario in one step).
    /// Stops at the first refusal; what was created before it stays, as with `kubectl apply -f`.
    pub fn create_all(&mut self, objs: Vec<Value>) -> Result<Vec<Arc<Value>>, ApiError> {
        let mut out = Vec::with_capacity(objs.len());
        let mut failed = None;
        for d in objs {
            match self.create_unsettled(d) {
                Ok(o) => out.push(o),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        self.settle()?;
        if let Some(e) = failed {
            return Err(e);
        }
        Ok(out.into_iter().map(|o| self.refreshed(o)).collect())
    }

    /// Every object as one JSON document per line, sorted: equal dumps mean equal clusters.
    pub fn dump(&self) -> String {
        let mut s = String::new();
        for (_, obj) in self.store.all() {
            s.push_str(&obj.to_string());
            s.push('\n');
        }
        s
    }

    /// The latest stored version of an object a write returned (controllers may have changed
    /// it while settling, e.g. a Service's status or a Pod's phase).
    fn refreshed(&self, obj: Arc<Value>) -> Arc<Value> {
        let key = self.key_of(&obj);
        match key.and_then(|k| self.store.get(&k)) {
            Some(cur) => cur.clone(),
            None => obj,
        }
    }

    fn key_of(&self, obj: &Value) -> Option<ObjKey> {
        let kind = crate::write::kind_of(obj).ok()?;
        Some(ObjKey::of(kind, obj))
    }

    /// Run the controllers to a fixed point.
    pub(crate) fn settle(&mut self) -> Result<(), ApiError> {
        crate::controllers::settle(self)
    }

    #[allow(dead_code)] // the kubelet's probe delays and graceful deletions call it
    pub(crate) fn wake_at(&mut self, at: Timestamp, ctl: crate::controllers::Ctl, key: ObjKey) {
        self.wakeups.insert((at, ctl, key));
    }
}
