//! Watch through the router: synthetic ADDED from "any" version, replay after a version, the
//! 410 ERROR event for a version older than the log, the initial-events bookmark, selectors,
//! Tables in events, and events of writes that happen while the watch is open.

#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use common::*;
use http_body_util::BodyExt;
use kubedrill_apiserver::{Cluster, router};
use kubedrill_sim::{ClusterConfig, ManualClock, Sim};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

/// Open a watch and read `n` event lines (or until the stream ends), 5 s at most per line.
async fn events(c: &Arc<Cluster>, uri: &str, accept: &str, n: usize) -> Vec<Value> {
    events_within(c, uri, accept, n, Duration::from_secs(5)).await
}

async fn events_within(
    c: &Arc<Cluster>,
    uri: &str,
    accept: &str,
    n: usize,
    per_line: Duration,
) -> Vec<Value> {
    let req = http::Request::get(uri)
        .header("accept", accept)
        .body(Body::empty())
        .unwrap();
    let resp = router(c.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = resp.into_body();
    let mut buf = Vec::new();
    let mut out = Vec::new();
    while out.len() < n {
        let frame = tokio::time::timeout(per_line, body.frame())
            .await
            .expect("watch event within 5s");
        let Some(frame) = frame else { break };
        let Ok(data) = frame.unwrap().into_data() else {
            continue;
        };
        buf.extend_from_slice(&data);
        while let Some(i) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=i).collect();
            out.push(serde_json::from_slice(&line).unwrap());
        }
    }
    out
}

fn rv(v: &Value) -> u64 {
    v["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn watch_from_any_version_starts_with_added_for_matching_objects() {
    let (c, _) = cluster();
    let evs = events(
        &c,
        "/api/v1/namespaces/default/services?watch=true&timeoutSeconds=1",
        "application/json",
        10,
    )
    .await;
    assert_eq!(evs.len(), 1, "{evs:?}");
    assert_eq!(evs[0]["type"], "ADDED");
    assert_eq!(evs[0]["object"]["metadata"]["name"], "kubernetes");
}

#[tokio::test]
async fn watch_replays_changes_after_the_given_version() {
    let (c, _) = cluster();
    let list = get(&c, "/api/v1/namespaces/default/services").await.json();
    let from = rv(&list);
    post_json(&c, "/api/v1/namespaces/default/services", &service("web")).await;
    send(
        &c,
        "DELETE",
        "/api/v1/namespaces/default/services/web",
        "application/json",
        "",
    )
    .await;
    let evs = events(
        &c,
        &format!(
            "/api/v1/namespaces/default/services?watch=true&resourceVersion={from}&timeoutSeconds=1"
        ),
        "application/json",
        10,
    )
    .await;
    let types: Vec<&str> = evs.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.first(), Some(&"ADDED"));
    assert_eq!(types.last(), Some(&"DELETED"));
    assert!(evs.iter().all(|e| e["object"]["metadata"]["name"] == "web"));
    assert!(evs.iter().all(|e| rv(&e["object"]) > from));
}

#[tokio::test]
async fn watch_delivers_writes_made_while_it_is_open() {
    let (c, _) = cluster();
    let from = rv(&get(&c, "/api/v1/namespaces/default/configmaps")
        .await
        .json());
    let c2 = c.clone();
    let writer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        post_json(
            &c2,
            "/api/v1/namespaces/default/configmaps",
            &json!({"metadata":{"name":"a"}}),
        )
        .await;
        post_json(
            &c2,
            "/api/v1/namespaces/default/configmaps",
            &json!({"metadata":{"name":"b"}}),
        )
        .await;
    });
    let evs = events(&c, &format!("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={from}&fieldSelector=metadata.name%3Db"), "application/json", 1).await;
    writer.await.unwrap();
    assert_eq!(evs[0]["type"], "ADDED");
    assert_eq!(evs[0]["object"]["metadata"]["name"], "b");
}

#[tokio::test]
async fn watch_from_a_version_older_than_the_log_is_an_error_event_410_expired() {
    let config = ClusterConfig {
        watch_window: 5,
        ..ClusterConfig::default()
    };
    let sim = Sim::new(config, Arc::new(ManualClock::at_epoch())).unwrap();
    let c = Cluster::new("small", sim);
    let evs = events(
        &c,
        "/api/v1/namespaces/default/services?watch=true&resourceVersion=1",
        "application/json",
        5,
    )
    .await;
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0]["type"], "ERROR");
    let st = &evs[0]["object"];
    assert_eq!(st["kind"], "Status");
    assert_eq!(st["code"], 410);
    assert_eq!(st["reason"], "Expired");
    assert!(
        st["message"]
            .as_str()
            .unwrap()
            .starts_with("too old resource version: 1 (")
    );
}

