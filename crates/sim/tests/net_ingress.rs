//! Ingress routing as ingress-nginx does it (SERVICES-SPEC rules 78–82; validation rule 77 is
//! tested with admission), and the opt-in ingress-nginx install.

mod common;

use kubedrill_sim::net::ingress::{BackendPort, Route, route};
use kubedrill_sim::{ClusterConfig, Kind, ManualClock, ObjKey, Sim};
use std::sync::Arc;

/// A controller pod with ingress-nginx's args (no Deployment needed to route).
const CONTROLLER: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: v1
kind: Pod
metadata: {name: ctl, namespace: ingress-nginx}
spec:
  containers:
  - name: controller
    image: registry.k8s.io/ingress-nginx/controller:v1.12.1
    args: [/nginx-ingress-controller, --controller-class=k8s.io/ingress-nginx, --ingress-class=nginx]
"#;

fn ctl() -> ObjKey {
    ObjKey::new(Kind::Pod, "ingress-nginx", "ctl")
}

fn cluster(ingresses: &str) -> Sim {
    let (mut sim, _) = common::sim_with(&[CONTROLLER]);
    sim.apply_yaml(ingresses).expect("test fixture");
    sim
}

/// `ingress` name, service name and port of a routed request; None for a 404.
fn to(sim: &Sim, host: &str, path: &str) -> Option<(String, String, BackendPort)> {
    match route(sim.store(), &ctl(), host, path) {
        Route::Backend {
            ingress,
            service,
            port,
            ..
        } => Some((ingress.name, service.name, port)),
        Route::NotFound => None,
    }
}

fn svc(sim: &Sim, host: &str, path: &str) -> Option<String> {
    to(sim, host, path).map(|(_, s, _)| s)
}

fn ingress(name: &str, host: Option<&str>, paths: &[(&str, &str, &str)]) -> String {
    let host = host.map_or(String::new(), |h| format!("host: {h}\n    "));
    let paths: String = paths
        .iter()
        .map(|(path, kind, svc)| {
            format!(
                "      - {{path: {path}, pathType: {kind}, backend: {{service: {{name: {svc}, port: {{number: 80}}}}}}}}\n"
            )
        })
        .collect();
    format!(
        "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: {name}, namespace: default}}\nspec:\n  ingressClassName: nginx\n  rules:\n  - {host}http:\n      paths:\n{paths}"
    )
}

#[test]
fn rule78_exact_host_is_case_insensitive_and_ignores_the_port() {
    let sim = cluster(&ingress("a", Some("foo.com"), &[("/", "Prefix", "foo")]));
    assert_eq!(svc(&sim, "foo.com", "/"), Some("foo".into()));
    assert_eq!(svc(&sim, "FOO.com:30080", "/x"), Some("foo".into()));
    assert_eq!(svc(&sim, "bar.com", "/"), None, "nginx answers 404");
}

#[test]
fn rule78_wildcard_matches_exactly_one_label() {
    let sim = cluster(&ingress(
        "a",
        Some("\"*.foo.com\""),
        &[("/", "Prefix", "wild")],
    ));
    assert_eq!(svc(&sim, "bar.foo.com", "/"), Some("wild".into()));
    assert_eq!(svc(&sim, "foo.com", "/"), None);
    assert_eq!(svc(&sim, "a.b.foo.com", "/"), None);
}

#[test]
fn rule78_rule_without_host_matches_every_other_host_and_exact_beats_wildcard() {
    let sim = cluster(&format!(
        "{}{}{}",
        ingress("any", None, &[("/", "Prefix", "any")]),
        ingress("wild", Some("\"*.foo.com\""), &[("/", "Prefix", "wild")]),
        ingress("exact", Some("bar.foo.com"), &[("/api", "Prefix", "exact")]),
    ));
    assert_eq!(svc(&sim, "10.0.0.1", "/"), Some("any".into()));
    assert_eq!(svc(&sim, "x.foo.com", "/"), Some("wild".into()));
    assert_eq!(svc(&sim, "bar.foo.com", "/api/v1"), Some("exact".into()));
    // A host some rule names is its own nginx server: no fallback to the host-less rules.
    assert_eq!(svc(&sim, "bar.foo.com", "/"), None);
}

