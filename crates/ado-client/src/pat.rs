//! Personal Access Tokens: checked for shape before use, never printed. `Debug` shows only
//! the hint, so a PAT cannot reach a log by accident.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// The longest PAT accepted; ADO's are 52 or 84 characters.
pub const MAX_PAT_LEN: usize = 512;

#[derive(Clone)]
pub struct Pat(SecretString);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPat {
    #[error("The Personal Access Token is empty.")]
    Empty,
    #[error("The Personal Access Token is longer than 512 characters.")]
    TooLong,
    #[error("The Personal Access Token may contain only printable ASCII characters.")]
    NotPrintable,
}

impl Pat {
    pub fn parse(value: &str) -> Result<Self, InvalidPat> {
        if value.is_empty() {
            Err(InvalidPat::Empty)
        } else if value.len() > MAX_PAT_LEN {
            Err(InvalidPat::TooLong)
        } else if !value.bytes().all(|b| b.is_ascii_graphic()) {
            Err(InvalidPat::NotPrintable)
        } else {
            Ok(Self(SecretString::from(value.to_owned())))
        }
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// `****` and the last four characters: enough for an admin to recognise a PAT.
    pub fn hint(&self) -> String {
        hint_of(self.expose())
    }
}

/// The hint of any secret value: `****` and its last four characters.
pub fn hint_of(value: &str) -> String {
    let tail: String = value
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****{tail}")
}

impl fmt::Debug for Pat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pat({})", self.hint())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pat_shows_only_its_hint() {
        let pat = Pat::parse("abcdefghijklmnopWXYZ").expect("valid");
        assert_eq!(pat.hint(), "****WXYZ");
        assert_eq!(format!("{pat:?}"), "Pat(****WXYZ)");
    }

    #[test]
    fn malformed_pats_are_refused() {
        assert_eq!(Pat::parse("").err(), Some(InvalidPat::Empty));
        assert_eq!(
            Pat::parse(&"a".repeat(513)).err(),
            Some(InvalidPat::TooLong)
        );
        assert_eq!(
            Pat::parse("has space").err(),
            Some(InvalidPat::NotPrintable)
        );
        assert_eq!(Pat::parse("tab\t").err(), Some(InvalidPat::NotPrintable));
        assert_eq!(Pat::parse("naïve").err(), Some(InvalidPat::NotPrintable));
        assert!(Pat::parse(&"a".repeat(512)).is_ok());
    }
}
