//! Reaching PostgreSQL safely: a password never given on the command
//! line (from `$PGPASSWORD`, or the password file `~/.pgpass` /
//! `$PGPASSFILE` as libpq reads it), and TLS with the server's certificate
//! checked. The throwaway cluster of this test binary (`support::postgres`)
//! is told to ask one role for its password (`scram-sha-256`), and is
//! restarted listening on `localhost` with an authority and a certificate
//! made here (OpenSSL, as the crate uses); `communique state check` runs as
//! a separate process for each way in. `verify-full` passes only for the
//! host the certificate names, `verify-ca` only with the right authority,
//! `require` encrypts without checking (as libpq). The tests take turns
//! (one restarts the server).

mod support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{BasicConstraints, KeyUsage, SubjectAlternativeName};
use openssl::x509::{X509, X509NameBuilder};

/// The tests take turns: one restarts the server.
static SERVER: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn take_turn() -> std::sync::MutexGuard<'static, ()> {
    SERVER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

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
fn check_with(url: &str, home: &Path, env: &[(&str, &str)]) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_communique"));
    command.env(
        "XDG_CACHE_HOME",
        concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
    );
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
    let _turn = take_turn();
    password_role(cluster);
    let db = cluster.fresh_name();
    // The tables, made once by the cluster's owner (no password asked).
    communique::store::PgStore::open(&cluster.url(&db)).expect("create the tables");
    let url = cluster.url_as(&db, ROLE);
    let home = tempfile::tempdir().expect("home");

    // Asked for a password and given none: refused, and the message says
    // why without any password in it.
    let (ok, said) = check_with(&url, home.path(), &[]);
    assert!(!ok, "{said}");
    assert!(said.contains("password"), "{said}");

    let (ok, said) = check_with(&url, home.path(), &[("PGPASSWORD", "wrong")]);
    assert!(!ok, "{said}");
    assert!(!said.contains("wrong"), "{said}");

    let (ok, said) = check_with(&url, home.path(), &[("PGPASSWORD", PASSWORD)]);
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
    let (ok, said) = check_with(&url, home.path(), &[]);
    assert!(ok, "{said}");

    // Readable by others: not used, as libpq refuses it.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let (ok, said) = check_with(&url, home.path(), &[]);
    assert!(!ok, "{said}");

    // $PGPASSFILE names another file; wildcards match.
    let elsewhere = home.path().join("team.pgpass");
    write_private(&elsewhere, &format!("*:*:*:{ROLE}:{escaped}\n"), 0o600);
    let (ok, said) = check_with(
        &url,
        home.path(),
        &[("PGPASSFILE", &elsewhere.display().to_string())],
    );
    assert!(ok, "{said}");
}

fn key() -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(2048).expect("rsa")).expect("key")
}

/// A certificate for `name`, signed by `issuer` (itself when `None`: an
/// authority).
fn certificate(name: &str, key: &PKey<Private>, issuer: Option<(&X509, &PKey<Private>)>) -> X509 {
    let mut subject = X509NameBuilder::new().expect("name");
    subject.append_entry_by_text("CN", name).expect("CN");
    let subject = subject.build();
    let mut builder = X509::builder().expect("builder");
    builder.set_version(2).expect("version");
    let serial = BigNum::from_u32(rand_serial()).expect("serial");
    builder
        .set_serial_number(&serial.to_asn1_integer().expect("serial"))
        .expect("serial");
    builder.set_subject_name(&subject).expect("subject");
    builder.set_pubkey(key).expect("pubkey");
    builder
        .set_not_before(&Asn1Time::days_from_now(0).expect("time"))
        .expect("not before");
    builder
        .set_not_after(&Asn1Time::days_from_now(2).expect("time"))
        .expect("not after");
    match issuer {
        None => {
            builder.set_issuer_name(&subject).expect("issuer");
            builder
                .append_extension(BasicConstraints::new().critical().ca().build().expect("bc"))
                .expect("bc");
            builder
                .append_extension(
                    KeyUsage::new()
                        .critical()
                        .key_cert_sign()
                        .crl_sign()
                        .build()
                        .expect("usage"),
                )
                .expect("usage");
            builder.sign(key, MessageDigest::sha256()).expect("sign");
        }
        Some((ca, ca_key)) => {
            builder.set_issuer_name(ca.subject_name()).expect("issuer");
            let san = SubjectAlternativeName::new()
                .dns(name)
                .build(&builder.x509v3_context(Some(ca), None))
                .expect("san");
            builder.append_extension(san).expect("san");
            builder.sign(ca_key, MessageDigest::sha256()).expect("sign");
        }
    }
    builder.build()
}

