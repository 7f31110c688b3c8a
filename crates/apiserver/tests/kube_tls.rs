//! kube-rs over loopback TLS: a `kube::Client` built from the kubeconfig file the server
//! writes (per-run CA inline, bearer token), against `Server::add`'s listener — typed lists,
//! a merge patch, a raw watch of Pods that sees a new pod scheduled and started, and
//! kube-runtime's watcher. The in-process path is `kube_client.rs`.

#![allow(clippy::unwrap_used)]

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::runtime::{WatchStreamExt, watcher};
use kubedrill_apiserver::{Server, WallClock, kubeconfig};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A served cluster on the wall clock, and a client from its kubeconfig as written to disk.
struct Served {
    _server: Server,
    client: kube::Client,
    path: PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

async fn serve(name: &str) -> Served {
    let sim = kubedrill_sim::Sim::new(Default::default(), Arc::new(WallClock)).unwrap();
    let mut server = Server::new().unwrap();
    server.add(name, sim, 0).await.unwrap();
    let path = std::env::temp_dir().join(format!(
        "kubedrill-kube-tls-{name}-{}.kubeconfig",
        std::process::id()
    ));
    kubeconfig::write(&path, &kubeconfig::render(&server.contexts())).unwrap();
    let kc = kube::config::Kubeconfig::read_from(&path).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    assert!(
        config
            .cluster_url
            .to_string()
            .starts_with("https://127.0.0.1:"),
        "{}",
        config.cluster_url
    );
    Served {
        client: kube::Client::try_from(config).unwrap(),
        _server: server,
        path,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_lists_and_patches_services_over_tls() {
    let s = serve("list").await;
    let all: Api<Service> = Api::all(s.client.clone());
    let list = all.list(&ListParams::default()).await.unwrap();
    let mut names: Vec<(String, String)> = list
        .items
        .iter()
        .map(|svc| {
            (
                svc.metadata.namespace.clone().unwrap(),
                svc.metadata.name.clone().unwrap(),
            )
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ("default".to_string(), "kubernetes".to_string()),
            ("kube-system".to_string(), "kube-dns".to_string())
        ]
    );
    let dns = list
        .items
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some("kube-dns"))
        .unwrap();
    assert_eq!(
        dns.spec.as_ref().unwrap().cluster_ip.as_deref(),
        Some("10.96.0.10")
    );

    let svcs: Api<Service> = Api::default_namespaced(s.client.clone());
    let patched = svcs
        .patch(
            "kubernetes",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"seen-by": "kube-rs"}}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.metadata.labels.unwrap()["seen-by"], "kube-rs");
    let selected = svcs
        .list(&ListParams::default().labels("seen-by=kube-rs"))
        .await
        .unwrap();
    assert_eq!(selected.items.len(), 1);
    match svcs.get("nope").await.unwrap_err() {
        kube::Error::Api(e) => assert_eq!(
            (e.code, e.message.as_str()),
            (404, "services \"nope\" not found")
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_watches_a_new_pod_get_scheduled_and_run_over_tls() {
    let s = serve("watch").await;
    let pods: Api<Pod> = Api::default_namespaced(s.client.clone());
    let rv = pods
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut events = pods
        .watch(&WatchParams::default().timeout(10), &rv)
        .await
        .unwrap()
        .boxed();
    let pod: Pod = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }))
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    let mut seen = Vec::new();
    let mut running_on = None;
    while running_on.is_none() {
        let ev = tokio::time::timeout(Duration::from_secs(5), events.try_next())
            .await
            .expect("a watch event within 5s")
            .unwrap()
            .expect("the watch stays open");
        let (kind, p) = match ev {
            WatchEvent::Added(p) => ("ADDED", p),
            WatchEvent::Modified(p) => ("MODIFIED", p),
            other => panic!("{other:?}"),
        };
        assert_eq!(p.metadata.name.as_deref(), Some("w"));
        let status = p.status.unwrap_or_default();
        if status.phase.as_deref() == Some("Running") {
            running_on = p.spec.unwrap().node_name;
        }
        seen.push(kind);
    }
    assert_eq!(seen[0], "ADDED", "{seen:?}");
    assert!(seen[1..].iter().all(|k| *k == "MODIFIED"), "{seen:?}");
    assert!(
        running_on
            .as_deref()
            .is_some_and(|n| n.starts_with("node0")),
        "{running_on:?}"
    );

    // kube-runtime's watcher: list, then follow; the system pods come first.
    let system: Api<Pod> = Api::namespaced(s.client.clone(), "kube-system");
    let mut objs = watcher(
        system,
        watcher::Config::default().labels("k8s-app=kube-dns"),
    )
    .applied_objects()
    .boxed();
    let first = tokio::time::timeout(Duration::from_secs(5), objs.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(
        first.metadata.name.unwrap().starts_with("coredns-"),
        "a CoreDNS pod"
    );
}
