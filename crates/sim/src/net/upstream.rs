//! The ingress-nginx controller's proxy leg (SERVICES-SPEC rules 80–81): a request accepted by
//! a controller pod is routed by `ingress::route`, then proxied straight to a ready endpoint of
//! the backend Service port (ingress-nginx balances over endpoints itself, not through the
//! ClusterIP), from the controller pod's address — so NetworkPolicy sees the controller as the
//! client. Failures answer with nginx's own pages: 404 (no rule), 503 (no Service, port or
//! ready endpoint), 502 (refused), 504 (timed out).

use serde_json::Value;
use std::net::Ipv4Addr;
use std::sync::Arc;

use crate::images::hex64;
use crate::kinds::Kind;
use crate::meta;
use crate::net::endpoints::{port_endpoints, service_ports};
use crate::net::http::{HttpCall, nginx_error_page};
use crate::net::ingress::{BackendPort, Route, route};
use crate::net::state::Index;
use crate::net::trace::peer_of;
use crate::net::{EndpointReason, Hop, HttpResponse, Peer, Protocol, Verdict};
use crate::sim::Sim;
use crate::store::ObjKey;

/// The `Server` header ingress-nginx sends (`server-tokens: false` by default).
const SERVER: &str = "nginx";

impl Sim {
    /// Route `call` through the controller pod `controller`; the response and the controller's
    /// access-log line (ingress-nginx's `log-format-upstream`).
    pub(crate) fn ingress_controller(
        &mut self,
        idx: &Index,
        controller: &Arc<Value>,
        client: &Peer,
        call: &HttpCall,
        hops: &mut Vec<Hop>,
    ) -> (HttpResponse, String) {
        let key = ObjKey::of(Kind::Pod, controller);
        let host = call
            .host
            .rsplit_once(':')
            .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
            .map_or(call.host.as_str(), |(h, _)| h)
            .to_ascii_lowercase();
        let path = call.path.split('?').next().unwrap_or("/");
        let (resp, upstream_name, upstream_addr) = match route(&self.store, &key, &host, path) {
            Route::NotFound => {
                hops.push(Hop::Note(format!(
                    "no Ingress rule served by this controller matches host {host:?} and path {path:?}: its default backend answers 404"
                )));
                (
                    nginx_error_page(404, SERVER),
                    "upstream-default-backend".to_string(),
                    "127.0.0.1:8181".to_string(),
                )
            }
            Route::Backend {
                ingress,
                host: rule_host,
                path: rule_path,
                service,
                port,
            } => {
                let port_text = match &port {
                    BackendPort::Number(n) => n.to_string(),
                    BackendPort::Name(n) => n.clone(),
                };
                hops.push(Hop::Ingress {
                    ingress,
                    host: rule_host,
                    path: rule_path,
                    backend: format!("{}:{port_text}", service.name),
                });
                let name = format!("{}-{}-{port_text}", service.namespace, service.name);
                let (resp, addr) = self.proxy_to(idx, controller, &service, &port, call, hops);
                (resp, name, addr)
            }
        };
        let now = self.now().to_zoned(jiff::tz::TimeZone::UTC);
        let req_id = hex64(&format!("{}{}{}", meta::uid(controller), now, call.path));
        let line = format!(
            "{} - - [{}] \"GET {} HTTP/1.1\" {} {} \"-\" \"{}\" {} 0.001 [{upstream_name}] [] {upstream_addr} {} 0.001 {} {}",
            client.ip,
            now.strftime("%d/%b/%Y:%H:%M:%S %z"),
            call.path,
            resp.status,
            resp.body.len(),
            call.user_agent.as_deref().unwrap_or("-"),
            call.path.len() + call.host.len() + 60,
            resp.body.len(),
            resp.status,
            &req_id[..32],
        );
        (resp, line)
    }

