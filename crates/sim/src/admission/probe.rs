//! Probe validation (`validateProbe`, `validateHandler`, `validateHTTPGetAction`,
//! `ValidatePortNumOrName` in `pkg/apis/core/validation/validation.go`): exactly one handler,
//! valid ports and schemes, non-negative timings.

use serde_json::Value;

use super::podspec_validation::{arr, i, nonnegative, s};
use super::validation::{is_valid_port_name, is_valid_port_num};
use crate::error::FieldError;

/// `validateProbe` and `validateHandler`: exactly one handler, non-negative numbers.
pub(crate) fn validate_probe(pr: &Value, pp: &str, out: &mut Vec<FieldError>) {
    let mut handlers = 0;
    for h in ["exec", "httpGet", "tcpSocket", "grpc"] {
        let Some(hv) = pr.get(h).filter(|v| !v.is_null()) else {
            continue;
        };
        let hp = format!("{pp}.{h}");
        if handlers > 0 {
            out.push(FieldError::forbidden(
                hp,
                "may not specify more than 1 handler type",
            ));
            continue;
        }
        handlers += 1;
        match h {
            "exec" => {
                if arr(hv, "command").is_empty() {
                    out.push(FieldError::required(format!("{hp}.command"), ""));
                }
            }
            "httpGet" => {
                if s(hv, "path").is_empty() {
                    out.push(FieldError::required(format!("{hp}.path"), ""));
                }
                port_num_or_name(hv.get("port"), &format!("{hp}.port"), out);
                match s(hv, "scheme") {
                    "HTTP" | "HTTPS" => {}
                    other => out.push(FieldError::not_supported(
                        format!("{hp}.scheme"),
                        other,
                        &["HTTP", "HTTPS"],
                    )),
                }
            }
            "tcpSocket" => port_num_or_name(hv.get("port"), &format!("{hp}.port"), out),
            _ => {
                let port = i(hv, "port").unwrap_or(0);
                for m in is_valid_port_num(port) {
                    out.push(FieldError::invalid(format!("{hp}.port"), port, m));
                }
            }
        }
    }
    if handlers == 0 {
        out.push(FieldError::required(pp, "must specify a handler type"));
    }
    for f in [
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ] {
        nonnegative(pr, f, pp, out);
    }
    if let Some(t) = i(pr, "terminationGracePeriodSeconds")
        && t <= 0
    {
        out.push(FieldError::invalid(
            format!("{pp}.terminationGracePeriodSeconds"),
            t,
            "must be greater than 0",
        ));
    }
}

/// `ValidatePortNumOrName`: an int is a port number, a string an IANA port name.
fn port_num_or_name(port: Option<&Value>, path: &str, out: &mut Vec<FieldError>) {
    match port {
        Some(Value::String(name)) => {
            for m in is_valid_port_name(name) {
                out.push(FieldError::invalid(path, name.as_str(), m));
            }
        }
        other => {
            let n = other.and_then(Value::as_i64).unwrap_or(0);
            for m in is_valid_port_num(n) {
                out.push(FieldError::invalid(path, n, m));
            }
        }
    }
}
