//! Client containers: a container whose command is a client tool (`wget …`, `curl …`,
//! `nc -z …`, `nslookup …`, or `sh -c` around them) runs it against the network model when it
//! starts. What it printed goes to the container's log, and its exit code ends the container as
//! the image catalog's `exits` would — so a `restartPolicy: Never` pod ends Succeeded or Failed,
//! and the others restart into CrashLoopBackOff. A script that loops forever keeps running.
//!
//! The command runs once per container start; later syncs read how it ended from the status.

use serde_json::Value;
use std::collections::BTreeMap;

use crate::images::ImageEntry;
use crate::meta;
use crate::net::Origin;
use crate::net::clients::{self, ClientEnv};
use crate::sim::Sim;

/// How a client container ends: `None` when `c` is not a client command (the catalog
/// decides), `Some(None)` when it runs on, `Some(Some(code))` when it exits with `code`.
pub(super) fn outcome(
    sim: &mut Sim,
    pod: &Value,
    c: &Value,
    entry: &ImageEntry,
    fresh: bool,
    prev: Option<&Value>,
) -> Option<Option<i64>> {
    let vars: BTreeMap<String, String> = c["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_string(),
                e["value"].as_str()?.to_string(),
            ))
        })
        .collect();
    let argv = argv(c, entry, &vars);
    if !clients::is_client_command(&argv) {
        return None;
    }
    if !fresh {
        // Already ran: how it ended is in the status (terminated now or before a restart).
        let p = prev?;
        if p["state"].get("running").is_some() {
            return Some(None);
        }
        return ["state", "lastState"]
            .iter()
            .find_map(|f| p[*f]["terminated"]["exitCode"].as_i64())
            .map(Some);
    }
    let from = Origin::Pod {
        namespace: meta::namespace(pod).to_string(),
        name: meta::name(pod).to_string(),
    };
    let env = ClientEnv {
        vars,
        ..ClientEnv::default()
    };
    // A missing binary or an origin the model cannot place: leave it to the catalog.
    let mut net = Recording {
        net: clients::SimNet { sim, from },
        traces: Vec::new(),
    };
    let run = clients::run_with(&mut net, &entry.tools, &argv, &env).ok()?;
    let traces = net.traces;
    sim.net.record_client_traces(meta::uid(pod), traces);
    let name = c["name"].as_str().unwrap_or("");
    let text = run.combined();
    if !text.is_empty() {
        sim.append_log(meta::uid(pod), name, &text);
    }
    Some(run.ended.then_some(i64::from(run.exit_code)))
}

/// The process a container runs: `command` + `args` with `$(VAR)` expanded as the kubelet
/// does; with `args` alone, what the image's entrypoint makes of them (curlimages/curl's
/// entrypoint.sh puts `curl` in front of anything that is not a command).
fn argv(c: &Value, entry: &ImageEntry, vars: &BTreeMap<String, String>) -> Vec<String> {
    let words = |f: &str| -> Vec<String> {
        c[f].as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|s| {
                vars.iter().fold(s.to_string(), |acc, (k, v)| {
                    acc.replace(&format!("$({k})"), v)
                })
            })
            .collect()
    };
    let (command, args) = (words("command"), words("args"));
    if !command.is_empty() {
        return command.into_iter().chain(args).collect();
    }
    if entry.repository == "docker.io/curlimages/curl"
        && let Some(first) = args.first()
        && (first.starts_with('-') || !entry.tools.iter().any(|t| t == first))
    {
        return std::iter::once("curl".to_string()).chain(args).collect();
    }
    args
}

/// The network as the client sees it, keeping every request's trace: what the sim knows of
/// the run beyond its output, for the grader's explanations.
struct Recording<'a> {
    net: clients::SimNet<'a>,
    traces: Vec<crate::net::Trace>,
}

impl clients::Network for Recording<'_> {
    fn resolve(&mut self, name: &str) -> Result<crate::net::DnsLookup, crate::error::ApiError> {
        self.net.resolve(name)
    }

    fn trace(
        &mut self,
        req: &crate::net::Request,
    ) -> Result<crate::net::Trace, crate::error::ApiError> {
        let t = self.net.trace(req)?;
        self.traces.push(t.clone());
        Ok(t)
    }

    fn search(&self) -> Vec<String> {
        self.net.search()
    }
}
