//! Snapshots of every screen at 80×24 and 120×40 (ratatui `TestBackend` + insta), reached
//! through the update function with scripted keys and a fake clock. Rendered with the plain
//! theme: the snapshots hold text, and `NO_COLOR` users see the same.

mod tui_support;

use kubedrill::progress::Attempt;
use kubedrill::tui::app::{Msg, update};
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snap(name: &str, app: &kubedrill::tui::app::App) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(app, w, h));
    }
}

#[test]
fn home() {
    snap("home", &app());
}

#[test]
fn home_filtered() {
    let mut a = app();
    for m in [key('/'), key('d'), key('n'), key('s')] {
        update(&mut a, m);
    }
    snap("home_filtered", &a);
}

#[test]
fn drill_task_with_guided_checklist_and_a_hint() {
    let mut a = in_drill(75);
    update(&mut a, key('g'));
    update(&mut a, key('n'));
    snap("drill_task", &a);
}

#[test]
fn drill_check_failing() {
    let mut a = in_drill(120);
    update(&mut a, Msg::Checked(Ok(report(false))));
    snap("drill_check", &a);
}

#[test]
fn drill_gave_up_with_diff() {
    let mut a = in_drill(300);
    update(&mut a, key('u'));
    update(
        &mut a,
        Msg::GaveUp(Ok("--- Service shop/web-svc (seeded)\n+++ Service shop/web-svc (now)\n@@ -5 +5 @@\n-      \"app\": \"frontx\"\n+      \"app\": \"front\"\n".into())),
    );
    snap("drill_gave_up", &a);
}

#[test]
fn drill_activity_and_export() {
    let mut a = in_drill(30);
    update(&mut a, key('e'));
    snap("drill_export", &a);
    update(
        &mut a,
        crate::tui_support::code(crossterm::event::KeyCode::Tab),
    );
    update(
        &mut a,
        crate::tui_support::code(crossterm::event::KeyCode::Tab),
    );
    snap("drill_activity", &a);
}

#[test]
fn history_with_attempts() {
    let mut a = app();
    for (i, (s, passed, secs)) in [
        ("sel-service-selector-typo", true, 240),
        ("netpol-egress-dns-missing", false, 600),
        ("sel-service-selector-typo", true, 150),
        ("port-wrong-targetport", true, 200),
    ]
    .into_iter()
    .enumerate()
    {
        a.progress.attempts.push(Attempt {
            scenario: s.into(),
            seed: i as u64,
            domain: if s.starts_with("netpol") {
                "Services & Networking"
            } else {
                "Troubleshooting"
            }
            .into(),
            started_at: "2026-11-25T08:00:00Z".into(),
            seconds: secs,
            passed,
            score: if passed { 100 } else { 50 },
            hints: 1,
            gave_up: false,
        });
    }
    update(&mut a, key('h'));
    snap("history", &a);
}

#[test]
fn help_overlay() {
    let mut a = in_drill(1);
    update(&mut a, key('?'));
    snap("help", &a);
}

#[test]
fn exam_question_and_report() {
    let mut a = in_exam(3, 30);
    update(&mut a, Msg::Tick(125));
    update(
        &mut a,
        crate::tui_support::code(crossterm::event::KeyCode::Right),
    );
    update(&mut a, key('f'));
    snap("exam_question", &a);
    update(&mut a, key('X'));
    update(
        &mut a,
        Msg::ExamGraded(vec![
            Ok(report(true)),
            Ok(report(false)),
            Err("cluster gone".into()),
        ]),
    );
    snap("exam_report", &a);
}
