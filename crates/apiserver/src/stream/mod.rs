//! `pods/exec` and `pods/attach` (KUBECTL-CONTRACT §12.1): the checks the API server makes
//! before it upgrades (pod, container, node, with `rest/subresources.go` and
//! `pod/strategy.go streamLocation` wording), the WebSocket upgrade to `v5.channel.k8s.io`
//! (or v4), and the session that runs the command in the simulated container.
//!
//! - `ws`      — channel framing and the error-channel Status (pure).
//! - `line`    — the line discipline of a shell's stdin, with or without a terminal (pure).
//! - `session` — the pump between the socket and the process; ping/pong; the final close.
//! - `exec`    — commands and interactive shells; `attach` — joining a container's process.

pub mod attach;
pub mod exec;
pub mod line;
pub mod session;
pub mod ws;

use axum::extract::FromRequestParts;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::{IntoResponse, Response};
use http::Method;
use http::request::Parts;
use kubedrill_sim::Kind;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::cluster::Cluster;
use crate::path::{Route, Target};
use crate::request::Query;
use crate::status::Refusal;
use exec::Container;
use session::Streams;
use ws::Ending;

/// Whether `route` is served here: exec or attach of a named pod.
pub fn handles(route: &Route) -> bool {
    matches!(route, Route::Resource(t)
        if t.kind == Kind::Pod && t.name.is_some() && matches!(t.sub.as_deref(), Some("exec" | "attach")))
}

/// The status of container `name` in `pod`.
pub(crate) fn container_status<'a>(pod: &'a Value, name: &str) -> Option<&'a Value> {
    pod["status"]["containerStatuses"]
        .as_array()?
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect()
}

/// `streamLocation`: the container a request means, or the API server's 400.
fn resolve_container(pod: &Value, asked: Option<&str>, name: &str) -> Result<String, Refusal> {
    let spec = &pod["spec"];
    let containers = names(&spec["containers"]);
    match asked.filter(|c| !c.is_empty()) {
        None => match containers.as_slice() {
            [one] => Ok((*one).to_string()),
            [] => Err(Refusal::bad_request(format!(
                "a container name must be specified for pod {name}"
            ))),
            many => {
                let mut msg = format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    many.join(" ")
                );
                let init = names(&spec["initContainers"]);
                if !init.is_empty() {
                    msg.push_str(&format!(
                        " or one of the init containers: [{}]",
                        init.join(" ")
                    ));
                }
                Err(Refusal::bad_request(msg))
            }
        },
        Some(c) => {
            let known = ["containers", "initContainers", "ephemeralContainers"]
                .iter()
                .any(|f| names(&spec[*f]).contains(&c));
            if known {
                Ok(c.to_string())
            } else {
                Err(Refusal::bad_request(format!(
                    "container {c} is not valid for pod {name}"
                )))
            }
        }
    }
}

/// The container's spec (regular, init or ephemeral).
fn container_spec(pod: &Value, name: &str) -> Value {
    ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|f| pod["spec"][*f].as_array().into_iter().flatten())
        .find(|c| c["name"].as_str() == Some(name))
        .cloned()
        .unwrap_or(Value::Null)
}

/// `Upgrade request required`: what the API server's upgrade-aware proxy says to a request
/// it cannot upgrade — and what the SPDY fallback (`POST`, `Upgrade: SPDY/3.1`) gets here.
fn upgrade_required() -> Refusal {
    Refusal::bad_request("Upgrade request required")
}

/// Serve an exec or attach request.
pub async fn serve(c: &Arc<Cluster>, t: &Target, parts: &mut Parts) -> Response {
    match prepare(c, t, parts).await {
        Ok(r) => r,
        Err(r) => r.into_response(),
    }
}

