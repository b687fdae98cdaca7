//! Which files an archive folder contributes, and opening them: a stable
//! (sorted) walk that follows symbolic links only while they stay inside the
//! archive (unless told otherwise), and only regular files read, never a
//! FIFO (which would hang), a device (`/dev/zero` never ends) or a socket.
//! How large one record may be is set here too.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use rustix::fs::{Mode, OFlags};

use super::{Problem, Severity};

/// The largest record read unless told otherwise: 64 MiB (a statement with
/// a long body is a few hundred KB).
pub const DEFAULT_MAX_RECORD_SIZE: u64 = 64 << 20;

/// How files are reached, how much of them is read and how their text is
/// taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadPolicy {
    /// Follow symbolic links that lead out of the archive folder too.
    pub follow_links: bool,
    /// Bytes one record may take: a single-record `.json` file, an element
    /// of an array, or a line of JSON Lines. Bigger ones are reported.
    pub max_record_size: u64,
    /// The archive's time zone (`[archive] time_zone`): every timed date is
    /// read on its calendar day there, whatever its format's own zone.
    pub time_zone: Option<chrono_tz::Tz>,
    /// Join the hard-wrapped lines of plain bodies into paragraphs
    /// (`[archive] reflow`; a record's own `reflow` wins).
    pub reflow: bool,
}

impl Default for ReadPolicy {
    fn default() -> Self {
        Self {
            follow_links: false,
            max_record_size: DEFAULT_MAX_RECORD_SIZE,
            time_zone: None,
            reflow: false,
        }
    }
}

/// One record file found in a folder.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub path: PathBuf,
    pub size: u64,
    /// Reached through a symbolic link (vetted by the walk), so opening it
    /// must follow that link; any other file is opened without following
    /// one, in case it was replaced by a link since.
    pub via_link: bool,
}

/// The record files a folder contributes, in a stable (sorted) order. Hidden
/// files and folders are skipped; links out of the folder are reported and
/// skipped unless `policy` follows them; FIFOs, devices and sockets named as
/// record files are reported. Files that no format reads (other than the
/// archive's own notes, see [`is_companion`]) are added to `skipped`.
pub(super) fn archive_files(
    root: &Path,
    policy: ReadPolicy,
    problems: &mut Vec<Problem>,
    skipped: &mut Vec<PathBuf>,
) -> Vec<Found> {
    let inside = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    // The filter below reports links in walk order, between the walk's own
    // problems.
    let found = RefCell::new(std::mem::take(problems));
    let mut files = Vec::new();
    let mut read = HashSet::new();
    let walk = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            if is_hidden(entry.file_name()) {
                return false;
            }
            if policy.follow_links || !entry.path_is_symlink() {
                return true;
            }
            let within = entry
                .path()
                .canonicalize()
                .is_ok_and(|target| target.starts_with(&inside));
            let relevant = entry.file_type().is_dir() || is_record_file(entry.path());
            if !within && relevant {
                found.borrow_mut().push(problem(
                    entry.path(),
                    "links outside the archive: skipped (--follow-links reads it)".into(),
                ));
            }
            within
        });
    for entry in walk {
        match entry {
            Ok(entry) if entry.file_type().is_dir() => {}
            Ok(entry) if !is_record_file(entry.path()) => {
                if entry.file_type().is_file() && !is_companion(entry.path()) {
                    skipped.push(entry.into_path());
                }
            }
            Ok(entry) if entry.file_type().is_file() => {
                let metadata = entry.metadata().ok();
                // A file reached twice (through a link inside the archive)
                // is read once: read again, its records would collide with
                // themselves as duplicate ids.
                let identity = metadata.as_ref().map(|meta| (meta.dev(), meta.ino()));
                if identity.is_some_and(|identity| !read.insert(identity)) {
                    continue;
                }
                let size = metadata.map_or(0, |metadata| metadata.len());
                let via_link = entry.path_is_symlink();
                files.push(Found {
                    path: entry.into_path(),
                    size,
                    via_link,
                });
            }
            Ok(entry) => {
                let what = kind_of(entry.file_type());
                found.borrow_mut().push(problem(
                    entry.path(),
                    format!("{what}, not a regular file: skipped"),
                ));
            }
            Err(err) => found.borrow_mut().push(problem(
                err.path().unwrap_or(root),
                format!("cannot read: {err}"),
            )),
        }
    }
    *problems = found.into_inner();
    files
}

