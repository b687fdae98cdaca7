//! Shared helpers for the integration tests: a pseudo-terminal that runs the
//! built binary and reads its screen ([`pty`]), and a reader of the escape
//! sequences in its raw output ([`escapes`]).
//!
//! Each test binary that says `mod support;` compiles all of it but uses only
//! part, so unused items are not warnings here.
#![allow(dead_code)]

pub mod cells;
pub mod escapes;
pub mod kept_text;
pub mod keys;
pub mod postgres;
pub mod process;
pub mod pty;

/// The archives the tests open. Most tests are written against one fixed
/// shape — the bundled archive's seed record and its 15 GOV.UK items, 16
/// statements — so that the rows they move to, the counts they read and the
/// snapshots they take do not change when the bundled archive gains a
/// sample; the tests of the bundled archive itself open [`bundled`].
pub mod archive {
    use std::fs;
    use std::path::{Path, PathBuf};
    use std::sync::OnceLock;

    /// How many statements the core archive holds.
    pub const CORE_STATEMENTS: usize = 16;

    /// How many statements the bundled `archive/` holds: the seed record,
    /// 15 GOV.UK items, 3 White House statements in Markdown and 5 items of
    /// the White House briefing room's feed.
    pub const BUNDLED_STATEMENTS: usize = 24;

    /// The bundled archive, as `cargo run` opens it.
    #[must_use]
    pub fn bundled() -> &'static str {
        concat!(env!("CARGO_MANIFEST_DIR"), "/archive")
    }

    /// The core archive: the bundled archive's seed record (and schema) and
    /// `govuk/` items, copied once into Cargo's temporary folder for tests.
    /// Built beside its final place and renamed into it, so test binaries
    /// running at once never see half of it.
    #[must_use]
    pub fn core() -> &'static str {
        static CORE: OnceLock<String> = OnceLock::new();
        CORE.get_or_init(|| {
            let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
            // Named `archive`, as the bundled one, for the header to read
            // the same.
            let done = tmp.join("core-archive-2");
            if !done.join("archive/govuk").is_dir() {
                let building = tmp.join(format!("core-archive-2.{}", std::process::id()));
                let _ = fs::remove_dir_all(&building);
                let archive = building.join("archive");
                fs::create_dir_all(archive.join("govuk")).expect("a folder");
                let bundled = Path::new(bundled());
                copy_json(bundled, &archive);
                copy_json(&bundled.join("govuk"), &archive.join("govuk"));
                fs::copy(
                    bundled.join("govuk/README.md"),
                    archive.join("govuk/README.md"),
                )
                .expect("copied");
                if fs::rename(&building, &done).is_err() {
                    // Another test binary finished it first.
                    let _ = fs::remove_dir_all(&building);
                }
            }
            done.join("archive").display().to_string()
        })
    }

    fn copy_json(from: &Path, to: &Path) {
        for entry in fs::read_dir(from).expect("the bundled archive") {
            let path: PathBuf = entry.expect("an entry").path();
            if path.is_file() && path.extension().is_some_and(|ext| ext == "json") {
                fs::copy(&path, to.join(path.file_name().expect("a name"))).expect("copied");
            }
        }
    }

    /// The list's header when `shown` of the core archive's statements are
    /// listed: `3 / 16 statements`.
    #[must_use]
    pub fn shown(shown: usize) -> String {
        format!("{shown} / {CORE_STATEMENTS} statements")
    }
}
