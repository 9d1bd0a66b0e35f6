//! The default work item types of ADO's four system processes: states in their board
//! order with ADO's default colours and categories, and the fields each type adds to the
//! common ones. Data only; [`super`] answers questions about it.

use super::Category::{Completed, InProgress, Proposed, Removed, Resolved};
use super::{StateDef, WorkItemType};

const fn state(name: &'static str, color: &'static str, category: super::Category) -> StateDef {
    StateDef {
        name,
        color,
        category,
    }
}

// ADO's default state colours.
const GREY: &str = "b2b2b2";
const BLUE: &str = "007acc";
const ORANGE: &str = "ff9d00";
const GREEN: &str = "339933";
const WHITE: &str = "ffffff";

const PRIORITY: &str = "Microsoft.VSTS.Common.Priority";
const SEVERITY: &str = "Microsoft.VSTS.Common.Severity";
const VALUE_AREA: &str = "Microsoft.VSTS.Common.ValueArea";
const RISK: &str = "Microsoft.VSTS.Common.Risk";
const ACCEPTANCE: &str = "Microsoft.VSTS.Common.AcceptanceCriteria";
const ACTIVITY: &str = "Microsoft.VSTS.Common.Activity";
const BUSINESS_VALUE: &str = "Microsoft.VSTS.Common.BusinessValue";
const TIME_CRITICALITY: &str = "Microsoft.VSTS.Common.TimeCriticality";
const RESOLUTION: &str = "Microsoft.VSTS.Common.Resolution";
const DISCIPLINE: &str = "Microsoft.VSTS.Common.Discipline";
const REMAINING: &str = "Microsoft.VSTS.Scheduling.RemainingWork";
const ORIGINAL: &str = "Microsoft.VSTS.Scheduling.OriginalEstimate";
const COMPLETED_WORK: &str = "Microsoft.VSTS.Scheduling.CompletedWork";
const STORY_POINTS: &str = "Microsoft.VSTS.Scheduling.StoryPoints";
const EFFORT: &str = "Microsoft.VSTS.Scheduling.Effort";
const SIZE: &str = "Microsoft.VSTS.Scheduling.Size";
const DUE_DATE: &str = "Microsoft.VSTS.Scheduling.DueDate";
const TARGET_DATE: &str = "Microsoft.VSTS.Scheduling.TargetDate";
const START_DATE: &str = "Microsoft.VSTS.Scheduling.StartDate";
const REPRO: &str = "Microsoft.VSTS.TCM.ReproSteps";
const SYSTEM_INFO: &str = "Microsoft.VSTS.TCM.SystemInfo";
const REQUIREMENT_TYPE: &str = "Microsoft.VSTS.CMMI.RequirementType";
const SYMPTOM: &str = "Microsoft.VSTS.CMMI.Symptom";
const TASK_TYPE: &str = "Microsoft.VSTS.CMMI.TaskType";

const fn wit(
    name: &'static str,
    reference_name: &'static str,
    description: &'static str,
    color: &'static str,
    icon: &'static str,
    states: &'static [StateDef],
    extra_fields: &'static [&'static str],
) -> WorkItemType {
    WorkItemType {
        name,
        reference_name,
        description,
        color,
        icon,
        states,
        extra_fields,
    }
}

const TO_DO_DOING_DONE: &[StateDef] = &[
    state("To Do", GREY, Proposed),
    state("Doing", BLUE, InProgress),
    state("Done", GREEN, Completed),
];

pub(super) const BASIC: &[WorkItemType] = &[
    wit(
        "Epic",
        "Microsoft.VSTS.WorkItemTypes.Epic",
        "Epics help teams effectively manage and groom their product backlog",
        "FF7B00",
        "icon_crown",
        TO_DO_DOING_DONE,
        &[PRIORITY, EFFORT, START_DATE, TARGET_DATE],
    ),
    wit(
        "Issue",
        "Microsoft.VSTS.WorkItemTypes.Issue",
        "Tracks work the team needs to do.",
        "009CCC",
        "icon_clipboard_issue",
        TO_DO_DOING_DONE,
        &[PRIORITY, EFFORT],
    ),
    wit(
        "Task",
        "Microsoft.VSTS.WorkItemTypes.Task",
        "Tracks work that needs to be done.",
        "F2CB1D",
        "icon_clipboard",
        TO_DO_DOING_DONE,
        &[PRIORITY, ACTIVITY, REMAINING],
    ),
];

