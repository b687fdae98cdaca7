//! Per-keystroke re-rank as the browser sees it while typing: the query is
//! typed one character at a time into a fresh index (so each prefix is new,
//! as when typing, and the per-word cache helps only as it does live), and
//! each search is timed. Prints the median, p99 and maximum over all keys.
//!
//! ```sh
//! cargo run --release --example generate -- --count 100000 --format jsonl --out target/bench-data/100k.jsonl
//! cargo run --release --example typing -- target/bench-data/100k.jsonl
//! ```

use std::path::PathBuf;
use std::time::Instant;

use communique::loader::{LoadOptions, load};
use communique::search::{Index, parse};

fn main() -> anyhow::Result<()> {
    let path = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/bench-data/100k.jsonl".into()),
    );
    let query = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "foreign affairs japan".into());
    let rounds = 5;
    let archive = load(&path, LoadOptions::default())?;
    println!(
        "{} statements from {}",
        archive.statements.len(),
        path.display()
    );
    let mut times = Vec::new();
    for _ in 0..rounds {
        let index = Index::new(&archive.statements);
        for end in 1..=query.len() {
            let parsed = parse(&query[..end]).map_err(|err| anyhow::anyhow!("{err}"))?;
            let started = Instant::now();
            let hits = index.search(&parsed);
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(hits);
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{} keystrokes: median {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    Ok(())
}
