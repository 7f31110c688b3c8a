//! The kubelet's side of a SPDY port-forward connection, driven by the bytes kubectl writes
//! (KUBECTL-CONTRACT Appendix C) and by frames built with a client-side compressor.

use super::*;
use crate::portforward::spdy::{SYN_REPLY, SYN_STREAM, take_frame};
use kubedrill_sim::Sim;

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web-1
spec:
  containers:
  - name: nginx
    image: nginx:1.27
";

fn session() -> Session {
    let (mut sim, _clock) = Sim::default_with_clock().unwrap();
    sim.apply_yaml(POD).unwrap();
    let uid = sim
        .get(kubedrill_sim::Kind::Pod, "default", "web-1")
        .unwrap()["metadata"]["uid"]
        .as_str()
        .unwrap()
        .to_string();
    let cluster = Cluster::new("t", sim);
    Session::new(
        cluster,
        PodRef {
            namespace: "default".to_string(),
            name: "web-1".to_string(),
            uid,
        },
    )
}

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// kubectl's writes for one local connection: error stream 1 (then its FIN), data stream 3,
/// and curl's request on stream 3.
fn kubectl_bytes() -> Vec<u8> {
    let mut b = hex("80 03 00 01 00 00 00 3D 00 00 00 01 00 00 00 00 00 00 \
         78 F9 E3 C6 A7 C2 02 25 3A 70 3A 2B 29 4A 4D CC 85 16 25 AC A9 A0 80 86 14 CB 45 A0 24 \
         CC 64 61 C0 C0 C0 C0 59 04 89 C4 4C 50 E2 66 34 00 00 00 00 FF FF \
         00 00 00 01 01 00 00 00 \
         80 03 00 01 00 00 00 1C 00 00 00 03 00 00 00 00 00 00 \
         82 6A C5 14 45 35 0C 54 2E 25 A2 9A 05 00 00 00 FF FF");
    let get = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:28080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
    b.extend(spdy::data(3, get, false));
    b
}

fn frames(mut bytes: Vec<u8>) -> Vec<Frame> {
    let mut out = Vec::new();
    while let Some(f) = take_frame(&mut bytes).unwrap() {
        out.push(f);
    }
    assert!(bytes.is_empty(), "a partial frame was written");
    out
}

#[test]
fn every_syn_stream_gets_a_syn_reply_and_the_data_stream_gets_nginxs_answer() {
    let mut s = session();
    // One byte at a time: WebSocket message boundaries mean nothing.
    let mut out = Vec::new();
    for b in kubectl_bytes() {
        out.extend(s.feed(&[b]).unwrap());
    }
    let frames = frames(out);
    let mut client = HeaderCodec::new();
    let replies: Vec<u32> = frames
        .iter()
        .filter_map(|f| match f {
            Frame::Control {
                kind: SYN_REPLY,
                payload,
                ..
            } => {
                // Readable by the client's one inflate context, in order.
                assert!(client.decode(&payload[4..]).unwrap().is_empty());
                Some(spdy::stream_id(payload, "SYN_REPLY").unwrap())
            }
            _ => None,
        })
        .collect();
    assert_eq!(replies, [1, 3]);
    let body: Vec<u8> = frames
        .iter()
        .filter_map(|f| match f {
            Frame::Data {
                stream: 3, payload, ..
            } => Some(payload.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.starts_with("HTTP/1.1 200 OK\r\nServer: nginx/1.27.5\r\n"),
        "{text}"
    );
    assert!(text.ends_with("</html>\n"));
    // Keep-alive: no FIN until the client closes its side.
    assert!(!frames.iter().any(|f| matches!(
        f,
        Frame::Data {
            flags: FLAG_FIN,
            stream: 3,
            ..
        }
    )));
    let bye = frames_of(&mut s, &spdy::data(3, &[], true));
    assert!(bye.contains(&Frame::Data {
        stream: 3,
        flags: FLAG_FIN,
        payload: vec![]
    }));
    assert!(bye.contains(&Frame::Data {
        stream: 1,
        flags: FLAG_FIN,
        payload: vec![]
    }));
}

fn frames_of(s: &mut Session, bytes: &[u8]) -> Vec<Frame> {
    frames(s.feed(bytes).unwrap())
}

fn syn_stream(codec: &mut HeaderCodec, id: u32, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut p = id.to_be_bytes().to_vec();
    p.extend([0, 0, 0, 0, 0, 0]);
    p.extend(codec.encode(headers));
    spdy::control(SYN_STREAM, 0, &p)
}

#[test]
fn a_port_nothing_listens_on_gets_the_runtimes_refusal_on_the_error_stream() {
    let mut s = session();
    let mut client = HeaderCodec::new();
    let mut bytes = syn_stream(
        &mut client,
        1,
        &[
            ("streamtype", "error"),
            ("port", "8080"),
            ("requestid", "0"),
        ],
    );
    bytes.extend(syn_stream(
        &mut client,
        3,
        &[("streamtype", "data"), ("port", "8080"), ("requestid", "0")],
    ));
    let got = frames_of(&mut s, &bytes);
    let error: String = got
        .iter()
        .filter_map(|f| match f {
            Frame::Data {
                stream: 1, payload, ..
            } => Some(String::from_utf8_lossy(payload).into_owned()),
            _ => None,
        })
        .collect();
    let id = s.pod.sandbox_id();
    assert_eq!(id.len(), 64);
    assert_eq!(
        error,
        format!(
            "error forwarding port 8080 to pod {id}, uid : failed to execute portforward in network namespace \"{}\": failed to connect to localhost:8080 inside namespace \"{id}\", IPv4: dial tcp4 127.0.0.1:8080: connect: connection refused IPv6 dial tcp6 [::1]:8080: connect: connection refused ",
            s.pod.netns_path()
        )
    );
    // Both streams are half-closed afterwards.
    for stream in [1, 3] {
        assert!(got.contains(&Frame::Data {
            stream,
            flags: FLAG_FIN,
            payload: vec![]
        }));
    }
}

#[test]
fn ping_is_echoed_and_goaway_ends_the_session() {
    let mut s = session();
    let ping = spdy::control(spdy::PING, 0, &7u32.to_be_bytes());
    assert_eq!(s.feed(&ping).unwrap(), ping);
    assert!(!s.finished);
    s.feed(&spdy::control(spdy::GOAWAY, 0, &[0; 8])).unwrap();
    assert!(s.finished);
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    let mut s = session();
    assert!(s.feed(&hex("80 02 00 01 00 00 00 00")).is_err());
    let mut s = session();
    // A SYN_STREAM whose header block is not zlib.
    let bad = spdy::control(SYN_STREAM, 0, &[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3]);
    assert!(s.feed(&bad).is_err());
}
