//! Server-side apply (`application/apply-patch+yaml`), minimal per KUBECTL-CONTRACT §10.5: the
//! applied intent merges into the live object with SSA list semantics (`listType=map` keys,
//! `listType=set` unions, atomic lists replaced), and fields the same field manager applied
//! last time but omits now are removed.
//!
//! Ownership is simplified to "the previous intent of this manager": no managedFields, no
//! conflicts (kubectl's `force=false` never conflicts with itself), and a field another manager
//! also set is still removed when this manager drops it. The API server keeps the last intent
//! per manager; this module is the pure merge.

use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

use super::goerr;
use super::schema::{Flavor, ListStrategy, Ty, child, key_default};
use super::strategic::strip_directives;
use crate::error::ApiError;
use crate::kinds::Kind;
use crate::meta;

type Res<T> = Result<T, ApiError>;

/// Merge the applied intent of one manager into `live` (absent: the object is being created).
/// `last_applied_by_manager` is what the same manager applied the previous time, if ever.
pub fn apply_patch(
    kind: Kind,
    live: Option<&Value>,
    applied: &Value,
    last_applied_by_manager: Option<&Value>,
) -> Res<Value> {
    let Value::Object(applied_map) = applied else {
        return Err(ApiError::BadRequest(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            goerr::json_kind(applied)
        )));
    };
    let mut intent = Value::Object(applied_map.clone());
    strip_directives(&mut intent);
    let ctx = Ctx { kind, obj: &intent };
    check_keys(&ctx, &intent, Ty::Root(kind), "")?;
    let Some(live) = live else {
        return Ok(intent);
    };
    let mut out = live.as_object().cloned().unwrap_or_default();
    let last = last_applied_by_manager.and_then(Value::as_object);
    if let Value::Object(a) = &intent {
        merge_obj(&mut out, a, last, Ty::Root(kind));
    }
    Ok(Value::Object(out))
}

struct Ctx<'a> {
    kind: Kind,
    obj: &'a Value,
}

/// Every element of a `listType=map` list must carry its key fields (or have a default for
/// them), as structured-merge-diff requires when it types the applied object.
fn check_keys(ctx: &Ctx<'_>, v: &Value, ty: Ty, path: &str) -> Res<()> {
    let Value::Object(m) = v else {
        return Ok(());
    };
    for (k, fv) in m {
        let (cty, strategy) = child(ty, k, Flavor::Apply);
        let here = format!("{path}.{k}");
        match (fv, strategy) {
            (Value::Array(items), ListStrategy::Keyed(keys)) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(missing) = keys
                        .iter()
                        .find(|f| item.get(**f).is_none() && key_default(f).is_none())
                    {
                        // A plain Go error in the field manager: 500 without a reason, which
                        // kubectl prints as `Error from server: failed to create typed …`.
                        return Err(goerr::unknown(format!(
                            "failed to create typed patch object ({}{}; {}, Kind={}): {here}: element {i}: associative list with keys has an element that omits key field \"{missing}\" (and doesn't have default value)",
                            ns_prefix(ctx),
                            meta::name(ctx.obj),
                            gv(ctx.kind),
                            ctx.kind.name()
                        )));
                    }
                    check_keys(
                        ctx,
                        item,
                        cty,
                        &format!("{here}{}", key_segment(item, keys)),
                    )?;
                }
            }
            (Value::Object(_), _) => check_keys(ctx, fv, cty, &here)?,
            _ => {}
        }
    }
    Ok(())
}

/// How structured-merge-diff prints a keyed list element in a path: `[name="web"]`, keys sorted.
fn key_segment(item: &Value, keys: &[&str]) -> String {
    let mut names: Vec<&str> = keys.to_vec();
    names.sort_unstable();
    let parts: Vec<String> = names
        .into_iter()
        .filter_map(|f| item.get(f).map(|v| format!("{f}={v}")))
        .collect();
    format!("[{}]", parts.join(","))
}

/// `objectGVKNN` prints `namespace/name` even when the namespace is empty.
fn ns_prefix(ctx: &Ctx<'_>) -> String {
    format!("{}/", meta::namespace(ctx.obj))
}

