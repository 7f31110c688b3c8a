//! The TUI's state and its one update function: messages in (keys, clock ticks, what the
//! cluster work returned), effects out (start a drill, check, reset, refresh, open a shell,
//! save progress). Pure: no terminal, no cluster, no clock — tests drive it directly.

use crossterm::event::{KeyCode, KeyEvent};
use kubedrill_scenario::Report;

use super::exam::{Exam, Graded, Question, WARNINGS};
use super::keys::{self, Action, Scope};
use crate::catalog::ScenarioInfo;
use crate::progress::{Attempt, Progress};
use crate::session::{Activity, ClusterView, DrillInfo};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Home,
    Drill,
    History,
    Exam,
}

/// The drill screen's left pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Task,
    Check,
    Activity,
}

/// What the runtime tells the app once a drill is seeded.
#[derive(Debug, Clone, PartialEq)]
pub struct Started {
    pub info: DrillInfo,
    pub domain: String,
    pub hints: Vec<String>,
    pub diagnosis: Vec<String>,
    pub solution: Vec<String>,
    pub export: String,
    /// The scenario's time budget in an exam.
    pub minutes: u32,
}

/// A running drill as the screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Drill {
    pub started: Started,
    /// App clock (seconds) at the start.
    pub since: u64,
    /// Wall time (RFC 3339) at the start, for the attempt record.
    pub started_at: String,
    pub hints_shown: usize,
    pub report: Option<Report>,
    pub view: ClusterView,
    pub activity: Vec<Activity>,
    pub diagnosis_done: Vec<bool>,
    /// Given up: the unified diff of what the learner changed.
    pub gave_up: Option<String>,
    pub guided: bool,
    pub pane: Pane,
    pub show_export: bool,
    /// Seconds to the first all-passing check.
    pub solved_after: Option<u64>,
    pub best_score: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    /// The clock, in seconds since the app started.
    Tick(u64),
    Started(Result<Started, String>),
    Checked(Result<Report, String>),
    Refreshed {
        view: ClusterView,
        activity: Vec<Activity>,
        diagnosis: Vec<bool>,
    },
    GaveUp(Result<String, String>),
    /// The shell the learner opened ended.
    ShellClosed(Result<(), String>),
    /// The exam's questions are seeded, each with its weight.
    ExamStarted(Result<Vec<(Started, u32)>, String>),
    /// Every question graded, in order.
    ExamGraded(Vec<Result<Report, String>>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    StartDrill {
        scenario: String,
    },
    Check,
    Reset,
    Refresh,
    GiveUp,
    OpenShell,
    /// A node's shell (`ssh node01`), full screen.
    OpenNodeShell,
    SaveProgress,
    /// Grade every exam question (at submit or time-out).
    GradeExam,
    Quit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct App {
    pub screen: Screen,
    pub scenarios: Vec<ScenarioInfo>,
    pub selected: usize,
    pub filter: String,
    pub editing_filter: bool,
    pub difficulty: Option<u8>,
    pub progress: Progress,
    pub drill: Option<Drill>,
    pub exam: Option<Exam>,
    /// Exam length asked for, minutes (0: the questions' own budgets).
    pub exam_minutes: u64,
    pub help: bool,
    /// One line for the learner: what just happened or went wrong.
    pub status: Option<String>,
    pub now: u64,
    /// RFC 3339 time of now, for attempts (set by the runtime).
    pub wall_time: String,
}

impl App {
    pub fn new(scenarios: Vec<ScenarioInfo>, progress: Progress) -> App {
        App {
            screen: Screen::Home,
            scenarios,
            selected: 0,
            filter: String::new(),
            editing_filter: false,
            difficulty: None,
            progress,
            drill: None,
            exam: None,
            exam_minutes: 0,
            help: false,
            status: None,
            now: 0,
            wall_time: String::new(),
        }
    }

    /// The scenarios the filters let through, in catalog order.
    pub fn visible(&self) -> Vec<&ScenarioInfo> {
        let f = self.filter.to_lowercase();
        self.scenarios
            .iter()
            .filter(|s| self.difficulty.is_none_or(|d| s.difficulty == d))
            .filter(|s| {
                f.is_empty()
                    || s.id.to_lowercase().contains(&f)
                    || s.title.to_lowercase().contains(&f)
                    || s.domain.to_lowercase().contains(&f)
                    || s.tags.iter().any(|t| t.to_lowercase().contains(&f))
            })
            .collect()
    }

    fn scope(&self) -> Scope {
        match self.screen {
            Screen::Drill => Scope::Drill,
            Screen::Exam => Scope::Exam,
            Screen::Home | Screen::History => Scope::Home,
        }
    }

    /// Seconds the running drill has taken.
    pub fn elapsed(&self) -> u64 {
        self.drill
            .as_ref()
            .map_or(0, |d| self.now.saturating_sub(d.since))
    }
}

/// Apply `msg`; the effects the runtime must carry out, in order.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(k) => key(app, k),
        Msg::Tick(now) => {
            let passed = now.saturating_sub(app.now);
            app.now = now;
            if app.screen == Screen::Exam {
                return exam_tick(app, passed);
            }
            // The cluster pane and the checklist follow the learner every other second.
            if app.screen == Screen::Drill && now % 2 == 0 {
                vec![Effect::Refresh]
            } else {
                Vec::new()
            }
        }
        Msg::ExamStarted(Ok(questions)) => {
            let budget: u64 = questions
                .iter()
                .map(|(s, _)| u64::from(s.minutes))
                .sum::<u64>()
                .max(1);
            let minutes = if app.exam_minutes > 0 {
                app.exam_minutes
            } else {
                budget
            };
            app.exam = Some(Exam {
                questions: questions
                    .into_iter()
                    .map(|(started, weight)| Question {
                        started,
                        weight,
                        flagged: false,
                        seconds: 0,
                    })
                    .collect(),
                current: 0,
                deadline: app.now + minutes * 60,
                minutes,
                warned: Vec::new(),
                graded: None,
                grading: false,
            });
            app.screen = Screen::Exam;
            app.status = Some(format!(
                "exam started: {minutes} minutes; each question names its context"
            ));
            Vec::new()
        }
        Msg::ExamStarted(Err(e)) => {
            app.screen = Screen::Home;
            app.status = Some(format!("error: {e}"));
            Vec::new()
        }
        Msg::ExamGraded(reports) => {
            let Some(exam) = app.exam.as_mut() else {
                return Vec::new();
            };
            let graded = Graded::new(&exam.questions, reports);
            for (q, r) in exam.questions.iter().zip(&graded.reports) {
                let (passed, score) = r.as_ref().map_or((false, 0), |r| (r.passed(), r.score()));
                app.progress.attempts.push(Attempt {
                    scenario: q.started.info.scenario.clone(),
                    seed: q.started.info.seed,
                    domain: q.started.domain.clone(),
                    started_at: app.wall_time.clone(),
                    seconds: q.seconds,
                    passed,
                    score,
                    hints: 0,
                    gave_up: false,
                });
            }
            app.status = Some(format!(
                "exam graded: {}% — {} (pass mark {}%)",
                graded.total,
                if graded.passed() { "PASS" } else { "FAIL" },
                super::exam::PASS_MARK
            ));
            exam.graded = Some(graded);
            exam.grading = false;
            vec![Effect::SaveProgress]
        }
        Msg::Started(Ok(started)) => {
            app.status = Some(format!(
                "{} seeded on context {} (seed {})",
                started.info.scenario, started.info.context, started.info.seed
            ));
            let n = started.diagnosis.len();
            app.drill = Some(Drill {
                started,
                since: app.now,
                started_at: app.wall_time.clone(),
                hints_shown: 0,
                report: None,
                view: ClusterView::default(),
                activity: Vec::new(),
                diagnosis_done: vec![false; n],
                gave_up: None,
                guided: false,
                pane: Pane::Task,
                show_export: false,
                solved_after: None,
                best_score: 0,
            });
            app.screen = Screen::Drill;
            vec![Effect::Refresh]
        }
        Msg::Started(Err(e)) | Msg::Checked(Err(e)) | Msg::GaveUp(Err(e)) => {
            app.status = Some(format!("error: {e}"));
            Vec::new()
        }
        Msg::Checked(Ok(report)) => {
            let elapsed = app.elapsed();
            let Some(d) = app.drill.as_mut() else {
                return Vec::new();
            };
            d.best_score = d.best_score.max(report.score());
            let passed = report.passed();
            if passed && d.solved_after.is_none() && d.gave_up.is_none() {
                d.solved_after = Some(elapsed);
            }
            app.status = Some(if passed {
                format!("all checks pass, in {}", clock(elapsed))
            } else {
                let failed = report.checks.iter().filter(|c| !c.passed).count();
                format!("{failed} check(s) fail — read why on the left")
            });
            d.report = Some(report);
            d.pane = Pane::Check;
            Vec::new()
        }
        Msg::Refreshed {
            view,
            activity,
            diagnosis,
        } => {
            if let Some(d) = app.drill.as_mut() {
                d.view = view;
                d.activity = activity;
                d.diagnosis_done = diagnosis;
            }
            Vec::new()
        }
        Msg::GaveUp(Ok(diff)) => {
            if let Some(d) = app.drill.as_mut() {
                d.gave_up = Some(diff);
                d.pane = Pane::Task;
            }
            app.status =
                Some("given up: the reference solution and your changes are on the left".into());
            Vec::new()
        }
        Msg::ShellClosed(r) => {
            app.status = Some(match r {
                Ok(()) => "back from the shell — press c to check".into(),
                Err(e) => format!("error: {e}"),
            });
            vec![Effect::Refresh]
        }
    }
}

