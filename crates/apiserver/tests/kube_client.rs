//! kube-rs against the router in process (`kube::Client::new(router, "default")`): typed list,
//! get, create, merge and strategic patches, server-side apply (JSON patch needs kube's
//! `jsonpatch` feature, left off), watch, and API errors as `kube::Error::Api`.

#![allow(clippy::unwrap_used)]

mod common;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::runtime::{WatchStreamExt, watcher};
use kubedrill_apiserver::router;
use serde_json::json;
use std::time::Duration;

fn client(c: &std::sync::Arc<kubedrill_apiserver::Cluster>) -> kube::Client {
    kube::Client::new(router(c.clone()), "default")
}

#[tokio::test]
async fn kube_rs_lists_gets_and_sees_api_errors() {
    let (c, _) = common::cluster();
    let svcs: Api<Service> = Api::default_namespaced(client(&c));
    let list = svcs.list(&ListParams::default()).await.unwrap();
    assert!(list.metadata.resource_version.is_some());
    assert!(
        list.items
            .iter()
            .any(|s| s.metadata.name.as_deref() == Some("kubernetes"))
    );
    let k = svcs.get("kubernetes").await.unwrap();
    assert_eq!(k.spec.unwrap().cluster_ip.as_deref(), Some("10.96.0.1"));
    let err = svcs.get("nope").await.unwrap_err();
    match err {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 404);
            assert_eq!(s.reason, "NotFound");
            assert_eq!(s.message, "services \"nope\" not found");
        }
        other => panic!("{other:?}"),
    }
    let all: Api<Pod> = Api::all(client(&c));
    let pods = all
        .list(&ListParams::default().labels("k8s-app=kube-dns"))
        .await
        .unwrap();
    assert!(!pods.items.is_empty());
}

#[tokio::test]
async fn kube_rs_creates_and_patches_with_merge_strategic_and_apply() {
    let (c, _) = common::cluster();
    let svcs: Api<Service> = Api::default_namespaced(client(&c));
    let svc: Service = serde_json::from_value(common::service("web")).unwrap();
    let created = svcs.create(&PostParams::default(), &svc).await.unwrap();
    assert!(created.metadata.uid.is_some());
    let merged = svcs
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"m": "1"}}})),
        )
        .await
        .unwrap();
    assert_eq!(merged.metadata.labels.unwrap()["m"], "1");
    let smp = svcs
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Strategic(json!({"spec": {"type": "NodePort"}})),
        )
        .await
        .unwrap();
    assert_eq!(smp.spec.unwrap().type_.as_deref(), Some("NodePort"));
    let applied = svcs
        .patch(
            "applied",
            &PatchParams::apply("kubedrill-test"),
            &Patch::Apply(json!({
                "apiVersion": "v1", "kind": "Service", "metadata": {"name": "applied"},
                "spec": {"ports": [{"port": 80}]},
            })),
        )
        .await
        .unwrap();
    assert_eq!(applied.metadata.name.as_deref(), Some("applied"));
    let conflict = svcs.create(&PostParams::default(), &svc).await.unwrap_err();
    assert!(
        matches!(conflict, kube::Error::Api(ref s) if s.reason == "AlreadyExists"),
        "{conflict:?}"
    );
}

#[tokio::test]
async fn kube_rs_watch_sees_changes_after_its_version() {
    let (c, _) = common::cluster();
    let svcs: Api<Service> = Api::default_namespaced(client(&c));
    let rv = svcs
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let stream = svcs
        .watch(&WatchParams::default().timeout(2), &rv)
        .await
        .unwrap();
    let mut stream = stream.boxed();
    let svc: Service = serde_json::from_value(common::service("web")).unwrap();
    svcs.create(&PostParams::default(), &svc).await.unwrap();
    let ev = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    match ev {
        WatchEvent::Added(s) => assert_eq!(s.metadata.name.as_deref(), Some("web")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn kube_rs_watcher_lists_then_follows() {
    let (c, _) = common::cluster();
    let pods: Api<Pod> = Api::namespaced(client(&c), "kube-system");
    let mut objs = watcher(pods, watcher::Config::default())
        .applied_objects()
        .boxed();
    let first = tokio::time::timeout(Duration::from_secs(5), objs.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(first.metadata.namespace.as_deref(), Some("kube-system"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_over_loopback_tls_with_the_written_kubeconfig() {
    let (sim, _) = kubedrill_sim::Sim::default_with_clock().unwrap();
    let mut server = kubedrill_apiserver::Server::new().unwrap();
    server.add("tls", sim, 0).await.unwrap();
    let text = kubedrill_apiserver::kubeconfig::render(&server.contexts());
    let kc = kube::config::Kubeconfig::from_yaml(&text).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kc.clone(), &Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let svcs: Api<Service> = Api::default_namespaced(client);
    let k = svcs.get("kubernetes").await.unwrap();
    assert_eq!(k.metadata.name.as_deref(), Some("kubernetes"));
    // The same server without the token: 401 Unauthorized.
    let mut anon = kc;
    anon.auth_infos[0].auth_info.as_mut().unwrap().token = None;
    let config = kube::Config::from_custom_kubeconfig(anon, &Default::default())
        .await
        .unwrap();
    let svcs: Api<Service> = Api::default_namespaced(kube::Client::try_from(config).unwrap());
    match svcs.get("kubernetes").await.unwrap_err() {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (401, "Unauthorized")),
        other => panic!("{other:?}"),
    }
}
