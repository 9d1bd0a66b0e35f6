//! The status ↔ state mapping (`services/ado-sync/src/mapping.rs`) over arbitrary,
//! customised processes and overrides: no panic, and a state the mapping picks for a
//! status maps back to that status unless an override says otherwise.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use navsync_ado_client::WorkItemState;
use navsync_ado_sync::mapping::{state_for, status_for};
use navsync_contracts::ActionItemStatus;

const CATEGORIES: [&str; 6] = [
    "Proposed",
    "InProgress",
    "Resolved",
    "Completed",
    "Removed",
    "proposed",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Lines: `S:<category index>:<name>` is a state, `O:<status>:<name>` an override,
    // anything else the ADO state to map back.
    let mut states = Vec::new();
    let mut overrides = HashMap::new();
    let mut probes = Vec::new();
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("S"), Some(c), Some(name)) => {
                let category = CATEGORIES[c.len() % CATEGORIES.len()];
                states.push(WorkItemState {
                    name: name.to_owned(),
                    category: category.to_owned(),
                });
            }
            (Some("O"), Some(status), Some(name)) => {
                overrides.insert(status.to_owned(), name.to_owned());
            }
            _ => probes.push(line.to_owned()),
        }
    }
    for probe in &probes {
        let _ = status_for(probe, &states, &overrides);
    }
    if !overrides.is_empty() {
        for status in [
            ActionItemStatus::NotStarted,
            ActionItemStatus::InProgress,
            ActionItemStatus::Done,
        ] {
            let _ = state_for(status, &states, &overrides);
        }
        return;
    }
    // No overrides: the state chosen for a status means that status again, unless two
    // states share a name (case-insensitively) across categories.
    let mut names: Vec<String> = states.iter().map(|s| s.name.to_ascii_lowercase()).collect();
    names.sort();
    names.dedup();
    let unique = names.len() == states.len();
    for status in [
        ActionItemStatus::NotStarted,
        ActionItemStatus::InProgress,
        ActionItemStatus::Done,
    ] {
        if let Some(state) = state_for(status, &states, &overrides) {
            let back = status_for(&state, &states, &overrides);
            if unique && !states.iter().any(|s| s.category == "proposed") {
                assert_eq!(
                    back,
                    Some(status),
                    "{status:?} -> {state} -> {back:?} in {states:?}"
                );
            }
        }
    }
});
