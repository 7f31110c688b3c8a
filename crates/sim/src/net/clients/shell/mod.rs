//! The part of busybox `sh -c` that client pods use: lists (`;`, `&&`, `||`, `&`), pipelines,
//! redirections to files or `/dev/null` (and `2>&1`), quotes, `$VAR` / `${VAR}` / `$(cmd)`,
//! `while`/`until`/`for`/`if` compounds, and a few text filters (`cat`, `head`, `grep`, `sort`,
//! `uniq`, `wc -l`, `seq`) so `… | head -3` works.
//!
//! Loops: the network answers the same way on every iteration, so a `while` whose condition
//! holds (`while true`) runs its body once and is reported as never ending
//! ([`ClientRun::ended`] false); a `for` over a list runs once per item.
//!
//! This file parses; `exec.rs` runs; `text.rs` holds the filters.

mod exec;
mod text;

pub(crate) use exec::run;
pub(crate) use text::echo;

/// One piece of a word: literal text or something expanded when the command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    Lit(String),
    Var(String),
    Subst(String),
}

pub(crate) type Word = Vec<Part>;

/// Where a command's output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Redir {
    /// `>FILE` / `>>FILE` / `>/dev/null`: stdout leaves the stream.
    OutAway,
    /// `2>FILE` / `2>/dev/null`.
    ErrAway,
    /// `2>&1`.
    ErrToOut,
    /// `&>FILE`.
    BothAway,
    /// `<FILE`: stdin is a file the model does not have: empty.
    In,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Simple {
        words: Vec<Word>,
        redirs: Vec<Redir>,
    },
    Pipe(Vec<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Seq(Vec<Node>),
    Loop {
        until: bool,
        cond: Box<Node>,
        body: Box<Node>,
    },
    For {
        var: String,
        items: Vec<Word>,
        body: Box<Node>,
    },
    If {
        cond: Box<Node>,
        then: Box<Node>,
        otherwise: Option<Box<Node>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(Word, String),
    Op(&'static str),
}

/// The script of `sh -c SCRIPT` (also `-ec`, `-xc`, `-e -c`), if `argv` is one.
pub(crate) fn script_of(argv: &[String]) -> Option<&str> {
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if a.starts_with('-') && a.len() > 1 {
            if a.contains('c') {
                return argv.get(i + 1).map(String::as_str);
            }
            i += 1;
        } else {
            return None;
        }
    }
    None
}

/// Every simple command of a script, its words taken literally (for deciding what it runs).
pub(crate) fn commands(script: &str) -> Vec<Vec<String>> {
    fn walk(n: &Node, out: &mut Vec<Vec<String>>) {
        match n {
            Node::Simple { words, .. } => out.push(words.iter().map(literal).collect()),
            Node::Pipe(v) | Node::Seq(v) => v.iter().for_each(|c| walk(c, out)),
            Node::And(a, b) | Node::Or(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            Node::Loop { cond, body, .. } => {
                walk(cond, out);
                walk(body, out);
            }
            Node::For { body, .. } => walk(body, out),
            Node::If {
                cond,
                then,
                otherwise,
            } => {
                walk(cond, out);
                walk(then, out);
                if let Some(o) = otherwise {
                    walk(o, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(n) = parse(script) {
        walk(&n, &mut out);
    }
    out
}

fn literal(w: &Word) -> String {
    w.iter()
        .map(|p| match p {
            Part::Lit(s) => s.clone(),
            Part::Var(v) => format!("${v}"),
            Part::Subst(s) => format!("$({s})"),
        })
        .collect()
}

/// ash's complaint for a script it cannot parse: `sh: syntax error: unexpected "done"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError(pub String);

pub(crate) fn parse(script: &str) -> Result<Node, SyntaxError> {
    let toks = lex(script)?;
    let mut p = Parser { toks, pos: 0 };
    let n = p.list(&[])?;
    match p.toks.get(p.pos) {
        None => Ok(n),
        Some(t) => Err(SyntaxError(format!("unexpected \"{}\"", tok_text(t)))),
    }
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Word(_, raw) => raw.clone(),
        Tok::Op(o) => (*o).to_string(),
    }
}

fn lex(s: &str) -> Result<Vec<Tok>, SyntaxError> {
    let chars: Vec<char> = s.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\t' {
            i += 1;
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        let two: String = chars[i..chars.len().min(i + 4)].iter().collect();
        let op = [
            "2>&1", "&&", "||", ">>", "2>", "&>", ";", "\n", "|", "&", ">", "<",
        ]
        .into_iter()
        .find(|o| two.starts_with(o));
        if let Some(o) = op {
            toks.push(Tok::Op(o));
            i += o.len();
            continue;
        }
        let (word, raw, next) = lex_word(&chars, i)?;
        toks.push(Tok::Word(word, raw));
        i = next;
    }
    Ok(toks)
}

fn lex_word(chars: &[char], mut i: usize) -> Result<(Word, String, usize), SyntaxError> {
    let start = i;
    let mut parts: Word = Vec::new();
    let mut lit = String::new();
    let mut quote: Option<char> = None;
    let flush = |lit: &mut String, parts: &mut Word| {
        if !lit.is_empty() {
            parts.push(Part::Lit(std::mem::take(lit)));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match quote {
            None if " \t\n;&|<>".contains(c) => break,
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                // An empty quoted word ('' or "") is still a word.
                parts.push(Part::Lit(String::new()));
                i += 1;
                continue;
            }
            Some(q) if c == q => {
                quote = None;
                i += 1;
                continue;
            }
            Some('\'') => {
                lit.push(c);
                i += 1;
                continue;
            }
            _ => {}
        }
        if c == '\\' && i + 1 < chars.len() {
            lit.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == '$' && i + 1 < chars.len() {
            let n = chars[i + 1];
            if n == '(' {
                let mut depth = 0;
                let mut j = i + 1;
                while j < chars.len() {
                    match chars[j] {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if j >= chars.len() {
                    return Err(SyntaxError("unterminated $(".to_string()));
                }
                flush(&mut lit, &mut parts);
                parts.push(Part::Subst(chars[i + 2..j].iter().collect()));
                i = j + 1;
                continue;
            }
            let (name, next) = if n == '{' {
                let end = chars[i + 2..].iter().position(|c| *c == '}');
                match end {
                    Some(e) => (
                        chars[i + 2..i + 2 + e].iter().collect::<String>(),
                        i + 3 + e,
                    ),
                    None => return Err(SyntaxError("missing '}'".to_string())),
                }
            } else if n.is_ascii_alphanumeric() || n == '_' || n == '?' {
                let len = if n == '?' || n.is_ascii_digit() {
                    1
                } else {
                    chars[i + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                        .count()
                };
                (chars[i + 1..i + 1 + len].iter().collect(), i + 1 + len)
            } else {
                lit.push('$');
                i += 1;
                continue;
            };
            flush(&mut lit, &mut parts);
            parts.push(Part::Var(name));
            i = next;
            continue;
        }
        lit.push(c);
        i += 1;
    }
    if quote.is_some() {
        return Err(SyntaxError("unterminated quoted string".to_string()));
    }
    flush(&mut lit, &mut parts);
    let raw: String = chars[start..i].iter().collect();
    Ok((parts, raw, i))
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek_word(&self) -> Option<&str> {
        match self.toks.get(self.pos) {
            Some(Tok::Word(_, raw)) => Some(raw.as_str()),
            _ => None,
        }
    }

    fn skip_separators(&mut self) {
        while matches!(self.toks.get(self.pos), Some(Tok::Op(";" | "\n" | "&"))) {
            self.pos += 1;
        }
    }

    /// Commands up to one of the `stop` keywords (or the end).
    fn list(&mut self, stop: &[&str]) -> Result<Node, SyntaxError> {
        let mut items = Vec::new();
        loop {
            self.skip_separators();
            match self.peek_word() {
                None if self.pos >= self.toks.len() => break,
                Some(w) if stop.contains(&w) => break,
                _ => {}
            }
            items.push(self.and_or(stop)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::Seq(items)
        })
    }

    fn and_or(&mut self, stop: &[&str]) -> Result<Node, SyntaxError> {
        let mut left = self.pipeline(stop)?;
        while let Some(Tok::Op(op @ ("&&" | "||"))) = self.toks.get(self.pos) {
            let op = *op;
            self.pos += 1;
            while matches!(self.toks.get(self.pos), Some(Tok::Op("\n"))) {
                self.pos += 1;
            }
            let right = self.pipeline(stop)?;
            left = if op == "&&" {
                Node::And(Box::new(left), Box::new(right))
            } else {
                Node::Or(Box::new(left), Box::new(right))
            };
        }
        Ok(left)
    }

    fn pipeline(&mut self, stop: &[&str]) -> Result<Node, SyntaxError> {
        let mut cmds = vec![self.command(stop)?];
        while let Some(Tok::Op("|")) = self.toks.get(self.pos) {
            self.pos += 1;
            cmds.push(self.command(stop)?);
        }
        Ok(if cmds.len() == 1 {
            cmds.remove(0)
        } else {
            Node::Pipe(cmds)
        })
    }

    fn expect(&mut self, kw: &str) -> Result<(), SyntaxError> {
        self.skip_separators();
        match self.peek_word() {
            Some(w) if w == kw => {
                self.pos += 1;
                Ok(())
            }
            Some(w) => Err(SyntaxError(format!(
                "unexpected \"{w}\" (expecting \"{kw}\")"
            ))),
            None => Err(SyntaxError(format!(
                "unexpected end of file (expecting \"{kw}\")"
            ))),
        }
    }

    fn command(&mut self, stop: &[&str]) -> Result<Node, SyntaxError> {
        match self.peek_word() {
            Some(kw @ ("while" | "until")) => {
                let until = kw == "until";
                self.pos += 1;
                let cond = self.list(&["do"])?;
                self.expect("do")?;
                let body = self.list(&["done"])?;
                self.expect("done")?;
                Ok(Node::Loop {
                    until,
                    cond: Box::new(cond),
                    body: Box::new(body),
                })
            }
            Some("for") => {
                self.pos += 1;
                let Some(var) = self.peek_word().map(str::to_string) else {
                    let t = self
                        .toks
                        .get(self.pos)
                        .map_or("end of file".to_string(), tok_text);
                    return Err(SyntaxError(format!("unexpected \"{t}\"")));
                };
                self.pos += 1;
                let mut items = Vec::new();
                if self.peek_word() == Some("in") {
                    self.pos += 1;
                    while let Some(Tok::Word(w, _)) = self.toks.get(self.pos) {
                        items.push(w.clone());
                        self.pos += 1;
                    }
                }
                self.expect("do")?;
                let body = self.list(&["done"])?;
                self.expect("done")?;
                Ok(Node::For {
                    var,
                    items,
                    body: Box::new(body),
                })
            }
            Some("if") => {
                self.pos += 1;
                let cond = self.list(&["then"])?;
                self.expect("then")?;
                let then = self.list(&["else", "elif", "fi"])?;
                let otherwise = match self.peek_word() {
                    Some("else") => {
                        self.pos += 1;
                        Some(Box::new(self.list(&["fi"])?))
                    }
                    Some("elif") => {
                        // `elif` is an `if` nested in the else branch, sharing its `fi`.
                        self.toks[self.pos] = Tok::Word(vec![Part::Lit("if".into())], "if".into());
                        let nested = self.command(stop)?;
                        return Ok(Node::If {
                            cond: Box::new(cond),
                            then: Box::new(then),
                            otherwise: Some(Box::new(nested)),
                        });
                    }
                    _ => None,
                };
                self.expect("fi")?;
                Ok(Node::If {
                    cond: Box::new(cond),
                    then: Box::new(then),
                    otherwise,
                })
            }
            Some(w @ ("do" | "done" | "then" | "fi" | "else")) if !stop.contains(&w) => {
                Err(SyntaxError(format!("unexpected \"{w}\"")))
            }
            _ => self.simple(),
        }
    }

    fn simple(&mut self) -> Result<Node, SyntaxError> {
        let mut words = Vec::new();
        let mut redirs = Vec::new();
        loop {
            match self.toks.get(self.pos) {
                Some(Tok::Word(w, _)) => {
                    words.push(w.clone());
                    self.pos += 1;
                }
                Some(Tok::Op(op @ (">" | ">>" | "2>" | "&>" | "<"))) => {
                    let op = *op;
                    self.pos += 1;
                    let target = match self.toks.get(self.pos) {
                        Some(Tok::Word(_, raw)) => raw.clone(),
                        Some(t) => {
                            return Err(SyntaxError(format!("unexpected \"{}\"", tok_text(t))));
                        }
                        None => return Err(SyntaxError("unexpected newline".to_string())),
                    };
                    self.pos += 1;
                    redirs.push(match (op, target.as_str()) {
                        ("2>", "&1") => Redir::ErrToOut,
                        ("2>", _) => Redir::ErrAway,
                        ("&>", _) => Redir::BothAway,
                        ("<", _) => Redir::In,
                        _ => Redir::OutAway,
                    });
                }
                Some(Tok::Op("2>&1")) => {
                    self.pos += 1;
                    redirs.push(Redir::ErrToOut);
                }
                _ => break,
            }
        }
        if words.is_empty() && redirs.is_empty() {
            let t = self
                .toks
                .get(self.pos)
                .map_or("end of file".to_string(), tok_text);
            return Err(SyntaxError(format!("unexpected \"{t}\"")));
        }
        Ok(Node::Simple { words, redirs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_loops_parse_into_their_commands() {
        let cmds = commands(
            "while true; do wget -qO- -T2 $API_URL >/tmp/r 2>&1 && echo ok || echo \"FAIL $(cat /tmp/r)\"; sleep 2; done",
        );
        assert_eq!(cmds[0], vec!["true"]);
        assert_eq!(cmds[1], vec!["wget", "-qO-", "-T2", "$API_URL"]);
        assert!(
            cmds.iter()
                .any(|c| c == &vec!["sleep".to_string(), "2".to_string()])
        );
        assert!(parse("do done").is_err());
        assert!(parse("echo 'unterminated").is_err());
    }
}
