//! The description's mapping between Navigator text and ADO HTML
//! (`services/ado-sync/src/mapping.rs`), the part of the JSON Patch ado-sync builds that
//! carries user text: no panic on any input (ADO's HTML arrives from people), and text
//! survives the round trip Navigator → ADO → Navigator.
#![no_main]

use libfuzzer_sys::fuzz_target;
use navsync_ado_sync::mapping::{html_to_text, text_to_html};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Any HTML from ADO becomes text without panicking.
    let _ = html_to_text(text);
    // Text sent to ADO never carries markup of its own ...
    let html = text_to_html(text);
    let without_br = html.replace("<br>", "");
    assert!(
        !without_br.contains('<'),
        "markup leaked into ADO: {html:?}"
    );
    // ... and comes back as it went, up to what the mapping documents: CRLF as LF, a
    // no-break space as a space, trailing line breaks dropped.
    let expected = text.replace("\r\n", "\n").replace('\u{a0}', " ");
    let expected = expected.trim_end_matches('\n');
    assert_eq!(
        html_to_text(&html),
        expected,
        "round trip of {text:?} via {html:?}"
    );
});
