//! The shell `kubectl exec` runs in a pod: what it reads of its own machine (the kubelet's
//! resolv.conf and hosts file, the Service-link environment, interfaces, listening sockets,
//! processes), `ping`, and the shell's own rules (`not found` 127, pipes, lists, `exit N`).

mod common;

use jiff::SignedDuration as Duration;

use common::sim_with;
use kubedrill_sim::net::Origin;
use kubedrill_sim::net::clients::{self, ClientEnv, ClientError, ClientRun};
use kubedrill_sim::{Kind, Sim};

fn argv(s: &[&str]) -> Vec<String> {
    s.iter().map(|w| (*w).to_string()).collect()
}

fn pod_at(ns: &str, name: &str) -> Origin {
    Origin::Pod {
        namespace: ns.to_string(),
        name: name.to_string(),
    }
}

fn exec(sim: &mut Sim, ns: &str, pod: &str, image: &str, cmd: &[&str]) -> ClientRun {
    clients::run(
        sim,
        &pod_at(ns, pod),
        image,
        &argv(cmd),
        &ClientEnv::default(),
    )
    .unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

fn sh(sim: &mut Sim, pod: &str, image: &str, script: &str) -> ClientRun {
    exec(sim, "default", pod, image, &["sh", "-c", script])
}

fn busybox_pod(name: &str, ns: &str, extra_spec: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{extra_spec}  containers:\n  - name: c\n    image: busybox:1.36\n    command: [sleep, '3600']\n"
    )
}

const NS_PROD: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n";

