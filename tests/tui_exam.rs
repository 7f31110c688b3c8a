//! Exam mode through the update function and a fake clock: questions on their own contexts,
//! warnings at 15, 5 and 1 minutes, grading only at submit or time-out, the report against
//! the 66 % pass mark; and the draw is fixed by its seed.

mod tui_support;

use crossterm::event::KeyCode;
use kubedrill::tui::app::{Effect, Msg, Screen, update};
use kubedrill::tui::exam::PASS_MARK;
use tui_support::*;

#[test]
fn the_countdown_warns_at_15_5_and_1_minutes_then_grades_at_time_out() {
    let mut a = in_exam(3, 20);
    assert_eq!(a.screen, Screen::Exam);
    let deadline = a.exam.as_ref().unwrap().deadline;
    assert_eq!(deadline, 20 * 60);
    assert_eq!(update(&mut a, Msg::Tick(4 * 60)), vec![]);
    assert_eq!(
        a.exam.as_ref().unwrap().questions[0].seconds,
        240,
        "time counts on the question on screen"
    );
    update(&mut a, Msg::Tick(5 * 60));
    assert_eq!(a.status.as_deref(), Some("⚠ 15 minutes left"));
    update(&mut a, Msg::Tick(15 * 60));
    assert_eq!(a.status.as_deref(), Some("⚠ 5 minutes left"));
    update(&mut a, Msg::Tick(19 * 60));
    assert_eq!(a.status.as_deref(), Some("⚠ 1 minute left"));
    assert_eq!(update(&mut a, Msg::Tick(20 * 60)), vec![Effect::GradeExam]);
    assert_eq!(
        update(&mut a, Msg::Tick(20 * 60 + 1)),
        vec![],
        "graded once"
    );
}

#[test]
fn questions_are_navigated_and_flagged_and_only_submit_grades() {
    let mut a = in_exam(3, 60);
    update(&mut a, code(KeyCode::Right));
    update(&mut a, key('f'));
    update(&mut a, code(KeyCode::Left));
    update(&mut a, code(KeyCode::Left));
    let e = a.exam.as_ref().unwrap();
    assert_eq!(e.current, 2, "left from the first wraps to the last");
    assert!(e.questions[1].flagged);
    assert_eq!(
        update(&mut a, key('c')),
        vec![],
        "no checking during an exam"
    );
    assert_eq!(update(&mut a, key('X')), vec![Effect::GradeExam]);
    assert_eq!(update(&mut a, key('X')), vec![], "submitted once");
}

#[test]
fn the_report_weighs_each_question_and_records_the_attempts() {
    let mut a = in_exam(3, 60);
    update(&mut a, Msg::Tick(100));
    update(&mut a, key('X'));
    // Weights 5, 6, 7: full marks on the first two, nothing on the third.
    let effects = update(
        &mut a,
        Msg::ExamGraded(vec![
            Ok(report(true)),
            Ok(report(true)),
            Err("cluster gone".into()),
        ]),
    );
    assert_eq!(effects, vec![Effect::SaveProgress]);
    let g = a.exam.as_ref().unwrap().graded.as_ref().unwrap();
    assert_eq!(g.total, (100 * 5 + 100 * 6) / 18);
    assert_eq!(g.passed(), g.total >= PASS_MARK);
    assert_eq!(a.progress.attempts.len(), 3);
    assert_eq!(a.progress.attempts[0].seconds, 100);
    assert!(!a.progress.attempts[2].passed);
    update(&mut a, code(KeyCode::Esc));
    assert_eq!(a.screen, Screen::Home, "Esc leaves the report");
}

#[test]
fn the_draw_is_fixed_by_its_seed_and_stays_in_the_pack() {
    let infos = kubedrill::catalog::Catalog::load(&[]).unwrap().infos();
    let a = kubedrill::tui::run::draw(&infos, 6, 42, None).unwrap();
    assert_eq!(a, kubedrill::tui::run::draw(&infos, 6, 42, None).unwrap());
    assert_ne!(a, kubedrill::tui::run::draw(&infos, 6, 43, None).unwrap());
    assert_eq!(a.len(), 6);
    let mut dedup = a.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), 6, "no question twice");
    assert!(
        kubedrill::tui::run::draw(&infos, 3, 1, Some("nope"))
            .unwrap_err()
            .contains("no scenarios in pack")
    );
}
