//! Random methods, paths, headers and bodies (JSON, YAML, protobuf-looking bytes, garbage)
//! thrown at the router: no panic, every refusal a `Status` whose `code` is the HTTP code,
//! every JSON answer valid JSON, and the cluster still answering afterwards.

#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use http_body_util::BodyExt;
use kubedrill_apiserver::router;
use proptest::prelude::*;
use serde_json::Value;
use tower::ServiceExt;

fn method() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
    ])
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "api",
            "apis",
            "v1",
            "apps",
            "namespaces",
            "default",
            "kube-system",
            "pods",
            "services",
            "deployments",
            "nodes",
            "node01",
            "kubernetes",
            "status",
            "scale",
            "log",
            "eviction",
            "exec",
            "configmaps",
            "endpointslices",
            "discovery.k8s.io",
            "openapi",
            "v3",
            "version",
            "healthz",
            "networking.k8s.io",
            "ingresses",
            "",
        ])
        .prop_map(String::from),
        "[a-z0-9.%-]{0,12}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(segment(), 0..7),
        prop::sample::select(vec![
            "",
            "?watch=true&timeoutSeconds=0",
            "?labelSelector=app%3Dweb",
            "?fieldSelector=metadata.name%3Dx",
            "?labelSelector=%21%21",
            "?dryRun=All",
            "?fieldManager=kubectl",
            "?&&resourceVersion=abc",
            "?gracePeriodSeconds=0",
            "?includeObject=Object",
        ]),
    )
        .prop_map(|(segs, q)| format!("/{}{q}", segs.join("/")))
}

fn content_type() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "application/json",
        "application/yaml",
        "application/vnd.kubernetes.protobuf",
        "application/merge-patch+json",
        "application/json-patch+json",
        "application/strategic-merge-patch+json",
        "application/apply-patch+yaml",
        "text/plain",
        "",
    ])
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        Just(br#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"x"},"spec":{"ports":[{"port":80}]}}"#.to_vec()),
        Just(br#"{"metadata":{"name":"kubernetes","labels":{"a":"b"}}}"#.to_vec()),
        Just(br#"[{"op":"replace","path":"/spec/replicas","value":2}]"#.to_vec()),
        Just(br#"{"spec":{"replicas":-3}}"#.to_vec()),
        Just(b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n".to_vec()),
        (prop::collection::vec(any::<u8>(), 0..48)).prop_map(|mut b| {
            let mut v = b"k8s\0".to_vec();
            v.append(&mut b);
            v
        }),
        "[ -~]{0,40}".prop_map(String::into_bytes),
    ]
}

fn accept() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "application/json",
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        "*/*",
        "",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_requests_get_status_answers_and_never_panic(
        reqs in prop::collection::vec((method(), path(), content_type(), accept(), body()), 1..6)
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let (c, _) = common::cluster();
            for (m, p, ct, acc, b) in reqs {
                let mut req = http::Request::builder().method(m).uri(p.as_str());
                if !ct.is_empty() {
                    req = req.header("content-type", ct);
                }
                if !acc.is_empty() {
                    req = req.header("accept", acc);
                }
                let Ok(req) = req.body(Body::from(b)) else { continue };
                let resp = router(c.clone()).oneshot(req).await.unwrap();
                let code = resp.status().as_u16();
                let ctype = resp
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                let bytes = resp.into_body().collect().await.unwrap().to_bytes();
                if m == "HEAD" {
                    // HTTP: a HEAD answer carries the headers of a GET and no body.
                    assert!(bytes.is_empty(), "{m} {p}");
                } else if code >= 400 {
                    let v: Value = serde_json::from_slice(&bytes)
                        .unwrap_or_else(|e| panic!("{m} {p}: {code} body not JSON ({e})"));
                    assert_eq!(v["kind"], "Status", "{m} {p}");
                    assert_eq!(v["status"], "Failure", "{m} {p}");
                    assert_eq!(v["code"], code, "{m} {p}");
                    assert!(v["message"].is_string(), "{m} {p}");
                } else if ctype.starts_with("application/json") {
                    // A watch answers several JSON documents, one per line.
                    for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                        serde_json::from_slice::<Value>(line)
                            .unwrap_or_else(|e| panic!("{m} {p}: invalid JSON ({e})"));
                    }
                }
            }
            // Still serving.
            let a = common::get(&c, "/api/v1/namespaces/default/services/kubernetes").await;
            assert_eq!(a.code, 200);
        });
    }
}
