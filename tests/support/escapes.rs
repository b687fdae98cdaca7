//! Splits raw terminal output into its control sequences, so tests can assert
//! on what a program actually wrote: which SGR attributes, whether any OSC
//! (window title, clipboard) came from data, which C0/C1 controls reached the
//! terminal. Printable text is skipped; only controls are returned.

/// One control found in the output, with the exact bytes it was written as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sequence {
    /// `ESC [ params intermediates final`.
    Csi(Csi),
    /// `ESC ] payload (BEL | ESC \ | ST)`: titles, clipboard, hyperlinks.
    Osc { payload: Vec<u8>, raw: Vec<u8> },
    /// DCS (`ESC P`), SOS (`ESC X`), PM (`ESC ^`) or APC (`ESC _`) strings,
    /// `introducer` being the byte after ESC.
    Str {
        introducer: u8,
        payload: Vec<u8>,
        raw: Vec<u8>,
    },
    /// Any other `ESC intermediates final` (`ESC 7`, `ESC ( B`, …).
    Esc { raw: Vec<u8> },
    /// A C0 control other than ESC (BEL, BS, CR, LF, …) or DEL.
    Control(u8),
    /// A C1 control written as UTF-8 (U+0080–U+009F, e.g. U+009B, the
    /// one-character CSI), given as its code point.
    C1(u8),
    /// An ESC with nothing valid after it (cut off, or followed by another
    /// control).
    LoneEsc,
}

/// A control sequence introduced by `ESC [`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Csi {
    /// Parameter bytes (0x30–0x3F), private markers like `?` included.
    pub params: Vec<u8>,
    /// Intermediate bytes (0x20–0x2F).
    pub intermediates: Vec<u8>,
    pub final_byte: u8,
}

impl Csi {
    /// The sequence as written, for messages.
    #[must_use]
    pub fn text(&self) -> String {
        let mut raw = b"\x1b[".to_vec();
        raw.extend(&self.params);
        raw.extend(&self.intermediates);
        raw.push(self.final_byte);
        printable(&raw)
    }

    /// Whether this sets graphic rendition: final `m`, no intermediates and no
    /// private marker (`CSI > 4 ; 1 m` is xterm's modifyOtherKeys, not SGR).
    #[must_use]
    pub fn is_sgr(&self) -> bool {
        self.final_byte == b'm'
            && self.intermediates.is_empty()
            && self
                .params
                .iter()
                .all(|b| b.is_ascii_digit() || *b == b';' || *b == b':')
    }

    /// SGR parameters: one entry per `;`-separated field, each holding the
    /// field's `:`-separated sub-parameters. An empty field is 0, so `CSI m`
    /// and `CSI ; m` both read as resets.
    #[must_use]
    pub fn sgr_fields(&self) -> Vec<Vec<u16>> {
        let text = String::from_utf8_lossy(&self.params);
        text.split(';')
            .map(|field| {
                field
                    .split(':')
                    .map(|number| number.parse().unwrap_or(0))
                    .collect()
            })
            .collect()
    }

    /// The colours an SGR sequence sets, as written (`"31"`, `"38;5;208"`,
    /// `"48:2::1:2:3"`). Defaults (39, 49, 59) are not colours.
    #[must_use]
    pub fn sgr_colours(&self) -> Vec<String> {
        if !self.is_sgr() {
            return Vec::new();
        }
        let fields = self.sgr_fields();
        let text = String::from_utf8_lossy(&self.params);
        let written: Vec<&str> = text.split(';').collect();
        let mut colours = Vec::new();
        let mut at = 0;
        while at < fields.len() {
            let field = &fields[at];
            let code = field[0];
            match code {
                30..=37 | 40..=47 | 90..=97 | 100..=107 => colours.push(code.to_string()),
                // Colon form: the whole colour is in one field.
                38 | 48 | 58 if field.len() > 1 => colours.push(written[at].to_owned()),
                38 | 48 | 58 => {
                    // Semicolon form: `38;5;n` or `38;2;r;g;b` spans fields.
                    let extra = match fields.get(at + 1).map(|f| f[0]) {
                        Some(5) => 2,
                        Some(2) => 4,
                        _ => 0,
                    };
                    let end = (at + 1 + extra).min(fields.len());
                    colours.push(written[at..end].join(";"));
                    at = end;
                    continue;
                }
                _ => {}
            }
            at += 1;
        }
        colours
    }
}

