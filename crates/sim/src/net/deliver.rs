//! The last step of a request: the socket at the destination address. What a container
//! listens on comes from the image catalog (`images::behaviour`), and only running containers
//! listen; a node's own sockets are the kubelet (10250) everywhere and the API server (6443)
//! on control-plane nodes, plus its hostNetwork pods. An HTTP request that is accepted gets
//! the server's answer (`http.rs`) and leaves an access-log line; one reaching the
//! ingress-nginx controller is routed on (`upstream.rs`).

use serde_json::Value;
use std::net::Ipv4Addr;
use std::sync::Arc;

use crate::images::{self, ImageEntry, ImageRef, Listener};
use crate::kinds::Kind;
use crate::meta;
use crate::net::http::{self, Exchange, HttpCall as Call};
use crate::net::state::{Index, pod_alive};
use crate::net::{Hop, HttpResponse, Peer, Protocol, Verdict};
use crate::sim::Sim;
use crate::store::ObjKey;

/// The ingress-nginx controller image: requests it accepts are routed by Ingress rules.
pub(crate) const INGRESS_NGINX_REPOSITORY: &str = "registry.k8s.io/ingress-nginx/controller";

/// A node's own TCP sockets: (port, process, control-plane nodes only). Both speak TLS only.
const HOST_SOCKETS: [(u16, &str, bool); 2] =
    [(10250, "kubelet", false), (6443, "kube-apiserver", true)];

/// A running container with a socket on the asked port and protocol.
#[derive(Debug, Clone)]
pub(crate) struct Found<'a> {
    pub container: &'a str,
    pub spec: &'a Value,
    pub entry: &'static ImageEntry,
    pub listener: Listener,
}

/// Whether `name` runs in `pod` (its status says `running`), looking in `field`.
fn running(pod: &Value, field: &str, name: &str) -> bool {
    pod["status"][field]
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| s["name"].as_str() == Some(name) && s["state"].get("running").is_some())
}

