//! ADO organization names. A name is validated before it is ever put into a URL: this is
//! also navsync's guard against request forgery through the organization field.

use std::fmt;

/// A name that follows ADO's rule: ASCII letters, digits and hyphens, starting and ending
/// with a letter or digit, at most 50 characters. Compared case-insensitively, as ADO does.
#[derive(Debug, Clone, Eq)]
pub struct Organization(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "An organization name has 1 to 50 letters, digits or hyphens, and starts and ends with a letter or digit."
)]
pub struct InvalidOrganization;

impl Organization {
    pub fn parse(name: &str) -> Result<Self, InvalidOrganization> {
        let bytes = name.as_bytes();
        let inner_ok = bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-');
        let ends_ok = match (bytes.first(), bytes.last()) {
            (Some(first), Some(last)) => {
                first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric()
            }
            _ => false,
        };
        if inner_ok && ends_ok && bytes.len() <= 50 {
            Ok(Self(name.to_owned()))
        } else {
            Err(InvalidOrganization)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Organization {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl fmt::Display for Organization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ADO_RULE: &str = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$";

    #[test]
    fn typical_names_are_accepted() {
        for name in ["p2anav-dev", "a", "A1", "contoso", &"x".repeat(50)] {
            assert!(Organization::parse(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn names_that_could_smuggle_a_url_are_refused() {
        for name in [
            "",
            "-a",
            "a-",
            "evil.com",
            "a/b",
            "a?x=1",
            "a#b",
            "a b",
            "a%2fb",
            "a\r\nHost: x",
            "user@host",
            "..",
            "é",
            &"x".repeat(51),
        ] {
            assert!(Organization::parse(name).is_err(), "{name:?}");
        }
    }

    #[test]
    fn names_compare_case_insensitively() {
        assert_eq!(
            Organization::parse("P2ANav").expect("valid"),
            Organization::parse("p2anav").expect("valid")
        );
    }

    proptest! {
        #[test]
        fn the_validator_accepts_exactly_ados_rule(name in "\\PC{0,60}") {
            let rule = regex::Regex::new(ADO_RULE).expect("regex");
            prop_assert_eq!(Organization::parse(&name).is_ok(), rule.is_match(&name));
        }

        #[test]
        fn the_validator_agrees_on_near_valid_names(name in "[A-Za-z0-9.\\-_/]{0,55}") {
            let rule = regex::Regex::new(ADO_RULE).expect("regex");
            prop_assert_eq!(Organization::parse(&name).is_ok(), rule.is_match(&name));
        }
    }
}
