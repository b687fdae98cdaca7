//! Measures the full-text index (issue 16) on a generated archive: how long
//! SQLite FTS5 takes to index every statement's title, summary and body in
//! the indexer's batches, how big the index is on disk, and how long a
//! `text:` term takes to find every statement holding it (with BM25):
//!
//! ```sh
//! cargo run --release --example generate -- --count 100000 --format jsonl \
//!     --out target/bench-data/100k.jsonl
//! cargo run --release --example fulltext -- target/bench-data/100k.jsonl \
//!     target/bench-data/100k.fts5
//! ```
//!
//! The same texts read the same way go into tantivy for the comparison in
//! docs/benchmarks.md.

use std::io::BufRead;
use std::path::PathBuf;
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
  cargo run --release --example fulltext -- target/bench-data/100k.jsonl target/bench-data/100k.fts5"
)]
struct Args {
    /// The archive: one JSON Lines file.
    #[arg(default_value = "target/bench-data/100k.jsonl")]
    input: PathBuf,
    /// The index file to write (replaced if it is there).
    #[arg(default_value = "target/bench-data/100k.fts5")]
    output: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let Args { input, output } = clap::Parser::parse();
    let _ = std::fs::remove_file(&output);
    let index = FullText::create(&output)?;
    let file =
        std::fs::File::open(&input).with_context(|| format!("opening {}", input.display()))?;
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
    let took = started.elapsed();
    let size = std::fs::metadata(&output)?.len();
    let archive = std::fs::metadata(&input)?.len();
    println!(
        "indexed {count} statements in {took:.1?}; index {:.0} MB, {:.1}% of the archive's {:.0} MB",
        size as f64 / 1e6,
        size as f64 * 100.0 / archive as f64,
        archive as f64 / 1e6
    );
    for value in [
        "ballistic missile",
        "ballistic",
        "sanction*",
        "global non-proliferation regime",
    ] {
        let term = TextTerm::parse(value).context("a term")?;
        for ranked in [true, false] {
            let mut times: Vec<Duration> = Vec::new();
            let mut hits = 0;
            for _ in 0..21 {
                let started = Instant::now();
                hits = index.matching_with(&term, ranked)?.len();
                times.push(started.elapsed());
            }
            times.sort();
            println!(
                "text:{}: {hits} statements, median {:.2?} ({})",
                term.shown(),
                times[times.len() / 2],
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
