//! What a write answers: the object as that write stored it, before the controllers reacted —
//! as a real API server, whose response is what it persisted (`kubectl create deployment -o
//! yaml` shows `status: {}`, `kubectl run -o yaml` a Pending pod). A later GET sees the
//! controllers' work.

#![allow(clippy::unwrap_used)]

mod common;

use serde_json::json;

#[tokio::test]
async fn create_answers_the_deployment_before_its_controller_ran() {
    let (c, _) = common::cluster();
    let uri = "/apis/apps/v1/namespaces/default/deployments";
    let made = common::post_json(&c, uri, &common::deployment("web", 2)).await;
    assert_eq!(made.code, 201);
    let made = made.json();
    assert_eq!(made["status"], json!({}));
    assert_eq!(made["metadata"]["annotations"], json!(null));
    assert_eq!(made["metadata"]["generation"], 1);
    let now = common::get(&c, &format!("{uri}/web")).await.json();
    assert_eq!(now["status"]["readyReplicas"], 2);
    assert_eq!(
        now["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    assert_ne!(
        made["metadata"]["resourceVersion"],
        now["metadata"]["resourceVersion"]
    );

    // A server-side dry run answers the same way, and stores nothing.
    let dry = common::post_json(
        &c,
        &format!("{uri}?dryRun=All"),
        &common::deployment("dry", 1),
    )
    .await;
    assert_eq!(dry.code, 201);
    assert_eq!(dry.json()["status"], json!({}));
    assert_eq!(common::get(&c, &format!("{uri}/dry")).await.code, 404);
}

#[tokio::test]
async fn create_answers_a_pending_pod_and_patch_the_patched_object() {
    let (c, _) = common::cluster();
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    });
    let made = common::post_json(&c, "/api/v1/namespaces/default/pods", &pod)
        .await
        .json();
    assert_eq!(made["status"]["phase"], "Pending");
    assert_eq!(made["spec"]["nodeName"], json!(null));
    let now = common::get(&c, "/api/v1/namespaces/default/pods/p")
        .await
        .json();
    assert_eq!(now["status"]["phase"], "Running");

    let uri = "/apis/apps/v1/namespaces/default/deployments";
    common::post_json(&c, uri, &common::deployment("web", 1)).await;
    let patched = common::send(
        &c,
        "PATCH",
        &format!("{uri}/web"),
        "application/merge-patch+json",
        r#"{"spec":{"replicas":3}}"#,
    )
    .await;
    assert_eq!(patched.code, 200);
    let patched = patched.json();
    assert_eq!(patched["spec"]["replicas"], 3);
    assert_eq!(patched["metadata"]["generation"], 2);
    // The status is still the one the controller wrote for one replica.
    assert_eq!(patched["status"]["replicas"], 1);
    let now = common::get(&c, &format!("{uri}/web")).await.json();
    assert_eq!(now["status"]["replicas"], 3);

    // A patch that changes nothing answers the object as it is.
    let same = common::send(
        &c,
        "PATCH",
        &format!("{uri}/web"),
        "application/merge-patch+json",
        r#"{"spec":{"replicas":3}}"#,
    )
    .await
    .json();
    assert_eq!(
        same["metadata"]["resourceVersion"],
        now["metadata"]["resourceVersion"]
    );
}
