//! Issue 18 item 5: a signatory page, a timeline and a comparison over a
//! generated 100k archive, each with the signatory ledger built once (as
//! it is once an archive is loaded) and also with the ledger built inside
//! the measured time, for the case where nothing was kept. Target: each
//! ≤ 100 ms. Signatories are shared as the loader shares them.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use communique::records::{Signatory, Statement};

use communique::signatories::{Ledger, Timeline, compare, page};
use criterion::{Criterion, criterion_group, criterion_main};

fn signatories(c: &mut Criterion) {
    // `SIGNATORIES_BENCH_COUNT=1000000` measures a million.
    let count = std::env::var("SIGNATORIES_BENCH_COUNT")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(100_000);
    let statements = as_loaded(common::statements(count));
    let ledger = Ledger::new(&statements);
    let japan = *ledger
        .find("foreign affairs japan")
        .first()
        .expect("the generator's roles include Japan's foreign minister");
    // Two joint statements with many signatories, far apart in the list.
    let mut rich: Vec<usize> = (0..statements.len())
        .filter(|&at| statements[at].signatories.len() >= 20)
        .collect();
    rich.truncate(2_000);
    let (first, second) = (rich[0], rich[rich.len() - 1]);
    let mut group = c.benchmark_group(format!("signatories/{count}"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("ledger (once per load)", |b| {
        b.iter(|| Ledger::new(&statements));
    });
    group.bench_function("signatory page", |b| {
        b.iter(|| page(&ledger, &statements, japan));
    });
    group.bench_function("timeline of the whole list", |b| {
        b.iter(|| Timeline::of(statements.iter().map(|s| s.published.date())));
    });
    group.bench_function("comparison with usual co-signers", |b| {
        b.iter(|| compare(&ledger, &statements, first, second));
    });
    // What the worker computes from: every statement's day and signatories,
    // gathered at once on the watcher's thread when the archive reloads…
    group.bench_function(
        "gathering every statement (watcher's thread, on a reload)",
        |b| {
            b.iter(|| communique::signatories::browse::Gathered::of(&statements));
        },
    );
    // …and, as the first load streams, a batch's share at a time on the
    // drawing thread (a loader batch is an 8 MiB chunk: some 2,000 to
    // 20,000 statements).
    group.bench_function("gathering one batch of 10,000 as it arrives", |b| {
        let batch = &statements[..statements.len().min(10_000)];
        b.iter(|| communique::signatories::browse::Gathered::of(batch));
    });
    group.bench_function("ledger + signatory page", |b| {
        b.iter(|| {
            let ledger = Ledger::new(&statements);
            page(&ledger, &statements, japan)
        });
    });
    group.finish();
}

/// One `Arc` per distinct signatory, as the loader shares them.
fn as_loaded(mut statements: Vec<Statement>) -> Vec<Statement> {
    let mut shared: HashSet<Arc<Signatory>> = HashSet::new();
    for statement in &mut statements {
        for signatory in &mut statement.signatories {
            match shared.get(signatory) {
                Some(first) => *signatory = Arc::clone(first),
                None => {
                    shared.insert(Arc::clone(signatory));
                }
            }
        }
    }
    statements
}

criterion_group!(benches, signatories);
criterion_main!(benches);
