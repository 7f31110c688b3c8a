//! The `channel.k8s.io` framing of exec and attach over WebSocket (KUBECTL-CONTRACT §12.1):
//! subprotocol choice, one channel byte in front of every binary message, the Status the
//! error channel carries at the end, and what a client message means.

use serde_json::{Value, json};

/// The subprotocols served, best first: v5 adds the close channel; kube-rs also offers v4.
pub const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

pub const STDIN: u8 = 0;
pub const STDOUT: u8 = 1;
pub const STDERR: u8 = 2;
pub const ERROR: u8 = 3;
pub const RESIZE: u8 = 4;
/// v5: `[255, channel]` says the client closed that stream (stdin EOF).
pub const CLOSE: u8 = 255;

/// A binary message for `channel` carrying `data`.
pub fn frame(channel: u8, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(data.len() + 1);
    v.push(channel);
    v.extend_from_slice(data);
    v
}

/// What a client message asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientFrame {
    Stdin(Vec<u8>),
    /// The client will send no more stdin (v5 close of channel 0).
    StdinEof,
    /// A terminal size (`{"Width":W,"Height":H}`).
    Resize {
        width: u16,
        height: u16,
    },
    /// Anything else a server ignores: empty messages, closes of other channels, bad sizes,
    /// server-bound writes to output channels.
    Ignored,
}

/// Read one binary message from the client.
pub fn decode(msg: &[u8]) -> ClientFrame {
    let Some((&channel, data)) = msg.split_first() else {
        return ClientFrame::Ignored;
    };
    match channel {
        STDIN => ClientFrame::Stdin(data.to_vec()),
        RESIZE => match serde_json::from_slice::<Value>(data) {
            Ok(v) => ClientFrame::Resize {
                width: dimension(&v["Width"]),
                height: dimension(&v["Height"]),
            },
            Err(_) => ClientFrame::Ignored,
        },
        CLOSE if data.first() == Some(&STDIN) => ClientFrame::StdinEof,
        _ => ClientFrame::Ignored,
    }
}

fn dimension(v: &Value) -> u16 {
    v.as_u64()
        .map_or(0, |n| u16::try_from(n).unwrap_or(u16::MAX))
}

/// How a stream ended, as the error channel reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Success,
    /// The process exited non-zero; `argv` is what containerd names in its message.
    ExitCode {
        code: i32,
        argv: Vec<String>,
    },
    /// Anything else: `apierrors.NewInternalError(err)` with `err`'s text.
    Internal(String),
}

/// `fmt.Sprintf("%v", []string{…})`: `[sh -c exit 3]`.
fn go_slice(argv: &[String]) -> String {
    format!("[{}]", argv.join(" "))
}

/// The Status written on the error channel: what the API server's stream translator sends
/// (a `metav1.Status` without type meta). The exit message is wrapped as it is on the way
/// from containerd (`error executing command …`) through the kubelet and the translator.
pub fn status(end: &Ending) -> Value {
    match end {
        Ending::Success => json!({"metadata": {}, "status": "Success"}),
        Ending::ExitCode { code, argv } => {
            let inner = format!(
                "error executing command {}, exit code {code}",
                go_slice(argv)
            );
            let prefix = "command terminated with non-zero exit code: ";
            json!({
                "metadata": {}, "status": "Failure",
                "message": format!("{prefix}{prefix}{prefix}{inner}"),
                "reason": "NonZeroExitCode",
                "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
            })
        }
        Ending::Internal(err) => json!({
            "metadata": {}, "status": "Failure",
            "message": format!("Internal error occurred: {err}"),
            "reason": "InternalError",
            "details": {"causes": [{"message": err}]},
            "code": 500,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_put_the_channel_first() {
        assert_eq!(frame(STDOUT, b"hi\n"), b"\x01hi\n");
        assert_eq!(frame(ERROR, b""), [3]);
    }

    #[test]
    fn client_frames_are_read_by_channel() {
        assert_eq!(decode(b"\x00ls\n"), ClientFrame::Stdin(b"ls\n".to_vec()));
        assert_eq!(decode(&[CLOSE, STDIN]), ClientFrame::StdinEof);
        assert_eq!(decode(&[CLOSE, RESIZE]), ClientFrame::Ignored);
        assert_eq!(
            decode(b"\x04{\"Width\":80,\"Height\":24}\n"),
            ClientFrame::Resize {
                width: 80,
                height: 24
            }
        );
        assert_eq!(decode(b"\x04{oops"), ClientFrame::Ignored);
        assert_eq!(decode(b""), ClientFrame::Ignored);
        assert_eq!(decode(b"\x01sneaky"), ClientFrame::Ignored);
    }

    #[test]
    fn exit_status_carries_the_code_kubectl_exits_with() {
        let s = status(&Ending::ExitCode {
            code: 3,
            argv: vec!["sh".into(), "-c".into(), "exit 3".into()],
        });
        assert_eq!(s["status"], "Failure");
        assert_eq!(s["reason"], "NonZeroExitCode");
        assert_eq!(s["details"]["causes"][0]["reason"], "ExitCode");
        assert_eq!(s["details"]["causes"][0]["message"], "3");
        assert!(
            s["message"]
                .as_str()
                .unwrap()
                .ends_with("error executing command [sh -c exit 3], exit code 3")
        );
        assert!(s.get("kind").is_none());
    }

    #[test]
    fn internal_errors_are_prefixed_as_new_internal_error_does() {
        let s = status(&Ending::Internal("unable to upgrade connection: x".into()));
        assert_eq!(
            s["message"],
            "Internal error occurred: unable to upgrade connection: x"
        );
        assert_eq!(s["reason"], "InternalError");
        assert_eq!(s["code"], 500);
        assert_eq!(
            status(&Ending::Success),
            json!({"metadata": {}, "status": "Success"})
        );
    }
}