fn rand_serial() -> u32 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    u32::try_from(random >> 33).unwrap_or(1).max(1)
}

/// Writes `bytes` to `path`, readable by the server's account alone (the
/// server refuses a key others can read).
fn write_for_server(cluster: &support::postgres::Cluster, path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    if let Some(owner) = &cluster.run_as {
        let user = nix::unistd::User::from_name(owner)
            .ok()
            .flatten()
            .expect("the server's account");
        std::os::unix::fs::chown(path, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
            .expect("chown");
    }
}

fn check(url: &str) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_communique"))
        .env(
            "XDG_CACHE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/cache"),
        )
        .args(["--state", url, "state", "check"])
        .env_remove("COMMUNIQUE_STATE")
        .env_remove("PGSSLROOTCERT")
        .output()
        .expect("run communique");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

#[test]
fn verify_full_checks_the_authority_and_the_host_name() {
    let Some(cluster) = support::postgres::cluster() else {
        return;
    };
    let _turn = take_turn();
    let db = cluster.fresh_name();
    communique::store::PgStore::open(&cluster.url(&db)).expect("create the tables");

    let ca_key = key();
    let ca = certificate("communique test authority", &ca_key, None);
    let server_key = key();
    let server = certificate("localhost", &server_key, Some((&ca, &ca_key)));
    let stranger_key = key();
    let stranger = certificate("some other authority", &stranger_key, None);

    let tls = cluster.dir.join("tls");
    std::fs::create_dir_all(&tls).expect("tls folder");
    let cert_file = tls.join("server.crt");
    let key_file = tls.join("server.key");
    write_for_server(cluster, &cert_file, &server.to_pem().expect("pem"));
    write_for_server(
        cluster,
        &key_file,
        &server_key.private_key_to_pem_pkcs8().expect("pem"),
    );
    let ca_file = tls.join("root.crt");
    std::fs::write(&ca_file, ca.to_pem().expect("pem")).expect("ca");
    let stranger_file = tls.join("other.crt");
    std::fs::write(&stranger_file, stranger.to_pem().expect("pem")).expect("other ca");
    // The tls folder is the test's; the server's account must reach it.
    if let Some(owner) = &cluster.run_as {
        let user = nix::unistd::User::from_name(owner)
            .ok()
            .flatten()
            .expect("the server's account");
        std::os::unix::fs::chown(&tls, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
            .expect("chown");
    }

    cluster.server_stop().expect("stop");
    cluster
        .server_start_with(&format!(
            "-c listen_addresses=localhost -c ssl=on -c ssl_cert_file='{}' -c ssl_key_file='{}'",
            cert_file.display(),
            key_file.display()
        ))
        .expect("start with TLS");

    let url = |host: &str, mode: &str, root: &Path| {
        format!(
            "postgres://communique@{host}:{}/{db}?sslmode={mode}&sslrootcert={}",
            cluster.port,
            root.display()
        )
    };
    let (ok, said) = check(&url("localhost", "verify-full", &ca_file));
    assert!(ok, "{said}");
    assert!(said.contains("communique schema"), "{said}");

    // The certificate names localhost, not 127.0.0.1.
    let (ok, said) = check(&url("127.0.0.1", "verify-full", &ca_file));
    assert!(!ok, "verify-full must check the host name: {said}");
    let (ok, said) = check(&url("127.0.0.1", "verify-ca", &ca_file));
    assert!(ok, "verify-ca does not check the host name: {said}");

    // Signed by an authority the client does not trust.
    let (ok, said) = check(&url("localhost", "verify-full", &stranger_file));
    assert!(!ok, "{said}");
    assert!(
        said.contains("certificate") || said.contains("TLS"),
        "{said}"
    );
    let (ok, said) = check(&url("localhost", "verify-ca", &stranger_file));
    assert!(!ok, "{said}");
    // require: encrypted, not checked (libpq's meaning).
    let (ok, said) = check(&url("localhost", "require", &stranger_file));
    assert!(ok, "{said}");
}
