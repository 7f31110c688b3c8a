//! Builders for the TUI tests: an app over the built-in pack, a started drill with a fixed
//! seed, reports, and the screen rendered into a `TestBackend` as text.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kubedrill::catalog::Catalog;
use kubedrill::progress::Progress;
use kubedrill::session::{Activity, ClusterView, DrillInfo, PodRow, ServiceRow};
use kubedrill::tui::app::{App, Msg, Started, update};
use kubedrill::tui::theme::Theme;
use kubedrill_scenario::{CheckResult, Report};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::PathBuf;

pub const SCENARIO: &str = "sel-service-selector-typo";

pub fn app() -> App {
    let c = Catalog::load(&[]).unwrap();
    App::new(c.infos(), Progress::default())
}

pub fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// What the runtime hands the app once `SCENARIO` seed 7 is seeded.
pub fn started() -> Started {
    let c = Catalog::load(&[]).unwrap();
    let (_, src) = c.find(SCENARIO).unwrap();
    let inst = src.instantiate(7).unwrap();
    let s = &inst.scenario;
    Started {
        info: DrillInfo {
            context: "kubedrill".into(),
            scenario: s.id.clone(),
            pack: "core".into(),
            seed: 7,
            title: s.title.clone(),
            task: s.task.clone(),
            kubeconfig: PathBuf::from("/home/me/.local/share/kubedrill/tui.kubeconfig"),
        },
        domain: s.domain.clone(),
        hints: s.hints.clone(),
        diagnosis: s.diagnosis.iter().map(|d| d.text.clone()).collect(),
        solution: s.solution.commands.clone(),
        export: "export KUBECONFIG=/home/me/.local/share/kubedrill/tui.kubeconfig".into(),
        minutes: s.minutes,
    }
}

pub fn cluster_view() -> ClusterView {
    ClusterView {
        services: vec![ServiceRow {
            namespace: "shop".into(),
            name: "web-svc".into(),
            kind: "ClusterIP".into(),
            ports: "80/TCP".into(),
            ready_endpoints: 0,
        }],
        pods: (0..3)
            .map(|i| PodRow {
                namespace: "shop".into(),
                name: format!("web-6f7c895f44-{i}abcd"),
                labels: "app=front,pod-template-hash=6f7c895f44".into(),
                ready: "1/1".into(),
                phase: "Running".into(),
                ip: format!("10.244.1.{}", i + 2),
                node: "node01".into(),
            })
            .collect(),
    }
}

pub fn report(passed: bool) -> Report {
    Report {
        scenario: SCENARIO.into(),
        seed: 7,
        checks: vec![
            CheckResult {
                id: "endpoints".into(),
                title: "web-svc lists the 3 ready pods of Deployment web on port 8080".into(),
                weight: 2,
                passed,
                explanation: if passed {
                    "3 ready endpoints on port 8080".into()
                } else {
                    "Service shop/web-svc has no ready endpoints; selector app=frontx matches no pod in namespace shop".into()
                },
            },
            CheckResult {
                id: "deployment-unchanged".into(),
                title: "Deployment web was not modified".into(),
                weight: 1,
                passed: true,
                explanation: "unchanged".into(),
            },
        ],
    }
}

/// An app in a drill, `secs` seconds in.
pub fn in_drill(secs: u64) -> App {
    let mut a = app();
    update(&mut a, Msg::Started(Ok(started())));
    update(
        &mut a,
        Msg::Refreshed {
            view: cluster_view(),
            activity: vec![Activity {
                command: "kubectl get".into(),
                verb: "list".into(),
                target: "pods -n shop".into(),
                code: 200,
            }],
            diagnosis: vec![true, false, false],
        },
    );
    update(&mut a, Msg::Tick(secs));
    a
}

/// The screen as text, one line per row, trailing spaces trimmed.
pub fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| kubedrill::tui::view::view(app, &Theme::plain(), f))
        .unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            let row: String = (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect();
            row.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// An exam of `n` copies of the fixture question (on contexts exam-1…), `minutes` long.
pub fn in_exam(n: usize, minutes: u64) -> App {
    let mut a = app();
    a.exam_minutes = minutes;
    let qs = (1..=n)
        .map(|i| {
            let mut s = started();
            s.info.context = format!("exam-{i}");
            (s, 4 + i as u32)
        })
        .collect();
    update(&mut a, Msg::ExamStarted(Ok(qs)));
    a
}
