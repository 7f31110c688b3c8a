//! SPDY/3.1 framing as kubectl's port-forward speaks it (moby/spdystream): frames parsed from
//! a byte stream whose chunk boundaries mean nothing, and the zlib-compressed name/value
//! header blocks — one inflate and one deflate context per connection, both primed with the
//! SPDY/3 dictionary (KUBECTL-CONTRACT §12.2).

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// The SPDY/3 header-compression dictionary (1423 bytes, moby/spdystream `headerDictionary`).
/// Its Adler-32 is the DICTID kubectl's header blocks name (0xE3C6A7C2; see the tests).
pub const DICTIONARY: &[u8] = include_bytes!("spdy3_dictionary.bin");

/// Control frame types (SPDY/3 §2.6).
pub const SYN_STREAM: u16 = 1;
pub const SYN_REPLY: u16 = 2;
pub const RST_STREAM: u16 = 3;
pub const SETTINGS: u16 = 4;
pub const PING: u16 = 6;
pub const GOAWAY: u16 = 7;
pub const HEADERS: u16 = 8;
pub const WINDOW_UPDATE: u16 = 9;

/// FLAG_FIN on DATA, SYN_STREAM, SYN_REPLY and HEADERS frames.
pub const FLAG_FIN: u8 = 0x01;

/// The largest frame payload accepted (the length field allows 16 MiB; spdystream writes far
/// less). Anything larger is a broken peer, not a reason to buffer without bound.
const MAX_PAYLOAD: usize = 1 << 24;
/// The largest decompressed header block accepted (a guard against a zlib bomb).
const MAX_HEADER_BLOCK: usize = 1 << 20;
/// DATA frames the server writes carry at most this much (spdystream's reader takes any size;
/// smaller frames keep one response from monopolising the tunnel).
pub const MAX_DATA_CHUNK: usize = 16 * 1024;

/// Why a SPDY byte stream could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpdyError {
    #[error("unsupported SPDY version {0}")]
    Version(u16),
    #[error("SPDY frame of {0} bytes is too large")]
    TooLarge(usize),
    #[error("malformed SPDY {0} frame")]
    Malformed(&'static str),
    #[error("invalid SPDY header block: {0}")]
    HeaderBlock(String),
}

/// One SPDY frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Control {
        kind: u16,
        flags: u8,
        payload: Vec<u8>,
    },
    Data {
        stream: u32,
        flags: u8,
        payload: Vec<u8>,
    },
}

/// Take one whole frame off the front of `buf`, if it holds one.
pub fn take_frame(buf: &mut Vec<u8>) -> Result<Option<Frame>, SpdyError> {
    if buf.len() < 8 {
        return Ok(None);
    }
    let len = u32::from_be_bytes([0, buf[5], buf[6], buf[7]]) as usize;
    if len > MAX_PAYLOAD {
        return Err(SpdyError::TooLarge(len));
    }
    if buf.len() < 8 + len {
        return Ok(None);
    }
    let flags = buf[4];
    let frame = if buf[0] & 0x80 != 0 {
        let version = u16::from_be_bytes([buf[0] & 0x7f, buf[1]]);
        if version != 3 {
            return Err(SpdyError::Version(version));
        }
        Frame::Control {
            kind: u16::from_be_bytes([buf[2], buf[3]]),
            flags,
            payload: buf[8..8 + len].to_vec(),
        }
    } else {
        Frame::Data {
            stream: u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]),
            flags,
            payload: buf[8..8 + len].to_vec(),
        }
    };
    buf.drain(..8 + len);
    Ok(Some(frame))
}

fn header(out: &mut Vec<u8>, first: [u8; 4], flags: u8, len: usize) {
    out.extend_from_slice(&first);
    out.push(flags);
    // Callers keep payloads under 16 MiB (MAX_DATA_CHUNK, fixed-size control frames).
    let len = (len as u32).to_be_bytes();
    out.extend_from_slice(&len[1..]);
}

/// Serialise a control frame.
pub fn control(kind: u16, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + payload.len());
    let k = kind.to_be_bytes();
    header(&mut out, [0x80, 0x03, k[0], k[1]], flags, payload.len());
    out.extend_from_slice(payload);
    out
}

/// Serialise DATA frames for `stream` carrying `payload` (split in chunks); `fin` marks the
/// last one. An empty payload with `fin` is the half-close spdystream's `Close` writes.
pub fn data(stream: u32, payload: &[u8], fin: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 16);
    let chunks: Vec<&[u8]> = if payload.is_empty() {
        vec![&[]]
    } else {
        payload.chunks(MAX_DATA_CHUNK).collect()
    };
    let last = chunks.len() - 1;
    for (i, chunk) in chunks.into_iter().enumerate() {
        let flags = if fin && i == last { FLAG_FIN } else { 0 };
        header(
            &mut out,
            (stream & 0x7fff_ffff).to_be_bytes(),
            flags,
            chunk.len(),
        );
        out.extend_from_slice(chunk);
    }
    out
}

