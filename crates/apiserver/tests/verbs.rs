//! In-process requests through the router for every verb and every refusal of §2.4: the
//! status codes, the `Status` bodies and the objects a real API server answers with.

mod common;

use axum::body::Body;
use common::*;
use serde_json::{Value, json};

const SVCS: &str = "/api/v1/namespaces/default/services";
const DEPLOYS: &str = "/apis/apps/v1/namespaces/default/deployments";

#[tokio::test]
async fn get_of_a_missing_object_is_404_not_found_status() {
    let (c, _) = cluster();
    let a = get(&c, &format!("{SVCS}/nope")).await;
    assert_eq!(a.code, 404);
    assert_eq!(a.content_type(), "application/json");
    assert_eq!(
        a.json(),
        json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
               "message":"services \"nope\" not found","reason":"NotFound",
               "details":{"name":"nope","kind":"services"},"code":404})
    );
    let a = get(&c, &format!("{DEPLOYS}/web")).await;
    assert_eq!(a.json()["message"], "deployments.apps \"web\" not found");
    assert_eq!(a.json()["details"]["group"], "apps");
}

#[tokio::test]
async fn get_returns_the_stored_object() {
    let (c, _) = cluster();
    let a = get(&c, &format!("{SVCS}/kubernetes")).await;
    assert_eq!(a.code, 200);
    let v = a.json();
    assert_eq!(v["kind"], "Service");
    assert_eq!(v["spec"]["clusterIP"], "10.96.0.1");
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405() {
    let (c, _) = cluster();
    let a = get(&c, "/api/v1/widgets").await;
    assert_eq!(a.code, 404);
    assert_eq!(
        a.json()["message"],
        "the server could not find the requested resource"
    );
    let a = post_json(&c, &format!("{SVCS}/kubernetes"), &json!({})).await;
    assert_eq!(a.code, 405);
    assert_eq!(a.json()["reason"], "MethodNotAllowed");
    assert_eq!(
        a.json()["message"],
        "the server does not allow this method on the requested resource"
    );
    let a = post_json(&c, "/api/v1/pods", &json!({})).await;
    assert_eq!(a.code, 405);
}

#[tokio::test]
async fn list_is_a_kind_list_with_resource_version_and_selectors_filter() {
    let (c, _) = cluster();
    let a = get(&c, "/api/v1/services").await;
    let v = a.json();
    assert_eq!(v["kind"], "ServiceList");
    assert_eq!(v["apiVersion"], "v1");
    let rv: u64 = v["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rv > 0);
    let names: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"kubernetes") && names.contains(&"kube-dns"));

    let a = get(&c, "/api/v1/services?labelSelector=component%3Dapiserver").await;
    let items = a.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["metadata"]["name"], "kubernetes");

    let a = get(
        &c,
        "/api/v1/services?fieldSelector=metadata.name%3Dkube-dns",
    )
    .await;
    assert_eq!(a.json()["items"][0]["metadata"]["name"], "kube-dns");

    let a = get(&c, "/api/v1/services?fieldSelector=spec.foo%3Dx").await;
    assert_eq!(a.code, 400);
}

#[tokio::test]
async fn create_is_201_and_again_409_already_exists() {
    let (c, _) = cluster();
    let a = post_json(&c, SVCS, &service("web")).await;
    assert_eq!(a.code, 201, "{}", a.text());
    let v = a.json();
    assert_eq!(v["metadata"]["namespace"], "default");
    assert!(v["spec"]["clusterIP"].as_str().unwrap().starts_with("10."));
    let a = post_json(&c, SVCS, &service("web")).await;
    assert_eq!(a.code, 409);
    assert_eq!(a.json()["reason"], "AlreadyExists");
    assert_eq!(a.json()["message"], "services \"web\" already exists");
}

#[tokio::test]
async fn create_into_a_missing_namespace_is_404() {
    let (c, _) = cluster();
    let a = post_json(&c, "/api/v1/namespaces/nope/services", &service("web")).await;
    assert_eq!(a.code, 404);
    assert_eq!(a.json()["message"], "namespaces \"nope\" not found");
}

#[tokio::test]
async fn create_with_another_namespace_in_the_body_is_400() {
    let (c, _) = cluster();
    let mut s = service("web");
    s["metadata"]["namespace"] = json!("kube-system");
    let a = post_json(&c, SVCS, &s).await;
    assert_eq!(a.code, 400);
    assert_eq!(
        a.json()["message"],
        "the namespace of the provided object does not match the namespace sent on the request"
    );
}

