//! Reading the config file from disk without trusting what the path names:
//! only a regular file is read, and at most [`MAX_BYTES`] of it. A FIFO
//! would block start-up until someone writes to it, and a device such as
//! `/dev/zero` never ends; either would hang the browser before it draws.

use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt as _, OpenOptionsExt as _};
use std::path::Path;

/// The largest config file read: far more than any set of bindings needs
/// (the full default file is about 8 KB).
pub const MAX_BYTES: u64 = 1 << 20;

/// The file's text; `Ok(None)` when there is no file; `Err` says why it was
/// not read.
pub(super) fn read(path: &Path) -> Result<Option<String>, String> {
    // Non-blocking, so opening a FIFO with no writer returns at once (it is
    // refused below); a regular file reads as usual.
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits().cast_signed())
        .open(path);
    let file = match opened {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(format!("cannot read the config file: {err}")),
    };
    // The type of what was opened, not of what the path named a moment ago.
    let metadata = file
        .metadata()
        .map_err(|err| format!("cannot read the config file: {err}"))?;
    if !metadata.is_file() {
        return Err(format!(
            "the config file is {}, not a regular file; the defaults apply",
            kind(&metadata.file_type())
        ));
    }
    let too_big = || {
        format!(
            "the config file is larger than {} KiB; the defaults apply",
            MAX_BYTES / 1024
        )
    };
    if metadata.len() > MAX_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    // One byte over the cap shows a file that grew since it was opened.
    Read::take(file, MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| format!("cannot read the config file: {err}"))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_big());
    }
    String::from_utf8(bytes).map(Some).map_err(|err| {
        format!(
            "the config file is not UTF-8 (at byte {})",
            err.utf8_error().valid_up_to()
        )
    })
}

fn kind(file_type: &std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_none_and_a_regular_one_is_read() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let path = folder.path().join("config.toml");
        assert_eq!(read(&path), Ok(None));
        std::fs::write(&path, "[list]\n").expect("writing");
        assert_eq!(read(&path), Ok(Some("[list]\n".to_owned())));
    }

    #[test]
    fn a_device_or_a_directory_is_refused_unread() {
        assert_eq!(
            read(Path::new("/dev/zero")),
            Err(
                "the config file is a character device, not a regular file; the defaults apply"
                    .into()
            )
        );
        let folder = tempfile::tempdir().expect("a temporary folder");
        assert_eq!(
            read(folder.path()),
            Err("the config file is a directory, not a regular file; the defaults apply".into())
        );
    }

    #[test]
    fn a_file_over_the_cap_is_refused() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let path = folder.path().join("config.toml");
        let at_cap = vec![b'#'; usize::try_from(MAX_BYTES).expect("fits")];
        std::fs::write(&path, &at_cap).expect("writing");
        assert!(read(&path).is_ok_and(|text| text.is_some()));
        let mut over = at_cap;
        over.push(b'\n');
        std::fs::write(&path, &over).expect("writing");
        assert_eq!(
            read(&path),
            Err("the config file is larger than 1024 KiB; the defaults apply".into())
        );
    }

    #[test]
    fn text_that_is_not_utf8_is_refused() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let path = folder.path().join("config.toml");
        std::fs::write(&path, b"[list]\n\xff").expect("writing");
        assert_eq!(
            read(&path),
            Err("the config file is not UTF-8 (at byte 7)".into())
        );
    }
}
