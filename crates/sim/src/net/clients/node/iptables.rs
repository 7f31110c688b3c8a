//! The iptables rules a node holds for Services, as kube-proxy in iptables mode programs them
//! (`pkg/proxy/iptables/proxier.go` `syncProxyRules` and `iptablesJumpChains`, Kubernetes
//! 1.3x) plus the kubelet's own chains, and the two ways to read them: `iptables-save` and
//! `iptables [-t TABLE] -L [CHAIN] [-n]` (iptables 1.8, nf_tables backend: `xtables-save.c`,
//! `xshared.c` `print_header` / `print_rule_details`, and each extension's print/save).
//!
//! Chain names are kube-proxy's: `KUBE-SVC-`/`KUBE-EXT-`/`KUBE-SVL-`/`KUBE-FW-` + the first 16
//! characters of base32(sha256(servicePortName + protocol)), `KUBE-SEP-` + the same over
//! servicePortName + protocol + endpoint (`portProtoHash`, `servicePortEndpointChainName`).
//! Not modelled: the CNI's own chains (flannel's), nfacct counters, packet counters (all 0).

use super::hash::chain_hash;

/// The mark kube-proxy and the kubelet use for "masquerade this" (`--masquerade-bit=14`).
const MASQ_MARK: u32 = 0x4000;

/// One table of `iptables-save`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub chains: Vec<Chain>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub name: String,
    /// Built-in chains have a policy (`ACCEPT`); user chains have none.
    pub policy: Option<&'static str>,
    pub rules: Vec<Rule>,
}

/// One rule, in the fields `iptables-save` prints in its own order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    /// `(negated, address/prefix)`.
    pub src: Option<(bool, String)>,
    pub dst: Option<String>,
    pub proto: Option<&'static str>,
    pub matches: Vec<Match>,
    pub target: String,
    pub target_opts: TargetOpts,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    Comment(String),
    /// `-m conntrack [!] --ctstate STATES`.
    Conntrack {
        negated: bool,
        states: &'static str,
    },
    /// `-m tcp [--dport N]` (or udp/sctp).
    Proto {
        proto: &'static str,
        dport: Option<u16>,
    },
    /// `-m statistic --mode random --probability P`, P as the kernel stores it (×2³¹).
    Statistic(u32),
    /// `-m addrtype --src-type LOCAL` (`src`) or `--dst-type LOCAL`.
    AddrTypeLocal {
        src: bool,
    },
    /// `-m mark [!] --mark VALUE/MASK`.
    Mark {
        negated: bool,
        value: u32,
        mask: u32,
    },
    /// `-m recent --set|--rcheck --seconds N --reap --name NAME` (ClientIP affinity).
    Recent {
        set: bool,
        seconds: u32,
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TargetOpts {
    #[default]
    None,
    Dnat(String),
    /// `--set-xmark VALUE/MASK`.
    Xmark(u32, u32),
    MasqueradeRandomFully,
    Reject,
}

/// A Service port as kube-proxy's rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvcPortRules {
    /// `ns/name` or `ns/name:port` (`ServicePortName.String()`).
    pub name: String,
    /// `tcp`, `udp`, `sctp`.
    pub proto: &'static str,
    pub cluster_ip: String,
    pub port: u16,
    pub node_port: u16,
    pub external_ips: Vec<String>,
    pub lb_ips: Vec<String>,
    pub etp_local: bool,
    pub itp_local: bool,
    /// ClientIP affinity timeout, if any.
    pub affinity_secs: Option<u32>,
    /// Usable endpoints cluster-wide, as `ip:port`.
    pub endpoints: Vec<String>,
    /// Usable endpoints on this node.
    pub local: Vec<String>,
}

fn rule(target: &str) -> Rule {
    Rule {
        target: target.to_string(),
        ..Rule::default()
    }
}

fn comment(s: &str) -> Match {
    Match::Comment(s.to_string())
}

fn ct(states: &'static str) -> Match {
    Match::Conntrack {
        negated: false,
        states,
    }
}

fn chain(name: &str, policy: Option<&'static str>, rules: Vec<Rule>) -> Chain {
    Chain {
        name: name.to_string(),
        policy,
        rules,
    }
}

/// kube-proxy's `probability(n)`: `%0.10f` of 1/n, stored by the statistic match as
/// `lround(p × 2³¹)`.
fn probability(n: usize) -> u32 {
    let p: f64 = format!("{:.10}", 1.0 / n as f64).parse().unwrap_or(0.0);
    (p * f64::from(0x8000_0000u32)).round() as u32
}

