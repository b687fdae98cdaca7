//! The `[keys.CONTEXT]` tables: actions by name, each given its keys, merged
//! over the default table.
//!
//! The rule, as the default config states it: binding an action in a
//! context replaces that action's default keys there (`[]` unbinds it); a key
//! a user binds is taken from whichever default action held it in that
//! context, so `up = "j"` works without touching `down`; a key the file binds
//! to two actions in one context is a conflict, reported at the second, which
//! loses it.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde::Deserialize;
use serde::de::IntoDeserializer;
use toml::de::DeTable;

use super::source::{Entry, Source};
use crate::keymap::{Action, Binding, Context, INTERRUPT, Key, Keymap};

/// Context names as written after `keys.`, in the order the default config
/// lists them.
pub const CONTEXTS: [(&str, Context); 15] = [
    ("global", Context::Global),
    ("list", Context::List),
    ("input", Context::Input),
    ("note", Context::Note),
    ("detail", Context::Detail),
    ("filter", Context::Filter),
    ("picker", Context::Picker),
    ("conflict", Context::Conflict),
    ("contacts", Context::Contacts),
    ("alone", Context::Alone),
    ("problems", Context::Problems),
    ("help", Context::Help),
    ("signatory", Context::Signatory),
    ("compare", Context::Compare),
    ("timeline", Context::Timeline),
];

/// Every action a key can be bound to, by its config name.
///
/// The names are read from `Action`'s serde form (the variant list serde
/// derives), so an action added to the enum is bindable at once and the
/// list cannot drift from it.
#[must_use]
pub fn actions() -> Vec<(&'static str, Action)> {
    let mut names: &'static [&'static str] = &[];
    let _ = Action::deserialize(VariantNames(&mut names));
    names
        .iter()
        .filter_map(|name| Some((*name, action_named(name)?)))
        .collect()
}

fn action_named(name: &str) -> Option<Action> {
    let text: serde::de::value::StrDeserializer<serde::de::value::Error> = name.into_deserializer();
    Action::deserialize(text).ok()
}

/// The config name of an action (`half_page_down`).
#[must_use]
pub fn action_name(action: Action) -> Option<&'static str> {
    actions()
        .into_iter()
        .find(|(_, named)| *named == action)
        .map(|(name, _)| name)
}

/// A deserializer that only records the variant names an enum asks for.
struct VariantNames<'a>(&'a mut &'static [&'static str]);

