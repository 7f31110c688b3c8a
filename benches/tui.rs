//! The TUI's costs (issue 6): rendering the drill screen at 200x50 into a test backend (the
//! same widgets a real terminal draws), and resetting a drill (a fresh simulated cluster,
//! seeded again through the API server).

use criterion::{Criterion, criterion_group, criterion_main};
use kubedrill::catalog::Catalog;
use kubedrill::session::Session;
use kubedrill::tui::app::{App, Msg, Started, update};
use kubedrill::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let catalog = Catalog::load(&[]).expect("pack");
    let infos = catalog.infos();
    let mut session =
        Session::new(catalog, &dir.path().join("kc"), &["kubedrill"]).expect("session");
    let info = session
        .start("kubedrill", "sel-service-selector-typo", 3)
        .expect("start");
    let inst = session.instance("kubedrill").expect("instance").clone();
    let mut app = App::new(infos, Default::default());
    let s = &inst.scenario;
    update(
        &mut app,
        Msg::Started(Ok(Started {
            info,
            domain: s.domain.clone(),
            hints: s.hints.clone(),
            diagnosis: s.diagnosis.iter().map(|d| d.text.clone()).collect(),
            solution: s.solution.commands.clone(),
            export: session.export_line(),
            minutes: s.minutes,
        })),
    );
    update(
        &mut app,
        Msg::Refreshed {
            view: session.cluster_view("kubedrill").expect("view"),
            activity: Vec::new(),
            diagnosis: session.diagnosis("kubedrill").expect("diagnosis"),
        },
    );
    update(&mut app, Msg::Checked(session.check("kubedrill")));
    let theme = Theme::colour();
    let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    c.bench_function("tui/render_drill_200x50", |b| {
        b.iter(|| {
            term.draw(|f| kubedrill::tui::view::view(&app, &theme, f))
                .expect("draw");
        })
    });
    let mut g = c.benchmark_group("tui");
    g.sample_size(20);
    g.bench_function("reset_drill", |b| {
        b.iter(|| session.reset("kubedrill").expect("reset"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
