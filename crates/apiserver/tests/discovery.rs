//! Discovery, health, auth and the audit log through the router.

mod common;

use axum::body::Body;
use common::*;
use kubedrill_apiserver::Cluster;
use kubedrill_sim::Sim;

const AGG: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

#[tokio::test]
async fn version_reports_1_35() {
    let (c, _) = cluster();
    let v = get(&c, "/version?timeout=5s").await.json();
    assert_eq!(v["major"], "1");
    assert_eq!(v["minor"], "35");
    assert_eq!(v["gitVersion"], "v1.35.0");
    assert_eq!(v["platform"], "linux/amd64");
}

#[tokio::test]
async fn aggregated_discovery_answers_with_its_content_type() {
    let (c, _) = cluster();
    let a = call(
        &c,
        "GET",
        "/apis?timeout=32s",
        &[("accept", AGG)],
        Body::empty(),
    )
    .await;
    assert_eq!(
        a.content_type(),
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    );
    let v = a.json();
    assert_eq!(v["kind"], "APIGroupDiscoveryList");
    let apps = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["metadata"]["name"] == "apps")
        .unwrap();
    let deploy = apps["versions"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "deployments")
        .unwrap();
    assert_eq!(deploy["shortNames"][0], "deploy");
    assert_eq!(deploy["categories"][0], "all");
    assert_eq!(deploy["scope"], "Namespaced");
    let scale = deploy["subresources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subresource"] == "scale")
        .unwrap();
    assert_eq!(scale["responseKind"]["kind"], "Scale");
    assert_eq!(scale["responseKind"]["group"], "autoscaling");

    let a = call(&c, "GET", "/api", &[("accept", AGG)], Body::empty()).await;
    let v = a.json();
    assert_eq!(v["items"][0]["metadata"]["name"], "");
    let res = v["items"][0]["versions"][0]["resources"]
        .as_array()
        .unwrap();
    let svc = res.iter().find(|r| r["resource"] == "services").unwrap();
    assert_eq!(svc["shortNames"][0], "svc");
    let node = res.iter().find(|r| r["resource"] == "nodes").unwrap();
    assert_eq!(node["scope"], "Cluster");
}

#[tokio::test]
async fn legacy_discovery_documents_list_groups_and_subresources() {
    let (c, _) = cluster();
    let v = get(&c, "/api").await.json();
    assert_eq!(v["kind"], "APIVersions");
    assert_eq!(v["versions"][0], "v1");
    let v = get(&c, "/apis").await.json();
    assert_eq!(v["kind"], "APIGroupList");
    let names: Vec<&str> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["apps", "discovery.k8s.io", "networking.k8s.io"]);
    let v = get(&c, "/api/v1").await.json();
    assert_eq!(v["kind"], "APIResourceList");
    let res = v["resources"].as_array().unwrap();
    let ev = res.iter().find(|r| r["name"] == "pods/eviction").unwrap();
    assert_eq!(ev["group"], "policy");
    assert_eq!(ev["kind"], "Eviction");
    assert!(res.iter().any(|r| r["name"] == "pods/log"));
    let v = get(&c, "/apis/apps/v1").await.json();
    assert_eq!(v["groupVersion"], "apps/v1");
    let v = get(&c, "/apis/networking.k8s.io").await.json();
    assert_eq!(v["kind"], "APIGroup");
    assert_eq!(
        v["preferredVersion"]["groupVersion"],
        "networking.k8s.io/v1"
    );
}

#[tokio::test]
async fn health_endpoints_answer_ok_and_openapi_v2_is_404() {
    let (c, _) = cluster();
    for p in ["/healthz", "/livez", "/readyz"] {
        let a = get(&c, p).await;
        assert_eq!(a.code, 200);
        assert_eq!(a.text(), "ok");
    }
    assert_eq!(get(&c, "/openapi/v2").await.code, 404);
    assert_eq!(get(&c, "/openapi/v3").await.code, 200);
}

