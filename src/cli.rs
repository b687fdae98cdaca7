//! Command-line arguments (parsed by clap) and the headless commands. The
//! browser itself lives in [`crate::app`]; everything here writes plain text
//! or JSON to stdout, so it works in pipes and scripts.

mod check;
mod closed_stdout;
mod contacts;
mod list;
mod mark;
mod show;
mod signatories;
mod state;
mod usage;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::settings::{Chosen, Settings};

/// Browse, search and triage archives of official statements.
#[derive(Debug, Parser)]
#[command(name = "communique", version, about, long_about = None, after_help = usage::BROWSER)]
pub struct Cli {
    /// The archive: a folder of statement files, or one file. Else
    /// $COMMUNIQUE_ARCHIVE, else `[paths] archive` in the configuration,
    /// else ./archive (in restricted mode: this flag, else ./archive).
    #[arg(long, global = true, value_name = "PATH")]
    pub archive: Option<PathBuf>,

    /// The triage state: a SQLite file, or a PostgreSQL database
    /// (postgres://user@host/db, for staff on several hosts). Point several
    /// staff at one to triage together. Else $COMMUNIQUE_STATE, else `[paths] state` in the
    /// configuration, else $XDG_STATE_HOME/communique/triage.db (in
    /// restricted mode: this flag, else ~/.local/state/communique/triage.db).
    #[arg(long, global = true, value_name = "PATH|URL")]
    pub state: Option<PathBuf>,

    /// The cache folder, where the browser keeps each archive's full-text
    /// index between runs. Else $XDG_CACHE_HOME/communique, else
    /// ~/.cache/communique (in restricted mode: only this flag; without
    /// it nothing is kept).
    #[arg(long, global = true, value_name = "DIR")]
    pub cache: Option<PathBuf>,

    /// The configuration file (keys, colours, columns, sort, paths).
    /// Default: $XDG_CONFIG_HOME/communique/config.toml; in restricted mode
    /// only this flag names one.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Watch the archive by polling every 2 s instead of change events
    /// (for network filesystems such as NFS, where events do not arrive).
    #[arg(long)]
    pub poll: bool,

    /// Capture the mouse in the browser: wheel scrolls, click selects.
    /// Off by default so text can be selected with the mouse over SSH.
    #[arg(long)]
    pub mouse: bool,

    /// Follow symbolic links in the archive that lead out of its folder (by
    /// default only links to files and folders inside it are read, and one
    /// leading out is reported). Not allowed in restricted mode.
    #[arg(long, global = true)]
    pub follow_links: bool,

