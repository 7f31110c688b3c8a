//! One forwarded TCP connection into the simulated network: dialled once, then fed the
//! client's bytes; every HTTP request in them is asked of the sim's network model
//! (`Sim::trace`) and answered with the bytes the container's server would write. Used by the
//! port-forward tunnel (from inside the pod's network namespace to `localhost:port`, as the
//! kubelet's CRI runtime dials) and by the NodePort listeners (from outside the cluster to
//! `<nodeIP>:<nodePort>`).

use kubedrill_sim::net::{HttpRequest, Origin, Protocol, Request, Verdict};
use std::net::Ipv4Addr;
use std::sync::Arc;

use super::http_bytes::{self, Parsed};
use crate::cluster::Cluster;

/// Where a connection is opened from and to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dest {
    pub from: Origin,
    /// The address dialled: `127.0.0.1` inside a pod, a node's InternalIP from outside.
    pub host: Ipv4Addr,
    pub port: u16,
}

/// How a dial ended.
#[derive(Debug)]
pub enum Dial {
    Open(Conn),
    /// RST: nothing listens (or kube-proxy REJECTs a Service without endpoints).
    Refused,
    /// Packets dropped: the client would wait until it gives up.
    TimedOut,
    /// The origin pod or node no longer exists.
    Gone(String),
}

/// What feeding bytes produced.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Bytes the server writes back.
    pub bytes: Vec<u8>,
    /// The server closed the connection after writing them.
    pub close: bool,
}

/// An open connection to a simulated socket.
#[derive(Debug)]
pub struct Conn {
    cluster: Arc<Cluster>,
    dest: Dest,
    buf: Vec<u8>,
    /// The `Server` header seen on this connection, for the 400 a server writes to garbage.
    server: Option<String>,
    /// Whether the socket speaks HTTP (a raw TCP listener just reads what it is sent).
    http: bool,
}

/// Open a TCP connection to `dest`.
pub fn dial(cluster: &Arc<Cluster>, dest: Dest) -> Dial {
    let req = Request {
        host: dest.host.to_string(),
        port: dest.port,
        protocol: Protocol::Tcp,
        http: None,
    };
    let trace = cluster.write(|s| s.trace(&dest.from, &req));
    match trace {
        Err(e) => Dial::Gone(e.to_string()),
        Ok(t) => match t.verdict {
            Verdict::Delivered { .. } => Dial::Open(Conn {
                cluster: cluster.clone(),
                dest,
                buf: Vec::new(),
                server: None,
                http: true,
            }),
            Verdict::Refused { .. } => Dial::Refused,
            Verdict::TimedOut { .. } | Verdict::DnsFailed(_) => Dial::TimedOut,
        },
    }
}

impl Conn {
    /// Hand the server the client's next bytes.
    pub fn feed(&mut self, bytes: &[u8]) -> Output {
        let mut out = Output::default();
        if !self.http {
            return out;
        }
        self.buf.extend_from_slice(bytes);
        loop {
            match http_bytes::parse(&self.buf) {
                Parsed::Incomplete => return out,
                Parsed::Garbage => {
                    let now = self.cluster.read(|s| s.now());
                    out.bytes
                        .extend(http_bytes::bad_request(self.server.as_deref(), now));
                    out.close = true;
                    self.buf.clear();
                    return out;
                }
                Parsed::Request(req, used) => {
                    self.buf.drain(..used);
                    match self.exchange(&req) {
                        Exchange::Answer(bytes) => out.bytes.extend(bytes),
                        Exchange::NotHttp => {
                            // A raw TCP server: it reads and never answers in HTTP.
                            self.http = false;
                            self.buf.clear();
                            return out;
                        }
                        Exchange::Closed => {
                            out.close = true;
                            return out;
                        }
                    }
                    if req.close {
                        out.close = true;
                        return out;
                    }
                }
            }
        }
    }

    fn exchange(&mut self, req: &http_bytes::ParsedRequest) -> Exchange {
        let request = Request {
            host: self.dest.host.to_string(),
            port: self.dest.port,
            protocol: Protocol::Tcp,
            http: Some(HttpRequest {
                path: req.target.clone(),
                host_header: req.host.clone(),
                user_agent: req.user_agent.clone(),
            }),
        };
        let dest = self.dest.clone();
        let (trace, now) = self
            .cluster
            .write(|s| (s.trace(&dest.from, &request), s.now()));
        let Ok(trace) = trace else {
            return Exchange::Closed;
        };
        match trace.verdict {
            Verdict::Delivered {
                http: Some(resp), ..
            } => {
                self.server = resp.server.clone();
                let head = req.method.eq_ignore_ascii_case("HEAD");
                Exchange::Answer(http_bytes::render(&resp, now, head, req.close))
            }
            Verdict::Delivered { http: None, .. } => Exchange::NotHttp,
            // The container stopped listening (or went away) since the connection opened.
            _ => Exchange::Closed,
        }
    }
}

enum Exchange {
    Answer(Vec<u8>),
    NotHttp,
    Closed,
}
