//! Unit tests of the seed parser and its validation.

use super::*;

fn parse(json: &str) -> Result<Seed, SeedError> {
    let seed: Seed = serde_json::from_str(json)?;
    seed.validate()?;
    Ok(seed)
}

#[test]
fn a_minimal_organization_gets_the_defaults() {
    let seed = parse(r#"{"organizations": [{"name": "p2anav-dev"}]}"#).expect("valid");
    let org = &seed.organizations[0];
    assert_eq!(org.process, Process::Agile);
    assert_eq!(org.auth_failure, AuthFailure::Unauthorized);
    assert_eq!(org.scope_failure, ScopeFailure::Unauthorized);
    assert!(org.projects.is_empty() && org.pats.is_empty());
}

#[test]
fn a_full_organization_is_read_field_by_field() {
    let seed = parse(
        r#"{"organizations": [{"name": "p2anav-dev", "process": "cmmi", "projects": ["Alpha"],
            "pats": ["full-token", {"token": "narrow", "scopes": ["vso.project"],
                     "display_name": "Navigator Sync", "unique_name": "navsync@p2anav.example"}],
            "auth_failure": "302", "scope_failure": 403}]}"#,
    )
    .expect("valid");
    let org = &seed.organizations[0];
    assert_eq!(org.process, Process::Cmmi);
    assert_eq!(org.auth_failure, AuthFailure::Redirect);
    assert_eq!(org.scope_failure, ScopeFailure::Forbidden);
    assert_eq!(org.pats[0], SeedPat::full_access("full-token"));
    assert_eq!(
        org.pats[1],
        SeedPat::with_scopes("narrow", &["vso.project"])
            .as_user("Navigator Sync", "navsync@p2anav.example")
    );
}

#[test]
fn an_unknown_process_is_refused_with_the_choices() {
    let err =
        parse(r#"{"organizations": [{"name": "a", "process": "Kanban"}]}"#).expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("unknown process \"Kanban\""), "{text}");
    assert!(text.contains("Basic, Agile, Scrum or CMMI"), "{text}");
}

#[test]
fn an_unknown_failure_shape_is_refused() {
    let err =
        parse(r#"{"organizations": [{"name": "a", "auth_failure": "500"}]}"#).expect_err("refused");
    assert!(
        err.to_string().contains("expected 401, 203 or 302"),
        "{err}"
    );
    let err = parse(r#"{"organizations": [{"name": "a", "scope_failure": "404"}]}"#)
        .expect_err("refused");
    assert!(err.to_string().contains("expected 401 or 403"), "{err}");
}

#[test]
fn an_empty_organization_name_is_refused() {
    let err = parse(r#"{"organizations": [{"name": ""}]}"#).expect_err("refused");
    assert!(matches!(err, SeedError::EmptyOrganizationName));
}

#[test]
fn organization_names_follow_the_ado_pattern() {
    for bad in ["-lead", "trail-", "has space", "dot.ted", &"a".repeat(51)] {
        assert!(validate_org_name(bad).is_err(), "{bad} should be refused");
    }
    for good in ["a", "A1", "p2anav-dev", &"a".repeat(50)] {
        assert!(validate_org_name(good).is_ok(), "{good} should be accepted");
    }
}

#[test]
fn the_same_organization_twice_in_any_case_is_refused() {
    let err =
        parse(r#"{"organizations": [{"name": "Org"}, {"name": "ORG"}]}"#).expect_err("refused");
    assert!(matches!(err, SeedError::DuplicateOrganization(_)));
}

#[test]
fn project_names_with_forbidden_characters_or_duplicates_are_refused() {
    let err =
        parse(r#"{"organizations": [{"name": "a", "projects": ["a/b"]}]}"#).expect_err("refused");
    assert!(err.to_string().contains("forbids"), "{err}");
    let err =
        parse(r#"{"organizations": [{"name": "a", "projects": ["_x"]}]}"#).expect_err("refused");
    assert!(err.to_string().contains("must not start"), "{err}");
    let err = parse(r#"{"organizations": [{"name": "a", "projects": ["Alpha", "alpha"]}]}"#)
        .expect_err("refused");
    assert!(matches!(err, SeedError::DuplicateProject { .. }));
}

#[test]
fn a_repeated_or_empty_token_is_refused_without_echoing_it() {
    let err = parse(r#"{"organizations": [{"name": "a", "pats": ["secret-pat", "secret-pat"]}]}"#)
        .expect_err("refused");
    assert!(err.to_string().contains("PAT number 2"), "{err}");
    assert!(!err.to_string().contains("secret-pat"));
    let err = parse(r#"{"organizations": [{"name": "a", "pats": [""]}]}"#).expect_err("refused");
    assert!(err.to_string().contains("empty token"), "{err}");
}

#[test]
fn a_pat_object_with_an_unknown_field_names_the_field() {
    let err = parse(r#"{"organizations": [{"name": "a", "pats": [{"token": "t", "scope": []}]}]}"#)
        .expect_err("refused");
    assert!(err.to_string().contains("scope"), "{err}");
}

#[test]
fn an_unknown_top_level_field_is_refused() {
    let err = parse(r#"{"orgs": []}"#).expect_err("refused");
    assert!(err.to_string().contains("orgs"), "{err}");
}

#[test]
fn a_pat_prints_without_its_token() {
    let text = format!("{:?}", SeedPat::full_access("do-not-print"));
    assert!(!text.contains("do-not-print"));
}

#[test]
fn a_seed_round_trips_through_json() {
    let mut org = SeedOrganization::named("p2anav-dev");
    org.projects.push("Alpha".into());
    org.pats.push(SeedPat::with_scopes("t", &["vso.project"]));
    org.auth_failure = AuthFailure::SignInPage;
    let seed = Seed {
        organizations: vec![org],
    };
    let json = serde_json::to_string(&seed).expect("serializes");
    assert_eq!(parse(&json).expect("parses"), seed);
}

#[test]
fn a_missing_file_names_its_path() {
    let err = load_file(Path::new("/nonexistent/seed.json")).expect_err("refused");
    assert!(err.to_string().contains("/nonexistent/seed.json"), "{err}");
}
