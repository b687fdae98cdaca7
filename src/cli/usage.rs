//! Examples of real use shown at the end of `--help` (and `-h`), one block
//! per command: what a press officer would type, not the grammar again.

/// `communique --help`.
pub const BROWSER: &str = "\
Examples:
  communique                              browse ./archive (or $COMMUNIQUE_ARCHIVE)
  communique --archive /srv/statements    browse another archive
  communique --state /srv/team/triage.db  triage with colleagues on one state file
  communique --state 'postgres://alice@db.example/triage?sslmode=verify-full'
                                          ...or on one database, from several hosts
  communique list --help                  the headless commands: check, list, stats, signatory,
                                          compare, contacts, mark, config, show, state";

/// `communique check --help`.
pub const CHECK: &str = "\
Examples:
  communique check                        every problem in ./archive, as path:line:col: message
  communique check --strict               also fields the record format does not define
  communique --archive inbox/ check       another archive (exits 1 when a record has a problem)";

/// `communique list --help`.
pub const LIST: &str = "\
Examples:
  communique list -n 20                   the 20 newest statements
  communique list --query 'japan korea'   ranked by the browser's fuzzy search
  communique list --query 'org:fcdo year:2024 -is:withdrawn'
  communique list --query -year:2016      a query may start with a dash
  communique list --query \"'COVID-19\"     an exact phrase (as fzf's ')
  communique list --query 'is:flagged tag:urgent' --json
                                          records with their triage marks, as JSON
  communique list --query 'sig:japan year:2024' --csv > briefing.csv
  communique list --csv -o briefing.csv   the same, to a file (not in restricted mode)
The query language is in the README (\"Query language\") and the browser's help (?).";

/// `communique contacts --help`.
pub const CONTACTS: &str = "\
Examples:
  communique contacts fcdo                the FCDO's press office lines
  communique contacts 0207008             by digits of a phone number
  communique contacts 'out of hours' --vcard > press.vcf
  communique contacts --json              every contact, as JSON";

/// `communique mark --help`.
pub const MARK: &str = "\
Examples:
  communique mark dprk-russia-ballistic-missile-transfers-2024-01-12 --flag --tag urgent
  communique mark --query 'is:unread sig:japan' --status 'in review'
  communique mark --query -is:read --read  a query may start with a dash
  communique mark ID --note 'Desk to reply by 5pm'   (an empty --note '' removes it)
Marks are saved with your name ($COMMUNIQUE_USER, else $USER) in the state file.";

/// `communique config --help`.
pub const CONFIG: &str = "\
Examples:
  communique config                       problems in the configuration, and where each path comes from
  communique config --default > ~/.config/communique/config.toml
                                          start from the commented defaults";

/// `communique show --help`.
pub const SHOW: &str = "\
Examples:
  communique show dprk-russia-ballistic-missile-transfers-2024-01-12
  communique show ID --json               the record as native JSON, with its triage marks
Ids are the last column of `communique list` and the `id` of `list --json`.";

/// `communique state --help`.
pub const STATE: &str = "\
Examples:
  communique state check                  which database holds the state, and is it healthy
  communique state migrate --from ~/.local/state/communique/triage.db \\
      --to 'postgres://press@db.example/triage?sslmode=verify-full'
                                          move a team's SQLite file to PostgreSQL (again: no harm)
  communique state migrate --from 'postgres://press@db.example/triage' --to backup.db
                                          and back, or a copy as a file";
/// `communique stats --help`.
pub const STATS: &str = "\
Examples:
  communique stats --by month --query 'loc:ukraine'    statements on Ukraine, month by month
  communique stats --by year                           the whole archive, year by year
  communique stats --by country --query 'kind:\"news story\" dprk'
                                                       who signs on the DPRK most
  communique stats --by signatory --json               every signatory's count, as JSON
Months and years come in order with the empty ones between; the rest most first.";

/// `communique signatory --help`.
pub const SIGNATORY: &str = "\
Examples:
  communique signatory foreign affairs japan   Japan's foreign minister, whoever held the post
  communique signatory blinken                 by a holder's name
  communique signatory 'High Representative' --json
A signatory is an office (role with country or organisation) when the records
name one: \"Minister of Foreign Affairs, Japan\" across years is one page, with
every holder's name listed.";

/// `communique compare --help`.
pub const COMPARE: &str = "\
Examples:
  communique compare ID ID                     who signed both, who only the earlier, who is new
  communique compare ID ID --json
Ids are the last column of `communique list`. Usual co-signers are those who
signed most of the ten latest earlier statements with similar signatories.";
