//! kube-proxy's rules for one Service port (`syncProxyRules`, iptables mode): the ClusterIP,
//! externalIP, LoadBalancer and NodePort captures in KUBE-SERVICES / KUBE-NODEPORTS, the
//! REJECT (no endpoints) or DROP (no local endpoints) in the filter table, the per-port
//! KUBE-SVC / KUBE-SVL / KUBE-EXT chains, and one KUBE-SEP chain per endpoint with the
//! `statistic --mode random` spread and ClientIP affinity's `recent` lists.

use super::hash::chain_hash;
use super::iptables::{Chain, Match, Rule, SvcPortRules, TargetOpts, chain, rule};

/// kube-proxy's `probability(n)`: `%0.10f` of 1/n, stored by the statistic match as
/// `lround(p × 2³¹)`.
fn probability(n: usize) -> u32 {
    let p: f64 = format!("{:.10}", 1.0 / n as f64).parse().unwrap_or(0.0);
    (p * f64::from(0x8000_0000u32)).round() as u32
}

/// `-m comment … -m PROTO -p PROTO -d IP --dport PORT` as kube-proxy writes it.
fn svc_rule(target: &str, text: String, proto: &'static str, ip: &str, port: u16) -> Rule {
    Rule {
        dst: Some(ip.to_string()),
        proto: Some(proto),
        matches: vec![
            Match::Comment(text),
            Match::Proto {
                proto,
                dport: Some(port),
            },
        ],
        target: target.to_string(),
        target_opts: if target == "REJECT" {
            TargetOpts::Reject
        } else {
            TargetOpts::None
        },
        ..Rule::default()
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn write_service(
    s: &SvcPortRules,
    cluster_cidr: &str,
    filter_svc: &mut Vec<Rule>,
    filter_ext: &mut Vec<Rule>,
    nat_services: &mut Vec<Rule>,
    nat_nodeports: &mut Vec<Rule>,
    extra: &mut Vec<Chain>,
) {
    let hash = chain_hash(&format!("{}{}", s.name, s.proto));
    let svc_chain = format!("KUBE-SVC-{hash}");
    let svl_chain = format!("KUBE-SVL-{hash}");
    let ext_chain = format!("KUBE-EXT-{hash}");
    let has_endpoints = !s.endpoints.is_empty();
    let has_internal = has_endpoints && (!s.itp_local || !s.local.is_empty());
    let has_external = has_endpoints && (!s.etp_local || !s.local.is_empty());
    let internal_chain = if s.itp_local { &svl_chain } else { &svc_chain };
    let external_policy = if s.etp_local { &svl_chain } else { &svc_chain };
    let externally = s.node_port != 0 || !s.external_ips.is_empty() || !s.lb_ips.is_empty();
    let uses_ext = has_endpoints && externally;
    let (filter_target, filter_comment) = if !has_endpoints {
        ("REJECT", format!("{} has no endpoints", s.name))
    } else {
        ("DROP", format!("{} has no local endpoints", s.name))
    };

    if has_internal {
        nat_services.push(svc_rule(
            internal_chain,
            format!("{} cluster IP", s.name),
            s.proto,
            &s.cluster_ip,
            s.port,
        ));
    } else {
        filter_svc.push(svc_rule(
            filter_target,
            filter_comment.clone(),
            s.proto,
            &s.cluster_ip,
            s.port,
        ));
    }
    for ip in &s.external_ips {
        if has_endpoints {
            nat_services.push(svc_rule(
                &ext_chain,
                format!("{} external IP", s.name),
                s.proto,
                ip,
                s.port,
            ));
        }
        if !has_external {
            filter_ext.push(svc_rule(
                filter_target,
                filter_comment.clone(),
                s.proto,
                ip,
                s.port,
            ));
        }
    }
    for ip in &s.lb_ips {
        if has_endpoints {
            nat_services.push(svc_rule(
                &ext_chain,
                format!("{} loadbalancer IP", s.name),
                s.proto,
                ip,
                s.port,
            ));
        }
    }
    if !has_external {
        for ip in &s.lb_ips {
            filter_ext.push(svc_rule(
                filter_target,
                filter_comment.clone(),
                s.proto,
                ip,
                s.port,
            ));
        }
    }
    if s.node_port != 0 {
        if has_endpoints {
            let mut r = svc_rule(&ext_chain, s.name.clone(), s.proto, "", s.node_port);
            r.dst = None;
            nat_nodeports.push(r);
        }
        if !has_external {
            let mut r = svc_rule(
                filter_target,
                filter_comment.clone(),
                s.proto,
                "",
                s.node_port,
            );
            r.dst = None;
            r.matches.insert(1, Match::AddrTypeLocal { src: false });
            filter_ext.push(r);
        }
    }

    let mut chains: Vec<Chain> = Vec::new();
    if uses_ext {
        let mut rules = Vec::new();
        if !s.etp_local {
            let mut r = rule("KUBE-MARK-MASQ");
            r.matches = vec![Match::Comment(format!(
                "masquerade traffic for {} external destinations",
                s.name
            ))];
            rules.push(r);
        } else {
            let mut pods = rule(&svc_chain);
            pods.src = Some((false, cluster_cidr.to_string()));
            pods.matches = vec![Match::Comment(format!(
                "pod traffic for {} external destinations",
                s.name
            ))];
            let mut masq = rule("KUBE-MARK-MASQ");
            masq.matches = vec![
                Match::Comment(format!(
                    "masquerade LOCAL traffic for {} external destinations",
                    s.name
                )),
                Match::AddrTypeLocal { src: true },
            ];
            let mut route = rule(&svc_chain);
            route.matches = vec![
                Match::Comment(format!(
                    "route LOCAL traffic for {} external destinations",
                    s.name
                )),
                Match::AddrTypeLocal { src: true },
            ];
            rules.extend([pods, masq, route]);
        }
        if has_external {
            rules.push(rule(external_policy));
        }
        chains.push(chain(&ext_chain, None, rules));
    }
    let uses_cluster_chain = has_endpoints && (!s.itp_local || (externally && !s.etp_local));
    let uses_local_chain = !s.local.is_empty() && (s.itp_local || (externally && s.etp_local));
    // Off-cluster traffic to the ClusterIP is masqueraded, first thing in the internal chain.
    let masq = |name: &str| {
        (has_internal && name == internal_chain.as_str()).then(|| {
            let mut r = svc_rule(
                "KUBE-MARK-MASQ",
                format!("{} cluster IP", s.name),
                s.proto,
                &s.cluster_ip,
                s.port,
            );
            r.src = Some((true, cluster_cidr.to_string()));
            r
        })
    };
    if uses_cluster_chain {
        let mut rules: Vec<Rule> = masq(&svc_chain).into_iter().collect();
        rules.extend(endpoint_rules(s, &s.endpoints));
        chains.push(chain(&svc_chain, None, rules));
    }
    if uses_local_chain {
        let mut rules: Vec<Rule> = masq(&svl_chain).into_iter().collect();
        rules.extend(endpoint_rules(s, &s.local));
        chains.push(chain(&svl_chain, None, rules));
    }
    // Endpoint chains: every endpoint reachable from this node under the policies in use.
    let mut reachable: Vec<&String> = Vec::new();
    if uses_cluster_chain {
        reachable.extend(&s.endpoints);
    }
    if uses_local_chain {
        let more: Vec<&String> = s.local.iter().filter(|e| !reachable.contains(e)).collect();
        reachable.extend(more);
    }
    for ep in reachable {
        let sep = sep_chain(s, ep);
        let ip = ep.split(':').next().unwrap_or(ep);
        let mut masq = rule("KUBE-MARK-MASQ");
        masq.src = Some((false, format!("{ip}/32")));
        masq.matches = vec![Match::Comment(s.name.clone())];
        let mut dnat = rule("DNAT");
        dnat.proto = Some(s.proto);
        dnat.matches = vec![Match::Comment(s.name.clone())];
        if s.affinity_secs.is_some() {
            dnat.matches.push(Match::Recent {
                set: true,
                seconds: 0,
                name: sep.clone(),
            });
        }
        dnat.matches.push(Match::Proto {
            proto: s.proto,
            dport: None,
        });
        dnat.target_opts = TargetOpts::Dnat(ep.clone());
        chains.push(chain(&sep, None, vec![masq, dnat]));
    }
    extra.extend(chains);
}

fn sep_chain(s: &SvcPortRules, ep: &str) -> String {
    format!(
        "KUBE-SEP-{}",
        chain_hash(&format!("{}{}{ep}", s.name, s.proto))
    )
}

/// `writeServiceToEndpointRules`: affinity checks first, then the random spread.
fn endpoint_rules(s: &SvcPortRules, eps: &[String]) -> Vec<Rule> {
    let mut rules = Vec::new();
    if let Some(secs) = s.affinity_secs {
        for ep in eps {
            let sep = sep_chain(s, ep);
            let mut r = rule(&sep);
            r.matches = vec![
                Match::Comment(format!("{} -> {ep}", s.name)),
                Match::Recent {
                    set: false,
                    seconds: secs,
                    name: sep.clone(),
                },
            ];
            rules.push(r);
        }
    }
    let n = eps.len();
    for (i, ep) in eps.iter().enumerate() {
        let mut r = rule(&sep_chain(s, ep));
        r.matches = vec![Match::Comment(format!("{} -> {ep}", s.name))];
        if i + 1 < n {
            r.matches.push(Match::Statistic(probability(n - i)));
        }
        rules.push(r);
    }
    rules
}
