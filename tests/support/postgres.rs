//! A throwaway PostgreSQL cluster for the tests: `initdb` in a temporary
//! folder (as the `postgres` account, or `nobody`, when the tests run as
//! root: initdb refuses root), a server listening only on a Unix socket in
//! that folder under a random port number, one fresh database per test.
//!
//! One cluster serves a whole test binary. A watchdog started with it stops
//! it (`pg_ctl stop -m immediate`) and removes its folder once the test
//! process has gone. When PostgreSQL cannot be started, [`cluster`] panics
//! under `COMMUNIQUE_CI=1` (CI installs it, so that is a failure) and
//! otherwise says so on stderr and gives `None`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A running cluster.
#[derive(Debug)]
pub struct Cluster {
    /// The temporary folder: `data/`, the socket, the log.
    pub dir: PathBuf,
    pub bin: PathBuf,
    pub port: u16,
    /// The account the server runs as when the tests run as root.
    pub run_as: Option<String>,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// The cluster of this test binary, started on first use.
///
/// # Panics
/// Under `COMMUNIQUE_CI=1` when PostgreSQL cannot be started.
pub fn cluster() -> Option<&'static Cluster> {
    match CLUSTER.get_or_init(Cluster::start) {
        Ok(cluster) => Some(cluster),
        Err(why) if std::env::var_os("COMMUNIQUE_CI").is_some() => {
            panic!("PostgreSQL could not be started, and CI needs it: {why}")
        }
        Err(why) => {
            eprintln!("NOT RUN against PostgreSQL (it could not be started: {why})");
            None
        }
    }
}

/// The folder holding the newest PostgreSQL's `initdb`: Debian's
/// `/usr/lib/postgresql/<version>/bin`, else the one on `$PATH`.
fn find_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    })
}

impl Cluster {
    fn start() -> Result<Cluster, String> {
        let bin = find_bin().ok_or("no initdb found (apt-get install postgresql)")?;
        let dir = tempfile::Builder::new()
            .prefix("communique-pg-")
            .tempdir()
            .map_err(|e| format!("temporary folder: {e}"))?
            .keep();
        let run_as = if nix::unistd::geteuid().is_root() {
            let name = ["postgres", "nobody"]
                .into_iter()
                .find(|name| matches!(nix::unistd::User::from_name(name), Ok(Some(_))))
                .ok_or("running as root with neither a postgres nor a nobody account")?;
            let user = nix::unistd::User::from_name(name)
                .ok()
                .flatten()
                .ok_or("account vanished")?;
            std::os::unix::fs::chown(&dir, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
                .map_err(|e| format!("chown {}: {e}", dir.display()))?;
            Some(name.to_owned())
        } else {
            None
        };
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let port = 20_000 + u16::try_from((std::process::id() ^ nanos) % 40_000).unwrap_or(0);
        let cluster = Cluster {
            dir,
            bin,
            port,
            run_as,
        };
        cluster.watch();
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "communique",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        cluster.server_start()?;
        Ok(cluster)
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    /// Starts the server (again) and waits until it accepts connections.
    ///
    /// # Errors
    /// What `pg_ctl` said when it did not start.
    pub fn server_start(&self) -> Result<(), String> {
        self.server_start_with("")
    }

    /// Starts the server (again) with more `-c name=value` settings, which
    /// win over the usual ones (`listen_addresses=localhost` and TLS for a
    /// test of certificates).
    ///
    /// # Errors
    /// What `pg_ctl` said when it did not start.
    pub fn server_start_with(&self, settings: &str) -> Result<(), String> {
        let options = format!(
            "-k {} -p {} -c listen_addresses='' -c fsync=off -c max_connections=200 {settings}",
            self.dir.display(),
            self.port
        );
        let log = self.dir.join("log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        )
    }

    /// Stops the server at once, as a crash or a cut link would.
    ///
    /// # Errors
    /// What `pg_ctl` said.
    pub fn server_stop(&self) -> Result<(), String> {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        )
    }

    /// Runs one of PostgreSQL's programs as the cluster's owner.
    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let path = self.bin.join(program);
        let mut command = match &self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(&path);
                command
            }
            None => Command::new(&path),
        };
        let output = command
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{program}: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} failed ({}): {}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// Stops the server and removes the folder once this process is gone.
    fn watch(&self) {
        let as_owner = self
            .run_as
            .as_ref()
            .map_or_else(String::new, |user| format!("runuser -u {user} -- "));
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
             {as_owner}'{bin}/pg_ctl' -D '{data}' -m immediate stop >/dev/null 2>&1; \
             rm -rf '{dir}'",
            pid = std::process::id(),
            bin = self.bin.display(),
            data = self.data(),
            dir = self.dir.display(),
        );
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }

    /// The address of the database `name` on this cluster, as its superuser.
    #[must_use]
    pub fn url(&self, name: &str) -> String {
        self.url_as(name, "communique")
    }

    /// The address of the database `name`, logging in as `role` (its name
    /// percent-encoded, as a URL needs).
    #[must_use]
    pub fn url_as(&self, name: &str, role: &str) -> String {
        let role: String = role
            .bytes()
            .map(|byte| {
                if byte.is_ascii_alphanumeric() || byte == b'_' {
                    char::from(byte).to_string()
                } else {
                    format!("%{byte:02X}")
                }
            })
            .collect();
        format!(
            "postgres://{role}@/{name}?host={}&port={}",
            self.dir.display(),
            self.port
        )
    }

    /// Makes `role` a login role (a superuser, as test roles need no
    /// grants), unless it exists; tests running at once may ask together.
    ///
    /// # Panics
    /// When the server refuses.
    pub fn role(&self, role: &str) {
        let quoted = role.replace('"', "\"\"");
        self.sql(
            "postgres",
            &format!(
                "DO $$ BEGIN CREATE ROLE \"{quoted}\" LOGIN SUPERUSER; \
                 EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            ),
        );
    }

    /// The address of a new empty database; `name` gives its name alone.
    #[must_use]
    pub fn fresh_name(&self) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::Relaxed)
        );
        self.sql("postgres", &format!("CREATE DATABASE {name}"));
        name
    }

    /// A new empty database; gives its address.
    ///
    /// # Panics
    /// When the server refuses.
    #[must_use]
    pub fn fresh_database(&self) -> String {
        let name = self.fresh_name();
        self.url(&name)
    }

    /// Runs `sql` on database `db` as the cluster's superuser.
    ///
    /// # Panics
    /// When it fails.
    pub fn sql(&self, db: &str, sql: &str) {
        let mut client = postgres::Client::connect(&self.url(db), postgres::NoTls)
            .expect("connect as superuser");
        client.batch_execute(sql).expect("superuser SQL");
    }

    #[must_use]
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }
}
