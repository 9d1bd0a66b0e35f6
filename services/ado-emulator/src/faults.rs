//! Injected faults: "the next N matching requests get this status, after this delay", or
//! "lose their connection", or "are carried out and then answered with a failure".
//! Clients' retry, back-off, timeout and idempotency paths are otherwise hard to reach
//! against an emulator that always answers well. Faults are checked before
//! authentication, as an overloaded front end would refuse a request before looking at
//! its PAT.

use serde::{Deserialize, Serialize};

/// One fault, as posted to `/_emulator/faults`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// Only requests with this method (any case); every method when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// Only requests whose path contains this text; every path when absent.
    #[serde(default)]
    pub path_contains: Option<String>,
    /// The status to answer, with ADO's error body. Absent: wait `delay_ms`, then answer
    /// normally (to make a client time out).
    #[serde(default)]
    pub status: Option<u16>,
    /// How many matching requests the fault applies to.
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default)]
    pub delay_ms: u64,
    /// A random `0..=jitter_ms` added to `delay_ms`.
    #[serde(default)]
    pub jitter_ms: u64,
    /// Seconds, sent as `Retry-After`.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Close the connection without an answer: the client sees a transport error.
    #[serde(default)]
    pub drop_connection: bool,
    /// Carry the request out first (the work item is created or changed, hooks fire),
    /// then answer `status` or drop the connection: "it worked but the answer was lost".
    #[serde(default)]
    pub after_commit: bool,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// Answer `status` to the next `count` requests of any kind.
    pub fn status(status: u16, count: u32) -> Self {
        Self {
            method: None,
            path_contains: None,
            status: Some(status),
            count,
            delay_ms: 0,
            jitter_ms: 0,
            retry_after: None,
            drop_connection: false,
            after_commit: false,
        }
    }

    /// Drop the connection of the next `count` requests, with no answer.
    pub fn drop_connection(count: u32) -> Self {
        Self {
            status: None,
            drop_connection: true,
            ..Self::status(500, count)
        }
    }

    /// Limits the fault to requests with this method whose path contains `path`.
    pub fn matching(mut self, method: &str, path_contains: &str) -> Self {
        self.method = Some(method.to_owned());
        self.path_contains = Some(path_contains.to_owned());
        self
    }

    /// Carries the request out before failing it (see [`Fault::after_commit`]).
    pub fn after_commit(mut self) -> Self {
        self.after_commit = true;
        self
    }

    fn validate(&self) -> Result<(), FaultError> {
        if let Some(status) = self.status
            && !(200..=599).contains(&status)
        {
            return Err(FaultError(format!(
                "status {status} is not between 200 and 599"
            )));
        }
        if self.count == 0 {
            return Err(FaultError("count must be at least 1".to_owned()));
        }
        if self.status.is_none() && !self.drop_connection && self.delay_ms + self.jitter_ms == 0 {
            return Err(FaultError(
                "a fault needs a status, drop_connection, a delay_ms, or a combination".to_owned(),
            ));
        }
        if self.status.is_some() && self.drop_connection {
            return Err(FaultError(
                "a fault answers a status or drops the connection, not both".to_owned(),
            ));
        }
        if self.after_commit && self.status.is_none() && !self.drop_connection {
            return Err(FaultError(
                "after_commit needs a status or drop_connection".to_owned(),
            ));
        }
        if self.delay_ms.saturating_add(self.jitter_ms) > 600_000 {
            return Err(FaultError(
                "delay_ms + jitter_ms must be at most 600000".to_owned(),
            ));
        }
        Ok(())
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }
}

/// Why a fault was refused.
#[derive(Debug, thiserror::Error)]
#[error("invalid fault: {0}")]
pub struct FaultError(pub String);

/// What a request that matched a fault gets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Triggered {
    pub(crate) status: Option<u16>,
    /// `delay_ms` plus this request's share of the jitter.
    pub(crate) delay_ms: u64,
    pub(crate) retry_after: Option<u64>,
    pub(crate) drop_connection: bool,
    pub(crate) after_commit: bool,
}

#[derive(Default)]
pub(crate) struct Faults {
    pending: Vec<Fault>,
}

impl Faults {
    pub(crate) fn add(&mut self, fault: Fault) -> Result<(), FaultError> {
        fault.validate()?;
        self.pending.push(fault);
        Ok(())
    }

    /// The oldest fault matching the request, used up by one.
    pub(crate) fn take(&mut self, method: &str, path: &str) -> Option<Triggered> {
        let index = self.pending.iter().position(|f| f.matches(method, path))?;
        let fault = &mut self.pending[index];
        let triggered = Triggered {
            status: fault.status,
            delay_ms: fault.delay_ms + crate::latency::jitter(fault.jitter_ms),
            retry_after: fault.retry_after,
            drop_connection: fault.drop_connection,
            after_commit: fault.after_commit,
        };
        fault.count -= 1;
        if fault.count == 0 {
            self.pending.remove(index);
        }
        Some(triggered)
    }

    pub(crate) fn clear(&mut self) {
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_is_used_up_after_its_count() {
        let mut faults = Faults::default();
        faults.add(Fault::status(503, 2)).expect("valid");
        assert!(faults.take("GET", "/a").is_some());
        assert!(faults.take("GET", "/a").is_some());
        assert!(faults.take("GET", "/a").is_none());
    }

    #[test]
    fn a_fault_applies_only_to_its_method_and_path() {
        let mut faults = Faults::default();
        let fault = Fault {
            method: Some("post".into()),
            path_contains: Some("/_apis/projects".into()),
            ..Fault::status(500, 1)
        };
        faults.add(fault).expect("valid");
        assert!(faults.take("GET", "/o/_apis/projects").is_none());
        assert!(faults.take("POST", "/o/_apis/connectionData").is_none());
        assert!(faults.take("POST", "/o/_apis/projects").is_some());
    }

    #[test]
    fn a_fault_without_status_or_delay_is_refused() {
        let fault = Fault {
            status: None,
            ..Fault::status(500, 1)
        };
        assert!(Faults::default().add(fault).is_err());
        assert!(Faults::default().add(Fault::status(99, 1)).is_err());
        assert!(Faults::default().add(Fault::status(500, 0)).is_err());
    }

    #[test]
    fn a_fault_that_both_answers_and_drops_or_commits_without_failing_is_refused() {
        let both = Fault {
            drop_connection: true,
            ..Fault::status(500, 1)
        };
        assert!(Faults::default().add(both).is_err());
        let commit_only = Fault {
            status: None,
            delay_ms: 5,
            after_commit: true,
            ..Fault::status(500, 1)
        };
        assert!(Faults::default().add(commit_only).is_err());
        assert!(Faults::default().add(Fault::drop_connection(1)).is_ok());
        assert!(
            Faults::default()
                .add(Fault::status(500, 1).after_commit())
                .is_ok()
        );
    }
}