/// Every control sequence in `bytes`, in order.
#[must_use]
pub fn sequences(bytes: &[u8]) -> Vec<Sequence> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            0x1b => {
                let (sequence, next) = escape(bytes, at);
                found.push(sequence);
                at = next;
            }
            0x00..=0x1a | 0x1c..=0x1f | 0x7f => {
                found.push(Sequence::Control(byte));
                at += 1;
            }
            0xc2 if matches!(bytes.get(at + 1), Some(0x80..=0x9f)) => {
                found.push(Sequence::C1(bytes[at + 1]));
                at += 2;
            }
            _ => at += 1,
        }
    }
    found
}

/// Every CSI sequence in `bytes`.
#[must_use]
pub fn csis(bytes: &[u8]) -> Vec<Csi> {
    sequences(bytes)
        .into_iter()
        .filter_map(|sequence| match sequence {
            Sequence::Csi(csi) => Some(csi),
            _ => None,
        })
        .collect()
}

/// The SGR sequences in `bytes` that set a colour, each as written, so an
/// assertion failure shows exactly what was sent.
#[must_use]
pub fn colour_sgrs(bytes: &[u8]) -> Vec<String> {
    csis(bytes)
        .into_iter()
        .filter(|csi| !csi.sgr_colours().is_empty())
        .map(|csi| csi.text())
        .collect()
}

/// The payloads of every OSC in `bytes` (`0;title`, `52;c;…`).
#[must_use]
pub fn oscs(bytes: &[u8]) -> Vec<Vec<u8>> {
    sequences(bytes)
        .into_iter()
        .filter_map(|sequence| match sequence {
            Sequence::Osc { payload, .. } => Some(payload),
            _ => None,
        })
        .collect()
}

/// Bytes with controls shown as `\x1b`, `\n`, … for messages.
#[must_use]
pub fn printable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).escape_debug().to_string()
}

/// Reads the sequence starting with the ESC at `start`; returns it and where
/// the next one may start.
fn escape(bytes: &[u8], start: usize) -> (Sequence, usize) {
    let Some(&kind) = bytes.get(start + 1) else {
        return (Sequence::LoneEsc, start + 1);
    };
    match kind {
        b'[' => csi(bytes, start),
        b']' | b'P' | b'X' | b'^' | b'_' => string(bytes, start, kind),
        _ => {
            // ESC, intermediates 0x20–0x2F, then a final 0x30–0x7E.
            let mut at = start + 1;
            while matches!(bytes.get(at), Some(0x20..=0x2f)) {
                at += 1;
            }
            match bytes.get(at) {
                Some(0x30..=0x7e) => (
                    Sequence::Esc {
                        raw: bytes[start..=at].to_vec(),
                    },
                    at + 1,
                ),
                _ => (Sequence::LoneEsc, start + 1),
            }
        }
    }
}

fn csi(bytes: &[u8], start: usize) -> (Sequence, usize) {
    let mut at = start + 2;
    let params_start = at;
    while matches!(bytes.get(at), Some(0x30..=0x3f)) {
        at += 1;
    }
    let params = bytes[params_start..at].to_vec();
    let intermediates_start = at;
    while matches!(bytes.get(at), Some(0x20..=0x2f)) {
        at += 1;
    }
    let intermediates = bytes[intermediates_start..at].to_vec();
    match bytes.get(at) {
        Some(&final_byte @ 0x40..=0x7e) => (
            Sequence::Csi(Csi {
                params,
                intermediates,
                final_byte,
            }),
            at + 1,
        ),
        // Cut off or broken by another control: report the ESC and resume
        // right after it, so whatever follows is still read.
        _ => (Sequence::LoneEsc, start + 1),
    }
}

/// OSC, DCS, SOS, PM, APC: a payload ended by ST (`ESC \` or U+009C), or BEL
/// for OSC.
fn string(bytes: &[u8], start: usize, introducer: u8) -> (Sequence, usize) {
    let payload_start = start + 2;
    let mut at = payload_start;
    while at < bytes.len() {
        let (payload_end, next) = match (bytes[at], bytes.get(at + 1)) {
            (0x07, _) if introducer == b']' => (at, at + 1),
            (0x1b, Some(b'\\')) | (0xc2, Some(0x9c)) => (at, at + 2),
            _ => {
                at += 1;
                continue;
            }
        };
        let payload = bytes[payload_start..payload_end].to_vec();
        let raw = bytes[start..next].to_vec();
        let sequence = if introducer == b']' {
            Sequence::Osc { payload, raw }
        } else {
            Sequence::Str {
                introducer,
                payload,
                raw,
            }
        };
        return (sequence, next);
    }
    // Never terminated: everything to the end is the payload.
    let payload = bytes[payload_start..].to_vec();
    let raw = bytes[start..].to_vec();
    let sequence = if introducer == b']' {
        Sequence::Osc { payload, raw }
    } else {
        Sequence::Str {
            introducer,
            payload,
            raw,
        }
    };
    (sequence, bytes.len())
}