#[tokio::test]
async fn send_initial_events_ends_with_the_initial_events_end_bookmark() {
    let (c, _) = cluster();
    let evs = events(&c, "/api/v1/namespaces/default/services?&watch=true&timeoutSeconds=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=0", "application/json", 2).await;
    assert_eq!(evs[0]["type"], "ADDED");
    assert_eq!(evs[1]["type"], "BOOKMARK");
    assert_eq!(
        evs[1]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    assert_eq!(evs[1]["object"]["kind"], "Service");
}

#[tokio::test]
async fn watch_with_table_accept_wraps_each_object_in_a_table() {
    let (c, _) = cluster();
    let evs = events(
        &c,
        "/api/v1/namespaces/default/services?watch=true&timeoutSeconds=1",
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        1,
    )
    .await;
    assert_eq!(evs[0]["type"], "ADDED");
    assert_eq!(evs[0]["object"]["kind"], "Table");
}

#[tokio::test]
async fn a_bad_resource_version_is_400() {
    let (c, _) = cluster();
    let a = get(&c, "/api/v1/services?watch=true&resourceVersion=abc").await;
    assert_eq!(a.code, 400);
}

#[tokio::test]
async fn logs_follow_streams_new_lines_until_the_pod_goes() {
    let (c, _) = cluster();
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                     "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
    let created = post_json(&c, "/api/v1/namespaces/default/pods", &pod)
        .await
        .json();
    let uid = created["metadata"]["uid"].as_str().unwrap().to_string();
    c.write(|s| s.append_log(&uid, "c", "first"));
    let req = http::Request::get("/api/v1/namespaces/default/pods/web/log?follow=true")
        .body(Body::empty())
        .unwrap();
    let resp = router(c.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = resp.into_body();
    let mut next = async || {
        let f = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .unwrap();
        f.map(|f| String::from_utf8(f.unwrap().into_data().unwrap().to_vec()).unwrap())
    };
    assert_eq!(next().await.as_deref(), Some("first\n"));
    c.write(|s| s.append_log(&uid, "c", "second"));
    assert_eq!(next().await.as_deref(), Some("second\n"));
    send(
        &c,
        "DELETE",
        "/api/v1/namespaces/default/pods/web?gracePeriodSeconds=0",
        "application/json",
        "",
    )
    .await;
    assert_eq!(next().await, None, "the stream ends with the pod");
}

#[tokio::test]
async fn an_object_leaving_the_label_selector_is_deleted_for_the_watch_and_added_when_back() {
    let (c, _) = cluster();
    let cms = "/api/v1/namespaces/default/configmaps";
    post_json(
        &c,
        cms,
        &json!({"metadata": {"name": "a", "labels": {"w": "1"}}}),
    )
    .await;
    let from = rv(&get(&c, &format!("{cms}?labelSelector=w%3D1")).await.json());
    let relabel = |v: &'static str| {
        let c = c.clone();
        async move {
            let body = json!({"metadata": {"labels": {"w": v}}}).to_string();
            let a = send(
                &c,
                "PATCH",
                "/api/v1/namespaces/default/configmaps/a",
                "application/merge-patch+json",
                &body,
            )
            .await;
            assert_eq!(a.code, 200);
        }
    };
    relabel("2").await;
    relabel("3").await;
    relabel("1").await;
    let evs = events(
        &c,
        &format!("{cms}?watch=true&labelSelector=w%3D1&resourceVersion={from}&timeoutSeconds=1"),
        "application/json",
        5,
    )
    .await;
    let seen: Vec<(&str, &str)> = evs
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap(),
                e["object"]["metadata"]["labels"]["w"].as_str().unwrap(),
            )
        })
        .collect();
    // Leaving: DELETED with the last matching state; the change outside is not sent; back: ADDED.
    assert_eq!(seen, [("DELETED", "1"), ("ADDED", "1")]);
    assert!(
        rv(&evs[0]["object"]) > from,
        "the DELETED carries the event's version"
    );
}

#[tokio::test(start_paused = true)]
async fn an_idle_watch_gets_bookmarks_every_30s_and_ends_at_its_timeout() {
    let (c, _) = cluster();
    let now = rv(&get(&c, "/api/v1/namespaces/default/services").await.json());
    let started = tokio::time::Instant::now();
    // Time is paused: it jumps to the next timer whenever everything waits.
    let evs = events_within(
        &c,
        &format!("/api/v1/namespaces/default/services?watch=true&allowWatchBookmarks=true&timeoutSeconds=70&resourceVersion={now}"),
        "application/json",
        10,
        Duration::from_secs(3600),
    )
    .await;
    let types: Vec<&str> = evs.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["BOOKMARK", "BOOKMARK"]);
    assert_eq!(rv(&evs[0]["object"]), now);
    assert_eq!(evs[0]["object"]["kind"], "Service");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(70) && elapsed < Duration::from_secs(71),
        "{elapsed:?}"
    );
}