#[test]
fn rule79_exact_is_exact_and_case_sensitive() {
    let sim = cluster(&ingress("a", None, &[("/foo", "Exact", "e")]));
    assert_eq!(svc(&sim, "h", "/foo"), Some("e".into()));
    assert_eq!(
        svc(&sim, "h", "/foo?x=1"),
        Some("e".into()),
        "the query is not the path"
    );
    assert_eq!(svc(&sim, "h", "/foo/"), None);
    assert_eq!(svc(&sim, "h", "/FOO"), None);
}

#[test]
fn rule79_prefix_is_element_wise() {
    let sim = cluster(&ingress(
        "a",
        None,
        &[("/aaa/bbb", "Prefix", "p"), ("/foo/", "Prefix", "f")],
    ));
    assert_eq!(svc(&sim, "h", "/aaa/bbb"), Some("p".into()));
    assert_eq!(svc(&sim, "h", "/aaa/bbb/"), Some("p".into()));
    assert_eq!(svc(&sim, "h", "/aaa/bbb/ccc"), Some("p".into()));
    assert_eq!(svc(&sim, "h", "/aaa/bbbxyz"), None);
    assert_eq!(
        svc(&sim, "h", "/foo"),
        Some("f".into()),
        "trailing slash ignored"
    );
    let sim = cluster(&ingress("a", None, &[("/", "Prefix", "root")]));
    assert_eq!(svc(&sim, "h", "/anything/at/all"), Some("root".into()));
}

#[test]
fn rule79_implementation_specific_is_nginxs_character_prefix() {
    let sim = cluster(&ingress(
        "a",
        None,
        &[("/foo", "ImplementationSpecific", "i")],
    ));
    assert_eq!(svc(&sim, "h", "/foo"), Some("i".into()));
    assert_eq!(svc(&sim, "h", "/foobar"), Some("i".into()));
    assert_eq!(svc(&sim, "h", "/fo"), None);
}

#[test]
fn rule80_longest_match_wins_exact_beats_prefix_across_ingresses() {
    let sim = cluster(&format!(
        "{}{}",
        ingress(
            "one",
            Some("shop.com"),
            &[("/", "Prefix", "root"), ("/api", "Exact", "exact")]
        ),
        ingress(
            "two",
            Some("shop.com"),
            &[("/api", "Prefix", "api"), ("/api/v2", "Prefix", "v2")]
        ),
    ));
    assert_eq!(
        to(&sim, "shop.com", "/api").map(|t| (t.0, t.1)),
        Some(("one".into(), "exact".into()))
    );
    assert_eq!(svc(&sim, "shop.com", "/api/"), Some("api".into()));
    assert_eq!(svc(&sim, "shop.com", "/api/v2/x"), Some("v2".into()));
    assert_eq!(svc(&sim, "shop.com", "/cart"), Some("root".into()));
}

#[test]
fn rule80_no_match_falls_back_to_the_default_backend_then_404() {
    let with_default = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: d, namespace: default}
spec:
  ingressClassName: nginx
  defaultBackend: {service: {name: fallback, port: {name: http}}}
  rules:
  - host: shop.com
    http:
      paths: [{path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}]
"#;
    let sim = cluster(with_default);
    match route(sim.store(), &ctl(), "shop.com", "/cart") {
        Route::Backend {
            host,
            path,
            service,
            port,
            ..
        } => {
            assert_eq!((host, path), (None, None));
            assert_eq!(service.name, "fallback");
            assert_eq!(port, BackendPort::Name("http".into()));
        }
        Route::NotFound => panic!("the Ingress's defaultBackend serves its host"),
    }
    // Another host: the catch-all server has no defaultBackend from a rule-less Ingress.
    assert_eq!(
        route(sim.store(), &ctl(), "other.com", "/"),
        Route::NotFound
    );

    let rule_less = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: catch-all, namespace: default}
