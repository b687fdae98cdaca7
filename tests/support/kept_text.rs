//! The full-text index kept in a cache folder, as the tests damage it.

use std::path::{Path, PathBuf};

/// The largest file of a segment of the text index kept beside the index's
/// SQLite file at `path` (not its list of segments, `meta.json`, nor the
/// files tantivy names with a dot first).
pub fn largest_text_file(path: &Path) -> PathBuf {
    std::fs::read_dir(path.with_extension("tantivy"))
        .expect("the text index's folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|file| {
            let name = file
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or(".");
            !name.starts_with('.') && name != "meta.json"
        })
        .max_by_key(|file| std::fs::metadata(file).map_or(0, |meta| meta.len()))
        .expect("a segment's file")
}

/// Changes one byte in the middle of the kept text index's largest file.
pub fn damage_text(path: &Path) {
    let file = largest_text_file(path);
    let mut bytes = std::fs::read(&file).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] = !bytes[middle];
    std::fs::write(&file, &bytes).expect("written");
}
