//! Writes to ADO whose answer never came. A PATCH that ADO carried out but whose answer
//! was lost (a dropped connection, a timeout, a crash) is not in `written_revisions`, so
//! its service hook echo would look like a person's edit, and Navigator would take that
//! older value over any edit made since: a lost edit. So before each write, the values it
//! sends for the fields reported back (title, description, state) are saved on the link;
//! a change carrying one of them is recognised as ours, learned silently, never reported.
//! A write ADO confirms empties the lists: from then on its revision supersedes any older
//! echo anyway.
//!
//! A person who sets a field to exactly a value we sent meanwhile is taken for us: the
//! value is one Navigator sent, and Navigator's newest value is written by the retry.

use crate::inbound::{Candidate, DESCRIPTION, TITLE};
use crate::mapping::html_to_text;
use crate::store::links::LinkRow;

/// Enough for every write of a burst of edits under a long ADO outage; the oldest go first.
const KEPT: usize = 8;

/// What the link holds of a field reported back to Navigator (named as [`Candidate`]s and
/// writes name it): the value ADO holds, its revision, and the values lost writes sent.
struct Held<'a> {
    known: &'a mut Option<String>,
    rev: &'a mut Option<i64>,
    unconfirmed: &'a mut Vec<String>,
}

fn held<'a>(link: &'a mut LinkRow, field: &str) -> Held<'a> {
    match field {
        TITLE => Held {
            known: &mut link.known_title,
            rev: &mut link.title_rev,
            unconfirmed: &mut link.unconfirmed_titles,
        },
        DESCRIPTION => Held {
            known: &mut link.known_description,
            rev: &mut link.description_rev,
            unconfirmed: &mut link.unconfirmed_descriptions,
        },
        _ => Held {
            known: &mut link.known_state,
            rev: &mut link.state_rev,
            unconfirmed: &mut link.unconfirmed_states,
        },
    }
}

/// A value as ADO's copy of it reads back (a description goes through HTML).
fn as_read_back(field: &str, value: &str) -> String {
    if field == DESCRIPTION {
        crate::mapping::as_read_back(value)
    } else {
        value.to_owned()
    }
}

/// Notes that a write is about to send `value` (a description as text) for `field`.
pub(crate) fn sending(link: &mut LinkRow, field: &str, value: &str) {
    let value = as_read_back(field, value);
    let values = held(link, field).unconfirmed;
    if values.contains(&value) {
        return;
    }
    if values.len() >= KEPT {
        values.remove(0);
    }
    values.push(value);
}

/// ADO confirmed a write: nothing sent before it is in doubt any more.
pub(crate) fn confirmed(link: &mut LinkRow) {
    link.unconfirmed_titles.clear();
    link.unconfirmed_descriptions.clear();
    link.unconfirmed_states.clear();
}

/// Whether ADO may hold a value of `field` that a lost write sent and that differs from
/// `desired`: then the field is written again even if what we know ADO holds is `desired`.
pub(crate) fn in_doubt(link: &LinkRow, field: &str, desired: &str) -> bool {
    let desired = as_read_back(field, desired);
    let values = match field {
        TITLE => &link.unconfirmed_titles,
        DESCRIPTION => &link.unconfirmed_descriptions,
        _ => &link.unconfirmed_states,
    };
    values.iter().any(|v| *v != desired)
}

/// Takes out of `candidates` the changes a write of ours whose answer was lost made, and
/// learns them as ADO's values (with their revision) so that no older change is reported
/// after them. Returns how many it took.
pub(crate) fn take_ours(link: &mut LinkRow, candidates: &mut Vec<Candidate<'_>>) -> usize {
    let before = candidates.len();
    candidates.retain(|(field, value, rev)| {
        let held = held(link, field);
        if held.rev.is_some_and(|known| *rev <= known) {
            return true; // superseded anyway: left to `take_newer`, which drops it
        }
        let comparable = if *field == DESCRIPTION {
            value.as_deref().map(html_to_text).unwrap_or_default()
        } else {
            match value {
                Some(v) => v.clone(),
                None => return true,
            }
        };
        if !held.unconfirmed.contains(&comparable) {
            return true;
        }
        *held.known = Some(comparable);
        *held.rev = Some(*rev);
        false
    });
    before - candidates.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbound::STATE;

    fn link() -> LinkRow {
        crate::store::links::tests::row()
    }

    #[test]
    fn a_change_to_a_value_we_sent_is_ours_and_learned_with_its_revision() {
        let mut l = link();
        l.known_title = Some("v1".into());
        l.title_rev = Some(3);
        sending(&mut l, TITLE, "v2");
        sending(&mut l, DESCRIPTION, "plain text");
        let mut candidates: Vec<Candidate<'_>> = vec![
            (TITLE, Some("v2".into()), 4),
            (DESCRIPTION, Some("<div>plain text</div>".into()), 4),
            (STATE, Some("Active".into()), 4),
        ];
        assert_eq!(take_ours(&mut l, &mut candidates), 2);
        assert_eq!(candidates, vec![(STATE, Some("Active".to_owned()), 4)]);
        assert_eq!(l.known_title.as_deref(), Some("v2"));
        assert_eq!(l.title_rev, Some(4));
        assert_eq!(l.known_description.as_deref(), Some("plain text"));
        assert_eq!(l.description_rev, Some(4));
    }

    #[test]
    fn a_change_to_another_value_or_an_older_revision_is_left_to_the_newer_check() {
        let mut l = link();
        l.title_rev = Some(5);
        sending(&mut l, TITLE, "v2");
        sending(&mut l, STATE, "Done");
        let mut candidates: Vec<Candidate<'_>> = vec![
            (TITLE, Some("v2".into()), 5),
            (STATE, Some("Active".into()), 6),
        ];
        assert_eq!(take_ours(&mut l, &mut candidates), 0);
        assert_eq!(candidates.len(), 2);
        assert_eq!(l.title_rev, Some(5));
    }

    #[test]
    fn a_confirmed_write_ends_the_doubt_and_only_a_different_value_is_in_doubt() {
        let mut l = link();
        sending(&mut l, TITLE, "v2");
        sending(&mut l, TITLE, "v2");
        assert_eq!(l.unconfirmed_titles, vec!["v2".to_owned()]);
        assert!(in_doubt(&l, TITLE, "v1"));
        assert!(!in_doubt(&l, TITLE, "v2"));
        assert!(!in_doubt(&l, STATE, "Done"));
        confirmed(&mut l);
        assert!(!in_doubt(&l, TITLE, "v1"));
    }

    #[test]
    fn a_description_is_compared_as_ado_reads_it_back() {
        let mut l = link();
        sending(&mut l, DESCRIPTION, "first\r\nsecond\n\n");
        assert!(!in_doubt(&l, DESCRIPTION, "first\nsecond"));
        let mut candidates: Vec<Candidate<'_>> = vec![(
            DESCRIPTION,
            Some("<div>first</div><div>second</div>".into()),
            2,
        )];
        assert_eq!(take_ours(&mut l, &mut candidates), 1);
        assert_eq!(l.known_description.as_deref(), Some("first\nsecond"));
    }

    #[test]
    fn only_the_newest_values_are_kept() {
        let mut l = link();
        for i in 0..KEPT + 3 {
            sending(&mut l, STATE, &format!("s{i}"));
        }
        assert_eq!(l.unconfirmed_states.len(), KEPT);
        assert_eq!(l.unconfirmed_states[0], "s3");
    }
}
