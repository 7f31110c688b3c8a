//! The write pipeline every create, update, patch and delete goes through — the user's and the
//! controllers' alike: server-managed metadata, admission, optimistic concurrency, no-op
//! detection, graceful deletion and finalizers. Controllers call the `*_unsettled` forms.

use serde_json::{Map, Value};
use std::sync::Arc;

use crate::admission::{self, Op};
use crate::clock::rfc3339;
use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;
use crate::patch::{self, PatchType};
use crate::sim::{DeleteOptions, Propagation, Sim, Subresource};
use crate::store::ObjKey;

/// The kind an object declares with `apiVersion` + `kind`.
pub fn kind_of(obj: &Value) -> Result<Kind, ApiError> {
    if !obj.is_object() {
        return Err(ApiError::BadRequest(
            "Object 'Kind' is missing in the request body".into(),
        ));
    }
    let api_version = meta::str_at(obj, &["apiVersion"]);
    let kind = meta::str_at(obj, &["kind"]);
    if kind.is_empty() {
        return Err(ApiError::BadRequest(format!(
            "Object 'Kind' is missing in '{obj}'"
        )));
    }
    if api_version.is_empty() {
        return Err(ApiError::BadRequest(format!(
            "Object 'apiVersion' is missing in '{obj}'"
        )));
    }
    Kind::from_type(api_version, kind).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "no kind \"{kind}\" is registered for version \"{api_version}\" in the simulated cluster"
        ))
    })
}

/// Metadata fields only the server sets; a client's values are dropped on create.
const SERVER_MANAGED: [&str; 6] = [
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
];

impl Sim {
    pub(crate) fn create_unsettled(&mut self, mut obj: Value) -> Result<Arc<Value>, ApiError> {
        let kind = kind_of(&obj)?;
        let now = rfc3339(self.now());
        let md = meta::metadata_mut(&mut obj);
        for f in SERVER_MANAGED {
            md.remove(f);
        }
        md.remove("managedFields");
        if kind.namespaced() {
            let ns_missing = md
                .get("namespace")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty);
            if ns_missing {
                md.insert("namespace".into(), Value::String("default".into()));
            }
        } else {
            md.remove("namespace");
        }
        let name_missing = md
            .get("name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if name_missing
            && let Some(prefix) = md
                .get("generateName")
                .and_then(Value::as_str)
                .map(str::to_string)
            && !prefix.is_empty()
        {
            // names.SimpleNameGenerator: the prefix (cut to leave room) plus 5 random chars.
            let cut: String = prefix.chars().take(63 - 5).collect();
            let name = format!("{cut}{}", self.rng.name_suffix(5));
            md.insert("name".into(), Value::String(name));
        }
        let uid = self.rng.uuid();
        let md = meta::metadata_mut(&mut obj);
        md.insert("uid".into(), Value::String(uid));
        md.insert("creationTimestamp".into(), Value::String(now));
        if kind.tracks_generation() {
            md.insert("generation".into(), Value::from(1));
        }
        let name = meta::name(&obj).to_string();
        if name.is_empty() {
            return Err(ApiError::invalid(
                kind,
                "",
                vec![crate::error::FieldError::required(
                    "metadata.name",
                    "name or generateName is required",
                )],
            ));
        }
        if kind.namespaced() {
            let ns = meta::namespace(&obj).to_string();
            match self.store.get_by(Kind::Namespace, "", &ns) {
                None => return Err(ApiError::NamespaceNotFound(ns)),
                Some(n) if meta::is_terminating(n) => {
                    return Err(ApiError::NamespaceTerminating {
                        kind,
                        name,
                        namespace: ns,
                    });
                }
                Some(_) => {}
            }
        }
        let mut ctx = self.admission_ctx();
        admission::admit(&mut ctx, kind, Op::Create, &mut obj)?;
        let key = ObjKey::of(kind, &obj);
        if self.store.get(&key).is_some() {
            // Allocation ran before the storage layer refused: roll it back (SERVICES-SPEC §0.5).
            admission::release(&mut self.admission_ctx(), kind, &obj);
            return Err(ApiError::AlreadyExists { kind, name });
        }
        Ok(self.store.put(kind, obj))
    }

