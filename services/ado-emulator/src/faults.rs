//! Injected faults: "the next N matching requests get this status, after this delay".
//! Clients' retry, back-off and timeout paths are otherwise hard to reach against an
//! emulator that always answers well. Faults are checked before authentication, as an
//! overloaded front end would refuse a request before looking at its PAT.

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
    /// Seconds, sent as `Retry-After`.
    #[serde(default)]
    pub retry_after: Option<u64>,
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
            retry_after: None,
        }
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
        if self.status.is_none() && self.delay_ms == 0 {
            return Err(FaultError(
                "a fault needs a status, a delay_ms, or both".to_owned(),
            ));
        }
        if self.delay_ms > 600_000 {
            return Err(FaultError("delay_ms must be at most 600000".to_owned()));
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
    pub(crate) delay_ms: u64,
    pub(crate) retry_after: Option<u64>,
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
            delay_ms: fault.delay_ms,
            retry_after: fault.retry_after,
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
}
