//! Criterion benchmarks of client commands: one `wget` / `curl` / `nslookup` run from a pod
//! through `Sim` (DNS, trace, wording), and a `sh -c` pipeline against a fixed network (the
//! tools' own cost, without the model). Target: ≤ 100 µs per command.

use criterion::{Criterion, criterion_group, criterion_main};
use kubedrill_sim::net::clients::{self, ClientEnv, Network};
use kubedrill_sim::net::{DnsAnswer, DnsLookup, HttpResponse, Origin, Request, Trace, Verdict};
use kubedrill_sim::{ApiError, Sim};
use std::hint::black_box;
use std::net::Ipv4Addr;

const CLUSTER: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: probe\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    command: [sleep, \"3600\"]\n";

fn argv(s: &[&str]) -> Vec<String> {
    s.iter().map(|w| (*w).to_string()).collect()
}

/// Every request reaches nginx.
struct Fixed;

impl Network for Fixed {
    fn resolve(&mut self, name: &str) -> Result<DnsLookup, ApiError> {
        Ok(DnsLookup {
            server: Ipv4Addr::new(10, 96, 0, 10),
            tried: vec![name.to_string()],
            answer: DnsAnswer::Records {
                name: name.to_string(),
                cname: vec![],
                addresses: vec![Ipv4Addr::new(10, 96, 12, 7)],
            },
            hops: vec![],
        })
    }

    fn trace(&mut self, _req: &Request) -> Result<Trace, ApiError> {
        Ok(Trace {
            hops: vec![],
            verdict: Verdict::Delivered {
                pod: None,
                ip: Ipv4Addr::new(10, 244, 1, 5),
                port: 80,
                http: Some(HttpResponse {
                    status: 200,
                    reason: "OK".into(),
                    server: Some("nginx/1.27.3".into()),
                    body: "web-7d4b9c-abcde\n".into(),
                }),
            },
        })
    }

    fn search(&self) -> Vec<String> {
        vec!["default.svc.cluster.local".into()]
    }
}

fn bench_clients(c: &mut Criterion) {
    let (mut sim, _clock) = Sim::default_with_clock().expect("bootstrap");
    sim.apply_yaml(CLUSTER).expect("cluster");
    let from = Origin::Pod {
        namespace: "default".into(),
        name: "probe".into(),
    };
    let env = ClientEnv::default();
    let mut g = c.benchmark_group("clients");
    for (name, image, cmd) in [
        (
            "wget_via_sim",
            "busybox:1.36",
            argv(&["wget", "-qO-", "-T3", "http://web"]),
        ),
        (
            "curl_via_sim",
            "curlimages/curl:8.8.0",
            argv(&["curl", "-sS", "-m3", "http://web"]),
        ),
        (
            "nslookup_via_sim",
            "busybox:1.36",
            argv(&["nslookup", "web"]),
        ),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| black_box(clients::run(&mut sim, &from, image, black_box(&cmd), &env)))
        });
    }
    let tools: Vec<String> = argv(&["sh", "wget", "nc", "nslookup"]);
    let script = argv(&[
        "sh",
        "-c",
        "for i in $(seq 20); do wget -qO- -T2 web; done | sort | uniq -c",
    ]);
    g.bench_function("sh_20_wgets_sort_uniq_fixed_net", |b| {
        b.iter(|| {
            black_box(clients::run_with(
                &mut Fixed,
                &tools,
                black_box(&script),
                &env,
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, bench_clients);
criterion_main!(benches);
