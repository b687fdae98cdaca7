//! Per-keystroke re-rank as the browser sees it while typing: the query is
//! typed one character at a time into an index whose kept results are cleared
//! first (so each prefix is new, as when typing, and kept results help only as
//! they do live), and each search is timed. Then the query is backspaced to
//! its first character, timed apart. Prints each prefix's median and maximum,
//! and the median, p99 and maximum over all keys.
//!
//! ```sh
//! cargo run --release --example generate -- --count 100000 --format jsonl --out target/bench-data/100k.jsonl
//! cargo run --release --example typing -- target/bench-data/100k.jsonl
//! ```

use std::path::PathBuf;
use std::time::Instant;

use communique::loader::{LoadOptions, load};
use communique::search::{Index, parse};

/// The browser's allocator, so the figures are the browser's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROUNDS: usize = 5;

/// Times each keystroke's re-rank while a query is typed, then backspaced,
/// over an archive (the browser's search, off the drawing thread).
#[derive(Debug, clap::Parser)]
#[command(
    name = "typing",
    after_help = "Examples:
  cargo run --release --example generate -- --count 100000 --out target/bench-data/100k.jsonl
  cargo run --release --example typing -- target/bench-data/100k.jsonl
  cargo run --release --example typing -- target/bench-data/100k.jsonl 'minister korea'"
)]
struct Args {
    /// The archive to search (a file or folder).
    #[arg(default_value = "target/bench-data/100k.jsonl")]
    archive: PathBuf,
    /// The query typed, one character at a time.
    #[arg(default_value = "foreign affairs japan", allow_hyphen_values = true)]
    query: String,
}

fn main() -> anyhow::Result<()> {
    let Args {
        archive: path,
        query,
    } = clap::Parser::parse();
    let archive = load(&path, LoadOptions::default())?;
    println!(
        "{} statements from {}",
        archive.statements.len(),
        path.display()
    );
    let started = Instant::now();
    let index = Index::new(&archive.statements);
    println!("index built in {:.0} ms", millis(started));

    let prefixes: Vec<&str> = query
        .char_indices()
        .map(|(at, c)| &query[..at + c.len_utf8()])
        .collect();
    let mut typing: Vec<Vec<f64>> = vec![Vec::new(); prefixes.len()];
    let mut backspacing = Vec::new();
    let mut hits = vec![0; prefixes.len()];
    for _ in 0..ROUNDS {
        index.clear_cache();
        for (at, prefix) in prefixes.iter().enumerate() {
            let (time, count) = timed(&index, prefix)?;
            typing[at].push(time);
            hits[at] = count;
        }
        for prefix in prefixes.iter().rev().skip(1) {
            backspacing.push(timed(&index, prefix)?.0);
        }
    }

    println!("{:>26} {:>8} {:>8} {:>8}", "typed", "hits", "median", "max");
    for ((prefix, times), count) in prefixes.iter().zip(&mut typing).zip(&hits) {
        times.sort_by(f64::total_cmp);
        println!(
            "{:>26} {count:>8} {:>8.1} {:>8.1}",
            format!("{prefix:?}"),
            quantile(times, 0.5),
            quantile(times, 1.0)
        );
    }
    let mut all: Vec<f64> = typing.into_iter().flatten().collect();
    summary("keystrokes", &mut all);
    summary("backspaces", &mut backspacing);
    Ok(())
}

/// One search for `prefix`: milliseconds taken and hits found.
fn timed(index: &Index, prefix: &str) -> anyhow::Result<(f64, usize)> {
    let parsed = parse(prefix).map_err(|err| anyhow::anyhow!("{err}"))?;
    let started = Instant::now();
    let hits = index.search(&parsed);
    let time = millis(started);
    Ok((time, std::hint::black_box(hits).len()))
}

fn millis(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// The value at `q` (0 to 1) of sorted `times`.
fn quantile(times: &[f64], q: f64) -> f64 {
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let at = ((times.len().saturating_sub(1)) as f64 * q).round() as usize;
    times.get(at).copied().unwrap_or(f64::NAN)
}

fn summary(what: &str, times: &mut [f64]) {
    times.sort_by(f64::total_cmp);
    println!(
        "{} {what}: median {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        quantile(times, 0.5),
        quantile(times, 0.99),
        quantile(times, 1.0)
    );
}
