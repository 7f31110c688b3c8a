//! iproute2 `ss [-tulnpa]` (`misc/ss.c`): listening sockets in ss's column layout. Every field
//! is buffered first, then each column is as wide as its longest field (header included) plus
//! its left delimiter; addresses are right-aligned and their `:` glued to the port column. This
//! is the layout ss uses when it cannot learn a terminal width (a pipe, `kubectl exec` without
//! `-t`); on a terminal ss spreads the spare width between columns, which the model does not.

use super::super::ClientRun;
use super::super::machine::{Machine, Socket};
use crate::net::Protocol;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// `columns[]`: alignment, header, left delimiter.
const COLUMNS: [(Align, &str, &str); 9] = [
    (Align::Left, "Netid", ""),
    (Align::Left, "State", " "),
    (Align::Left, "Recv-Q", " "),
    (Align::Left, "Send-Q", " "),
    (Align::Right, "Local Address:", " "),
    (Align::Left, "Port", ""),
    (Align::Right, "Peer Address:", " "),
    (Align::Left, "Port", ""),
    (Align::Left, "Process", ""),
];

/// The accept backlog a Go server listens with (the kernel's `somaxconn`), shown as Send-Q.
const BACKLOG: u32 = 4096;

fn service(port: u16, numeric: bool) -> String {
    match port {
        22 if !numeric => "ssh".to_string(),
        53 if !numeric => "domain".to_string(),
        80 if !numeric => "http".to_string(),
        443 if !numeric => "https".to_string(),
        8080 if !numeric => "http-alt".to_string(),
        p => p.to_string(),
    }
}

pub(crate) fn run(m: &Machine, args: &[String]) -> ClientRun {
    let mut flags = String::new();
    for a in args {
        match a.strip_prefix('-') {
            Some(f) if !f.starts_with('-') => flags.push_str(f),
            _ => {}
        }
    }
    let has = |c: char| flags.contains(c);
    let (mut tcp, mut udp) = (has('t'), has('u'));
    if !tcp && !udp {
        (tcp, udp) = (true, true);
    }
    let listening = has('l') || has('a');
    let numeric = has('n');
    let netid = tcp && udp;
    let wanted: Vec<&Socket> = m
        .sockets
        .iter()
        .filter(|_| listening)
        .filter(|s| match s.protocol {
            Protocol::Tcp => tcp,
            Protocol::Udp => udp,
            Protocol::Sctp => false,
        })
        .collect();
    // One row of fields per socket, the header first.
    let mut rows: Vec<Vec<String>> = vec![COLUMNS.iter().map(|c| c.1.to_string()).collect()];
    for s in wanted {
        let (name, state, sendq) = match s.protocol {
            Protocol::Udp => ("udp", "UNCONN", 0),
            _ => ("tcp", "LISTEN", BACKLOG),
        };
        let any = if s.dual_stack {
            "*".to_string()
        } else {
            s.addr.to_string()
        };
        let process = match (&s.program, has('p')) {
            (Some((pid, prog)), true) => format!("users:((\"{prog}\",pid={pid},fd=3))"),
            _ => String::new(),
        };
        rows.push(vec![
            name.to_string(),
            state.to_string(),
            format!("{:<6}", 0),
            format!("{sendq:<6}"),
            format!("{any}:"),
            service(s.port, numeric),
            format!("{any}:"),
            "*".to_string(),
            process,
        ]);
    }
    let enabled = |i: usize| i != 0 || netid;
    // render_calc_width, compact: content width, plus the delimiter after the first column.
    let mut widths = [0usize; 9];
    let mut first = true;
    for (i, (_, _, delim)) in COLUMNS.iter().enumerate() {
        if !enabled(i) {
            continue;
        }
        let max = rows.iter().map(|r| r[i].len()).max().unwrap_or(0);
        widths[i] = if !first && max > 0 {
            max + delim.len()
        } else {
            max
        };
        if widths[i] > 0 {
            first = false;
        }
    }
    let mut out = String::new();
    for r in &rows {
        let mut started = false;
        for (i, (align, _, delim)) in COLUMNS.iter().enumerate() {
            if !enabled(i) {
                continue;
            }
            let mut printed = 0;
            if started {
                out.push_str(delim);
                printed = delim.len();
            }
            started = true;
            let text = &r[i];
            if *align == Align::Right && widths[i] > 0 {
                let pad = widths[i].saturating_sub(text.len() + printed);
                out.push_str(&" ".repeat(pad));
                printed += pad;
            }
            out.push_str(text);
            printed += text.len();
            if *align == Align::Left && widths[i] > 0 {
                out.push_str(&" ".repeat(widths[i].saturating_sub(printed)));
            }
        }
        out.push('\n');
    }
    ClientRun {
        stdout: out,
        ..ClientRun::ok()
    }
}