/// The stream id at the front of a control payload (SYN_STREAM, SYN_REPLY, RST_STREAM,
/// HEADERS, WINDOW_UPDATE).
pub fn stream_id(payload: &[u8], frame: &'static str) -> Result<u32, SpdyError> {
    match payload {
        [a, b, c, d, ..] => Ok(u32::from_be_bytes([*a, *b, *c, *d]) & 0x7fff_ffff),
        _ => Err(SpdyError::Malformed(frame)),
    }
}

/// Name/value pairs of a header block, names lower-case as SPDY/3 requires.
pub type Headers = Vec<(String, String)>;

/// The connection's two zlib contexts: each peer compresses all its header blocks as one
/// continuous stream, so a block can only be read after every earlier one.
pub struct HeaderCodec {
    inflate: Decompress,
    deflate: Compress,
}

impl std::fmt::Debug for HeaderCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeaderCodec").finish_non_exhaustive()
    }
}

impl Default for HeaderCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl HeaderCodec {
    pub fn new() -> HeaderCodec {
        let mut deflate = Compress::new(Compression::default(), true);
        // Priming before the first deflate sets FDICT in the zlib header, as spdystream's
        // writer does; Go's reader accepts blocks with or without it.
        let _ = deflate.set_dictionary(DICTIONARY);
        HeaderCodec {
            inflate: Decompress::new(true),
            deflate,
        }
    }

    /// Inflate and parse one header block.
    pub fn decode(&mut self, block: &[u8]) -> Result<Headers, SpdyError> {
        let raw = self.inflate_block(block)?;
        parse_block(&raw)
    }

    fn inflate_block(&mut self, mut input: &[u8]) -> Result<Vec<u8>, SpdyError> {
        let mut out = Vec::with_capacity(512);
        loop {
            if out.len() == out.capacity() {
                if out.len() >= MAX_HEADER_BLOCK {
                    return Err(SpdyError::HeaderBlock("too large".to_string()));
                }
                out.reserve(out.len().max(512));
            }
            let before_in = self.inflate.total_in();
            let before_out = self.inflate.total_out();
            let res = self
                .inflate
                .decompress_vec(input, &mut out, FlushDecompress::Sync);
            let consumed = (self.inflate.total_in() - before_in) as usize;
            let produced = self.inflate.total_out() - before_out;
            input = &input[consumed.min(input.len())..];
            match res {
                Ok(Status::StreamEnd) => return Ok(out),
                Ok(_) => {
                    let room = out.len() < out.capacity();
                    if (input.is_empty() && room) || (consumed == 0 && produced == 0 && room) {
                        return Ok(out);
                    }
                }
                Err(e) if e.needs_dictionary().is_some() => {
                    self.inflate
                        .set_dictionary(DICTIONARY)
                        .map_err(|e| SpdyError::HeaderBlock(e.to_string()))?;
                }
                Err(e) => return Err(SpdyError::HeaderBlock(e.to_string())),
            }
        }
    }

    /// Build and deflate (sync-flushed) a header block.
    pub fn encode(&mut self, headers: &[(&str, &str)]) -> Vec<u8> {
        let mut raw = Vec::new();
        raw.extend_from_slice(&(headers.len() as u32).to_be_bytes());
        for (name, value) in headers {
            raw.extend_from_slice(&(name.len() as u32).to_be_bytes());
            raw.extend_from_slice(name.as_bytes());
            raw.extend_from_slice(&(value.len() as u32).to_be_bytes());
            raw.extend_from_slice(value.as_bytes());
        }
        let mut out = Vec::with_capacity(raw.len() + 64);
        let mut input: &[u8] = &raw;
        loop {
            if out.len() == out.capacity() {
                out.reserve(256);
            }
            let before = self.deflate.total_in();
            let res = self
                .deflate
                .compress_vec(input, &mut out, FlushCompress::Sync);
            let consumed = (self.deflate.total_in() - before) as usize;
            input = &input[consumed.min(input.len())..];
            // A sync flush is complete once all input is in and the output did not fill up.
            if res.is_err() || (input.is_empty() && out.len() < out.capacity()) {
                return out;
            }
        }
    }
}

/// Parse an inflated header block: `u32 count`, then `u32 len, name, u32 len, value` pairs.
pub fn parse_block(raw: &[u8]) -> Result<Headers, SpdyError> {
    fn take<'a>(raw: &mut &'a [u8], n: usize) -> Result<&'a [u8], SpdyError> {
        if raw.len() < n {
            return Err(SpdyError::HeaderBlock("truncated".to_string()));
        }
        let (head, rest) = raw.split_at(n);
        *raw = rest;
        Ok(head)
    }
    fn u32_at(raw: &mut &[u8]) -> Result<usize, SpdyError> {
        let b = take(raw, 4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
    let mut raw = raw;
    let count = u32_at(&mut raw)?;
    let mut out = Vec::new();
    for _ in 0..count {
        let n = u32_at(&mut raw)?;
        let name = String::from_utf8_lossy(take(&mut raw, n)?).to_ascii_lowercase();
        let n = u32_at(&mut raw)?;
        let value = String::from_utf8_lossy(take(&mut raw, n)?).into_owned();
        out.push((name, value));
    }
    Ok(out)
}

/// The first value of header `name`.
pub fn header_value<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.split('\0').next().unwrap_or(""))
}

#[cfg(test)]
#[path = "spdy_tests.rs"]
mod tests;
