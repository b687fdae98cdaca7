//! Refusing to run a headless command whose standard output is closed
//! (`communique list >&-`): its output would go nowhere, yet it would exit 0.
//!
//! A write to a closed descriptor fails with EBADF, which is not a broken
//! pipe and must not pass for success; but Rust's runtime never lets it
//! happen: before `main` it reopens a closed stdout on `/dev/null` for
//! reading and writing. That is what is looked for here. A shell's
//! `>/dev/null` opens it for writing only, so discarding output on purpose
//! still works.

use std::os::unix::fs::{FileTypeExt, MetadataExt};

use rustix::fs::OFlags;

/// Fails when standard output was closed when the program started.
///
/// # Errors
/// When it was.
pub fn refuse() -> anyhow::Result<()> {
    if was_closed() {
        anyhow::bail!(
            "standard output is closed, so nothing could be written; nothing was done (to discard the output, send it to /dev/null with >/dev/null)"
        );
    }
    Ok(())
}

fn was_closed() -> bool {
    let stdout = std::io::stdout();
    let Ok(flags) = rustix::fs::fcntl_getfl(&stdout) else {
        return true;
    };
    if flags & OFlags::RWMODE != OFlags::RDWR {
        return false;
    }
    let (Ok(ours), Ok(null)) = (rustix::fs::fstat(&stdout), std::fs::metadata("/dev/null")) else {
        return false;
    };
    null.file_type().is_char_device()
        && rustix::fs::FileType::from_raw_mode(ours.st_mode).is_char_device()
        && ours.st_rdev == null.rdev()
}
