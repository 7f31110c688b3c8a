//! The runtime: owns the terminal (raw mode and the alternate screen, restored on quit,
//! Ctrl-C, SIGTERM and panic — ratatui's init installs the panic hook), turns terminal events
//! and the clock into messages, and carries out the effects on the drill session. Sleeps in
//! the event poll between ticks: no busy loop.

use crossterm::event::{self, Event, KeyEventKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::app::{App, Effect, Msg, Started, update};
use super::theme::Theme;
use super::view::view;
use crate::catalog::Catalog;
use crate::progress;
use crate::session::Session;

/// The context the study drills run in.
pub const CONTEXT: &str = "kubedrill";

/// Study drills, or an exam.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Study,
    Exam {
        /// Questions to draw.
        count: usize,
        /// Exam length; 0 for the questions' own time budgets.
        minutes: u64,
        seed: u64,
        /// Draw only from this pack.
        pack: Option<String>,
    },
}

/// Run the TUI until the learner quits. `data_dir` holds progress; `kubeconfig` is where
/// the drill clusters' kubeconfig is written.
pub fn run(
    catalog: Catalog,
    data_dir: PathBuf,
    kubeconfig: PathBuf,
    mode: Mode,
) -> Result<(), String> {
    let (progress, warning) = progress::load(&data_dir);
    let infos = catalog.infos();
    let domains: Vec<(String, String)> = infos
        .iter()
        .map(|i| (i.id.clone(), i.domain.clone()))
        .collect();
    let exam_ids = match &mode {
        Mode::Study => Vec::new(),
        Mode::Exam {
            count, seed, pack, ..
        } => draw(&infos, *count, *seed, pack.as_deref())?,
    };
    let contexts: Vec<String> = match &mode {
        Mode::Study => vec![CONTEXT.to_string()],
        Mode::Exam { .. } => (1..=exam_ids.len()).map(|i| format!("exam-{i}")).collect(),
    };
    let names: Vec<&str> = contexts.iter().map(String::as_str).collect();
    let mut session = Session::new(catalog, &kubeconfig, &names)?;
    let mut app = App::new(infos, progress);
    app.status = warning;
    let mut first = Vec::new();
    if let Mode::Exam { minutes, seed, .. } = &mode {
        app.exam_minutes = *minutes;
        app.screen = super::app::Screen::Exam;
        first.push(Msg::ExamStarted(start_exam(
            &mut session,
            &exam_ids,
            &contexts,
            *seed,
            &domains,
        )));
    }
    let theme = Theme::from_env();
    let terminated = sigterm_flag();

    let mut terminal = ratatui::init();
    // The terminal-restore test makes the TUI panic after its first frame.
    let panic_for_test = std::env::var_os("KUBEDRILL_TEST_PANIC").is_some();
    let start = Instant::now();
    let mut dirty = true;
    let result = loop {
        if dirty {
            if let Err(e) = terminal.draw(|f| view(&app, &theme, f)) {
                break Err(format!("cannot draw: {e}"));
            }
            dirty = false;
            if panic_for_test {
                panic!("KUBEDRILL_TEST_PANIC is set");
            }
        }
        if terminated.load(Ordering::SeqCst) {
            break Ok(());
        }
        let mut msgs = std::mem::take(&mut first);
        // Wake at the next whole second for the timer, or at once on input.
        let wait = Duration::from_millis(1000 - u64::from(start.elapsed().subsec_millis()));
        match event::poll(wait) {
            Ok(true) => match event::read() {
                Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => msgs.push(Msg::Key(k)),
                Ok(Event::Resize(..)) => dirty = true,
                Ok(_) => {}
                Err(e) => break Err(format!("cannot read the terminal: {e}")),
            },
            Ok(false) => {}
            Err(e) => break Err(format!("cannot read the terminal: {e}")),
        }
        let now = start.elapsed().as_secs();
        if now != app.now {
            app.wall_time = jiff::Timestamp::now().to_string();
            msgs.push(Msg::Tick(now));
        }
        let mut quit = false;
        while let Some(msg) = (!msgs.is_empty()).then(|| msgs.remove(0)) {
            dirty = true;
            for effect in update(&mut app, msg) {
                match effect {
                    Effect::Quit => quit = true,
                    Effect::GradeExam => {
                        let reports = contexts.iter().map(|c| session.check(c)).collect();
                        msgs.push(Msg::ExamGraded(reports));
                    }
                    Effect::OpenShell => {
                        ratatui::restore();
                        let r = shell(&session, &data_dir);
                        terminal = ratatui::init();
                        msgs.push(Msg::ShellClosed(r));
                    }
                    Effect::OpenNodeShell => {
                        ratatui::restore();
                        let r = node_shell(&session);
                        terminal = ratatui::init();
                        msgs.push(Msg::ShellClosed(r));
                    }
                    other => {
                        if let Some(m) = perform(&mut session, &app, &domains, &data_dir, other) {
                            msgs.push(m);
                        }
                    }
                }
            }
        }
        if quit {
            break Ok(());
        }
    };
    ratatui::restore();
    result
}

