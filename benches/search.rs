//! Per-keystroke re-rank: `parse` + `Index::search` for each prefix of
//! `foreign affairs japan`, as typed one character at a time, over 10k and
//! 100k statements (the index built once, as the browser does). The index
//! keeps results between keystrokes, so each measured search is one key as
//! typed: untimed, the kept results are cleared and the prefixes before it
//! searched in order; timed, the prefix itself.

mod common;

use std::time::Duration;

use communique::keymap::Action;
use communique::search::{Index, parse};
use criterion::{BatchSize, BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};

fn keystrokes(c: &mut Criterion) {
    for count in [10_000, 100_000] {
        let statements = common::statements(count);
        let index = Index::new(&statements);
        let mut group = c.benchmark_group(format!("keystroke/{count}"));
        // Flat: the untimed typing before each key dominates, and each
        // sample needs only a few keys.
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(if count > 10_000 { 10 } else { 30 })
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        let prefixes = common::prefixes();
        for (position, prefix) in prefixes.iter().enumerate() {
            let id = BenchmarkId::new(format!("{:02}", position + 1), format!("{prefix:?}"));
            let typed_before = &prefixes[..position];
            group.bench_with_input(id, prefix, |b, prefix| {
                b.iter_batched(
                    || {
                        index.clear_cache();
                        for before in typed_before {
                            let _ = index.search(&parse(before).expect("parse"));
                        }
                    },
                    |()| index.search(&parse(prefix).expect("parse")),
                    BatchSize::PerIteration,
                );
            });
        }
        group.finish();
    }
}

/// The whole query typed through `State::update` (search, sort, selection):
/// what one key costs the browser's loop before it can draw, averaged over
/// the 21 keys.
fn typing_through_state(c: &mut Criterion) {
    let mut state = common::state(10_000, 120, 40);
    let mut group = c.benchmark_group("state-typing/10000");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));
    group.bench_function("21 keys then Esc", |b| {
        b.iter(|| {
            state.update(Action::Search);
            for c in common::TYPED_QUERY.chars() {
                state.update(Action::Type(c));
            }
            state.update(Action::Cancel);
        });
    });
    group.finish();
}

criterion_group!(benches, keystrokes, typing_through_state);
criterion_main!(benches);
