//! exec and attach at the socket: kube-rs's client (one `Sec-WebSocket-Protocol` header offering
//! v5 and v4), a raw v4-only client, PING answered by PONG, stdin closed by the v5 close
//! channel, the Status on channel 3 and a normal close — over a plain loopback listener.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures::{SinkExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams};
use kubedrill_apiserver::{Cluster, router};
use kubedrill_sim::Sim;
use std::sync::Arc;
use tokio::io::AsyncReadExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Message, http::HeaderValue};

const CLUSTER: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: bb}
spec:
  containers: [{name: bb, image: busybox, command: [sleep, '3600']}]
";

async fn serve() -> (Arc<Cluster>, std::net::SocketAddr) {
    let (mut sim, _clock) = Sim::default_with_clock().unwrap();
    sim.apply_yaml(CLUSTER).unwrap();
    let cluster = Cluster::new("t", sim);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(cluster.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (cluster, addr)
}

#[tokio::test]
async fn kube_rs_exec_reads_stdout_and_the_exit_status() {
    let (_c, addr) = serve().await;
    let config = kube::Config::new(format!("http://{addr}").parse().unwrap());
    let client = kube::Client::try_from(config).unwrap();
    let pods: Api<Pod> = Api::namespaced(client, "default");
    let mut p = pods
        .exec(
            "bb",
            ["sh", "-c", "wget -qO- web | head -n 1; exit 3"],
            &AttachParams::default().stderr(true),
        )
        .await
        .unwrap();
    let mut out = String::new();
    p.stdout().unwrap().read_to_string(&mut out).await.unwrap();
    let status = p.take_status().unwrap().await.unwrap();
    assert_eq!(out, "<!DOCTYPE html>\n");
    assert_eq!(status.status.as_deref(), Some("Failure"));
    assert_eq!(status.reason.as_deref(), Some("NonZeroExitCode"));
    let cause = &status.details.unwrap().causes.unwrap()[0];
    assert_eq!(cause.reason.as_deref(), Some("ExitCode"));
    assert_eq!(cause.message.as_deref(), Some("3"));
}

fn request(
    addr: std::net::SocketAddr,
    path: &str,
    protocol: &str,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut req = format!("ws://{addr}{path}").into_client_request().unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(protocol).unwrap(),
    );
    req
}

#[tokio::test]
async fn v5_session_pongs_reads_stdin_to_the_close_channel_and_ends_with_status_and_close() {
    let (_c, addr) = serve().await;
    let path =
        "/api/v1/namespaces/default/pods/bb/exec?command=sh&stdin=true&stdout=true&stderr=true";
    let (mut ws, resp) = tokio_tungstenite::connect_async(request(addr, path, "v5.channel.k8s.io"))
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["sec-websocket-protocol"],
        "v5.channel.k8s.io"
    );
    ws.send(Message::Ping(b"k".to_vec().into())).await.unwrap();
    let pong = ws.next().await.unwrap().unwrap();
    assert_eq!(pong, Message::Pong(b"k".to_vec().into()));
    ws.send(Message::Binary(b"\x00echo hi\nnosuch\n".to_vec().into()))
        .await
        .unwrap();
    ws.send(Message::Binary(vec![255, 0].into())).await.unwrap();
    let mut frames = Vec::new();
    while let Some(Ok(m)) = ws.next().await {
        frames.push(m);
    }
    assert_eq!(frames[0], Message::Binary(b"\x01hi\n".to_vec().into()));
    assert_eq!(
        frames[1],
        Message::Binary(b"\x02sh: nosuch: not found\n".to_vec().into())
    );
    let Message::Binary(status) = &frames[2] else {
        panic!("{frames:?}")
    };
    assert_eq!(status[0], 3);
    let v: serde_json::Value = serde_json::from_slice(&status[1..]).unwrap();
    assert_eq!(v["details"]["causes"][0]["message"], "127", "{v}");
    let Message::Close(Some(close)) = &frames[3] else {
        panic!("{frames:?}")
    };
    assert_eq!(u16::from(close.code), 1000);
}

#[tokio::test]
async fn a_v4_only_client_gets_v4_and_success() {
    let (_c, addr) = serve().await;
    let path = "/api/v1/namespaces/default/pods/bb/exec?command=echo&command=ok&stdout=true";
    let (mut ws, resp) = tokio_tungstenite::connect_async(request(addr, path, "v4.channel.k8s.io"))
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["sec-websocket-protocol"],
        "v4.channel.k8s.io"
    );
    let first = ws.next().await.unwrap().unwrap();
    assert_eq!(first, Message::Binary(b"\x01ok\n".to_vec().into()));
    let Message::Binary(status) = ws.next().await.unwrap().unwrap() else {
        panic!()
    };
    assert_eq!(&status[..], b"\x03{\"metadata\":{},\"status\":\"Success\"}");
}

#[tokio::test]
async fn requests_that_cannot_be_upgraded_are_refused_before_any_session() {
    let (_c, addr) = serve().await;
    let http = reqwest_free_get(
        addr,
        "/api/v1/namespaces/default/pods/bb/exec?command=ls&stdout=true",
    )
    .await;
    assert!(http.starts_with("HTTP/1.1 400"), "{http}");
    assert!(
        http.contains("\"message\":\"Upgrade request required\""),
        "{http}"
    );
    let http = reqwest_free_get(
        addr,
        "/api/v1/namespaces/default/pods/nope/exec?command=ls&stdout=true",
    )
    .await;
    assert!(http.starts_with("HTTP/1.1 404"), "{http}");
    assert!(http.contains("pods \\\"nope\\\" not found"), "{http}");
    let http = reqwest_free_get(addr, "/api/v1/namespaces/default/pods/bb/exec?stdout=true").await;
    assert!(
        http.contains("you must specify at least one command for the container"),
        "{http}"
    );
}

#[tokio::test]
async fn the_spdy_fallback_is_refused_with_a_status() {
    let (_c, addr) = serve().await;
    let http = raw(
        addr,
        "POST /api/v1/namespaces/default/pods/bb/exec?command=ls&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
    assert!(http.starts_with("HTTP/1.1 400"), "{http}");
    assert!(http.contains("\"reason\":\"BadRequest\""), "{http}");
    assert!(http.contains("Upgrade request required"), "{http}");
}

/// A bare HTTP/1.1 GET (no upgrade headers); the whole response as text.
async fn reqwest_free_get(addr: std::net::SocketAddr, path: &str) -> String {
    raw(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    )
    .await
}

/// Send `request` as is; the whole response as text (the server closes after a refusal).
async fn raw(addr: std::net::SocketAddr, request: &str) -> String {
    use tokio::io::AsyncWriteExt;
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    s.shutdown().await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}
