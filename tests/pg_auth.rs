//! Logging in to PostgreSQL with a password, never given on the command
//! line: from `$PGPASSWORD`, or from the password file (`~/.pgpass`,
//! `$PGPASSFILE`) as libpq reads it. The throwaway cluster of this test
//! binary (`support::postgres`) is told to ask one role for its password
//! (`scram-sha-256`); `communique state check` runs as a separate process
//! with a home of its own.

mod support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;

const ROLE: &str = "pw_alice";
const PASSWORD: &str = "S3cret: with colon";

/// Makes `ROLE` log in with `PASSWORD` on the cluster's socket (once).
fn password_role(cluster: &support::postgres::Cluster) {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        cluster.sql(
            "postgres",
            &format!("CREATE ROLE {ROLE} LOGIN SUPERUSER PASSWORD '{PASSWORD}'"),
        );
        let hba = cluster.dir.join("data").join("pg_hba.conf");
        let before = std::fs::read_to_string(&hba).expect("read pg_hba.conf");
        std::fs::write(&hba, format!("local all {ROLE} scram-sha-256\n{before}"))
            .expect("write pg_hba.conf");
        cluster.sql("postgres", "SELECT pg_reload_conf()");
    });
}

/// `communique state check` on `url` with `home` as its home and `env`.
fn check(url: &str, home: &Path, env: &[(&str, &str)]) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_communique"));
    command
        .args(["--state", url, "state", "check"])
        .env("HOME", home)
        .env_remove("PGPASSWORD")
        .env_remove("PGPASSFILE")
        .env_remove("COMMUNIQUE_STATE");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("run communique");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

fn write_private(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn a_password_comes_from_pgpassword_or_the_password_file_never_the_address() {
    let Some(cluster) = support::postgres::cluster() else {
        return;
    };
    password_role(cluster);
    let db = cluster.fresh_name();
    // The tables, made once by the cluster's owner (no password asked).
    communique::store::PgStore::open(&cluster.url(&db)).expect("create the tables");
    let url = cluster.url_as(&db, ROLE);
    let home = tempfile::tempdir().expect("home");

    // Asked for a password and given none: refused, and the message says
    // why without any password in it.
    let (ok, said) = check(&url, home.path(), &[]);
    assert!(!ok, "{said}");
    assert!(said.contains("password"), "{said}");

    let (ok, said) = check(&url, home.path(), &[("PGPASSWORD", "wrong")]);
    assert!(!ok, "{said}");
    assert!(!said.contains("wrong"), "{said}");

    let (ok, said) = check(&url, home.path(), &[("PGPASSWORD", PASSWORD)]);
    assert!(ok, "{said}");

    // ~/.pgpass: the socket's folder names the host; a colon is escaped.
    let escaped = PASSWORD.replace('\\', "\\\\").replace(':', "\\:");
    let socket = cluster.socket_dir().display().to_string();
    let pgpass = home.path().join(".pgpass");
    write_private(
        &pgpass,
        &format!(
            "# the team's database\nother.example:*:*:{ROLE}:not this\n{socket}:{}:{db}:{ROLE}:{escaped}\n",
            cluster.port
        ),
        0o600,
    );
    let (ok, said) = check(&url, home.path(), &[]);
    assert!(ok, "{said}");

    // Readable by others: not used, as libpq refuses it.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let (ok, said) = check(&url, home.path(), &[]);
    assert!(!ok, "{said}");

    // $PGPASSFILE names another file; wildcards match.
    let elsewhere = home.path().join("team.pgpass");
    write_private(&elsewhere, &format!("*:*:*:{ROLE}:{escaped}\n"), 0o600);
    let (ok, said) = check(
        &url,
        home.path(),
        &[("PGPASSFILE", &elsewhere.display().to_string())],
    );
    assert!(ok, "{said}");
}
