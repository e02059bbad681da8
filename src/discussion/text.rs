//! A comment's words as HTML, and who it mentions. The HTML is built here from escaped pieces
//! only: the text is escaped, line breaks become `<br>`, and `http(s)://` addresses become links
//! with `rel="nofollow ugc noopener"` whose address and words are escaped too. Nothing a member
//! typed ever reaches a page unescaped, and no other scheme (`javascript:`, `data:`) is linked.

use std::collections::HashSet;
use std::fmt;

use uuid::Uuid;

/// A comment rendered by [`render`]: safe to put into a page as it is (askama leaves it alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentHtml(String);

impl CommentHtml {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CommentHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// Only `render` makes one, from escaped pieces.
impl askama::filters::HtmlSafe for CommentHtml {}

/// The rel every link in a comment carries: no endorsement, user-generated, no opener.
pub const LINK_REL: &str = "nofollow ugc noopener";

/// `text` as HTML: escaped, its line breaks kept, its web addresses linked.
pub fn render(text: &str) -> CommentHtml {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut rest = text.as_str();
    while !rest.is_empty() {
        match next_url(rest) {
            Some((start, end)) => {
                push_text(&mut out, &rest[..start]);
                let url = &rest[start..end];
                out.push_str("<a href=\"");
                escape_into(&mut out, url);
                out.push_str("\" rel=\"");
                out.push_str(LINK_REL);
                out.push_str("\">");
                escape_into(&mut out, url);
                out.push_str("</a>");
                rest = &rest[end..];
            }
            None => {
                push_text(&mut out, rest);
                rest = "";
            }
        }
    }
    CommentHtml(out)
}

/// Escaped text with each line break as `<br>`.
fn push_text(out: &mut String, text: &str) {
    let mut lines = text.split('\n');
    if let Some(first) = lines.next() {
        escape_into(out, first);
    }
    for line in lines {
        out.push_str("<br>\n");
        escape_into(out, line);
    }
}

/// HTML-escapes `s` for text and for a double- or single-quoted attribute.
pub fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The byte range of the first web address in `s`: `http://` or `https://` (any case) at the
/// start of a word, followed by something, up to a space or a character that cannot be in an
/// address, without the punctuation that ends a sentence (and without a closing bracket that
/// opens nowhere inside the address).
fn next_url(s: &str) -> Option<(usize, usize)> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("http") {
        let start = from + found;
        from = start + 4;
        let word_start = s[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_');
        let after = &lower[start..];
        let scheme = if after.starts_with("https://") {
            8
        } else if after.starts_with("http://") {
            7
        } else {
            continue;
        };
        if !word_start {
            continue;
        }
        let body_start = start + scheme;
        let mut end = body_start;
        for (i, c) in s[body_start..].char_indices() {
            if c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`') {
                break;
            }
            end = body_start + i + c.len_utf8();
        }
        let end = trim_trailing(s, body_start, end);
        if end > body_start {
            return Some((start, end));
        }
        from = body_start;
    }
    None
}

/// Leaves out the sentence's punctuation after an address, and a `)` that closes a bracket
/// opened before the address.
fn trim_trailing(s: &str, body_start: usize, mut end: usize) -> usize {
    loop {
        let Some(last) = s[body_start..end].chars().next_back() else {
            return end;
        };
        let drop = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' => true,
            ')' => {
                let url = &s[body_start..end];
                url.matches('(').count() < url.matches(')').count()
            }
            ']' => {
                let url = &s[body_start..end];
                url.matches('[').count() < url.matches(']').count()
            }
            _ => false,
        };
        if !drop {
            return end;
        }
        end -= last.len_utf8();
    }
}

/// The members `text` mentions: `@` followed by a member's display name (any case), the longest
/// name that fits, ending where a word ends. Names with spaces work ("@Mia Jones"). Every member
/// of that name is mentioned (names are not unique).
pub fn mentions(text: &str, members: &[(Uuid, String)]) -> HashSet<Uuid> {
    let mut found = HashSet::new();
    for (at, _) in text.match_indices('@') {
        // "mail@olu.org" mentions nobody: an `@` starts a mention only at the start of a word.
        let starts_word = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_');
        if !starts_word {
            continue;
        }
        let after = &text[at + 1..];
        // Longest matching name (in characters), then everyone who has it.
        let mut best: Option<(usize, String)> = None;
        for (_, name) in members {
            if let Some(len) = prefix_len_ignoring_case(after, name) {
                let ends_word = after[len..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric() && c != '_');
                if ends_word && best.as_ref().is_none_or(|(l, _)| len > *l) {
                    best = Some((len, name.to_lowercase()));
                }
            }
        }
        if let Some((_, lowered)) = best {
            found.extend(
                members
                    .iter()
                    .filter(|(_, n)| n.to_lowercase() == lowered)
                    .map(|(id, _)| *id),
            );
        }
    }
    found
}

/// When `s` starts with `name` in any case, how many bytes of `s` that takes.
fn prefix_len_ignoring_case(s: &str, name: &str) -> Option<usize> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let mut chars = s.char_indices();
    let mut used = 0;
    for n in name.chars() {
        let (i, c) = chars.next()?;
        if !c.to_lowercase().eq(n.to_lowercase()) {
            return None;
        }
        used = i + c.len_utf8();
    }
    Some(used)
}

/// The first `max` characters of `text` on one line, with "…" when cut (for notifications).
pub fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(s: &str) -> String {
        render(s).0
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            html("<script>alert('x')</script> & \"quoted\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"
        );
    }

    #[test]
    fn line_breaks_are_kept() {
        assert_eq!(html("one\r\ntwo\n\nthree"), "one<br>\ntwo<br>\n<br>\nthree");
    }

    #[test]
    fn web_addresses_become_safe_links() {
        assert_eq!(
            html("see https://example.org/a?b=1&c=2 now"),
            "see <a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow ugc noopener\">\
             https://example.org/a?b=1&amp;c=2</a> now"
        );
        assert_eq!(
            html("HTTP://Example.org"),
            "<a href=\"HTTP://Example.org\" rel=\"nofollow ugc noopener\">HTTP://Example.org</a>"
        );
    }

    #[test]
    fn trailing_punctuation_stays_outside_the_link() {
        assert_eq!(
            html("Look at http://a.org/x. Or (http://b.org/y), ok?"),
            "Look at <a href=\"http://a.org/x\" rel=\"nofollow ugc noopener\">http://a.org/x</a>. \
             Or (<a href=\"http://b.org/y\" rel=\"nofollow ugc noopener\">http://b.org/y</a>), ok?"
        );
        // A bracket that belongs to the address stays in it.
        assert_eq!(
            html("https://en.wikipedia.org/wiki/Foo_(bar)!"),
            "<a href=\"https://en.wikipedia.org/wiki/Foo_(bar)\" rel=\"nofollow ugc noopener\">\
             https://en.wikipedia.org/wiki/Foo_(bar)</a>!"
        );
    }

    #[test]
    fn other_schemes_and_broken_addresses_stay_text() {
        assert_eq!(
            html("javascript:alert(1) data:text/html,<b>x</b>"),
            "javascript:alert(1) data:text/html,&lt;b&gt;x&lt;/b&gt;"
        );
        assert_eq!(html("http:// and https://."), "http:// and https://.");
        // Inside a word it is not an address.
        assert_eq!(html("xhttp://a.org"), "xhttp://a.org");
        // A quote ends the address: no way out of the attribute.
        assert_eq!(
            html("http://a.org/\"onmouseover=alert(1)"),
            "<a href=\"http://a.org/\" rel=\"nofollow ugc noopener\">http://a.org/</a>&quot;onmouseover=alert(1)"
        );
        // A single quote ends nothing but is escaped, and sentence punctuation is left out.
        assert_eq!(
            html("https://a.org/'><script>"),
            "<a href=\"https://a.org/\" rel=\"nofollow ugc noopener\">https://a.org/</a>&#39;&gt;&lt;script&gt;"
        );
    }

    #[test]
    fn mentions_find_the_longest_name_in_any_case() {
        let (mia, mia_jones, olu) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let members = vec![
            (mia, "Mia".to_string()),
            (mia_jones, "Mia Jones".to_string()),
            (olu, "Olu".to_string()),
        ];
        let found = mentions("Thanks @mia jones, and @OLU!", &members);
        assert_eq!(found, HashSet::from([mia_jones, olu]));
        assert_eq!(mentions("@Mia, hi", &members), HashSet::from([mia]));
        // Part of a longer word is nobody; an address is nobody.
        assert!(mentions("@Miami and mail@olu.org", &members).is_empty());
        assert!(mentions("no one here", &members).is_empty());
    }

    #[test]
    fn excerpts_are_one_short_line() {
        assert_eq!(excerpt("a\n b   c", 10), "a b c");
        assert_eq!(excerpt("abcdefghijkl", 5), "abcde…");
    }
}