/// `schema.GroupVersionKind` printed: `/v1` for core, `apps/v1` otherwise.
fn gv(kind: Kind) -> String {
    format!("{}/{}", kind.group(), kind.version())
}

/// The identity of a list element: its key fields, with schema defaults filled in.
fn key_of(v: &Value, keys: &[&str]) -> Option<Vec<Value>> {
    keys.iter()
        .map(|f| {
            v.get(*f)
                .cloned()
                .or_else(|| key_default(f).map(|d| Value::String(d.into())))
        })
        .collect()
}

fn merge_obj(
    live: &mut Map<String, Value>,
    applied: &Map<String, Value>,
    last: Option<&Map<String, Value>>,
    ty: Ty,
) {
    if let Some(last) = last {
        for k in last.keys() {
            if !applied.contains_key(k) {
                live.remove(k);
            }
        }
    }
    for (k, av) in applied {
        let (cty, strategy) = child(ty, k, Flavor::Apply);
        let prev = last.and_then(|l| l.get(k));
        match (live.get_mut(k), av) {
            (Some(Value::Object(lm)), Value::Object(am)) => {
                merge_obj(lm, am, prev.and_then(Value::as_object), cty);
            }
            (Some(Value::Array(la)), Value::Array(aa)) => {
                let prev = prev.and_then(Value::as_array).map(Vec::as_slice);
                match strategy {
                    ListStrategy::Atomic => *la = aa.clone(),
                    ListStrategy::Set => merge_set(la, aa, prev),
                    ListStrategy::Keyed(keys) => merge_keyed(la, aa, prev, keys, cty),
                }
            }
            _ => {
                live.insert(k.clone(), av.clone());
            }
        }
    }
}

/// `listType=set`: the manager's items are there, the ones it dropped are gone, others stay.
fn merge_set(live: &mut Vec<Value>, applied: &[Value], last: Option<&[Value]>) {
    merge_assoc(
        live,
        applied,
        last,
        &|v| Some(vec![v.clone()]),
        &mut |_, a, _| a.clone(),
    );
}

/// `listType=map`: elements match by their key fields and merge; elements the manager applied
/// last time and omits now are removed.
fn merge_keyed(
    live: &mut Vec<Value>,
    applied: &[Value],
    last: Option<&[Value]>,
    keys: &[&str],
    ty: Ty,
) {
    let ident = |v: &Value| key_of(v, keys);
    let mut merge_item = |l: Option<&Value>, a: &Value, prev: Option<&Value>| match (l, a) {
        (Some(Value::Object(lm)), Value::Object(am)) => {
            let mut lm = lm.clone();
            merge_obj(&mut lm, am, prev.and_then(Value::as_object), ty);
            Value::Object(lm)
        }
        _ => a.clone(),
    };
    merge_assoc(live, applied, last, &ident, &mut merge_item);
}

type Ident<'a> = dyn Fn(&Value) -> Option<Vec<Value>> + 'a;
type MergeItem<'a> = dyn FnMut(Option<&Value>, &Value, Option<&Value>) -> Value + 'a;

