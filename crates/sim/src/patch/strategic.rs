//! Strategic merge patch (apimachinery `strategicpatch`, `StrategicMergeMapPatch` with
//! `MergeParallelList` and `IgnoreUnmatchedNulls`): merge-by-key lists per the patchMergeKey
//! table of each kind (`schema.rs`), and the `$patch`, `$retainKeys`, `$setElementOrder` and
//! `$deleteFromPrimitiveList` directives kubectl sends.
//!
//! Follows `mergeMap`/`mergeSlice` of `patch.go` step for step, errors included. Where Go
//! stores a patch value verbatim (a field the live object lacks), the directives left inside it
//! are dropped afterwards, as the API server's conversion to the typed object drops them.

use serde_json::{Map, Value};
use std::collections::HashMap;

use super::goerr::{self, GO_SLICE, bad_arg_type, bad_patch_type, bad_request, no_merge_key};
use super::order::{self, DIRECTIVE, Elem};
use super::schema::{Flavor, ListStrategy, Ty, child};
use crate::error::ApiError;
use crate::kinds::Kind;

const RETAIN_KEYS: &str = "$retainKeys";
const SET_ORDER: &str = "$setElementOrder";
const DELETE_FROM: &str = "$deleteFromPrimitiveList";

type Res<T> = Result<T, ApiError>;

/// Apply a strategic merge patch to an object of `kind`.
pub fn strategic_merge_patch(kind: Kind, original: &Value, patch: &Value) -> Res<Value> {
    let patch = match patch {
        Value::Object(p) => p.clone(),
        // `json.Unmarshal` of null into a map leaves it empty: an empty patch.
        Value::Null => Map::new(),
        other => {
            return Err(ApiError::BadRequest(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                goerr::json_kind(other)
            )));
        }
    };
    let original = original.as_object().cloned().unwrap_or_default();
    let mut out = Value::Object(merge_map(original, patch, Ty::Root(kind))?);
    // Directive keys can also sit in live lists a `$setElementOrder` merged; none may stay.
    strip_dollar_keys(&mut out);
    Ok(out)
}

/// Drop what the typed object cannot hold from a patch value stored as is: directive keys
/// (`$…`) and null fields, which the API server's conversion to the Go type drops.
pub(crate) fn strip_directives(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, v| !k.starts_with('$') && !v.is_null());
            m.values_mut().for_each(strip_directives);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_directives),
        _ => {}
    }
}

/// A patch value as it will be stored: what the merge takes verbatim from the patch.
fn raw(mut v: Value) -> Value {
    strip_directives(&mut v);
    v
}

fn raw_all(list: Vec<Value>) -> Vec<Value> {
    list.into_iter().map(raw).collect()
}

fn strip_dollar_keys(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.starts_with('$'));
            m.values_mut().for_each(strip_dollar_keys);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_dollar_keys),
        _ => {}
    }
}

/// `mergeMap`.
fn merge_map(
    mut original: Map<String, Value>,
    mut patch: Map<String, Value>,
    ty: Ty,
) -> Res<Map<String, Value>> {
    if let Some(d) = patch.get(DIRECTIVE).cloned() {
        return directive_in_map(&d, patch);
    }
    retain_keys(&mut original, &mut patch)?;
    set_element_order(&mut original, &mut patch, ty)?;
    for (key, pv) in patch {
        let (key, delete_list) = match key.strip_prefix(DELETE_FROM) {
            Some(_) => (extract_key(&key, DELETE_FROM)?, true),
            None => (key, false),
        };
        if pv.is_null() {
            original.remove(&key);
            continue;
        }
        let Some(ov) = original.get_mut(&key) else {
            // Go would store the deletion list itself as the field's value; deleting from a
            // list that does not exist is taken to leave it absent.
            if !delete_list {
                original.insert(key, raw(pv));
            }
            continue;
        };
        let (cty, strategy) = child(ty, &key, Flavor::Strategic);
        match (ov, pv) {
            (Value::Object(om), Value::Object(pm)) => {
                let merged = merge_map(std::mem::take(om), pm, cty)?;
                *om = merged;
            }
            (Value::Array(oa), Value::Array(pa)) => {
                let merged = merge_list(std::mem::take(oa), pa, strategy, cty, delete_list)?;
                *oa = merged;
            }
            (ov, pv) => *ov = raw(pv),
        }
    }
    Ok(original)
}

