//! Copying to the user's own clipboard with OSC 52, the one way that works
//! over SSH: the terminal on the user's desk sets its clipboard from an
//! escape sequence. Pure functions that build the bytes; the caller writes
//! them to the terminal and shows [`describe`] in the status line, since OSC
//! 52 gives no acknowledgement.
//!
//! The sequence is `ESC ] 52 ; c ; <base64> BEL`. BEL rather than ST
//! (`ESC \`) ends it in every mode: it is what tmux itself sends to outer
//! terminals (its default `Ms` capability), every terminal with OSC 52 accepts
//! it, and inside GNU screen's passthrough an ST would end the wrapping DCS
//! string early.
//!
//! - Inside tmux (`$TMUX` set): the plain sequence, which tmux takes into its
//!   buffer and passes on when `set-clipboard` is on, followed by the same
//!   sequence wrapped for passthrough (`ESC P tmux; … ESC \` with every ESC
//!   doubled), which reaches the outer terminal when `allow-passthrough` is
//!   on. With both on, the outer terminal is told the same thing twice.
//! - Inside GNU screen (`$STY` set): the sequence cut into pieces, each
//!   wrapped in screen's passthrough `ESC P … ESC \` and at most 768 bytes
//!   long (screen's string buffer since 4.2.1).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The most base64 we send: a conservative cap (the one hterm's `osc52.sh`
/// uses), under hterm's ~100 KB and most terminals' limits.
pub const MAX_BASE64_BYTES: usize = 74_994;

/// The most text that fits in [`MAX_BASE64_BYTES`] of base64.
pub const MAX_TEXT_BYTES: usize = MAX_BASE64_BYTES / 4 * 3;

/// The longest wrapped piece GNU screen passes through.
pub const SCREEN_PIECE_BYTES: usize = 768;

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;

/// The terminal multiplexer between us and the user's terminal, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Multiplexer {
    #[default]
    None,
    Tmux,
    Screen,
}

impl Multiplexer {
    /// From the values of `$TMUX` and `$STY`; an empty value counts as unset.
    /// When both are set one runs inside the other and the environment does
    /// not say which is nearer; tmux is assumed.
    #[must_use]
    pub fn from_env(tmux: Option<&str>, sty: Option<&str>) -> Self {
        let set = |value: Option<&str>| value.is_some_and(|value| !value.is_empty());
        if set(tmux) {
            Self::Tmux
        } else if set(sty) {
            Self::Screen
        } else {
            Self::None
        }
    }

    /// " via tmux", " via screen", or nothing.
    fn via(self) -> &'static str {
        match self {
            Self::None => "",
            Self::Tmux => " via tmux",
            Self::Screen => " via screen",
        }
    }
}

/// Why a text cannot be copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClipboardError {
    /// Nothing left once control characters are stripped.
    Empty,
    /// More than [`MAX_TEXT_BYTES`] (after stripping).
    TooLong { bytes: usize, limit: usize },
}

impl fmt::Display for ClipboardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("nothing to copy"),
            Self::TooLong { bytes, limit } => {
                write!(f, "too long to copy ({bytes} bytes; the limit is {limit})")
            }
        }
    }
}

impl std::error::Error for ClipboardError {}

/// The text as it will be copied: control characters (C0, DEL, C1) and
/// invisible format characters (bidi controls, zero-width characters…)
/// removed, except line feed and tab, so a multi-line contact stays
/// multi-line. Callers give text already cleaned as it is shown
/// ([`crate::sanitize::clean_copy`]); this is the last guard before the
/// terminal, for a caller that forgot.
#[must_use]
pub fn payload(text: &str) -> String {
    text.chars()
        .filter(|&c| !crate::sanitize::is_hidden(c) || c == '\n' || c == '\t')
        .collect()
}

/// The bytes that copy `text` to the clipboard through `multiplexer`.
///
/// # Errors
/// [`ClipboardError::Empty`] when nothing is left to copy,
/// [`ClipboardError::TooLong`] above [`MAX_TEXT_BYTES`].
pub fn osc52(text: &str, multiplexer: Multiplexer) -> Result<Vec<u8>, ClipboardError> {
    let payload = payload(text);
    if payload.is_empty() {
        return Err(ClipboardError::Empty);
    }
    if payload.len() > MAX_TEXT_BYTES {
        return Err(ClipboardError::TooLong {
            bytes: payload.len(),
            limit: MAX_TEXT_BYTES,
        });
    }
    let mut plain = b"\x1b]52;c;".to_vec();
    plain.extend_from_slice(STANDARD.encode(payload.as_bytes()).as_bytes());
    plain.push(BEL);
    Ok(match multiplexer {
        Multiplexer::None => plain,
        Multiplexer::Tmux => {
            let mut out = plain.clone();
            out.extend_from_slice(b"\x1bPtmux;");
            for &byte in &plain {
                if byte == ESC {
                    out.push(ESC);
                }
                out.push(byte);
            }
            out.extend_from_slice(b"\x1b\\");
            out
        }
        Multiplexer::Screen => {
            let mut out = Vec::with_capacity(plain.len() + plain.len() / 100 + 8);
            for piece in plain.chunks(SCREEN_PIECE_BYTES - 4) {
                out.extend_from_slice(b"\x1bP");
                out.extend_from_slice(piece);
                out.extend_from_slice(b"\x1b\\");
            }
            out
        }
    })
}

/// The longest copied text the status line repeats whole, in characters.
const SHOWN_CHARS: usize = 48;

/// The status line after a copy: "copied newsdesk@fcdo.gov.uk (OSC 52)",
/// "… (OSC 52 via tmux)". A long text is cut short and a multi-line one shows
/// its first line and how many more; the result is clean for display.
#[must_use]
pub fn describe(text: &str, multiplexer: Multiplexer) -> String {
    let payload = payload(text);
    let mut lines = payload.lines().filter(|line| !line.trim().is_empty());
    let first = crate::sanitize::clean_line(lines.next().unwrap_or_default().trim()).into_owned();
    let more = lines.count();
    let mut shown: String = first.chars().take(SHOWN_CHARS).collect();
    if first.chars().count() > SHOWN_CHARS {
        shown.pop();
        shown.push('…');
    }
    if more > 0 {
        let plural = if more == 1 { "" } else { "s" };
        shown.push_str(&format!(" (+{more} line{plural})"));
    }
    format!("copied {shown} (OSC 52{})", multiplexer.via())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplexer_from_env() {
        assert_eq!(Multiplexer::from_env(None, None), Multiplexer::None);
        assert_eq!(
            Multiplexer::from_env(Some("/tmp/tmux-0/default,1,0"), None),
            Multiplexer::Tmux
        );
        assert_eq!(
            Multiplexer::from_env(Some(""), Some("1234.pts-0.host")),
            Multiplexer::Screen
        );
        assert_eq!(
            Multiplexer::from_env(Some("x"), Some("y")),
            Multiplexer::Tmux
        );
    }

    #[test]
    fn multi_line_descriptions() {
        assert_eq!(
            describe(
                "Media enquiries\nEmail: a@b.uk\nTelephone: 1",
                Multiplexer::None
            ),
            "copied Media enquiries (+2 lines) (OSC 52)"
        );
        let long = "x".repeat(100);
        let described = describe(&long, Multiplexer::Screen);
        assert_eq!(
            described,
            format!("copied {}… (OSC 52 via screen)", "x".repeat(47))
        );
    }
}
