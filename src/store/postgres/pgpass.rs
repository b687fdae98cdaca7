//! Passwords from the password file, as libpq reads it: `$PGPASSFILE`, else
//! `~/.pgpass`, one `host:port:database:user:password` a line, `*` matching
//! anything in the first four fields, `\:` and `\\` for a colon and a
//! backslash, `#` starting a comment. A file that others can read (or that
//! is not a plain file) is not used, as libpq refuses it.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

/// What a connection is to, as the password file's lines are matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target<'a> {
    /// The host name; for a Unix socket its folder, which also matches
    /// `localhost` (as libpq does for its default folder).
    pub host: &'a str,
    pub socket: bool,
    pub port: u16,
    pub database: &'a str,
    pub user: &'a str,
}

/// The password file's path: `$PGPASSFILE`, else `~/.pgpass`.
pub(super) fn path() -> Option<PathBuf> {
    std::env::var_os("PGPASSFILE")
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|home| !home.is_empty())
                .map(|home| PathBuf::from(home).join(".pgpass"))
        })
}

/// The password for `target` from the file at `path`, if it has one and
/// only its owner can read it.
pub(super) fn lookup(path: &Path, target: &Target<'_>) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.permissions().mode() & 0o077 != 0 {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    find(&text, target)
}

/// The first line of `text` that matches `target`, its password.
fn find(text: &str, target: &Target<'_>) -> Option<String> {
    let port = target.port.to_string();
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(fields)
        .find(|fields| {
            let [host, port_field, database, user, _] = fields;
            let host_matches =
                host == "*" || host == target.host || (target.socket && host == "localhost");
            host_matches
                && (port_field == "*" || *port_field == port)
                && (database == "*" || database == target.database)
                && (user == "*" || user == target.user)
        })
        .map(|[.., password]| password)
}

/// A line's five fields, unescaped; `None` for a line with fewer.
fn fields(line: &str) -> Option<[String; 5]> {
    let mut fields: Vec<String> = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut()?.push(next);
                }
            }
            // The password, last, may hold colons.
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut()?.push(c),
        }
    }
    fields.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target<'a>(host: &'a str, socket: bool, user: &'a str) -> Target<'a> {
        Target {
            host,
            socket,
            port: 5432,
            database: "triage",
            user,
        }
    }

    #[test]
    fn lines_match_by_field_with_wildcards_and_escapes() {
        let text = "# a comment\n\
                    db.example:5432:triage:alice:first\n\
                    *:*:*:bob:with\\:colon:and more\n\
                    localhost:*:triage:carol:by socket\n";
        let find = |host, socket, user| find(text, &target(host, socket, user));
        assert_eq!(find("db.example", false, "alice").as_deref(), Some("first"));
        assert_eq!(find("other.example", false, "alice"), None);
        assert_eq!(
            find("anywhere", false, "bob").as_deref(),
            Some("with:colon:and more")
        );
        assert_eq!(
            find("/run/postgresql", true, "carol").as_deref(),
            Some("by socket")
        );
        assert_eq!(find("localhost.example", false, "carol"), None);
        assert_eq!(find("db.example", false, "dave"), None);
    }

    #[test]
    fn a_file_others_can_read_is_not_used() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:*:secret\n").expect("write");
        let wanted = target("db", false, "alice");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert_eq!(lookup(&path, &wanted), None);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(lookup(&path, &wanted).as_deref(), Some("secret"));
    }
}
