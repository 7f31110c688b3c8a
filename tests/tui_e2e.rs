//! The real binary in a terminal (tmux): open the TUI, start a drill, fix it from another
//! terminal (`kubedrill solve` on the drill's kubeconfig, as a learner's own shell could),
//! check, see the pass, quit, and find the attempt saved. And the terminal is restored —
//! alternate screen off — after quitting, Ctrl-C, SIGTERM and a panic. Skipped (with a
//! notice) where tmux is not installed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kubedrill");

struct Tmux {
    name: String,
}

impl Tmux {
    /// `kubedrill --data-dir dir` in a 120x40 tmux session; the shell prints `EXIT:<code>`
    /// when it ends and stays, so the pane can be inspected afterwards.
    fn start(dir: &Path, env: &[(&str, &str)]) -> Option<Tmux> {
        Tmux::start_with(dir, "", env)
    }

    /// `kubedrill <args> --data-dir dir`.
    fn start_with(dir: &Path, args: &str, env: &[(&str, &str)]) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("notice: tmux is not installed; the TUI end-to-end test is skipped");
            return None;
        }
        // tmux refuses `.` and `:` in session names; temp dirs start with a dot.
        let base: String = dir
            .display()
            .to_string()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let name = format!("kd{base}");
        let vars: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
        let cmd = format!(
            "{vars}{BIN} {args} --data-dir {}; echo EXIT:$?; sleep 120",
            dir.display()
        );
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                "120",
                "-y",
                "40",
                "sh",
                "-c",
                &cmd,
            ])
            .env("TERM", "xterm-256color")
            .status()
            .ok()?
            .success();
        ok.then_some(Tmux { name })
    }

    fn screen(&self) -> String {
        let o = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn alternate_on(&self) -> bool {
        let o = Command::new("tmux")
            .args(["display", "-p", "-t", &self.name, "#{alternate_on}"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).trim() == "1"
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            Command::new("tmux")
                .args(["send-keys", "-t", &self.name, k])
                .status()
                .unwrap();
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Wait until the screen contains `text`; the screen on timeout.
    fn wait_for(&self, text: &str) -> Result<String, String> {
        self.wait_for_within(text, Duration::from_secs(30))
    }

    fn wait_for_within(&self, text: &str, limit: Duration) -> Result<String, String> {
        let deadline = Instant::now() + limit;
        loop {
            let s = self.screen();
            if s.contains(text) {
                return Ok(s);
            }
            if Instant::now() > deadline {
                return Err(s);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn pid(&self) -> String {
        let o = Command::new("tmux")
            .args(["list-panes", "-t", &self.name, "-F", "#{pane_pid}"])
            .output()
            .unwrap();
        let shell = String::from_utf8_lossy(&o.stdout).trim().to_string();
        let o = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

fn expect(t: &Tmux, text: &str) -> String {
    t.wait_for(text)
        .unwrap_or_else(|s| panic!("waiting for {text:?}; screen:\n{s}"))
}

#[test]
fn a_drill_from_start_to_pass_in_the_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start(dir.path(), &[]) else {
        return;
    };
    expect(&t, "scenarios — CKA Services & Networking");
    t.keys(&["/", "typo", "Enter", "Enter"]);
    expect(&t, "seeded on context kubedrill");
    assert!(t.alternate_on());

    // The learner's own terminal: the drill's kubeconfig and drill file are there.
    let kc = dir.path().join("tui.kubeconfig");
    let o = Command::new(BIN)
        .args(["solve", "--kubeconfig"])
        .arg(&kc)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    t.keys(&["c"]);
    expect(&t, "all checks pass");
    t.keys(&["q"]);
    expect(&t, "EXIT:0");
    assert!(
        !t.alternate_on(),
        "the terminal is back from the alternate screen"
    );
    let progress = std::fs::read_to_string(dir.path().join("progress.json")).unwrap();
    assert!(
        progress.contains("\"scenario\": \"sel-service-selector-typo\""),
        "{progress}"
    );
    assert!(progress.contains("\"passed\": true"), "{progress}");
}

#[test]
fn ctrl_c_sigterm_and_a_panic_restore_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start(&dir.path().join("a"), &[]) else {
        return;
    };
    expect(&t, "scenarios — CKA");
    t.keys(&["C-c"]);
    expect(&t, "EXIT:0");
    assert!(!t.alternate_on());
    drop(t);

    let t = Tmux::start(&dir.path().join("b"), &[]).unwrap();
    expect(&t, "scenarios — CKA");
    let pid = t.pid();
    assert!(!pid.is_empty());
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    expect(&t, "EXIT:0");
    assert!(!t.alternate_on());
    drop(t);

    let t = Tmux::start(&dir.path().join("c"), &[("KUBEDRILL_TEST_PANIC", "1")]).unwrap();
    let s = expect(&t, "EXIT:101");
    assert!(s.contains("KUBEDRILL_TEST_PANIC is set"), "{s}");
    assert!(!t.alternate_on());
}

#[test]
fn a_one_minute_exam_expires_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let Some(t) = Tmux::start_with(dir.path(), "exam --count 2 --minutes 1 --seed 3", &[]) else {
        return;
    };
    let s = expect(&t, "question 1/2  context exam-1");
    assert!(s.contains("kubectl config use-context exam-1"), "{s}");
    t.keys(&["Right", "f"]);
    expect(&t, "question 2/2  context exam-2");
    let s = t
        .wait_for_within("exam graded:", Duration::from_secs(90))
        .unwrap_or_else(|s| panic!("the exam did not end:\n{s}"));
    assert!(s.contains("(pass mark 66%, 1 minute)"), "{s}");
    assert!(s.contains("FAIL"), "nothing was fixed: {s}");
    t.keys(&["q"]);
    expect(&t, "EXIT:0");
    let progress = std::fs::read_to_string(dir.path().join("progress.json")).unwrap();
    assert_eq!(progress.matches("\"scenario\"").count(), 2, "{progress}");
}
