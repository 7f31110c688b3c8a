//! Garbage collector (`pkg/controller/garbagecollector`): when an owner is gone, its dependents
//! are deleted (background propagation); an owner deleted in the foreground (finalizer
//! `foregroundDeletion`, set by the write pipeline) waits until its dependents are gone, then
//! loses the finalizer and goes. Orphan propagation is done in `write.rs`.

use serde_json::Value;

use super::{Ctl, Queues};
use crate::error::ApiError;
use crate::meta;
use crate::sim::{DeleteOptions, Propagation, Sim, Subresource};
use crate::store::{Change, ObjKey, Store};

const FOREGROUND: &str = "foregroundDeletion";

fn has_foreground(o: &Value) -> bool {
    meta::is_terminating(o)
        && o["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|a| a.iter().any(|f| f == FOREGROUND))
}

pub fn observe(store: &Store, change: &Change, q: &mut Queues) {
    match (&change.old, &change.new) {
        // An owner went away: its dependents must go; a dependent went away: a foreground
        // owner may now be free to go.
        (Some(old), None) => {
            for k in store.dependents_of(meta::uid(old)) {
                q.push(Ctl::Gc, k);
            }
            for r in meta::owner_refs(old) {
                if let Some(k) = r["uid"].as_str().and_then(|u| store.key_of_uid(u)) {
                    q.push(Ctl::Gc, k.clone());
                }
            }
        }
        (_, Some(new)) => {
            if has_foreground(new) {
                q.push(Ctl::Gc, change.key.clone());
            }
            // A dependent created pointing at an owner that does not exist.
            if change.old.is_none()
                && meta::owner_refs(new).any(|r| {
                    r["uid"]
                        .as_str()
                        .is_some_and(|u| store.key_of_uid(u).is_none())
                })
            {
                q.push(Ctl::Gc, change.key.clone());
            }
        }
        _ => {}
    }
}

pub fn sync(sim: &mut Sim, key: &ObjKey) -> Result<(), ApiError> {
    let Some(obj) = sim.store.get(key).cloned() else {
        return Ok(());
    };
    if has_foreground(&obj) {
        let deps = sim.store.dependents_of(meta::uid(&obj));
        if deps.is_empty() {
            let mut new = (*obj).clone();
            if let Some(Value::Array(f)) = new.pointer_mut("/metadata/finalizers") {
                f.retain(|x| x != FOREGROUND);
            }
            sim.update_unsettled(new, Subresource::Main)?;
            return Ok(());
        }
        for dep in deps {
            delete_dependent(sim, &dep);
        }
        return Ok(());
    }
    // Every owner gone (none of its uids resolves): the object is garbage.
    let refs: Vec<&str> = meta::owner_refs(&obj)
        .filter_map(|r| r["uid"].as_str())
        .collect();
    if !refs.is_empty()
        && refs.iter().all(|u| sim.store.key_of_uid(u).is_none())
        && !meta::is_terminating(&obj)
    {
        delete_dependent(sim, key);
    }
    Ok(())
}

/// Delete a dependent: in the foreground when it has dependents of its own (so a foreground
/// Deployment waits for its pods), else in the background.
fn delete_dependent(sim: &mut Sim, key: &ObjKey) {
    let Some(obj) = sim.store.get(key).cloned() else {
        return;
    };
    if meta::is_terminating(&obj) {
        return;
    }
    let propagation = if sim.store.dependents_of(meta::uid(&obj)).is_empty() {
        Propagation::Background
    } else {
        Propagation::Foreground
    };
    let opts = DeleteOptions {
        propagation: Some(propagation),
        ..DeleteOptions::default()
    };
    // Already gone or refused: nothing more the collector can do for it now.
    let _ = sim.delete_unsettled(key, &opts);
}
