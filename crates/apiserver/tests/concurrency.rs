//! 50 concurrent clients × 200 requests, reads mixed with optimistic-concurrency patches of one
//! counter: every request answers, and no update is lost (each patch applies or gets a 409).

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const SVC: &str = "/api/v1/namespaces/default/services/kubernetes";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_lose_no_update() {
    let (c, _) = cluster();
    let applied = Arc::new(AtomicU64::new(0));
    let conflicts = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for client in 0..50 {
        let (c, applied, conflicts) = (c.clone(), applied.clone(), conflicts.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..200 {
                if (client + i) % 4 != 0 {
                    let a = get(&c, SVC).await;
                    assert_eq!(a.code, 200);
                    continue;
                }
                // Read the counter, write counter+1 guarded by the version read.
                let cur = get(&c, SVC).await.json();
                let n: u64 = cur["metadata"]["labels"]["n"]
                    .as_str()
                    .map_or(0, |s| s.parse().unwrap());
                let rv = cur["metadata"]["resourceVersion"].as_str().unwrap().to_string();
                let patch = serde_json::json!({"metadata": {"resourceVersion": rv, "labels": {"n": (n + 1).to_string()}}});
                let a = send(&c, "PATCH", SVC, "application/merge-patch+json", &patch.to_string()).await;
                match a.code.as_u16() {
                    200 => applied.fetch_add(1, Ordering::Relaxed),
                    409 => conflicts.fetch_add(1, Ordering::Relaxed),
                    other => panic!("unexpected {other}: {}", a.text()),
                };
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let n: u64 = get(&c, SVC).await.json()["metadata"]["labels"]["n"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let applied = applied.load(Ordering::Relaxed);
    assert_eq!(n, applied, "every applied patch counted once");
    assert_eq!(applied + conflicts.load(Ordering::Relaxed), 50 * 50);
    assert_eq!(c.audit().len(), kubedrill_apiserver::audit::AUDIT_CAPACITY);
}
