//! The environment as the settings see it: the process's variables read
//! once at start-up, or any set of pairs in a test.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};

/// Environment variables by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    variables: BTreeMap<String, OsString>,
}

impl Env {
    /// The process's values of the variables the settings read
    /// ([`super::VARIABLES`]).
    #[must_use]
    pub fn from_process() -> Self {
        Self::from_pairs(
            super::VARIABLES
                .iter()
                .filter_map(|name| Some((*name, std::env::var_os(name)?))),
        )
    }

    /// An environment of exactly these variables.
    #[must_use]
    pub fn from_pairs<N, V>(pairs: impl IntoIterator<Item = (N, V)>) -> Self
    where
        N: Into<String>,
        V: Into<OsString>,
    {
        Self {
            variables: pairs
                .into_iter()
                .map(|(name, value)| (name.into(), value.into()))
                .collect(),
        }
    }

    /// A variable's value, empty or not.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&OsStr> {
        self.variables.get(name).map(OsString::as_os_str)
    }

    /// A variable's value unless it is unset or empty (an empty value means
    /// "not set" for a path, as for `NO_COLOR`).
    #[must_use]
    pub fn non_empty(&self, name: &str) -> Option<&OsStr> {
        self.get(name).filter(|value| !value.is_empty())
    }
}
