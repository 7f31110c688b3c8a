//! The object store: every object as JSON by (kind, namespace, name), one global resourceVersion
//! counter, the bounded watch log, and the change feed the controllers consume.
//!
//! The store enforces no API rules (admission does); it only keeps objects, versions and indexes
//! consistent. Iteration order is always sorted so the same writes give the same dumps.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;

/// Where an object lives. Cluster-scoped objects have an empty namespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjKey {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

impl ObjKey {
    pub fn new(kind: Kind, namespace: &str, name: &str) -> Self {
        ObjKey {
            kind,
            namespace: if kind.namespaced() {
                namespace.to_string()
            } else {
                String::new()
            },
            name: name.to_string(),
        }
    }

    pub fn of(kind: Kind, obj: &Value) -> Self {
        ObjKey::new(kind, meta::namespace(obj), meta::name(obj))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One entry of the watch log.
#[derive(Debug, Clone)]
pub struct WatchEvent {
    pub rv: u64,
    pub kind: Kind,
    pub event: EventType,
    pub object: Arc<Value>,
}

/// A write, as the controllers see it: the object before and after.
#[derive(Debug, Clone)]
pub struct Change {
    pub key: ObjKey,
    pub old: Option<Arc<Value>>,
    pub new: Option<Arc<Value>>,
}

/// Objects of one kind: namespace → name → object. Nested rather than keyed by a
/// `(String, String)` tuple so lookups borrow `&str` instead of allocating two Strings per get;
/// iteration order is still (namespace, name).
type KindMap = BTreeMap<String, BTreeMap<String, Arc<Value>>>;

#[derive(Debug, Clone)]
pub struct Store {
    objects: BTreeMap<Kind, KindMap>,
    rv: u64,
    log: VecDeque<WatchEvent>,
    window: usize,
    changes: Vec<Change>,
    /// owner uid → objects whose ownerReferences name it (for garbage collection).
    dependents: HashMap<String, BTreeSet<ObjKey>>,
    by_uid: HashMap<String, ObjKey>,
}

impl Store {
    /// A store whose watch log keeps the last `window` events.
    pub fn new(window: usize) -> Self {
        Store {
            objects: BTreeMap::new(),
            rv: 0,
            log: VecDeque::new(),
            window: window.max(1),
            changes: Vec::new(),
            dependents: HashMap::new(),
            by_uid: HashMap::new(),
        }
    }

    /// The current resourceVersion (of the last write).
    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    pub fn get(&self, key: &ObjKey) -> Option<&Arc<Value>> {
        self.objects
            .get(&key.kind)?
            .get(key.namespace.as_str())?
            .get(key.name.as_str())
    }

    pub fn get_by(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Arc<Value>> {
        // ObjKey::new's rule (cluster-scoped kinds live under ""), without building a key.
        let namespace = if kind.namespaced() { namespace } else { "" };
        self.objects.get(&kind)?.get(namespace)?.get(name)
    }

    pub fn key_of_uid(&self, uid: &str) -> Option<&ObjKey> {
        self.by_uid.get(uid)
    }

    /// Objects of a kind, sorted by (namespace, name); `namespace` None lists all namespaces.
    pub fn list<'a>(
        &'a self,
        kind: Kind,
        namespace: Option<&str>,
    ) -> Box<dyn Iterator<Item = &'a Arc<Value>> + 'a> {
        let Some(m) = self.objects.get(&kind) else {
            return Box::new(std::iter::empty());
        };
        match namespace {
            Some(ns) if kind.namespaced() => match m.get(ns) {
                Some(names) => Box::new(names.values()),
                None => Box::new(std::iter::empty()),
            },
            _ => Box::new(m.values().flat_map(BTreeMap::values)),
        }
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.objects
            .get(&kind)
            .map_or(0, |m| m.values().map(BTreeMap::len).sum())
    }

    /// Keys of the objects whose ownerReferences name `owner_uid`.
    pub fn dependents_of(&self, owner_uid: &str) -> Vec<ObjKey> {
        self.dependents
            .get(owner_uid)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Store an object (create or replace), stamping the next resourceVersion.
    pub fn put(&mut self, kind: Kind, mut obj: Value) -> Arc<Value> {
        self.rv += 1;
        meta::metadata_mut(&mut obj)
            .insert("resourceVersion".into(), Value::String(self.rv.to_string()));
        let key = ObjKey::of(kind, &obj);
        let obj = Arc::new(obj);
        let names = self.objects.entry(kind).or_default();
        // Look the namespace up by &str first: only a new namespace allocates its key.
        let names = match names.get_mut(key.namespace.as_str()) {
            Some(n) => n,
            None => names.entry(key.namespace.clone()).or_default(),
        };
        let old = match names.get_mut(key.name.as_str()) {
            Some(slot) => Some(std::mem::replace(slot, obj.clone())),
            None => names.insert(key.name.clone(), obj.clone()),
        };
        match &old {
            // Most writes (status, labels, counts) keep uid and ownerReferences: the indexes
            // already hold exactly this key, so re-deriving them would only churn Strings.
            Some(o)
                if meta::uid(o) == meta::uid(&obj)
                    && o.pointer("/metadata/ownerReferences")
                        == obj.pointer("/metadata/ownerReferences") => {}
            Some(o) => {
                self.unindex(&key, o);
                self.index(&key, &obj);
            }
            None => self.index(&key, &obj),
        }
        let event = if old.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        self.record(kind, event, obj.clone());
        self.changes.push(Change {
            key,
            old,
            new: Some(obj.clone()),
        });
        obj
    }

    /// Remove an object. The DELETED event carries a new resourceVersion, as the API server's does.
    pub fn remove(&mut self, key: &ObjKey) -> Option<Arc<Value>> {
        let by_ns = self.objects.get_mut(&key.kind)?;
        let names = by_ns.get_mut(key.namespace.as_str())?;
        let old = names.remove(key.name.as_str())?;
        if names.is_empty() {
            // Keep `list`'s per-namespace lookup and `count` exact and the map small.
            by_ns.remove(key.namespace.as_str());
        }
        self.unindex(key, &old);
        self.rv += 1;
        let mut gone = (*old).clone();
        meta::metadata_mut(&mut gone)
            .insert("resourceVersion".into(), Value::String(self.rv.to_string()));
        let gone = Arc::new(gone);
        self.record(key.kind, EventType::Deleted, gone.clone());
        self.changes.push(Change {
            key: key.clone(),
            old: Some(old),
            new: None,
        });
        Some(gone)
    }

    fn index(&mut self, key: &ObjKey, obj: &Value) {
        let uid = meta::uid(obj);
        if !uid.is_empty() {
            self.by_uid.insert(uid.to_string(), key.clone());
        }
        for r in meta::owner_refs(obj) {
            if let Some(u) = r.get("uid").and_then(Value::as_str) {
                self.dependents
                    .entry(u.to_string())
                    .or_default()
                    .insert(key.clone());
            }
        }
    }

    fn unindex(&mut self, key: &ObjKey, obj: &Value) {
        let uid = meta::uid(obj);
        if self.by_uid.get(uid) == Some(key) {
            self.by_uid.remove(uid);
        }
        for r in meta::owner_refs(obj) {
            if let Some(u) = r.get("uid").and_then(Value::as_str)
                && let Some(set) = self.dependents.get_mut(u)
            {
                set.remove(key);
                if set.is_empty() {
                    self.dependents.remove(u);
                }
            }
        }
    }

    fn record(&mut self, kind: Kind, event: EventType, object: Arc<Value>) {
        self.log.push_back(WatchEvent {
            rv: self.rv,
            kind,
            event,
            object,
        });
        while self.log.len() > self.window {
            self.log.pop_front();
        }
    }

    /// The changes since the last call, oldest first (the controllers' input).
    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    /// Watch events after `rv` (exclusive). Asking for a version the log no longer covers is
    /// `Gone`, which the API server answers with 410 so the client relists.
    pub fn events_since(&self, rv: u64) -> Result<impl Iterator<Item = &WatchEvent>, ApiError> {
        let oldest_kept = self.log.front().map_or(self.rv + 1, |e| e.rv);
        // Every event after `rv` must still be in the log: rv+1 >= oldest kept.
        if rv + 1 < oldest_kept && rv < self.rv {
            return Err(ApiError::Gone {
                requested: rv,
                oldest: oldest_kept.saturating_sub(1),
            });
        }
        let start = self.log.partition_point(|e| e.rv <= rv);
        Ok(self.log.range(start..))
    }

    /// Every object, sorted by kind, namespace and name.
    pub fn all(&self) -> impl Iterator<Item = (Kind, &Arc<Value>)> {
        self.objects
            .iter()
            .flat_map(|(k, m)| m.values().flat_map(BTreeMap::values).map(move |v| (*k, v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default", "uid": format!("u-{name}")}})
    }

    #[test]
    fn every_write_bumps_the_one_global_resource_version() {
        let mut s = Store::new(100);
        let a = s.put(Kind::Pod, pod("a"));
        let b = s.put(Kind::Pod, pod("b"));
        assert_eq!(meta::resource_version(&a), "1");
        assert_eq!(meta::resource_version(&b), "2");
        let gone = s.remove(&ObjKey::new(Kind::Pod, "default", "a"));
        assert_eq!(gone.as_deref().map(meta::resource_version), Some("3"));
        assert_eq!(s.resource_version(), 3);
    }

    #[test]
    fn a_watch_older_than_the_window_is_gone() {
        let mut s = Store::new(2);
        for n in ["a", "b", "c", "d"] {
            s.put(Kind::Pod, pod(n));
        }
        assert!(matches!(s.events_since(0), Err(ApiError::Gone { .. })));
        let evs: Vec<u64> = s
            .events_since(2)
            .map(|i| i.map(|e| e.rv).collect())
            .unwrap_or_default();
        assert_eq!(evs, vec![3, 4]);
        assert_eq!(s.events_since(4).map(|i| i.count()).ok(), Some(0));
    }

    #[test]
    fn namespace_listing_is_a_sorted_range() {
        let mut s = Store::new(10);
        s.put(Kind::Pod, pod("b"));
        s.put(Kind::Pod, pod("a"));
        let mut other = pod("c");
        other["metadata"]["namespace"] = json!("zz");
        s.put(Kind::Pod, other);
        let names: Vec<&str> = s
            .list(Kind::Pod, Some("default"))
            .map(|p| meta::name(p))
            .collect();
        assert_eq!(names, vec!["a", "b"]);
        assert_eq!(s.list(Kind::Pod, None).count(), 3);
    }

    #[test]
    fn owner_references_are_indexed_for_garbage_collection() {
        let mut s = Store::new(10);
        let mut p = pod("a");
        p["metadata"]["ownerReferences"] =
            json!([{"uid": "rs-1", "kind": "ReplicaSet", "name": "rs"}]);
        s.put(Kind::Pod, p);
        assert_eq!(s.dependents_of("rs-1").len(), 1);
        s.remove(&ObjKey::new(Kind::Pod, "default", "a"));
        assert!(s.dependents_of("rs-1").is_empty());
    }
}
