//! One exec or attach session on an upgraded WebSocket: the pump between the socket and the
//! simulated process. It reads client frames without pause (so PINGs are answered and idle
//! sessions live on), hands stdin and resizes to the process, frames what the process prints,
//! and ends with the Status on the error channel and a normal close (1000).

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use std::future::Future;
use std::time::Duration;
use tokio::sync::mpsc;

use super::ws::{self, ClientFrame, Ending};

/// What the client sent to the process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin(Vec<u8>),
    /// No more stdin will come.
    Eof,
    Resize {
        width: u16,
        height: u16,
    },
}

/// Which streams the request asked for (`stdin=true&stdout=true&stderr=true&tty=true`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Streams {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    pub tty: bool,
}

/// Where a container's own output also goes (its log), line by line.
pub type Tee = Box<dyn FnMut(&str) + Send>;

/// The process's side of a session.
pub struct Io {
    input: mpsc::UnboundedReceiver<Input>,
    out: mpsc::UnboundedSender<Vec<u8>>,
    pub streams: Streams,
    /// Set when the process is the container's main process (attach): what it prints is
    /// also the container's log. Holds the unfinished last line.
    tee: Option<(Tee, Vec<u8>)>,
}

impl std::fmt::Debug for Io {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Io")
            .field("streams", &self.streams)
            .field("tee", &self.tee.is_some())
            .finish_non_exhaustive()
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        if let Some((tee, pending)) = &mut self.tee
            && !pending.is_empty()
        {
            tee(&String::from_utf8_lossy(pending));
        }
    }
}

impl Io {
    /// A pair for driving a process without a socket: feed the sender, read framed output.
    pub fn pair(
        streams: Streams,
    ) -> (
        Io,
        mpsc::UnboundedSender<Input>,
        mpsc::UnboundedReceiver<Vec<u8>>,
    ) {
        let (in_tx, input) = mpsc::unbounded_channel();
        let (out, out_rx) = mpsc::unbounded_channel();
        (
            Io {
                input,
                out,
                streams,
                tee: None,
            },
            in_tx,
            out_rx,
        )
    }

    /// The next input; `None` once stdin is closed or the client is gone (a process that does
    /// not read stdin never asks).
    pub async fn next(&mut self) -> Option<Input> {
        if !self.streams.stdin {
            // No stdin stream: wait for resizes only, never for input.
            return loop {
                match self.input.recv().await {
                    Some(Input::Resize { width, height }) => {
                        break Some(Input::Resize { width, height });
                    }
                    Some(_) => continue,
                    None => break None,
                }
            };
        }
        match self.input.recv().await {
            Some(Input::Eof) | None => None,
            other => other,
        }
    }

    /// Also send what the process prints to `tee`, a whole line at a time.
    pub fn set_tee(&mut self, tee: Tee) {
        self.tee = Some((tee, Vec::new()));
    }

    fn record(&mut self, data: &[u8]) {
        let Some((tee, pending)) = &mut self.tee else {
            return;
        };
        pending.extend_from_slice(data);
        if let Some(end) = pending.iter().rposition(|b| *b == b'\n') {
            let done: Vec<u8> = pending.drain(..=end).collect();
            tee(&String::from_utf8_lossy(&done));
        }
    }

    pub fn stdout(&mut self, data: &[u8]) {
        self.record(data);
        self.send_stdout(data);
    }

    fn send_stdout(&self, data: &[u8]) {
        if self.streams.stdout && !data.is_empty() {
            // A closed receiver means the client left; the session is being torn down.
            let _ = self.out.send(ws::frame(ws::STDOUT, data));
        }
    }

    /// stderr: its own channel, or the terminal when there is one (a tty merges the two).
    pub fn stderr(&mut self, data: &[u8]) {
        self.record(data);
        if self.streams.tty {
            self.send_stdout(data);
        } else if self.streams.stderr && !data.is_empty() {
            let _ = self.out.send(ws::frame(ws::STDERR, data));
        }
    }
}

