//! Prints how many bytes the browser writes to the terminal for one step down
//! the list (`j`), through the real crossterm backend at 120×40 over a
//! generated archive: the figure `docs/benchmarks.md` cites. Steps inside the
//! page (two rows and the preview change) and steps that scroll the list (every
//! row changes: ratatui repaints rather than scrolling the terminal) are
//! counted apart.
//!
//! ```sh
//! cargo run --release --example bytes_per_step -- [COUNT]
//! ```

#[path = "../benches/common/mod.rs"]
mod common;

use communique::keymap::Action;

/// Median and maximum of some byte counts.
fn spread(mut counts: Vec<usize>) -> String {
    counts.sort_unstable();
    match (counts.get(counts.len() / 2), counts.last()) {
        (Some(median), Some(max)) => format!(
            "median {median} bytes, max {max} bytes over {} steps",
            counts.len()
        ),
        _ => "no steps".to_owned(),
    }
}

/// Bytes written to the terminal for one step down the list, at 120×40.
#[derive(Debug, clap::Parser)]
#[command(
    name = "bytes_per_step",
    after_help = "Examples:
  cargo run --release --example bytes_per_step            over 100,000 generated statements
  cargo run --release --example bytes_per_step -- 1000    over 1,000"
)]
struct Args {
    /// How many generated statements the list holds.
    #[arg(default_value_t = 100_000)]
    count: usize,
}

fn main() -> anyhow::Result<()> {
    let Args { count } = clap::Parser::parse();
    let mut state = common::state(count, 120, 40);
    for preview in [true, false] {
        state.preview = preview;
        state.update(Action::Top);
        let (mut within, mut scrolling) = (Vec::new(), Vec::new());
        for _ in 0..80 {
            let offset = state.offset;
            let bytes = common::bytes_after(&mut state, Action::Down);
            if state.offset == offset {
                within.push(bytes);
            } else {
                scrolling.push(bytes);
            }
        }
        println!(
            "{count} statements, 120x40, preview pane {}: step inside the page {}; step that scrolls {}",
            if preview { "on" } else { "off" },
            spread(within),
            spread(scrolling),
        );
    }
    Ok(())
}