#[tokio::test]
async fn without_the_token_requests_are_401_unauthorized() {
    let (sim, _) = Sim::default_with_clock().unwrap();
    let c = Cluster::with_token("t", sim, "s3cret");
    let a = get(&c, "/api/v1/services").await;
    assert_eq!(a.code, 401);
    assert_eq!(
        a.json(),
        serde_json::json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                           "message":"Unauthorized","reason":"Unauthorized","code":401})
    );
    let a = call(
        &c,
        "GET",
        "/api/v1/services",
        &[("authorization", "Bearer wrong")],
        Body::empty(),
    )
    .await;
    assert_eq!(a.code, 401);
    let a = call(
        &c,
        "GET",
        "/version",
        &[("authorization", "Bearer wrong")],
        Body::empty(),
    )
    .await;
    assert_eq!(a.code, 401);
    let a = call(
        &c,
        "GET",
        "/api/v1/services",
        &[("authorization", "Bearer s3cret")],
        Body::empty(),
    )
    .await;
    assert_eq!(a.code, 200);
    // The scheme is case-insensitive, as the bearer token authenticator reads it.
    let a = call(
        &c,
        "GET",
        "/api/v1/services",
        &[("authorization", "bearer s3cret")],
        Body::empty(),
    )
    .await;
    assert_eq!(a.code, 200);
    let a = call(
        &c,
        "GET",
        "/api/v1/services",
        &[("authorization", "Bearer")],
        Body::empty(),
    )
    .await;
    assert_eq!(a.code, 401);
    // Public info stays open to anonymous requests.
    assert_eq!(get(&c, "/version").await.code, 200);
}

#[tokio::test]
async fn audit_log_records_reads_and_writes_with_kubectl_command() {
    let (c, _) = cluster();
    call(
        &c,
        "GET",
        "/api/v1/namespaces/default/services/kubernetes",
        &[
            ("user-agent", "kubectl/v1.32.4"),
            ("kubectl-command", "kubectl get"),
        ],
        Body::empty(),
    )
    .await;
    send(
        &c,
        "PATCH",
        "/api/v1/namespaces/default/services/kubernetes",
        "application/merge-patch+json",
        r#"{"metadata":{"labels":{"x":"y"}}}"#,
    )
    .await;
    get(&c, "/api/v1/pods").await;
    let log = c.audit();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].verb, "get");
    assert_eq!(log[0].user_agent, "kubectl/v1.32.4");
    assert_eq!(log[0].kubectl_command.as_deref(), Some("kubectl get"));
    assert_eq!(log[0].name.as_deref(), Some("kubernetes"));
    assert_eq!(log[0].body, None);
    assert_eq!(log[1].verb, "patch");
    assert_eq!(
        log[1].body.as_deref(),
        Some(r#"{"metadata":{"labels":{"x":"y"}}}"#)
    );
    assert_eq!(
        log[1].content_type.as_deref(),
        Some("application/merge-patch+json")
    );
    assert_eq!(log[1].code, 200);
    assert_eq!(log[2].verb, "list");
    assert_eq!(log[2].namespace, None);
    assert_eq!(c.audit_since(2).len(), 1);
}

fn header<'a>(a: &'a common::Answer, name: &str) -> &'a str {
    a.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn openapi_documents_follow_their_index_hash_and_redirect_stale_ones() {
    // kube-openapi handler3: the index points at `?hash=<etag>`; that URL is immutable, and an
    // outdated hash is answered 301 with the current URL so a client's cache never serves it.
    let (c, _) = cluster();
    let index = get(&c, "/openapi/v3?timeout=32s").await;
    assert_eq!(index.code, 200);
    assert!(header(&index, "etag").starts_with('"'));
    let url = index.json()["paths"]["api/v1"]["serverRelativeURL"]
        .as_str()
        .unwrap()
        .to_string();
    let hash = url.split("hash=").nth(1).unwrap().to_string();

    let doc = get(&c, &format!("{url}&timeout=32s")).await;
    assert_eq!(doc.code, 200);
    assert_eq!(header(&doc, "etag"), format!("\"{hash}\""));
    assert_eq!(header(&doc, "cache-control"), "public, immutable");
    assert!(doc.json()["components"]["schemas"].is_object());

    let stale = get(&c, "/openapi/v3/api/v1?hash=0123").await;
    assert_eq!(stale.code, 301);
    assert_eq!(header(&stale, "location"), url);

    // Without a hash the document is served but not marked immutable.
    let plain = get(&c, "/openapi/v3/api/v1").await;
    assert_eq!(plain.code, 200);
    assert_eq!(header(&plain, "cache-control"), "");
    assert_eq!(get(&c, "/openapi/v3/apis/nope/v1").await.code, 404);
}