const AGILE_PORTFOLIO: &[StateDef] = &[
    state("New", GREY, Proposed),
    state("Active", BLUE, InProgress),
    state("Resolved", ORANGE, Resolved),
    state("Closed", GREEN, Completed),
    state("Removed", WHITE, Removed),
];
const AGILE_PORTFOLIO_FIELDS: &[&str] = &[
    PRIORITY,
    VALUE_AREA,
    RISK,
    BUSINESS_VALUE,
    TIME_CRITICALITY,
    EFFORT,
    START_DATE,
    TARGET_DATE,
];

pub(super) const AGILE: &[WorkItemType] = &[
    wit(
        "Bug",
        "Microsoft.VSTS.WorkItemTypes.Bug",
        "Describes a divergence between required and actual behavior, and tracks the work done to correct the defect and verify the correction.",
        "CC293D",
        "icon_insect",
        &[
            state("New", GREY, Proposed),
            state("Active", BLUE, InProgress),
            state("Resolved", ORANGE, Resolved),
            state("Closed", GREEN, Completed),
        ],
        &[
            PRIORITY,
            SEVERITY,
            VALUE_AREA,
            STORY_POINTS,
            REPRO,
            SYSTEM_INFO,
            ACTIVITY,
            REMAINING,
            ORIGINAL,
            COMPLETED_WORK,
        ],
    ),
    wit(
        "Epic",
        "Microsoft.VSTS.WorkItemTypes.Epic",
        "Epics help teams effectively manage and groom their product backlog",
        "FF7B00",
        "icon_crown",
        AGILE_PORTFOLIO,
        AGILE_PORTFOLIO_FIELDS,
    ),
    wit(
        "Feature",
        "Microsoft.VSTS.WorkItemTypes.Feature",
        "Tracks a feature that will be released with the product.",
        "773B93",
        "icon_trophy",
        AGILE_PORTFOLIO,
        AGILE_PORTFOLIO_FIELDS,
    ),
    wit(
        "Issue",
        "Microsoft.VSTS.WorkItemTypes.Issue",
        "Tracks an obstacle to progress.",
        "B4009E",
        "icon_traffic_cone",
        &[
            state("Active", BLUE, InProgress),
            state("Closed", GREEN, Completed),
        ],
        &[PRIORITY, DUE_DATE],
    ),
    wit(
        "Task",
        "Microsoft.VSTS.WorkItemTypes.Task",
        "Tracks work that needs to be done.",
        "F2CB1D",
        "icon_clipboard",
        &[
            state("New", GREY, Proposed),
            state("Active", BLUE, InProgress),
            state("Closed", GREEN, Completed),
            state("Removed", WHITE, Removed),
        ],
        &[PRIORITY, ACTIVITY, REMAINING, ORIGINAL, COMPLETED_WORK],
    ),
    wit(
        "User Story",
        "Microsoft.VSTS.WorkItemTypes.UserStory",
        "Tracks an activity the user will be able to perform with the product",
        "009CCC",
        "icon_book",
        AGILE_PORTFOLIO,
        &[PRIORITY, VALUE_AREA, RISK, STORY_POINTS, ACCEPTANCE],
    ),
];

const SCRUM_PORTFOLIO: &[StateDef] = &[
    state("New", GREY, Proposed),
    state("In Progress", BLUE, InProgress),
    state("Done", GREEN, Completed),
    state("Removed", WHITE, Removed),
];
const SCRUM_PORTFOLIO_FIELDS: &[&str] = &[
    PRIORITY,
    VALUE_AREA,
    BUSINESS_VALUE,
    TIME_CRITICALITY,
    EFFORT,
    START_DATE,
    TARGET_DATE,
];
const SCRUM_BACKLOG: &[StateDef] = &[
    state("New", GREY, Proposed),
    state("Approved", GREY, Proposed),
    state("Committed", BLUE, InProgress),
    state("Done", GREEN, Completed),
    state("Removed", WHITE, Removed),
];

