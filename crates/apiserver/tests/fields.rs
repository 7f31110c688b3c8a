//! The stored objects the sim makes carry only fields the Go types know: otherwise every patch
//! would see them as unknown, drop them and warn.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use kubedrill_apiserver::fields::drop_unknown;
use serde_json::json;

#[tokio::test]
async fn every_object_of_a_busy_cluster_has_only_known_fields() {
    let (c, clock) = cluster();
    post_json(
        &c,
        "/apis/apps/v1/namespaces/default/deployments",
        &deployment("web", 3),
    )
    .await;
    let mut svc = service("web");
    svc["spec"]["type"] = json!("LoadBalancer");
    post_json(&c, "/api/v1/namespaces/default/services", &svc).await;
    let ing = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"},
        "spec": {"rules": [{"host": "web.example", "http": {"paths": [{"path": "/", "pathType": "Prefix",
        "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}});
    post_json(
        &c,
        "/apis/networking.k8s.io/v1/namespaces/default/ingresses",
        &ing,
    )
    .await;
    let np = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}});
    post_json(
        &c,
        "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies",
        &np,
    )
    .await;
    let sts = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
        "spec": {"serviceName": "db", "replicas": 1, "selector": {"matchLabels": {"app": "db"}},
        "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}});
    post_json(&c, "/apis/apps/v1/namespaces/default/statefulsets", &sts).await;
    clock.advance(jiff::SignedDuration::from_secs(60));
    c.write(|s| s.tick()).unwrap();
    let mut seen = 0;
    c.read(|s| {
        for (kind, obj) in s.store().all() {
            let mut o = (**obj).clone();
            let unknown = drop_unknown(kind, &mut o);
            assert!(
                unknown.is_empty(),
                "{kind} {}: {unknown:?}",
                obj["metadata"]["name"]
            );
            seen += 1;
        }
    });
    assert!(seen > 30, "{seen}");
}
