//! A writer that turns crossterm's colour sequences into the classic
//! 16-colour ones. crossterm writes even the named ANSI colours as 256-colour
//! codes (`38;5;1`), which a 16-colour terminal (`TERM=xterm`, the Linux
//! console) may not understand; `31` works on every colour terminal.

use std::io::{self, Write};

/// Passes bytes through, rewriting `38;5;N` / `48;5;N` (N < 16) inside SGR
/// sequences to `30+N` / `90+N-8` and `40+N` / `100+N-8`.
#[derive(Debug)]
pub struct Ansi16<W: Write> {
    inner: W,
    /// A control sequence being collected, from its ESC.
    pending: Vec<u8>,
}

impl<W: Write> Ansi16<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            pending: Vec::new(),
        }
    }

    fn finish_sequence(&mut self) -> io::Result<()> {
        let sequence = std::mem::take(&mut self.pending);
        let rewritten = rewrite_sgr(&sequence);
        self.inner
            .write_all(rewritten.as_deref().unwrap_or(&sequence))
    }
}

/// The classic form of an SGR sequence (`ESC [ … m`), or `None` to keep it.
fn rewrite_sgr(sequence: &[u8]) -> Option<Vec<u8>> {
    let params = sequence.strip_prefix(b"\x1b[")?.strip_suffix(b"m")?;
    let params = std::str::from_utf8(params).ok()?;
    let fields: Vec<&str> = params.split(';').collect();
    let mut out: Vec<String> = Vec::with_capacity(fields.len());
    let mut changed = false;
    let mut at = 0;
    while at < fields.len() {
        let index = fields.get(at + 2).and_then(|n| n.parse::<u8>().ok());
        match (fields[at], fields.get(at + 1), index) {
            (layer @ ("38" | "48"), Some(&"5"), Some(n)) if n < 16 => {
                let base = if layer == "38" { 30 } else { 40 };
                let code = if n < 8 {
                    base + u16::from(n)
                } else {
                    base + 60 + u16::from(n - 8)
                };
                out.push(code.to_string());
                changed = true;
                at += 3;
            }
            (field, _, _) => {
                out.push(field.to_owned());
                at += 1;
            }
        }
    }
    changed.then(|| format!("\x1b[{}m", out.join(";")).into_bytes())
}

impl<W: Write> Write for Ansi16<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut plain_from = 0;
        for (at, &byte) in buf.iter().enumerate() {
            if self.pending.is_empty() {
                if byte == 0x1b {
                    self.inner.write_all(&buf[plain_from..at])?;
                    self.pending.push(byte);
                    plain_from = at + 1;
                }
                continue;
            }
            self.pending.push(byte);
            let second = self.pending.len() == 2;
            let ends = if second {
                byte != b'['
            } else {
                (0x40..=0x7e).contains(&byte)
            };
            // Anything but a CSI, or a runaway one, passes through as is.
            if ends || self.pending.len() > 64 {
                self.finish_sequence()?;
            }
            plain_from = at + 1;
        }
        if self.pending.is_empty() {
            self.inner.write_all(&buf[plain_from..])?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let sequence = std::mem::take(&mut self.pending);
            self.inner.write_all(&sequence)?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(pieces: &[&[u8]]) -> Vec<u8> {
        let mut writer = Ansi16::new(Vec::new());
        for piece in pieces {
            writer.write_all(piece).expect("write");
        }
        writer.flush().expect("flush");
        writer.inner
    }

    #[test]
    fn named_colours_become_classic_codes() {
        assert_eq!(through(&[b"a\x1b[38;5;1mb"]), b"a\x1b[31mb");
        assert_eq!(through(&[b"\x1b[38;5;8;48;5;12m"]), b"\x1b[90;104m");
        assert_eq!(through(&[b"\x1b[1;38;5;15m"]), b"\x1b[1;97m");
    }

    #[test]
    fn sequences_split_across_writes_are_rewritten() {
        assert_eq!(
            through(&[b"x\x1b[", b"38;", b"5;3", b"m", b"y"]),
            b"x\x1b[33my"
        );
    }

    #[test]
    fn other_sequences_pass_unchanged() {
        let other: &[u8] = b"\x1b[38;5;200m\x1b[2;5H\x1b[?25l\x1b7text\x1b[0m";
        assert_eq!(through(&[other]), other);
    }
}
