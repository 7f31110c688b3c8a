//! The errors of apimachinery's `mergepatch`/`strategicpatch` packages, worded as Go prints
//! them (`%v` of decoded JSON), and the status the API server wraps each in
//! (`interpretStrategicMergePatchError` in the apiserver's `handlers/patch.go`).

use serde_json::Value;

use crate::error::ApiError;

/// `mergepatch.ErrBadPatchFormatForPrimitiveList` and friends: the API server makes these 400s.
pub(crate) fn bad_request(msg: &str) -> ApiError {
    ApiError::BadRequest(msg.to_string())
}

pub(crate) const BAD_PRIMITIVE_LIST: &str = "invalid patch format of primitive list";
pub(crate) const BAD_RETAIN_KEYS: &str = "invalid patch format of retainKeys";
pub(crate) const BAD_SET_ELEMENT_ORDER: &str = "invalid patch format of setElementOrder list";

/// `ErrNoListOfLists` becomes a `NewGenericServerResponse(422, …)`, whose message is the generic
/// one: the underlying text never reaches the client.
pub(crate) fn no_list_of_lists() -> ApiError {
    rejected()
}

/// The body of `NewGenericServerResponse(422, …)`.
pub(crate) fn rejected() -> ApiError {
    ApiError::Generic {
        code: 422,
        reason: "Invalid",
        message: "the server rejected our request due to an error in our request".into(),
    }
}

/// Every other `strategicpatch` error is a plain Go error the handler returns as is: the
/// apiserver's `ErrorToAPIStatus` makes it a 500 with no reason.
pub(crate) fn unknown(message: String) -> ApiError {
    ApiError::Generic {
        code: 500,
        reason: "",
        message,
    }
}

/// `mergepatch.ErrNoMergeKey`.
pub(crate) fn no_merge_key(m: &Value, key: &str) -> ApiError {
    unknown(format!(
        "map: {} does not contain declared merge key: {key}",
        go_v(m)
    ))
}

/// `mergepatch.ErrBadPatchType`.
pub(crate) fn bad_patch_type(t: &Value, m: &Value) -> ApiError {
    let t = match t {
        Value::String(s) => s.clone(),
        Value::Null => "%!s(<nil>)".into(),
        other => format!("%!s({}={})", go_type(other), go_v(other)),
    };
    unknown(format!("unknown patch type: {t} in map: {}", go_v(m)))
}

/// `mergepatch.ErrBadArgType(expected, actual)` with the Go type names of decoded JSON.
pub(crate) fn bad_arg_type(expected: &str, actual: &Value) -> ApiError {
    unknown(format!(
        "expected a {expected}, but received a {}",
        go_type(actual)
    ))
}

/// The JSON type name Go's `UnmarshalTypeError` prints: `cannot unmarshal array into …`.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
    }
}

pub(crate) const GO_MAP: &str = "map[string]interface {}";
pub(crate) const GO_SLICE: &str = "[]interface {}";

/// The Go type `json.Unmarshal` (with ints preserved, as the API server decodes patches) gives
/// a JSON value.
pub(crate) fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => GO_MAP,
        Value::Array(_) => GO_SLICE,
        Value::String(_) => "string",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::Bool(_) => "bool",
        Value::Null => "<nil>",
    }
}

/// Go's `%v` of a decoded JSON value: `map[k:v …]` with sorted keys, `[a b]`, bare strings.
pub(crate) fn go_v(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", m.get(k).map(go_v).unwrap_or_default()))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(go_v).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => go_float(f),
            _ => n.to_string(),
        },
        Value::Bool(b) => b.to_string(),
        Value::Null => "<nil>".into(),
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`: exponent form below 1e-4 and from 1e6 up
/// (`%v` with shortest precision decides with precision 6).
fn go_float(f: f64) -> String {
    if f == 0.0 || !f.is_finite() {
        return format!("{f}");
    }
    let exp = f.abs().log10().floor();
    if !(-4.0..6.0).contains(&exp) {
        let s = format!("{f:e}");
        if let Some((mantissa, e)) = s.split_once('e') {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            let digits = if digits.len() < 2 {
                format!("0{digits}")
            } else {
                digits.to_string()
            };
            return format!("{mantissa}e{sign}{digits}");
        }
        return s;
    }
    format!("{f}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_v_prints_maps_sorted_and_strings_bare() {
        let v = json!({"name": "web", "$patch": "delete", "ports": [80, 1.5], "x": null});
        assert_eq!(
            go_v(&v),
            "map[$patch:delete name:web ports:[80 1.5] x:<nil>]"
        );
        assert_eq!(go_v(&json!(1e6)), "1e+06");
        assert_eq!(go_v(&json!(0.00001)), "1e-05");
    }

    #[test]
    fn no_merge_key_is_worded_as_mergepatch_words_it() {
        let e = no_merge_key(&json!({"image": "httpd"}), "name");
        assert_eq!(
            e.to_string(),
            "map: map[image:httpd] does not contain declared merge key: name"
        );
        assert_eq!(e.code(), 500);
    }
}
