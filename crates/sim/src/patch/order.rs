//! List ordering and list checks of strategic merge patch: `$setElementOrder` validation,
//! partitioning merged items into "in the patch" and "server only", and the order
//! normalisation of apimachinery's `normalizeElementOrder`/`mergeSortedSlice`.
//!
//! Written to give the same order as the Go code, including its quirks (a `less` that answers
//! true when an item is not found, run through the insertion sort `sort.SliceStable` uses).

use serde_json::Value;
use std::collections::{HashMap, HashSet};

use super::goerr::{self, GO_MAP, GO_SLICE, bad_arg_type, no_merge_key, unknown};
use crate::error::ApiError;

pub(crate) const DIRECTIVE: &str = "$patch";

/// Whether a list holds maps or scalars (`sliceElementType`'s `Kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elem {
    Map,
    Scalar,
}

/// `sliceElementType`: every element of every list has the same Go type, lists of lists are
/// refused, and at least one element must exist.
pub(crate) fn element_kind(lists: &[&[Value]]) -> Result<Elem, ApiError> {
    let mut prev: Option<&'static str> = None;
    for v in lists.iter().flat_map(|l| l.iter()) {
        let t = goerr::go_type(v);
        match prev {
            None if t == GO_SLICE => return Err(goerr::no_list_of_lists()),
            None => prev = Some(t),
            Some(p) if p != t => {
                let all = Value::Array(lists.iter().map(|l| Value::Array(l.to_vec())).collect());
                return Err(unknown(format!(
                    "list element types are not identical: {}",
                    goerr::go_v(&all)
                )));
            }
            Some(_) => {}
        }
    }
    match prev {
        Some(GO_MAP) => Ok(Elem::Map),
        Some(_) => Ok(Elem::Scalar),
        None => Err(unknown("no elements in any of the given slices".into())),
    }
}

pub(crate) fn is_delete_element(v: &Value) -> bool {
    v.get(DIRECTIVE).and_then(Value::as_str) == Some("delete")
}

/// `extractToDeleteItems`: the `$patch: delete` elements, split off.
fn extract_to_delete(list: Vec<Value>) -> Result<(Vec<Value>, Vec<Value>), ApiError> {
    let mut keep = Vec::new();
    let mut delete = Vec::new();
    for v in list {
        if !v.is_object() {
            return Err(bad_arg_type(GO_MAP, &v));
        }
        if is_delete_element(&v) {
            delete.push(v);
        } else {
            keep.push(v);
        }
    }
    Ok((keep, delete))
}

fn key_equal(l: &Value, r: &Value, key: Option<&str>) -> Result<bool, ApiError> {
    let Some(key) = key else {
        return Ok(l == r);
    };
    for v in [l, r] {
        if !v.is_object() {
            return Err(bad_arg_type(GO_MAP, v));
        }
    }
    let lk = l.get(key).ok_or_else(|| no_merge_key(l, key))?;
    let rk = r.get(key).ok_or_else(|| no_merge_key(r, key))?;
    Ok(lk == rk)
}

/// `validatePatchWithSetOrderList`: the patch list (deletions aside) must follow the order of
/// `$setElementOrder` and be a subset of it.
pub(crate) fn validate_with_order(
    patch: &[Value],
    order: &[Value],
    key: Option<&str>,
) -> Result<(), ApiError> {
    if order.is_empty() || patch.is_empty() {
        return Ok(());
    }
    let keep = match key {
        Some(_) => extract_to_delete(patch.to_vec())?.0,
        None => patch.to_vec(),
    };
    let (mut pi, mut si) = (0, 0);
    while pi < keep.len() && si < order.len() {
        if keep[pi].get(DIRECTIVE).is_some() {
            pi += 1;
            continue;
        }
        if key_equal(&keep[pi], &order[si], key)? {
            pi += 1;
        }
        si += 1;
    }
    if pi < keep.len() && si >= order.len() {
        return Err(unknown(format!(
            "The order in patch list:\n{}\n doesn't match $setElementOrder list:\n{}\n",
            goerr::go_v(&Value::Array(patch.to_vec())),
            goerr::go_v(&Value::Array(order.to_vec()))
        )));
    }
    Ok(())
}