    pub(crate) fn update_unsettled(
        &mut self,
        mut obj: Value,
        sub: Subresource,
    ) -> Result<Arc<Value>, ApiError> {
        let kind = kind_of(&obj)?;
        if kind.namespaced() && meta::namespace(&obj).is_empty() {
            meta::metadata_mut(&mut obj)
                .insert("namespace".into(), Value::String("default".into()));
        }
        let key = ObjKey::of(kind, &obj);
        let old = self
            .store
            .get(&key)
            .cloned()
            .ok_or_else(|| ApiError::NotFound {
                kind,
                name: key.name.clone(),
            })?;
        let rv = meta::resource_version(&obj);
        if !rv.is_empty() && rv != meta::resource_version(&old) {
            return Err(ApiError::Conflict {
                kind,
                name: key.name,
            });
        }
        let mut new = match sub {
            // A status write changes only status (the registry's status strategy).
            // Controllers send the stored object with only status edited: then the body
            // already is "old with the new status", and comparing costs no allocation where
            // cloning old (and the new status) costs one per node.
            Subresource::Status if same_but_status(&old, &obj) => obj,
            Subresource::Status => {
                let status = obj.as_object_mut().and_then(|m| m.remove("status"));
                match old.as_object() {
                    // Copy everything but the old status, which is replaced anyway: for a pod
                    // that is the bigger half of the object.
                    Some(o) => {
                        let mut n: Map<String, Value> = o
                            .iter()
                            .filter(|(k, _)| k.as_str() != "status")
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        if let Some(s) = status {
                            n.insert("status".into(), s);
                        }
                        Value::Object(n)
                    }
                    None => {
                        let mut n = (*old).clone();
                        if let Some(s) = status {
                            n["status"] = s;
                        }
                        n
                    }
                }
            }
            Subresource::Main => {
                if kind.has_status() {
                    match old.get("status") {
                        Some(s) => obj["status"] = s.clone(),
                        None => {
                            if let Some(m) = obj.as_object_mut() {
                                m.remove("status");
                            }
                        }
                    }
                }
                obj
            }
        };
        preserve_server_metadata(&old, &mut new);
        let op = match sub {
            Subresource::Main => Op::Update { old: &old },
            Subresource::Status => Op::UpdateStatus { old: &old },
        };
        let mut ctx = self.admission_ctx();
        admission::admit(&mut ctx, kind, op, &mut new)?;
        if kind.tracks_generation() && sub == Subresource::Main && spec_changed(&old, &new) {
            let g = old["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
            meta::metadata_mut(&mut new).insert("generation".into(), Value::from(g));
        }
        // An update that changes nothing is not a write: no new resourceVersion, no event.
        meta::metadata_mut(&mut new).insert(
            "resourceVersion".into(),
            Value::String(meta::resource_version(&old).to_string()),
        );
        if new == *old {
            return Ok(old);
        }
        // Pods go when the kubelet has stopped them, namespaces when the namespace controller
        // has emptied them: a write to either while terminating (e.g. a status update) must
        // not remove it.
        let finished = meta::is_terminating(&new)
            && finalizers(&new).is_empty()
            && !matches!(kind, Kind::Pod | Kind::Namespace);
        let stored = self.store.put(kind, new);
        if finished {
            // The last finalizer went away on a deleting object: it goes now.
            return Ok(self.remove_now(&key).unwrap_or(stored));
        }
        Ok(stored)
    }

    pub(crate) fn patch_unsettled(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        patch_type: PatchType,
        body: &Value,
        sub: Subresource,
    ) -> Result<Arc<Value>, ApiError> {
        let key = ObjKey::new(kind, namespace, name);
        let old = self
            .store
            .get(&key)
            .cloned()
            .ok_or_else(|| ApiError::NotFound {
                kind,
                name: name.to_string(),
            })?;
        let mut new = patch::apply(kind, &old, patch_type, body)?;
        // The identity of the object is not the patch's to change.
        let md = meta::metadata_mut(&mut new);
        md.insert("name".into(), Value::String(name.to_string()));
        if kind.namespaced() {
            md.insert("namespace".into(), Value::String(key.namespace.clone()));
        }
        new["apiVersion"] = Value::String(kind.api_version().into());
        new["kind"] = Value::String(kind.name().into());
        self.update_unsettled(new, sub)
    }

    pub(crate) fn delete_unsettled(
        &mut self,
        key: &ObjKey,
        opts: &DeleteOptions,
    ) -> Result<Arc<Value>, ApiError> {
        let old = self
            .store
            .get(key)
            .cloned()
            .ok_or_else(|| ApiError::NotFound {
                kind: key.kind,
                name: key.name.clone(),
            })?;
        if let Some(uid) = &opts.precondition_uid
            && uid != meta::uid(&old)
        {
            return Err(ApiError::Conflict {
                kind: key.kind,
                name: key.name.clone(),
            });
        }
        if let Some(rv) = &opts.precondition_rv
            && rv != meta::resource_version(&old)
        {
            return Err(ApiError::Conflict {
                kind: key.kind,
                name: key.name.clone(),
            });
        }
        let propagation = opts.propagation.unwrap_or(Propagation::Background);
        if propagation == Propagation::Orphan {
            self.orphan_dependents(&old)?;
        }
        let graceful = match key.kind {
            Kind::Pod => {
                let own = old["spec"]["terminationGracePeriodSeconds"]
                    .as_i64()
                    .unwrap_or(30);
                let grace = opts.grace_period_seconds.unwrap_or(own).max(0);
                // A pod that never ran (unscheduled) or has ended has nothing to stop.
                let running = !meta::str_at(&old, &["spec", "nodeName"]).is_empty()
                    && !matches!(
                        meta::str_at(&old, &["status", "phase"]),
                        "Succeeded" | "Failed"
                    );
                (grace > 0 && running).then_some(grace)
            }
            Kind::Namespace => Some(0),
            _ => None,
        };
        let has_finalizers = !finalizers(&old).is_empty();
        if graceful.is_none() && !has_finalizers && propagation != Propagation::Foreground {
            return self.remove_now(key).ok_or_else(|| ApiError::NotFound {
                kind: key.kind,
                name: key.name.clone(),
            });
        }
        if meta::is_terminating(&old) {
            return Ok(old);
        }
        let mut new = (*old).clone();
        let grace = graceful.unwrap_or(0);
        let at = self
            .now()
            .checked_add(jiff::SignedDuration::from_secs(grace))
            .unwrap_or_else(|_| self.now());
        let md = meta::metadata_mut(&mut new);
        md.insert("deletionTimestamp".into(), Value::String(rfc3339(at)));
        md.insert("deletionGracePeriodSeconds".into(), Value::from(grace));
        if propagation == Propagation::Foreground {
            let fins = md
                .entry("finalizers")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(a) = fins
                && !a.iter().any(|f| f == "foregroundDeletion")
            {
                a.push(Value::String("foregroundDeletion".into()));
            }
        }
        if key.kind == Kind::Namespace {
            new["status"]["phase"] = Value::String("Terminating".into());
        }
        Ok(self.store.put(key.kind, new))
    }

    /// Remove an object from the store for good (graceful deletion done, finalizers gone),
    /// releasing what admission allocated for it.
    pub(crate) fn remove_now(&mut self, key: &ObjKey) -> Option<Arc<Value>> {
        let gone = self.store.remove(key)?;
        admission::release(&mut self.admission_ctx(), key.kind, &gone);
        Some(gone)
    }

    fn orphan_dependents(&mut self, owner: &Value) -> Result<(), ApiError> {
        let uid = meta::uid(owner).to_string();
        for dep in self.store.dependents_of(&uid) {
            let Some(cur) = self.store.get(&dep).cloned() else {
                continue;
            };
            let mut new = (*cur).clone();
            if let Some(Value::Array(refs)) = new.pointer_mut("/metadata/ownerReferences") {
                refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(uid.as_str()));
            }
            self.update_unsettled(new, Subresource::Main)?;
        }
        Ok(())
    }

