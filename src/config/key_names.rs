//! How a config file spells a key: "j", "G", "ctrl-d", "C-d", "alt-x",
//! "enter", "pgdn", "f1". Parsing and printing live together so the default
//! config always reads back as the keys it was printed from.

use std::fmt;
use std::str::FromStr;

use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use crate::keymap::Key;

/// Named keys: the name printed first, then the other spellings accepted.
const NAMED: &[(KeyCode, &[&str])] = &[
    (KeyCode::Char(' '), &["space"]),
    (KeyCode::Enter, &["enter", "return", "ret", "cr"]),
    (KeyCode::Esc, &["esc", "escape"]),
    (KeyCode::Tab, &["tab"]),
    (KeyCode::BackTab, &["backtab"]),
    (KeyCode::Backspace, &["backspace", "bs"]),
    (KeyCode::Delete, &["delete", "del"]),
    (KeyCode::Insert, &["insert", "ins"]),
    (KeyCode::Up, &["up"]),
    (KeyCode::Down, &["down"]),
    (KeyCode::Left, &["left"]),
    (KeyCode::Right, &["right"]),
    (KeyCode::PageUp, &["pgup", "pageup", "page-up"]),
    (
        KeyCode::PageDown,
        &["pgdn", "pagedown", "page-down", "pgdown"],
    ),
    (KeyCode::Home, &["home"]),
    (KeyCode::End, &["end"]),
];

/// Modifier prefixes, each written before a `-`.
const MODIFIERS: &[(KeyModifiers, &[&str])] = &[
    (KeyModifiers::CONTROL, &["ctrl", "control", "c"]),
    (KeyModifiers::ALT, &["alt", "meta", "a", "m"]),
    (KeyModifiers::SHIFT, &["shift", "s"]),
];

/// A key name that names no key, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// The name as written.
    pub name: String,
    problem: NameProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum NameProblem {
    /// Neither a character nor a known name.
    Unknown,
    /// Modifiers with nothing after them (`ctrl-`).
    NoKey,
    /// A modifier given twice (`ctrl-ctrl-c`, `C-c-x`).
    Repeated(&'static str),
    /// A prefix that is no modifier before a real key (`hyper-x`).
    UnknownModifier(String),
    /// Nothing between two `-` (`-x`, `ctrl--x`).
    EmptyPart,
    /// Nothing at all.
    Empty,
}

impl UnknownKey {
    fn new(name: &str, problem: NameProblem) -> Self {
        Self {
            name: name.to_owned(),
            problem,
        }
    }
}

impl fmt::Display for UnknownKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.name;
        match &self.problem {
            NameProblem::Unknown => write!(f, "unknown key name `{name}`"),
            NameProblem::NoKey => write!(f, "key name `{name}` has no key after its modifiers"),
            NameProblem::Repeated(modifier) => {
                write!(f, "key name `{name}` gives `{modifier}` twice")
            }
            NameProblem::UnknownModifier(prefix) => write!(
                f,
                "unknown modifier `{prefix}` in key name `{name}`; expected ctrl, alt or shift"
            ),
            NameProblem::EmptyPart => write!(f, "key name `{name}` has an empty part"),
            NameProblem::Empty => write!(f, "empty key name"),
        }
    }
}

impl std::error::Error for UnknownKey {}

impl FromStr for Key {
    type Err = UnknownKey;

    /// Characters are case-sensitive (`g` and `G` differ); names and
    /// modifiers are not (`Ctrl-d`, `PgDn`). Shift is folded into a
    /// character (`shift-g` is `G`) and turns Tab into Shift-Tab, as the
    /// terminal reports them. Strict: each modifier at most once, each part
    /// non-empty, every prefix a modifier.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(UnknownKey::new(text, NameProblem::Empty));
        }
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        while let Some((prefix, after)) = rest.split_once('-') {
            let Some((modifier, name)) = modifier_named(prefix) else {
                break;
            };
            if modifiers.contains(modifier) {
                return Err(UnknownKey::new(text, NameProblem::Repeated(name)));
            }
            modifiers |= modifier;
            rest = after;
        }
        match code_named(rest) {
            Some(code) => Ok(normalise(code, modifiers)),
            None => Err(UnknownKey::new(text, why_unknown(rest))),
        }
    }
}

