//! `pods/{name}/portforward`: kubectl's WebSocket tunnel carrying SPDY/3.1
//! (`SPDY/3.1+portforward.k8s.io`, KUBECTL-CONTRACT §12.2) into the simulated pod's network
//! namespace, where each forwarded connection meets what the container really listens on.
//!
//! - `spdy`       — frames and zlib header blocks (pure).
//! - `http_bytes` — HTTP/1.1 request parsing and response bytes (pure).
//! - `backend`    — one TCP connection into the sim's network model (also the NodePorts').
//! - `session`    — the kubelet's side of one SPDY connection: stream pairs, dial, errors.

pub mod backend;
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

/// Upgrade a `GET …/pods/{name}/portforward` to the SPDY tunnel.
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
    let ws = WebSocketUpgrade::from_request_parts(parts, &())
        .await
        .map_err(|_| Refusal::bad_request("Upgrade request required"))?;
    let offered = ws
        .requested_protocols()
        .any(|p| p.to_str().is_ok_and(|p| p.trim() == SPDY_PROTOCOL));
    if !offered {
        return Err(Refusal::bad_request(format!(
            "unable to upgrade: the client must offer the {SPDY_PROTOCOL} subprotocol"
        )));
    }
    let c = c.clone();
    Ok(ws
        .protocols([SPDY_PROTOCOL])
        .on_upgrade(move |socket| tunnel(socket, c, pod)))
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
