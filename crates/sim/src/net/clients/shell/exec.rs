//! Running a parsed `sh -c` script: expansion, redirections, pipelines, lists and loops, each
//! simple command handed to the client tools, the text filters, or ash's builtins.

use std::collections::BTreeMap;

use super::{Node, Part, Redir, Word, parse, script_of, text};
use crate::error::ApiError;
use crate::net::clients::{ClientEnv, ClientRun, Network, exec as exec_tool};

/// A `for` over more items than this is cut short (the model has no use for more).
const MAX_ITEMS: usize = 1000;

struct Shell<'a> {
    net: &'a mut dyn Network,
    tools: &'a [String],
    vars: BTreeMap<String, String>,
    tty: bool,
    /// The shell's own name (`sh`, `bash`), for its `not found` message.
    name: String,
    last: i32,
    /// Set by `exit N`, or by a loop that never ends: stop running.
    stop: bool,
}

/// `sh -c SCRIPT` (or `sh` with no script: reads an empty stdin and ends).
pub(crate) fn run(
    net: &mut dyn Network,
    tools: &[String],
    argv: &[String],
    env: &ClientEnv,
) -> Result<ClientRun, ApiError> {
    let Some(script) = script_of(argv) else {
        return Ok(ClientRun::ok());
    };
    let node = match parse(script) {
        Ok(n) => n,
        Err(e) => {
            // ash raise_error_syntax → ash_vmsg: "sh: syntax error: …" (no command name or
            // line for `-c` without $0), exit 2.
            return Ok(ClientRun {
                stderr: format!("sh: syntax error: {}\n", e.0),
                exit_code: 2,
                ..ClientRun::ok()
            });
        }
    };
    let mut sh = Shell {
        net,
        tools,
        vars: env.vars.clone(),
        tty: env.tty,
        name: argv
            .first()
            .map(|a| a.rsplit('/').next().unwrap_or(a).to_string())
            .unwrap_or_default(),
        last: 0,
        stop: false,
    };
    let mut out = sh.node(&node, &env.stdin)?;
    out.exit_code = sh.last;
    Ok(out)
}