/// Why the part after the modifiers names no key.
fn why_unknown(rest: &str) -> NameProblem {
    if rest.is_empty() {
        return NameProblem::NoKey;
    }
    match rest.split_once('-') {
        Some(("", _)) => NameProblem::EmptyPart,
        Some((prefix, after)) if code_named(after).is_some() => {
            NameProblem::UnknownModifier(prefix.to_owned())
        }
        _ => NameProblem::Unknown,
    }
}

/// The modifier a prefix names, with the modifier's own name.
fn modifier_named(prefix: &str) -> Option<(KeyModifiers, &'static str)> {
    let prefix = prefix.to_ascii_lowercase();
    MODIFIERS
        .iter()
        .find(|(_, names)| names.contains(&prefix.as_str()))
        .map(|(modifier, names)| (*modifier, names[0]))
}

fn code_named(name: &str) -> Option<KeyCode> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(KeyCode::Char(c));
    }
    let lower = name.to_ascii_lowercase();
    if let Some((code, _)) = NAMED
        .iter()
        .find(|(_, names)| names.contains(&lower.as_str()))
    {
        return Some(*code);
    }
    let number: u8 = lower.strip_prefix('f')?.parse().ok()?;
    (1..=12).contains(&number).then_some(KeyCode::F(number))
}

/// The key as `Key::from_event` would report it.
fn normalise(code: KeyCode, modifiers: KeyModifiers) -> Key {
    let shift = modifiers.contains(KeyModifiers::SHIFT);
    let (code, mut modifiers) = match code {
        KeyCode::Char(c) if shift => (
            KeyCode::Char(c.to_uppercase().next().unwrap_or(c)),
            modifiers - KeyModifiers::SHIFT,
        ),
        KeyCode::Tab if shift => (KeyCode::BackTab, modifiers - KeyModifiers::SHIFT),
        other => (other, modifiers),
    };
    if code == KeyCode::BackTab {
        modifiers -= KeyModifiers::SHIFT;
    }
    // Terminals send Ctrl-D and Ctrl-d alike, and crossterm reports both as 'd'.
    let code = match code {
        KeyCode::Char(c) if modifiers.contains(KeyModifiers::CONTROL) => {
            KeyCode::Char(c.to_ascii_lowercase())
        }
        other => other,
    };
    Key { code, modifiers }
}

