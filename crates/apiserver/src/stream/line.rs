//! Reading a shell's input line by line. Without a terminal, lines end at `\n`. With one
//! (`-t`: kubectl puts the local terminal in raw mode), the pod's terminal does the editing a
//! real pty and the shell's line editor do: echo, Enter as `\r`, backspace, Ctrl-U, Ctrl-C,
//! Ctrl-D on an empty line; cursor keys are swallowed.

/// What the shell reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Line(String),
    /// Ctrl-C: the line is dropped.
    Interrupt,
    /// End of input.
    Eof,
}

/// Escape sequence state: after ESC, after `ESC [` (or `ESC O`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Esc {
    #[default]
    None,
    Start,
    Csi,
}

/// A line discipline.
#[derive(Debug, Default)]
pub struct LineReader {
    tty: bool,
    buf: Vec<u8>,
    esc: Esc,
}

impl LineReader {
    pub fn new(tty: bool) -> LineReader {
        LineReader {
            tty,
            ..LineReader::default()
        }
    }

    /// Feed input; returns what the terminal echoes and the events completed.
    pub fn feed(&mut self, bytes: &[u8]) -> (Vec<u8>, Vec<Event>) {
        let mut echo = Vec::new();
        let mut events = Vec::new();
        for &b in bytes {
            if !self.tty {
                if b == b'\n' {
                    events.push(Event::Line(self.take_line()));
                } else {
                    self.buf.push(b);
                }
                continue;
            }
            match self.esc {
                Esc::Start => {
                    self.esc = if b == b'[' || b == b'O' {
                        Esc::Csi
                    } else {
                        Esc::None
                    };
                    continue;
                }
                Esc::Csi => {
                    // Parameters and intermediates run until a final byte in 0x40..=0x7e.
                    if (0x40..=0x7e).contains(&b) {
                        self.esc = Esc::None;
                    }
                    continue;
                }
                Esc::None => {}
            }
            match b {
                b'\r' | b'\n' => {
                    echo.extend_from_slice(b"\r\n");
                    events.push(Event::Line(self.take_line()));
                }
                0x7f | 0x08 => {
                    if self.pop_char() {
                        echo.extend_from_slice(b"\x08 \x08");
                    }
                }
                0x15 => {
                    while self.pop_char() {
                        echo.extend_from_slice(b"\x08 \x08");
                    }
                }
                0x03 => {
                    echo.extend_from_slice(b"^C\r\n");
                    self.buf.clear();
                    events.push(Event::Interrupt);
                }
                0x04 => {
                    if self.buf.is_empty() {
                        events.push(Event::Eof);
                    }
                }
                0x1b => self.esc = Esc::Start,
                b if b < 0x20 => {}
                b => {
                    self.buf.push(b);
                    echo.push(b);
                }
            }
        }
        (echo, events)
    }

    /// stdin closed: a last unterminated line, then the end.
    pub fn eof(&mut self) -> Vec<Event> {
        let mut events = Vec::new();
        if !self.buf.is_empty() {
            events.push(Event::Line(self.take_line()));
        }
        events.push(Event::Eof);
        events
    }

    fn take_line(&mut self) -> String {
        let line = String::from_utf8_lossy(&self.buf).into_owned();
        self.buf.clear();
        line.strip_suffix('\r').map(str::to_string).unwrap_or(line)
    }

    /// Drop the last character (a whole UTF-8 sequence); false when the line is empty.
    fn pop_char(&mut self) -> bool {
        while let Some(b) = self.buf.pop() {
            if b & 0xc0 != 0x80 {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Event {
        Event::Line(s.to_string())
    }

    #[test]
    fn without_a_terminal_lines_end_at_newline_and_nothing_is_echoed() {
        let mut r = LineReader::new(false);
        let (echo, ev) = r.feed(b"echo a\r\nech");
        assert!(echo.is_empty());
        assert_eq!(ev, [line("echo a")]);
        assert_eq!(r.feed(b"o b\n").1, [line("echo b")]);
        r.feed(b"tail");
        assert_eq!(r.eof(), [line("tail"), Event::Eof]);
    }

    #[test]
    fn a_terminal_echoes_and_edits() {
        let mut r = LineReader::new(true);
        let (echo, ev) = r.feed(b"lsx\x7f -l\r");
        assert_eq!(echo, b"lsx\x08 \x08 -l\r\n");
        assert_eq!(ev, [line("ls -l")]);
        let (echo, ev) = r.feed(b"abc\x15pwd\r");
        assert_eq!(echo, b"abc\x08 \x08\x08 \x08\x08 \x08pwd\r\n");
        assert_eq!(ev, [line("pwd")]);
    }

    #[test]
    fn ctrl_c_drops_the_line_and_ctrl_d_ends_only_an_empty_one() {
        let mut r = LineReader::new(true);
        let (echo, ev) = r.feed(b"sleep\x03");
        assert_eq!(echo, b"sleep^C\r\n");
        assert_eq!(ev, [Event::Interrupt]);
        assert!(r.feed(b"x\x04").1.is_empty());
        assert_eq!(r.feed(b"\x15\x04").1, [Event::Eof]);
    }

    #[test]
    fn cursor_keys_are_swallowed_and_utf8_erases_whole() {
        let mut r = LineReader::new(true);
        let (echo, ev) = r.feed("\x1b[Aé\x7fok\x1bOB\r".as_bytes());
        assert_eq!(echo, b"\xc3\xa9\x08 \x08ok\r\n");
        assert_eq!(ev, [line("ok")]);
    }
}
