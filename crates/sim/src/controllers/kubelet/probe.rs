//! Probes evaluated against what the pod's containers really serve (the image catalog), with
//! the kubelet prober's result texts (`pkg/probe/http/http.go`, `pkg/probe/tcp/tcp.go`):
//! `Get "http://10.244.1.5:8080/healthz": dial tcp 10.244.1.5:8080: connect: connection refused`,
//! `HTTP probe failed with statuscode: 404`.

use serde_json::Value;

use crate::images::Listener;

/// Why a probe did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeError {
    /// The probe ran and failed (`Readiness probe failed: …`).
    Failed(String),
    /// The probe could not run at all (a named port the container does not declare): the
    /// result is Unknown, which neither readies nor restarts (`prober.go`).
    Errored(String),
}

impl ProbeError {
    /// The `Unhealthy` event message for a probe of kind `what` (`Readiness`, `Liveness`, …).
    pub fn event(&self, what: &str) -> String {
        match self {
            ProbeError::Failed(m) => format!("{what} probe failed: {m}"),
            ProbeError::Errored(m) => {
                format!("{what} probe errored and resulted in unknown state: {m}")
            }
        }
    }
}

use ProbeError::{Errored, Failed};

/// Run `probe` (a container's readinessProbe / livenessProbe / startupProbe) against the pod at
/// `ip`, whose running containers listen on `listeners`.
pub fn run(
    probe: &Value,
    container: &Value,
    ip: &str,
    listeners: &[Listener],
) -> Result<(), ProbeError> {
    if let Some(h) = probe.get("httpGet") {
        let port = resolve_port(&h["port"], container).map_err(Errored)?;
        let host = h["host"].as_str().filter(|s| !s.is_empty()).unwrap_or(ip);
        let scheme = h["scheme"].as_str().unwrap_or("HTTP").to_ascii_lowercase();
        let path = h["path"].as_str().unwrap_or("");
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        let url = format!("{scheme}://{host}:{port}{path}");
        let Some(l) = find(listeners, port, "TCP").filter(|_| host == ip) else {
            return Err(Failed(format!(
                "Get \"{url}\": dial tcp {host}:{port}: connect: connection refused"
            )));
        };
        return match l.http_status(&path) {
            None => Err(Failed(format!(
                "Get \"{url}\": net/http: HTTP/1.x transport connection broken: malformed HTTP response"
            ))),
            // prober treats 200 <= code < 400 as success (http.go DoHTTPProbe).
            Some(code) if (200..400).contains(&code) => Ok(()),
            Some(code) => Err(Failed(format!("HTTP probe failed with statuscode: {code}"))),
        };
    }
    if let Some(t) = probe.get("tcpSocket") {
        let port = resolve_port(&t["port"], container).map_err(Errored)?;
        let host = t["host"].as_str().filter(|s| !s.is_empty()).unwrap_or(ip);
        return match find(listeners, port, "TCP").filter(|_| host == ip) {
            Some(_) => Ok(()),
            None => Err(Failed(format!(
                "dial tcp {host}:{port}: connect: connection refused"
            ))),
        };
    }
    if let Some(g) = probe.get("grpc") {
        let port = g["port"].as_i64().unwrap_or(0);
        return match u16::try_from(port)
            .ok()
            .and_then(|p| find(listeners, p, "TCP"))
        {
            Some(_) => Ok(()),
            None => Err(Failed(format!(
                "timeout: failed to connect service \"{ip}:{port}\" within 1s: context deadline exceeded"
            ))),
        };
    }
    // exec: the catalog does not model commands failing yet, so an exec probe succeeds.
    Ok(())
}

fn find<'a>(listeners: &'a [Listener], port: u16, proto: &str) -> Option<&'a Listener> {
    listeners
        .iter()
        .find(|l| l.port == port && l.protocol == proto)
}

/// A probe port by number, or by the name of one of the container's ports
/// (`pkg/kubelet/prober/prober.go` → `findPortByName`).
fn resolve_port(port: &Value, container: &Value) -> Result<u16, String> {
    if let Some(n) = port.as_i64() {
        return u16::try_from(n).map_err(|_| format!("invalid port number: {n}"));
    }
    let name = port.as_str().unwrap_or("");
    if let Ok(n) = name.parse::<u16>() {
        return Ok(n);
    }
    container["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"].as_str() == Some(name))
        .and_then(|p| p["containerPort"].as_i64())
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| {
            format!(
                "couldn't find port: {name} in {}",
                container["name"].as_str().unwrap_or("")
            )
        })
}

/// `initialDelaySeconds`, `periodSeconds`, `failureThreshold` with the API defaults
/// (`SetDefaults_Probe`: period 10, failureThreshold 3).
pub fn timing(probe: &Value) -> (i64, i64, i64) {
    let get = |k: &str, d: i64| probe[k].as_i64().filter(|v| *v > 0).unwrap_or(d);
    (
        probe["initialDelaySeconds"].as_i64().unwrap_or(0).max(0),
        get("periodSeconds", 10),
        get("failureThreshold", 3),
    )
}