spec:
  ingressClassName: nginx
  defaultBackend: {service: {name: everything, port: {number: 8080}}}
"#;
    let sim = cluster(rule_less);
    assert_eq!(
        to(&sim, "other.com", "/x"),
        Some((
            "catch-all".into(),
            "everything".into(),
            BackendPort::Number(8080)
        ))
    );
}

#[test]
fn rule81_backend_port_by_number_or_service_port_name() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: p, namespace: default}
spec:
  ingressClassName: nginx
  rules:
  - http:
      paths:
      - {path: /n, pathType: Prefix, backend: {service: {name: web, port: {number: 8080}}}}
      - {path: /s, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
"#,
    );
    let r = route(sim.store(), &ctl(), "h", "/n/1");
    assert_eq!(
        r,
        Route::Backend {
            ingress: ObjKey::new(Kind::Ingress, "default", "p"),
            host: None,
            path: Some("/n".into()),
            service: ObjKey::new(Kind::Service, "default", "web"),
            port: BackendPort::Number(8080),
        }
    );
    assert_eq!(
        to(&sim, "h", "/s").map(|t| t.2),
        Some(BackendPort::Name("http".into()))
    );
}

fn classless(name: &str, annotation: Option<&str>) -> String {
    let ann = annotation.map_or(String::new(), |a| {
        format!(", annotations: {{kubernetes.io/ingress.class: {a}}}")
    });
    format!(
        "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: {name}, namespace: default{ann}}}\nspec:\n  rules:\n  - host: {name}.com\n    http:\n      paths: [{{path: /, pathType: Prefix, backend: {{service: {{name: {name}, port: {{number: 80}}}}}}}}]\n"
    )
}

#[test]
fn rule82_class_name_must_name_a_class_of_this_controller() {
    let sim = cluster(
        r#"
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: t, namespace: default}
spec:
  ingressClassName: traefik
  rules: [{host: t.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: t, port: {number: 80}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ghost, namespace: default}
spec:
  ingressClassName: does-not-exist
  rules: [{host: g.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: g, port: {number: 80}}}}]}}]
"#,
    );
    assert_eq!(svc(&sim, "t.com", "/"), None, "another controller's class");
    assert_eq!(svc(&sim, "g.com", "/"), None, "a class that does not exist");
}

#[test]
fn rule82_legacy_annotation_must_equal_the_ingress_class_flag() {
    let sim = cluster(&format!(
        "{}{}",
        classless("ann", Some("nginx")),
        classless("other", Some("gce"))
    ));
    assert_eq!(svc(&sim, "ann.com", "/"), Some("ann".into()));
    assert_eq!(svc(&sim, "other.com", "/"), None);
}

#[test]
fn rule82_classless_ingress_needs_watch_ingress_without_class() {
    let sim = cluster(&classless("bare", None));
    assert_eq!(svc(&sim, "bare.com", "/"), None);
    let mut sim = cluster(&classless("bare", None));
    let mut pod = (*sim
        .get(Kind::Pod, "ingress-nginx", "ctl")
        .expect("test fixture"))
    .clone();
    pod["metadata"]["name"] = "ctl2".into();
    for k in ["uid", "resourceVersion", "creationTimestamp"] {
        pod["metadata"]
            .as_object_mut()
            .expect("test fixture")
            .remove(k);
    }
    pod.as_object_mut().expect("test fixture").remove("status");
    pod["spec"]["containers"][0]["args"]
        .as_array_mut()
        .expect("test fixture")
        .push("--watch-ingress-without-class=true".into());
    sim.create(pod).expect("test fixture");
    let ctl2 = ObjKey::new(Kind::Pod, "ingress-nginx", "ctl2");
    assert!(matches!(
        route(sim.store(), &ctl2, "bare.com", "/"),
        Route::Backend { .. }
    ));
}

