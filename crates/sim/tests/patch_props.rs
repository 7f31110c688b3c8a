//! Properties of the patch functions over random JSON: no input panics, an empty strategic
//! patch changes nothing, and a merge patch is idempotent.

use kubedrill_sim::Kind;
use kubedrill_sim::patch::{apply_patch, merge_patch, strategic_merge_patch};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Keys that reach the interesting paths: merge-keyed lists, directives, metadata.
const KEYS: &[&str] = &[
    "spec",
    "metadata",
    "status",
    "ports",
    "port",
    "name",
    "containers",
    "template",
    "env",
    "finalizers",
    "conditions",
    "type",
    "taints",
    "$patch",
    "$retainKeys",
    "$setElementOrder/ports",
    "$deleteFromPrimitiveList/finalizers",
    "replace",
    "delete",
    "x",
];

fn scalar(dollar_free: bool) -> impl Strategy<Value = Value> {
    let strings = if dollar_free {
        0..17usize
    } else {
        0..KEYS.len()
    };
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        (0i64..4).prop_map(Value::from),
        strings.prop_map(|i| Value::String(KEYS[i].to_string())),
    ]
}

fn json(dollar_free: bool) -> impl Strategy<Value = Value> {
    let key_range = if dollar_free {
        0..13usize
    } else {
        0..KEYS.len()
    };
    // Nulls in live objects too: a strategic patch must not touch what it does not patch.
    let leaf = prop_oneof![scalar(dollar_free), Just(Value::Null)];
    leaf.prop_recursive(4, 40, 5, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key_range.clone(), inner), 0..5).prop_map(|kv| {
                Value::Object(
                    kv.into_iter()
                        .map(|(k, v)| (KEYS[k].to_string(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

fn object(dollar_free: bool) -> impl Strategy<Value = Value> {
    json(dollar_free).prop_map(|v| match v {
        Value::Object(_) => v,
        other => serde_json::json!({"spec": other}),
    })
}

const KINDS: [Kind; 5] = [
    Kind::Service,
    Kind::Deployment,
    Kind::Pod,
    Kind::Node,
    Kind::ConfigMap,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_patch_of_any_type_panics(o in object(false), p in json(false), k in 0..KINDS.len()) {
        let kind = KINDS[k];
        let _ = strategic_merge_patch(kind, &o, &p);
        let _ = merge_patch(&o, &p);
        let _ = apply_patch(kind, Some(&o), &p, Some(&o));
        let _ = apply_patch(kind, None, &p, None);
        for t in [kubedrill_sim::PatchType::Json, kubedrill_sim::PatchType::Merge, kubedrill_sim::PatchType::Strategic] {
            let _ = kubedrill_sim::patch::apply(kind, &o, t, &p);
        }
    }

    #[test]
    fn an_empty_strategic_patch_is_the_identity(o in object(true), k in 0..KINDS.len()) {
        let out = strategic_merge_patch(KINDS[k], &o, &serde_json::json!({}));
        prop_assert_eq!(out.ok(), Some(o));
    }

    #[test]
    fn a_merge_patch_applied_twice_equals_applied_once(o in object(false), p in json(false)) {
        let once = merge_patch(&o, &p);
        prop_assert_eq!(merge_patch(&once, &p), once);
    }

    #[test]
    fn strategic_results_never_hold_directive_keys(o in object(true), p in json(false), k in 0..KINDS.len()) {
        if let Ok(out) = strategic_merge_patch(KINDS[k], &o, &p) {
            prop_assert!(!has_dollar_key(&out), "{}", out);
        }
    }
}

fn has_dollar_key(v: &Value) -> bool {
    match v {
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| k.starts_with('$') || has_dollar_key(v)),
        Value::Array(a) => a.iter().any(has_dollar_key),
        _ => false,
    }
}
