//! The TUI's update function driven by scripted keys and a fake clock: what each key does,
//! the effects it asks for, and what an attempt records.

mod tui_support;

use crossterm::event::KeyCode;
use kubedrill::tui::app::{Effect, Msg, Pane, Screen, update};
use tui_support::*;

#[test]
fn enter_starts_the_selected_scenario_and_the_filter_narrows_the_list() {
    let mut a = app();
    let all = a.visible().len();
    for m in [
        key('/'),
        key('t'),
        key('y'),
        key('p'),
        key('o'),
        code(KeyCode::Enter),
    ] {
        update(&mut a, m);
    }
    assert!(a.visible().len() < all);
    assert!(
        a.visible()
            .iter()
            .all(|s| s.id.contains("typo") || s.title.to_lowercase().contains("typo"))
    );
    assert_eq!(
        update(&mut a, code(KeyCode::Enter)),
        vec![Effect::StartDrill {
            scenario: SCENARIO.into()
        }]
    );
    // Difficulty filters; 0 clears.
    update(&mut a, key('0'));
    update(&mut a, key('3'));
    assert!(a.visible().iter().all(|s| s.difficulty == 3));
    update(&mut a, key('0'));
    assert_eq!(a.visible().len(), all);
}

#[test]
fn a_started_drill_opens_the_drill_screen_and_refreshes_every_other_second() {
    let mut a = app();
    assert_eq!(
        update(&mut a, Msg::Started(Ok(started()))),
        vec![Effect::Refresh]
    );
    assert_eq!(a.screen, Screen::Drill);
    assert_eq!(update(&mut a, Msg::Tick(1)), vec![]);
    assert_eq!(update(&mut a, Msg::Tick(2)), vec![Effect::Refresh]);
    assert_eq!(a.elapsed(), 2);
}

#[test]
fn hints_come_one_at_a_time_and_their_use_is_recorded() {
    let mut a = in_drill(10);
    let n = a.drill.as_ref().unwrap().started.hints.len();
    assert!(n >= 2);
    for _ in 0..n + 1 {
        update(&mut a, key('n'));
    }
    assert_eq!(a.drill.as_ref().unwrap().hints_shown, n);
    assert_eq!(a.status.as_deref(), Some("no more hints"));
    assert_eq!(
        update(&mut a, code(KeyCode::Esc)),
        vec![Effect::SaveProgress]
    );
    let at = &a.progress.attempts[0];
    assert_eq!((at.hints as usize, at.passed, at.seconds), (n, false, 10));
}

#[test]
fn a_passing_check_records_the_time_to_solve() {
    let mut a = in_drill(5);
    assert_eq!(update(&mut a, key('c')), vec![Effect::Check]);
    update(&mut a, Msg::Checked(Ok(report(false))));
    assert_eq!(a.drill.as_ref().unwrap().pane, Pane::Check);
    update(&mut a, Msg::Tick(42));
    update(&mut a, Msg::Checked(Ok(report(true))));
    assert!(
        a.status
            .as_deref()
            .unwrap()
            .starts_with("all checks pass, in 00:42")
    );
    update(&mut a, Msg::Tick(60));
    assert_eq!(
        update(&mut a, key('q')),
        vec![Effect::SaveProgress, Effect::Quit]
    );
    let at = &a.progress.attempts[0];
    assert!(at.passed && !at.gave_up);
    assert_eq!((at.seconds, at.score), (42, 100));
}

#[test]
fn giving_up_shows_the_solution_and_counts_as_not_solved() {
    let mut a = in_drill(3);
    assert_eq!(update(&mut a, key('u')), vec![Effect::GiveUp]);
    update(
        &mut a,
        Msg::GaveUp(Ok("--- Service shop/web-svc (seeded)\n+++ now\n".into())),
    );
    assert!(a.drill.as_ref().unwrap().gave_up.is_some());
    assert_eq!(
        update(&mut a, key('r')),
        vec![Effect::SaveProgress, Effect::Reset]
    );
    assert!(a.progress.attempts[0].gave_up);
    assert!(!a.progress.attempts[0].passed);
}

#[test]
fn help_opens_on_question_mark_and_any_key_closes_it() {
    let mut a = app();
    update(&mut a, key('?'));
    assert!(a.help);
    assert_eq!(
        update(&mut a, code(KeyCode::Enter)),
        vec![],
        "the key only closes the help"
    );
    assert!(!a.help);
    assert_eq!(update(&mut a, key('h')), vec![]);
    assert_eq!(a.screen, Screen::History);
    update(&mut a, code(KeyCode::Esc));
    assert_eq!(a.screen, Screen::Home);
}

#[test]
fn errors_from_the_cluster_land_on_the_status_line() {
    let mut a = app();
    update(&mut a, Msg::Started(Err("seeding: boom".into())));
    assert_eq!(a.status.as_deref(), Some("error: seeding: boom"));
    assert_eq!(a.screen, Screen::Home);
}
