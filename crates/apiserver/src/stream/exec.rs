//! What an exec runs: the command goes to the simulated container's tools
//! (`kubedrill_sim::net::clients::run`); a shell given stdin and no script becomes a session
//! that reads lines, runs each like `sh -c`, and prints a prompt when it has a terminal.
//! A binary the image lacks fails as containerd reports it through the kubelet.

use kubedrill_sim::net::Origin;
use kubedrill_sim::net::clients::{self, ClientEnv, ClientError, ClientRun};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::line::{Event, LineReader};
use super::session::{Input, Io};
use super::ws::Ending;
use crate::cluster::Cluster;

/// The container a command runs in.
#[derive(Debug, Clone)]
pub struct Container {
    pub cluster: Arc<Cluster>,
    pub namespace: String,
    pub pod: String,
    pub name: String,
    pub image: String,
    /// Its `env` values (literal ones; `valueFrom` is not resolved).
    pub vars: BTreeMap<String, String>,
}

impl Container {
    fn origin(&self) -> Origin {
        Origin::Pod {
            namespace: self.namespace.clone(),
            name: self.pod.clone(),
        }
    }

    /// Append `text` to the container's log (what its main process printed).
    pub fn log(&self, text: &str) {
        self.cluster.write(|s| {
            if let Ok(p) = s.get(kubedrill_sim::Kind::Pod, &self.namespace, &self.pod) {
                let uid = p["metadata"]["uid"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                s.append_log(&uid, &self.name, text);
            }
        });
    }

    /// Run `argv` in the container now.
    fn run(&self, argv: &[String], stdin: String, tty: bool) -> Result<ClientRun, ClientError> {
        let env = ClientEnv {
            vars: self.vars.clone(),
            stdin,
            tty,
        };
        // A request may write an access log or move kube-proxy's spread: a write.
        self.cluster
            .write(|s| clients::run(s, &self.origin(), &self.image, argv, &env))
    }

    /// containerd's exec ids are 64 hex digits; this one is stable per container and command.
    fn exec_id(&self, argv: &[String]) -> String {
        let mut h = Sha256::new();
        for part in [&self.namespace, &self.pod, &self.name] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        for a in argv {
            h.update(a.as_bytes());
            h.update([0]);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The error a missing binary gives (containerd `failed to start exec`, the kubelet's
    /// `error executing command in container`, as an InternalError from the kubelet).
    fn not_found(&self, argv: &[String], cmd: &str) -> Ending {
        Ending::Internal(format!(
            "Internal error occurred: error executing command in container: failed to exec in \
             container: failed to start exec \"{}\": OCI runtime exec failed: exec failed: unable \
             to start container process: exec: \"{cmd}\": executable file not found in $PATH: unknown",
            self.exec_id(argv)
        ))
    }
}

fn basename(cmd: &str) -> &str {
    cmd.rsplit('/').next().unwrap_or(cmd)
}

/// `sh`, `/bin/sh -i`, `bash -l`: a shell that reads its commands from stdin.
pub fn is_interactive_shell(argv: &[String]) -> bool {
    let Some((cmd, rest)) = argv.split_first() else {
        return false;
    };
    matches!(basename(cmd), "sh" | "ash" | "bash" | "dash")
        && rest
            .iter()
            .all(|a| matches!(a.as_str(), "-i" | "-l" | "--login" | "-s"))
}

/// Commands that read stdin to its end before they answer (`echo hi | kubectl exec -i … nc`),
/// when the image has them (a missing one fails at once, before any input).
fn reads_stdin(argv: &[String], image: &str) -> bool {
    argv.first().is_some_and(|c| {
        let name = basename(c);
        matches!(name, "nc" | "netcat" | "cat")
            && clients::image_tools(image).iter().any(|t| t == name)
    })
}

/// Serve `kubectl exec … -- argv`.
pub async fn exec(c: Container, argv: Vec<String>, mut io: Io) -> Ending {
    let tty = io.streams.tty;
    if let Some(cmd) = argv.first().filter(|_| is_interactive_shell(&argv)) {
        let name = basename(cmd);
        if !clients::image_tools(&c.image).iter().any(|t| t == name) {
            return c.not_found(&argv, cmd);
        }
        if !io.streams.stdin {
            // Its stdin is /dev/null: it reads nothing and ends.
            return Ending::Success;
        }
        return match session(&c, &argv, &mut io, true).await.code {
            0 => Ending::Success,
            code => Ending::ExitCode { code, argv },
        };
    }
    let mut stdin = Vec::new();
    if io.streams.stdin && reads_stdin(&argv, &c.image) {
        while let Some(i) = io.next().await {
            if let Input::Stdin(d) = i {
                stdin.extend_from_slice(&d);
            }
        }
    }
    let run = match c.run(&argv, String::from_utf8_lossy(&stdin).into_owned(), tty) {
        Ok(r) => r,
        Err(ClientError::NotFound(cmd)) => return c.not_found(&argv, &cmd),
        Err(ClientError::Api(e)) => return Ending::Internal(e.to_string()),
    };
    take_time(&mut io, run.elapsed_ms, false).await;
    print(&mut io, &run);
    if !run.ended {
        // Without a terminal it runs until kubectl goes (the session ends with the client).
        let code = repeat(&c, &argv, &mut io, run.elapsed_ms).await;
        return Ending::ExitCode { code, argv };
    }
    match run.exit_code {
        0 => Ending::Success,
        code => Ending::ExitCode { code, argv },
    }
}

/// What a command printed, on a terminal with its `\r\n` line ends.
fn print(io: &mut Io, run: &ClientRun) {
    let tty = io.streams.tty;
    let fix = |s: &str| -> Vec<u8> {
        if tty {
            s.replace('\n', "\r\n").into_bytes()
        } else {
            s.as_bytes().to_vec()
        }
    };
    io.stderr(&fix(&run.stderr));
    io.stdout(&fix(&run.stdout));
}

/// Spend the time a command really takes (a timeout is felt, as on a cluster). With a
/// terminal, Ctrl-C cuts it short: true when interrupted.
async fn take_time(io: &mut Io, ms: u64, interruptible: bool) -> bool {
    let sleep = tokio::time::sleep(Duration::from_millis(ms));
    if !interruptible {
        sleep.await;
        return false;
    }
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            _ = &mut sleep => return false,
            i = io.next() => match i {
                Some(Input::Stdin(d)) if d.contains(&0x03) => {
                    io.stdout(b"^C\r\n");
                    return true;
                }
                Some(_) => {}
                // stdin is gone: nothing can interrupt any more.
                None => {
                    sleep.await;
                    return false;
                }
            }
        }
    }
}

/// The prompt of `argv[0]` in the container, as root in `/`: busybox ash `/ # `, bash
/// `root@<hostname>:/# `, dash `# `.
pub fn prompt(image: &str, argv0: &str, hostname: &str) -> String {
    if basename(argv0) == "bash" {
        return format!("root@{hostname}:/# ");
    }
    let busybox = kubedrill_sim::images::lookup(image)
        .is_ok_and(|e| e.repository.ends_with("/busybox") || e.repository.ends_with("/alpine"));
    if busybox { "/ # " } else { "# " }.to_string()
}

/// How a shell session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShellEnd {
    pub code: i32,
    /// By `exit` rather than the end of stdin.
    pub exited: bool,
}

/// A shell reading stdin: run each line, prompt when on a terminal; the exit code of the
/// last command, or of `exit N`. `fresh`: the shell starts now and prints its first prompt
/// (an attach joins a shell that printed it long ago, hence kubectl's "try pressing enter").
pub async fn session(c: &Container, argv: &[String], io: &mut Io, fresh: bool) -> ShellEnd {
    let tty = io.streams.tty;
    let shell = argv.first().cloned().unwrap_or_else(|| "sh".to_string());
    let prompt = if tty {
        prompt(&c.image, &shell, &c.pod)
    } else {
        String::new()
    };
    let mut reader = LineReader::new(tty);
    let mut last = 0;
    if fresh {
        io.stdout(prompt.as_bytes());
    }
    loop {
        let events = match io.next().await {
            Some(Input::Stdin(d)) => {
                let (echo, events) = reader.feed(&d);
                io.stdout(&echo);
                events
            }
            Some(Input::Resize { .. }) => continue,
            Some(Input::Eof) | None => reader.eof(),
        };
        for ev in events {
            match ev {
                Event::Line(line) => {
                    if let Some(code) = exit_builtin(&line, last) {
                        return ShellEnd { code, exited: true };
                    }
                    if !line.trim().is_empty() {
                        last = run_line(c, &shell, &line, io).await;
                    }
                    io.stdout(prompt.as_bytes());
                }
                Event::Interrupt => {
                    last = 130;
                    io.stdout(prompt.as_bytes());
                }
                Event::Eof => {
                    return ShellEnd {
                        code: last,
                        exited: false,
                    };
                }
            }
        }
    }
}

/// `exit` / `exit N` typed at the prompt end the session (other forms go to the shell).
fn exit_builtin(line: &str, last: i32) -> Option<i32> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["exit"] => Some(last),
        ["exit", n] => n.parse::<i64>().ok().map(|n| (n & 0xff) as i32),
        _ => None,
    }
}

