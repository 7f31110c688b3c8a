//! Command-line parsing shared by the tools: a GNU `getopt_long`-style parser (options may
//! follow operands, short options cluster as in `-qO-`, `--` ends options), and URL splitting.

/// One option as given: its canonical name (the short letter, or the long name for long-only
/// options) and its argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Opt {
    pub name: String,
    pub arg: Option<String>,
}

/// What the parser was told about a tool's options.
pub(crate) struct Spec<'a> {
    /// Short options without an argument (`"cqS"`).
    pub flags: &'a str,
    /// Short options taking an argument (`"OoPYUTt"`).
    pub with_arg: &'a str,
    /// Long options: (name, takes an argument, canonical name).
    pub long: &'a [(&'a str, bool, &'a str)],
}

/// Why a command line does not parse, worded as glibc's getopt prints it after `PROG: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OptError {
    Invalid(char),
    Unrecognized(String),
    MissingArg(String),
}

impl OptError {
    /// glibc `getopt`: `invalid option -- 'x'`, `unrecognized option '--foo'`,
    /// `option requires an argument -- 'O'`.
    pub fn glibc(&self) -> String {
        match self {
            OptError::Invalid(c) => format!("invalid option -- '{c}'"),
            OptError::Unrecognized(o) => format!("unrecognized option '{o}'"),
            OptError::MissingArg(o) if o.len() == 1 => {
                format!("option requires an argument -- '{o}'")
            }
            OptError::MissingArg(o) => format!("option '--{o}' requires an argument"),
        }
    }
}

/// Split `argv` (without the program name) into options and operands.
pub(crate) fn getopt(argv: &[String], spec: &Spec) -> Result<(Vec<Opt>, Vec<String>), OptError> {
    let mut opts = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        i += 1;
        if a == "--" {
            operands.extend(argv[i..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            // getopt_long accepts any unambiguous prefix of a long option.
            let exact = spec.long.iter().find(|(n, _, _)| *n == name);
            let found = exact.or_else(|| {
                let mut m = spec.long.iter().filter(|(n, _, _)| n.starts_with(name));
                match (m.next(), m.next()) {
                    (Some(one), None) => Some(one),
                    _ => None,
                }
            });
            let Some((lname, takes, canon)) = found else {
                return Err(OptError::Unrecognized(a.clone()));
            };
            let arg = if *takes {
                match inline {
                    Some(v) => Some(v),
                    None if i < argv.len() => {
                        i += 1;
                        Some(argv[i - 1].clone())
                    }
                    None => return Err(OptError::MissingArg((*lname).to_string())),
                }
            } else {
                None
            };
            opts.push(Opt {
                name: (*canon).to_string(),
                arg,
            });
            continue;
        }
        if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                j += 1;
                if spec.with_arg.contains(c) {
                    let rest: String = chars[j..].iter().collect();
                    let arg = if !rest.is_empty() {
                        rest
                    } else if i < argv.len() {
                        i += 1;
                        argv[i - 1].clone()
                    } else {
                        return Err(OptError::MissingArg(c.to_string()));
                    };
                    opts.push(Opt {
                        name: c.to_string(),
                        arg: Some(arg),
                    });
                    break;
                } else if spec.flags.contains(c) {
                    opts.push(Opt {
                        name: c.to_string(),
                        arg: None,
                    });
                } else {
                    return Err(OptError::Invalid(c));
                }
            }
            continue;
        }
        operands.push(a.clone());
    }
    Ok((opts, operands))
}

/// A URL split the way the tools need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    pub scheme: String,
    /// Host without port (`web`, `10.96.12.7`).
    pub host: String,
    /// `host[:port]` exactly as written (busybox wget prints this).
    pub host_port: String,
    pub port: u16,
    /// Request target, starting with `/`.
    pub path: String,
}

/// Split `s` as an HTTP URL; a missing scheme means `http://`. `None` for a port that is not a
/// number, or a scheme other than http.
pub(crate) fn parse_url(s: &str) -> Option<Url> {
    let (scheme, rest) = match s.split_once("://") {
        Some((sc, r)) => (sc.to_ascii_lowercase(), r),
        None => ("http".to_string(), s),
    };
    if scheme != "http" {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().ok()?),
        None => (authority, 80),
    };
    let path = tail.split('#').next().unwrap_or("");
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    Some(Url {
        scheme,
        host: host.to_string(),
        host_port: authority.to_string(),
        port,
        path,
    })
}

/// `host:port` operands and `nc`'s port argument: a decimal port, as `bb_strtou` reads it.
pub(crate) fn parse_port(s: &str) -> Option<u16> {
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_string()).collect()
    }

    const WGET: Spec = Spec {
        flags: "cqS",
        with_arg: "OoPYUTt",
        long: &[("spider", false, "spider"), ("timeout", true, "T")],
    };

    #[test]
    fn short_options_cluster_and_take_the_rest_as_argument() {
        let (o, a) = getopt(&v(&["-qO-", "web", "-T3"]), &WGET).unwrap_or_default();
        assert_eq!(a, v(&["web"]));
        assert_eq!(o[0].name, "q");
        assert_eq!(o[1].arg.as_deref(), Some("-"));
        assert_eq!(o[2].arg.as_deref(), Some("3"));
        assert_eq!(getopt(&v(&["-x"]), &WGET), Err(OptError::Invalid('x')));
        let (o, _) = getopt(&v(&["--spi", "--timeout=5", "u"]), &WGET).unwrap_or_default();
        assert_eq!(o[0].name, "spider");
        assert_eq!(o[1].arg.as_deref(), Some("5"));
    }

    #[test]
    fn urls_keep_the_host_as_written() {
        let u = parse_url("http://web:8080/hostname?x=1").unwrap_or_else(|| panic!());
        assert_eq!((u.host.as_str(), u.port), ("web", 8080));
        assert_eq!(u.host_port, "web:8080");
        assert_eq!(u.path, "/hostname?x=1");
        let u = parse_url("web").unwrap_or_else(|| panic!());
        assert_eq!(
            (u.host_port.as_str(), u.port, u.path.as_str()),
            ("web", 80, "/")
        );
        assert!(parse_url("ftp://x").is_none());
    }
}
