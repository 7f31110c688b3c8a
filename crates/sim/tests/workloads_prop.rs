//! Property: any sequence of Deployment creates, scales, template changes, pod relabels and
//! deletes settles without error, and afterwards every Deployment's current ReplicaSet owns
//! exactly `spec.replicas` live pods (the workers are schedulable).

mod common;

use kubedrill_sim::{DeleteOptions, Kind, ListOptions, Sim, meta};
use proptest::prelude::*;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
enum Op {
    Create(u8, u8),
    Scale(u8, u8),
    Image(u8, bool),
    Relabel(u8, u8),
    Delete(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3u8, 0..6u8).prop_map(|(d, r)| Op::Create(d, r)),
        (0..3u8, 0..6u8).prop_map(|(d, r)| Op::Scale(d, r)),
        (0..3u8, any::<bool>()).prop_map(|(d, b)| Op::Image(d, b)),
        (0..3u8, 0..6u8).prop_map(|(d, i)| Op::Relabel(d, i)),
        (0..3u8).prop_map(Op::Delete),
    ]
}

fn deployment(d: u8, replicas: u8) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": format!("d{d}"), "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": format!("d{d}")}},
            "template": {
                "metadata": {"labels": {"app": format!("d{d}")}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
            },
        },
    })
}

fn apply(sim: &mut Sim, op: &Op) {
    let get = |sim: &Sim, d: u8| sim.get(Kind::Deployment, "default", &format!("d{d}")).ok();
    match op {
        Op::Create(d, r) => {
            if get(sim, *d).is_none() {
                sim.create(deployment(*d, *r)).expect("create");
            }
        }
        Op::Scale(d, r) => {
            if let Some(cur) = get(sim, *d) {
                let mut v = (*cur).clone();
                v["spec"]["replicas"] = json!(r);
                sim.update(v).expect("scale");
            }
        }
        Op::Image(d, newer) => {
            if let Some(cur) = get(sim, *d) {
                let mut v = (*cur).clone();
                let img = if *newer { "nginx:1.28" } else { "nginx:1.27" };
                v["spec"]["template"]["spec"]["containers"][0]["image"] = json!(img);
                sim.update(v).expect("image");
            }
        }
        Op::Relabel(d, i) => {
            let pods: Vec<_> = sim
                .list(Kind::Pod, Some("default"), &ListOptions::default())
                .expect("pods")
                .items
                .into_iter()
                .filter(|p| p["metadata"]["labels"]["app"] == format!("d{d}").as_str())
                .filter(|p| !meta::is_terminating(p))
                .collect();
            if let Some(p) = pods.get(usize::from(*i) % pods.len().max(1)) {
                let mut v = (**p).clone();
                v["metadata"]["labels"]["app"] = json!("released");
                sim.update(v).expect("relabel");
            }
        }
        Op::Delete(d) => {
            if get(sim, *d).is_some() {
                sim.delete(
                    Kind::Deployment,
                    "default",
                    &format!("d{d}"),
                    &DeleteOptions::default(),
                )
                .expect("delete");
            }
        }
    }
}

fn check(sim: &Sim) {
    for d in sim
        .list(Kind::Deployment, Some("default"), &ListOptions::default())
        .expect("deployments")
        .items
    {
        let want = d["spec"]["replicas"].as_i64().unwrap_or(1);
        let rss = sim
            .list(Kind::ReplicaSet, Some("default"), &ListOptions::default())
            .expect("rs")
            .items;
        let current: Vec<_> = rss
            .iter()
            .filter(|rs| {
                meta::controller_ref(rs).and_then(|r| r["uid"].as_str()) == Some(meta::uid(&d))
            })
            .filter(|rs| {
                rs["spec"]["template"]["spec"]["containers"][0]["image"]
                    == d["spec"]["template"]["spec"]["containers"][0]["image"]
            })
            .collect();
        assert_eq!(
            current.len(),
            1,
            "one current ReplicaSet for {}",
            meta::name(&d)
        );
        let owned = sim
            .list(Kind::Pod, Some("default"), &ListOptions::default())
            .expect("pods")
            .items
            .into_iter()
            .filter(|p| {
                meta::controller_ref(p).and_then(|r| r["uid"].as_str())
                    == Some(meta::uid(current[0]))
            })
            .filter(|p| !meta::is_terminating(p))
            .count() as i64;
        assert_eq!(owned, want, "pods of {}", meta::name(current[0]));
        assert_eq!(d["status"]["updatedReplicas"].as_i64().unwrap_or(0), want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn deployments_always_converge_to_spec_replicas(ops in proptest::collection::vec(op(), 1..10)) {
        let (mut sim, _c) = common::sim_with(&[]);
        for o in &ops {
            apply(&mut sim, o);
            check(&sim);
        }
    }
}
