//! OSC 52 copying: the exact bytes with and without tmux and screen
//! wrapping, control characters stripped from the payload, the size cap.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use communique::clipboard::{
    ClipboardError, MAX_TEXT_BYTES, Multiplexer, SCREEN_PIECE_BYTES, describe, osc52, payload,
};

const ADDRESS: &str = "newsdesk@fcdo.gov.uk";
/// base64 of "newsdesk@fcdo.gov.uk", worked by hand: "new" → bmV3, "sde" →
/// c2Rl, "sk@" → c2tA, "fcd" → ZmNk, "o.g" → by5n, "ov." → b3Yu, "uk" → dWs=.
const ADDRESS_B64: &str = "bmV3c2Rlc2tAZmNkby5nb3YudWs=";

fn plain() -> Vec<u8> {
    format!("\x1b]52;c;{ADDRESS_B64}\x07").into_bytes()
}

#[test]
fn hand_computed_base64_is_right() {
    assert_eq!(STANDARD.encode(ADDRESS), ADDRESS_B64);
}

#[test]
fn plain_sequence() {
    assert_eq!(
        osc52(ADDRESS, Multiplexer::None).expect("copies"),
        b"\x1b]52;c;bmV3c2Rlc2tAZmNkby5nb3YudWs=\x07"
    );
}

#[test]
fn tmux_gets_the_plain_sequence_then_the_passthrough_one() {
    let bytes = osc52(ADDRESS, Multiplexer::Tmux).expect("copies");
    let mut expected = plain();
    expected.extend_from_slice(b"\x1bPtmux;\x1b\x1b]52;c;bmV3c2Rlc2tAZmNkby5nb3YudWs=\x07\x1b\\");
    assert_eq!(bytes, expected);
}

#[test]
fn screen_gets_the_sequence_wrapped_in_its_passthrough() {
    assert_eq!(
        osc52(ADDRESS, Multiplexer::Screen).expect("copies"),
        b"\x1bP\x1b]52;c;bmV3c2Rlc2tAZmNkby5nb3YudWs=\x07\x1b\\"
    );
}

#[test]
fn screen_pieces_are_at_most_768_bytes_and_join_to_the_sequence() {
    let text = "Media enquiries, 020 7008 3100. ".repeat(200);
    let bytes = osc52(&text, Multiplexer::Screen).expect("copies");
    let mut joined = Vec::new();
    let mut pieces = 0;
    for piece in bytes.split_inclusive(|&b| b == b'\\') {
        assert!(piece.len() <= SCREEN_PIECE_BYTES, "{} bytes", piece.len());
        let inner = piece
            .strip_prefix(b"\x1bP")
            .and_then(|p| p.strip_suffix(b"\x1b\\"))
            .expect("each piece is ESC P … ESC \\");
        assert!(
            !inner.contains(&0x1b) || pieces == 0,
            "no ESC past the first"
        );
        joined.extend_from_slice(inner);
        pieces += 1;
    }
    assert!(pieces > 1);
    assert_eq!(joined, osc52(&text, Multiplexer::None).expect("copies"));
}

/// The text a sequence carries, decoded back from its base64.
fn decoded(bytes: &[u8]) -> String {
    let body = bytes
        .strip_prefix(b"\x1b]52;c;")
        .and_then(|b| b.strip_suffix(b"\x07"))
        .expect("an OSC 52 sequence");
    String::from_utf8(STANDARD.decode(body).expect("base64")).expect("UTF-8")
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let hostile =
        "news\u{1b}]52;c;ZXZpbA==\u{7}desk\u{9b}2J\u{0}@fcdo\u{7f}.gov.uk\r\nline two\tend";
    let bytes = osc52(hostile, Multiplexer::None).expect("copies");
    // Only the sequence's own ESC and BEL are in the output.
    assert_eq!(bytes.iter().filter(|&&b| b == 0x1b).count(), 1);
    assert_eq!(bytes.iter().filter(|&&b| b == 0x07).count(), 1);
    assert_eq!(
        decoded(&bytes),
        "news]52;c;ZXZpbA==desk2J@fcdo.gov.uk\nline two\tend"
    );
    assert_eq!(payload(hostile), decoded(&bytes));
}

#[test]
fn multi_line_text_is_carried_whole() {
    let text = "Media enquiries\nEmail: newsdesk@fcdo.gov.uk\nTelephone: 020 7008 3100";
    assert_eq!(
        decoded(&osc52(text, Multiplexer::None).expect("copies")),
        text
    );
}

#[test]
fn oversize_and_empty_are_refused() {
    let fits = "a".repeat(MAX_TEXT_BYTES);
    let bytes = osc52(&fits, Multiplexer::None).expect("fits");
    assert!(bytes.len() - 8 <= 74_994, "{}", bytes.len());
    let too_long = "a".repeat(MAX_TEXT_BYTES + 1);
    let err = osc52(&too_long, Multiplexer::Tmux).expect_err("too long");
    assert_eq!(
        err,
        ClipboardError::TooLong {
            bytes: MAX_TEXT_BYTES + 1,
            limit: MAX_TEXT_BYTES
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "too long to copy ({} bytes; the limit is {MAX_TEXT_BYTES})",
            MAX_TEXT_BYTES + 1
        )
    );
    assert_eq!(
        osc52("\u{1b}\u{7}", Multiplexer::None),
        Err(ClipboardError::Empty)
    );
}

#[test]
fn status_line_says_what_and_how() {
    assert_eq!(
        describe(ADDRESS, Multiplexer::None),
        "copied newsdesk@fcdo.gov.uk (OSC 52)"
    );
    assert_eq!(
        describe(ADDRESS, Multiplexer::Tmux),
        "copied newsdesk@fcdo.gov.uk (OSC 52 via tmux)"
    );
    assert_eq!(
        describe(ADDRESS, Multiplexer::Screen),
        "copied newsdesk@fcdo.gov.uk (OSC 52 via screen)"
    );
    // What the status line shows is as clean as the payload.
    assert_eq!(
        describe("a\u{202e}b\u{1b}c", Multiplexer::None),
        "copied abc (OSC 52)"
    );
}