/// `handleDirectiveInMergeMap`: only `replace` and `delete` are valid on a map.
fn directive_in_map(d: &Value, mut patch: Map<String, Value>) -> Res<Map<String, Value>> {
    match d.as_str() {
        Some("replace") => {
            patch.remove(DIRECTIVE);
            match raw(Value::Object(patch)) {
                Value::Object(m) => Ok(m),
                _ => Ok(Map::new()),
            }
        }
        Some("delete") => Ok(Map::new()),
        _ => Err(bad_patch_type(d, &Value::Object(patch))),
    }
}

/// `extractKey`: `$setElementOrder/ports` → `ports`.
fn extract_key(key: &str, prefix: &str) -> Res<String> {
    match key.split_once('/') {
        Some((p, rest)) if p == prefix => Ok(rest.to_string()),
        _ if prefix == DELETE_FROM => Err(bad_request(goerr::BAD_PRIMITIVE_LIST)),
        _ => Err(bad_request(goerr::BAD_SET_ELEMENT_ORDER)),
    }
}

/// `applyRetainKeysDirective`: every key the patch sets must be retained; live keys not
/// listed go.
fn retain_keys(original: &mut Map<String, Value>, patch: &mut Map<String, Value>) -> Res<()> {
    let Some(list) = patch.remove(RETAIN_KEYS) else {
        return Ok(());
    };
    let Value::Array(list) = list else {
        return Err(bad_request(goerr::BAD_RETAIN_KEYS));
    };
    let retained = |k: &str| list.iter().any(|x| x.as_str() == Some(k));
    for (k, v) in patch.iter() {
        if v.is_null() || k.starts_with(DELETE_FROM) || k.starts_with(SET_ORDER) {
            continue;
        }
        if !retained(k) {
            return Err(bad_request(goerr::BAD_RETAIN_KEYS));
        }
    }
    original.retain(|k, _| retained(k));
    Ok(())
}

fn list_at(m: &Map<String, Value>, key: &str) -> Res<Option<Vec<Value>>> {
    match m.get(key) {
        None => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a.clone())),
        Some(other) => Err(bad_arg_type(GO_SLICE, other)),
    }
}

/// The merge key SMP uses: the first (and for SMP only) key of a keyed list.
fn smp_key(strategy: ListStrategy) -> Option<&'static str> {
    match strategy {
        ListStrategy::Keyed(keys) => keys.first().copied(),
        _ => None,
    }
}

/// `mergePatchIntoOriginal`: each `$setElementOrder/<field>` merges its list now and puts the
/// result in the order given (patch order over live order).
fn set_element_order(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    ty: Ty,
) -> Res<()> {
    let keys: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ORDER))
        .cloned()
        .collect();
    for key in keys {
        let Some(order) = patch.remove(&key) else {
            continue;
        };
        let Value::Array(order) = order else {
            return Err(bad_arg_type(GO_SLICE, &order));
        };
        let field = extract_key(&key, SET_ORDER)?;
        let live = list_at(original, &field)?;
        let patched = list_at(patch, &field)?;
        let (cty, strategy) = child(ty, &field, Flavor::Strategic);
        let mkey = smp_key(strategy);
        order::validate_with_order(patched.as_deref().unwrap_or(&[]), &order, mkey)?;
        let merged = match (&live, &patched) {
            (Some(o), None) => o.clone(),
            (None, Some(p)) => p.clone(),
            (Some(o), Some(p)) => merge_list(o.clone(), p.clone(), strategy, cty, false)?,
            (None, None) => continue,
        };
        let (items, server_only) = order::partition(merged, &order, mkey)?;
        let live = live.unwrap_or_default();
        let kind = order::element_kind(&[&live, patched.as_deref().unwrap_or(&[])])?;
        let both = order::normalize(items, server_only, &order, &live, mkey, kind)?;
        let both = if live.is_empty() { raw_all(both) } else { both };
        original.insert(field.clone(), Value::Array(both));
        patch.remove(&field);
    }
    Ok(())
}

