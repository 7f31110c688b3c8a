//! The iptables rules a node holds for Services, as kube-proxy in iptables mode programs them
//! (`pkg/proxy/iptables/proxier.go` `syncProxyRules` and `iptablesJumpChains`, Kubernetes
//! 1.3x) plus the kubelet's own chains, and the two ways to read them: `iptables-save` and
//! `iptables [-t TABLE] -L [CHAIN] [-n]` (iptables 1.8, nf_tables backend: `xtables-save.c`,
//! `xshared.c` `print_header` / `print_rule_details`, and each extension's print/save).
//!
//! Chain names are kube-proxy's: `KUBE-SVC-`/`KUBE-EXT-`/`KUBE-SVL-`/`KUBE-FW-` + the first 16
//! characters of base32(sha256(servicePortName + protocol)), `KUBE-SEP-` + the same over
//! servicePortName + protocol + endpoint (`portProtoHash`, `servicePortEndpointChainName`).
//! This file holds the rule types and the fixed chains (the kubelet's and kube-proxy's
//! jumps, KUBE-POSTROUTING, KUBE-FORWARD, …); `kube_proxy.rs` writes each Service port's.
//! Not modelled: the CNI's own chains (flannel's), nfacct counters, packet counters (all 0).

use super::kube_proxy::write_service;

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

pub(super) fn rule(target: &str) -> Rule {
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

pub(super) fn chain(name: &str, policy: Option<&'static str>, rules: Vec<Rule>) -> Chain {
    Chain {
        name: name.to_string(),
        policy,
        rules,
    }
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
