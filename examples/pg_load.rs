//! How many browsers one PostgreSQL serves (issue 17, item 7): N browsers'
//! worth of triage traffic on one database, each a connection of its own
//! doing what a browser does: marks (one transaction each, announced with
//! NOTIFY) and a check for others' changes every quarter second. Prints
//! marks per second, how long a mark takes (median, 95th and 99th
//! percentile), and how many notifications reached the browsers.
//!
//! ```sh
//! cargo run --release --example pg_load -- 'postgres:///load?host=/tmp/pg&port=5432'
//! ```

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use communique::store::{Change, PgStore, TriageStore as _};

/// Simulated browsers marking statements on one PostgreSQL database.
#[derive(Debug, clap::Parser)]
#[command(
    name = "pg_load",
    after_help = "Examples:
  cargo run --release --example pg_load -- 'postgres:///load?host=/tmp/pg&port=5432'
  cargo run --release --example pg_load -- --browsers 50 --marks 200 postgres://press@db/triage"
)]
struct Args {
    /// The database (created tables and all if new; use a scratch one).
    url: String,
    /// How many browsers.
    #[arg(long, default_value_t = 50)]
    browsers: usize,
    /// How many marks each browser makes.
    #[arg(long, default_value_t = 200)]
    marks: usize,
    /// The pause between one browser's marks, in milliseconds (0: as fast
    /// as the database takes them; a person makes one every few seconds).
    #[arg(long, default_value_t = 0)]
    pause: u64,
}

/// What one browser saw.
struct Seen {
    latencies: Vec<Duration>,
    notified: usize,
}

fn browser(args: &Args, index: usize, start: &Barrier) -> anyhow::Result<Seen> {
    let mut store = PgStore::open(&args.url)?;
    let mut latencies = Vec::with_capacity(args.marks);
    let mut notified = 0;
    let mut last_check = Instant::now();
    start.wait();
    for n in 0..args.marks {
        let change = Change::Flag {
            ids: vec![format!("load-{index}-{n}")],
            flagged: true,
        };
        let began = Instant::now();
        store.apply(&change)?;
        latencies.push(began.elapsed());
        if last_check.elapsed() >= Duration::from_millis(250) {
            last_check = Instant::now();
            notified += usize::from(store.changed_since_last_check()?);
        }
        std::thread::sleep(Duration::from_millis(args.pause));
    }
    Ok(Seen {
        latencies,
        notified,
    })
}

fn main() -> anyhow::Result<()> {
    let args: Arc<Args> = Arc::new(clap::Parser::parse());
    let start = Arc::new(Barrier::new(args.browsers + 1));
    let threads: Vec<_> = (0..args.browsers)
        .map(|index| {
            let (args, start) = (Arc::clone(&args), Arc::clone(&start));
            std::thread::spawn(move || browser(&args, index, &start))
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let mut latencies = Vec::new();
    let mut notified = 0;
    for thread in threads {
        let seen = thread
            .join()
            .map_err(|_| anyhow::anyhow!("a browser thread panicked"))??;
        latencies.extend(seen.latencies);
        notified += seen.notified;
    }
    let elapsed = began.elapsed();
    latencies.sort();
    let at = |fraction: f64| {
        let last = latencies.len().saturating_sub(1);
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let index = ((last as f64) * fraction).round() as usize;
        latencies.get(index).copied().unwrap_or_default()
    };
    #[allow(clippy::cast_precision_loss)]
    let rate = latencies.len() as f64 / elapsed.as_secs_f64();
    println!(
        "{} browsers, {} marks in {:.2} s: {rate:.0} marks/s; a mark takes {:.1} ms (median), {:.1} ms (95%), {:.1} ms (99%); {notified} checks found others' changes",
        args.browsers,
        latencies.len(),
        elapsed.as_secs_f64(),
        at(0.5).as_secs_f64() * 1000.0,
        at(0.95).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
    );
    Ok(())
}