/// The order structured-merge-diff gives a merged associative list (`visitListItems`): items
/// only live keep their place, items applied follow the applied order, and an applied item
/// also live is emitted where the applied order reaches it.
fn merge_assoc(
    live: &mut Vec<Value>,
    applied: &[Value],
    last: Option<&[Value]>,
    ident: &Ident<'_>,
    merge_item: &mut MergeItem<'_>,
) {
    // Identities as JSON text, to index them; `None` (no identity) never matches anything.
    let id = |v: &Value| ident(v).map(|k| Value::Array(k).to_string());
    let rkeys: Vec<Option<String>> = applied.iter().map(id).collect();
    let applied_ids: HashSet<&String> = rkeys.iter().flatten().collect();
    let dropped: HashSet<String> = last
        .unwrap_or(&[])
        .iter()
        .filter_map(id)
        .filter(|k| !applied_ids.contains(k))
        .collect();
    live.retain(|v| id(v).is_none_or(|k| !dropped.contains(&k)));
    let lkeys: Vec<Option<String>> = live.iter().map(id).collect();
    let mut live_at: HashMap<&String, usize> = HashMap::new();
    for (i, k) in lkeys.iter().enumerate() {
        if let Some(k) = k {
            live_at.entry(k).or_insert(i);
        }
    }
    let mut prev_at: HashMap<String, &Value> = HashMap::new();
    for p in last.unwrap_or(&[]) {
        if let Some(k) = id(p) {
            prev_at.entry(k).or_insert(p);
        }
    }
    let in_applied = |k: &Option<String>| k.as_ref().is_some_and(|k| applied_ids.contains(k));
    let prev_of = |k: &Option<String>| k.as_ref().and_then(|k| prev_at.get(k).copied());
    let mut shared = rkeys
        .iter()
        .filter(|k| k.as_ref().is_some_and(|k| live_at.contains_key(k)));
    let mut next_shared = shared.next();
    let mut merged: HashSet<&String> = HashSet::new();
    let is_merged = |merged: &HashSet<&String>, k: &Option<String>| {
        k.as_ref().is_some_and(|k| merged.contains(k))
    };
    let mut out = Vec::with_capacity(live.len().max(applied.len()));
    let (mut li, mut ri) = (0, 0);
    while li < live.len() || ri < applied.len() {
        if li < live.len() && ri < applied.len() {
            let lk = &lkeys[li];
            if lk.is_some() && *lk == rkeys[ri] {
                merged.extend(lk.as_ref());
                out.push(merge_item(Some(&live[li]), &applied[ri], prev_of(lk)));
                li += 1;
                ri += 1;
                next_shared = shared.next();
                continue;
            }
            if in_applied(lk) && next_shared.is_some_and(|n| n != lk) {
                li += 1;
                continue;
            }
        }
        if li < live.len() {
            let lk = &lkeys[li];
            if !in_applied(lk) {
                out.push(live[li].clone());
                li += 1;
                continue;
            }
            if is_merged(&merged, lk) || ri >= applied.len() {
                li += 1;
                continue;
            }
        }
        if ri < applied.len() {
            let rk = &rkeys[ri];
            if !is_merged(&merged, rk) {
                let l = rk
                    .as_ref()
                    .and_then(|k| live_at.get(k))
                    .and_then(|i| live.get(*i));
                out.push(merge_item(l, &applied[ri], prev_of(rk)));
            }
            merged.extend(rk.as_ref());
            ri += 1;
            if next_shared == Some(rk) {
                next_shared = shared.next();
            }
        }
    }
    *live = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_port_without_protocol_is_the_same_entry_as_its_tcp_twin() {
        let live = json!({"spec": {"ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}]}});
        let applied = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}]}});
        let out = apply_patch(Kind::Service, Some(&live), &applied, None).unwrap();
        assert_eq!(
            out,
            json!({"spec": {"ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}]}})
        );
    }

    #[test]
    fn applied_order_wins_for_applied_items_and_live_only_items_keep_their_place() {
        let live = json!({"metadata": {"finalizers": ["a", "x", "b"]}});
        let applied = json!({"metadata": {"finalizers": ["c", "b", "a"]}});
        let out = apply_patch(Kind::ConfigMap, Some(&live), &applied, None).unwrap();
        // a is skipped until the applied order reaches it; x is live only and stays first.
        assert_eq!(out["metadata"]["finalizers"], json!(["x", "c", "b", "a"]));
    }

    #[test]
    fn a_nested_element_without_its_key_field_is_named_by_its_parents_keys() {
        let applied = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [{"name": "web", "env": [{"value": "1"}]}]}}}});
        let e = apply_patch(Kind::Deployment, None, &applied, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "failed to create typed patch object (/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name=\"web\"].env: element 0: associative list with keys has an element that omits key field \"name\" (and doesn't have default value)"
        );
        assert_eq!(e.code(), 500);
    }

    #[test]
    fn an_element_without_its_key_field_is_refused() {
        let applied = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"}, "spec": {"ports": [{"targetPort": 80}]}});
        let e = apply_patch(Kind::Service, None, &applied, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "failed to create typed patch object (default/web; /v1, Kind=Service): .spec.ports: element 0: associative list with keys has an element that omits key field \"port\" (and doesn't have default value)"
        );
    }
}