#[tokio::test]
async fn invalid_objects_are_422_with_causes() {
    let (c, _) = cluster();
    let mut s = service("web");
    s["spec"]["type"] = json!("NodePort");
    s["spec"]["ports"][0]["nodePort"] = json!(99999);
    let a = post_json(&c, SVCS, &s).await;
    assert_eq!(a.code, 422);
    let v = a.json();
    assert_eq!(v["reason"], "Invalid");
    assert_eq!(
        v["message"],
        "Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 99999: provided port is not in the valid range. The range of valid ports is 30000-32767"
    );
    assert_eq!(v["details"]["kind"], "Service");
    assert_eq!(v["details"]["causes"][0]["field"], "spec.ports[0].nodePort");
    assert_eq!(v["details"]["causes"][0]["reason"], "FieldValueInvalid");
}

#[tokio::test]
async fn undecodable_json_and_yaml_bodies_are_400() {
    let (c, _) = cluster();
    let a = send(&c, "POST", SVCS, "application/json", "{\"metadata\": x}").await;
    assert_eq!(a.code, 400);
    assert_eq!(
        a.json()["message"],
        "the object provided is unrecognized (must be of type Service): couldn't get version/kind; json parse error: invalid character 'x' looking for beginning of value ({\"metadata\": x})"
    );
    let a = send(&c, "POST", SVCS, "application/yaml", "a: [").await;
    assert_eq!(a.code, 400);
    assert_eq!(a.json()["reason"], "BadRequest");
}

#[tokio::test]
async fn yaml_bodies_are_accepted() {
    let (c, _) = cluster();
    let body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n";
    let a = send(
        &c,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        "application/yaml",
        body,
    )
    .await;
    assert_eq!(a.code, 201, "{}", a.text());
    assert_eq!(a.json()["data"]["a"], "b");
}

#[tokio::test]
async fn unsupported_media_types_are_415_with_the_accepted_list() {
    let (c, _) = cluster();
    let a = send(&c, "POST", SVCS, "text/plain", "x").await;
    assert_eq!(a.code, 415);
    assert_eq!(
        a.json()["message"],
        "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf"
    );
    let a = send(
        &c,
        "PATCH",
        &format!("{SVCS}/kubernetes"),
        "application/json",
        "{}",
    )
    .await;
    assert_eq!(a.code, 415);
    assert_eq!(
        a.json()["message"],
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml"
    );
}

#[tokio::test]
async fn protobuf_bodies_go_through_the_protobuf_decoder() {
    let (c, _) = cluster();
    // Not a Kubernetes protobuf message: the decoder's refusal comes back as a 400.
    let a = send(
        &c,
        "POST",
        SVCS,
        "application/vnd.kubernetes.protobuf",
        "nope",
    )
    .await;
    assert_eq!(a.code, 400);
    assert_eq!(
        a.json()["message"],
        // transformDecodeError around the protobuf serializer's own text; the body summarized
        // as hex since it does not start with `{`.
        "the object provided is unrecognized (must be of type Service): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] (6e6f7065)"
    );
}

#[tokio::test]
async fn bodies_over_3_mib_are_413() {
    let (c, _) = cluster();
    let big = format!("{{\"x\":\"{}\"}}", "a".repeat(3 * 1024 * 1024));
    let a = send(&c, "POST", SVCS, "application/json", &big).await;
    assert_eq!(a.code, 413);
    assert_eq!(a.json()["reason"], "RequestEntityTooLarge");
    assert_eq!(
        a.json()["message"],
        "Request entity too large: limit is 3145728"
    );
}

#[tokio::test]
async fn update_with_a_stale_resource_version_is_409_conflict() {
    let (c, _) = cluster();
    let created = post_json(&c, SVCS, &service("web")).await.json();
    let mut first = created.clone();
    first["metadata"]["labels"]["v"] = json!("1");
    let a = send(
        &c,
        "PUT",
        &format!("{SVCS}/web"),
        "application/json",
        &first.to_string(),
    )
    .await;
    assert_eq!(a.code, 200, "{}", a.text());
    assert_eq!(a.json()["metadata"]["labels"]["v"], "1");
    // The same base again: its resourceVersion is now stale.
    let mut second = created;
    second["metadata"]["labels"]["v"] = json!("2");
    let a = send(
        &c,
        "PUT",
        &format!("{SVCS}/web"),
        "application/json",
        &second.to_string(),
    )
    .await;
    assert_eq!(a.code, 409);
    assert_eq!(a.json()["reason"], "Conflict");
    assert_eq!(
        a.json()["message"],
        "Operation cannot be fulfilled on services \"web\": the object has been modified; please apply your changes to the latest version and try again"
    );
}