/// Carry out one effect on the session; the message it produces, if any.
fn perform(
    session: &mut Session,
    app: &App,
    domains: &[(String, String)],
    data_dir: &Path,
    effect: Effect,
) -> Option<Msg> {
    match effect {
        Effect::StartDrill { scenario } => {
            let seed = crate::drill::fresh_seed();
            Some(Msg::Started(
                session
                    .start(CONTEXT, &scenario, seed)
                    .and_then(|_| started(session, domains)),
            ))
        }
        Effect::Reset => Some(Msg::Started(
            session
                .reset(CONTEXT)
                .and_then(|_| started(session, domains)),
        )),
        Effect::Check => Some(Msg::Checked(session.check(CONTEXT))),
        Effect::Refresh => {
            let view = session.cluster_view(CONTEXT).ok()?;
            Some(Msg::Refreshed {
                view,
                activity: session.activity(CONTEXT).unwrap_or_default(),
                diagnosis: session.diagnosis(CONTEXT).unwrap_or_default(),
            })
        }
        Effect::GiveUp => Some(Msg::GaveUp(session.diff(CONTEXT))),
        Effect::SaveProgress => progress::save(data_dir, &app.progress)
            .err()
            .map(|e| Msg::Started(Err(format!("progress not saved: {e}")))),
        Effect::OpenShell | Effect::OpenNodeShell | Effect::Quit | Effect::GradeExam => None,
    }
}

fn started(session: &Session, domains: &[(String, String)]) -> Result<Started, String> {
    started_on(session, CONTEXT, domains)
}

fn started_on(
    session: &Session,
    context: &str,
    domains: &[(String, String)],
) -> Result<Started, String> {
    let inst = session.instance(context)?;
    let s = &inst.scenario;
    Ok(Started {
        info: crate::session::DrillInfo {
            context: context.to_string(),
            scenario: s.id.clone(),
            pack: session.pack(context)?.to_string(),
            seed: inst.seed,
            title: s.title.clone(),
            task: s.task.clone(),
            kubeconfig: session.kubeconfig().to_path_buf(),
        },
        domain: domains
            .iter()
            .find(|(id, _)| *id == s.id)
            .map(|(_, d)| d.clone())
            .unwrap_or_default(),
        hints: s.hints.clone(),
        diagnosis: s.diagnosis.iter().map(|d| d.text.clone()).collect(),
        solution: s.solution.commands.clone(),
        export: session.export_line(),
        minutes: s.minutes,
    })
}

/// `count` scenario ids drawn with `seed` (a seeded shuffle), from `pack` if given.
pub fn draw(
    infos: &[crate::catalog::ScenarioInfo],
    count: usize,
    seed: u64,
    pack: Option<&str>,
) -> Result<Vec<String>, String> {
    let mut pool: Vec<&crate::catalog::ScenarioInfo> = infos
        .iter()
        .filter(|i| pack.is_none_or(|p| i.pack == p))
        .collect();
    if pool.is_empty() {
        return Err(match pack {
            Some(p) => format!("no scenarios in pack {p:?}"),
            None => "no scenarios".into(),
        });
    }
    let count = count.clamp(1, pool.len());
    // SplitMix64: a fixed shuffle per seed, the same on every machine.
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..pool.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        pool.swap(i, j);
    }
    Ok(pool.into_iter().take(count).map(|i| i.id.clone()).collect())
}