#[test]
fn rule82_default_class_is_filled_in_on_create_only() {
    let (mut sim, _) = common::sim_with(&[&classless("before", None)]);
    sim.apply_yaml(CONTROLLER).expect("test fixture");
    let mut class = (*sim
        .get(Kind::IngressClass, "", "nginx")
        .expect("test fixture"))
    .clone();
    class["metadata"]["annotations"] =
        serde_json::json!({"ingressclass.kubernetes.io/is-default-class": "true"});
    sim.update(class).expect("test fixture");
    sim.apply_yaml(&classless("after", None))
        .expect("test fixture");
    assert_eq!(svc(&sim, "after.com", "/"), Some("after".into()));
    assert_eq!(
        svc(&sim, "before.com", "/"),
        None,
        "created before the class was default"
    );
}

#[test]
fn a_missing_controller_pod_routes_nothing() {
    let sim = cluster(&ingress("a", None, &[("/", "Prefix", "x")]));
    let nobody = ObjKey::new(Kind::Pod, "ingress-nginx", "nobody");
    assert_eq!(route(sim.store(), &nobody, "h", "/"), Route::NotFound);
}

#[test]
fn ingress_nginx_install_is_opt_in_and_matches_the_baremetal_manifest() {
    let (sim, _) = common::sim_with(&[]);
    assert!(sim.get(Kind::Namespace, "", "ingress-nginx").is_err());

    let clock = ManualClock::at_epoch();
    let config = ClusterConfig {
        ingress_nginx: true,
        ..ClusterConfig::default()
    };
    let mut sim = Sim::new(config, Arc::new(clock.clone())).expect("test fixture");
    let class = sim
        .get(Kind::IngressClass, "", "nginx")
        .expect("test fixture");
    assert_eq!(class["spec"]["controller"], "k8s.io/ingress-nginx");
    let svc = sim
        .get(Kind::Service, "ingress-nginx", "ingress-nginx-controller")
        .expect("test fixture");
    assert_eq!(svc["spec"]["type"], "NodePort");
    let ports = svc["spec"]["ports"].as_array().expect("test fixture");
    assert_eq!(ports[0]["port"], 80);
    assert_eq!(ports[1]["port"], 443);
    assert!(ports.iter().all(|p| p["nodePort"].as_u64().is_some()));

    clock.advance(jiff::SignedDuration::from_secs(30));
    sim.tick().expect("test fixture");
    let pods = sim
        .list(Kind::Pod, Some("ingress-nginx"), &Default::default())
        .expect("test fixture")
        .items;
    assert_eq!(pods.len(), 1);
    let pod = &pods[0];
    assert_eq!(pod["status"]["phase"], "Running", "{pod:#}");
    let ready = pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True");
    assert!(
        ready,
        "the /healthz readiness probe on 10254 passes: {pod:#}"
    );
    assert_eq!(
        pod["spec"]["containers"][0]["args"][2],
        "--controller-class=k8s.io/ingress-nginx"
    );
    let key = ObjKey::new(
        Kind::Pod,
        "ingress-nginx",
        pod["metadata"]["name"].as_str().expect("test fixture"),
    );
    let mut sim = sim;
    sim.apply_yaml(&ingress("a", Some("shop.com"), &[("/", "Prefix", "shop")]))
        .expect("test fixture");
    assert!(matches!(
        route(sim.store(), &key, "shop.com", "/"),
        Route::Backend { .. }
    ));
}

#[test]
fn rule80_yaml_order_is_irrelevant() {
    let paths = [
        ("/", "Prefix", "root"),
        ("/api", "Prefix", "api"),
        ("/api", "Exact", "exact"),
        ("/api/v1", "Prefix", "v1"),
        ("/static", "ImplementationSpecific", "static"),
    ];
    let mut reversed = paths;
    reversed.reverse();
    let a = cluster(&ingress("a", Some("h.com"), &paths));
    let b = cluster(&ingress("a", Some("h.com"), &reversed));
    for req in [
        "/", "/api", "/api/", "/api/v1", "/api/v10", "/staticx", "/x/y",
    ] {
        assert_eq!(svc(&a, "h.com", req), svc(&b, "h.com", req), "{req}");
    }
    assert_eq!(svc(&a, "h.com", "/api/v10"), Some("api".into()));
    assert_eq!(svc(&a, "h.com", "/staticx"), Some("static".into()));
}
