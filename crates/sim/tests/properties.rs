//! Whole-cluster properties under random sequences of writes: resourceVersions strictly
//! increase, replaying the watch log rebuilds the store, settling is idempotent, and the same
//! inputs give a byte-identical cluster.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use kubedrill_sim::{
    DeleteOptions, EventType, Kind, ManualClock, PatchType, Sim, Subresource, meta,
};
use proptest::prelude::*;
use serde_json::{Value, json};

/// One user action of a random session.
#[derive(Debug, Clone)]
enum Action {
    Deploy {
        app: u8,
        replicas: u8,
    },
    Expose {
        app: u8,
        selector_app: u8,
        target: u16,
    },
    Relabel {
        app: u8,
        to: u8,
    },
    Scale {
        app: u8,
        replicas: u8,
    },
    DeleteDeployment {
        app: u8,
    },
    DeleteService {
        app: u8,
    },
    DeleteAPod {
        app: u8,
    },
    Tick {
        secs: u8,
    },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0u8..4, 0u8..4).prop_map(|(app, replicas)| Action::Deploy { app, replicas }),
        (0u8..4, 0u8..4, prop_oneof![Just(80u16), Just(8080)]).prop_map(
            |(app, selector_app, target)| Action::Expose {
                app,
                selector_app,
                target
            }
        ),
        (0u8..4, 0u8..4).prop_map(|(app, to)| Action::Relabel { app, to }),
        (0u8..4, 0u8..5).prop_map(|(app, replicas)| Action::Scale { app, replicas }),
        (0u8..4).prop_map(|app| Action::DeleteDeployment { app }),
        (0u8..4).prop_map(|app| Action::DeleteService { app }),
        (0u8..4).prop_map(|app| Action::DeleteAPod { app }),
        (0u8..40).prop_map(|secs| Action::Tick { secs }),
    ]
}

/// Run an action; API refusals (NotFound, AlreadyExists, ...) are part of a random session.
fn run(sim: &mut Sim, clock: &ManualClock, a: &Action) {
    let _ = match a {
        Action::Deploy { app, replicas } => sim
            .create(json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": format!("app{app}")},
                "spec": {
                    "replicas": replicas,
                    "selector": {"matchLabels": {"app": format!("app{app}")}},
                    "template": {"metadata": {"labels": {"app": format!("app{app}")}},
                        "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]}},
                },
            }))
            .map(|_| ()),
        Action::Expose { app, selector_app, target } => sim
            .create(json!({
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": format!("svc{app}")},
                "spec": {"selector": {"app": format!("app{selector_app}")}, "ports": [{"port": 80, "targetPort": target}]},
            }))
            .map(|_| ()),
        Action::Relabel { app, to } => first_pod(sim, *app)
            .map(|name| {
                let body = json!({"metadata": {"labels": {"app": format!("app{to}")}}});
                sim.patch(Kind::Pod, "default", &name, PatchType::Merge, &body, Subresource::Main).map(|_| ())
            })
            .unwrap_or(Ok(())),
        Action::Scale { app, replicas } => sim
            .patch(
                Kind::Deployment,
                "default",
                &format!("app{app}"),
                PatchType::Merge,
                &json!({"spec": {"replicas": replicas}}),
                Subresource::Main,
            )
            .map(|_| ()),
        Action::DeleteDeployment { app } => sim
            .delete(Kind::Deployment, "default", &format!("app{app}"), &DeleteOptions::default())
            .map(|_| ()),
        Action::DeleteService { app } => sim
            .delete(Kind::Service, "default", &format!("svc{app}"), &DeleteOptions::default())
            .map(|_| ()),
        Action::DeleteAPod { app } => first_pod(sim, *app)
            .map(|name| sim.delete(Kind::Pod, "default", &name, &DeleteOptions::default()).map(|_| ()))
            .unwrap_or(Ok(())),
        Action::Tick { secs } => {
            clock.advance(jiff::SignedDuration::from_secs(i64::from(*secs)));
            sim.tick()
        }
    }
    .map_err(|e| assert_ne!(e.code(), 500, "internal error: {e}"));
}

fn first_pod(sim: &Sim, app: u8) -> Option<String> {
    let label = format!("app{app}");
    sim.store()
        .list(Kind::Pod, Some("default"))
        .find(|p| {
            meta::labels(p)
                .and_then(|l| l.get("app"))
                .and_then(Value::as_str)
                == Some(label.as_str())
        })
        .map(|p| meta::name(p).to_string())
}

fn session(actions: &[Action]) -> (Sim, ManualClock) {
    let (mut sim, clock) = common::sim_with(&[]);
    for a in actions {
        run(&mut sim, &clock, a);
    }
    (sim, clock)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn resource_versions_strictly_increase_in_the_watch_log(actions in prop::collection::vec(action(), 1..25)) {
        let (sim, _) = session(&actions);
        let events = sim.watch_since(Kind::Pod, None, 0, &Default::default()).expect("log covers everything");
        let mut last = 0;
        for e in &events {
            prop_assert!(e.rv > last, "rv {} after {}", e.rv, last);
            prop_assert_eq!(meta::resource_version(&e.object), e.rv.to_string());
            last = e.rv;
        }
    }

    #[test]
    fn replaying_the_watch_log_rebuilds_the_store(actions in prop::collection::vec(action(), 1..25)) {
        let (sim, _) = session(&actions);
        for kind in Kind::ALL {
            let mut rebuilt: BTreeMap<(String, String), Arc<Value>> = BTreeMap::new();
            for e in sim.watch_since(kind, None, 0, &Default::default()).expect("log") {
                let key = (meta::namespace(&e.object).to_string(), meta::name(&e.object).to_string());
                match e.event {
                    EventType::Added | EventType::Modified => { rebuilt.insert(key, e.object.clone()); }
                    EventType::Deleted => { rebuilt.remove(&key); }
                }
            }
            let live: Vec<Arc<Value>> = sim.store().list(kind, None).cloned().collect();
            let replayed: Vec<Arc<Value>> = rebuilt.into_values().collect();
            prop_assert_eq!(live, replayed, "kind {}", kind);
        }
    }

    #[test]
    fn settling_again_changes_nothing(actions in prop::collection::vec(action(), 1..25)) {
        let (mut sim, _) = session(&actions);
        let before = sim.resource_version();
        sim.tick().expect("tick");
        prop_assert_eq!(sim.resource_version(), before);
    }

    #[test]
    fn the_same_session_gives_a_byte_identical_cluster(actions in prop::collection::vec(action(), 1..25)) {
        let (a, _) = session(&actions);
        let (b, _) = session(&actions);
        prop_assert_eq!(a.dump(), b.dump());
    }
}