    /// Proxy to one ready endpoint of `service`'s `port`; the response and the upstream address.
    fn proxy_to(
        &mut self,
        idx: &Index,
        controller: &Arc<Value>,
        service: &ObjKey,
        port: &BackendPort,
        call: &HttpCall,
        hops: &mut Vec<Hop>,
    ) -> (HttpResponse, String) {
        let unavailable = |hops: &mut Vec<Hop>, why: String| {
            hops.push(Hop::Note(why));
            (nginx_error_page(503, SERVER), "-".to_string())
        };
        let Some(svc) = self.store.get(service).cloned() else {
            return unavailable(
                hops,
                format!(
                    "backend Service {}/{} does not exist: the controller answers 503",
                    service.namespace, service.name
                ),
            );
        };
        // Rule 81: a number is the Service `port`, a name the Service port's name.
        let sp = service_ports(&svc).into_iter().find(|p| match port {
            BackendPort::Number(n) => p.port == *n && p.protocol == Protocol::Tcp,
            BackendPort::Name(n) => p.name == *n,
        });
        let Some(sp) = sp else {
            return unavailable(
                hops,
                format!(
                    "Service {}/{} has no port {}: the controller answers 503",
                    service.namespace,
                    service.name,
                    match port {
                        BackendPort::Number(n) => n.to_string(),
                        BackendPort::Name(n) => format!("named {n:?}"),
                    }
                ),
            );
        };
        let ready: Vec<_> = port_endpoints(
            idx,
            &service.namespace,
            &service.name,
            &sp.name,
            sp.protocol,
        )
        .into_iter()
        .filter(|e| e.ready)
        .collect();
        if ready.is_empty() {
            return unavailable(
                hops,
                format!(
                    "Service {}/{} has no ready endpoints: the controller answers 503 Service Temporarily Unavailable",
                    service.namespace, service.name
                ),
            );
        }
        let i = self.net.rng.below(ready.len() as u64) as usize;
        let Some(ep) = ready.get(i).cloned() else {
            return unavailable(hops, "no endpoint".to_string());
        };
        hops.push(Hop::Endpoint {
            pod: ep.pod.clone(),
            ip: ep.ip,
            port: ep.port,
            node: ep.node.clone(),
            reason: EndpointReason::Ready,
        });
        let addr = format!("{}:{}", ep.ip, ep.port);
        let node = meta::str_at(controller, &["spec", "nodeName"]);
        let host_network = controller["spec"]["hostNetwork"].as_bool() == Some(true);
        let src = Peer {
            ip: controller["status"]["podIP"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(Ipv4Addr::UNSPECIFIED),
            pod: (!host_network).then(|| ObjKey::of(Kind::Pod, controller)),
            node: (!node.is_empty()).then(|| node.to_string()),
        };
        let dst = peer_of(idx, ep.ip);
        if !self.policy_allows(&src, &dst, ep.port, Protocol::Tcp, hops) {
            hops.push(Hop::Note(
                "upstream timed out (110: Connection timed out) while connecting to upstream"
                    .to_string(),
            ));
            return (nginx_error_page(504, SERVER), addr);
        }
        let verdict = self.deliver_at(
            idx,
            &src,
            ep.ip,
            ep.ip,
            ep.port,
            Protocol::Tcp,
            Some(call),
            hops,
        );
        let resp = match verdict {
            Verdict::Delivered { http: Some(r), .. } => HttpResponse {
                server: Some(SERVER.to_string()),
                ..r
            },
            Verdict::TimedOut { .. } => nginx_error_page(504, SERVER),
            _ => {
                hops.push(Hop::Note(
                    "connect() failed (111: Connection refused) while connecting to upstream"
                        .to_string(),
                ));
                nginx_error_page(502, SERVER)
            }
        };
        (resp, addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::http::HttpCall;

    const BACKEND: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: web-port, port: 8080, targetPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: wrong}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: empty}
spec: {selector: {app: nobody}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Pod
metadata: {name: ctl}
spec: {containers: [{name: ctl, image: "busybox:1.36", command: [sleep, "3600"]}]}
"#;

    fn setup() -> (Sim, Arc<Value>) {
        let (mut sim, _c) = Sim::default_with_clock().unwrap_or_else(|e| panic!("{e}"));
        sim.apply_yaml(BACKEND).unwrap_or_else(|e| panic!("{e}"));
        let ctl = sim
            .store
            .get_by(Kind::Pod, "default", "ctl")
            .cloned()
            .unwrap_or_else(|| panic!("no controller pod"));
        (sim, ctl)
    }

    fn call() -> HttpCall {
        HttpCall {
            path: "/".into(),
            host: "shop.example.com".into(),
            user_agent: Some("curl/8.5.0".into()),
        }
    }

    fn proxy(sim: &mut Sim, ctl: &Arc<Value>, svc: &str, port: BackendPort) -> HttpResponse {
        let idx = sim.net.index(&sim.store);
        let key = ObjKey::new(Kind::Service, "default", svc);
        let mut hops = Vec::new();
        sim.proxy_to(&idx, ctl, &key, &port, &call(), &mut hops).0
    }

    #[test]
    fn rule81_backend_port_by_name_is_the_service_port_name_and_by_number_its_port() {
        let (mut sim, ctl) = setup();
        let r = proxy(&mut sim, &ctl, "web", BackendPort::Name("web-port".into()));
        assert_eq!(r.status, 200);
        assert_eq!(r.server.as_deref(), Some("nginx"));
        assert!(r.body.contains("Welcome to nginx!"));
        let r = proxy(&mut sim, &ctl, "web", BackendPort::Number(8080));
        assert_eq!(r.status, 200);
        // The container port (targetPort) is not a Service port.
        let r = proxy(&mut sim, &ctl, "web", BackendPort::Number(80));
        assert_eq!(
            (r.status, r.reason.as_str()),
            (503, "Service Temporarily Unavailable")
        );
        let r = proxy(&mut sim, &ctl, "web", BackendPort::Name("http".into()));
        assert_eq!(r.status, 503);
    }

    #[test]
    fn rule81_a_backend_without_ready_endpoints_or_service_answers_503() {
        let (mut sim, ctl) = setup();
        let r = proxy(&mut sim, &ctl, "empty", BackendPort::Number(80));
        assert_eq!(r.status, 503);
        assert!(
            r.body
                .contains("<center><h1>503 Service Temporarily Unavailable</h1></center>")
        );
        assert_eq!(
            proxy(&mut sim, &ctl, "ghost", BackendPort::Number(80)).status,
            503
        );
    }

    #[test]
    fn a_backend_that_refuses_answers_502() {
        let (mut sim, ctl) = setup();
        let r = proxy(&mut sim, &ctl, "wrong", BackendPort::Number(80));
        assert_eq!((r.status, r.reason.as_str()), (502, "Bad Gateway"));
    }

    #[test]
    fn no_matching_rule_is_the_default_backend_404_and_is_logged_upstream_style() {
        let (mut sim, ctl) = setup();
        let idx = sim.net.index(&sim.store);
        let client = Peer {
            ip: Ipv4Addr::new(10, 244, 1, 9),
            pod: None,
            node: None,
        };
        let mut hops = Vec::new();
        let (r, line) = sim.ingress_controller(&idx, &ctl, &client, &call(), &mut hops);
        assert_eq!(r.status, 404);
        assert_eq!(
            r.body,
            "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        );
        assert!(
            line.starts_with(
                "10.244.1.9 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 404 146 \"-\" \"curl/8.5.0\""
            ),
            "{line}"
        );
        assert!(line.contains("[upstream-default-backend]"));
    }
}
