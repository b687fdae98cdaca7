//! Measures the full-text index (issue 16) on a generated archive: how long
//! the full-text index (tantivy) takes to index every statement's title,
//! summary and body in the indexer's batches, how big the index (a folder)
//! is on disk, and how long a `text:` term takes to find every statement
//! holding it (with BM25):
//!
//! ```sh
//! cargo run --release --example generate -- --count 100000 --format jsonl \
//!     --out target/bench-data/100k.jsonl
//! cargo run --release --example fulltext -- target/bench-data/100k.jsonl \
//!     target/bench-data/100k.text
//! ```
//!
//! With `--existing` nothing is built: the index already at the output path
//! (kept from an earlier run) is opened and only the queries are timed, so a
//! query can be timed side by side with its anchor in one run:
//!
//! ```sh
//! hyperfine -N -w2 -r10 \
//!     "target/release/examples/fulltext --existing --runs 1 --ranking bm25 \
//!         --query 'ballistic missile' target/bench-data/1m.jsonl target/bench-data/1m.text" \
//!     "rg -c -i 'ballistic missile' target/bench-data/1m.jsonl"
//! ```
//!
//! The same texts read the same way went into SQLite FTS5 for the
//! comparison in docs/benchmarks.md.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use communique::search::{FullText, TextTerm};

/// Statements in one transaction, as the browser's indexer writes them.
const BATCH: usize = 2_000;

/// Builds the full-text index of a JSON Lines archive in a file, then times
/// `text:` terms over it.
#[derive(Debug, clap::Parser)]
#[command(
    name = "fulltext",
    after_help = "Examples:
  cargo run --release --example generate -- --count 100000 --format jsonl --out target/bench-data/100k.jsonl
  cargo run --release --example fulltext -- target/bench-data/100k.jsonl target/bench-data/100k.text"
)]
struct Args {
    /// The archive: one JSON Lines file.
    #[arg(default_value = "target/bench-data/100k.jsonl")]
    input: PathBuf,
    /// The index file to write (replaced if it is there).
    #[arg(default_value = "target/bench-data/100k.text")]
    output: PathBuf,
    /// Build nothing: time the queries on the index already at the output
    /// path, built by an earlier run over the same archive.
    #[arg(long)]
    existing: bool,
    /// A `text:` term's value to time (repeatable); without it, four terms
    /// from a phrase to a common word.
    #[arg(long = "query", value_name = "TERM")]
    queries: Vec<String>,
    /// Searches for each term and ranking; the median is printed.
    #[arg(long, default_value_t = 21)]
    runs: usize,
    /// Time the search with BM25 ranking, without it, or both.
    #[arg(long, default_value = "both", value_parser = ["both", "bm25", "none"])]
    ranking: String,
}

/// The terms timed when none is given.
const TERMS: &[&str] = &[
    "ballistic missile",
    "ballistic",
    "sanction*",
    "global non-proliferation regime",
];

fn main() -> anyhow::Result<()> {
    let args: Args = clap::Parser::parse();
    let index = if args.existing {
        anyhow::ensure!(
            args.output.join("meta.json").is_file(),
            "no index at {} to time: build it first, without --existing",
            args.output.display()
        );
        FullText::at(&args.output)?
    } else {
        build(&args.input, &args.output)?
    };
    let size = folder_size(&args.output)?;
    let archive = std::fs::metadata(&args.input)?.len();
    println!(
        "index {:.0} MB, {:.1}% of the archive's {:.0} MB",
        size as f64 / 1e6,
        size as f64 * 100.0 / archive as f64,
        archive as f64 / 1e6
    );
    let queries: Vec<&str> = if args.queries.is_empty() {
        TERMS.to_vec()
    } else {
        args.queries.iter().map(String::as_str).collect()
    };
    let rankings: &[bool] = match args.ranking.as_str() {
        "bm25" => &[true],
        "none" => &[false],
        _ => &[true, false],
    };
    for value in queries {
        let term = TextTerm::parse(value).context("a term")?;
        for &ranked in rankings {
            let mut times: Vec<Duration> = Vec::new();
            let mut hits = 0;
            for _ in 0..args.runs.max(1) {
                let started = Instant::now();
                hits = index.matching_with(&term, ranked)?.len();
                times.push(started.elapsed());
            }
            times.sort();
            println!(
                "text:{}: {hits} statements, median {:.2?} of {} ({})",
                term.shown(),
                times[times.len() / 2],
                times.len(),
                if ranked {
                    "every hit with BM25"
                } else {
                    "every hit, no ranking"
                }
            );
        }
    }
    Ok(())
}

/// Indexes every statement of the JSON Lines archive at `input` into a new
/// index at `output`, in the browser indexer's batches, and says how long
/// it took.
fn build(input: &Path, output: &Path) -> anyhow::Result<FullText> {
    if output.exists() {
        std::fs::remove_dir_all(output)
            .with_context(|| format!("removing the old index {}", output.display()))?;
    }
    let index = FullText::at(output)?;
    let file =
        std::fs::File::open(input).with_context(|| format!("opening {}", input.display()))?;
    let started = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    let mut count = 0;
    for line in std::io::BufReader::new(file).lines() {
        let record: serde_json::Value = serde_json::from_str(&line?)?;
        let mut text = record["title"].as_str().unwrap_or_default().to_owned();
        for field in ["summary", "body"] {
            if let Some(part) = record[field].as_str() {
                text.push('\n');
                text.push_str(part);
            }
        }
        batch.push(text);
        if batch.len() == BATCH {
            index.add(count, &batch)?;
            count += batch.len();
            batch.clear();
        }
    }
    index.add(count, &batch)?;
    count += batch.len();
    println!("indexed {count} statements in {:.1?}", started.elapsed());
    Ok(index)
}

/// The size of every file in `folder`.
fn folder_size(folder: &Path) -> anyhow::Result<u64> {
    let mut size = 0;
    for entry in
        std::fs::read_dir(folder).with_context(|| format!("reading {}", folder.display()))?
    {
        size += entry?.metadata()?.len();
    }
    Ok(size)
}