#[tokio::test]
async fn update_with_another_name_in_the_body_is_400() {
    let (c, _) = cluster();
    post_json(&c, SVCS, &service("web")).await;
    let a = send(
        &c,
        "PUT",
        &format!("{SVCS}/web"),
        "application/json",
        &service("other").to_string(),
    )
    .await;
    assert_eq!(a.code, 400);
    assert_eq!(
        a.json()["message"],
        "the name of the object (other) does not match the name on the URL (web)"
    );
}

#[tokio::test]
async fn the_three_patch_types_apply() {
    let (c, _) = cluster();
    post_json(&c, SVCS, &service("web")).await;
    let url = format!("{SVCS}/web");
    let a = send(
        &c,
        "PATCH",
        &url,
        "application/strategic-merge-patch+json",
        r#"{"spec":{"type":"NodePort"}}"#,
    )
    .await;
    assert_eq!(a.code, 200, "{}", a.text());
    let np = a.json()["spec"]["ports"][0]["nodePort"].as_i64().unwrap();
    assert!((30000..=32767).contains(&np));
    let a = send(
        &c,
        "PATCH",
        &url,
        "application/merge-patch+json",
        r#"{"metadata":{"labels":{"x":"y"}}}"#,
    )
    .await;
    assert_eq!(
        a.json()["metadata"]["labels"],
        json!({"app": "web", "x": "y"})
    );
    let a = send(
        &c,
        "PATCH",
        &url,
        "application/json-patch+json",
        r#"[{"op":"replace","path":"/spec/ports/0/port","value":81}]"#,
    )
    .await;
    assert_eq!(a.json()["spec"]["ports"][0]["port"], 81);
    let a = send(
        &c,
        "PATCH",
        &url,
        "application/merge-patch+json",
        "{not json",
    )
    .await;
    assert_eq!(a.code, 400);
    let a = send(
        &c,
        "PATCH",
        &format!("{SVCS}/nope"),
        "application/merge-patch+json",
        "{}",
    )
    .await;
    assert_eq!(a.code, 404);
}

#[tokio::test]
async fn patch_with_a_stale_resource_version_is_409() {
    let (c, _) = cluster();
    post_json(&c, SVCS, &service("web")).await;
    let a = send(
        &c,
        "PATCH",
        &format!("{SVCS}/web"),
        "application/merge-patch+json",
        r#"{"metadata":{"resourceVersion":"1","labels":{"x":"y"}}}"#,
    )
    .await;
    assert_eq!(a.code, 409);
}

#[tokio::test]
async fn server_side_apply_creates_then_merges_and_drops_what_the_manager_dropped() {
    let (c, _) = cluster();
    let url = format!("{SVCS}/web?fieldManager=kubectl&fieldValidation=Strict&force=false");
    let mut intent = service("web");
    intent["metadata"]["labels"]["tier"] = json!("front");
    let a = send(
        &c,
        "PATCH",
        &url,
        "application/apply-patch+yaml",
        &intent.to_string(),
    )
    .await;
    assert_eq!(a.code, 201, "{}", a.text());
    assert_eq!(a.json()["metadata"]["labels"]["tier"], "front");
    // Another manager's label stays; the field this manager stopped applying goes.
    send(
        &c,
        "PATCH",
        &format!("{SVCS}/web"),
        "application/merge-patch+json",
        r#"{"metadata":{"labels":{"other":"x"}}}"#,
    )
    .await;
    let yaml = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n    targetPort: 80\n";
    let a = send(&c, "PATCH", &url, "application/apply-patch+yaml", yaml).await;
    assert_eq!(a.code, 200, "{}", a.text());
    let labels = &a.json()["metadata"]["labels"];
    assert_eq!(labels.get("tier"), None);
    assert_eq!(labels["other"], "x");
}

