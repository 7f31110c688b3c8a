//! Manifests: multi-document YAML parsed to `serde_json::Value` first (so keys such as `on`, `yes`
//! and `n` stay strings), never straight into typed structs.

use serde_json::Value;

use crate::error::ApiError;

/// Parse every non-empty document of a manifest. A `kind: List` document is flattened into its
/// items, as `kubectl apply -f` does.
pub fn parse_documents(yaml: &str) -> Result<Vec<Value>, ApiError> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(yaml)
        .map_err(|e| ApiError::BadRequest(format!("error parsing YAML: {e}")))?;
    let mut out = Vec::new();
    for d in docs {
        match d {
            Value::Null => {}
            Value::Object(ref m) if m.get("kind").and_then(Value::as_str) == Some("List") => {
                out.extend(
                    m.get("items")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .cloned(),
                );
            }
            Value::Object(_) => out.push(d),
            other => {
                return Err(ApiError::BadRequest(format!(
                    "error parsing YAML: a manifest document must be a mapping, got {other}"
                )));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_keys_like_on_and_yes_stay_strings() {
        let docs =
            parse_documents("a: 1\n---\n---\nkind: ConfigMap\ndata:\n  on: \"x\"\n  yes: \"y\"\n")
                .unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1]["data"]["on"], "x");
        assert_eq!(docs[1]["data"]["yes"], "y");
    }

    #[test]
    fn malformed_yaml_is_a_bad_request_not_a_panic() {
        let err = parse_documents("kind: [unclosed\n").unwrap_err();
        assert_eq!(err.code(), 400);
    }
}