fn key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    if app.editing_filter {
        match k.code {
            KeyCode::Enter | KeyCode::Esc => app.editing_filter = false,
            KeyCode::Backspace => {
                app.filter.pop();
            }
            KeyCode::Char(c) => app.filter.push(c),
            _ => {}
        }
        app.selected = 0;
        return Vec::new();
    }
    let Some(action) = keys::action(app.scope(), &k) else {
        return Vec::new();
    };
    if app.help && !matches!(action, Action::Quit) {
        app.help = false;
        return Vec::new();
    }
    match action {
        Action::Quit => {
            let mut out = finish_attempt(app);
            out.push(Effect::Quit);
            out
        }
        Action::Help => {
            app.help = true;
            Vec::new()
        }
        Action::Up => {
            app.selected = app.selected.saturating_sub(1);
            Vec::new()
        }
        Action::Down => {
            let n = app.visible().len();
            if app.selected + 1 < n {
                app.selected += 1;
            }
            Vec::new()
        }
        Action::Filter => {
            app.editing_filter = true;
            Vec::new()
        }
        Action::Difficulty(d) => {
            app.difficulty = Some(d);
            app.selected = 0;
            Vec::new()
        }
        Action::ClearFilter => {
            app.difficulty = None;
            app.filter.clear();
            app.selected = 0;
            Vec::new()
        }
        Action::History => {
            app.screen = Screen::History;
            Vec::new()
        }
        Action::Start => match app.visible().get(app.selected).map(|s| s.id.clone()) {
            Some(id) => {
                app.status = Some(format!("seeding {id}…"));
                vec![Effect::StartDrill { scenario: id }]
            }
            None => Vec::new(),
        },
        Action::Back => match app.screen {
            Screen::Drill => {
                let out = finish_attempt(app);
                app.screen = Screen::Home;
                out
            }
            Screen::History => {
                app.screen = Screen::Home;
                Vec::new()
            }
            // An exam ends by submitting or by time; after grading, Esc leaves the report.
            Screen::Exam if app.exam.as_ref().is_some_and(|e| e.graded.is_some()) => {
                app.screen = Screen::Home;
                Vec::new()
            }
            Screen::Exam | Screen::Home => Vec::new(),
        },
        Action::Check => {
            app.status = Some("checking…".into());
            vec![Effect::Check]
        }
        Action::Hint => {
            if let Some(d) = app.drill.as_mut() {
                if d.hints_shown < d.started.hints.len() {
                    d.hints_shown += 1;
                } else {
                    app.status = Some("no more hints".into());
                }
                d.pane = Pane::Task;
            }
            Vec::new()
        }
        Action::Guided => {
            if let Some(d) = app.drill.as_mut() {
                d.guided = !d.guided;
                d.pane = Pane::Task;
            }
            Vec::new()
        }
        Action::Reset => {
            let mut out = finish_attempt(app);
            app.status = Some("resetting…".into());
            out.push(Effect::Reset);
            out
        }
        Action::GiveUp => vec![Effect::GiveUp],
        Action::Shell => vec![Effect::OpenShell],
        Action::NodeShell => vec![Effect::OpenNodeShell],
        Action::Export => {
            if let Some(d) = app.drill.as_mut() {
                d.show_export = !d.show_export;
            } else if let Some(q) = app.exam.as_ref().and_then(|e| e.questions.first()) {
                app.status = Some(q.started.export.clone());
            }
            Vec::new()
        }
        Action::Prev | Action::Next => {
            if let Some(e) = app.exam.as_mut() {
                let n = e.questions.len().max(1);
                e.current = if action == Action::Next {
                    (e.current + 1) % n
                } else {
                    (e.current + n - 1) % n
                };
            }
            Vec::new()
        }
        Action::Flag => {
            if let Some(q) = app
                .exam
                .as_mut()
                .and_then(|e| e.questions.get_mut(e.current))
            {
                q.flagged = !q.flagged;
            }
            Vec::new()
        }
        Action::Submit => match app.exam.as_mut() {
            Some(e) if e.graded.is_none() && !e.grading => {
                e.grading = true;
                app.status = Some("grading every question…".into());
                vec![Effect::GradeExam]
            }
            _ => Vec::new(),
        },
        Action::NextPane => {
            if let Some(d) = app.drill.as_mut() {
                d.pane = match d.pane {
                    Pane::Task => Pane::Check,
                    Pane::Check => Pane::Activity,
                    Pane::Activity => Pane::Task,
                };
            }
            Vec::new()
        }
    }
}