/// Seed every question on its own context; each with the scenario's exam weight.
fn start_exam(
    session: &mut Session,
    ids: &[String],
    contexts: &[String],
    seed: u64,
    domains: &[(String, String)],
) -> Result<Vec<(Started, u32)>, String> {
    let mut out = Vec::new();
    for (i, (id, ctx)) in ids.iter().zip(contexts).enumerate() {
        session.start(ctx, id, seed.wrapping_add(i as u64))?;
        let weight = session.instance(ctx)?.scenario.weight;
        out.push((started_on(session, ctx, domains)?, weight));
    }
    Ok(out)
}

/// The learner's shell, full screen, with KUBECONFIG set to the drill's clusters and, for
/// bash, `alias k=kubectl` and kubectl completion as in the exam.
fn shell(session: &Session, data_dir: &Path) -> Result<(), String> {
    let sh = std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".into());
    println!(
        "kubedrill: a shell for the drill ({}). Fix it with kubectl; `exit` returns to kubedrill.",
        session.export_line()
    );
    let mut cmd = std::process::Command::new(&sh);
    cmd.env("KUBECONFIG", session.kubeconfig());
    if sh.ends_with("bash") {
        let rc = data_dir.join("drill.bashrc");
        let text = "[ -f ~/.bashrc ] && . ~/.bashrc\nalias k=kubectl\ncommand -v kubectl >/dev/null && . <(kubectl completion bash) && complete -o default -F __start_kubectl k\nPS1='(kubedrill) '\"$PS1\"\n";
        if std::fs::create_dir_all(data_dir)
            .and_then(|()| std::fs::write(&rc, text))
            .is_ok()
        {
            cmd.arg("--rcfile").arg(&rc);
        }
    }
    cmd.status()
        .map(drop)
        .map_err(|e| format!("cannot start {sh}: {e}"))
}

/// A node's shell, line by line on the plain terminal, as `ssh node01` gives in the exam:
/// `ssh NODE` moves to another node, `exit` (or end of input) returns to the drill.
fn node_shell(session: &Session) -> Result<(), String> {
    use std::io::{BufRead, Write};
    let nodes = session.nodes(CONTEXT)?;
    let mut node = nodes
        .iter()
        .find(|n| *n != "controlplane")
        .or(nodes.first())
        .cloned()
        .ok_or("the cluster has no nodes")?;
    println!(
        "kubedrill: a shell on {node} (nodes: {}). `ssh NODE` moves, `exit` returns to the drill.",
        nodes.join(", ")
    );
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    loop {
        print!("root@{node}:~# ");
        let _ = out.flush();
        let mut line = String::new();
        if stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?
            == 0
        {
            println!();
            return Ok(());
        }
        let line = line.trim();
        match line.split_whitespace().collect::<Vec<_>>().as_slice() {
            [] => {}
            ["exit" | "logout", ..] => return Ok(()),
            ["ssh", target] => {
                if nodes.iter().any(|n| n == target) {
                    node = (*target).to_string();
                } else {
                    println!("ssh: Could not resolve hostname {target}: Name or service not known");
                }
            }
            _ => {
                let (text, _) = session.node_shell(CONTEXT, &node, line)?;
                print!("{text}");
            }
        }
    }
}

/// A flag SIGTERM sets, so the loop restores the terminal before the process ends.
fn sigterm_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    #[cfg(unix)]
    {
        let f = flag.clone();
        std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                use tokio::signal::unix::{SignalKind, signal};
                if let Ok(mut term) = signal(SignalKind::terminate()) {
                    term.recv().await;
                    f.store(true, Ordering::SeqCst);
                }
            });
        });
    }
    flag
}
