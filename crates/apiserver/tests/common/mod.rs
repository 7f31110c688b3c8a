//! Helpers of the in-process tests: a cluster on a manual clock and one-shot requests through
//! its router.

#![allow(dead_code, clippy::unwrap_used)]

use axum::body::Body;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use kubedrill_apiserver::{Cluster, router};
use kubedrill_sim::{ManualClock, Sim};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub fn cluster() -> (Arc<Cluster>, ManualClock) {
    let (sim, clock) = Sim::default_with_clock().unwrap();
    (Cluster::new("test", sim), clock)
}

pub struct Answer {
    pub code: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

pub async fn call(
    c: &Arc<Cluster>,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = router(c.clone())
        .oneshot(req.body(body.into()).unwrap())
        .await
        .unwrap();
    let code = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        code,
        headers,
        body,
    }
}

pub async fn get(c: &Arc<Cluster>, uri: &str) -> Answer {
    call(c, "GET", uri, &[], Body::empty()).await
}

pub async fn post_json(c: &Arc<Cluster>, uri: &str, body: &Value) -> Answer {
    call(
        c,
        "POST",
        uri,
        &[("content-type", "application/json")],
        body.to_string(),
    )
    .await
}

pub async fn send(c: &Arc<Cluster>, method: &str, uri: &str, ct: &str, body: &str) -> Answer {
    call(c, method, uri, &[("content-type", ct)], body.to_string()).await
}

/// A Deployment manifest of `replicas` nginx pods labelled `app=<name>`.
pub fn deployment(name: &str, replicas: i64) -> Value {
    serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx"}]},
            },
        },
    })
}

pub fn service(name: &str) -> Value {
    serde_json::json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 80}]},
    })
}
