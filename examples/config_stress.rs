//! Writes three configuration files of about 500 KB each, the shapes that
//! made reading a configuration quadratic (issue 13, item 16), for
//! `docs/benchmarks.md`:
//!
//! ```sh
//! cargo run --release --example config_stress -- target/bench-data
//! time target/release/communique --config target/bench-data/config-keys.toml config
//! ```
//!
//! - `config-keys.toml`: one action given 40,000 keys (conflict checks);
//! - `config-mistakes.toml`: 32,000 unknown action names (a located
//!   problem, and a suggestion, each);
//! - `config-unclosed.toml`: an array left open, then 50,000 lines, so the
//!   mistake is noticed far from where it begins.

use std::fmt::Write as _;
use std::path::PathBuf;

/// Writes three configuration files of about 500 KB each that once made
/// reading a configuration slow.
#[derive(Debug, clap::Parser)]
#[command(
    name = "config_stress",
    after_help = "Examples:
  cargo run --release --example config_stress -- target/bench-data
  time target/release/communique --config target/bench-data/config-keys.toml config"
)]
struct Args {
    /// The folder the files are written to (made if missing).
    #[arg(default_value = "target/bench-data")]
    folder: PathBuf,
}

fn main() -> std::io::Result<()> {
    let Args { folder } = clap::Parser::parse();
    std::fs::create_dir_all(&folder)?;
    let mut keys = String::from("[keys.list]\ndown = [");
    for n in 0..20_000_u32 {
        let c = char::from_u32(0x4e00 + n).unwrap_or('x');
        let _ = write!(keys, "\"alt-{c}\", \"ctrl-{c}\", ");
    }
    keys.push_str("]\n");
    let mut mistakes = String::from("[keys.list]\n");
    for n in 0..32_000 {
        let _ = writeln!(mistakes, "dwon{n} = \"j\"");
    }
    let unclosed = format!(
        "[list]\ncolumns = [\n{}\n[keys.list]\ndown = \"j\"\n",
        "\"title\",\n".repeat(50_000)
    );
    for (name, text) in [
        ("config-keys.toml", keys),
        ("config-mistakes.toml", mistakes),
        ("config-unclosed.toml", unclosed),
    ] {
        let path = folder.join(name);
        std::fs::write(&path, &text)?;
        println!("{} ({} bytes)", path.display(), text.len());
    }
    Ok(())
}
