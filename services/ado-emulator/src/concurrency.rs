//! How many ADO requests of each organization are in flight, and the most there ever were
//! at once: a client that promises "at most N calls in flight per organization" can be
//! held to it, which the request log (arrival times only) cannot show.

use std::collections::HashMap;

#[derive(Default)]
pub(crate) struct Concurrency {
    /// Keyed by the lowercased organization name.
    per_org: HashMap<String, Counts>,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    now: usize,
    max: usize,
}

impl Concurrency {
    pub(crate) fn begin(&mut self, org: &str) {
        let counts = self.per_org.entry(org.to_lowercase()).or_default();
        counts.now += 1;
        counts.max = counts.max.max(counts.now);
    }

    pub(crate) fn end(&mut self, org: &str) {
        if let Some(counts) = self.per_org.get_mut(&org.to_lowercase()) {
            counts.now = counts.now.saturating_sub(1);
        }
    }

    pub(crate) fn max(&self, org: &str) -> usize {
        self.per_org.get(&org.to_lowercase()).map_or(0, |c| c.max)
    }

    /// Starts the maxima afresh from what is in flight now.
    pub(crate) fn clear(&mut self) {
        for counts in self.per_org.values_mut() {
            counts.max = counts.now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_maximum_is_the_most_in_flight_at_once_per_organization() {
        let mut c = Concurrency::default();
        c.begin("Org");
        c.begin("org");
        c.end("ORG");
        c.begin("org");
        c.begin("other");
        assert_eq!(c.max("org"), 2);
        assert_eq!(c.max("other"), 1);
        c.end("org");
        c.end("org");
        c.clear();
        assert_eq!(c.max("org"), 0);
        assert_eq!(c.max("other"), 1, "still in flight");
        assert_eq!(c.max("unknown"), 0);
    }
}
