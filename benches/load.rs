//! Load time: `loader::load` on a generated 10k archive as JSON Lines and as a
//! folder of files, the one-array JSON form at small sizes (its cost grows
//! with the square of the count), and the index and state built after loading.

mod common;

use std::time::Duration;

use communique::loader::{LoadOptions, load};
use communique::search::Index;
use communique::state::State;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

use common::generate::{self, Format};

fn load_archives(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group("load");
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    for (name, format) in [("jsonl", Format::Jsonl), ("folder", Format::Folder)] {
        let path = dir.path().join(format!("10k-{name}"));
        generate::write_archive(&path, format, 10_000, common::SEED, None).expect("generate");
        group.bench_with_input(BenchmarkId::new(name, 10_000), &path, |b, path| {
            b.iter(|| load(path, LoadOptions::default()).expect("load"));
        });
    }
    for count in [250, 500, 1000] {
        let path = dir.path().join(format!("{count}.json"));
        generate::write_archive(&path, Format::Json, count, common::SEED, None).expect("generate");
        group.bench_with_input(BenchmarkId::new("json-array", count), &path, |b, path| {
            b.iter(|| load(path, LoadOptions::default()).expect("load"));
        });
    }
    group.finish();
}

fn build_index(c: &mut Criterion) {
    let mut group = c.benchmark_group("index");
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    for count in [10_000, 100_000] {
        let statements = common::statements(count);
        group.bench_with_input(
            BenchmarkId::new("Index::new", count),
            &statements,
            |b, s| {
                b.iter(|| Index::new(s));
            },
        );
        group.bench_with_input(
            BenchmarkId::new("State::new", count),
            &statements,
            |b, s| {
                b.iter_batched(
                    || s.clone(),
                    |statements| State::new("bench".into(), statements, 0),
                    criterion::BatchSize::LargeInput,
                );
            },
        );
    }
    group.finish();
}

criterion_group!(benches, load_archives, build_index);
criterion_main!(benches);
