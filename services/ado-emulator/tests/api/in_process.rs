//! The route table without a socket, as other crates' handler tests can use it.

use actix_web::{App, test};
use navsync_ado_emulator::{Emulator, Seed, SeedOrganization, configure};

#[actix_web::test]
async fn the_route_table_answers_in_process_without_a_socket() {
    let emulator = Emulator::new();
    let mut org = SeedOrganization::named("in-process");
    org.pats.push("in-process-pat".into());
    emulator
        .seed(Seed {
            organizations: vec![org],
        })
        .expect("a valid seed");
    let app = test::init_service(App::new().configure(configure(emulator.clone()))).await;

    let request = test::TestRequest::get()
        .uri("/in-process/_apis/projects?api-version=7.1")
        .insert_header(("Authorization", "Basic OmluLXByb2Nlc3MtcGF0"))
        .to_request();
    let body: serde_json::Value = test::call_and_read_body_json(&app, request).await;
    assert_eq!(body["count"], 0);
    assert_eq!(
        emulator.requests()[0].identity.as_deref(),
        Some("emulator-user@in-process.example")
    );
}
