//! The request log: what clients asked of the ADO routes and what they were answered, so
//! that tests can assert on traffic ("the PAT went to the right organization", "the
//! client retried twice") without a proxy. It never holds a PAT, only whether an
//! `Authorization` header came and whom it identified.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The log keeps the newest entries only, so a long demo or benchmark run stays bounded.
const CAPACITY: usize = 20_000;

/// One request to an ADO route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedRequest {
    /// Increases by one per request, from 1, across clears.
    pub seq: u64,
    /// When the request arrived.
    pub at: DateTime<Utc>,
    pub method: String,
    /// As received, still percent-encoded.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    pub has_authorization: bool,
    /// The `unique_name` of the PAT's identity, when the PAT is known to the organization.
    pub identity: Option<String>,
    /// The status answered; `None` while the request is in flight, if the client went
    /// away before it was answered (a delayed fault, say), or if the emulator dropped
    /// the connection.
    pub status: Option<u16>,
    /// The emulator closed the connection instead of answering (a `drop_connection`
    /// fault).
    pub dropped: bool,
    /// The request came while its identity had been told by `Retry-After` to wait.
    pub early: bool,
    /// The organization's rate limit answered it with 429 (an injected 429 fault does
    /// not count), so a test can tell the limiter's refusals from the faults it injected.
    pub rate_limited: bool,
}

#[derive(Default)]
pub(crate) struct RequestLog {
    items: VecDeque<RecordedRequest>,
    next_seq: u64,
}

impl RequestLog {
    /// Records a request as it arrives and returns its `seq`, to finish it later.
    pub(crate) fn begin(&mut self, mut entry: RecordedRequest) -> u64 {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        if self.items.len() == CAPACITY {
            self.items.pop_front();
        }
        self.items.push_back(entry);
        self.next_seq
    }

    pub(crate) fn finish(&mut self, seq: u64, status: u16) {
        // Entries are in `seq` order, and the one to finish is usually among the last.
        if let Some(entry) = self.items.iter_mut().rev().find(|e| e.seq == seq) {
            entry.status = Some(status);
        }
    }

    /// Finished with the rate limit's 429.
    pub(crate) fn finish_rate_limited(&mut self, seq: u64) {
        if let Some(entry) = self.items.iter_mut().rev().find(|e| e.seq == seq) {
            entry.status = Some(429);
            entry.rate_limited = true;
        }
    }

    pub(crate) fn finish_dropped(&mut self, seq: u64) {
        if let Some(entry) = self.items.iter_mut().rev().find(|e| e.seq == seq) {
            entry.dropped = true;
        }
    }

    pub(crate) fn mark_early(&mut self, seq: u64) {
        if let Some(entry) = self.items.iter_mut().rev().find(|e| e.seq == seq) {
            entry.early = true;
        }
    }

    pub(crate) fn items(&self) -> Vec<RecordedRequest> {
        self.items.iter().cloned().collect()
    }

    pub(crate) fn clear(&mut self) {
        self.items.clear();
    }
}