    pub(crate) fn admission_ctx(&mut self) -> admission::Ctx<'_> {
        admission::Ctx {
            store: &self.store,
            alloc: &mut self.alloc,
            rng: &mut self.rng,
            config: &self.config,
            now: self.clock.now(),
        }
    }
}

fn finalizers(obj: &Value) -> Vec<&str> {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Fields a client cannot change on update (ObjectMeta strategy: uid, creationTimestamp,
/// deletion state, generation are the server's).
fn preserve_server_metadata(old: &Value, new: &mut Value) {
    let empty = Map::new();
    let old_md = old
        .get("metadata")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let md: &mut Map<String, Value> = meta::metadata_mut(new);
    for f in SERVER_MANAGED {
        match old_md.get(f) {
            Some(v) => {
                md.insert(f.into(), v.clone());
            }
            None => {
                md.remove(f);
            }
        }
    }
}

/// Whether `a` and `b` are equal objects apart from their `status` (either may lack one).
fn same_but_status(a: &Value, b: &Value) -> bool {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return false;
    };
    let mut ai = a.iter().filter(|(k, _)| k.as_str() != "status");
    let mut bi = b.iter().filter(|(k, _)| k.as_str() != "status");
    loop {
        match (ai.next(), bi.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => {}
            _ => return false,
        }
    }
}

/// Whether anything but metadata and status differs. Compares the top-level fields in place
/// rather than comparing stripped copies: two whole-object clones per update were a large
/// share of the write path's cost.
fn spec_changed(old: &Value, new: &Value) -> bool {
    let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
        return old != new;
    };
    let mut oi = o
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "metadata" | "status"));
    let mut ni = n
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "metadata" | "status"));
    // Both maps iterate in key order, so equal maps yield equal sequences.
    loop {
        match (oi.next(), ni.next()) {
            (None, None) => return false,
            (Some(a), Some(b)) if a == b => {}
            _ => return true,
        }
    }
}
