//! The field catalogue: every field the emulator knows, with its friendly name (ADO's
//! rule errors name fields by it), its kind (how a value is checked and stored) and
//! whether a client may write it.
//!
//! Which type carries which field is the process's business ([`crate::process`]); this
//! module only says what a field *is*.

/// Fields every work item type has.
pub(crate) const COMMON: &[&str] = &[
    "System.Id",
    "System.Rev",
    "System.Title",
    "System.Description",
    "System.State",
    "System.Reason",
    "System.AssignedTo",
    "System.Tags",
    "System.AreaPath",
    "System.IterationPath",
    "System.TeamProject",
    "System.WorkItemType",
    "System.CreatedDate",
    "System.CreatedBy",
    "System.ChangedDate",
    "System.ChangedBy",
    "System.AuthorizedDate",
    "System.RevisedDate",
    "System.Watermark",
    "System.CommentCount",
    "System.History",
];

/// How a field's value is checked and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A single line of text, at most 255 characters.
    String,
    /// HTML or long text.
    Html,
    Integer,
    Double,
    /// Stored as RFC 3339 with milliseconds, in UTC.
    DateTime,
    /// Stored as `"Display Name <unique@name>"`; an object in REST answers.
    Identity,
    /// An area or iteration path under the project.
    TreePath,
    /// `"a; b"`.
    Tags,
}

/// Who may write a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Writable,
    /// Only with `bypassRules=true` (ADO lets migrations set the creation and change
    /// dates and authors that way).
    BypassOnly,
    /// Set by the service alone.
    ReadOnly,
}

#[derive(Debug)]
pub(crate) struct FieldDef {
    pub(crate) reference_name: &'static str,
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) access: Access,
}

const fn def(
    reference_name: &'static str,
    name: &'static str,
    kind: Kind,
    access: Access,
) -> FieldDef {
    FieldDef {
        reference_name,
        name,
        kind,
        access,
    }
}

use Access::{BypassOnly, ReadOnly, Writable};
use Kind::{DateTime, Double, Html, Identity, Integer, String, Tags, TreePath};

const CATALOGUE: &[FieldDef] = &[
    def("System.Id", "ID", Integer, ReadOnly),
    def("System.Rev", "Rev", Integer, ReadOnly),
    def("System.Title", "Title", String, Writable),
    def("System.Description", "Description", Html, Writable),
    def("System.State", "State", String, Writable),
    def("System.Reason", "Reason", String, Writable),
    def("System.AssignedTo", "Assigned To", Identity, Writable),
    def("System.Tags", "Tags", Tags, Writable),
    def("System.AreaPath", "Area Path", TreePath, Writable),
    def("System.IterationPath", "Iteration Path", TreePath, Writable),
    def("System.TeamProject", "Team Project", String, ReadOnly),
    def("System.WorkItemType", "Work Item Type", String, ReadOnly),
    def("System.CreatedDate", "Created Date", DateTime, BypassOnly),
    def("System.CreatedBy", "Created By", Identity, BypassOnly),
    def("System.ChangedDate", "Changed Date", DateTime, BypassOnly),
    def("System.ChangedBy", "Changed By", Identity, BypassOnly),
    def(
        "System.AuthorizedDate",
        "Authorized Date",
        DateTime,
        ReadOnly,
    ),
    def("System.RevisedDate", "Revised Date", DateTime, ReadOnly),
    def("System.Watermark", "Watermark", Integer, ReadOnly),
    def("System.CommentCount", "Comment Count", Integer, ReadOnly),
    def("System.History", "History", Html, Writable),
    def(
        "Microsoft.VSTS.Common.Priority",
        "Priority",
        Integer,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Common.Severity",
        "Severity",
        String,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Common.ValueArea",
        "Value Area",
        String,
        Writable,
    ),
    def("Microsoft.VSTS.Common.Risk", "Risk", String, Writable),
    def(
        "Microsoft.VSTS.Common.AcceptanceCriteria",
        "Acceptance Criteria",
        Html,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Common.Activity",
        "Activity",
        String,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Common.BusinessValue",
        "Business Value",
        Integer,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Common.TimeCriticality",
        "Time Criticality",
        Double,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Common.Resolution",
        "Resolution",
        Html,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Common.Discipline",
        "Discipline",
        String,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Scheduling.RemainingWork",
        "Remaining Work",
        Double,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Scheduling.OriginalEstimate",
        "Original Estimate",
        Double,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Scheduling.CompletedWork",
        "Completed Work",
        Double,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Scheduling.StoryPoints",
        "Story Points",
        Double,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Scheduling.Effort",
        "Effort",
        Double,
        Writable,
    ),
    def("Microsoft.VSTS.Scheduling.Size", "Size", Double, Writable),
    def(
        "Microsoft.VSTS.Scheduling.DueDate",
        "Due Date",
        DateTime,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Scheduling.TargetDate",
        "Target Date",
        DateTime,
        Writable,
    ),
    def(
        "Microsoft.VSTS.Scheduling.StartDate",
        "Start Date",
        DateTime,
        Writable,
    ),
    def(
        "Microsoft.VSTS.TCM.ReproSteps",
        "Repro Steps",
        Html,
        Writable,
    ),
    def(
        "Microsoft.VSTS.TCM.SystemInfo",
        "System Info",
        Html,
        Writable,
    ),
    def(
        "Microsoft.VSTS.CMMI.RequirementType",
        "Requirement Type",
        String,
        Writable,
    ),
    def("Microsoft.VSTS.CMMI.Symptom", "Symptom", Html, Writable),
    def(
        "Microsoft.VSTS.CMMI.TaskType",
        "Task Type",
        String,
        Writable,
    ),
];

/// A field by reference name, in any case.
pub(crate) fn find(reference_name: &str) -> Option<&'static FieldDef> {
    CATALOGUE
        .iter()
        .find(|f| f.reference_name.eq_ignore_ascii_case(reference_name.trim()))
}

/// Fields the REST API leaves out of a work item unless asked for by name or with
/// `$expand=fields|all`: bookkeeping that dev.azure.com keeps but does not show.
pub(crate) const HIDDEN_IN_REST: &[&str] = &[
    "System.Id",
    "System.Rev",
    "System.AuthorizedDate",
    "System.RevisedDate",
    "System.Watermark",
];

/// Fields a service hook's copy of a work item leaves out (it does show `System.Rev`).
pub(crate) const HIDDEN_IN_HOOKS: &[&str] = &[
    "System.Id",
    "System.AuthorizedDate",
    "System.RevisedDate",
    "System.Watermark",
];

/// The longest single-line text ADO accepts (`System.Title` and other string fields).
pub(crate) const MAX_STRING: usize = 255;
/// The longest tag ADO accepts.
pub(crate) const MAX_TAG: usize = 400;
