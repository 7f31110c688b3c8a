//! The kubelet's side of one port-forward SPDY connection (`kubelet/cri/streaming/portforward/
//! httpstream.go`): every SYN_STREAM gets its SYN_REPLY, streams are paired by `requestid`
//! (one `error` and one `data` stream per local connection), and a complete pair dials the
//! pod's `localhost:port`. A refused dial is reported on the error stream with the runtime's
//! words; then both streams are half-closed, as the kubelet's deferred `Close` calls do.

use kubedrill_sim::net::Origin;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

use super::backend::{self, Conn, Dest, Dial};
use super::spdy::{self, FLAG_FIN, Frame, HeaderCodec, SpdyError};
use crate::cluster::Cluster;

/// The pod a session forwards to.
#[derive(Debug, Clone)]
pub struct PodRef {
    pub namespace: String,
    pub name: String,
    pub uid: String,
}

impl PodRef {
    /// The CRI sandbox id the runtime names in its errors: 64 hex digits, stable per pod.
    pub fn sandbox_id(&self) -> String {
        hex(&Sha256::digest(format!("sandbox/{}", self.uid)))
    }

    /// The sandbox's network namespace as containerd's CNI setup names it.
    pub fn netns_path(&self) -> String {
        let h = hex(&Sha256::digest(format!("netns/{}", self.uid)));
        format!(
            "/var/run/netns/cni-{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    /// The kubelet's error-stream text for a port nothing listens on (kubelet `httpstream.go`
    /// wrapping containerd's `sandbox_portforward_linux.go`, trailing space included).
    pub fn refused_message(&self, port: u16) -> String {
        let id = self.sandbox_id();
        format!(
            "error forwarding port {port} to pod {id}, uid : failed to execute portforward in network namespace {:?}: failed to connect to localhost:{port} inside namespace {id:?}, IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6 [::1]:{port}: connect: connection refused ",
            self.netns_path()
        )
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Default)]
struct Pair {
    data: Option<u32>,
    error: Option<u32>,
    port: Option<u16>,
    conn: Option<Conn>,
    /// Client bytes that arrived before the pair was complete.
    pending: Vec<u8>,
    done: bool,
}

/// One SPDY connection's state.
#[derive(Debug)]
pub struct Session {
    cluster: Arc<Cluster>,
    pod: PodRef,
    codec: HeaderCodec,
    inbuf: Vec<u8>,
    /// stream id → requestid of its pair.
    streams: HashMap<u32, String>,
    pairs: HashMap<String, Pair>,
    /// The peer sent GOAWAY.
    pub finished: bool,
}

impl Session {
    pub fn new(cluster: Arc<Cluster>, pod: PodRef) -> Session {
        Session {
            cluster,
            pod,
            codec: HeaderCodec::new(),
            inbuf: Vec::new(),
            streams: HashMap::new(),
            pairs: HashMap::new(),
            finished: false,
        }
    }

    /// Take the client's next bytes (any chunking); return the bytes to send back.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<u8>, SpdyError> {
        self.inbuf.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(frame) = spdy::take_frame(&mut self.inbuf)? {
            self.frame(frame, &mut out)?;
            if self.finished {
                break;
            }
        }
        // Forget finished pairs: kubectl opens a pair per local connection for as long as
        // it runs. Frames still arriving for their streams are ignored.
        self.pairs.retain(|_, p| !p.done);
        let pairs = &self.pairs;
        self.streams.retain(|_, rid| pairs.contains_key(rid));
        Ok(out)
    }

    fn frame(&mut self, frame: Frame, out: &mut Vec<u8>) -> Result<(), SpdyError> {
        match frame {
            Frame::Control { kind, payload, .. } => match kind {
                spdy::SYN_STREAM => self.syn_stream(&payload, out),
                spdy::PING => {
                    out.extend(spdy::control(spdy::PING, 0, &payload));
                    Ok(())
                }
                spdy::GOAWAY => {
                    self.finished = true;
                    Ok(())
                }
                spdy::RST_STREAM => {
                    let id = spdy::stream_id(&payload, "RST_STREAM")?;
                    if let Some(rid) = self.streams.get(&id)
                        && let Some(pair) = self.pairs.get_mut(rid)
                    {
                        pair.conn = None;
                        pair.done = true;
                    }
                    Ok(())
                }
                spdy::HEADERS => {
                    // Read to keep the shared inflate context in step; nothing uses them.
                    if payload.len() >= 4 {
                        self.codec.decode(&payload[4..])?;
                    }
                    Ok(())
                }
                // SETTINGS, WINDOW_UPDATE and anything newer: nothing to do.
                _ => Ok(()),
            },
            Frame::Data {
                stream,
                flags,
                payload,
            } => {
                self.data(stream, flags, &payload, out);
                Ok(())
            }
        }
    }

    fn syn_stream(&mut self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), SpdyError> {
        if payload.len() < 10 {
            return Err(SpdyError::Malformed("SYN_STREAM"));
        }
        let id = spdy::stream_id(payload, "SYN_STREAM")?;
        let headers = self.codec.decode(&payload[10..])?;
        let mut reply = id.to_be_bytes().to_vec();
        reply.extend(self.codec.encode(&[]));
        out.extend(spdy::control(spdy::SYN_REPLY, 0, &reply));
        let rid = spdy::header_value(&headers, "requestid")
            .unwrap_or("")
            .to_string();
        let port = spdy::header_value(&headers, "port").and_then(|p| p.parse::<u16>().ok());
        let pair = self.pairs.entry(rid.clone()).or_default();
        match spdy::header_value(&headers, "streamtype") {
            Some("error") => pair.error = Some(id),
            Some("data") => {
                pair.data = Some(id);
                pair.port = port;
            }
            _ => {}
        }
        self.streams.insert(id, rid.clone());
        self.maybe_start(&rid, out);
        Ok(())
    }

    /// A complete pair dials the pod's port.
    fn maybe_start(&mut self, rid: &str, out: &mut Vec<u8>) {
        let Some(pair) = self.pairs.get_mut(rid) else {
            return;
        };
        let (Some(data), Some(error)) = (pair.data, pair.error) else {
            return;
        };
        if pair.conn.is_some() || pair.done {
            return;
        }
        let port = pair.port.unwrap_or(0);
        let dest = Dest {
            from: Origin::Pod {
                namespace: self.pod.namespace.clone(),
                name: self.pod.name.clone(),
            },
            host: Ipv4Addr::LOCALHOST,
            port,
        };
        match backend::dial(&self.cluster, dest) {
            Dial::Open(conn) => {
                pair.conn = Some(conn);
                let pending = std::mem::take(&mut pair.pending);
                if !pending.is_empty() {
                    self.data(data, 0, &pending, out);
                }
            }
            Dial::Refused | Dial::TimedOut => {
                let msg = self.pod.refused_message(port);
                finish(pair, data, error, Some(&msg), out);
            }
            Dial::Gone(why) => {
                let msg = format!(
                    "error forwarding port {port} to pod {}, uid : {why}",
                    self.pod.sandbox_id()
                );
                finish(pair, data, error, Some(&msg), out);
            }
        }
    }

    fn data(&mut self, stream: u32, flags: u8, payload: &[u8], out: &mut Vec<u8>) {
        let Some(rid) = self.streams.get(&stream).cloned() else {
            return;
        };
        let Some(pair) = self.pairs.get_mut(&rid) else {
            return;
        };
        if pair.data != Some(stream) || pair.done {
            // The client's half-close of the error stream, or bytes after the end.
            return;
        }
        let fin = flags & FLAG_FIN != 0;
        let Some(conn) = pair.conn.as_mut() else {
            pair.pending.extend_from_slice(payload);
            return;
        };
        let got = conn.feed(payload);
        if !got.bytes.is_empty() {
            out.extend(spdy::data(stream, &got.bytes, false));
        }
        if got.close || fin {
            // The server closed, or the client did and the copy loop ends: the kubelet's
            // deferred Close half-closes both streams.
            if let Some(error) = pair.error {
                finish(pair, stream, error, None, out);
            }
        }
    }
}

fn finish(pair: &mut Pair, data: u32, error: u32, msg: Option<&str>, out: &mut Vec<u8>) {
    pair.conn = None;
    pair.done = true;
    if let Some(msg) = msg {
        out.extend(spdy::data(error, msg.as_bytes(), false));
    }
    out.extend(spdy::data(data, &[], true));
    out.extend(spdy::data(error, &[], true));
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