/// `mergeSliceHandler`: lists without a merge strategy are replaced whole.
fn merge_list(
    original: Vec<Value>,
    patch: Vec<Value>,
    strategy: ListStrategy,
    ty: Ty,
    delete_list: bool,
) -> Res<Vec<Value>> {
    match strategy {
        ListStrategy::Atomic => Ok(raw_all(patch)),
        ListStrategy::Keyed(_) | ListStrategy::Set => {
            merge_slice(original, patch, smp_key(strategy), ty, delete_list)
        }
    }
}

/// `mergeSlice`.
fn merge_slice(
    original: Vec<Value>,
    patch: Vec<Value>,
    key: Option<&str>,
    ty: Ty,
    delete_list: bool,
) -> Res<Vec<Value>> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let kind = order::element_kind(&[&original, &patch])?;
    let (original, patch, merged) = match kind {
        Elem::Scalar => {
            if delete_list {
                return Ok(original
                    .into_iter()
                    .filter(|v| !patch.contains(v))
                    .collect());
            }
            let mut both = original.clone();
            both.extend(patch.iter().cloned());
            let merged = dedup_scalars(both);
            (original, patch, merged)
        }
        Elem::Map => {
            let Some(k) = key else {
                return Err(goerr::unknown(
                    "cannot merge lists without merge key for type struct".into(),
                ));
            };
            let (original, patch) = special_elements(original, patch, k)?;
            let merged = merge_by_key(original.clone(), &patch, k, ty)?;
            (original, patch, merged)
        }
    };
    let (items, server_only) = order::partition(merged, &patch, key)?;
    order::normalize(items, server_only, &patch, &original, key, kind)
}

/// `deduplicateScalars`, which moves the last element into each duplicate's place.
fn dedup_scalars(mut s: Vec<Value>) -> Vec<Value> {
    let mut i = 0;
    while i + 1 < s.len() {
        let mut j = i + 1;
        while j < s.len() {
            if s[i] == s[j] {
                s.swap_remove(j);
            } else {
                j += 1;
            }
        }
        i += 1;
    }
    s
}

/// `mergeSliceWithSpecialElements`: `$patch: delete` elements delete by key, a
/// `{"$patch": "replace"}` element makes the rest of the patch list the whole list.
fn special_elements(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    key: &str,
) -> Res<(Vec<Value>, Vec<Value>)> {
    let mut plain = Vec::new();
    let mut replace = false;
    for v in patch {
        let Some(d) = v.get(DIRECTIVE) else {
            plain.push(v);
            continue;
        };
        match d.as_str() {
            Some("delete") => {
                let mv = v.get(key).ok_or_else(|| no_merge_key(&v, key))?;
                while let Some(i) = order::find_by_key(&original, key, mv)? {
                    original.remove(i);
                }
            }
            Some("replace") => replace = true,
            Some("merge") => {
                return Err(goerr::unknown(
                    "merging lists cannot yet be specified in the patch".into(),
                ));
            }
            _ => return Err(bad_patch_type(d, &v)),
        }
    }
    if replace {
        Ok((raw_all(plain), Vec::new()))
    } else {
        Ok((original, plain))
    }
}

