//! The kubelet's WebSocket port-forward protocol (`kubelet/cri/streaming/portforward/
//! websocket.go`, `v4.channel.k8s.io`), which kube-rs's `Api::portforward` speaks
//! (KUBECTL-CONTRACT §12.3): `?ports=80,8080` names the ports up front; for the i-th port
//! channel `2i` carries data and `2i+1` errors. Each channel's first message is the port as two
//! little-endian bytes; after that every binary message is `[channel, bytes…]`.

use kubedrill_sim::net::Origin;
use std::net::Ipv4Addr;
use std::sync::Arc;

use super::backend::{self, Conn, Dest, Dial};
use super::session::PodRef;
use crate::cluster::Cluster;

/// The subprotocol the kubelet's WebSocket port-forward answers with (binary channels).
pub const PROTOCOL: &str = "v4.channel.k8s.io";

/// The ports of a `?ports=` query (the API server's name; the kubelet's is `port`):
/// comma-separated or repeated, parsed with the kubelet's checks and words.
pub fn parse_ports(values: &[&str]) -> Result<Vec<u16>, String> {
    let mut out = Vec::new();
    for v in values {
        if v.is_empty() {
            return Err("query parameter \"port\" cannot be empty".to_string());
        }
        for p in v.split(',') {
            // strconv.ParseUint(p, 10, 16), as the kubelet parses each one.
            let port = match p.parse::<u64>() {
                Ok(n) => u16::try_from(n).map_err(|_| "value out of range"),
                Err(_) => Err("invalid syntax"),
            };
            match port {
                Ok(0) => return Err(format!("port {p:?} must be > 0")),
                Ok(n) => out.push(n),
                Err(why) => {
                    return Err(format!(
                        "unable to parse {v:?} as a port: strconv.ParseUint: parsing {p:?}: {why}"
                    ));
                }
            }
        }
    }
    if out.is_empty() {
        return Err("query parameter \"port\" is required".to_string());
    }
    Ok(out)
}

/// One WebSocket connection's forwarded ports.
#[derive(Debug)]
pub struct Channels {
    conns: Vec<(u16, Option<Conn>)>,
}

impl Channels {
    /// Dial every port (the kubelet starts one forward per port at once); the messages to send
    /// first: each channel's port prefix, then the error text of ports that refused.
    pub fn open(cluster: &Arc<Cluster>, pod: &PodRef, ports: &[u16]) -> (Channels, Vec<Vec<u8>>) {
        let mut msgs = Vec::new();
        let mut conns = Vec::new();
        for (i, &port) in ports.iter().enumerate() {
            let (data, error) = channels_of(i);
            let [lo, hi] = port.to_le_bytes();
            msgs.push(vec![data, lo, hi]);
            msgs.push(vec![error, lo, hi]);
            let dest = Dest {
                from: Origin::Pod {
                    namespace: pod.namespace.clone(),
                    name: pod.name.clone(),
                },
                host: Ipv4Addr::LOCALHOST,
                port,
            };
            let conn = match backend::dial(cluster, dest) {
                Dial::Open(c) => Some(c),
                Dial::Refused | Dial::TimedOut => {
                    let mut m = vec![error];
                    m.extend(pod.refused_message(port).into_bytes());
                    msgs.push(m);
                    None
                }
                Dial::Gone(why) => {
                    let mut m = vec![error];
                    m.extend(
                        format!(
                            "error forwarding port {port} to pod {}, uid : {why}",
                            pod.sandbox_id()
                        )
                        .into_bytes(),
                    );
                    msgs.push(m);
                    None
                }
            };
            conns.push((port, conn));
        }
        (Channels { conns }, msgs)
    }

    /// A client message `[channel, bytes…]`; the messages to send back.
    pub fn feed(&mut self, msg: &[u8]) -> Vec<Vec<u8>> {
        let Some((&channel, bytes)) = msg.split_first() else {
            return Vec::new();
        };
        // Only data channels carry client bytes; errors flow one way.
        if channel % 2 != 0 {
            return Vec::new();
        }
        let Some((_, conn)) = self.conns.get_mut(usize::from(channel / 2)) else {
            return Vec::new();
        };
        let Some(c) = conn.as_mut() else {
            return Vec::new();
        };
        let out = c.feed(bytes);
        if out.close {
            *conn = None;
        }
        if out.bytes.is_empty() {
            return Vec::new();
        }
        let mut m = Vec::with_capacity(out.bytes.len() + 1);
        m.push(channel);
        m.extend(out.bytes);
        vec![m]
    }
}

/// The data and error channel numbers of the i-th port.
fn channels_of(i: usize) -> (u8, u8) {
    let data = u8::try_from(i * 2).unwrap_or(u8::MAX - 1);
    (data, data.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_comma_joined_or_repeated() {
        assert_eq!(parse_ports(&["80,8080"]), Ok(vec![80, 8080]));
        assert_eq!(parse_ports(&["80", "81"]), Ok(vec![80, 81]));
        assert!(parse_ports(&[]).is_err());
        assert_eq!(
            parse_ports(&["80,http"]),
            Err("unable to parse \"80,http\" as a port: strconv.ParseUint: parsing \"http\": invalid syntax".to_string())
        );
        assert_eq!(
            parse_ports(&["0"]),
            Err("port \"0\" must be > 0".to_string())
        );
    }

    #[test]
    fn port_i_uses_channels_2i_and_2i_plus_1() {
        assert_eq!(channels_of(0), (0, 1));
        assert_eq!(channels_of(2), (4, 5));
    }
}