/// The three tables of a node: mangle (the kubelet's hint chains), filter, nat.
pub fn tables(services: &[SvcPortRules], cluster_cidr: &str) -> Vec<Table> {
    let mut filter_svc = Vec::new();
    let mut filter_ext = Vec::new();
    let mut nat_services = Vec::new();
    let mut nat_nodeports = Vec::new();
    let mut extra: Vec<Chain> = Vec::new();
    for s in services {
        write_service(
            s,
            cluster_cidr,
            &mut filter_svc,
            &mut filter_ext,
            &mut nat_services,
            &mut nat_nodeports,
            &mut extra,
        );
    }
    let mut tail = rule("KUBE-NODEPORTS");
    tail.matches = vec![
        comment("kubernetes service nodeports; NOTE: this must be the last rule in this chain"),
        Match::AddrTypeLocal { src: false },
    ];
    nat_services.push(tail);

    let jump = |target: &str, ctstate: bool, text: &str| {
        let mut r = rule(target);
        if ctstate {
            r.matches.push(ct("NEW"));
        }
        r.matches.push(comment(text));
        r
    };
    let lb_fw = "kubernetes load balancer firewall";
    let ext = "kubernetes externally-visible service portals";
    let portals = "kubernetes service portals";
    let mut firewall = rule("DROP");
    firewall.src = Some((true, "127.0.0.0/8".to_string()));
    firewall.dst = Some("127.0.0.0/8".to_string());
    firewall.matches = vec![
        comment("block incoming localnet connections"),
        Match::Conntrack {
            negated: true,
            states: "RELATED,ESTABLISHED,DNAT",
        },
    ];
    let mut fwd_invalid = rule("DROP");
    fwd_invalid.matches = vec![ct("INVALID")];
    let mut fwd_mark = rule("ACCEPT");
    fwd_mark.matches = vec![
        comment("kubernetes forwarding rules"),
        Match::Mark {
            negated: false,
            value: MASQ_MARK,
            mask: MASQ_MARK,
        },
    ];
    let mut fwd_ct = rule("ACCEPT");
    fwd_ct.matches = vec![
        comment("kubernetes forwarding conntrack rule"),
        ct("RELATED,ESTABLISHED"),
    ];
    let filter = vec![
        chain(
            "INPUT",
            Some("ACCEPT"),
            vec![
                jump("KUBE-PROXY-FIREWALL", true, lb_fw),
                jump(
                    "KUBE-NODEPORTS",
                    false,
                    "kubernetes health check service ports",
                ),
                jump("KUBE-EXTERNAL-SERVICES", true, ext),
                rule("KUBE-FIREWALL"),
            ],
        ),
        chain(
            "FORWARD",
            Some("ACCEPT"),
            vec![
                jump("KUBE-PROXY-FIREWALL", true, lb_fw),
                jump("KUBE-FORWARD", false, "kubernetes forwarding rules"),
                jump("KUBE-SERVICES", true, portals),
                jump("KUBE-EXTERNAL-SERVICES", true, ext),
            ],
        ),
        chain(
            "OUTPUT",
            Some("ACCEPT"),
            vec![
                jump("KUBE-PROXY-FIREWALL", true, lb_fw),
                jump("KUBE-SERVICES", true, portals),
                rule("KUBE-FIREWALL"),
            ],
        ),
        chain("KUBE-EXTERNAL-SERVICES", None, filter_ext),
        chain("KUBE-FIREWALL", None, vec![firewall]),
        chain("KUBE-FORWARD", None, vec![fwd_invalid, fwd_mark, fwd_ct]),
        chain("KUBE-KUBELET-CANARY", None, Vec::new()),
        chain("KUBE-NODEPORTS", None, Vec::new()),
        chain("KUBE-PROXY-CANARY", None, Vec::new()),
        chain("KUBE-PROXY-FIREWALL", None, Vec::new()),
        chain("KUBE-SERVICES", None, filter_svc),
    ];

    let mut masq_mark = rule("MARK");
    masq_mark.target_opts = TargetOpts::Xmark(MASQ_MARK, MASQ_MARK);
    let mut post_return = rule("RETURN");
    post_return.matches = vec![Match::Mark {
        negated: true,
        value: MASQ_MARK,
        mask: MASQ_MARK,
    }];
    let mut post_clear = rule("MARK");
    post_clear.target_opts = TargetOpts::Xmark(MASQ_MARK, 0);
    let mut post_masq = rule("MASQUERADE");
    post_masq.matches = vec![comment("kubernetes service traffic requiring SNAT")];
    post_masq.target_opts = TargetOpts::MasqueradeRandomFully;
    let mut nat = vec![
        chain(
            "PREROUTING",
            Some("ACCEPT"),
            vec![jump("KUBE-SERVICES", false, portals)],
        ),
        chain("INPUT", Some("ACCEPT"), Vec::new()),
        chain(
            "OUTPUT",
            Some("ACCEPT"),
            vec![jump("KUBE-SERVICES", false, portals)],
        ),
        chain(
            "POSTROUTING",
            Some("ACCEPT"),
            vec![jump(
                "KUBE-POSTROUTING",
                false,
                "kubernetes postrouting rules",
            )],
        ),
        chain("KUBE-KUBELET-CANARY", None, Vec::new()),
        chain("KUBE-MARK-MASQ", None, vec![masq_mark]),
        chain("KUBE-NODEPORTS", None, nat_nodeports),
        chain(
            "KUBE-POSTROUTING",
            None,
            vec![post_return, post_clear, post_masq],
        ),
        chain("KUBE-PROXY-CANARY", None, Vec::new()),
        chain("KUBE-SERVICES", None, nat_services),
    ];
    nat.extend(extra);
    // iptables-save sorts user chains by name after the built-in ones.
    let builtin = nat.iter().filter(|c| c.policy.is_some()).count();
    nat[builtin..].sort_by(|a, b| a.name.cmp(&b.name));

    let mangle = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]
        .into_iter()
        .map(|c| chain(c, Some("ACCEPT"), Vec::new()))
        .chain(
            [
                "KUBE-IPTABLES-HINT",
                "KUBE-KUBELET-CANARY",
                "KUBE-PROXY-CANARY",
            ]
            .into_iter()
            .map(|c| chain(c, None, Vec::new())),
        )
        .collect();
    vec![
        Table {
            name: "mangle",
            chains: mangle,
        },
        Table {
            name: "filter",
            chains: filter,
        },
        Table {
            name: "nat",
            chains: nat,
        },
    ]
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
fn write_service(
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
