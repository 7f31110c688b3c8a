//! The audit log of one cluster: every request, reads included, with who sent it (user agent,
//! kubectl's `Kubectl-Command` header), the verb, the object and, for writes, the body — what
//! the TUI shows as "what you did" and what guided mode follows.

use jiff::Timestamp;
use kubedrill_sim::Kind;
use std::collections::VecDeque;

/// Entries kept per cluster; the oldest go first.
pub const AUDIT_CAPACITY: usize = 10_000;

/// One request as the API server saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Increasing per cluster: callers poll with `since(seq)`.
    pub seq: u64,
    pub time: Timestamp,
    pub user_agent: String,
    /// kubectl's `Kubectl-Command` header (`kubectl expose`), if any.
    pub kubectl_command: Option<String>,
    pub method: String,
    /// The Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection,
    /// or the HTTP method in lower case for non-resource paths.
    pub verb: String,
    pub path: String,
    pub kind: Option<Kind>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
    /// The request body of a write (the object, the patch), as sent (protobuf decoded to JSON).
    pub body: Option<String>,
    /// The `Content-Type` of a write.
    pub content_type: Option<String>,
    pub code: u16,
}

/// A bounded in-memory log.
#[derive(Debug, Default)]
pub struct AuditLog {
    entries: VecDeque<AuditEntry>,
    next_seq: u64,
}

impl AuditLog {
    pub fn record(&mut self, mut e: AuditEntry) {
        e.seq = self.next_seq;
        self.next_seq += 1;
        if self.entries.len() == AUDIT_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(e);
    }

    /// Entries with `seq >= since`, oldest first.
    pub fn since(&self, since: u64) -> Vec<AuditEntry> {
        let start = self.entries.partition_point(|e| e.seq < since);
        self.entries.range(start..).cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The sequence number the next entry will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> AuditEntry {
        AuditEntry {
            seq: 0,
            time: Timestamp::UNIX_EPOCH,
            user_agent: String::new(),
            kubectl_command: None,
            method: "GET".into(),
            verb: "get".into(),
            path: "/".into(),
            kind: None,
            namespace: None,
            name: None,
            subresource: None,
            body: None,
            content_type: None,
            code: 200,
        }
    }

    #[test]
    fn audit_log_is_bounded_and_keeps_the_newest() {
        let mut log = AuditLog::default();
        for _ in 0..AUDIT_CAPACITY + 5 {
            log.record(entry());
        }
        assert_eq!(log.len(), AUDIT_CAPACITY);
        let all = log.since(0);
        assert_eq!(all[0].seq, 5);
        assert_eq!(log.since(AUDIT_CAPACITY as u64 + 4).len(), 1);
    }
}