    /// The largest record read: a single-record .json file, one element of
    /// an array, or one line of JSON Lines (bytes, or with K, M or G). A
    /// bigger one is reported and skipped.
    #[arg(
        long,
        global = true,
        value_name = "SIZE",
        default_value = "64M",
        value_parser = crate::loader::parse_size
    )]
    pub max_record_size: u64,

    /// Restricted mode, for a forced SSH command: no shell, no suspend, and
    /// paths come from the command line only. Also on when the environment
    /// variable COMMUNIQUE_RESTRICTED is set (to anything); nothing turns it off.
    #[arg(long)]
    pub restricted: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// How the archive's files are read: which links are followed, how big
    /// a record may be.
    ///
    /// # Errors
    /// `--follow-links` in restricted mode (as resolved in [`Settings`]).
    pub fn read_policy(&self, restricted: bool) -> anyhow::Result<crate::loader::ReadPolicy> {
        if restricted && self.follow_links {
            anyhow::bail!(
                "--follow-links is not allowed in restricted mode: \
                 links out of the archive are never followed there"
            );
        }
        Ok(crate::loader::ReadPolicy {
            follow_links: self.follow_links,
            max_record_size: self.max_record_size,
            ..crate::loader::ReadPolicy::default()
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report every problem in the archive as path:line:col: message.
    #[command(after_help = usage::CHECK)]
    Check {
        /// Also report fields the record format does not define.
        #[arg(long)]
        strict: bool,
        /// Also name each file skipped because no format reads it.
        #[arg(long, short)]
        verbose: bool,
    },
    /// List statements, newest first, or ranked by a query.
    #[command(after_help = usage::LIST)]
    List {
        /// A query, as typed in the browser's search line. It may start
        /// with a dash (`--query -year:2016`), as `git log --grep` takes.
        #[arg(long, short, allow_hyphen_values = true)]
        query: Option<String>,
        /// Print at most this many statements.
        #[arg(long, short = 'n')]
        limit: Option<usize>,
        /// Print a JSON array of records in the native format.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV for a spreadsheet: date, kind, title, id, signatory
        /// count, url and marks, with a header row.
        #[arg(long)]
        csv: bool,
        /// Write the CSV to this file instead of standard output (not
        /// allowed in restricted mode, where nothing is written to disk).
        #[arg(long, short, value_name = "FILE", requires = "csv")]
        output: Option<PathBuf>,
    },
    /// Count statements by month, year, kind, organisation, signatory
    /// country or signatory: the numbers behind the browser's timelines.
    #[command(after_help = usage::STATS)]
    Stats {
        /// Count only what this query matches (as `list --query`; it may
        /// start with a dash).
        #[arg(long, short, allow_hyphen_values = true)]
        query: Option<String>,
        /// What to count by. Months and years come in order, empty ones
        /// included; the others most first.
        #[arg(long, value_enum)]
        by: crate::signatories::Dimension,
        /// Print JSON: {by, query, statements, counts: [{value, count}]}.
        #[arg(long)]
        json: bool,
    },
    /// A signatory's page: every statement they signed (newest first), a
    /// timeline, and who signs with them most. A signatory is an office
    /// (role with country or organisation) when the records name one, so
    /// one page holds every holder of it.
    #[command(after_help = usage::SIGNATORY)]
    Signatory {
        /// Words of the office or of a name ("foreign affairs, japan",
        /// "blinken"). Exits 1 when none matches or several do (they are
        /// listed).
        #[arg(required = true, value_name = "NAME")]
        name: Vec<String>,
        /// Print the page as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Compare two statements' signatories: who signed both, who only the
    /// earlier, who is new in the later, and the later one's usual
    /// co-signers who did not sign it.
    #[command(after_help = usage::COMPARE)]
    Compare {
        /// A statement's id (as `list` prints it).
        first: String,
        /// The other statement's id.
        second: String,
        /// Print the comparison as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Look up media contacts: press offices' emails, phone numbers and
    /// out-of-hours lines, from every statement and GOV.UK contact item.
    /// Exits 1 when nothing matches.
    #[command(after_help = usage::CONTACTS)]
    Contacts {
        /// Words that must all match the organisation, name, email, phone
        /// number (digits alone work: 0207008) or notes; none lists every
        /// contact.
        #[arg(value_name = "QUERY")]
        query: Vec<String>,
        /// Print a JSON array of entries.
        #[arg(long, conflicts_with = "vcard")]
        json: bool,
        /// Print vCard 4.0 cards, for a phone or address book.
        #[arg(long)]
        vcard: bool,
    },
    /// Triage from scripts: mark statements by id, or every statement a
    /// query matches, in the shared state file.
    #[command(after_help = usage::MARK)]
    Mark {
        /// Statement ids (as `list` prints them).
        #[arg(
            value_name = "ID",
            required_unless_present = "query",
            conflicts_with = "query"
        )]
        ids: Vec<String>,
        /// Mark every statement this query matches instead (it may start
        /// with a dash: `--query -is:read`).
        #[arg(long, short, allow_hyphen_values = true)]
        query: Option<String>,
        #[command(flatten)]
        options: mark::MarkOptions,
    },
    /// Check the configuration file, or print a commented default one.
    #[command(after_help = usage::CONFIG)]
    Config {
        /// Print the full default configuration, every key and colour.
        #[arg(long)]
        default: bool,
    },
    /// Move triage state between a SQLite file and PostgreSQL, or check it.
    #[command(subcommand, after_help = usage::STATE)]
    State(state::StateCommand),
    /// Print one statement whole.
    #[command(after_help = usage::SHOW)]
    Show {
        /// The statement's id (as `list --json` prints it).
        id: String,
        /// Print the record as native JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a headless command with the resolved settings, returning the
/// process's exit code. Problems in the configuration are one line on
/// stderr (all of them from `communique config`).
///
/// # Errors
/// When standard output is closed, the archive cannot be opened or output
/// cannot be written.
pub fn run_command(settings: &Settings, command: &Command) -> anyhow::Result<ExitCode> {
    if !matches!(command, Command::Config { .. })
        && let Some(summary) = problems_summary(&settings.problems)
    {
        eprintln!("communique: {summary}");
    }
    closed_stdout::refuse()?;
    let archive = settings.archive.value.as_path();
    let policy = settings.read_policy.clone().map_err(anyhow::Error::msg)?;
    let source = crate::catalog::Source::new(
        archive,
        policy,
        settings.cache.as_ref().map(|chosen| chosen.value.as_path()),
    );
    let state = settings.state.as_ref().map(|chosen| chosen.value.as_path());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let code = match command {
        Command::Check { strict, verbose } => {
            check::run(archive, policy, *strict, *verbose, &mut out)?
        }
        Command::List {
            query,
            limit,
            json,
            csv,
            output,
        } => {
            let format = match (*json, *csv) {
                (true, _) => list::Format::Json,
                (_, true) => list::Format::Csv,
                _ => list::Format::Lines,
            };
            let query = query.as_deref();
            match output {
                Some(path) => {
                    if settings.restricted.value {
                        anyhow::bail!(
                            "--output is not allowed in restricted mode: nothing is written \
                             to disk there (leave it out to print the CSV)"
                        );
                    }
                    let file = std::fs::File::create(path)
                        .with_context(|| format!("writing {}", path.display()))?;
                    let mut file = std::io::BufWriter::new(file);
                    let code = list::run(&source, state.ok(), query, *limit, format, &mut file)?;
                    file.flush()
                        .with_context(|| format!("writing {}", path.display()))?;
                    code
                }
                None => list::run(&source, state.ok(), query, *limit, format, &mut out)?,
            }
        }
        Command::Stats { query, by, json } => {
            signatories::stats(&source, state.ok(), query.as_deref(), *by, *json, &mut out)?
        }
        Command::Signatory { name, json } => {
            signatories::signatory(&source, &name.join(" "), *json, &mut out)?
        }
        Command::Compare {
            first,
            second,
            json,
        } => signatories::compare_command(&source, first, second, *json, &mut out)?,
        Command::Mark {
            ids,
            query,
            options,
        } => mark::run(
            &source,
            state.map_err(|err| anyhow::anyhow!("{err}"))?,
            ids,
            query.as_deref(),
            options,
            &mut out,
        )?,
        Command::Show { id, json } => show::run(&source, state.ok(), id, *json, &mut out)?,
        Command::Config { default } => config_command(settings, *default, &mut out)?,
        Command::State(command) => state::run(command, state.map_err(Clone::clone), &mut out)?,
        Command::Contacts { query, json, vcard } => contacts::run(
            &source,
            &query.join(" "),
            contacts::Format::from_flags(*json, *vcard),
            &mut out,
        )?,
    };
    out.flush()?;
    Ok(code)
}

/// The first problem, and how many more there are, in one line.
#[must_use]
pub fn problems_summary(problems: &[String]) -> Option<String> {
    let first = problems.first()?;
    let more = match problems.len() {
        1 => String::new(),
        n => format!(" (and {} more: communique config)", n - 1),
    };
    Some(format!("{first}{more}"))
}

/// `communique config`: the default text; or the problems of the file in
/// use, then where each path comes from.
fn config_command(
    settings: &Settings,
    default: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    if default {
        out.write_all(crate::config::default_config_text().as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &settings.problems {
        write_clean(out, problem)?;
    }
    let count = match settings.problems.len() {
        1 => "1 problem".to_owned(),
        n => format!("{n} problems"),
    };
    match &settings.config_file {
        Some(file) => {
            let state = if file.value.exists() {
                ""
            } else {
                " (not there: defaults apply)"
            };
            write_clean(out, &format!("{}{state}: {count}", file.value.display()))?;
        }
        None => writeln!(
            out,
            "no configuration file (restricted mode reads only --config): {count}"
        )?,
    }
    write_clean(out, &chosen_line("archive", &settings.archive))?;
    match &settings.state {
        Ok(state) => write_clean(out, &chosen_line("state", state))?,
        Err(err) => write_clean(out, &format!("state: none ({err})"))?,
    }
    Ok(if settings.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// "archive: /srv/statements ($COMMUNIQUE_ARCHIVE)".
fn chosen_line(name: &str, chosen: &Chosen<PathBuf>) -> String {
    format!("{name}: {} ({})", chosen.value.display(), chosen.origin)
}

/// Whether an error is only a closed pipe (`communique list | head`), which is
/// not a failure.
#[must_use]
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    // serde_json wraps I/O errors without exposing them as a source.
    err.chain().any(|cause| {
        let io = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind);
        let json = cause
            .downcast_ref::<serde_json::Error>()
            .and_then(serde_json::Error::io_error_kind);
        io.or(json) == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// Loads the archive for a command, reporting problems only through `check`.
fn load(source: &crate::catalog::Source) -> anyhow::Result<crate::loader::Archive> {
    crate::catalog::load_with_bodies(source)
}

/// As [`load`], leaving bodies on disk (for commands that show none, or
/// read back only those they print): from the catalog snapshot when the
/// archive is unchanged.
fn load_without_bodies(source: &crate::catalog::Source) -> anyhow::Result<crate::loader::Archive> {
    crate::catalog::load(source).map(|(archive, _)| archive)
}

/// Writes a line, treating it as untrusted archive text.
fn write_clean(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    writeln!(out, "{}", crate::sanitize::clean_line(text))
}

/// Prints a message to stderr as `communique: …`, cleaned as one line: a
/// message may echo a path, an id or a query that holds terminal controls.
/// For a command whose shelved catalog held a statement damaged past the
/// snapshot's checksums (`err`): says so, and throws the snapshot away, so
/// that the command, run again, reads the archive and keeps a new one.
fn read_again(source: &crate::catalog::Source, err: &anyhow::Error) {
    warn(&format!("{err:#}; reading the archive instead"));
    if let Some(folder) = &source.cache {
        crate::catalog::snapshot::discard(folder, &source.root);
    }
}

pub fn warn(message: &str) {
    eprintln!("communique: {}", crate::sanitize::clean_line(message));
}

/// A small archive for the commands' tests: one JSON Lines file of
/// `count` statements `s1`…, a day apart in January 2024, each with a
/// title, summary and body that name Japan, and a cache folder beside it.
#[cfg(test)]
fn small_archive(dir: &std::path::Path, count: usize) -> crate::catalog::Source {
    let root = dir.join("archive");
    std::fs::create_dir(&root).expect("folder");
    let lines: Vec<String> = (1..=count)
        .map(|n| {
            serde_json::json!({"id": format!("s{n}"), "title": format!("Japan statement {n}"),
                   "published": format!("2024-01-{n:02}"), "summary": "Japan.",
                   "body": format!("Body {n}.")})
            .to_string()
        })
        .collect();
    std::fs::write(root.join("all.jsonl"), lines.join("\n")).expect("written");
    let cache = dir.join("cache");
    crate::catalog::Source::new(&root, crate::loader::ReadPolicy::default(), Some(&cache))
}
