//! The four processes: each type's states with their categories, new work items in the
//! first Proposed state, and the work item type routes.

use navsync_ado_emulator::{Process, SeedOrganization};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{API, FULL_PAT, json, spawn, spawn_with, standard_org};

fn org_with(name: &str, process: Process) -> SeedOrganization {
    SeedOrganization {
        name: name.to_owned(),
        process,
        ..standard_org()
    }
}

async fn states(
    app: &crate::helpers::TestEmulator,
    org: &str,
    kind: &str,
) -> Vec<(String, String)> {
    let (status, body) = json(
        app.get_as(
            &format!("/{org}/Alpha/_apis/wit/workitemtypes/{kind}/states?{API}"),
            FULL_PAT,
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 200, "{org} {kind}: {body}");
    let value = body["value"].as_array().expect("value");
    assert_eq!(body["count"].as_u64(), Some(value.len() as u64));
    value
        .iter()
        .map(|s| {
            assert!(s["color"].as_str().is_some_and(|c| c.len() == 6), "{s}");
            (
                s["name"].as_str().expect("name").to_owned(),
                s["category"].as_str().expect("category").to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[tokio::test]
async fn each_process_has_its_types_states_and_categories() {
    let app = spawn_with(vec![
        org_with("basic-org", Process::Basic),
        org_with("agile-org", Process::Agile),
        org_with("scrum-org", Process::Scrum),
        org_with("cmmi-org", Process::Cmmi),
    ])
    .await;
    let basic = [
        ("To Do", "Proposed"),
        ("Doing", "InProgress"),
        ("Done", "Completed"),
    ];
    for kind in ["Task", "Issue", "Epic"] {
        assert_eq!(
            states(&app, "basic-org", kind).await,
            pairs(&basic),
            "Basic {kind}"
        );
    }
    let agile_backlog = [
        ("New", "Proposed"),
        ("Active", "InProgress"),
        ("Resolved", "Resolved"),
        ("Closed", "Completed"),
        ("Removed", "Removed"),
    ];
    assert_eq!(
        states(&app, "agile-org", "Task").await,
        pairs(&[
            ("New", "Proposed"),
            ("Active", "InProgress"),
            ("Closed", "Completed"),
            ("Removed", "Removed")
        ])
    );
    assert_eq!(
        states(&app, "agile-org", "User%20Story").await,
        pairs(&agile_backlog)
    );
    assert_eq!(
        states(&app, "agile-org", "Epic").await,
        pairs(&agile_backlog)
    );
    assert_eq!(
        states(&app, "agile-org", "Bug").await,
        pairs(&[
            ("New", "Proposed"),
            ("Active", "InProgress"),
            ("Resolved", "Resolved"),
            ("Closed", "Completed")
        ])
    );
    assert_eq!(
        states(&app, "agile-org", "Issue").await,
        pairs(&[("Active", "InProgress"), ("Closed", "Completed")])
    );
    assert_eq!(
        states(&app, "scrum-org", "Task").await,
        pairs(&[
            ("To Do", "Proposed"),
            ("In Progress", "InProgress"),
            ("Done", "Completed"),
            ("Removed", "Removed")
        ])
    );
    let scrum_backlog = [
        ("New", "Proposed"),
        ("Approved", "Proposed"),
        ("Committed", "InProgress"),
        ("Done", "Completed"),
        ("Removed", "Removed"),
    ];
    assert_eq!(
        states(&app, "scrum-org", "Product%20Backlog%20Item").await,
        pairs(&scrum_backlog)
    );
    assert_eq!(
        states(&app, "scrum-org", "Bug").await,
        pairs(&scrum_backlog)
    );
    assert_eq!(
        states(&app, "scrum-org", "Impediment").await,
        pairs(&[("Open", "InProgress"), ("Closed", "Completed")])
    );
    let cmmi = [
        ("Proposed", "Proposed"),
        ("Active", "InProgress"),
        ("Resolved", "Resolved"),
        ("Closed", "Completed"),
    ];
    for kind in ["Task", "Requirement", "Bug", "Issue"] {
        assert_eq!(
            states(&app, "cmmi-org", kind).await,
            pairs(&cmmi),
            "CMMI {kind}"
        );
    }
}

#[tokio::test]
async fn a_new_work_item_starts_in_its_types_first_proposed_state() {
    let app = spawn_with(vec![
        org_with("basic-org", Process::Basic),
        org_with("scrum-org", Process::Scrum),
        org_with("cmmi-org", Process::Cmmi),
        org_with("agile-org", Process::Agile),
    ])
    .await;
    for (org, kind, state) in [
        ("basic-org", "Task", "To Do"),
        ("scrum-org", "Task", "To Do"),
        ("scrum-org", "Product%20Backlog%20Item", "New"),
        ("cmmi-org", "Requirement", "Proposed"),
        ("agile-org", "Issue", "Active"),
    ] {
        let (status, body) = json(
            app.patch_doc(
                Method::POST,
                &format!("/{org}/Alpha/_apis/wit/workitems/${kind}?{API}"),
                &json!([{"op": "add", "path": "/fields/System.Title", "value": "x"}]),
            )
            .send()
            .await
            .expect("answered"),
        )
        .await;
        assert_eq!(status, 200, "{org} {kind}: {body}");
        assert_eq!(body["fields"]["System.State"], state, "{org} {kind}");
        assert!(
            body["fields"]["System.Reason"]
                .as_str()
                .is_some_and(|r| !r.is_empty())
        );
    }
}

#[tokio::test]
async fn the_type_routes_list_types_and_show_one_with_its_fields() {
    let app = spawn().await;
    let (status, body) = json(
        app.ado(
            Method::GET,
            &format!("/p2anav-dev/Alpha/_apis/wit/workitemtypes?{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = body["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["Bug", "Epic", "Feature", "Issue", "Task", "User Story"]
    );

    let (status, issue) = json(
        app.ado(
            Method::GET,
            &format!("/p2anav-dev/Alpha/_apis/wit/workItemTypes/Issue?{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(issue["referenceName"], "Microsoft.VSTS.WorkItemTypes.Issue");
    let fields: Vec<&Value> = issue["fields"].as_array().expect("fields").iter().collect();
    assert!(
        fields
            .iter()
            .any(|f| f["referenceName"] == "Microsoft.VSTS.Scheduling.DueDate")
    );
    assert!(
        fields
            .iter()
            .any(|f| f["referenceName"] == "System.Title" && f["alwaysRequired"] == true)
    );
    assert_eq!(issue["states"][0]["category"], "InProgress");

    let missing = app
        .ado(
            Method::GET,
            &format!("/p2anav-dev/Alpha/_apis/wit/workitemtypes/Requirement?{API}"),
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(missing.status().as_u16(), 404);
}