async fn run_line(c: &Container, shell: &str, line: &str, io: &mut Io) -> i32 {
    let tty = io.streams.tty;
    let argv = [shell.to_string(), "-c".to_string(), line.to_string()];
    let run = match c.run(&argv, String::new(), tty) {
        Ok(r) => r,
        Err(e) => {
            io.stderr(format!("{e}\n").as_bytes());
            return 127;
        }
    };
    if take_time(io, run.elapsed_ms, tty).await {
        return 130;
    }
    print(io, &run);
    if !run.ended {
        return repeat(c, &argv, io, run.elapsed_ms).await;
    }
    run.exit_code
}

/// The shortest time one turn of a never-ending loop is given (an unthrottled loop would
/// flood the terminal; a real one does, a trainer need not).
const MIN_TURN_MS: u64 = 200;

/// A command that never ends (`while true; do wget …; sleep 1; done`): the model gives one
/// turn of it, so it runs again every `turn_ms` (each turn a fresh request, as kube-proxy
/// spreads them) until Ctrl-C on a terminal (exit 130) or the client leaves.
async fn repeat(c: &Container, argv: &[String], io: &mut Io, turn_ms: u64) -> i32 {
    let tty = io.streams.tty;
    loop {
        if take_time(io, turn_ms.max(MIN_TURN_MS), tty).await {
            return 130;
        }
        match c.run(argv, String::new(), tty) {
            Ok(run) => print(io, &run),
            Err(e) => {
                io.stderr(format!("{e}\n").as_bytes());
                return 127;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn only_a_shell_without_a_script_reads_commands_from_stdin() {
        assert!(is_interactive_shell(&words("sh")));
        assert!(is_interactive_shell(&words("/bin/bash -l")));
        assert!(!is_interactive_shell(&words("sh -c ls")));
        assert!(!is_interactive_shell(&words("wget -qO- web")));
        assert!(!is_interactive_shell(&[]));
    }

    #[test]
    fn exit_takes_the_low_byte_or_the_last_status() {
        assert_eq!(exit_builtin("exit", 4), Some(4));
        assert_eq!(exit_builtin("  exit 3 ", 0), Some(3));
        assert_eq!(exit_builtin("exit 256", 0), Some(0));
        assert_eq!(exit_builtin("exit now", 0), None);
        assert_eq!(exit_builtin("exitcode", 0), None);
    }

    #[test]
    fn prompts_follow_the_shell() {
        assert_eq!(prompt("busybox", "sh", "tmp"), "/ # ");
        assert_eq!(prompt("alpine:3.20", "/bin/sh", "tmp"), "/ # ");
        assert_eq!(prompt("nginx", "sh", "web-1"), "# ");
        assert_eq!(prompt("nginx", "bash", "web-1"), "root@web-1:/# ");
    }
}
