//! Keys written vim-style for state-machine tests, and pressing them through
//! the keymap as the event loop does.

use communique::keymap::Key;
use communique::state::State;
use ratatui::crossterm::event::KeyCode;

/// Plain characters are themselves, and `<Enter>`, `<Esc>`, `<Up>`,
/// `<Down>`, `<Left>`, `<Right>`, `<PgDn>`, `<PgUp>`, `<Home>`, `<End>`,
/// `<Tab>`, `<S-Tab>`, `<BS>`, `<Space>`, `<F1>` and `<C-x>` name the others.
pub fn keys(spec: &str) -> Vec<Key> {
    let mut keys = Vec::new();
    let mut rest = spec;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>').filter(|&end| end > 1)
        {
            let key = match &rest[1..end] {
                "Enter" => Key::plain(KeyCode::Enter),
                "Esc" => Key::plain(KeyCode::Esc),
                "Up" => Key::plain(KeyCode::Up),
                "Down" => Key::plain(KeyCode::Down),
                "Left" => Key::plain(KeyCode::Left),
                "Right" => Key::plain(KeyCode::Right),
                "PgDn" => Key::plain(KeyCode::PageDown),
                "PgUp" => Key::plain(KeyCode::PageUp),
                "Home" => Key::plain(KeyCode::Home),
                "End" => Key::plain(KeyCode::End),
                "Tab" => Key::plain(KeyCode::Tab),
                "S-Tab" => Key::plain(KeyCode::BackTab),
                "BS" => Key::plain(KeyCode::Backspace),
                "Space" => Key::ch(' '),
                "F1" => Key::plain(KeyCode::F(1)),
                ctrl if ctrl.starts_with("C-") && ctrl.chars().count() == 3 => {
                    Key::ctrl(ctrl.chars().nth(2).expect("a character after C-"))
                }
                other => panic!("unknown key <{other}> in {spec:?}"),
            };
            keys.push(key);
            rest = &rest[end + 1..];
            continue;
        }
        keys.push(Key::ch(c));
        rest = &rest[c.len_utf8()..];
    }
    keys
}

/// Presses keys: each goes through the keymap, as the event loop does.
pub fn press(state: &mut State, spec: &str) {
    for key in keys(spec) {
        if let Some(action) = state.action_for(key) {
            state.update(action);
        }
    }
}
