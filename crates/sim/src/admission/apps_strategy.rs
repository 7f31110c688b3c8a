//! Deployment strategy validation (`ValidateDeploymentStrategy`,
//! `ValidateRollingUpdateDeployment`, `ValidatePositiveIntOrPercent`,
//! `IsNotMoreThan100Percent` in `pkg/apis/apps/validation/validation.go`).

use serde_json::Value;

use crate::error::FieldError;

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `ValidateDeploymentStrategy` and `ValidateRollingUpdateDeployment`.
pub(crate) fn strategy(spec: &Value, out: &mut Vec<FieldError>) {
    let st = spec.get("strategy").unwrap_or(&Value::Null);
    let ru = st.get("rollingUpdate").filter(|v| !v.is_null());
    match str_at(st, "type") {
        "Recreate" => {
            if ru.is_some() {
                out.push(FieldError::forbidden(
                    "spec.strategy.rollingUpdate",
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
        }
        "RollingUpdate" => match ru {
            None => out.push(FieldError::required(
                "spec.strategy.rollingUpdate",
                "this should be defaulted and never be nil",
            )),
            Some(ru) => rolling_update(ru, out),
        },
        other => {
            // Go passes the whole internal `apps.DeploymentStrategy` (no json tags, so its Go
            // field names) as the value.
            use crate::error::{go_json, go_struct};
            let field = |r: &Value, k: &str| go_json(r.get(k).unwrap_or(&Value::Null));
            let ru = match ru {
                Some(r) => go_struct(&[
                    ("MaxUnavailable", field(r, "maxUnavailable")),
                    ("MaxSurge", field(r, "maxSurge")),
                ]),
                None => "null".to_string(),
            };
            let value = go_struct(&[
                ("Type", go_json(&Value::from(other))),
                ("RollingUpdate", ru),
            ]);
            out.push(
                FieldError::not_supported(
                    "spec.strategy",
                    Value::Null,
                    &["Recreate", "RollingUpdate"],
                )
                .with_rendered_value(value),
            );
        }
    }
}

fn rolling_update(ru: &Value, out: &mut Vec<FieldError>) {
    let p = "spec.strategy.rollingUpdate";
    let mu = ru.get("maxUnavailable").unwrap_or(&Value::Null);
    let ms = ru.get("maxSurge").unwrap_or(&Value::Null);
    positive_int_or_percent(mu, &format!("{p}.maxUnavailable"), out);
    positive_int_or_percent(ms, &format!("{p}.maxSurge"), out);
    if int_or_percent(mu) == Some(0) && int_or_percent(ms) == Some(0) {
        out.push(FieldError::invalid(
            format!("{p}.maxUnavailable"),
            mu.clone(),
            "may not be 0 when `maxSurge` is 0",
        ));
    }
    if let Value::String(s) = mu
        && let Some(n) = percent(s)
        && n > 100
    {
        out.push(FieldError::invalid(
            format!("{p}.maxUnavailable"),
            mu.clone(),
            "must not be greater than 100%",
        ));
    }
}

/// `^[0-9]+%$` → the number.
fn percent(s: &str) -> Option<i64> {
    let digits = s.strip_suffix('%')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn int_or_percent(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => percent(s),
        Value::Null => Some(0),
        other => other.as_i64(),
    }
}

/// `ValidatePositiveIntOrPercent`.
fn positive_int_or_percent(v: &Value, path: &str, out: &mut Vec<FieldError>) {
    match v {
        Value::String(s) => match percent(s) {
            None => out.push(FieldError::invalid(
                path,
                s.as_str(),
                "must be an integer or percentage (e.g '5%')",
            )),
            Some(n) if n < 0 => out.push(FieldError::invalid(
                path,
                n,
                "must be greater than or equal to 0",
            )),
            Some(_) => {}
        },
        other => {
            if let Some(n) = other.as_i64()
                && n < 0
            {
                out.push(FieldError::invalid(
                    path,
                    n,
                    "must be greater than or equal to 0",
                ));
            }
        }
    }
}
