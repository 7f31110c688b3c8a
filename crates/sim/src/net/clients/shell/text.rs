//! The text tools client scripts pipe into — `echo`, `cat`, `head`, `tail`, `grep`, `sort`,
//! `uniq`, `wc -l`, `seq` — enough of each for drill one-liners such as
//! `for i in $(seq 20); do wget -qO- web; done | sort | uniq -c`. Every image that has a shell
//! has them (busybox applets or coreutils).

use crate::net::clients::ClientRun;

/// `echo [-n] [-e] ARGS…` (busybox echo).
pub(crate) fn echo(args: &[String]) -> String {
    let mut newline = true;
    let mut escapes = false;
    let mut rest = args;
    while let Some(a) = rest.first() {
        match a.as_str() {
            "-n" => newline = false,
            "-e" => escapes = true,
            "-ne" | "-en" => {
                newline = false;
                escapes = true;
            }
            _ => break,
        }
        rest = &rest[1..];
    }
    let mut s = rest.join(" ");
    if escapes {
        s = s
            .replace("\\n", "\n")
            .replace("\\t", "\t")
            .replace("\\r", "\r");
    }
    if newline {
        s.push('\n');
    }
    s
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

fn joined(v: &[&str]) -> String {
    let mut s = v.join("\n");
    if !v.is_empty() {
        s.push('\n');
    }
    s
}

/// A count from `-3`, `-n 3`, `-n3`.
fn count(args: &[String], default: usize) -> usize {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-n" {
            return it.next().and_then(|n| n.parse().ok()).unwrap_or(default);
        }
        if let Some(n) = a.strip_prefix("-n").or_else(|| a.strip_prefix('-'))
            && let Ok(n) = n.parse()
        {
            return n;
        }
    }
    default
}

/// Run `cmd` if it is one of the filters; `None` for anything else.
pub(crate) fn filter(cmd: &str, args: &[String], stdin: &str) -> Option<ClientRun> {
    let ok = |stdout: String| {
        Some(ClientRun {
            stdout,
            ..ClientRun::ok()
        })
    };
    let operands: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    match cmd {
        "echo" => ok(echo(args)),
        "cat" => {
            if operands.is_empty() || operands.iter().any(|o| o.as_str() == "-") {
                ok(stdin.to_string())
            } else {
                // Files written by earlier commands are not kept: `cat /tmp/r` has nothing.
                Some(ClientRun {
                    stderr: operands
                        .iter()
                        .map(|f| format!("cat: can't open '{f}': No such file or directory\n"))
                        .collect(),
                    exit_code: 1,
                    ..ClientRun::ok()
                })
            }
        }
        "head" => {
            let n = count(args, 10);
            ok(joined(
                &lines(stdin).into_iter().take(n).collect::<Vec<_>>(),
            ))
        }
        "tail" => {
            let n = count(args, 10);
            let l = lines(stdin);
            ok(joined(&l[l.len().saturating_sub(n)..]))
        }
        "grep" => {
            // Flags may cluster (`-iv`); `-e PAT` may repeat; with `-E`, `a|b` is alternation.
            let mut flags = String::new();
            let mut pats: Vec<String> = Vec::new();
            let mut rest: Vec<&String> = Vec::new();
            let mut it = args.iter();
            while let Some(a) = it.next() {
                if a == "-e" {
                    pats.extend(it.next().cloned());
                } else if let Some(f) = a.strip_prefix('-').filter(|f| !f.is_empty()) {
                    flags.push_str(f);
                } else {
                    rest.push(a);
                }
            }
            if pats.is_empty() {
                pats.extend(rest.first().map(|p| (*p).clone()));
            }
            if flags.contains('E') {
                pats = pats
                    .iter()
                    .flat_map(|p| p.split('|').map(str::to_string))
                    .collect();
            }
            let quiet = flags.contains('q');
            let invert = flags.contains('v');
            let icase = flags.contains('i');
            let matches = |l: &str| {
                let hit = pats.iter().any(|pat| {
                    if icase {
                        l.to_lowercase().contains(&pat.to_lowercase())
                    } else {
                        l.contains(pat.as_str())
                    }
                });
                hit != invert
            };
            let hits: Vec<&str> = lines(stdin).into_iter().filter(|l| matches(l)).collect();
            let count = flags.contains('c');
            Some(ClientRun {
                stdout: if quiet {
                    String::new()
                } else if count {
                    format!("{}\n", hits.len())
                } else {
                    joined(&hits)
                },
                exit_code: if hits.is_empty() { 1 } else { 0 },
                ..ClientRun::ok()
            })
        }
        "sort" => {
            let mut l = lines(stdin);
            l.sort_unstable();
            if args.iter().any(|a| a == "-r") {
                l.reverse();
            }
            ok(joined(&l))
        }
        "uniq" => {
            let counted = args.iter().any(|a| a == "-c");
            let mut groups: Vec<(usize, &str)> = Vec::new();
            for l in lines(stdin) {
                match groups.last_mut() {
                    Some((n, prev)) if *prev == l => *n += 1,
                    _ => groups.push((1, l)),
                }
            }
            ok(groups
                .iter()
                // busybox uniq -c: "%7lu " before the line.
                .map(|(n, l)| {
                    if counted {
                        format!("{n:7} {l}\n")
                    } else {
                        format!("{l}\n")
                    }
                })
                .collect())
        }
        "wc" => {
            let n = lines(stdin).len();
            if args.iter().any(|a| a == "-l") {
                ok(format!("{n}\n"))
            } else {
                let words = stdin.split_whitespace().count();
                ok(format!("{n:9} {words:9} {:9}\n", stdin.len()))
            }
        }
        "seq" => {
            let nums: Vec<i64> = operands.iter().filter_map(|o| o.parse().ok()).collect();
            let (from, to) = match nums.as_slice() {
                [n] => (1, *n),
                [a, b, ..] => (*a, *b),
                [] => (1, 0),
            };
            let to = to.min(from.saturating_add(10_000));
            ok((from..=to).map(|i| format!("{i}\n")).collect())
        }
        _ => None,
    }
}