/// The name a config file gives a key ("ctrl-d", "pgdn", "G"), or `None`
/// for a key no config name reaches.
#[must_use]
pub fn key_name(key: Key) -> Option<String> {
    let base = match key.code {
        KeyCode::Char(' ') => "space".to_owned(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::F(number) => format!("f{number}"),
        code => NAMED
            .iter()
            .find(|(named, _)| *named == code)
            .map(|(_, names)| names[0].to_owned())?,
    };
    let mut name = String::new();
    for (modifier, names) in MODIFIERS {
        if key.modifiers.contains(*modifier) {
            name.push_str(names[0]);
            name.push('-');
        }
    }
    name.push_str(&base);
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keymap::DEFAULT_BINDINGS;

    fn parse(text: &str) -> Result<Key, UnknownKey> {
        text.parse()
    }

    #[test]
    fn characters_and_modifiers() {
        assert_eq!(parse("j"), Ok(Key::ch('j')));
        assert_eq!(parse("G"), Ok(Key::ch('G')));
        assert_eq!(parse("?"), Ok(Key::ch('?')));
        assert_eq!(parse("-"), Ok(Key::ch('-')));
        for spelling in ["ctrl-d", "Ctrl-d", "C-d", "CTRL-D", "control-d"] {
            assert_eq!(parse(spelling), Ok(Key::ctrl('d')), "{spelling}");
        }
        assert_eq!(
            parse("alt-x"),
            Ok(Key {
                code: KeyCode::Char('x'),
                modifiers: KeyModifiers::ALT
            })
        );
        assert_eq!(parse("ctrl--"), Ok(Key::ctrl('-')));
        assert_eq!(parse("shift-g"), Ok(Key::ch('G')));
    }

    #[test]
    fn named_keys() {
        let cases = [
            ("enter", KeyCode::Enter),
            ("Esc", KeyCode::Esc),
            ("tab", KeyCode::Tab),
            ("backtab", KeyCode::BackTab),
            ("shift-tab", KeyCode::BackTab),
            ("space", KeyCode::Char(' ')),
            ("up", KeyCode::Up),
            ("down", KeyCode::Down),
            ("left", KeyCode::Left),
            ("right", KeyCode::Right),
            ("pgup", KeyCode::PageUp),
            ("PageUp", KeyCode::PageUp),
            ("pgdn", KeyCode::PageDown),
            ("pagedown", KeyCode::PageDown),
            ("home", KeyCode::Home),
            ("end", KeyCode::End),
            ("backspace", KeyCode::Backspace),
            ("f1", KeyCode::F(1)),
            ("F12", KeyCode::F(12)),
        ];
        for (text, code) in cases {
            assert_eq!(parse(text), Ok(Key::plain(code)), "{text}");
        }
    }

    /// The message for a name, or the key it parsed to.
    fn problem(text: &str) -> String {
        parse(text).map_or_else(|err| err.to_string(), |key| format!("{key:?}"))
    }

    #[test]
    fn unknown_names() {
        assert_eq!(problem(""), "empty key name");
        for text in ["f13", "f0", "pgdwn", "ctrl-pgdwn", "page-dwn", "jj"] {
            assert_eq!(problem(text), format!("unknown key name `{text}`"));
        }
    }

    #[test]
    fn names_are_strict() {
        let cases = [
            ("ctrl-", "key name `ctrl-` has no key after its modifiers"),
            ("ctrl-ctrl-c", "key name `ctrl-ctrl-c` gives `ctrl` twice"),
            ("C-c-x", "key name `C-c-x` gives `ctrl` twice"),
            (
                "alt-shift-meta-x",
                "key name `alt-shift-meta-x` gives `alt` twice",
            ),
            ("shift-s-x", "key name `shift-s-x` gives `shift` twice"),
            (
                "hyper-x",
                "unknown modifier `hyper` in key name `hyper-x`; expected ctrl, alt or shift",
            ),
            (
                "ctrl-super-pgdn",
                "unknown modifier `super` in key name `ctrl-super-pgdn`; expected ctrl, alt or shift",
            ),
            ("-x", "key name `-x` has an empty part"),
            ("ctrl--x", "key name `ctrl--x` has an empty part"),
        ];
        for (text, message) in cases {
            assert_eq!(problem(text), message, "{text}");
        }
        // A dash alone is a key, with or without modifiers.
        assert_eq!(parse("-"), Ok(Key::ch('-')));
        assert_eq!(
            parse("alt--"),
            Ok(Key {
                code: KeyCode::Char('-'),
                modifiers: KeyModifiers::ALT
            })
        );
        assert_eq!(
            parse("ctrl-page-down"),
            Ok(Key {
                code: KeyCode::PageDown,
                modifiers: KeyModifiers::CONTROL
            })
        );
    }

    #[test]
    fn every_default_key_prints_and_reads_back() {
        for binding in DEFAULT_BINDINGS {
            let name = key_name(binding.key).expect("a name for every default key");
            assert_eq!(parse(&name), Ok(binding.key), "{name}");
        }
    }
}
