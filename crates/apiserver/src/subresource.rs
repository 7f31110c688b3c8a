//! The subresources beyond status: `scale` (autoscaling/v1 `Scale` over deployments,
//! replicasets and statefulsets), `pods/log` (what the container printed) and `pods/eviction`.

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};
use kubedrill_sim::{DeleteOptions, Kind, PatchType, Subresource};
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;

use crate::cluster::Cluster;
use crate::path::Target;
use crate::request::Req;
use crate::rest::{Res, name, ns, run_write};
use crate::status::{Refusal, json_response};

/// `metav1.FormatLabelSelector`-style text of a `LabelSelector` (`app=web,tier in (a,b)`).
pub fn selector_string(sel: &Value) -> String {
    let mut parts: Vec<(String, String)> = Vec::new();
    if let Some(m) = sel["matchLabels"].as_object() {
        for (k, v) in m {
            parts.push((k.clone(), format!("{k}={}", v.as_str().unwrap_or(""))));
        }
    }
    for e in sel["matchExpressions"].as_array().into_iter().flatten() {
        let k = e["key"].as_str().unwrap_or("");
        let mut vals: Vec<&str> = e["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        vals.sort_unstable();
        let text = match e["operator"].as_str().unwrap_or("") {
            "In" => format!("{k} in ({})", vals.join(",")),
            "NotIn" => format!("{k} notin ({})", vals.join(",")),
            "Exists" => k.to_string(),
            "DoesNotExist" => format!("!{k}"),
            _ => continue,
        };
        parts.push((k.to_string(), text));
    }
    parts.sort();
    parts
        .into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(",")
}

/// The `autoscaling/v1` `Scale` of a workload.
pub fn scale_of(obj: &Value) -> Value {
    let md = &obj["metadata"];
    let mut spec = json!({});
    if let Some(r) = obj["spec"]["replicas"].as_i64().filter(|r| *r != 0) {
        spec["replicas"] = json!(r);
    }
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": md["name"], "namespace": md["namespace"], "uid": md["uid"],
            "resourceVersion": md["resourceVersion"], "creationTimestamp": md["creationTimestamp"],
        },
        "spec": spec,
        "status": {
            "replicas": obj["status"]["replicas"].as_i64().unwrap_or(0),
            "selector": selector_string(&obj["spec"]["selector"]),
        },
    })
}

/// GET / PUT / PATCH `<workload>/scale`.
pub fn scale(c: &Cluster, t: &Target, req: &Req) -> Res {
    if !matches!(
        t.kind,
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet
    ) {
        return Err(Refusal::not_found_path());
    }
    let (kind, n, nm) = (t.kind, ns(t), name(t));
    if req.method == Method::GET {
        let obj = c.read(|s| s.get(kind, n, nm))?;
        return Ok(json_response(StatusCode::OK, &scale_of(&obj)));
    }
    let patch = match req.method {
        Method::PUT => Some(crate::request::parse_json(Kind::Deployment, &req.body)?),
        Method::PATCH => None,
        _ => return Err(Refusal::method_not_allowed()),
    };
    let pt = if patch.is_none() {
        match crate::patch::patch_type(req)? {
            Some(pt) => Some(pt),
            None => {
                return Err(Refusal::unsupported_media_type(
                    &crate::patch::PATCH_MEDIA_TYPES[..3],
                ));
            }
        }
    } else {
        None
    };
    let patch_body = match pt {
        Some(pt) => Some(crate::patch::parse_patch(pt, &req.body)?),
        None => None,
    };
    let out = run_write(c, req.dry_run(), |s| -> Result<Value, Refusal> {
        let cur = s.get(kind, n, nm)?;
        let current_scale = scale_of(&cur);
        let wanted = match (&patch, pt, &patch_body) {
            (Some(body), _, _) => body.clone(),
            (None, Some(PatchType::Json), Some(p)) => {
                kubedrill_sim::patch::apply(kind, &current_scale, PatchType::Json, p)?
            }
            (None, _, Some(p)) => kubedrill_sim::patch::merge_patch(&current_scale, p),
            _ => current_scale.clone(),
        };
        let replicas = wanted["spec"]["replicas"].as_i64().unwrap_or(0);
        if replicas < 0 {
            return Err(invalid_scale(nm, replicas));
        }
        let mut body = json!({"spec": {"replicas": replicas}});
        if let Some(rv) = wanted["metadata"]["resourceVersion"]
            .as_str()
            .filter(|r| !r.is_empty())
        {
            body["metadata"] = json!({"resourceVersion": rv});
        }
        let obj = s.patch(kind, n, nm, PatchType::Merge, &body, Subresource::Main)?;
        Ok(scale_of(&obj))
    })?;
    Ok(json_response(StatusCode::OK, &out))
}

