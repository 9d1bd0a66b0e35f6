//! Translating between an action item and a work item: the description between text and
//! ADO's HTML, and the status through the type's state categories (processes are
//! customised and localised, so names are never assumed).

use std::collections::HashMap;

use navsync_ado_client::WorkItemState;
use navsync_contracts::ActionItemStatus;

/// Plain text to the HTML `System.Description` holds: escaped, line breaks kept.
pub fn text_to_html(text: &str) -> String {
    html_escape::encode_text(text)
        .replace("\r\n", "\n")
        .replace('\n', "<br>")
}

/// Plain text as ADO's copy of it reads back once written as HTML: without trailing line
/// breaks, `\r\n` as `\n`. Compared with what we know ADO holds, so that a text differing
/// only there is not sent again with every change of the item.
pub fn as_read_back(text: &str) -> String {
    html_to_text(&text_to_html(text))
}

/// ADO's HTML to plain text: block ends and `<br>` become line breaks, tags go, entities
/// are decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            // A lone `<` is text.
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_ascii_lowercase();
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default();
        let closing = tag.starts_with('/');
        if name == "br"
            || (closing && matches!(name, "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3"))
        {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    html_escape::decode_html_entities(&out)
        .replace('\u{a0}', " ")
        .trim_end_matches('\n')
        .to_owned()
}

pub fn status_key(status: ActionItemStatus) -> &'static str {
    match status {
        ActionItemStatus::NotStarted => "not_started",
        ActionItemStatus::InProgress => "in_progress",
        ActionItemStatus::Done => "done",
    }
}

/// The ADO state for `status`: the integration's override, else the first state of the
/// matching category (Completed preferred to Resolved for `done`).
pub fn state_for(
    status: ActionItemStatus,
    states: &[WorkItemState],
    overrides: &HashMap<String, String>,
) -> Option<String> {
    if let Some(name) = overrides.get(status_key(status)) {
        return Some(name.clone());
    }
    let categories: &[&str] = match status {
        ActionItemStatus::NotStarted => &["Proposed"],
        ActionItemStatus::InProgress => &["InProgress"],
        ActionItemStatus::Done => &["Completed", "Resolved"],
    };
    categories.iter().find_map(|category| {
        states
            .iter()
            .find(|s| s.category.eq_ignore_ascii_case(category))
            .map(|s| s.name.clone())
    })
}

/// The status an ADO state means: an override naming it wins, else its category.
/// `None` for Removed or an unknown state: such a change is not reflected.
pub fn status_for(
    state: &str,
    states: &[WorkItemState],
    overrides: &HashMap<String, String>,
) -> Option<ActionItemStatus> {
    let by_override = overrides.iter().find_map(|(status, name)| {
        name.eq_ignore_ascii_case(state)
            .then_some(match status.as_str() {
                "in_progress" => ActionItemStatus::InProgress,
                "done" => ActionItemStatus::Done,
                _ => ActionItemStatus::NotStarted,
            })
    });
    if by_override.is_some() {
        return by_override;
    }
    let category = states
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(state))?
        .category
        .as_str();
    match category {
        "Proposed" => Some(ActionItemStatus::NotStarted),
        "InProgress" => Some(ActionItemStatus::InProgress),
        "Resolved" | "Completed" => Some(ActionItemStatus::Done),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn states(pairs: &[(&str, &str)]) -> Vec<WorkItemState> {
        pairs
            .iter()
            .map(|(n, c)| WorkItemState {
                name: (*n).into(),
                category: (*c).into(),
            })
            .collect()
    }

    #[test]
    fn text_survives_a_round_trip_through_html() {
        for text in [
            "Line one\nLine <two> & \"three\"",
            "",
            "a\n\nb",
            "<script>x</script>",
        ] {
            assert_eq!(html_to_text(&text_to_html(text)), text, "{text:?}");
        }
        assert_eq!(text_to_html("a<b\nc"), "a&lt;b<br>c");
        assert_eq!(as_read_back("a\r\nb\n\n"), "a\nb");
        assert_eq!(as_read_back("a\u{a0}&b"), "a &b");
    }

    #[test]
    fn ados_html_reads_as_text() {
        assert_eq!(
            html_to_text("<div>First</div><div>Second &amp; more</div>"),
            "First\nSecond & more"
        );
        assert_eq!(html_to_text("<p>a<br/>b</p>"), "a\nb");
        assert_eq!(html_to_text("x &lt; y <b>bold</b>"), "x < y bold");
        assert_eq!(html_to_text("1 < 2"), "1 < 2");
    }

    #[test]
    fn every_process_maps_by_category() {
        let agile = states(&[
            ("New", "Proposed"),
            ("Active", "InProgress"),
            ("Closed", "Completed"),
            ("Removed", "Removed"),
        ]);
        let scrum = states(&[
            ("To Do", "Proposed"),
            ("In Progress", "InProgress"),
            ("Done", "Completed"),
            ("Removed", "Removed"),
        ]);
        let basic = states(&[
            ("To Do", "Proposed"),
            ("Doing", "InProgress"),
            ("Done", "Completed"),
        ]);
        let cmmi = states(&[
            ("Proposed", "Proposed"),
            ("Active", "InProgress"),
            ("Resolved", "Resolved"),
            ("Closed", "Completed"),
        ]);
        let none = HashMap::new();
        for (process, expected) in [
            (&agile, ["New", "Active", "Closed"]),
            (&scrum, ["To Do", "In Progress", "Done"]),
            (&basic, ["To Do", "Doing", "Done"]),
            (&cmmi, ["Proposed", "Active", "Closed"]),
        ] {
            let got: Vec<_> = [
                ActionItemStatus::NotStarted,
                ActionItemStatus::InProgress,
                ActionItemStatus::Done,
            ]
            .iter()
            .map(|s| state_for(*s, process, &none).unwrap_or_default())
            .collect();
            assert_eq!(got, expected);
        }
        assert_eq!(
            status_for("Resolved", &cmmi, &none),
            Some(ActionItemStatus::Done)
        );
        assert_eq!(status_for("Removed", &agile, &none), None);
        assert_eq!(status_for("Unknown", &agile, &none), None);
    }

    #[test]
    fn an_override_wins_both_ways() {
        let agile = states(&[
            ("New", "Proposed"),
            ("Active", "InProgress"),
            ("Resolved", "Resolved"),
            ("Closed", "Completed"),
        ]);
        let overrides = HashMap::from([("done".to_owned(), "Resolved".to_owned())]);
        assert_eq!(
            state_for(ActionItemStatus::Done, &agile, &overrides).as_deref(),
            Some("Resolved")
        );
        assert_eq!(
            status_for("resolved", &agile, &overrides),
            Some(ActionItemStatus::Done)
        );
    }
}
