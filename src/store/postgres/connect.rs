//! Reaching the server: the address taken apart into what the client
//! library reads and what we read ourselves (`sslmode=verify-ca` and
//! `verify-full`, `sslrootcert`, which it does not know), the login from
//! `$PGUSER` or the account, the password from `$PGPASSWORD` or the
//! password file (`$PGPASSFILE`, `~/.pgpass`), and TLS
//! through OpenSSL with the checks the mode asks for.

use std::path::PathBuf;
use std::time::Duration;

use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use postgres::Client;
use postgres_openssl::MakeTlsConnector;

use super::super::StoreError;

/// How long connecting may take before the server counts as unreachable.
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How a failure to reach the server (rather than a refusal by it) begins.
pub(super) const UNREACHABLE: &str = "the server cannot be reached";

/// The role `url` logs in as, as connecting chooses it: the address's
/// user, else `$PGUSER`, else the account's own name.
#[must_use]
pub fn login_name(url: &str) -> String {
    split_address(url)
        .ok()
        .and_then(|address| address.rest.parse::<postgres::Config>().ok())
        .and_then(|config| config.get_user().map(str::to_owned))
        .or_else(|| std::env::var("PGUSER").ok().filter(|user| !user.is_empty()))
        .unwrap_or_else(super::super::account_name)
}

/// How the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// `disable`: no TLS.
    Plain,
    /// `prefer` or `require`: encrypted when (or because) asked, the
    /// certificate not checked (libpq's meaning).
    Encrypted,
    /// `verify-ca`: signed by a trusted authority.
    Authority,
    /// `verify-full`: that, and issued for the host connected to.
    Full,
}

/// The address with its TLS parameters taken out.
struct Address {
    /// What `postgres::Config` parses.
    rest: String,
    check: Check,
    root_cert: Option<PathBuf>,
}

/// `url` without a password (`postgres://alice:secret@db/t` →
/// `postgres://alice@db/t`): how a database is named in messages.
#[must_use]
pub fn redact(url: &str) -> String {
    let Some((scheme, after)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = after.find(['/', '?']).unwrap_or(after.len());
    let (authority, tail) = after.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            format!("{scheme}://{user}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

fn split_address(url: &str) -> Result<Address, StoreError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut check = None;
    let mut root_cert = None;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", mode)) => {
                check = Some(match mode {
                    "disable" => Check::Plain,
                    "prefer" | "require" | "allow" => Check::Encrypted,
                    "verify-ca" => Check::Authority,
                    "verify-full" => Check::Full,
                    other => {
                        return Err(StoreError::Invalid(format!(
                            "unknown sslmode {other:?} in the state address: use disable, prefer, require, verify-ca or verify-full"
                        )));
                    }
                });
                if mode != "prefer" && mode != "allow" {
                    kept.push(if mode == "disable" {
                        "sslmode=disable"
                    } else {
                        "sslmode=require"
                    });
                }
            }
            Some(("sslrootcert", path)) => root_cert = Some(PathBuf::from(path)),
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok(Address {
        rest,
        check: check.unwrap_or(Check::Encrypted),
        root_cert,
    })
}

/// Connects to `url`; gives the client and the address to name it by.
pub(super) fn connect(url: &str) -> Result<(Client, String), StoreError> {
    let place = redact(url);
    let cannot = |reason: String| StoreError::CannotOpen {
        path: place.clone().into(),
        reason,
    };
    let address = split_address(url)?;
    let mut config: postgres::Config = address
        .rest
        .parse()
        .map_err(|e| cannot(format!("the address is not one PostgreSQL reads ({e})")))?;
    if config.get_password().is_none()
        && let Some(password) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty())
    {
        config.password(password.as_encoded_bytes());
    }
    // As libpq: $PGUSER, else the account's own name.
    if config.get_user().is_none() {
        let user = std::env::var("PGUSER")
            .ok()
            .filter(|user| !user.is_empty())
            .unwrap_or_else(super::super::account_name);
        config.user(&user);
    }
    if config.get_password().is_none()
        && let Some(password) = password_file_entry(&config)
    {
        config.password(password);
    }
    config.connect_timeout(CONNECT_TIMEOUT);
    // A link cut without a word (no reset) is noticed within about half a
    // minute rather than the system's two hours: the browser's database
    // thread then reconnects while changes wait in its journal.
    config.keepalives(true);
    config.keepalives_idle(Duration::from_secs(10));
    config.keepalives_interval(Duration::from_secs(5));
    config.keepalives_retries(3);
    config.tcp_user_timeout(Duration::from_secs(30));
    config.application_name("communique");
    let client = if address.check == Check::Plain {
        config.connect(postgres::NoTls)
    } else {
        let tls = tls(address.check, address.root_cert)
            .map_err(|e| cannot(format!("TLS could not be set up ({e})")))?;
        config.connect(tls)
    };
    let client = client.map_err(|e| {
        cannot(match e.as_db_error() {
            // Starting up or shutting down: as good as not there yet.
            Some(db) if *db.code() == postgres::error::SqlState::CANNOT_CONNECT_NOW => {
                format!("{UNREACHABLE} ({})", db.message())
            }
            Some(db) => db.message().to_owned(),
            None if e.to_string().starts_with("invalid configuration") => {
                let why = std::error::Error::source(&e).map(ToString::to_string);
                match why.as_deref() {
                    Some("password missing") => "the server asks for a password and none was given (set PGPASSWORD, or put it in ~/.pgpass)".to_owned(),
                    Some(why) => format!("{e}: {why}"),
                    None => e.to_string(),
                }
            }
            None => format!("{UNREACHABLE} ({e})"),
        })
    })?;
    Ok((client, place))
}