/// `partition{Primitives,Maps}ByPresentInList`: items of `merged` present in `by`, and the rest.
pub(crate) fn partition(
    merged: Vec<Value>,
    by: &[Value],
    key: Option<&str>,
) -> Result<(Vec<Value>, Vec<Value>), ApiError> {
    let present_ids: HashSet<String> = match key {
        None => by.iter().map(Value::to_string).collect(),
        Some(key) => {
            if let Some(i) = by.iter().position(|v| !v.is_object()) {
                return Err(unknown(format!("value for key {i} is not a map.")));
            }
            by.iter().filter_map(|v| key_id(v, key)).collect()
        }
    };
    let mut present = Vec::new();
    let mut server_only = Vec::new();
    for v in merged {
        let id = match key {
            None => v.to_string(),
            Some(key) => {
                if !v.is_object() {
                    return Err(bad_arg_type(GO_MAP, &v));
                }
                key_id(&v, key).ok_or_else(|| no_merge_key(&v, key))?
            }
        };
        if present_ids.contains(&id) {
            present.push(v);
        } else {
            server_only.push(v);
        }
    }
    Ok((present, server_only))
}

/// A hashable identity of a map's merge-key value (JSON text: `80` and `80.0` stay apart, as
/// Go's `int64` and `float64` do).
pub(crate) fn key_id(v: &Value, key: &str) -> Option<String> {
    v.get(key).map(Value::to_string)
}

