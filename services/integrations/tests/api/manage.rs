//! Changing an integration: PATCH, reveal, rotate, projects, enable / disable, delete.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{GOOD_PAT, SCOPELESS_PAT, UNKNOWN_PAT, code, spawn_app};

#[tokio::test(flavor = "multi_thread")]
async fn patching_with_a_rejected_pat_changes_nothing() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let path = format!("/v1/integrations/{id}");
    let (_, before) = app.admin(Method::GET, &path, None).await;
    let audit_before = app.audit_actions(&id).await;

    for (pat, expected) in [
        (UNKNOWN_PAT, "pat_rejected"),
        (SCOPELESS_PAT, "pat_insufficient_scope"),
    ] {
        let (status, body) = app
            .admin(
                Method::PATCH,
                &path,
                Some(json!({"pat": pat, "enabled": false})),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(code(&body), expected);
    }
    let (_, after) = app.admin(Method::GET, &path, None).await;
    assert_eq!(before, after, "nothing changed, not even `enabled`");
    assert_eq!(app.reveal(&id, "pat").await, GOOD_PAT);
    let mut audit_after = app.audit_actions(&id).await;
    audit_after.retain(|a| a != "revealed");
    assert_eq!(audit_after, audit_before);
}

#[tokio::test(flavor = "multi_thread")]
async fn patching_a_new_valid_pat_replaces_it_and_clears_needs_attention() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let res = app
        .http
        .post(app.url(&format!("/internal/v1/integrations/{id}/needs-attention")))
        .bearer_auth(crate::helpers::SERVICE_TOKEN)
        .json(&json!({"reason": "pat_rejected", "service": "ado_sync"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    let path = format!("/v1/integrations/{id}");
    let (_, flagged) = app.admin(Method::GET, &path, None).await;
    assert_eq!(flagged["status"], "needs_attention");
    assert_eq!(flagged["status_reason"], "pat_rejected");

    let new_pat = "newpat0newpat1newpat2newpat3newpat4newpat5newpat6newpat7AZDOnew9";
    app.emulator.emulator.add_pat(
        "p2anav-dev",
        serde_json::from_value(json!(new_pat)).expect("pat entry"),
    );
    let (status, body) = app
        .admin(Method::PATCH, &path, Some(json!({"pat": new_pat})))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "active");
    assert_eq!(body["status_reason"], json!(null));
    assert_eq!(body["pat_hint"], "****new9");
    assert_eq!(app.reveal(&id, "pat").await, new_pat);
    let actions = app.audit_actions(&id).await;
    for expected in ["pat_replaced", "validated", "needs_attention"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_the_organization_validates_it_and_resets_the_project() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let path = format!("/v1/integrations/{id}");
    let (status, body) = app
        .admin(
            Method::PATCH,
            &path,
            Some(json!({"organization": "no-such-org"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "organization_not_found");
    let (status, body) = app
        .admin(
            Method::PATCH,
            &path,
            Some(json!({"organization": "bad/name"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(code(&body), "invalid_organization");

    let (status, body) = app
        .admin(
            Method::PATCH,
            &path,
            Some(json!({"organization": "two-projects"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["organization"], "two-projects");
    assert_eq!(
        body["project"],
        json!(null),
        "two projects: the admin must choose"
    );
    assert!(
        app.audit_actions(&id)
            .await
            .iter()
            .any(|a| a == "organization_changed")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_project_must_exist_in_the_organization() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let path = format!("/v1/integrations/{id}");
    let (status, body) = app
        .admin(Method::PATCH, &path, Some(json!({"project": "Nope"})))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(code(&body), "project_not_found");
    let (status, body) = app
        .admin(Method::PATCH, &path, Some(json!({"project": "alpha"})))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["project"], "Alpha", "stored with ADO's spelling");
    let (status, body) = app
        .admin(Method::PATCH, &path, Some(json!({"project": null})))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["project"], json!(null));
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_are_validated_and_saved() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let path = format!("/v1/integrations/{id}");
    for (body, expected) in [
        (
            json!({"state_mapping": {"finished": "Closed"}}),
            "invalid_state_mapping",
        ),
        (
            json!({"on_action_item_deleted": "destroy"}),
            "invalid_on_action_item_deleted",
        ),
        (json!({"work_item_type": ""}), "invalid_work_item_type"),
    ] {
        let (status, answer) = app.admin(Method::PATCH, &path, Some(body)).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(code(&answer), expected);
    }
    let (status, body) = app
        .admin(Method::PATCH, &path, Some(json!({"unknown_field": 1})))
        .await;
    assert_eq!(status, 400, "unknown fields are refused: {body}");

    let (status, body) = app
        .admin(
            Method::PATCH,
            &path,
            Some(json!({
                "state_mapping": {"done": "Closed"},
                "on_action_item_deleted": "recycle",
                "work_item_type": "User Story"
            })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state_mapping"], json!({"done": "Closed"}));
    assert_eq!(body["on_action_item_deleted"], "recycle");
    assert_eq!(body["work_item_type"], "User Story");
    assert!(
        app.emulator
            .emulator
            .requests()
            .iter()
            .all(|r| !r.path.contains("projects/"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn disabling_and_enabling_show_in_status_and_audit() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let path = format!("/v1/integrations/{id}");
    let (_, body) = app
        .admin(Method::PATCH, &path, Some(json!({"enabled": false})))
        .await;
    assert_eq!(body["enabled"], false);
    assert_eq!(body["status"], "disabled");
    let (_, body) = app
        .admin(Method::PATCH, &path, Some(json!({"enabled": true})))
        .await;
    assert_eq!(body["status"], "active");
    let actions = app.audit_actions(&id).await;
    assert_eq!(&actions[..2], ["enabled", "disabled"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn revealing_returns_the_value_uncached_and_is_audited() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let res = app
        .http
        .post(app.url(&format!("/v1/integrations/{id}/reveal")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"field": "pat"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["value"], GOOD_PAT);
    let secret = app.reveal(&id, "webhook_secret").await;
    assert_eq!(secret.len(), 43);
    let (_, view) = app
        .admin(Method::GET, &format!("/v1/integrations/{id}"), None)
        .await;
    assert_eq!(
        view["webhook_secret_hint"],
        format!("****{}", &secret[39..])
    );
    let (status, body) = app
        .admin(
            Method::POST,
            &format!("/v1/integrations/{id}/reveal"),
            Some(json!({"field": "jwt"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(code(&body), "invalid_field");

    let (_, audit) = app
        .admin(Method::GET, &format!("/v1/integrations/{id}/audit"), None)
        .await;
    let reveals: Vec<_> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["action"] == "revealed")
        .collect();
    assert_eq!(reveals.len(), 2);
    assert_eq!(reveals[0]["detail"], json!({"field": "webhook_secret"}));
    assert_eq!(reveals[1]["detail"], json!({"field": "pat"}));
    assert!(
        reveals[0]["actor"]
            .as_str()
            .expect("actor")
            .starts_with("user-")
    );
    assert!(!audit.to_string().contains(GOOD_PAT) && !audit.to_string().contains(&secret));
}

#[tokio::test(flavor = "multi_thread")]
async fn rotating_the_webhook_secret_retires_the_old_one() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let old = app.reveal(&id, "webhook_secret").await;
    let (status, body) = app
        .admin(
            Method::POST,
            &format!("/v1/integrations/{id}/webhook-secret/rotate"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let new = body["value"].as_str().expect("value").to_owned();
    assert_ne!(old, new);
    assert_eq!(app.reveal(&id, "webhook_secret").await, new);
    // What the webhook ingress reads to authenticate ADO: only the new secret.
    let internal: serde_json::Value = app
        .http
        .get(app.url(&format!("/internal/v1/integrations/{id}")))
        .bearer_auth(crate::helpers::SERVICE_TOKEN)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(internal["webhook_secret"], new.as_str());
    assert!(!internal.to_string().contains(&old));
    assert!(app.audit_actions(&id).await.iter().any(|a| a == "rotated"));
}

#[tokio::test(flavor = "multi_thread")]
async fn projects_are_read_from_ado_with_the_stored_pat() {
    let app = spawn_app().await;
    let (_, body) = app.create("two-projects", GOOD_PAT).await;
    let id = body["id"].as_str().expect("id");
    let (status, body) = app
        .admin(
            Method::GET,
            &format!("/v1/integrations/{id}/projects"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<_> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names, ["Alpha", "Beta"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_destroys_the_credentials_and_keeps_the_audit() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let path = format!("/v1/integrations/{id}");
    let (status, _) = app.admin(Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let (status, _) = app.admin(Method::GET, &path, None).await;
    assert_eq!(status, 404);
    let (status, _) = app.admin(Method::DELETE, &path, None).await;
    assert_eq!(status, 404);
    let res = app
        .http
        .get(app.url(&format!("/internal/v1/integrations/{id}")))
        .bearer_auth(crate::helpers::SERVICE_TOKEN)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 404);
    let dump = crate::secrets::pg_dump(&app).await;
    assert!(!dump.contains("v1."), "no ciphertext is left");
    assert!(dump.contains("deleted"), "the audit row remains");
    // The company may connect again.
    app.create_ok().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn work_item_types_are_read_from_ado_for_the_chosen_project() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let path = format!("/v1/integrations/{id}/work-item-types");
    // Without ?project=, the integration's own (the only project, Alpha).
    let (status, body) = app.admin(Method::GET, &path, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["project"], "Alpha");
    let names: Vec<_> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        names.iter().any(|n| n == "Task") && names.iter().any(|n| n == "User Story"),
        "the Agile process: {names:?}"
    );
    let (status, body) = app
        .admin(Method::GET, &format!("{path}?project=Nowhere"), None)
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(code(&body), "project_not_found");
    let (status, body) = app
        .admin(Method::GET, &format!("{path}?project=a%2Fb"), None)
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(code(&body), "invalid_project");
}

#[tokio::test(flavor = "multi_thread")]
async fn work_item_types_need_a_project_when_the_integration_has_none() {
    let app = spawn_app().await;
    let (_, body) = app.create("two-projects", GOOD_PAT).await;
    let id = body["id"].as_str().expect("id");
    let path = format!("/v1/integrations/{id}/work-item-types");
    let (status, body) = app.admin(Method::GET, &path, None).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(code(&body), "project_required");
    let (status, body) = app
        .admin(Method::GET, &format!("{path}?project=Beta"), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|t| t["name"] == "Product Backlog Item"),
        "the Scrum process: {body}"
    );
}