async fn prepare(c: &Arc<Cluster>, t: &Target, parts: &mut Parts) -> Result<Response, Refusal> {
    if !matches!(parts.method, Method::GET | Method::POST) {
        return Err(Refusal::method_not_allowed());
    }
    let q = Query::parse(parts.uri.query());
    let namespace = t.namespace.clone().unwrap_or_default();
    let pod_name = t.name.clone().unwrap_or_default();
    let pod = c.read(|s| s.get(Kind::Pod, &namespace, &pod_name))?;
    let name = resolve_container(&pod, q.get("container"), &pod_name)?;
    if pod["spec"]["nodeName"].as_str().unwrap_or("").is_empty() {
        return Err(Refusal::bad_request(format!(
            "pod {pod_name} does not have a host assigned"
        )));
    }
    let streams = Streams {
        stdin: q.flag("stdin"),
        stdout: q.flag("stdout"),
        stderr: q.flag("stderr"),
        tty: q.flag("tty"),
    };
    let attach = t.sub.as_deref() == Some("attach");
    let command: Vec<String> = q.all("command").into_iter().map(str::to_string).collect();
    // Requests kubectl never makes, refused before the upgrade with the texts the kubelet
    // (`remotecommand` options) and kubectl's own validation use for them.
    if !streams.stdin && !streams.stdout && !streams.stderr {
        return Err(Refusal::bad_request(
            "you must specify at least 1 of stdin, stdout, stderr",
        ));
    }
    if !attach && command.is_empty() {
        return Err(Refusal::bad_request(
            "you must specify at least one command for the container",
        ));
    }
    // The SPDY fallback is not spoken: refuse it as a non-upgrade request.
    let upgrade = WebSocketUpgrade::from_request_parts(parts, &())
        .await
        .map_err(|_| upgrade_required())?;
    let spec = container_spec(&pod, &name);
    let running =
        container_status(&pod, &name).is_some_and(|s| s["state"].get("running").is_some());
    let container = Container {
        cluster: c.clone(),
        namespace,
        pod: pod_name,
        image: spec["image"].as_str().unwrap_or("").to_string(),
        vars: env_of(&spec),
        name: name.clone(),
    };
    let upgrade = upgrade.protocols(ws::PROTOCOLS);
    Ok(upgrade.on_upgrade(move |socket| async move {
        session::pump(socket, streams, move |io| async move {
            if !running {
                // The kubelet finds no running container of that name; the translator reports
                // the failed SPDY upgrade as an internal error.
                return Ending::Internal(format!(
                    "unable to upgrade connection: container not found (\"{name}\")"
                ));
            }
            if attach {
                attach::attach(container, spec, io).await
            } else {
                exec::exec(container, command, io).await
            }
        })
        .await;
    }))
}

/// The literal `env` values of a container.
fn env_of(spec: &Value) -> BTreeMap<String, String> {
    spec["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_string(),
                e["value"].as_str()?.to_string(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(containers: &[&str], init: &[&str]) -> Value {
        let list = |n: &[&str]| n.iter().map(|c| json!({"name": c})).collect::<Vec<_>>();
        json!({"spec": {"containers": list(containers), "initContainers": list(init)}})
    }

    #[test]
    fn one_container_is_the_default() {
        assert_eq!(
            resolve_container(&pod(&["nginx"], &[]), None, "web").unwrap(),
            "nginx"
        );
    }

    #[test]
    fn several_containers_need_a_name_as_stream_location_words_it() {
        let e = resolve_container(&pod(&["a", "b"], &["i"]), None, "web").unwrap_err();
        assert_eq!(e.code, 400);
        assert_eq!(
            e.body["message"],
            "a container name must be specified for pod web, choose one of: [a b] or one of the init containers: [i]"
        );
    }

    #[test]
    fn an_unknown_container_is_a_bad_request() {
        let e = resolve_container(&pod(&["a"], &[]), Some("nope"), "web").unwrap_err();
        assert_eq!(e.body["message"], "container nope is not valid for pod web");
        assert_eq!(e.body["reason"], "BadRequest");
        assert_eq!(
            resolve_container(&pod(&["a"], &["i"]), Some("i"), "web").unwrap(),
            "i"
        );
    }
}