/// The password for the connection `config` describes from the password
/// file (`$PGPASSFILE` or `~/.pgpass`), as libpq finds it.
fn password_file_entry(config: &postgres::Config) -> Option<String> {
    use postgres::config::Host;
    let file = super::pgpass::path()?;
    let user = config.get_user()?;
    let (host, socket) = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => (host.clone(), false),
        Some(Host::Unix(dir)) => (dir.display().to_string(), true),
        None => ("localhost".to_owned(), true),
    };
    super::pgpass::lookup(
        &file,
        &super::pgpass::Target {
            host: &host,
            socket,
            port: config.get_ports().first().copied().unwrap_or(5432),
            database: config.get_dbname().unwrap_or(user),
            user,
        },
    )
}

fn tls(
    check: Check,
    root_cert: Option<PathBuf>,
) -> Result<MakeTlsConnector, openssl::error::ErrorStack> {
    let mut builder = SslConnector::builder(SslMethod::tls())?;
    let root_cert = root_cert
        .or_else(|| std::env::var_os("PGSSLROOTCERT").map(PathBuf::from))
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".postgresql/root.crt"))
                .filter(|path| path.is_file())
        });
    if let Some(path) = root_cert.filter(|_| check != Check::Encrypted) {
        builder.set_ca_file(path)?;
    }
    if check == Check::Encrypted {
        builder.set_verify(SslVerifyMode::NONE);
    }
    let mut connector = MakeTlsConnector::new(builder.build());
    if check != Check::Full {
        connector.set_callback(|ssl, _| {
            ssl.set_verify_hostname(false);
            Ok(())
        });
    }
    Ok(connector)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_reaches_a_message() {
        assert_eq!(
            redact("postgres://alice:s3cret@db.example/triage?sslmode=verify-full"),
            "postgres://alice@db.example/triage?sslmode=verify-full"
        );
        assert_eq!(redact("postgres://alice@db/t"), "postgres://alice@db/t");
        assert_eq!(
            redact("postgresql:///t?host=/run/postgresql"),
            "postgresql:///t?host=/run/postgresql"
        );
    }

    #[test]
    fn tls_modes_the_client_library_lacks_are_read_here() {
        let address = split_address(
            "postgres://a@db/t?sslmode=verify-full&sslrootcert=/etc/ca.pem&port=5433",
        )
        .expect("address");
        assert_eq!(address.check, Check::Full);
        assert_eq!(address.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(address.rest, "postgres://a@db/t?sslmode=require&port=5433");
        let plain = split_address("postgres://a@db/t?sslmode=disable").expect("plain");
        assert_eq!(plain.check, Check::Plain);
        assert_eq!(plain.rest, "postgres://a@db/t?sslmode=disable");
        assert!(split_address("postgres://a@db/t?sslmode=sometimes").is_err());
    }
}