impl<'de> serde::Deserializer<'de> for VariantNames<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("only enums have variant names"))
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = variants;
        Err(serde::de::Error::custom("variant names read"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// One action given its keys by the file.
struct Rebinding {
    context: Context,
    action: Action,
    keys: Vec<Key>,
}

/// Reads `[keys]` and returns the default table with the file's bindings
/// merged in.
pub(super) fn read(source: &mut Source, keys: &DeTable) -> Keymap {
    let context_names: Vec<&str> = CONTEXTS.iter().map(|(name, _)| *name).collect();
    let mut rebindings = Vec::new();
    for Entry { name, span, value } in Source::entries(keys) {
        let Some((section, context)) = CONTEXTS.iter().find(|(known, _)| *known == name) else {
            source.unknown(span, "context", name, "in [keys]", &context_names);
            continue;
        };
        let section = format!("[keys.{section}]");
        if let Some(table) = source.table(value, &section) {
            read_context(source, *context, &section, table, &mut rebindings);
        }
    }
    merge(&rebindings)
}

fn read_context(
    source: &mut Source,
    context: Context,
    section: &str,
    table: &DeTable,
    rebindings: &mut Vec<Rebinding>,
) {
    let actions = actions();
    let action_names: Vec<&str> = actions.iter().map(|(name, _)| *name).collect();
    // Keys already bound here by the file, with the action and line: a
    // table, so a file of thousands of keys is checked in one pass.
    let mut claimed: HashMap<Key, (&str, usize)> = HashMap::new();
    for Entry { name, span, value } in Source::entries(table) {
        let Some((action_name, action)) = actions.iter().find(|(known, _)| *known == name) else {
            source.unknown(
                span,
                "action",
                name,
                &format!("in {section}"),
                &action_names,
            );
            continue;
        };
        let what = format!("`{action_name}` in {section}");
        let Some(texts) = source.strings(value, &what) else {
            continue;
        };
        let mut keys = Vec::new();
        for (text, span) in texts {
            let key = read_key(source, context, section, text, span.clone());
            if key == Some(INTERRUPT) && *action != Action::ForceQuit {
                source.problem(
                    span,
                    format!(
                        "`{text}` always cancels or quits; it cannot be bound to `{action_name}`"
                    ),
                );
            } else if let Some(key) = key {
                if let Some((first, line)) = claimed.get(&key) {
                    let message = if first == action_name {
                        format!("`{text}` is listed twice for `{first}` in {section} (line {line})")
                    } else {
                        format!(
                            "`{text}` is bound to both `{first}` and `{action_name}` in {section}; \
                             keeping `{first}` (line {line})"
                        )
                    };
                    source.problem(span, message);
                } else {
                    claimed.insert(key, (action_name, source.line(span.start)));
                    keys.push(key);
                }
            }
        }
        if (context, *action) == (Context::Global, Action::ForceQuit) && !keys.contains(&INTERRUPT)
        {
            source.problem(
                span,
                format!("`{action_name}` in {section} keeps `ctrl-c`: it always cancels or quits"),
            );
            keys.insert(0, INTERRUPT);
        }
        rebindings.push(Rebinding {
            context,
            action: *action,
            keys,
        });
    }
}

fn read_key(
    source: &mut Source,
    context: Context,
    section: &str,
    text: &str,
    span: Range<usize>,
) -> Option<Key> {
    let key: Key = match text.parse() {
        Ok(key) => key,
        Err(unknown) => {
            source.problem(span, unknown.to_string());
            return None;
        }
    };
    let plain_character =
        matches!(key.code, ratatui::crossterm::event::KeyCode::Char(_)) && key.modifiers.is_empty();
    // As in `Keymap::action`: there, plain characters are text.
    let typing = context.is_typing();
    if typing && plain_character {
        source.problem(
            span,
            format!(
                "`{text}` in {section} is a character you type there; \
                 bind a named key or one with ctrl- or alt-"
            ),
        );
        return None;
    }
    Some(key)
}

/// The default table with each rebound action's keys put where its first
/// default key was (so the help overlay keeps its order), and every default
/// binding of a key the file took dropped.
fn merge(rebindings: &[Rebinding]) -> Keymap {
    let rebound: HashSet<(Context, Action)> = rebindings
        .iter()
        .map(|rebinding| (rebinding.context, rebinding.action))
        .collect();
    let taken: HashSet<(Context, Key)> = rebindings
        .iter()
        .flat_map(|rebinding| rebinding.keys.iter().map(|key| (rebinding.context, *key)))
        .collect();
    let user_bindings = |rebinding: &Rebinding| -> Vec<Binding> {
        rebinding
            .keys
            .iter()
            .map(|key| Binding {
                context: rebinding.context,
                key: *key,
                action: rebinding.action,
            })
            .collect()
    };
    let mut placed = HashSet::new();
    let mut bindings = Vec::new();
    for default in Keymap::default().bindings() {
        let slot = (default.context, default.action);
        if rebound.contains(&slot) {
            if placed.insert(slot) {
                for rebinding in rebindings.iter().filter(|r| (r.context, r.action) == slot) {
                    bindings.extend(user_bindings(rebinding));
                }
            }
        } else if !taken.contains(&(default.context, default.key)) {
            bindings.push(*default);
        }
    }
    for rebinding in rebindings {
        if !placed.contains(&(rebinding.context, rebinding.action)) {
            bindings.extend(user_bindings(rebinding));
        }
    }
    Keymap::from_bindings(bindings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keymap::DEFAULT_BINDINGS;

    #[test]
    fn every_default_action_has_a_name_that_reads_back() {
        let names = actions();
        assert!(names.len() > 30, "{names:?}");
        assert_eq!(action_name(Action::HalfPageDown), Some("half_page_down"));
        assert!(names.iter().all(|(name, _)| *name != "type"));
        for binding in DEFAULT_BINDINGS {
            let name = action_name(binding.action).expect("a name for every bound action");
            assert_eq!(action_named(name), Some(binding.action));
        }
    }

    #[test]
    fn every_context_in_the_table_has_a_name() {
        for binding in DEFAULT_BINDINGS {
            assert!(
                CONTEXTS
                    .iter()
                    .any(|(_, context)| *context == binding.context),
                "{:?}",
                binding.context
            );
        }
    }

    #[test]
    fn nothing_rebound_is_the_default_table() {
        assert_eq!(merge(&[]).bindings(), DEFAULT_BINDINGS);
    }
}