pub(super) const SCRUM: &[WorkItemType] = &[
    wit(
        "Bug",
        "Microsoft.VSTS.WorkItemTypes.Bug",
        "Describes a divergence between required and actual behavior, and tracks the work done to correct the defect and verify the correction.",
        "CC293D",
        "icon_insect",
        SCRUM_BACKLOG,
        &[PRIORITY, SEVERITY, EFFORT, REPRO, SYSTEM_INFO, ACCEPTANCE],
    ),
    wit(
        "Epic",
        "Microsoft.VSTS.WorkItemTypes.Epic",
        "Epics help teams effectively manage and groom their product backlog",
        "FF7B00",
        "icon_crown",
        SCRUM_PORTFOLIO,
        SCRUM_PORTFOLIO_FIELDS,
    ),
    wit(
        "Feature",
        "Microsoft.VSTS.WorkItemTypes.Feature",
        "Tracks a feature that will be released with the product.",
        "773B93",
        "icon_trophy",
        SCRUM_PORTFOLIO,
        SCRUM_PORTFOLIO_FIELDS,
    ),
    wit(
        "Impediment",
        "Microsoft.VSTS.WorkItemTypes.Impediment",
        "Tracks an obstacle to progress.",
        "B4009E",
        "icon_traffic_cone",
        &[
            state("Open", BLUE, InProgress),
            state("Closed", GREEN, Completed),
        ],
        &[PRIORITY, RESOLUTION],
    ),
    wit(
        "Product Backlog Item",
        "Microsoft.VSTS.WorkItemTypes.ProductBacklogItem",
        "Tracks an activity the user will be able to perform with the product",
        "009CCC",
        "icon_list",
        SCRUM_BACKLOG,
        &[PRIORITY, VALUE_AREA, BUSINESS_VALUE, EFFORT, ACCEPTANCE],
    ),
    wit(
        "Task",
        "Microsoft.VSTS.WorkItemTypes.Task",
        "Tracks work that needs to be done.",
        "F2CB1D",
        "icon_clipboard",
        &[
            state("To Do", GREY, Proposed),
            state("In Progress", BLUE, InProgress),
            state("Done", GREEN, Completed),
            state("Removed", WHITE, Removed),
        ],
        &[PRIORITY, ACTIVITY, REMAINING],
    ),
];

const CMMI_STATES: &[StateDef] = &[
    state("Proposed", GREY, Proposed),
    state("Active", BLUE, InProgress),
    state("Resolved", ORANGE, Resolved),
    state("Closed", GREEN, Completed),
];
const CMMI_PORTFOLIO_FIELDS: &[&str] = &[
    PRIORITY,
    VALUE_AREA,
    RISK,
    BUSINESS_VALUE,
    TIME_CRITICALITY,
    SIZE,
    START_DATE,
    TARGET_DATE,
];

pub(super) const CMMI: &[WorkItemType] = &[
    wit(
        "Bug",
        "Microsoft.VSTS.WorkItemTypes.Bug",
        "Describes a divergence between required and actual behavior, and tracks the work done to correct the defect and verify the correction.",
        "CC293D",
        "icon_insect",
        CMMI_STATES,
        &[PRIORITY, SEVERITY, SYMPTOM, REPRO, SYSTEM_INFO],
    ),
    wit(
        "Epic",
        "Microsoft.VSTS.WorkItemTypes.Epic",
        "Epics help teams effectively manage and groom their product backlog",
        "FF7B00",
        "icon_crown",
        CMMI_STATES,
        CMMI_PORTFOLIO_FIELDS,
    ),
    wit(
        "Feature",
        "Microsoft.VSTS.WorkItemTypes.Feature",
        "Tracks a feature that will be released with the product.",
        "773B93",
        "icon_trophy",
        CMMI_STATES,
        CMMI_PORTFOLIO_FIELDS,
    ),
    wit(
        "Issue",
        "Microsoft.VSTS.WorkItemTypes.Issue",
        "Tracks an obstacle to progress.",
        "B4009E",
        "icon_traffic_cone",
        CMMI_STATES,
        &[PRIORITY],
    ),
    wit(
        "Requirement",
        "Microsoft.VSTS.WorkItemTypes.Requirement",
        "Captures and tracks what the product needs to do to solve the customer problem.",
        "009CCC",
        "icon_book",
        CMMI_STATES,
        &[PRIORITY, VALUE_AREA, RISK, SIZE, REQUIREMENT_TYPE],
    ),
    wit(
        "Task",
        "Microsoft.VSTS.WorkItemTypes.Task",
        "Tracks work that needs to be done.",
        "F2CB1D",
        "icon_clipboard",
        CMMI_STATES,
        &[
            PRIORITY,
            DISCIPLINE,
            TASK_TYPE,
            REMAINING,
            ORIGINAL,
            COMPLETED_WORK,
        ],
    ),
];