fn problem(path: &Path, message: String) -> Problem {
    Problem::new(path, (1, 1), None, message, Severity::Error)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// Whether a file name is one some format reads.
pub(super) fn is_record_file(path: &Path) -> bool {
    !is_companion(path) && crate::formats::framing(path).is_some()
}

/// Whether a file is one of the archive's own notes rather than records:
/// its JSON Schema, or a README, licence, provenance or notice (in any
/// format), which an archive of public statements is expected to carry.
/// These are neither read nor reported as skipped.
pub(super) fn is_companion(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|name| name.to_string_lossy()) else {
        return false;
    };
    let stem = name
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    name.ends_with(".schema.json")
        || matches!(
            stem.as_str(),
            "README" | "LICENSE" | "LICENCE" | "COPYING" | "NOTICE" | "PROVENANCE"
        )
}

/// What a file that is not a regular file is, in words.
pub(super) fn kind_of(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

/// Opens a file for reading only if it is a regular file, giving it with its
/// size. Opening never waits (a FIFO would block until a writer came);
/// unless `follow_link`, a symbolic link is refused rather than followed.
///
/// # Errors
/// When the file cannot be opened or is not a regular file; the message
/// names what it is and never any of its content.
pub fn open_regular(path: &Path, follow_link: bool) -> io::Result<(File, u64)> {
    let mut flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    if !follow_link {
        flags |= OFlags::NOFOLLOW;
    }
    let file = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => File::from(fd),
        Err(rustix::io::Errno::LOOP) if !follow_link => {
            return Err(io::Error::other("is a symbolic link, not a regular file"));
        }
        Err(errno) => return Err(errno.into()),
    };
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        let what = kind_of(metadata.file_type());
        return Err(io::Error::other(format!("is {what}, not a regular file")));
    }
    Ok((file, metadata.len()))
}

/// A whole record file, at most the size it had when opened (a file that
/// grows while read is read again once it settles). A single-record `.json`
/// file bigger than the limit is not read at all.
///
/// # Errors
/// A message for the file's problem.
pub(super) fn read_whole(
    path: &Path,
    via_link: bool,
    policy: ReadPolicy,
) -> Result<Vec<u8>, String> {
    let (file, size) = open_regular(path, via_link).map_err(|err| format!("cannot read: {err}"))?;
    let mut file = file.take(size);
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    if size > policy.max_record_size && !super::is_lines_file(path) {
        // An array of records may be bigger than one record; anything else
        // is one record.
        let mut head = [0; 4096];
        let read = read_some(&mut file, &mut head).map_err(|err| format!("cannot read: {err}"))?;
        let start = &head[..read];
        let text = start.strip_prefix(super::records::BOM).unwrap_or(start);
        if text.iter().find(|byte| !byte.is_ascii_whitespace()) != Some(&b'[') {
            return Err(too_big(size, policy));
        }
        bytes.extend_from_slice(start);
    }
    file.read_to_end(&mut bytes)
        .map_err(|err| format!("cannot read: {err}"))?;
    Ok(bytes)
}

/// Reads until `buffer` is full or the file ends; returns the bytes read.
pub(super) fn read_some(file: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut read = 0;
    while read < buffer.len() {
        match file.read(&mut buffer[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(read)
}

/// The problem for a record over the limit.
pub(super) fn too_big(size: u64, policy: ReadPolicy) -> String {
    format!(
        "record is {}, more than the limit of {} (--max-record-size): skipped",
        show_size(size),
        show_size(policy.max_record_size)
    )
}

/// The problem for a line of JSON Lines found too long before its end.
pub(super) fn too_long(policy: ReadPolicy) -> String {
    format!(
        "record is longer than the limit of {} (--max-record-size): skipped",
        show_size(policy.max_record_size)
    )
}

/// A size in bytes as people write it: `64 MiB`, `1.5 GiB`, `300 bytes`.
fn show_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            if bytes.is_multiple_of(unit) {
                return format!("{} {name}", bytes / unit);
            }
            let tenths = (u128::from(bytes) * 10 + u128::from(unit) / 2) / u128::from(unit);
            return format!("{}.{} {name}", tenths / 10, tenths % 10);
        }
    }
    format!("{bytes} bytes")
}

/// Reads a size given on the command line: bytes, or a number with `K`,
/// `M` or `G` (binary units, `KiB`/`MB` spellings accepted).
///
/// # Errors
/// When the text is not such a size, or is zero.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let digits = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("{text:?} is not a size (e.g. 64M, 512K, 1G)")),
    };
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size (e.g. 64M, 512K, 1G)"))?;
    match number.checked_mul(1 << shift) {
        Some(0) => Err("the size must be more than 0".to_owned()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("{text:?} is too large")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("512 KiB"), Ok(512 << 10));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("1000"), Ok(1000));
        for bad in ["", "0", "-1", "1.5M", "12T", "M", "99999999999999G"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes_show_as_people_read_them() {
        assert_eq!(show_size(64 << 20), "64 MiB");
        assert_eq!(show_size(3 << 29), "1.5 GiB");
        assert_eq!(show_size(3070), "3.0 KiB");
        assert_eq!(show_size(300), "300 bytes");
    }
}
