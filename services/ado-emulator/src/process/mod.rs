//! The four system processes (Basic, Agile, Scrum, CMMI): which work item types each
//! has, their states with ADO's state categories, and which fields each type carries.
//!
//! Processes are customised and localised in real organizations, so clients must map
//! states by *category*; the emulator serves the defaults, which is what a fresh
//! organization has. The tables themselves are in [`templates`]; this module answers
//! questions about them.

mod templates;

use crate::seed::Process;

/// ADO's state categories, the stable meaning behind localised state names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    Proposed,
    InProgress,
    Resolved,
    Completed,
    Removed,
}

impl Category {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "Proposed",
            Self::InProgress => "InProgress",
            Self::Resolved => "Resolved",
            Self::Completed => "Completed",
            Self::Removed => "Removed",
        }
    }
}

/// One state of a work item type.
#[derive(Debug)]
pub(crate) struct StateDef {
    pub(crate) name: &'static str,
    /// Hex without `#`, as ADO answers it.
    pub(crate) color: &'static str,
    pub(crate) category: Category,
}

/// One work item type of a process.
#[derive(Debug)]
pub(crate) struct WorkItemType {
    pub(crate) name: &'static str,
    pub(crate) reference_name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) color: &'static str,
    pub(crate) icon: &'static str,
    pub(crate) states: &'static [StateDef],
    /// Fields beyond the ones every type has ([`crate::work_items::fields::COMMON`]).
    pub(crate) extra_fields: &'static [&'static str],
}

impl WorkItemType {
    /// A new work item starts in the first Proposed state, or the first state for the
    /// types that have none (the Agile Issue starts Active, the Scrum Impediment Open).
    pub(crate) fn initial_state(&self) -> &'static StateDef {
        let states: &'static [StateDef] = self.states;
        states
            .iter()
            .find(|s| s.category == Category::Proposed)
            .unwrap_or(&states[0])
    }

    /// A state by name, in any case (ADO compares state names case-insensitively).
    pub(crate) fn state(&self, name: &str) -> Option<&'static StateDef> {
        let states: &'static [StateDef] = self.states;
        states.iter().find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// Whether the type carries the field (reference name, any case).
    pub(crate) fn has_field(&self, reference_name: &str) -> bool {
        crate::work_items::fields::COMMON
            .iter()
            .chain(self.extra_fields)
            .any(|f| f.eq_ignore_ascii_case(reference_name))
    }

    /// Every field of the type, common ones first.
    pub(crate) fn fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        crate::work_items::fields::COMMON
            .iter()
            .chain(self.extra_fields)
            .copied()
    }
}

/// The types of a process, in the order ADO lists them.
pub(crate) fn types(process: Process) -> &'static [WorkItemType] {
    match process {
        Process::Basic => templates::BASIC,
        Process::Agile => templates::AGILE,
        Process::Scrum => templates::SCRUM,
        Process::Cmmi => templates::CMMI,
    }
}

/// A type by name, in any case (`user story` finds `User Story`).
pub(crate) fn find_type(process: Process, name: &str) -> Option<&'static WorkItemType> {
    types(process)
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name.trim()))
}

/// Whether any type of the process carries the field: WIQL refuses a field that no type
/// has (TF51005), while a create refuses one its own type lacks (TF51535).
pub(crate) fn process_has_field(process: Process, reference_name: &str) -> bool {
    types(process).iter().any(|t| t.has_field(reference_name))
}

/// The `System.Reason` a state change records when the client names none. ADO's reasons
/// differ per process and transition; these are the defaults of a fresh organization,
/// close enough for clients that only display them.
pub(crate) fn default_reason(
    process: Process,
    work_item_type: &WorkItemType,
    from: Option<&StateDef>,
    to: &StateDef,
) -> &'static str {
    let is_bug = work_item_type.name == "Bug";
    match (from, to.category) {
        (None, _) => match process {
            Process::Basic => "Added to backlog",
            Process::Agile | Process::Cmmi if is_bug => "New defect reported",
            Process::Scrum if is_bug => "New defect reported",
            Process::Scrum if work_item_type.name == "Task" => "New task",
            Process::Scrum if work_item_type.name == "Product Backlog Item" => "New backlog item",
            _ => "New",
        },
        (Some(_), Category::Proposed) => match process {
            Process::Scrum if to.name == "Approved" => "Approved by the Product Owner",
            _ => "Moved to the backlog",
        },
        (Some(_), Category::InProgress) => match process {
            Process::Scrum if to.name == "Committed" => "Commitment made by the team",
            _ => "Work started",
        },
        (Some(_), Category::Resolved) if is_bug => "Fixed",
        (Some(_), Category::Resolved) => "Code complete and unit tests pass",
        (Some(_), Category::Completed) => match process {
            Process::Basic | Process::Scrum => "Work finished",
            _ => "Completed",
        },
        (Some(_), Category::Removed) => "Removed from the backlog",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_starts_in_a_state_it_has() {
        for process in [
            Process::Basic,
            Process::Agile,
            Process::Scrum,
            Process::Cmmi,
        ] {
            for t in types(process) {
                let initial = t.initial_state();
                assert!(t.state(initial.name).is_some(), "{}", t.name);
            }
        }
    }

    #[test]
    fn the_agile_task_starts_new_and_the_scrum_task_to_do() {
        let agile = find_type(Process::Agile, "task").expect("Task");
        assert_eq!(agile.initial_state().name, "New");
        let scrum = find_type(Process::Scrum, "Task").expect("Task");
        assert_eq!(scrum.initial_state().name, "To Do");
    }

    #[test]
    fn due_date_exists_only_on_the_agile_issue() {
        let due = "Microsoft.VSTS.Scheduling.DueDate";
        for process in [
            Process::Basic,
            Process::Agile,
            Process::Scrum,
            Process::Cmmi,
        ] {
            for t in types(process) {
                let expected = process == Process::Agile && t.name == "Issue";
                assert_eq!(t.has_field(due), expected, "{:?} {}", process, t.name);
            }
        }
    }

    #[test]
    fn target_date_exists_on_epics_and_features() {
        let target = "Microsoft.VSTS.Scheduling.TargetDate";
        let agile_epic = find_type(Process::Agile, "Epic").expect("Epic");
        let agile_task = find_type(Process::Agile, "Task").expect("Task");
        assert!(agile_epic.has_field(target));
        assert!(!agile_task.has_field(target));
    }
}
