//! The files on disk around a state file: what is found at its path before
//! SQLite reads a byte, the `.lock` taken while opening, and the modes that
//! let a team share them.
//!
//! Nothing here follows a symbolic link: the state path, its `-wal`, `-shm`,
//! `-journal` and `.lock` are refused when they are links (SQLite itself opens
//! its files with `O_NOFOLLOW` too). A folder that its group may write (and
//! others may not) is a team folder: a state file or lock created there is
//! made `0660` and given the folder's group, whatever the umask, and SQLite
//! gives the `-wal` and `-shm` the state file's mode. Files of ours found
//! there without group write (left by an older communique, or made by a
//! read-only open) get it back, so one teammate's files never lock the
//! others out.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use rustix::fs::OFlags;

use super::StoreError;
use super::schema::BUSY_TIMEOUT;

/// Files SQLite or communique keep beside the state file.
pub(super) const COMPANIONS: [&str; 4] = ["-wal", "-shm", "-journal", ".lock"];

/// The mode of a file created in a team folder: owner and group read and write.
const TEAM_MODE: u32 = 0o660;

/// Whether the state's folder is shared by its group, and which group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sharing {
    /// Only its owner writes the folder (or everyone may, as in `/tmp`):
    /// files keep the modes the umask gives them.
    Private,
    /// The group may write the folder and others may not.
    Team { gid: u32 },
}

impl Sharing {
    /// How the folder holding `path` is shared.
    pub(super) fn of(path: &Path) -> Sharing {
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."));
        match fs::metadata(folder) {
            Ok(meta) if meta.mode() & 0o020 != 0 && meta.mode() & 0o002 == 0 => {
                Sharing::Team { gid: meta.gid() }
            }
            _ => Sharing::Private,
        }
    }
}

/// What is at the state path, judged from its metadata alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Found {
    Missing,
    /// A regular file of no bytes: ours to initialise.
    Empty,
    /// A regular file with something in it, for SQLite to judge.
    File,
}

