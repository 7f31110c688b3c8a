//! `pods/{name}/portforward`: kubectl's WebSocket tunnel carrying SPDY/3.1
//! (`SPDY/3.1+portforward.k8s.io`, KUBECTL-CONTRACT §12.2) into the simulated pod's network
//! namespace, where each forwarded connection meets what the container really listens on.
//!
//! - `spdy`       — frames and zlib header blocks (pure).
//! - `http_bytes` — HTTP/1.1 request parsing and response bytes (pure).
//! - `backend`    — one TCP connection into the sim's network model (also the NodePorts').
//! - `session`    — the kubelet's side of one SPDY connection: stream pairs, dial, errors.
//! - `channels`   — kube-rs's protocol: `?ports=` over `v4.channel.k8s.io` channels.

pub mod backend;
pub mod channels;
pub mod http_bytes;
pub mod session;
pub mod spdy;

use axum::extract::FromRequestParts;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use kubedrill_sim::{Kind, meta};
use std::sync::Arc;

use crate::cluster::Cluster;
use crate::path::Target;
use crate::status::Refusal;
use session::{PodRef, Session};

/// The subprotocol kubectl offers for port-forward over WebSocket.
pub const SPDY_PROTOCOL: &str = "SPDY/3.1+portforward.k8s.io";

/// Whether `t` names the portforward subresource of a pod.
pub fn is_portforward(t: &Target) -> bool {
    t.kind == Kind::Pod && t.name.is_some() && t.sub.as_deref() == Some("portforward")
}

/// Upgrade a `GET …/pods/{name}/portforward` to the SPDY tunnel (kubectl), or to the
/// channel protocol when the client offers `v4.channel.k8s.io` (kube-rs).
pub async fn serve(c: &Arc<Cluster>, t: &Target, parts: &mut Parts) -> Response {
    match upgrade(c, t, parts).await {
        Ok(r) => r,
        Err(r) => r.into_response(),
    }
}

async fn upgrade(c: &Arc<Cluster>, t: &Target, parts: &mut Parts) -> Result<Response, Refusal> {
    let ns = t.namespace.clone().unwrap_or_default();
    let name = t.name.clone().unwrap_or_default();
    let pod = c.read(|s| s.get(Kind::Pod, &ns, &name))?;
    let pod = PodRef {
        namespace: ns,
        name,
        uid: meta::uid(&pod).to_string(),
    };
    // The client's offer in its order (wsstream picks and reports in that order).
    let offered: Vec<String> = parts
        .headers
        .get_all(http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .flat_map(|p| p.to_str().unwrap_or("").split(','))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let ws = WebSocketUpgrade::from_request_parts(parts, &())
        .await
        .map_err(|_| Refusal::bad_request("Upgrade request required"))?;
    let offers = |want: &str| offered.iter().any(|p| p == want);
    let c = c.clone();
    if offers(SPDY_PROTOCOL) {
        return Ok(ws
            .protocols([SPDY_PROTOCOL])
            .on_upgrade(move |socket| tunnel(socket, c, pod)));
    }
    if offers(channels::PROTOCOL) {
        let query = parts.uri.query().unwrap_or("");
        let values: Vec<String> = form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k == "ports" || k == "port")
            .map(|(_, v)| v.into_owned())
            .collect();
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        let ports = channels::parse_ports(&values).map_err(Refusal::bad_request)?;
        return Ok(ws
            .protocols([channels::PROTOCOL])
            .on_upgrade(move |socket| channel_tunnel(socket, c, pod, ports)));
    }
    // wsstream's handshake refusal, with Go's `%v` of the two lists.
    Err(Refusal::bad_request(format!(
        "requested protocol(s) are not supported: [{}]; supports [{SPDY_PROTOCOL} {}]",
        offered.join(" "),
        channels::PROTOCOL
    )))
}

async fn channel_tunnel(mut socket: WebSocket, c: Arc<Cluster>, pod: PodRef, ports: Vec<u16>) {
    let (mut chans, first) = channels::Channels::open(&c, &pod, &ports);
    for m in first {
        if socket.send(Message::Binary(m.into())).await.is_err() {
            return;
        }
    }
    while let Some(Ok(msg)) = socket.recv().await {
        let bytes = match msg {
            Message::Binary(b) => b,
            Message::Close(_) => break,
            _ => continue,
        };
        for m in chans.feed(&bytes) {
            if socket.send(Message::Binary(m.into())).await.is_err() {
                return;
            }
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

async fn tunnel(mut socket: WebSocket, c: Arc<Cluster>, pod: PodRef) {
    let mut session = Session::new(c, pod);
    while let Some(Ok(msg)) = socket.recv().await {
        let bytes = match msg {
            Message::Binary(b) => b,
            Message::Close(_) => break,
            // Pings are answered by the WebSocket layer; text is not part of the protocol.
            _ => continue,
        };
        let out = match session.feed(&bytes) {
            Ok(out) => out,
            Err(_) => break,
        };
        if !out.is_empty() && socket.send(Message::Binary(out.into())).await.is_err() {
            break;
        }
        if session.finished {
            break;
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}
