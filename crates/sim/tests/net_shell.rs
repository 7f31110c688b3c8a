//! scratch
mod common;

use common::sim_with;
use kubedrill_sim::net::Origin;
use kubedrill_sim::net::clients::{self, ClientEnv};

fn argv(s: &[&str]) -> Vec<String> {
    s.iter().map(|w| (*w).to_string()).collect()
}

const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n        ports:\n        - containerPort: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports:\n  - port: 80\n    targetPort: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: empty\nspec:\n  selector: {app: nothing}\n  ports:\n  - name: http\n    port: 8080\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: bb\nspec:\n  containers:\n  - name: bb\n    image: busybox:1.36\n    command: [sleep, '3600']\n";

#[test]
fn scratch() {
    let (mut sim, _c) = sim_with(&[WEB]);
    let from = Origin::Pod { namespace: "default".into(), name: "bb".into() };
    for cmd in [
        &["cat", "/etc/resolv.conf"][..],
        &["cat", "/etc/hosts"],
        &["env"],
        &["hostname"],
        &["ip", "a"],
        &["netstat", "-tlnp"],
        &["ps"],
        &["ping", "-c", "2", "web"],
        &["sh", "-c", "ping -c 1 $(getent hosts x) ; foo; echo $?"],
        &["ls", "/"],
    ] {
        let r = clients::run(&mut sim, &from, "busybox:1.36", &argv(cmd), &ClientEnv::default());
        println!("$ {cmd:?}\n{r:#?}");
    }
    for cmd in [&["iptables-save"][..], &["iptables", "-t", "nat", "-L", "-n"], &["crictl", "ps"], &["journalctl", "-u", "kubelet"]] {
        let r = clients::node_shell(&mut sim, "node01", &argv(cmd), &ClientEnv::default());
        match r { Ok(r) => println!("$ {cmd:?}\n{}{}exit {}", r.stdout, r.stderr, r.exit_code), Err(e) => println!("{e}") }
    }
}