/// `<path><suffix>`, e.g. `triage.db-wal`.
pub(super) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn refused(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::Refused {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Refuses a state path that is a symbolic link, or one with a link planted
/// beside it where SQLite or the lock would open a file.
pub(super) fn refuse_links(path: &Path) -> Result<(), StoreError> {
    let is_link = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    if is_link(path) {
        return Err(StoreError::Symlink(path.to_path_buf()));
    }
    for suffix in COMPANIONS {
        let companion = with_suffix(path, suffix);
        if is_link(&companion) {
            return Err(refused(
                path,
                format!(
                    "has a symbolic link beside it, {}, and communique never follows one: remove it",
                    companion.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Opens `path` without following a link and without waiting (a FIFO does
/// not block), and checks it is a regular file.
fn open_regular(path: &Path, options: &mut OpenOptions) -> std::io::Result<File> {
    let flags = OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY;
    let file = options
        .custom_flags(flags.bits().cast_signed())
        .open(path)?;
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(std::io::Error::other("not a regular file"))
    }
}

/// What is at `path`. Refuses a folder, a FIFO, device or socket: none is
/// a state file, and none is ever opened, moved or written. Only metadata
/// is read: opening and closing a file of the store here would drop the
/// POSIX locks SQLite holds on it in this process.
pub(super) fn examine(path: &Path) -> Result<Found, StoreError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) => return Err(refused(path, format!("cannot be looked at ({e})"))),
    };
    if meta.is_dir() {
        return Err(refused(path, "is a directory: give the path of a file"));
    }
    if meta.file_type().is_symlink() {
        return Err(StoreError::Symlink(path.to_path_buf()));
    }
    if !meta.is_file() {
        return Err(refused(
            path,
            "is not a regular file (a FIFO, device or socket)",
        ));
    }
    Ok(if meta.len() == 0 {
        Found::Empty
    } else {
        Found::File
    })
}

/// The application id in the header of a file SQLite cannot read, or
/// `None` when it does not even start as a SQLite database does. Only for
/// a file SQLite has failed on: opening and closing it here drops any locks
/// this process holds on it, which do not matter on a file no one can use.
pub(super) fn damaged_header_id(path: &Path) -> Option<i32> {
    const MAGIC: &[u8; 16] = b"SQLite format 3\0";
    const APPLICATION_ID_AT: usize = 68;
    let mut header = Vec::with_capacity(100);
    open_regular(path, OpenOptions::new().read(true))
        .and_then(|file| file.take(100).read_to_end(&mut header))
        .ok()?;
    if !header.starts_with(MAGIC) {
        return None;
    }
    Some(
        header
            .get(APPLICATION_ID_AT..APPLICATION_ID_AT + 4)
            .and_then(|bytes| bytes.try_into().ok())
            .map_or(0, i32::from_be_bytes),
    )
}

/// The refusal for a file that is not a SQLite database at all.
pub(super) fn not_a_database(path: &Path) -> StoreError {
    refused(
        path,
        "is not a communique state file (it is not a SQLite database); it was left as it is",
    )
}

/// The refusal for another program's SQLite database.
pub(super) fn not_ours(path: &Path) -> StoreError {
    refused(
        path,
        "is not a communique state file (it is another SQLite database); it was left as it is",
    )
}

/// Creates the state file empty, with the team's mode and group in a team
/// folder; elsewhere SQLite creates it as usual. `Ok` when it exists already.
pub(super) fn create(path: &Path, sharing: Sharing) -> Result<(), StoreError> {
    let Sharing::Team { gid } = sharing else {
        return Ok(());
    };
    let created = open_regular(
        path,
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(TEAM_MODE),
    );
    // There already, or not creatable (a read-only folder, say), which
    // SQLite then reports in its own words.
    if created.is_ok() {
        share(path, gid);
    }
    Ok(())
}

/// Gives a file of ours in a team folder the folder's group and group
/// write. Another's file cannot be changed (only its owner may): that
/// failure is left for SQLite to report. The file is reached through an
/// `O_PATH` descriptor: it follows no link, and closing it (unlike closing
/// a descriptor opened for reading) leaves SQLite's locks on the file alone.
fn share(path: &Path, gid: u32) {
    use rustix::fs::{AtFlags, FileType, Gid, Mode};
    let Ok(fd) = rustix::fs::open(
        path,
        OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    ) else {
        return;
    };
    let Ok(stat) = rustix::fs::fstat(&fd) else {
        return;
    };
    if !FileType::from_raw_mode(stat.st_mode).is_file() {
        return;
    }
    if stat.st_gid != gid {
        let _ = rustix::fs::chownat(&fd, "", None, Some(Gid::from_raw(gid)), AtFlags::EMPTY_PATH);
    }
    let mode = stat.st_mode & 0o7777;
    if mode & TEAM_MODE != TEAM_MODE {
        // chmod has no "this descriptor" form for O_PATH; its /proc link
        // names exactly the file opened.
        use std::os::fd::AsRawFd;
        let _ = fs::set_permissions(
            format!("/proc/self/fd/{}", fd.as_raw_fd()),
            fs::Permissions::from_mode(mode | TEAM_MODE),
        );
    }
}

/// After an open in a team folder: the state file, its `-wal`, `-shm` and
/// lock, where they are ours, get the folder's group and group write (a
/// read-only open may just have made the `-shm` with the state file's mode).
pub(super) fn share_ours(path: &Path, sharing: Sharing) {
    let Sharing::Team { gid } = sharing else {
        return;
    };
    for suffix in ["", "-wal", "-shm", ".lock"] {
        share(&with_suffix(path, suffix), gid);
    }
}

/// The first of the state file's `-wal` and `-shm` that is there and that
/// this user may not write: a teammate's leftover that makes the whole
/// store read-only, worth naming.
pub(super) fn unwritable_companion(path: &Path) -> Option<PathBuf> {
    use rustix::fs::Access;
    ["-wal", "-shm"]
        .iter()
        .map(|suffix| with_suffix(path, suffix))
        .find(|companion| {
            companion.exists() && rustix::fs::access(companion, Access::WRITE_OK).is_err()
        })
}

/// An exclusive lock on `<state file>.lock`, held while opening, so that
/// processes opening at the same moment take turns. Never follows a link;
/// refuses anything but a regular file there; waits at most
/// [`BUSY_TIMEOUT`] for another holder. `None` when there is nowhere to
/// make one (a read-only folder: there is nothing to create either).
pub(super) fn lock(path: &Path, sharing: Sharing) -> Result<Option<File>, StoreError> {
    let lock_path = with_suffix(path, ".lock");
    let mode = match sharing {
        Sharing::Team { .. } => TEAM_MODE,
        Sharing::Private => 0o644,
    };
    let opened = open_regular(
        &lock_path,
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(mode),
    )
    // A teammate's lock file we may not write still locks when read.
    .or_else(|_| open_regular(&lock_path, OpenOptions::new().read(true)));
    let file = match opened {
        Ok(file) => file,
        Err(_) => {
            return match fs::symlink_metadata(&lock_path) {
                Ok(meta) if meta.file_type().is_symlink() => Err(refused(
                    path,
                    format!(
                        "has a symbolic link beside it, {}, and communique never follows one: remove it",
                        lock_path.display()
                    ),
                )),
                Ok(meta) if !meta.is_file() => Err(refused(
                    path,
                    format!(
                        "has {} beside it, which is not a regular file: remove it",
                        lock_path.display()
                    ),
                )),
                _ => Ok(None),
            };
        }
    };
    if let Sharing::Team { gid } = sharing {
        share(&lock_path, gid);
    }
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(file)),
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(5));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Busy(path.to_path_buf()));
            }
            // A filesystem without locks: open unlocked, as before locks were taken.
            Err(fs::TryLockError::Error(_)) => return Ok(None),
        }
    }
}

/// Renames `from` to `to` only if nothing is at `to` (a link there is not
/// replaced either).
pub(super) fn rename_new(from: &Path, to: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags};
    match rustix::fs::renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(()),
        // A filesystem without RENAME_NOREPLACE: look, then rename.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {
            if fs::symlink_metadata(to).is_ok() {
                Err(ErrorKind::AlreadyExists.into())
            } else {
                fs::rename(from, to)
            }
        }
        Err(errno) => Err(errno.into()),
    }
}

/// Which file is at `path` (device and inode), without following a link.
pub(super) fn identity(path: &Path) -> Option<(u64, u64)> {
    fs::symlink_metadata(path)
        .ok()
        .map(|meta| (meta.dev(), meta.ino()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_its_group_may_write_is_a_team_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("triage.db");
        for (mode, team) in [
            (0o700, false),
            (0o2770, true),
            (0o775, true),
            (0o1777, false),
        ] {
            fs::set_permissions(dir.path(), fs::Permissions::from_mode(mode)).expect("chmod");
            assert_eq!(
                matches!(Sharing::of(&file), Sharing::Team { .. }),
                team,
                "{mode:o}"
            );
        }
    }
}
