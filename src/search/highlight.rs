//! Snippets with the matched words marked. `ts_headline` copies the stored text as it is, so its
//! output is not HTML we may trust: it is asked to mark the matches with markers no stored text
//! can contain (fresh random ones per request), the whole snippet is escaped, and only then are
//! the markers turned into `<mark>` and `</mark>`.

use std::fmt::Write as _;

/// The two markers of one request, and the options that make `ts_headline` use them.
#[derive(Debug, Clone)]
pub struct Markers {
    start: String,
    stop: String,
}

impl Markers {
    /// Fresh markers: letters and digits only (so they pass through the options string and the
    /// escaping untouched), with 128 random bits between them and any text someone stored.
    pub fn fresh() -> Self {
        let token: u128 = rand::random();
        Self {
            start: format!("hlstart{token:032x}"),
            stop: format!("hlstop{token:032x}"),
        }
    }

    /// `ts_headline`'s options for a short text: the whole of it, every match marked.
    pub fn options_whole(&self) -> String {
        format!(
            "StartSel={}, StopSel={}, HighlightAll=true",
            self.start, self.stop
        )
    }

    /// `ts_headline`'s options for a long text: short fragments around the matches, joined with
    /// an ellipsis (markup-like parts of the text are left out of fragments).
    pub fn options(&self) -> String {
        format!(
            "StartSel={}, StopSel={}, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, \
             FragmentDelimiter=\" … \"",
            self.start, self.stop
        )
    }

    /// The snippet as HTML: everything escaped, then our markers (and only ours) made `<mark>`.
    pub fn to_html(&self, snippet: &str) -> Highlighted {
        let escaped = escape(snippet);
        Highlighted(
            escaped
                .replace(&self.start, "<mark>")
                .replace(&self.stop, "</mark>"),
        )
    }
}

/// A snippet that is safe to put in a page as it is (see [`Markers::to_html`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlighted(String);

impl Highlighted {
    pub fn as_html(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Highlighted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => {
                let _ = out.write_char(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_markup_is_escaped_and_only_our_markers_become_marks() {
        let m = Markers::fresh();
        let snippet = format!(
            "<script>alert(1)</script> the {}garden{} <mark>fake</mark> & \"quoted\"",
            m.start, m.stop
        );
        let html = m.to_html(&snippet);
        assert_eq!(
            html.as_html(),
            "&lt;script&gt;alert(1)&lt;/script&gt; the <mark>garden</mark> \
             &lt;mark&gt;fake&lt;/mark&gt; &amp; &quot;quoted&quot;"
        );
    }

    #[test]
    fn markers_are_fresh_each_time_and_pass_through_escaping() {
        let (a, b) = (Markers::fresh(), Markers::fresh());
        assert_ne!(a.start, b.start);
        assert!(a.start.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(a.stop.chars().all(|c| c.is_ascii_alphanumeric()));
        // Someone else's markers (an old request's, say) are left as text.
        let html = a.to_html(&format!("{}x{}", b.start, b.stop));
        assert!(!html.as_html().contains("<mark>"));
        assert!(a.options().contains(&a.start) && a.options().contains(&a.stop));
        assert!(a.options_whole().contains(&a.start) && a.options_whole().contains(&a.stop));
    }
}