#[tokio::test]
async fn server_side_apply_needs_a_field_manager() {
    let (c, _) = cluster();
    let a = send(
        &c,
        "PATCH",
        &format!("{SVCS}/web"),
        "application/apply-patch+yaml",
        &service("web").to_string(),
    )
    .await;
    assert_eq!(a.code, 422);
    assert_eq!(
        a.json()["message"],
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
    );
    assert_eq!(a.json()["details"]["causes"][0]["field"], "fieldManager");
    let url = format!("{SVCS}/kubernetes?force=true");
    let a = send(&c, "PATCH", &url, "application/merge-patch+json", "{}").await;
    assert_eq!(a.code, 422);
    assert_eq!(
        a.json()["message"],
        "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch"
    );
}

#[tokio::test]
async fn delete_of_a_service_answers_status_success_naming_it() {
    let (c, _) = cluster();
    let uid = post_json(&c, SVCS, &service("web")).await.json()["metadata"]["uid"].clone();
    let a = send(
        &c,
        "DELETE",
        &format!("{SVCS}/web"),
        "application/json",
        r#"{"propagationPolicy":"Background"}"#,
    )
    .await;
    assert_eq!(a.code, 200);
    assert_eq!(
        a.json(),
        json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success",
               "details":{"name":"web","group":"","kind":"services","uid":uid}})
    );
    assert_eq!(get(&c, &format!("{SVCS}/web")).await.code, 404);
    let a = call(&c, "DELETE", &format!("{SVCS}/web"), &[], Body::empty()).await;
    assert_eq!(a.code, 404);
}