/// The running container of `pod` listening on `port`/`protocol`: app containers, then
/// sidecars (restartable init containers). They share the pod's network namespace.
pub(crate) fn listening(pod: &Value, port: u16, protocol: Protocol) -> Option<Found<'_>> {
    if !pod_alive(pod) {
        return None;
    }
    let spec = &pod["spec"];
    let apps = spec["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| (c, "containerStatuses"));
    let sidecars = spec["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["restartPolicy"].as_str() == Some("Always"))
        .map(|c| (c, "initContainerStatuses"));
    for (c, field) in apps.chain(sidecars) {
        let name = c["name"].as_str().unwrap_or("");
        if !running(pod, field, name) {
            continue;
        }
        let Ok(entry) = images::lookup(c["image"].as_str().unwrap_or("")) else {
            continue;
        };
        let b = images::behaviour(entry, c);
        if let Some(l) = b
            .listeners
            .into_iter()
            .find(|l| l.port == port && l.protocol == protocol.as_str())
        {
            return Some(Found {
                container: name,
                spec: c,
                entry,
                listener: l,
            });
        }
    }
    None
}

impl Sim {
    /// Deliver to whatever owns `to` (a pod or a node). `dialled` is the address the client
    /// used, which its error messages name.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn deliver_at(
        &mut self,
        idx: &Index,
        client: &Peer,
        dialled: Ipv4Addr,
        to: Ipv4Addr,
        port: u16,
        protocol: Protocol,
        call: Option<&Call>,
        hops: &mut Vec<Hop>,
    ) -> Verdict {
        if let Some(pod) = idx.pod_at(to) {
            let pod = pod.clone();
            return self.deliver_pod(idx, &pod, client, dialled, to, port, protocol, call, hops);
        }
        if let Some(node) = idx.nodes_by_ip.get(&to) {
            let node = node.clone();
            return self.deliver_node(idx, &node, client, dialled, to, port, protocol, call, hops);
        }
        hops.push(Hop::Note(format!(
            "no pod or node owns {to}: the packets go unanswered"
        )));
        Verdict::TimedOut { ip: dialled }
    }

    /// Deliver to a pod's sockets.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn deliver_pod(
        &mut self,
        idx: &Index,
        pod: &Arc<Value>,
        client: &Peer,
        dialled: Ipv4Addr,
        to: Ipv4Addr,
        port: u16,
        protocol: Protocol,
        call: Option<&Call>,
        hops: &mut Vec<Hop>,
    ) -> Verdict {
        let key = ObjKey::of(Kind::Pod, pod);
        if !pod_alive(pod) {
            hops.push(Hop::Note(format!(
                "pod {}/{} has finished: its sandbox and address are gone",
                key.namespace, key.name
            )));
            return Verdict::TimedOut { ip: dialled };
        }
        let found = listening(pod, port, protocol);
        hops.push(Hop::Container {
            pod: key.clone(),
            container: found.as_ref().map(|f| f.container.to_string()),
            port,
            listening: found.is_some(),
        });
        let Some(found) = found else {
            hops.push(Hop::Note(refusal(&key, port, protocol)));
            return Verdict::Refused { ip: dialled };
        };
        // The controller speaks HTTP on its ports whatever its catalog entry spells out; a
        // request to 443 is taken to be the client's HTTPS (the model has no TLS layer).
        let speaks_http =
            found.listener.http.is_some() || found.entry.repository == INGRESS_NGINX_REPOSITORY;
        let http = match call {
            Some(call) if protocol == Protocol::Tcp && speaks_http => {
                Some(self.answer(idx, pod, &found, client, call, hops))
            }
            _ => None,
        };
        Verdict::Delivered {
            pod: Some(key),
            ip: to,
            port,
            http,
        }
    }

    /// The data of the ConfigMap volume `container` mounts at `dir` (as files: what the
    /// kubelet projects there), if any. A missing ConfigMap mounts as nothing here (the real
    /// pod would not have started).
    fn mounted_config_map(
        &self,
        pod: &Value,
        container: &Value,
        dir: &str,
    ) -> Option<std::collections::BTreeMap<String, String>> {
        let same = |p: &str| p.trim_end_matches('/') == dir.trim_end_matches('/');
        let mount = container["volumeMounts"]
            .as_array()?
            .iter()
            .find(|m| m["mountPath"].as_str().is_some_and(same))?;
        let volume = pod["spec"]["volumes"]
            .as_array()?
            .iter()
            .find(|v| v["name"] == mount["name"])?;
        let cm_name = volume["configMap"]["name"].as_str()?;
        let cm = self
            .store
            .get_by(Kind::ConfigMap, meta::namespace(pod), cm_name)?;
        let data = cm["data"].as_object()?;
        Some(
            data.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect(),
        )
    }

    /// The HTTP exchange with a container's server: the ingress controller routes it on,
    /// any other image answers from the catalog; both write an access-log line.
    fn answer(
        &mut self,
        idx: &Index,
        pod: &Arc<Value>,
        found: &Found<'_>,
        client: &Peer,
        call: &Call,
        hops: &mut Vec<Hop>,
    ) -> HttpResponse {
        let client_port = 32768 + self.net.rng.below(28232) as u16;
        let uid = meta::uid(pod).to_string();
        if found.entry.repository == INGRESS_NGINX_REPOSITORY {
            let (resp, line) = self.ingress_controller(idx, pod, client, call, hops);
            self.append_log(&uid, found.container, &line);
            return resp;
        }
        let tag = ImageRef::parse(found.spec["image"].as_str().unwrap_or("")).tag;
        let files = found
            .listener
            .spec
            .docroot
            .as_deref()
            .and_then(|root| self.mounted_config_map(pod, found.spec, root));
        let x = Exchange {
            call,
            client: client.ip,
            client_port,
            pod,
            container: found.spec,
            entry: found.entry,
            listener: &found.listener,
            tag: &tag,
            now: self.now(),
            files: files.as_ref(),
        };
        let (resp, line) = http::serve(&x);
        if let Some(line) = line {
            self.append_log(&uid, found.container, &line);
        }
        resp
    }

    /// Deliver to a node's address: its hostNetwork pods, then its own daemons.
    #[allow(clippy::too_many_arguments)]
    fn deliver_node(
        &mut self,
        idx: &Index,
        node: &str,
        client: &Peer,
        dialled: Ipv4Addr,
        to: Ipv4Addr,
        port: u16,
        protocol: Protocol,
        call: Option<&Call>,
        hops: &mut Vec<Hop>,
    ) -> Verdict {
        let host_pod = idx.host_network.get(node).and_then(|pods| {
            pods.values()
                .find(|p| listening(p, port, protocol).is_some())
                .cloned()
        });
        if let Some(pod) = host_pod {
            return self.deliver_pod(idx, &pod, client, dialled, to, port, protocol, call, hops);
        }
        let control_plane = idx.nodes.get(node).is_some_and(|n| n.control_plane);
        let daemon = HOST_SOCKETS.iter().find(|(p, _, cp_only)| {
            *p == port && protocol == Protocol::Tcp && (!cp_only || control_plane)
        });
        match daemon {
            Some((_, what, _)) => {
                hops.push(Hop::Note(format!(
                    "{what} listens on {node}:{port} (TLS only)"
                )));
                Verdict::Delivered {
                    pod: None,
                    ip: to,
                    port,
                    http: call.map(|_| http::plain_http_to_tls()),
                }
            }
            None => {
                hops.push(Hop::Note(format!(
                    "nothing listens on {node}:{port}/{}",
                    protocol.as_str()
                )));
                Verdict::Refused { ip: dialled }
            }
        }
    }
}

/// Why a connection was refused, in one sentence.
fn refusal(key: &ObjKey, port: u16, protocol: Protocol) -> String {
    match protocol {
        // The kernel answers ICMP port unreachable; `nc -u` shows nothing for it.
        Protocol::Udp => format!(
            "nothing in pod {}/{} listens on {port}/UDP: the node answers ICMP port unreachable",
            key.namespace, key.name
        ),
        _ => format!(
            "nothing in pod {}/{} listens on {port}/{}: the kernel answers with a reset",
            key.namespace,
            key.name,
            protocol.as_str()
        ),
    }
}
