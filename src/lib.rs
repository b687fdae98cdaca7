//! communique: a keyboard-driven terminal browser for archives of official
//! statements. The library holds everything; `main.rs` only parses arguments.

pub mod app;
pub mod catalog;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod contacts;
pub mod document;
pub mod formats;
pub mod guard;
pub mod keymap;
pub mod loader;
pub mod records;
pub mod sanitize;
pub mod search;
pub mod settings;
pub mod signatories;
pub mod state;
pub mod store;
pub mod ui;
pub mod watch;
