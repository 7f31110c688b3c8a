//! What an attach joins: a container's main process. A shell kept alive by `stdin: true`
//! (`kubectl run -it … -- sh`) reads the client's lines; anything else is a process that does
//! not read stdin, and the client sees what it prints from now on, until it stops.

use kubedrill_sim::Kind;
use serde_json::Value;

use super::exec::{Container, is_interactive_shell, session};
use super::session::Io;
use super::ws::Ending;

/// The process a container runs (`command` + `args`; empty: the image's default).
pub fn argv_of(spec: &Value) -> Vec<String> {
    ["command", "args"]
        .iter()
        .flat_map(|f| spec[*f].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Whether the container's process is a shell reading its stdin: a shell without a script, or
/// the busybox / alpine default command (`sh`), with `stdin: true` so it stays open.
pub fn holds_a_shell(spec: &Value, image: &str) -> bool {
    if spec["stdin"].as_bool() != Some(true) {
        return false;
    }
    let argv = argv_of(spec);
    if argv.is_empty() {
        return super::exec::prompt(image, "sh", "") == "/ # ";
    }
    is_interactive_shell(&argv)
}

/// Serve `kubectl attach` to the container `spec` describes.
pub async fn attach(c: Container, spec: Value, mut io: Io) -> Ending {
    if io.streams.stdin && holds_a_shell(&spec, &c.image) {
        let mut argv = argv_of(&spec);
        if argv.is_empty() {
            argv.push("sh".to_string());
        }
        // With `stdinOnce` the first attach owns stdin: when it closes or the client leaves
        // (this task is dropped), the shell reads EOF and ends.
        let mut guard = EndOnDrop {
            c: c.clone(),
            code: 0,
            armed: spec["stdinOnce"].as_bool() == Some(true),
        };
        // The shell is the container's main process: what it prints is the container's log
        // (kubectl 1.36+ warns that the session is recorded there).
        let logged = c.clone();
        io.set_tee(Box::new(move |text| logged.log(text)));
        let end = session(&c, &argv, &mut io, false).await;
        guard.code = end.code;
        guard.armed |= end.exited;
        return Ending::Success;
    }
    follow(&c, &mut io).await;
    Ending::Success
}

/// Ends the attached shell's container when the session goes, however it goes.
struct EndOnDrop {
    c: Container,
    code: i32,
    armed: bool,
}

impl Drop for EndOnDrop {
    fn drop(&mut self) {
        if self.armed {
            let c = &self.c;
            // The pod may be gone already; then there is nothing to end.
            let _ = c
                .cluster
                .write(|s| s.end_container(&c.namespace, &c.pod, &c.name, i64::from(self.code)));
        }
    }
}

/// Print what the container prints from now on, until it stops running or the pod goes.
async fn follow(c: &Container, io: &mut Io) {
    let mut changed = c.cluster.subscribe();
    let lines = |s: &kubedrill_sim::Sim| {
        s.logs(&c.namespace, &c.pod, Some(&c.name), false)
            .map(|l| l.len())
            .unwrap_or(0)
    };
    let mut seen = c.cluster.read(lines);
    loop {
        if changed.changed().await.is_err() {
            return;
        }
        let (new, running) = c.cluster.read(|s| {
            let log = s
                .logs(&c.namespace, &c.pod, Some(&c.name), false)
                .unwrap_or_default();
            let running = s.get(Kind::Pod, &c.namespace, &c.pod).is_ok_and(|p| {
                super::container_status(&p, &c.name)
                    .is_some_and(|st| st["state"].get("running").is_some())
            });
            (log, running)
        });
        if new.len() < seen {
            seen = 0;
        }
        let mut text = String::new();
        for l in &new[seen..] {
            text.push_str(&l.text);
            text.push('\n');
        }
        seen = new.len();
        io.stdout(text.as_bytes());
        if !running {
            return;
        }
    }
}
