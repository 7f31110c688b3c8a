//! SPDY framing and header blocks against the bytes kubectl 1.32 really wrote
//! (KUBECTL-CONTRACT Appendix C, `kubectl port-forward pod/web-1 28080:80`).

use super::*;

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// The first SYN_STREAM kubectl wrote (error stream 1), as its 8 separate writes.
fn kubectl_writes() -> Vec<Vec<u8>> {
    [
        "80 03",
        "00 01",
        "00 00 00 3D",
        "00 00 00 01",
        "00 00 00 00",
        "00",
        "00",
        "78 F9 E3 C6 A7 C2 02 25 3A 70 3A 2B 29 4A 4D CC 85 16 25 AC A9 A0 80 86 14 CB 45 A0 24 CC 64 61 C0 C0 C0 C0 59 04 89 C4 4C 50 E2 66 34 00 00 00 00 FF FF",
        // DATA FIN on stream 1 (kubectl closes its side of the error stream).
        "00 00 00 01",
        "01 00 00 00",
        // SYN_STREAM for the data stream 3.
        "80 03",
        "00 01",
        "00 00 00 1C",
        "00 00 00 03",
        "00 00 00 00",
        "00",
        "00",
        "82 6A C5 14 45 35 0C 54 2E 25 A2 9A 05 00 00 00 FF FF",
    ]
    .iter()
    .map(|s| hex(s))
    .collect()
}

#[test]
fn dictionary_is_the_one_kubectl_names() {
    assert_eq!(DICTIONARY.len(), 1423);
    // zlib's DICTID in kubectl's first header block (bytes 2..6 after 78 F9).
    let mut a: u32 = 1;
    let mut b: u32 = 0;
    for &x in DICTIONARY {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    assert_eq!((b << 16) | a, 0xE3C6_A7C2);
}

#[test]
fn frames_split_across_writes_are_reassembled() {
    let mut buf = Vec::new();
    let mut frames = Vec::new();
    for w in kubectl_writes() {
        buf.extend_from_slice(&w);
        while let Some(f) = take_frame(&mut buf).unwrap() {
            frames.push(f);
        }
    }
    assert!(buf.is_empty());
    assert_eq!(frames.len(), 3);
    assert!(
        matches!(&frames[0], Frame::Control { kind: SYN_STREAM, payload, .. } if payload.len() == 0x3D)
    );
    assert_eq!(
        frames[1],
        Frame::Data {
            stream: 1,
            flags: FLAG_FIN,
            payload: vec![]
        }
    );
    assert!(
        matches!(&frames[2], Frame::Control { kind: SYN_STREAM, payload, .. } if stream_id(payload, "x").unwrap() == 3)
    );
}

#[test]
fn header_blocks_share_one_inflate_context() {
    let mut buf: Vec<u8> = kubectl_writes().concat();
    let mut codec = HeaderCodec::new();
    let mut blocks = Vec::new();
    while let Some(f) = take_frame(&mut buf).unwrap() {
        if let Frame::Control {
            kind: SYN_STREAM,
            payload,
            ..
        } = f
        {
            blocks.push(codec.decode(&payload[10..]).unwrap());
        }
    }
    assert_eq!(header_value(&blocks[0], "streamtype"), Some("error"));
    assert_eq!(header_value(&blocks[0], "port"), Some("80"));
    // The second block back-references the first: only readable with the same context.
    assert_eq!(header_value(&blocks[1], "streamtype"), Some("data"));
    assert_eq!(header_value(&blocks[1], "requestid"), Some("0"));
}

#[test]
fn second_block_alone_is_unreadable_without_the_first() {
    let mut codec = HeaderCodec::new();
    let block = hex("82 6A C5 14 45 35 0C 54 2E 25 A2 9A 05 00 00 00 FF FF");
    assert!(codec.decode(&block).is_err());
}

#[test]
fn encoded_blocks_round_trip_through_a_fresh_reader() {
    let mut writer = HeaderCodec::new();
    let mut reader = HeaderCodec::new();
    let first = writer.encode(&[]);
    // FDICT set: the reader must prime its context with the dictionary.
    assert_eq!(first[0], 0x78);
    assert_eq!(first[1] & 0x20, 0x20);
    assert!(reader.decode(&first).unwrap().is_empty());
    let second = writer.encode(&[("port", "80"), ("streamtype", "data")]);
    let h = reader.decode(&second).unwrap();
    assert_eq!(header_value(&h, "port"), Some("80"));
}

#[test]
fn data_frames_are_chunked_and_fin_marks_the_last() {
    let payload = vec![7u8; MAX_DATA_CHUNK + 10];
    let mut bytes = data(3, &payload, true);
    let a = take_frame(&mut bytes).unwrap().unwrap();
    let b = take_frame(&mut bytes).unwrap().unwrap();
    assert!(
        matches!(a, Frame::Data { stream: 3, flags: 0, ref payload } if payload.len() == MAX_DATA_CHUNK)
    );
    assert!(
        matches!(b, Frame::Data { stream: 3, flags: FLAG_FIN, ref payload } if payload.len() == 10)
    );
    let mut close = data(5, &[], true);
    assert_eq!(
        take_frame(&mut close).unwrap(),
        Some(Frame::Data {
            stream: 5,
            flags: FLAG_FIN,
            payload: vec![]
        })
    );
}

#[test]
fn ping_frame_layout_matches_kubectl() {
    let ping = control(PING, 0, &1u32.to_be_bytes());
    assert_eq!(ping, hex("80 03 00 06 00 00 00 04 00 00 00 01"));
}

#[test]
fn other_versions_and_oversized_frames_are_errors() {
    let mut v2 = hex("80 02 00 01 00 00 00 00");
    assert_eq!(take_frame(&mut v2), Err(SpdyError::Version(2)));
    let mut truncated = hex("80 03 00 06 00 00 00 04 00 00");
    assert_eq!(take_frame(&mut truncated), Ok(None));
    assert!(parse_block(&hex("00 00 00 02 00 00 00 01 61")).is_err());
}