/// Serve `process` on `socket` until it ends or the client leaves.
pub async fn pump<F, Fut>(mut socket: WebSocket, streams: Streams, process: F)
where
    F: FnOnce(Io) -> Fut,
    Fut: Future<Output = Ending> + Send + 'static,
{
    let (io, in_tx, mut out_rx) = Io::pair(streams);
    let mut task = tokio::spawn(process(io));
    let mut in_tx = Some(in_tx);
    let ending = loop {
        tokio::select! {
            biased;
            Some(frame) = out_rx.recv() => {
                if socket.send(Message::Binary(frame.into())).await.is_err() {
                    task.abort();
                    return;
                }
            }
            end = &mut task => {
                break end.unwrap_or_else(|e| Ending::Internal(e.to_string()));
            }
            msg = socket.recv() => match msg {
                Some(Ok(Message::Binary(b))) => {
                    let input = match ws::decode(&b) {
                        ClientFrame::Stdin(d) => Some(Input::Stdin(d)),
                        ClientFrame::StdinEof => Some(Input::Eof),
                        ClientFrame::Resize { width, height } => Some(Input::Resize { width, height }),
                        ClientFrame::Ignored => None,
                    };
                    if let (Some(i), Some(tx)) = (input, &in_tx) {
                        let eof = i == Input::Eof;
                        let _ = tx.send(i);
                        if eof {
                            in_tx = None;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                    // The client left (kubectl interrupted): the process goes with it.
                    task.abort();
                    return;
                }
                // Pings are answered by tungstenite on the next read; text is not a channel.
                Some(Ok(_)) => {}
            }
        }
    };
    while let Ok(frame) = out_rx.try_recv() {
        if socket.send(Message::Binary(frame.into())).await.is_err() {
            return;
        }
    }
    let status = ws::status(&ending).to_string();
    let _ = socket
        .send(Message::Binary(
            ws::frame(ws::ERROR, status.as_bytes()).into(),
        ))
        .await;
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: 1000,
            reason: "".into(),
        })))
        .await;
    // Let the client answer the close, so the connection ends cleanly on both sides.
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(Ok(m)) = socket.recv().await {
            if matches!(m, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[tokio::test]
    async fn a_tee_gets_whole_lines_and_the_rest_at_the_end() {
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let streams = Streams {
            stdout: true,
            stderr: true,
            ..Streams::default()
        };
        let (mut io, _tx, _rx) = Io::pair(streams);
        let s = seen.clone();
        io.set_tee(Box::new(move |t| s.lock().unwrap().push(t.to_string())));
        io.stdout(b"a\nb");
        io.stderr(b"c\n/ # ");
        drop(io);
        assert_eq!(*seen.lock().unwrap(), ["a\n", "bc\n", "/ # "]);
    }

    #[tokio::test]
    async fn a_tty_merges_stderr_into_stdout() {
        let streams = Streams {
            stdin: true,
            stdout: true,
            stderr: false,
            tty: true,
        };
        let (mut io, _tx, mut rx) = Io::pair(streams);
        io.stderr(b"oops\n");
        assert_eq!(rx.recv().await.unwrap(), b"\x01oops\n");
    }

    #[tokio::test]
    async fn without_a_stdout_stream_nothing_is_sent() {
        let streams = Streams {
            stderr: true,
            ..Streams::default()
        };
        let (mut io, _tx, mut rx) = Io::pair(streams);
        io.stdout(b"lost");
        io.stderr(b"kept");
        assert_eq!(rx.recv().await.unwrap(), b"\x02kept");
    }

    #[tokio::test]
    async fn stdin_ends_at_eof_and_is_never_read_when_not_asked_for() {
        let streams = Streams {
            stdin: true,
            ..Streams::default()
        };
        let (mut io, tx, _rx) = Io::pair(streams);
        tx.send(Input::Stdin(b"a".to_vec())).unwrap();
        tx.send(Input::Eof).unwrap();
        assert_eq!(io.next().await, Some(Input::Stdin(b"a".to_vec())));
        assert_eq!(io.next().await, None);

        let (mut io, tx, _rx) = Io::pair(Streams::default());
        tx.send(Input::Stdin(b"ignored".to_vec())).unwrap();
        tx.send(Input::Resize {
            width: 1,
            height: 2,
        })
        .unwrap();
        assert_eq!(
            io.next().await,
            Some(Input::Resize {
                width: 1,
                height: 2
            })
        );
    }
}