impl Shell<'_> {
    fn node(&mut self, n: &Node, stdin: &str) -> Result<ClientRun, ApiError> {
        let mut out = ClientRun::ok();
        if self.stop {
            return Ok(out);
        }
        match n {
            Node::Simple { words, redirs } => {
                let r = self.simple(words, redirs, stdin)?;
                append(&mut out, r);
            }
            Node::Pipe(cmds) => {
                let mut input = stdin.to_string();
                for (i, c) in cmds.iter().enumerate() {
                    let mut r = self.node(c, &input)?;
                    if i + 1 < cmds.len() {
                        input = std::mem::take(&mut r.stdout);
                    }
                    append(&mut out, r);
                }
            }
            Node::Seq(items) => {
                for c in items {
                    let r = self.node(c, stdin)?;
                    append(&mut out, r);
                    if self.stop {
                        break;
                    }
                }
            }
            Node::And(a, b) | Node::Or(a, b) => {
                let r = self.node(a, stdin)?;
                append(&mut out, r);
                let go_on = (self.last == 0) == matches!(n, Node::And(..));
                if go_on && !self.stop {
                    let r = self.node(b, stdin)?;
                    append(&mut out, r);
                }
            }
            Node::Loop { until, cond, body } => {
                let r = self.node(cond, stdin)?;
                append(&mut out, r);
                let enters = (self.last == 0) != *until;
                if enters && !self.stop {
                    // Same network, same answer next time: the loop never ends. Keep the
                    // first iteration's output and report a command that runs on.
                    let r = self.node(body, stdin)?;
                    append(&mut out, r);
                    out.ended = false;
                    self.stop = true;
                } else if !enters {
                    self.last = 0;
                }
            }
            Node::For { var, items, body } => {
                let mut values = Vec::new();
                for w in items {
                    values.extend(self.expand_split(w)?);
                }
                self.last = 0;
                for v in values.into_iter().take(MAX_ITEMS) {
                    self.vars.insert(var.clone(), v);
                    let r = self.node(body, stdin)?;
                    append(&mut out, r);
                    if self.stop {
                        break;
                    }
                }
            }
            Node::If {
                cond,
                then,
                otherwise,
            } => {
                let r = self.node(cond, stdin)?;
                append(&mut out, r);
                if self.last == 0 {
                    let r = self.node(then, stdin)?;
                    append(&mut out, r);
                } else if let Some(o) = otherwise {
                    let r = self.node(o, stdin)?;
                    append(&mut out, r);
                } else {
                    self.last = 0;
                }
            }
        }
        Ok(out)
    }

    fn simple(
        &mut self,
        words: &[Word],
        redirs: &[Redir],
        stdin: &str,
    ) -> Result<ClientRun, ApiError> {
        let mut argv = Vec::new();
        for w in words {
            argv.extend(self.expand_split(w)?);
        }
        // Leading assignments (`X=1 cmd` or a bare `X=1`).
        let mut assigned = 0;
        for a in &argv {
            match a.split_once('=') {
                Some((k, _))
                    if !k.is_empty()
                        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    assigned += 1
                }
                _ => break,
            }
        }
        for a in &argv[..assigned] {
            if let Some((k, v)) = a.split_once('=') {
                self.vars.insert(k.to_string(), v.to_string());
            }
        }
        let argv = &argv[assigned..];
        let stdin = if redirs.contains(&Redir::In) {
            ""
        } else {
            stdin
        };
        let mut r = match argv.first().map(String::as_str) {
            None => ClientRun::ok(),
            Some("exit") => {
                let code = argv
                    .get(1)
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(self.last);
                self.stop = true;
                ClientRun {
                    exit_code: code,
                    ..ClientRun::ok()
                }
            }
            Some("export" | "local" | "readonly") => {
                for a in &argv[1..] {
                    if let Some((k, v)) = a.split_once('=') {
                        self.vars.insert(k.to_string(), v.to_string());
                    }
                }
                ClientRun::ok()
            }
            Some("cd" | "set" | "trap" | "ulimit" | "umask") => ClientRun::ok(),
            Some(cmd) => match (cmd != "cat" || argv[1..].iter().all(|a| a.starts_with('-')))
                .then(|| text::filter(cmd, &argv[1..], stdin))
                .flatten()
            {
                Some(r) => r,
                None => {
                    let env = ClientEnv {
                        vars: self.vars.clone(),
                        stdin: stdin.to_string(),
                        tty: self.tty,
                    };
                    exec_tool(self.net, self.tools, argv, &env, Some(&self.name))?
                }
            },
        };
        self.last = r.exit_code;
        // Redirections apply left to right: `>/dev/null 2>&1` silences both, `2>&1 >/dev/null`
        // only stdout.
        #[derive(Clone, Copy, PartialEq)]
        enum Dest {
            Out,
            Err,
            Away,
        }
        let (mut fd1, mut fd2) = (Dest::Out, Dest::Err);
        for redir in redirs {
            match redir {
                Redir::OutAway => fd1 = Dest::Away,
                Redir::ErrAway => fd2 = Dest::Away,
                Redir::BothAway => (fd1, fd2) = (Dest::Away, Dest::Away),
                Redir::ErrToOut => fd2 = fd1,
                Redir::In => {}
            }
        }
        let (out, err) = (std::mem::take(&mut r.stdout), std::mem::take(&mut r.stderr));
        for (text, dest) in [(err, fd2), (out, fd1)] {
            match dest {
                Dest::Out => r.stdout.push_str(&text),
                Dest::Err => r.stderr.push_str(&text),
                Dest::Away => {}
            }
        }
        Ok(r)
    }

    /// Expand a word; unquoted expansions split on whitespace as `$(seq 3)` needs. (Quoting
    /// is not tracked per part, so `"$X"` with spaces splits too — a documented shortcut.)
    fn expand_split(&mut self, w: &Word) -> Result<Vec<String>, ApiError> {
        let mut s = String::new();
        let mut split = false;
        for p in w {
            match p {
                Part::Lit(l) => s.push_str(l),
                Part::Var(v) if v == "?" => s.push_str(&self.last.to_string()),
                Part::Var(v) => s.push_str(self.vars.get(v).map_or("", String::as_str)),
                Part::Subst(script) => {
                    split = true;
                    let node = parse(script).ok();
                    if let Some(node) = node {
                        let saved = (self.last, self.stop);
                        let r = self.node(&node, "")?;
                        (self.last, self.stop) = saved;
                        s.push_str(r.stdout.trim_end_matches('\n'));
                    }
                }
            }
        }
        if split && w.len() == 1 {
            return Ok(s.split_whitespace().map(str::to_string).collect());
        }
        Ok(vec![s])
    }
}

/// Append what a command printed to what the script printed so far.
fn append(out: &mut ClientRun, r: ClientRun) {
    out.stdout.push_str(&r.stdout);
    out.stderr.push_str(&r.stderr);
    out.elapsed_ms += r.elapsed_ms;
    out.exit_code = r.exit_code;
    out.ended &= r.ended;
}