/// `ValidateScale`: `Scale.autoscaling "web" is invalid: spec.replicas: ...`.
fn invalid_scale(name: &str, replicas: i64) -> Refusal {
    let msg = format!("Invalid value: {replicas}: must be greater than or equal to 0");
    let mut r = Refusal::new(
        422,
        "Invalid",
        format!("Scale.autoscaling \"{name}\" is invalid: spec.replicas: {msg}"),
    );
    r.body["details"] = json!({
        "name": name, "group": "autoscaling", "kind": "Scale",
        "causes": [{"reason": "FieldValueInvalid", "message": msg, "field": "spec.replicas"}],
    });
    r
}

/// GET `pods/<name>/log`: `container`, `previous`, `tailLines`, `timestamps`, `sinceSeconds`,
/// `limitBytes`; `follow` keeps the answer open and sends what the container prints next until
/// the pod ends or goes away.
pub fn log(c: &Arc<Cluster>, t: &Target, req: &Req) -> Res {
    let q = &req.query;
    let container = q.get("container").map(str::to_string);
    let previous = q.flag("previous");
    let (lines, now) = c.read(|s| {
        (
            s.logs(ns(t), name(t), container.as_deref(), previous),
            s.now(),
        )
    });
    let mut lines = lines?;
    let seen = lines.len();
    if let Some(secs) = q.get("sinceSeconds").and_then(|v| v.parse::<i64>().ok()) {
        let from = now - jiff::SignedDuration::from_secs(secs);
        lines.retain(|l| l.time >= from);
    }
    if let Some(n) = q.get("tailLines").and_then(|v| v.parse::<usize>().ok()) {
        let skip = lines.len().saturating_sub(n);
        lines.drain(..skip);
    }
    let stamps = q.flag("timestamps");
    let mut text = render_lines(&lines, stamps);
    let limit = q.get("limitBytes").and_then(|v| v.parse::<usize>().ok());
    if let Some(limit) = limit
        && text.len() > limit
    {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    let body = if q.flag("follow") && !previous && limit.is_none() {
        follow(c.clone(), t, container, stamps, seen, text)
    } else {
        Body::from(text)
    };
    let mut r = Response::new(body);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(r)
}

fn render_lines(lines: &[kubedrill_sim::logs::LogLine], stamps: bool) -> String {
    let mut text = String::new();
    for l in lines {
        if stamps {
            text.push_str(&l.time.to_string());
            text.push(' ');
        }
        text.push_str(&l.text);
        text.push('\n');
    }
    text
}

/// The streaming body of `logs -f`: `first`, then new lines after each write to the cluster.
fn follow(
    c: Arc<Cluster>,
    t: &Target,
    container: Option<String>,
    stamps: bool,
    mut seen: usize,
    first: String,
) -> Body {
    let (namespace, pod) = (ns(t).to_string(), name(t).to_string());
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, Infallible>>(16);
    let mut changed = c.subscribe();
    tokio::spawn(async move {
        if !first.is_empty() && tx.send(Ok(Bytes::from(first))).await.is_err() {
            return;
        }
        // The first pass waits for nothing: lines printed since the first read are sent, and
        // a container that is not running has nothing more to print (its log is complete).
        let mut first_pass = true;
        loop {
            if !std::mem::take(&mut first_pass) {
                tokio::select! {
                    _ = tx.closed() => return,
                    r = changed.changed() => if r.is_err() { return },
                }
            }
            let (lines, ended) = c.read(|s| {
                let ended = s
                    .get(Kind::Pod, &namespace, &pod)
                    .map_or(true, |p| !container_running(&p, container.as_deref()));
                (s.logs(&namespace, &pod, container.as_deref(), false), ended)
            });
            let Ok(lines) = lines else { return };
            // A rotated (restarted) container starts a new log.
            if lines.len() < seen {
                seen = 0;
            }
            let text = render_lines(&lines[seen..], stamps);
            seen = lines.len();
            if !text.is_empty() && tx.send(Ok(Bytes::from(text))).await.is_err() {
                return;
            }
            if ended {
                return;
            }
        }
    });
    Body::from_stream(futures::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

/// Whether the container (`None`: the pod's only one) is running, so its log may grow.
fn container_running(pod: &Value, container: Option<&str>) -> bool {
    let statuses = pod["status"]["containerStatuses"].as_array();
    let status = match container {
        Some(name) => statuses
            .into_iter()
            .flatten()
            .find(|s| s["name"].as_str() == Some(name)),
        None => statuses.and_then(|s| s.first()),
    };
    status.is_some_and(|s| s["state"].get("running").is_some())
}

/// POST `pods/<name>/eviction` (`kubectl drain`): delete the pod, answer 201 Success.
pub fn evict(c: &Cluster, t: &Target, req: &Req) -> Res {
    let body = crate::request::parse_json(Kind::Pod, &req.body)?;
    let opts = DeleteOptions {
        grace_period_seconds: body["deleteOptions"]["gracePeriodSeconds"].as_i64(),
        ..Default::default()
    };
    run_write(c, req.dry_run(), |s| {
        s.delete(Kind::Pod, ns(t), name(t), &opts)
    })?;
    Ok(json_response(
        StatusCode::CREATED,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
    ))
}
