//! The organization validator (`crates/ado-client/src/organization.rs`), navsync's guard
//! against request forgery through the organization field: whatever it accepts can only
//! ever be one plain path segment of the ADO base URL.
#![no_main]

use libfuzzer_sys::fuzz_target;
use navsync_ado_client::Organization;

fuzz_target!(|data: &[u8]| {
    let Ok(name) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(org) = Organization::parse(name) else {
        return;
    };
    let s = org.as_str();
    assert_eq!(s, name, "the name is kept as given");
    assert!((1..=50).contains(&s.len()), "length {}", s.len());
    assert!(
        s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
        "{s:?} holds a character that could leave the path segment"
    );
    assert!(!s.starts_with('-') && !s.ends_with('-'));
    // Equality is ADO's: case-insensitive, and consistent with the text.
    let upper = Organization::parse(&s.to_ascii_uppercase()).expect("upper case is valid too");
    assert_eq!(org, upper);
    assert_eq!(org.to_string(), s);
});
