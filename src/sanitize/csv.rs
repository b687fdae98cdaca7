//! Spreadsheet cells that are safe to open: each value is one line cleaned
//! as the screen shows it ([`super::clean_line`]: no control, C1 or
//! invisible format character), and a value a spreadsheet would run as a
//! formula (starting with `=`, `+`, `-`, `@`, or those after spaces) is
//! prefixed with `'`, as OWASP advises against CSV injection. Quoting is the
//! `csv` crate's.

/// A cell's text for a CSV file.
#[must_use]
pub fn cell(text: &str) -> String {
    let clean = super::clean_line(text);
    let formula = clean.trim_start().starts_with([
        '=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
    ]);
    if formula {
        format!("'{clean}")
    } else {
        clean.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_text_and_controls_visible() {
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(cell("  @SUM(A1)"), "'  @SUM(A1)");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("\t=1"), "' =1");
        assert_eq!(cell("a\u{1b}[2Jb\u{202e}c\nd"), "a\u{241b}[2Jbc d");
        assert_eq!(cell("DPRK-Russia: 12 January"), "DPRK-Russia: 12 January");
    }
}
