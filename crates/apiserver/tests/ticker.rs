//! Time-driven work on the wall clock: the ticker finishes a graceful deletion when its grace
//! period ends, without any request arriving.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use kubedrill_apiserver::{Cluster, WallClock};
use kubedrill_sim::{ClusterConfig, Sim};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn wait_for(mut f: impl AsyncFnMut() -> bool, within: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticker_ends_a_graceful_deletion_at_its_deadline() {
    let sim = Sim::new(ClusterConfig::default(), Arc::new(WallClock)).unwrap();
    let c = Cluster::new("wall", sim);
    let _ticker = c.spawn_ticker();
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sleeper"},
        "spec": {
            "terminationGracePeriodSeconds": 1,
            // `sleep` ignores SIGTERM: the pod stays for its whole grace period.
            "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}],
        },
    });
    let url = "/api/v1/namespaces/default/pods/sleeper";
    assert_eq!(
        post_json(&c, "/api/v1/namespaces/default/pods", &pod)
            .await
            .code,
        201
    );
    let running = wait_for(
        async || get(&c, url).await.json()["status"]["phase"] == "Running",
        Duration::from_secs(10),
    )
    .await;
    assert!(running, "{}", get(&c, url).await.text());
    let a = send(&c, "DELETE", url, "application/json", "").await;
    assert!(a.json()["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(
        get(&c, url).await.code,
        200,
        "still there during its grace period"
    );
    let gone = wait_for(
        async || get(&c, url).await.code == 404,
        Duration::from_secs(5),
    )
    .await;
    assert!(gone, "the ticker removed the pod after its grace period");
}