#[test]
fn resolv_conf_searches_the_pods_own_namespace_first_with_ndots_5() {
    let (mut sim, _c) = sim_with(&[NS_PROD, &busybox_pod("client", "prod", "")]);
    let r = exec(
        &mut sim,
        "prod",
        "client",
        "busybox:1.36",
        &["cat", "/etc/resolv.conf"],
    );
    assert_eq!(
        r.stdout,
        "search prod.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    );
    assert_eq!(r.exit_code, 0);
}

#[test]
fn resolv_conf_follows_dns_policy_and_dns_config() {
    let none = "  dnsPolicy: None\n  dnsConfig:\n    nameservers: [1.1.1.1]\n    searches: [corp.example]\n    options:\n    - {name: ndots, value: '2'}\n";
    let default = "  dnsPolicy: Default\n";
    let merged = "  dnsConfig:\n    searches: [corp.example]\n    options:\n    - {name: ndots, value: '2'}\n    - {name: edns0}\n";
    let (mut sim, _c) = sim_with(&[
        &busybox_pod("none", "default", none),
        &busybox_pod("host", "default", default),
        &busybox_pod("merged", "default", merged),
    ]);
    let cat = |sim: &mut Sim, pod: &str| {
        exec(
            sim,
            "default",
            pod,
            "busybox:1.36",
            &["cat", "/etc/resolv.conf"],
        )
        .stdout
    };
    assert_eq!(
        cat(&mut sim, "none"),
        "search corp.example\nnameserver 1.1.1.1\noptions ndots:2\n"
    );
    // Default: the node's resolver (the model's systemd-resolved stub), nothing of the cluster.
    assert_eq!(cat(&mut sim, "host"), "nameserver 127.0.0.53\n");
    // ClusterFirst merges dnsConfig: searches appended, an option of the same name replaced.
    assert_eq!(
        cat(&mut sim, "merged"),
        "search default.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:2 edns0\n"
    );
}

#[test]
fn hosts_file_is_kubelet_managed_with_the_pod_and_its_host_aliases() {
    let aliases = "  hostAliases:\n  - ip: 10.1.2.3\n    hostnames: [foo.remote, bar.remote]\n";
    let (mut sim, _c) = sim_with(&[&busybox_pod("client", "default", aliases)]);
    let ip = sim
        .get(Kind::Pod, "default", "client")
        .map(|p| p["status"]["podIP"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let r = exec(
        &mut sim,
        "default",
        "client",
        "busybox:1.36",
        &["cat", "/etc/hosts"],
    );
    assert_eq!(
        r.stdout,
        format!(
            "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{ip}\tclient\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.remote\tbar.remote\n"
        )
    );
    let r = exec(&mut sim, "default", "client", "busybox:1.36", &["hostname"]);
    assert_eq!(r.stdout, "client\n");
}

fn svc(name: &str, ports: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector: {{app: {name}}}\n  ports:\n{ports}"
    )
}

fn env_lines(r: &ClientRun, prefix: &str) -> Vec<String> {
    r.stdout
        .lines()
        .filter(|l| l.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

#[test]
fn env_has_service_links_only_for_services_that_existed_when_the_pod_started() {
    let (mut sim, clock) = sim_with(&[&svc(
        "early-db",
        "  - {name: sql, port: 5432}\n  - {name: admin, port: 8080, protocol: TCP}\n",
    )]);
    clock.advance(Duration::from_secs(5));
    sim.apply_yaml(&busybox_pod("client", "default", ""))
        .unwrap_or_else(|e| panic!("{e}"));
    clock.advance(Duration::from_secs(5));
    sim.apply_yaml(&svc("late", "  - {port: 80}\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    let ip = sim
        .get(Kind::Service, "default", "early-db")
        .map(|s| s["spec"]["clusterIP"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let r = exec(&mut sim, "default", "client", "busybox:1.36", &["env"]);
    // envvars.FromServices, `-` → `_`, upper case; sorted here (the kubelet's map order).
    assert_eq!(
        env_lines(&r, "EARLY_DB_"),
        [
            format!("EARLY_DB_PORT=tcp://{ip}:5432"),
            format!("EARLY_DB_PORT_5432_TCP=tcp://{ip}:5432"),
            format!("EARLY_DB_PORT_5432_TCP_ADDR={ip}"),
            "EARLY_DB_PORT_5432_TCP_PORT=5432".to_string(),
            "EARLY_DB_PORT_5432_TCP_PROTO=tcp".to_string(),
            format!("EARLY_DB_PORT_8080_TCP=tcp://{ip}:8080"),
            format!("EARLY_DB_PORT_8080_TCP_ADDR={ip}"),
            "EARLY_DB_PORT_8080_TCP_PORT=8080".to_string(),
            "EARLY_DB_PORT_8080_TCP_PROTO=tcp".to_string(),
            format!("EARLY_DB_SERVICE_HOST={ip}"),
            "EARLY_DB_SERVICE_PORT=5432".to_string(),
            "EARLY_DB_SERVICE_PORT_ADMIN=8080".to_string(),
            "EARLY_DB_SERVICE_PORT_SQL=5432".to_string(),
        ]
    );
    assert!(env_lines(&r, "LATE_").is_empty(), "{}", r.stdout);
    assert_eq!(
        env_lines(&r, "KUBERNETES_SERVICE_"),
        [
            "KUBERNETES_SERVICE_HOST=10.96.0.1",
            "KUBERNETES_SERVICE_PORT=443",
            "KUBERNETES_SERVICE_PORT_HTTPS=443"
        ]
    );
    assert!(r.stdout.starts_with("PATH="));
    assert!(r.stdout.contains("\nHOSTNAME=client\n"));
    assert!(r.stdout.ends_with("HOME=/root\n"));
}

#[test]
fn enable_service_links_false_keeps_only_the_kubernetes_service() {
    let (mut sim, clock) = sim_with(&[&svc("web", "  - {port: 80}\n")]);
    clock.advance(Duration::from_secs(1));
    sim.apply_yaml(&busybox_pod(
        "client",
        "default",
        "  enableServiceLinks: false\n",
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let r = exec(&mut sim, "default", "client", "busybox:1.36", &["env"]);
    assert!(env_lines(&r, "WEB_").is_empty(), "{}", r.stdout);
    assert_eq!(env_lines(&r, "KUBERNETES_").len(), 8, "{}", r.stdout);
}

/// A busybox httpd that really listens on 8080 behind a Service whose targetPort says 80.
const WRONG_TARGET: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  containers:\n  - name: httpd\n    image: busybox:1.36\n    command: [httpd, -f, -p, '8080']\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n    targetPort: 80\n";

#[test]
fn netstat_shows_the_real_listen_port_when_target_port_is_wrong() {
    let (mut sim, _c) = sim_with(&[WRONG_TARGET, &busybox_pod("client", "default", "")]);
    let svc_ip = sim
        .get(Kind::Service, "default", "web")
        .map(|s| s["spec"]["clusterIP"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    // Endpoints exist, yet the pod refuses: the symptom to tell apart.
    let r = sh(&mut sim, "client", "busybox:1.36", "wget -qO- -T2 web");
    assert_eq!(
        (r.stderr, r.exit_code),
        (
            format!("wget: can't connect to remote host ({svc_ip}): Connection refused\n"),
            1
        )
    );
    let r = exec(
        &mut sim,
        "default",
        "web",
        "busybox:1.36",
        &["netstat", "-tlnp"],
    );
    assert_eq!(
        r.stdout,
        "Active Internet connections (only servers)\n\
         Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    \n\
         tcp        0      0 0.0.0.0:8080            0.0.0.0:*               LISTEN      1/httpd\n"
    );
    let r = exec(
        &mut sim,
        "default",
        "web",
        "busybox:1.36",
        &["netstat", "-tln"],
    );
    assert!(
        r.stdout.ends_with(
            "tcp        0      0 0.0.0.0:8080            0.0.0.0:*               LISTEN      \n"
        ),
        "{}",
        r.stdout
    );
    let r = exec(&mut sim, "default", "web", "busybox:1.36", &["ps"]);
    assert_eq!(
        r.stdout,
        "PID   USER     TIME  COMMAND\n    1 root      0:00 httpd -f -p 8080\n    7 root      0:00 ps\n"
    );
}

#[test]
fn ip_addr_shows_the_pods_address_on_its_veth() {
    let (mut sim, _c) = sim_with(&[&busybox_pod("client", "default", "")]);
    let ip = sim
        .get(Kind::Pod, "default", "client")
        .map(|p| p["status"]["podIP"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let r = exec(&mut sim, "default", "client", "busybox:1.36", &["ip", "a"]);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000",
            "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
            "    inet 127.0.0.1/8 scope host lo",
            "       valid_lft forever preferred_lft forever",
        ]
    );
    assert!(lines[6].starts_with("2: eth0@if"), "{}", r.stdout);
    assert!(
        lines[6].ends_with(": <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1450 qdisc noqueue "),
        "{}",
        r.stdout
    );
    let prefix = ip.rsplit_once('.').map_or("", |(p, _)| p).to_string();
    assert_eq!(
        lines[8],
        format!("    inet {ip}/24 brd {prefix}.255 scope global eth0")
    );
}

#[test]
fn ping_to_a_cluster_ip_gets_no_reply_and_to_a_pod_ip_does() {
    let (mut sim, _c) = sim_with(&[WRONG_TARGET, &busybox_pod("client", "default", "")]);
    let svc_ip = sim
        .get(Kind::Service, "default", "web")
        .map(|s| s["spec"]["clusterIP"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let r = exec(
        &mut sim,
        "default",
        "client",
        "busybox:1.36",
        &["ping", "-c", "2", "web"],
    );
    assert_eq!(
        r.stdout,
        format!(
            "PING web ({svc_ip}): 56 data bytes\n\n--- web ping statistics ---\n2 packets transmitted, 0 packets received, 100% packet loss\n"
        )
    );
    assert_eq!(r.exit_code, 1);
    // One second between requests, then busybox waits -W (10 s) for the last reply.
    assert_eq!(r.elapsed_ms, 11_000);

    let pod = sim
        .get(Kind::Pod, "default", "web")
        .unwrap_or_else(|e| panic!("{e}"));
    let pod_ip = pod["status"]["podIP"].as_str().unwrap_or("").to_string();
    let same_node = pod["spec"]["nodeName"]
        == sim
            .get(Kind::Pod, "default", "client")
            .map(|p| p["spec"]["nodeName"].clone())
            .unwrap_or_default();
    let ttl = if same_node { 64 } else { 62 };
    let r = exec(
        &mut sim,
        "default",
        "client",
        "busybox:1.36",
        &["ping", "-c", "1", &pod_ip],
    );
    assert_eq!(r.exit_code, 0, "{}", r.stdout);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], format!("PING {pod_ip} ({pod_ip}): 56 data bytes"));
    assert!(
        lines[1].starts_with(&format!("64 bytes from {pod_ip}: seq=0 ttl={ttl} time=0.")),
        "{}",
        r.stdout
    );
    assert_eq!(
        lines[3..5],
        [
            format!("--- {pod_ip} ping statistics ---"),
            "1 packets transmitted, 1 packets received, 0% packet loss".to_string()
        ]
    );
    assert!(lines[5].starts_with("round-trip min/avg/max = 0."));
    // A name that does not resolve dies in the resolver.
    let r = exec(
        &mut sim,
        "default",
        "client",
        "busybox:1.36",
        &["ping", "-c", "1", "nope"],
    );
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        ("ping: bad address 'nope'\n", 1)
    );
}

#[test]
fn an_unknown_command_is_not_found_with_exit_127_in_each_shell() {
    let nginx = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: nginx\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.27\n";
    let (mut sim, _c) = sim_with(&[nginx, &busybox_pod("client", "default", "")]);
    // busybox ash.
    let r = sh(&mut sim, "client", "busybox:1.36", "curl -s web");
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        ("sh: curl: not found\n", 127)
    );
    // Debian's sh is dash, which numbers the line; nginx has curl but no wget, ping or ps.
    for tool in ["wget", "ping", "ps", "netstat", "ip"] {
        let r = sh(&mut sim, "nginx", "nginx:1.27", &format!("{tool} web"));
        assert_eq!(
            (r.stderr.as_str(), r.exit_code),
            (format!("sh: 1: {tool}: not found\n").as_str(), 127)
        );
    }
    // Without a shell the runtime refuses the exec; the caller words it.
    let r = clients::run(
        &mut sim,
        &pod_at("default", "nginx"),
        "nginx:1.27",
        &argv(&["ping", "web"]),
        &ClientEnv::default(),
    );
    assert_eq!(r, Err(ClientError::NotFound("ping".to_string())));
}

#[test]
fn pipes_lists_and_exit_work_around_machine_commands() {
    let (mut sim, _c) = sim_with(&[&busybox_pod("client", "default", "")]);
    let r = sh(
        &mut sim,
        "client",
        "busybox:1.36",
        "cat /etc/resolv.conf | grep nameserver && hostname; false || echo fallback; exit 3",
    );
    assert_eq!(r.stdout, "nameserver 10.96.0.10\nclient\nfallback\n");
    assert_eq!(r.exit_code, 3);
    let r = sh(&mut sim, "client", "busybox:1.36", "true && exit 0");
    assert_eq!(r.exit_code, 0);
}

#[test]
fn cat_and_ls_of_a_missing_file_say_no_such_file_in_the_images_own_words() {
    let nginx = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: nginx\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.27\n";
    let (mut sim, _c) = sim_with(&[nginx, &busybox_pod("client", "default", "")]);
    let r = exec(
        &mut sim,
        "default",
        "client",
        "busybox:1.36",
        &["cat", "/etc/nope"],
    );
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        (
            "cat: can't open '/etc/nope': No such file or directory\n",
            1
        )
    );
    let r = exec(
        &mut sim,
        "default",
        "nginx",
        "nginx:1.27",
        &["cat", "/etc/nope"],
    );
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        ("cat: /etc/nope: No such file or directory\n", 1)
    );
    let r = exec(
        &mut sim,
        "default",
        "client",
        "busybox:1.36",
        &["ls", "/nope"],
    );
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        ("ls: /nope: No such file or directory\n", 1)
    );
    let r = exec(&mut sim, "default", "nginx", "nginx:1.27", &["ls", "/nope"]);
    assert_eq!(
        (r.stderr.as_str(), r.exit_code),
        ("ls: cannot access '/nope': No such file or directory\n", 2)
    );
    let r = exec(
        &mut sim,
        "default",
        "client",
        "busybox:1.36",
        &["ls", "/etc"],
    );
    assert_eq!(r.stdout, "hostname\nhosts\nresolv.conf\n");
}

#[test]
fn ifconfig_shows_the_same_interfaces_as_ip_in_busyboxs_older_format() {
    let (mut sim, _c) = sim_with(&[&busybox_pod("client", "default", "")]);
    let ip = sim
        .get(Kind::Pod, "default", "client")
        .map(|p| p["status"]["podIP"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let prefix = ip.rsplit_once('.').map_or("", |(p, _)| p).to_string();
    let a = exec(
        &mut sim,
        "default",
        "client",
        "busybox:1.36",
        &["ip", "link"],
    );
    let mac = a
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("    link/ether "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or("")
        .to_uppercase();
    let r = exec(
        &mut sim,
        "default",
        "client",
        "busybox:1.36",
        &["ifconfig", "eth0"],
    );
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[..4],
        [
            format!("eth0      Link encap:Ethernet  HWaddr {mac}  "),
            format!("          inet addr:{ip}  Bcast:{prefix}.255  Mask:255.255.255.0"),
            lines[2].to_string(),
            "          UP BROADCAST RUNNING MULTICAST  MTU:1450  Metric:1".to_string(),
        ]
    );
    assert!(
        lines[2].starts_with("          inet6 addr: fe80::")
            && lines[2].ends_with("/64 Scope:Link")
    );
    let all = exec(&mut sim, "default", "client", "busybox:1.36", &["ifconfig"]);
    // busybox keeps its interface list sorted by name: eth0 before lo.
    let heads: Vec<&str> = all
        .stdout
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.is_empty())
        .collect();
    assert_eq!(
        heads,
        [
            format!("eth0      Link encap:Ethernet  HWaddr {mac}  ").as_str(),
            "lo        Link encap:Local Loopback  "
        ]
    );
    let r = exec(
        &mut sim,
        "default",
        "client",
        "busybox:1.36",
        &["ifconfig", "eth9"],
    );
    assert_eq!(r.exit_code, 1);
}

#[test]
fn ping_is_dropped_by_a_network_policy_that_only_allows_tcp_ports() {
    let policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web-only-80\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n  ingress:\n  - ports:\n    - {port: 8080, protocol: TCP}\n";
    let (mut sim, _c) = sim_with(&[WRONG_TARGET, &busybox_pod("client", "default", "")]);
    let pod_ip = sim
        .get(Kind::Pod, "default", "web")
        .map(|p| p["status"]["podIP"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let r = exec(
        &mut sim,
        "default",
        "client",
        "busybox:1.36",
        &["ping", "-c", "1", "-W", "2", &pod_ip],
    );
    assert_eq!(r.exit_code, 0, "{}", r.stdout);
    sim.apply_yaml(policy).unwrap_or_else(|e| panic!("{e}"));
    let r = exec(
        &mut sim,
        "default",
        "client",
        "busybox:1.36",
        &["ping", "-c", "1", "-W", "2", &pod_ip],
    );
    assert_eq!(
        (r.stdout, r.exit_code, r.elapsed_ms),
        (
            format!(
                "PING {pod_ip} ({pod_ip}): 56 data bytes\n\n--- {pod_ip} ping statistics ---\n1 packets transmitted, 0 packets received, 100% packet loss\n"
            ),
            1,
            2000
        )
    );
    // The TCP port the rule names still answers.
    let r = sh(
        &mut sim,
        "client",
        "busybox:1.36",
        &format!("nc -zv -w 2 {pod_ip} 8080"),
    );
    assert_eq!(r.exit_code, 0, "{}", r.stderr);
}

#[test]
fn a_host_network_pod_sees_its_nodes_interfaces_and_resolver() {
    let host = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hostnet\nspec:\n  hostNetwork: true\n  nodeName: node01\n  containers:\n  - name: c\n    image: busybox:1.36\n    command: [sleep, '3600']\n";
    let (mut sim, _c) = sim_with(&[host]);
    let r = exec(
        &mut sim,
        "default",
        "hostnet",
        "busybox:1.36",
        &["hostname"],
    );
    assert_eq!(r.stdout, "node01\n");
    // ClusterFirst on the host network falls back to the node's resolver.
    let r = exec(
        &mut sim,
        "default",
        "hostnet",
        "busybox:1.36",
        &["cat", "/etc/resolv.conf"],
    );
    assert_eq!(r.stdout, "nameserver 127.0.0.53\n");
    let r = exec(
        &mut sim,
        "default",
        "hostnet",
        "busybox:1.36",
        &["ip", "addr", "show", "cni0"],
    );
    assert!(
        r.stdout
            .starts_with("4: cni0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("    inet 10.244.1.1/24 brd 10.244.1.255 scope global cni0\n"),
        "{}",
        r.stdout
    );
    let r = exec(
        &mut sim,
        "default",
        "hostnet",
        "busybox:1.36",
        &["cat", "/etc/hosts"],
    );
    assert!(
        r.stdout
            .starts_with("# Kubernetes-managed hosts file (host network).\n")
    );
}

#[test]
fn ip_route_shows_the_flannel_routes_of_a_pod() {
    let (mut sim, _c) = sim_with(&[&busybox_pod("client", "default", "")]);
    let ip = sim
        .get(Kind::Pod, "default", "client")
        .map(|p| p["status"]["podIP"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let prefix = ip.rsplit_once('.').map_or("", |(p, _)| p).to_string();
    let r = exec(
        &mut sim,
        "default",
        "client",
        "busybox:1.36",
        &["ip", "route"],
    );
    assert_eq!(
        r.stdout,
        format!(
            "default via {prefix}.1 dev eth0 \n10.244.0.0/16 via {prefix}.1 dev eth0 \n{prefix}.0/24 dev eth0 scope link  src {ip} \n"
        )
    );
}
