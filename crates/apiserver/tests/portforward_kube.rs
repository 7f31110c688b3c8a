//! kube-rs's own port-forward (`Api::portforward`, `?ports=` over `v4.channel.k8s.io`) against
//! the router on a plain-HTTP loopback listener: the data channel reaches nginx in the pod,
//! the error channel of a port nothing listens on carries the runtime's refusal.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kubedrill_apiserver::{Cluster, router};
use kubedrill_sim::Sim;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WEB: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
";

async fn client() -> kube::Client {
    let (mut sim, _clock) = Sim::default_with_clock().unwrap();
    sim.apply_yaml(WEB).unwrap();
    let cluster = Cluster::new("t", sim);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(cluster)).await;
    });
    let config = kube::Config::new(format!("http://{addr}").parse().unwrap());
    kube::Client::try_from(config).unwrap()
}

#[tokio::test]
async fn kube_rs_port_forward_reaches_nginx_and_reports_a_refused_port() {
    let pods: Api<Pod> = Api::namespaced(client().await, "default");
    let mut pf = pods.portforward("web", &[80, 8080]).await.unwrap();
    let mut s = pf.take_stream(80).expect("stream of port 80");
    s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: kube-rs\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !got.ends_with(b"</html>\n") {
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), s.read(&mut buf))
            .await
            .expect("nginx answers")
            .unwrap();
        assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8(got).unwrap();
    assert!(
        text.starts_with("HTTP/1.1 200 OK\r\nServer: nginx/1.27.5\r\n"),
        "{text}"
    );
    assert!(text.contains("<h1>Welcome to nginx!</h1>"));

    let err = pf.take_error(8080).expect("error channel of 8080");
    let msg = tokio::time::timeout(std::time::Duration::from_secs(5), err)
        .await
        .expect("an error arrives")
        .expect("an error message");
    assert!(
        msg.contains("failed to connect to localhost:8080 inside namespace")
            && msg.contains("dial tcp4 127.0.0.1:8080: connect: connection refused"),
        "{msg}"
    );
}

/// A raw WebSocket handshake offering `protocol`; the status line and body of the answer.
async fn handshake(query: &str, protocol: &str) -> String {
    let (mut sim, _clock) = Sim::default_with_clock().unwrap();
    sim.apply_yaml(WEB).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(Cluster::new("t", sim))).await;
    });
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "GET /api/v1/namespaces/default/pods/web/portforward{query} HTTP/1.1\r\nHost: {addr}\r\n\
         Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: hm5gbjDJxo4hBLDhzvXOtg==\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n"
    );
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut out = vec![0u8; 4096];
    let n = tcp.read(&mut out).await.unwrap();
    String::from_utf8_lossy(&out[..n]).into_owned()
}

#[tokio::test]
async fn the_channel_protocol_without_ports_is_a_bad_request() {
    let got = handshake("", "v4.channel.k8s.io").await;
    assert!(got.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{got}");
    assert!(
        got.contains(r#"query parameter \"port\" is required"#),
        "{got}"
    );
    let bad = handshake("?ports=80,http", "v4.channel.k8s.io").await;
    assert!(
        bad.contains(r#"unable to parse \"80,http\" as a port: strconv.ParseUint: parsing \"http\": invalid syntax"#),
        "{bad}"
    );
}

#[tokio::test]
async fn an_unknown_subprotocol_is_refused_with_wsstreams_words() {
    let got = handshake("", "v5.channel.k8s.io, foo").await;
    assert!(got.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{got}");
    assert!(
        got.contains("requested protocol(s) are not supported: [v5.channel.k8s.io foo]; supports [SPDY/3.1+portforward.k8s.io v4.channel.k8s.io]"),
        "{got}"
    );
}
