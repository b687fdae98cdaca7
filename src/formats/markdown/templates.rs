//! The template tags of static-site generators, which are not Markdown but
//! stand in many Markdown archives: Jekyll's and Eleventy's Liquid
//! (`{% image "a.jpg" "alt" %}`, `{{ "/2015/09/03/park/" | url }}`) and
//! Hugo's shortcodes (`{{< img src="x" >}}`, `{{% note %}}…{{% /note %}}`).
//! Their output is the site's business and cannot be known here, so a tag
//! is taken out; what a paired shortcode wraps stays, and a Liquid output
//! tag that starts with a quoted string (a path through a filter such as
//! `url`) gives that string.

use std::borrow::Cow;

/// The text without its template tags (unchanged when it has none; a tag
/// left open is left as it is).
#[must_use]
pub fn without_templates(text: &str) -> Cow<'_, str> {
    if !text.contains("{{") && !text.contains("{%") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = next_tag(rest) {
        out.push_str(&rest[..at]);
        let tag = &rest[at..];
        let close = match &tag[..2] {
            "{%" => "%}",
            _ if tag.starts_with("{{<") => ">}}",
            _ if tag.starts_with("{{%") => "%}}",
            _ => "}}",
        };
        let Some(end) = tag[2..].find(close).map(|end| end + 2 + close.len()) else {
            out.push_str(tag);
            return Cow::Owned(out);
        };
        if close == "}}" {
            out.push_str(quoted(&tag[2..end - 2]).unwrap_or_default());
        }
        rest = &tag[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Where the next `{{` or `{%` starts.
fn next_tag(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'{', bytes).find(|&at| matches!(bytes.get(at + 1), Some(b'{' | b'%')))
}

/// The string a Liquid output tag starts with (`"/path/" | url`), if any.
fn quoted(inside: &str) -> Option<&str> {
    let inside = inside.trim_start();
    let quote = inside.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let rest = &inside[1..];
    rest.find(quote).map(|end| &rest[..end])
}

#[cfg(test)]
mod tests {
    use super::without_templates;

    #[test]
    fn liquid_and_hugo_tags_are_taken_out() {
        assert_eq!(
            without_templates(r#"[Park]({{ "/2015/09/03/park/" | url }}) and {{ site.x }}."#),
            "[Park](/2015/09/03/park/) and ."
        );
        assert_eq!(
            without_templates("a\n{% image \"a.jpg\" \"alt\" %}\nb"),
            "a\n\nb"
        );
        assert_eq!(
            without_templates(r#"{{< note variant="activity" >}}**Visit** us{{< /note >}}"#),
            "**Visit** us"
        );
        assert_eq!(without_templates("{{% aside %}}x{{% /aside %}}"), "x");
    }

    #[test]
    fn text_without_tags_or_with_an_open_one_is_kept() {
        assert_eq!(without_templates("plain {text} here"), "plain {text} here");
        assert_eq!(without_templates("a {{ open"), "a {{ open");
        assert_eq!(without_templates("a {{"), "a {{");
    }
}
