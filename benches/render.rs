//! Frame render time: the whole `Screen` of a 100k-statement state drawn into
//! a 120×40 `TestBackend`, in the list and after a query; and the bytes one
//! step down the list writes through the real crossterm backend (a count, not
//! a time: printed, and also by `examples/bytes_per_step.rs`).

mod common;

use std::time::Duration;

use communique::keymap::Action;
use communique::ui::{Screen, Theme};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn frames(c: &mut Criterion) {
    let mut state = common::state(100_000, 120, 40);
    let theme = Theme::default();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut group = c.benchmark_group("render/100000");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500));
    group.bench_function("list", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| {
                    frame.render_widget(
                        Screen {
                            state: &state,
                            theme,
                        },
                        frame.area(),
                    )
                })
                .expect("draw");
        });
    });
    group.bench_function("list, step down and draw", |b| {
        b.iter(|| {
            state.update(Action::Down);
            terminal
                .draw(|frame| {
                    frame.render_widget(
                        Screen {
                            state: &state,
                            theme,
                        },
                        frame.area(),
                    )
                })
                .expect("draw");
        });
    });
    state.set_query(common::TYPED_QUERY.to_owned());
    group.bench_function("list with query highlights", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| {
                    frame.render_widget(
                        Screen {
                            state: &state,
                            theme,
                        },
                        frame.area(),
                    )
                })
                .expect("draw");
        });
    });
    // A long speech selected in a wide list (the preview pane beside it):
    // its first lines are laid out for every frame.
    let mut long = common::statements(1);
    long[0].body = Some(
        (0..400)
            .map(|n| {
                format!(
                    "Paragraph {n}. {}",
                    "The ministers discussed the situation at length. ".repeat(3)
                )
            })
            .collect::<Vec<_>>()
            .join("\n\n"),
    );
    let mut speech = communique::state::State::new("speech".into(), long, 0);
    speech.update(Action::Resize(160, 40));
    let mut wide = Terminal::new(TestBackend::new(160, 40)).expect("terminal");
    group.bench_function("list previewing a 60 KB speech", |b| {
        b.iter(|| {
            wide.draw(|frame| {
                frame.render_widget(
                    Screen {
                        state: &speech,
                        theme,
                    },
                    frame.area(),
                )
            })
            .expect("draw");
        });
    });
    group.finish();

    state.set_query(String::new());
    let mut steps: Vec<usize> = (0..20)
        .map(|_| common::bytes_after(&mut state, Action::Down))
        .collect();
    steps.sort_unstable();
    println!(
        "bytes per navigation step inside the page (crossterm, 120x40, 100000 statements): median {} max {}",
        steps[steps.len() / 2],
        steps[steps.len() - 1]
    );
}

criterion_group!(benches, frames);
criterion_main!(benches);