/// Record the running drill as an attempt (leaving, resetting, quitting); nothing without one.
fn finish_attempt(app: &mut App) -> Vec<Effect> {
    let elapsed = app.elapsed();
    let Some(d) = app.drill.take() else {
        return Vec::new();
    };
    let solved = d.solved_after.is_some();
    app.progress.attempts.push(Attempt {
        scenario: d.started.info.scenario.clone(),
        seed: d.started.info.seed,
        domain: d.started.domain.clone(),
        started_at: d.started_at.clone(),
        seconds: d.solved_after.unwrap_or(elapsed),
        passed: solved,
        score: d.best_score,
        hints: u32::try_from(d.hints_shown).unwrap_or(u32::MAX),
        gave_up: d.gave_up.is_some() && !solved,
    });
    vec![Effect::SaveProgress]
}

/// `mm:ss` (or `h:mm:ss`).
pub fn clock(secs: u64) -> String {
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{:02}:{:02}", secs / 60, secs % 60)
    }
}

/// A second or more of exam time: the current question's clock, the warnings, the time-out.
fn exam_tick(app: &mut App, passed: u64) -> Vec<Effect> {
    let now = app.now;
    let Some(e) = app.exam.as_mut() else {
        return Vec::new();
    };
    if e.graded.is_some() || e.grading {
        return Vec::new();
    }
    if let Some(q) = e.questions.get_mut(e.current) {
        q.seconds += passed;
    }
    let left = e.remaining(now);
    if left == 0 {
        e.grading = true;
        app.status = Some("time is up: grading every question…".into());
        return vec![Effect::GradeExam];
    }
    for w in WARNINGS {
        if left <= w * 60 && !e.warned.contains(&w) {
            e.warned.push(w);
            app.status = Some(format!(
                "⚠ {w} minute{} left",
                if w == 1 { "" } else { "s" }
            ));
        }
    }
    Vec::new()
}
