//! A seeded PAT: in JSON either a bare string (a full-access PAT) or an object naming its
//! scopes and identity. Its `Debug` never shows the token.

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// The JSON object form of a PAT.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedPatObject {
    token: String,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    unique_name: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct SeedPat {
    pub token: String,
    /// `None`: every scope (a "Full access" PAT). `Some(vec![])`: none at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique_name: Option<String>,
}

/// Never prints the token: seeds end up in logs and panics.
impl std::fmt::Debug for SeedPat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeedPat")
            .field("token", &"<redacted>")
            .field("scopes", &self.scopes)
            .field("display_name", &self.display_name)
            .field("unique_name", &self.unique_name)
            .finish()
    }
}

impl SeedPat {
    /// A PAT with every scope.
    pub fn full_access(token: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            scopes: None,
            display_name: None,
            unique_name: None,
        }
    }

    /// A PAT with exactly these scopes.
    pub fn with_scopes(token: impl Into<String>, scopes: &[&str]) -> Self {
        Self {
            scopes: Some(scopes.iter().map(|s| (*s).to_owned()).collect()),
            ..Self::full_access(token)
        }
    }

    /// The identity the PAT authenticates as.
    pub fn as_user(mut self, display_name: &str, unique_name: &str) -> Self {
        self.display_name = Some(display_name.to_owned());
        self.unique_name = Some(unique_name.to_owned());
        self
    }
}

impl From<&str> for SeedPat {
    fn from(token: &str) -> Self {
        Self::full_access(token)
    }
}

impl From<SeedPatObject> for SeedPat {
    fn from(o: SeedPatObject) -> Self {
        Self {
            token: o.token,
            scopes: o.scopes,
            display_name: o.display_name,
            unique_name: o.unique_name,
        }
    }
}

impl<'de> Deserialize<'de> for SeedPat {
    // By hand rather than `untagged`, so that a bad object names its bad field instead of
    // "data did not match any variant".
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PatVisitor;
        impl<'de> Visitor<'de> for PatVisitor {
            type Value = SeedPat;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a PAT string or an object with \"token\"")
            }
            fn visit_str<E: de::Error>(self, token: &str) -> Result<SeedPat, E> {
                Ok(SeedPat::full_access(token))
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<SeedPat, M::Error> {
                SeedPatObject::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(SeedPat::from)
            }
        }
        deserializer.deserialize_any(PatVisitor)
    }
}