/// `findMapInSliceBasedOnKeyValue`: the index of the first map whose `key` equals `value`.
pub(crate) fn find_by_key(
    list: &[Value],
    key: &str,
    value: &Value,
) -> Result<Option<usize>, ApiError> {
    for (i, v) in list.iter().enumerate() {
        if !v.is_object() {
            return Err(unknown(format!("value for key {i} is not a map.")));
        }
        if v.get(key) == Some(value) {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// `normalizeElementOrder`: patch items sorted by the patch order, server-only items by the
/// live order, then interleaved by the live order.
pub(crate) fn normalize(
    items: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    key: Option<&str>,
    kind: Elem,
) -> Result<Vec<Value>, ApiError> {
    let items = sort_by_order(items, patch_order, key, kind)?;
    let server_only = sort_by_order(server_only, server_order, key, kind)?;
    Ok(merge_sorted(server_only, items, server_order, key, kind))
}

fn sort_value<'a>(item: &'a Value, key: Option<&str>, kind: Elem) -> Option<&'a Value> {
    match kind {
        Elem::Map => item.get(key.unwrap_or("")),
        Elem::Scalar => Some(item),
    }
}

/// `index` for many lookups: the position of the first item of `list` with each sort value.
/// Maps without the key share one entry, as Go's `nil == nil` makes them equal.
struct Positions(HashMap<String, usize>);

impl Positions {
    fn of(list: &[Value], key: Option<&str>, kind: Elem) -> Positions {
        let mut m = HashMap::with_capacity(list.len());
        for (i, v) in list.iter().enumerate() {
            m.entry(Self::id(sort_value(v, key, kind))).or_insert(i);
        }
        Positions(m)
    }

    fn id(v: Option<&Value>) -> String {
        match v {
            Some(v) => v.to_string(),
            None => "\u{0}absent".to_string(),
        }
    }

    fn get(&self, v: &Value, key: Option<&str>, kind: Elem) -> Option<usize> {
        self.0.get(&Self::id(sort_value(v, key, kind))).copied()
    }
}

/// `normalizeSliceOrder`.
fn sort_by_order(
    to_sort: Vec<Value>,
    order: &[Value],
    key: Option<&str>,
    kind: Elem,
) -> Result<Vec<Value>, ApiError> {
    let (to_sort, to_delete) = match kind {
        Elem::Map => {
            let k = key.unwrap_or("");
            for v in to_sort.iter().chain(order) {
                if !v.is_object() {
                    return Err(bad_arg_type(GO_MAP, v));
                }
                if v.get(k).is_none() {
                    return Err(no_merge_key(v, k));
                }
            }
            extract_to_delete(to_sort)?
        }
        Elem::Scalar => (to_sort, Vec::new()),
    };
    let pos = Positions::of(order, key, kind);
    let mut items: Vec<(Option<usize>, Value)> = to_sort
        .into_iter()
        .map(|v| (pos.get(&v, key, kind), v))
        .collect();
    if items.iter().all(|(i, _)| i.is_some()) {
        // A strict order: any stable sort gives what sort.SliceStable gives.
        items.sort_by_key(|(i, _)| *i);
    } else {
        // Go's `less` answers true when an item is not in `order`, which is no strict order:
        // the result depends on the algorithm, so it is sort.SliceStable's insertion sort.
        let less = |a: Option<usize>, b: Option<usize>| match (a, b) {
            (Some(i), Some(j)) => i < j,
            _ => true,
        };
        for i in 1..items.len() {
            let mut j = i;
            while j > 0 && less(items[j].0, items[j - 1].0) {
                items.swap(j, j - 1);
                j -= 1;
            }
        }
    }
    let mut out: Vec<Value> = items.into_iter().map(|(_, v)| v).collect();
    out.extend(to_delete);
    Ok(out)
}

/// `mergeSortedSlice`: insert each server-only item (`left`) before the first patch item
/// (`right`) that comes after it in the live list.
fn merge_sorted(
    left: Vec<Value>,
    right: Vec<Value>,
    server_order: &[Value],
    key: Option<&str>,
    kind: Elem,
) -> Vec<Value> {
    let pos = Positions::of(server_order, key, kind);
    let with_pos = |list: Vec<Value>| -> Vec<(Option<usize>, Value)> {
        list.into_iter()
            .map(|v| (pos.get(&v, key, kind), v))
            .collect()
    };
    let size = left.len() + right.len();
    let mut out = Vec::with_capacity(size);
    let mut left = with_pos(left).into_iter().peekable();
    let mut right = with_pos(right).into_iter().peekable();
    for _ in 0..size {
        let take_left = match (left.peek(), right.peek()) {
            (Some(_), None) => true,
            (None, _) => false,
            (Some((Some(li), _)), Some((Some(ri), _))) => li < ri,
            (Some(_), Some(_)) => false,
        };
        let next = if take_left { left.next() } else { right.next() };
        out.extend(next.map(|(_, v)| v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn arr(v: Value) -> Vec<Value> {
        v.as_array().cloned().unwrap_or_default()
    }

    #[test]
    fn a_server_only_item_goes_before_the_first_patch_item_that_follows_it_live() {
        let live = arr(json!([{"k": 1}, {"k": 2}, {"k": 3}]));
        let patch = arr(json!([{"k": 3}, {"k": 1}]));
        let out = normalize(
            arr(json!([{"k": 1}, {"k": 3}])),
            arr(json!([{"k": 2}])),
            &patch,
            &live,
            Some("k"),
            Elem::Map,
        )
        .unwrap();
        // k2 precedes k3 live, so it is placed before k3 although the patch put k3 first.
        assert_eq!(out, arr(json!([{"k": 2}, {"k": 3}, {"k": 1}])));
    }

    #[test]
    fn a_patch_list_out_of_set_element_order_is_refused() {
        let e = validate_with_order(
            &arr(json!([{"port": 2}, {"port": 1}])),
            &arr(json!([{"port": 1}, {"port": 2}])),
            Some("port"),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "The order in patch list:\n[map[port:2] map[port:1]]\n doesn't match $setElementOrder list:\n[map[port:1] map[port:2]]\n"
        );
    }

    #[test]
    fn lists_of_lists_and_mixed_lists_are_refused() {
        assert_eq!(element_kind(&[&arr(json!([[1]]))]).unwrap_err().code(), 422);
        let e = element_kind(&[&arr(json!(["a"])), &arr(json!([1]))]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "list element types are not identical: [[a] [1]]"
        );
    }
}
