//! JSON merge patch (RFC 7396): objects merge recursively, `null` deletes, everything else
//! replaces.

use serde_json::Value;

pub fn merge_patch(original: &Value, patch: &Value) -> Value {
    let Value::Object(p) = patch else {
        return patch.clone();
    };
    let mut out = match original {
        Value::Object(o) => o.clone(),
        _ => serde_json::Map::new(),
    };
    for (k, v) in p {
        if v.is_null() {
            out.remove(k);
        } else {
            let merged = merge_patch(out.get(k).unwrap_or(&Value::Null), v);
            out.insert(k.clone(), merged);
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc7396_null_deletes_and_arrays_replace() {
        let o = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"ports": [{"port": 80}, {"port": 81}]}});
        let p = json!({"metadata": {"labels": {"a": null, "c": "3"}}, "spec": {"ports": [{"port": 90}]}});
        assert_eq!(
            merge_patch(&o, &p),
            json!({"metadata": {"labels": {"b": "2", "c": "3"}}, "spec": {"ports": [{"port": 90}]}})
        );
    }
}
