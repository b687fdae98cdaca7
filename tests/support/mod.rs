//! Shared helpers for the integration tests: a pseudo-terminal that runs the
//! built binary and reads its screen ([`pty`]), and a reader of the escape
//! sequences in its raw output ([`escapes`]).
//!
//! Each test binary that says `mod support;` compiles all of it but uses only
//! part, so unused items are not warnings here.
#![allow(dead_code)]

pub mod cells;
pub mod escapes;
pub mod keys;
pub mod postgres;
pub mod process;
pub mod pty;
