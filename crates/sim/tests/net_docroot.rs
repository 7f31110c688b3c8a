//! A ConfigMap volume mounted over a static server's docroot is what the server serves: the
//! kubelet projects each key as a file there, hiding the image's own pages (nginx serves
//! `index.html` for `/` and 404 for a file that is not there).

mod net_support;

use net_support::*;

const SITE: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: site\ndata:\n  index.html: \"hello from the configmap\\n\"\n  about.txt: about\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.27\n    volumeMounts:\n    - {name: content, mountPath: /usr/share/nginx/html}\n  volumes:\n  - name: content\n    configMap: {name: site}\n";

const PLAIN: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: plain\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.27\n";

#[test]
fn a_configmap_mounted_over_the_docroot_replaces_the_image_pages() {
    let (mut sim, _clock) = cluster(&[SITE, PLAIN, &client("probe", "default", "node01")]);
    let web = pod_ip(&sim.get(kubedrill_sim::Kind::Pod, "default", "web").unwrap());
    let from = from_pod("default", "probe");

    let t = trace(&mut sim, &from, &get(&web.to_string(), 80, "/"));
    let r = response(&t);
    assert_eq!(
        (r.status, r.body.as_str()),
        (200, "hello from the configmap\n")
    );
    let t = trace(&mut sim, &from, &get(&web.to_string(), 80, "/about.txt"));
    assert_eq!(response(&t).body, "about");
    // The image's own page is gone: the volume hides the directory.
    let t = trace(&mut sim, &from, &get(&web.to_string(), 80, "/index.htm"));
    assert_eq!(response(&t).status, 404);
    assert!(
        response(&t).body.contains("404 Not Found"),
        "{}",
        response(&t).body
    );

    // Without the mount the image's welcome page is served.
    let plain = pod_ip(
        &sim.get(kubedrill_sim::Kind::Pod, "default", "plain")
            .unwrap(),
    );
    let t = trace(&mut sim, &from, &get(&plain.to_string(), 80, "/"));
    assert!(response(&t).body.contains("Welcome to nginx!"));
}