/// `mergeSliceWithoutSpecialElements`: elements with a live match merge into it, the others
/// are appended.
fn merge_by_key(mut original: Vec<Value>, patch: &[Value], key: &str, ty: Ty) -> Res<Vec<Value>> {
    // Where each merge-key value first occurs; merging keeps an element's key, so it holds.
    let mut at: HashMap<String, usize> = HashMap::with_capacity(original.len());
    for (i, v) in original.iter().enumerate() {
        if !v.is_object() {
            return Err(goerr::unknown(format!("value for key {i} is not a map.")));
        }
        if let Some(id) = order::key_id(v, key) {
            at.entry(id).or_insert(i);
        }
    }
    for v in patch {
        let id = order::key_id(v, key).ok_or_else(|| no_merge_key(v, key))?;
        match at.get(&id).copied() {
            Some(i) => {
                if let (Some(Value::Object(om)), Value::Object(pm)) = (original.get_mut(i), v) {
                    let merged = merge_map(std::mem::take(om), pm.clone(), ty)?;
                    *om = merged;
                }
            }
            None => {
                at.insert(id, original.len());
                original.push(raw(v.clone()));
            }
        }
    }
    Ok(original)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn smp(kind: Kind, o: Value, p: Value) -> Value {
        strategic_merge_patch(kind, &o, &p).unwrap()
    }

    #[test]
    fn keyed_list_elements_merge_by_key_and_follow_the_patch_order() {
        let o = json!({"spec": {"ports": [{"port": 80, "name": "a"}, {"port": 81}]}});
        let p = json!({"spec": {"ports": [{"port": 81, "name": "b"}, {"port": 82}]}});
        assert_eq!(
            smp(Kind::Service, o, p),
            json!({"spec": {"ports": [{"port": 80, "name": "a"}, {"port": 81, "name": "b"}, {"port": 82}]}})
        );
    }

    #[test]
    fn list_replace_directive_makes_the_patch_list_the_whole_list() {
        let o = json!({"spec": {"ports": [{"port": 80}, {"port": 81}]}});
        let p = json!({"spec": {"ports": [{"$patch": "replace"}, {"port": 90}]}});
        assert_eq!(
            smp(Kind::Service, o, p),
            json!({"spec": {"ports": [{"port": 90}]}})
        );
    }

    #[test]
    fn map_directives_replace_and_delete() {
        let o = json!({"spec": {"selector": {"a": "1", "b": "2"}, "x": {"y": 1}}});
        let p = json!({"spec": {"selector": {"$patch": "replace", "c": "3"}, "x": {"$patch": "delete"}}});
        assert_eq!(
            smp(Kind::Service, o, p),
            json!({"spec": {"selector": {"c": "3"}, "x": {}}})
        );
    }

    #[test]
    fn unknown_patch_directive_is_refused_with_the_mergepatch_text() {
        let o = json!({"spec": {"ports": [{"port": 80}]}});
        let p = json!({"spec": {"ports": [{"$patch": "bogus", "port": 80}]}});
        let e = strategic_merge_patch(Kind::Service, &o, &p).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown patch type: bogus in map: map[$patch:bogus port:80]"
        );
        let p = json!({"spec": {"$patch": "merge"}});
        let e = strategic_merge_patch(Kind::Service, &o, &p).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown patch type: merge in map: map[$patch:merge]"
        );
    }

    #[test]
    fn directives_in_values_the_live_object_lacks_are_not_stored() {
        let o = json!({"spec": {}});
        let p = json!({"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "a"}], "containers": [{"name": "a"}]}}}});
        assert_eq!(
            smp(Kind::Deployment, o, p),
            json!({"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}})
        );
    }

    #[rstest::rstest]
    #[case::owner_references_by_uid(Kind::ConfigMap, "/metadata/ownerReferences", json!([{"uid": "a", "name": "x"}, {"uid": "b"}]), json!([{"uid": "b", "name": "y"}]), json!([{"uid": "a", "name": "x"}, {"uid": "b", "name": "y"}]))]
    #[case::host_aliases_by_ip(Kind::Pod, "/spec/hostAliases", json!([{"ip": "1.1.1.1", "hostnames": ["a"]}]), json!([{"ip": "1.1.1.1", "hostnames": ["b"]}]), json!([{"ip": "1.1.1.1", "hostnames": ["b"]}]))]
    #[case::volume_mounts_by_mount_path(Kind::Pod, "/spec/containers/0/volumeMounts", json!([{"mountPath": "/a", "name": "v"}]), json!([{"mountPath": "/a", "readOnly": true}]), json!([{"mountPath": "/a", "name": "v", "readOnly": true}]))]
    #[case::container_ports_by_container_port(Kind::Pod, "/spec/containers/0/ports", json!([{"containerPort": 80, "name": "http"}]), json!([{"containerPort": 80, "protocol": "TCP"}]), json!([{"containerPort": 80, "name": "http", "protocol": "TCP"}]))]
    #[case::pod_ips_by_ip(Kind::Pod, "/status/podIPs", json!([{"ip": "10.244.1.5"}]), json!([{"ip": "fd00::5"}]), json!([{"ip": "fd00::5"}, {"ip": "10.244.1.5"}]))]
    #[case::service_account_secrets_by_name(Kind::ServiceAccount, "/secrets", json!([{"name": "a"}]), json!([{"name": "b"}]), json!([{"name": "b"}, {"name": "a"}]))]
    #[case::tolerations_are_atomic(Kind::Pod, "/spec/tolerations", json!([{"key": "a", "operator": "Exists"}]), json!([{"key": "b", "operator": "Exists"}]), json!([{"key": "b", "operator": "Exists"}]))]
    #[case::network_policy_ingress_is_atomic(Kind::NetworkPolicy, "/spec/ingress", json!([{"from": [{"podSelector": {}}]}]), json!([{"ports": [{"port": 80}]}]), json!([{"ports": [{"port": 80}]}]))]
    #[case::endpoint_slice_endpoints_are_atomic(Kind::EndpointSlice, "/endpoints", json!([{"addresses": ["10.0.0.1"]}]), json!([{"addresses": ["10.0.0.2"]}]), json!([{"addresses": ["10.0.0.2"]}]))]
    fn each_list_follows_its_field_strategy(
        #[case] kind: Kind,
        #[case] pointer: &str,
        #[case] live: Value,
        #[case] patch: Value,
        #[case] want: Value,
    ) {
        let mut o = json!({});
        let mut p = json!({});
        set_at(&mut o, pointer, live);
        set_at(&mut p, pointer, patch);
        let out = smp(kind, o, p);
        assert_eq!(out.pointer(pointer), Some(&want), "{out}");
    }

    /// Build nested objects (and one-element lists for numeric segments) down to `pointer`.
    fn set_at(root: &mut Value, pointer: &str, v: Value) {
        let mut cur = root;
        let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let next = if last {
                v.clone()
            } else if parts[i + 1] == "0" {
                json!([{"name": "c"}])
            } else {
                json!({})
            };
            if *part == "0" {
                cur = &mut cur[0];
                continue;
            }
            if cur.get(*part).is_none() {
                cur[*part] = next;
            } else if last {
                cur[*part] = v.clone();
            }
            cur = &mut cur[*part];
        }
    }

    #[test]
    fn retain_keys_on_a_volume_drops_the_old_source() {
        let o = json!({"spec": {"volumes": [{"name": "v", "emptyDir": {}}]}});
        let p = json!({"spec": {"volumes": [{"name": "v", "$retainKeys": ["configMap", "name"], "configMap": {"name": "cm"}}]}});
        assert_eq!(
            smp(Kind::Pod, o, p),
            json!({"spec": {"volumes": [{"name": "v", "configMap": {"name": "cm"}}]}})
        );
    }

    #[test]
    fn a_large_keyed_list_merges_without_quadratic_sorting() {
        let env = |range: std::ops::Range<usize>| -> Vec<Value> {
            range
                .map(|i| json!({"name": format!("V{i}"), "value": "x"}))
                .collect()
        };
        let o = json!({"spec": {"containers": [{"name": "c", "env": env(0..3000)}]}});
        let p = json!({"spec": {"containers": [{"name": "c", "env": env(1500..4500)}]}});
        let out = smp(Kind::Pod, o, p);
        let merged = out["spec"]["containers"][0]["env"].as_array().map(Vec::len);
        assert_eq!(merged, Some(4500));
    }

    #[test]
    fn a_non_object_patch_is_a_bad_request() {
        let e = strategic_merge_patch(Kind::Pod, &json!({}), &json!([1])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
        assert_eq!(e.code(), 400);
    }
}
