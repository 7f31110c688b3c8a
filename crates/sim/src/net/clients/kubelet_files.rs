//! What the kubelet writes into a container, from its pod spec and the cluster: the
//! `/etc/hosts` it manages (`managedHostsFileContent`), the DNS configuration containerd turns
//! into `/etc/resolv.conf` (`GetPodDNS`, `parseDNSOptions`), and the environment — the
//! container's `env` plus docker-link variables for the Services that existed when the
//! container started (`getServiceEnvVarMap`, `envvars.FromServices`; `enableServiceLinks`).

use serde_json::Value;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::kinds::Kind;
use crate::meta;
use crate::net::{CLUSTER_DNS, HOST_RESOLVER};
use crate::sim::Sim;

const IMAGE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

pub(crate) fn hosts_file(sim: &Sim, pod: &Value, hostname: &str, ip: Option<Ipv4Addr>) -> String {
    let mut s = String::from("# Kubernetes-managed hosts file.\n");
    s.push_str("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    s.push_str("fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
    let sub = meta::str_at(pod, &["spec", "subdomain"]);
    if let Some(ip) = ip {
        if sub.is_empty() {
            s.push_str(&format!("{ip}\t{hostname}\n"));
        } else {
            let domain = format!(
                "{sub}.{}.svc.{}",
                meta::namespace(pod),
                sim.config.cluster_domain
            );
            s.push_str(&format!("{ip}\t{hostname}.{domain}\t{hostname}\n"));
        }
    }
    let aliases = pod["spec"]["hostAliases"].as_array();
    if let Some(aliases) = aliases.filter(|a| !a.is_empty()) {
        s.push_str("\n# Entries added by HostAliases.\n");
        for a in aliases {
            let names: Vec<&str> = a["hostnames"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            s.push_str(&format!(
                "{}\t{}\n",
                a["ip"].as_str().unwrap_or(""),
                names.join("\t")
            ));
        }
    }
    s
}

/// The kubelet's DNS configuration for a pod (`GetPodDNS`), as containerd writes it.
pub(crate) fn resolv_conf(sim: &Sim, pod: &Value) -> String {
    let ns = meta::namespace(pod);
    let zone = &sim.config.cluster_domain;
    let dns_config = &pod["spec"]["dnsConfig"];
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let host_network = pod["spec"]["hostNetwork"].as_bool() == Some(true);
    let policy = match meta::str_at(pod, &["spec", "dnsPolicy"]) {
        "" => "ClusterFirst",
        p => p,
    };
    let (mut servers, mut searches, mut options): (Vec<String>, Vec<String>, Vec<String>) =
        match policy {
            "ClusterFirst" if !host_network => cluster_first(ns, zone),
            "ClusterFirstWithHostNet" => cluster_first(ns, zone),
            "None" => (Vec::new(), Vec::new(), Vec::new()),
            // Default, and ClusterFirst on the host network: the node's own resolver.
            _ => (vec![HOST_RESOLVER.to_string()], Vec::new(), Vec::new()),
        };
    servers.extend(strings(&dns_config["nameservers"]));
    for s in strings(&dns_config["searches"]) {
        if !searches.contains(&s) {
            searches.push(s);
        }
    }
    // mergeDNSOptions: a later option of the same name replaces an earlier one.
    for o in dns_config["options"].as_array().into_iter().flatten() {
        let name = o["name"].as_str().unwrap_or("");
        let text = match o["value"].as_str() {
            Some(v) => format!("{name}:{v}"),
            None => name.to_string(),
        };
        match options
            .iter_mut()
            .find(|x| x.split(':').next() == Some(name))
        {
            Some(x) => *x = text,
            None => options.push(text),
        }
    }
    let mut s = String::new();
    if !searches.is_empty() {
        s.push_str(&format!("search {}\n", searches.join(" ")));
    }
    if !servers.is_empty() {
        s.push_str(&format!("nameserver {}\n", servers.join("\nnameserver ")));
    }
    if !options.is_empty() {
        s.push_str(&format!("options {}\n", options.join(" ")));
    }
    s
}

fn cluster_first(ns: &str, zone: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    (
        vec![CLUSTER_DNS.to_string()],
        vec![
            format!("{ns}.svc.{zone}"),
            format!("svc.{zone}"),
            zone.to_string(),
        ],
        vec!["ndots:5".to_string()],
    )
}

/// `makeEnvVariableName`: upper case, `-` and `.` to `_`, a leading digit gets a `_`.
fn env_name(s: &str) -> String {
    let n = s.replace(['.', '-'], "_").to_uppercase();
    if n.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{n}")
    } else {
        n
    }
}

/// `envvars.FromServices` for one Service.
fn service_vars(svc: &Value, out: &mut Vec<(String, String)>) {
    let ip = meta::str_at(svc, &["spec", "clusterIP"]);
    let ports: Vec<&Value> = svc["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let Some(first) = ports.first() else {
        return;
    };
    let prefix = env_name(meta::name(svc));
    let port_of = |p: &Value| p["port"].as_u64().unwrap_or(0);
    out.push((format!("{prefix}_SERVICE_HOST"), ip.to_string()));
    out.push((format!("{prefix}_SERVICE_PORT"), port_of(first).to_string()));
    for p in &ports {
        if let Some(n) = p["name"].as_str().filter(|n| !n.is_empty()) {
            out.push((
                format!("{prefix}_SERVICE_PORT_{}", env_name(n)),
                port_of(p).to_string(),
            ));
        }
    }
    for (i, p) in ports.iter().enumerate() {
        let proto = match meta::str_at(p, &["protocol"]) {
            "" => "TCP",
            x => x,
        };
        let lower = proto.to_lowercase();
        let url = format!("{lower}://{ip}:{}", port_of(p));
        if i == 0 {
            out.push((format!("{prefix}_PORT"), url.clone()));
        }
        let pp = format!("{prefix}_PORT_{}_{}", port_of(p), proto.to_uppercase());
        out.push((pp.clone(), url));
        out.push((format!("{pp}_PROTO"), lower));
        out.push((format!("{pp}_PORT"), port_of(p).to_string()));
        out.push((format!("{pp}_ADDR"), ip.to_string()));
    }
}

/// The environment of a container: the image's `PATH`, `HOSTNAME` (containerd), what the
/// kubelet sets (the container's `env`, then Service links the container's own variables do
/// not override; the kubelet hands them over from a map, so their order is not stable on a
/// real node: sorted here), and `HOME` (containerd adds it last).
pub(crate) fn env(sim: &Sim, pod: &Value, c: &Value, hostname: &str) -> Vec<(String, String)> {
    let mut kubelet: BTreeMap<String, String> = BTreeMap::new();
    for e in c["env"].as_array().into_iter().flatten() {
        if let (Some(n), Some(v)) = (e["name"].as_str(), e["value"].as_str()) {
            kubelet.insert(n.to_string(), v.to_string());
        }
    }
    let name = c["name"].as_str().unwrap_or("");
    let started = pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["name"].as_str() == Some(name))
        .and_then(|s| s["state"]["running"]["startedAt"].as_str())
        .and_then(|t| t.parse::<jiff::Timestamp>().ok());
    let links = pod["spec"]["enableServiceLinks"].as_bool() != Some(false);
    let ns = meta::namespace(pod);
    let mut chosen: BTreeMap<String, &Value> = BTreeMap::new();
    for svc in sim.store.list(Kind::Service, None) {
        let ip = meta::str_at(svc, &["spec", "clusterIP"]);
        if ip.is_empty() || ip == "None" {
            continue;
        }
        // Only Services the kubelet saw when it started the container.
        let created = meta::str_at(svc, &["metadata", "creationTimestamp"])
            .parse::<jiff::Timestamp>()
            .ok();
        if let (Some(s), Some(c)) = (started, created)
            && c > s
        {
            continue;
        }
        let svc_name = meta::name(svc);
        if meta::namespace(svc) == "default" && svc_name == "kubernetes" {
            chosen.entry(svc_name.to_string()).or_insert(svc);
        } else if meta::namespace(svc) == ns && links {
            chosen.insert(svc_name.to_string(), svc);
        }
    }
    let mut vars = Vec::new();
    for svc in chosen.values() {
        service_vars(svc, &mut vars);
    }
    for (k, v) in vars {
        kubelet.entry(k).or_insert(v);
    }
    let mut out = vec![
        ("PATH".to_string(), IMAGE_PATH.to_string()),
        ("HOSTNAME".to_string(), hostname.to_string()),
    ];
    out.extend(kubelet);
    out.push(("HOME".to_string(), "/root".to_string()));
    out
}
