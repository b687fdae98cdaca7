//! `communique config --default`: the full default config, written from the
//! keymap table, the palettes and the list defaults, so it cannot drift from
//! them; reading it back gives exactly the defaults.

use std::fmt::Write as _;

use super::bindings::{CONTEXTS, action_name, actions};
use super::key_names::key_name;
use super::list::{Column, SORTS};
use super::palette::{Palette, SLOTS, ThemeChoice, colour_name, colour_names};
use crate::keymap::Keymap;

const PREAMBLE: &str = "\
# communique configuration, with every default written out.
#
# Save it as $XDG_CONFIG_HOME/communique/config.toml (without XDG_CONFIG_HOME:
# ~/.config/communique/config.toml), or pass --config PATH, and change what
# you like: anything left out keeps its default. A wrong key or value is
# reported as file:line:col when the browser starts, and the rest is used.
#
# Keys. Under [keys.CONTEXT], `action = [\"key\", ...]` (or one \"key\")
# replaces that action's default keys in that context, and `action = []`
# unbinds it. A key you bind is taken from the default action that had it in
# that context, so `up = \"j\"` alone works. A key bound to two actions in one
# context is reported, and the second binding is ignored. Keys not bound in a
# context fall back to [keys.global]. In [keys.input] and [keys.note] plain
# characters are always typed, so bind only named keys or ctrl-/alt- keys.
# ctrl-c cancels what you are typing (search line, note, prompt), closes an
# overlay, and quits from the list or a statement: it cannot be bound to
# another action, and force_quit keeps it.
#
# Key names: a character (\"j\", \"G\", \"?\"), space, enter, esc, tab, backtab,
# backspace, delete, insert, up, down, left, right, pgup, pgdn, home, end,
# f1 to f12; with ctrl-, alt- or shift- in front (\"ctrl-d\"), each at most
# once.
";

/// The commented default config file.
#[must_use]
pub fn default_config_text() -> String {
    let mut text = String::from(PREAMBLE);
    write_actions(&mut text);
    write_keys(&mut text);
    write_theme(&mut text);
    write_list(&mut text);
    write_paths(&mut text);
    write_archive(&mut text);
    text
}

fn write_actions(text: &mut String) {
    let names: Vec<&str> = actions().iter().map(|(name, _)| *name).collect();
    text.push_str("#\n");
    write_comment(text, &format!("Actions: {}", names.join(" ")));
}

fn write_keys(text: &mut String) {
    let keymap = Keymap::default();
    for (section, context) in CONTEXTS {
        let rows: Vec<(String, &str)> = keymap
            .actions_in(context)
            .into_iter()
            .filter_map(|(action, _)| {
                let keys: Vec<String> = keymap
                    .keys_for(context, action)
                    .into_iter()
                    .filter_map(key_name)
                    .map(|name| quoted(&name))
                    .collect();
                let line = format!("{} = [{}]", action_name(action)?, keys.join(", "));
                Some((line, action.describe()))
            })
            .collect();
        let _ = writeln!(text, "\n[keys.{section}]  # {}", context.title());
        write_commented_rows(text, &rows);
    }
}

fn write_theme(text: &mut String) {
    let choices: Vec<&str> = ThemeChoice::NAMES.iter().map(|(name, _)| *name).collect();
    let _ = writeln!(
        text,
        "\n[theme]\n# dark suits dark terminals, light suits light ones, and none has no\n\
         # colour (as when NO_COLOR is set, which always wins): {}\nname = {}",
        choices.join(" | "),
        quoted(ThemeChoice::default().name())
    );
    text.push_str("\n[theme.colours]\n");
    write_comment(
        text,
        &format!(
            "Change single colours of the theme. Named colours only: {} (reset is the \
             terminal's own). The dark theme's colours:",
            colour_names().join(" ")
        ),
    );
    let dark = Palette::dark();
    let rows: Vec<(String, &str)> = SLOTS
        .iter()
        .filter_map(|slot| {
            let colour = colour_name(slot.get(dark))?;
            Some((format!("# {} = {}", slot.name, quoted(colour)), slot.about))
        })
        .collect();
    write_commented_rows(text, &rows);
}

fn write_list(text: &mut String) {
    let all: Vec<&str> = Column::NAMES.iter().map(|(name, _)| *name).collect();
    let columns: Vec<String> = Column::DEFAULT
        .iter()
        .map(|column| quoted(column.name()))
        .collect();
    let sorts: Vec<&str> = SORTS.iter().map(|(name, _)| *name).collect();
    let _ = writeln!(
        text,
        "\n[list]\n# Columns, left to right, from: {}\ncolumns = [{}]\n\
         # The sort to start in: {}.\n\
         # Left out: newest first, or by relevance while a search has fuzzy words.\n\
         # sort = \"newest\"",
        all.join(", "),
        columns.join(", "),
        sorts.join(" | ")
    );
}

fn write_paths(text: &mut String) {
    text.push_str(
        "\n[paths]\n\
         # Where the archive and the triage state are, when the command line does\n\
         # not say. ~/ is your home folder; a relative path is taken from this\n\
         # file's folder.\n\
         # archive = \"~/statements\"\n\
         # state = \"~/.local/state/communique/triage.db\"\n",
    );
}

fn write_archive(text: &mut String) {
    text.push_str(
        "\n[archive]\n\
         # How statements are read. reflow = true joins the hard-wrapped lines of\n\
         # every plain-text body (native records) into paragraphs; a record's own\n\
         # `reflow` field wins.\n\
         reflow = false\n\
         # The time zone the archive's dates fall in (an IANA name): a timestamp\n\
         # is shown and filtered on its calendar day there. Unset, GOV.UK items\n\
         # are read in Europe/London (as GOV.UK shows them) and others in the\n\
         # offset they were written with.\n\
         # time_zone = \"Europe/London\"\n",
    );
}

/// A paragraph as `#` comment lines, never breaking a name.
fn write_comment(text: &mut String, paragraph: &str) {
    let options = textwrap::Options::new(78)
        .initial_indent("# ")
        .subsequent_indent("# ")
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    text.push_str(&textwrap::fill(paragraph, options));
    text.push('\n');
}

/// Rows of `setting  # comment`, the comments lined up.
fn write_commented_rows(text: &mut String, rows: &[(String, &str)]) {
    let width = rows.iter().map(|(line, _)| line.len()).max().unwrap_or(0);
    for (line, comment) in rows {
        let _ = writeln!(text, "{line:<width$}  # {comment}");
    }
}

/// A TOML string holding `text`, quoted and escaped as TOML requires.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn awkward_keys_are_quoted_for_toml() {
        for key in ["\"", "\\", "'", "?"] {
            let parsed: toml::Table =
                toml::from_str(&format!("k = {}", quoted(key))).expect("valid TOML");
            assert_eq!(parsed["k"].as_str(), Some(key));
        }
    }
}