#[tokio::test]
async fn delete_of_a_running_pod_answers_the_pod_with_a_deletion_timestamp() {
    let (c, _) = cluster();
    post_json(&c, DEPLOYS, &deployment("web", 1)).await;
    let pods = get(&c, "/api/v1/namespaces/default/pods").await.json();
    let name = pods["items"][0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let a = send(
        &c,
        "DELETE",
        &format!("/api/v1/namespaces/default/pods/{name}"),
        "application/json",
        r#"{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"}"#,
    )
    .await;
    assert_eq!(a.code, 200, "{}", a.text());
    let v = a.json();
    assert_eq!(v["kind"], "Pod");
    assert!(v["metadata"]["deletionTimestamp"].is_string(), "{v}");
}

#[tokio::test]
async fn delete_with_grace_period_zero_in_the_query_removes_the_pod_at_once() {
    let (c, _) = cluster();
    post_json(&c, DEPLOYS, &deployment("web", 1)).await;
    let pods = get(&c, "/api/v1/namespaces/default/pods").await.json();
    let name = pods["items"][0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("/api/v1/namespaces/default/pods/{name}");
    let a = call(
        &c,
        "DELETE",
        &format!("{url}?gracePeriodSeconds=0"),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(a.code, 200);
    assert_eq!(get(&c, &url).await.code, 404);
}

#[tokio::test]
async fn deletecollection_deletes_what_the_selector_matches() {
    let (c, _) = cluster();
    for n in ["a", "b"] {
        post_json(
            &c,
            "/api/v1/namespaces/default/configmaps",
            &json!({"metadata":{"name":n,"labels":{"k":n}}}),
        )
        .await;
    }
    let a = call(
        &c,
        "DELETE",
        "/api/v1/namespaces/default/configmaps?labelSelector=k%3Da",
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(a.code, 200, "{}", a.text());
    assert_eq!(a.json()["kind"], "ConfigMapList");
    assert_eq!(a.json()["items"][0]["metadata"]["name"], "a");
    assert_eq!(
        get(&c, "/api/v1/namespaces/default/configmaps/a")
            .await
            .code,
        404
    );
    assert_eq!(
        get(&c, "/api/v1/namespaces/default/configmaps/b")
            .await
            .code,
        200
    );
}

#[tokio::test]
async fn dry_run_does_not_persist() {
    let (c, _) = cluster();
    let a = post_json(&c, &format!("{SVCS}?dryRun=All"), &service("web")).await;
    assert_eq!(a.code, 201);
    assert_eq!(get(&c, &format!("{SVCS}/web")).await.code, 404);
}

#[tokio::test]
async fn scale_subresource_gets_patches_and_puts_an_autoscaling_v1_scale() {
    let (c, _) = cluster();
    post_json(&c, DEPLOYS, &deployment("web", 2)).await;
    let url = format!("{DEPLOYS}/web/scale");
    let v = get(&c, &url).await.json();
    assert_eq!(v["kind"], "Scale");
    assert_eq!(v["apiVersion"], "autoscaling/v1");
    assert_eq!(v["spec"]["replicas"], 2);
    assert_eq!(v["status"]["selector"], "app=web");
    let a = send(
        &c,
        "PATCH",
        &url,
        "application/merge-patch+json",
        r#"{"spec":{"replicas":3}}"#,
    )
    .await;
    assert_eq!(a.code, 200, "{}", a.text());
    assert_eq!(a.json()["spec"]["replicas"], 3);
    let d = get(&c, &format!("{DEPLOYS}/web")).await.json();
    assert_eq!(d["spec"]["replicas"], 3);
    // PUT with a stale resourceVersion (kubectl scale --current-replicas) conflicts.
    let mut stale = v.clone();
    stale["spec"]["replicas"] = json!(1);
    let a = send(&c, "PUT", &url, "application/json", &stale.to_string()).await;
    assert_eq!(a.code, 409);
    let mut fresh = get(&c, &url).await.json();
    fresh["spec"]["replicas"] = json!(1);
    let a = send(&c, "PUT", &url, "application/json", &fresh.to_string()).await;
    assert_eq!(a.code, 200);
    assert_eq!(a.json()["spec"]["replicas"], 1);
    let a = send(
        &c,
        "PATCH",
        &url,
        "application/merge-patch+json",
        r#"{"spec":{"replicas":-1}}"#,
    )
    .await;
    assert_eq!(a.code, 422);
    assert_eq!(
        a.json()["message"],
        "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
    );
    assert_eq!(
        get(&c, "/api/v1/namespaces/default/services/kubernetes/scale")
            .await
            .code,
        404
    );
}

#[tokio::test]
async fn status_subresource_reads_and_writes_status() {
    let (c, _) = cluster();
    let a = get(&c, "/api/v1/nodes/node01/status").await;
    assert_eq!(a.code, 200);
    assert_eq!(a.json()["kind"], "Node");
}

#[tokio::test]
async fn pod_log_is_text_and_missing_pods_are_404() {
    let (c, _) = cluster();
    let pods = get(&c, "/api/v1/namespaces/kube-system/pods").await.json();
    let name = pods["items"][0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let a = get(
        &c,
        &format!("/api/v1/namespaces/kube-system/pods/{name}/log"),
    )
    .await;
    assert_eq!(a.code, 200, "{}", a.text());
    assert_eq!(a.content_type(), "text/plain");
    let a = get(&c, "/api/v1/namespaces/default/pods/nope/log").await;
    assert_eq!(a.code, 404);
    assert_eq!(a.json()["message"], "pods \"nope\" not found");
}

#[tokio::test]
async fn table_accept_answers_a_table_with_the_list_resource_version() {
    let (c, _) = cluster();
    let a = call(
        &c,
        "GET",
        "/api/v1/namespaces/default/services?limit=500",
        &[("accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")],
        Body::empty(),
    )
    .await;
    let v = a.json();
    assert_eq!(v["kind"], "Table");
    assert_eq!(v["apiVersion"], "meta.k8s.io/v1");
    assert!(v["metadata"]["resourceVersion"].is_string());
}

#[tokio::test]
async fn eviction_deletes_the_pod_with_201_success() {
    let (c, _) = cluster();
    post_json(&c, DEPLOYS, &deployment("web", 1)).await;
    let pods = get(&c, "/api/v1/namespaces/default/pods").await.json();
    let name = pods["items"][0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let body: Value = json!({"kind":"Eviction","apiVersion":"policy/v1","metadata":{"name":name,"namespace":"default"},"deleteOptions":{}});
    let a = post_json(
        &c,
        &format!("/api/v1/namespaces/default/pods/{name}/eviction"),
        &body,
    )
    .await;
    assert_eq!(a.code, 201, "{}", a.text());
    assert_eq!(a.json()["status"], "Success");
}

#[tokio::test]
async fn partial_object_metadata_accept_answers_metadata_only() {
    let (c, _) = cluster();
    let accept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
    let a = call(
        &c,
        "GET",
        &format!("{SVCS}/kubernetes"),
        &[("accept", accept)],
        Body::empty(),
    )
    .await;
    let v = a.json();
    assert_eq!(v["kind"], "PartialObjectMetadata");
    assert_eq!(v["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(v["metadata"]["name"], "kubernetes");
    assert_eq!(v.get("spec"), None);
    let accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
    let a = call(&c, "GET", SVCS, &[("accept", accept)], Body::empty()).await;
    let v = a.json();
    assert_eq!(v["kind"], "PartialObjectMetadataList");
    assert!(v["metadata"]["resourceVersion"].is_string());
    assert_eq!(v["items"][0]["kind"], "PartialObjectMetadata");
}

#[tokio::test]
async fn a_body_of_another_kind_cannot_be_handled() {
    let (c, _) = cluster();
    let mut s = service("web");
    s["kind"] = json!("service");
    let a = post_json(&c, SVCS, &s).await;
    assert_eq!(a.code, 400);
    assert_eq!(
        a.json()["message"],
        "service in version \"v1\" cannot be handled as a Service: no kind \"service\" is registered for version \"v1\" in scheme \"pkg/api/legacyscheme/scheme.go:30\""
    );
    let a = post_json(&c, SVCS, &deployment("web", 1)).await;
    assert_eq!(a.code, 400);
    assert!(
        a.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Deployment in version \"v1\" cannot be handled as a Service: "),
        "{}",
        a.text()
    );
}

#[tokio::test]
async fn an_undecodable_delete_options_body_is_the_decoders_500() {
    let (c, _) = cluster();
    let a = send(
        &c,
        "DELETE",
        &format!("{SVCS}/kubernetes"),
        "application/json",
        "{x",
    )
    .await;
    assert_eq!(a.code, 500);
    let v = a.json();
    assert_eq!(v.get("reason"), None);
    assert_eq!(
        v["message"],
        "couldn't get version/kind; json parse error: invalid character 'x' looking for beginning of object key string"
    );
    assert_eq!(get(&c, &format!("{SVCS}/kubernetes")).await.code, 200);
}

#[tokio::test]
async fn exec_on_a_missing_pod_is_404_before_anything_else() {
    let (c, _) = cluster();
    let a = get(&c, "/api/v1/namespaces/default/pods/nope/exec?command=ls").await;
    assert_eq!(a.code, 404);
    assert_eq!(a.json()["message"], "pods \"nope\" not found");
    let a = get(&c, "/api/v1/namespaces/default/services/kubernetes/bogus").await;
    assert_eq!(a.code, 404);
}

#[tokio::test]
async fn unknown_fields_are_refused_under_strict_and_dropped_with_a_warning_otherwise() {
    let (c, _) = cluster();
    let mut s = service("web");
    s["spec"]["ports"][0]["targetport"] = json!(8080);
    let a = post_json(&c, &format!("{SVCS}?fieldValidation=Strict"), &s).await;
    assert_eq!(a.code, 400);
    assert_eq!(
        a.json()["message"],
        "Service in version \"v1\" cannot be handled as a Service: strict decoding error: unknown field \"spec.ports[0].targetport\""
    );
    let a = post_json(&c, SVCS, &s).await;
    assert_eq!(a.code, 201, "{}", a.text());
    assert_eq!(
        a.headers.get("warning").unwrap(),
        "299 - \"unknown field \\\"spec.ports[0].targetport\\\"\""
    );
    assert_eq!(a.json()["spec"]["ports"][0].get("targetport"), None);
    let stored = get(&c, &format!("{SVCS}/web")).await.json();
    assert_eq!(stored["spec"]["ports"][0].get("targetport"), None);

    let url = format!("{SVCS}/web");
    let typo = r#"{"spec":{"selectr":{"app":"x"},"sessionAffinity":"ClientIP"}}"#;
    let a = send(
        &c,
        "PATCH",
        &format!("{url}?fieldValidation=Strict"),
        "application/merge-patch+json",
        typo,
    )
    .await;
    assert_eq!(a.code, 400);
    assert_eq!(
        a.json()["message"],
        "strict decoding error: unknown field \"spec.selectr\""
    );
    let a = send(
        &c,
        "PATCH",
        &url,
        "application/strategic-merge-patch+json",
        typo,
    )
    .await;
    assert_eq!(a.code, 200, "{}", a.text());
    assert_eq!(
        a.headers.get("warning").unwrap(),
        "299 - \"unknown field \\\"spec.selectr\\\"\""
    );
    assert_eq!(a.json()["spec"]["sessionAffinity"], "ClientIP");
    assert_eq!(a.json()["spec"].get("selectr"), None);
    let a = post_json(&c, &format!("{SVCS}?fieldValidation=Ignore"), &{
        let mut s2 = s.clone();
        s2["metadata"]["name"] = json!("quiet");
        s2
    })
    .await;
    assert_eq!(a.code, 201);
    assert!(a.headers.get("warning").is_none());
}
