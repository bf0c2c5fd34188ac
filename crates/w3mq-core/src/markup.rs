//! The small, safe subset of Markdown a message may use: `**bold**`,
//! `*italic*` or `_italic_`, `` `code` ``, fenced code blocks and `> `
//! quotes. A pure splitter into spans; the view turns the plain ones into
//! text, link and mention parts. Nothing becomes HTML.
//!
//! Not a CommonMark parser (`pulldown-cmark` was the candidate): CommonMark
//! reads chat text as documents, so "1. first", "# 3 ideas", a backslash or a
//! line of `---` would turn into lists, headings, escapes and rules, and
//! single line breaks would join lines. Chat apps (Slack, Discord, Signal)
//! use this line-oriented subset instead, and so do we:
//! - markers never open before a space nor close after one, never span a
//!   line, and never apply inside an http(s) link (`https://x.y/a_b_c` stays
//!   a link), inside code, or inside a word for `_` (`snake_case_name`);
//! - an unclosed marker is text, as typed.

/// One stretch of a message, as the subset reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span<'a> {
    /// Text to split further into links and mentions.
    Plain(&'a str),
    /// `**…**`.
    Bold(&'a str),
    /// `*…*` or `_…_`.
    Italic(&'a str),
    /// `` `…` ``.
    Code(&'a str),
    /// A fenced block (its fence lines and language left out).
    CodeBlock(&'a str),
    /// One `> ` line, without its marker.
    Quote(&'a str),
}

/// The spans of a message's text, in order; their text, with the markers,
/// fences and quote prefixes, is the whole input.
pub fn spans(text: &str) -> Vec<Span<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match fence(rest) {
            Some((before, code, after)) => {
                lines(before, &mut out);
                out.push(Span::CodeBlock(code));
                rest = after;
            }
            None => {
                lines(rest, &mut out);
                break;
            }
        }
    }
    out
}

/// The first fenced block: text before it, its code, text after it (the
/// newline after the closing fence goes with the block).
fn fence(text: &str) -> Option<(&str, &str, &str)> {
    let open = line_starts(text).find(|&i| text[i..].starts_with("```"))?;
    let after_open = open + 3;
    // The rest of the opening line is a language name (dropped) or nothing.
    let line_end = text[after_open..]
        .find('\n')
        .map_or(text.len(), |n| after_open + n);
    let lang = text[after_open..line_end].trim();
    if lang.contains(char::is_whitespace) || lang.contains('`') {
        return None;
    }
    let body_start = (line_end + 1).min(text.len());
    let close = line_starts(text)
        .filter(|&i| i >= body_start)
        .find(|&i| text[i..].starts_with("```"))?;
    let code_end = if close > body_start { close - 1 } else { close };
    let mut after = close + 3;
    if text[after..].starts_with('\n') {
        after += 1;
    }
    Some((&text[..open], &text[body_start..code_end], &text[after..]))
}

fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1))
}

/// Quote lines and inline marks of text without code blocks.
fn lines<'a>(text: &'a str, out: &mut Vec<Span<'a>>) {
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        match body.strip_prefix("> ").or_else(|| body.strip_prefix('>')) {
            // A quote is a block: its line break goes with it.
            Some(q) => out.push(Span::Quote(q)),
            None => inline(line, out),
        }
    }
}

/// Inline marks of one line (with its line break).
fn inline<'a>(line: &'a str, out: &mut Vec<Span<'a>>) {
    let links = link_ranges(line);
    let bytes = line.as_bytes();
    let mut plain_from = 0;
    let mut i = 0;
    while i < line.len() {
        if let Some(&(_, end)) = links.iter().find(|(s, _)| *s == i) {
            i = end;
            continue;
        }
        let found = match bytes[i] {
            b'`' => closing(line, i, "`", &links, false).map(|(c, e)| (Span::Code(c), e)),
            b'*' if line[i..].starts_with("**") => {
                closing(line, i, "**", &links, false).map(|(c, e)| (Span::Bold(c), e))
            }
            b'*' => closing(line, i, "*", &links, false).map(|(c, e)| (Span::Italic(c), e)),
            b'_' => closing(line, i, "_", &links, true).map(|(c, e)| (Span::Italic(c), e)),
            _ => None,
        };
        match found {
            Some((span, end)) => {
                if plain_from < i {
                    out.push(Span::Plain(&line[plain_from..i]));
                }
                out.push(span);
                i = end;
                plain_from = end;
            }
            None => i += line[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    if plain_from < line.len() {
        out.push(Span::Plain(&line[plain_from..]));
    }
}

/// The content of a mark opening at `at` with `marker`, and where it ends;
/// `None` when it does not open (a space after it, a word before `_`) or
/// does not close on this line before a link.
fn closing<'a>(
    line: &'a str,
    at: usize,
    marker: &str,
    links: &[(usize, usize)],
    word_bound: bool,
) -> Option<(&'a str, usize)> {
    let from = at + marker.len();
    let before = line[..at].chars().next_back();
    let mark = marker.chars().next();
    if word_bound && before.is_some_and(char::is_alphanumeric) || (marker != "`" && before == mark)
    {
        return None;
    }
    let first = line[from..].chars().next()?;
    if first.is_whitespace() || Some(first) == mark {
        return None;
    }
    let stop = links
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| *s > from)
        .min()
        .unwrap_or(line.len());
    let mut search = from;
    while let Some(n) = line[search..stop].find(marker) {
        let close = search + n;
        let content = &line[from..close];
        let end = close + marker.len();
        let last = content.chars().next_back();
        let after = line[end..].chars().next();
        let closes = !content.is_empty()
            && !content.contains('\n')
            && (marker == "`" || !last.is_some_and(char::is_whitespace))
            && (!word_bound || !after.is_some_and(char::is_alphanumeric))
            // `**` inside an italic's search is not its end.
            && (marker != "*" || !line[end..].starts_with('*'));
        if closes {
            return Some((content, end));
        }
        search = close + marker.len();
    }
    None
}

/// The byte ranges of the http(s) links of a line.
fn link_ranges(line: &str) -> Vec<(usize, usize)> {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    finder
        .links(line)
        .filter(|l| w3mq_protocol::validate::is_http_url(l.as_str()))
        .map(|l| (l.start(), l.end()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Span::*;
    use super::*;

    #[test]
    fn marks_bold_italic_and_code() {
        assert_eq!(
            spans("a **b** *c* _d_ `e*f*`"),
            vec![
                Plain("a "),
                Bold("b"),
                Plain(" "),
                Italic("c"),
                Plain(" "),
                Italic("d"),
                Plain(" "),
                Code("e*f*"),
            ]
        );
    }

    #[test]
    fn leaves_what_is_not_a_mark_as_typed() {
        for t in [
            "2 * 3 * 4",
            "snake_case_name",
            "**",
            "a * b*",
            "*unclosed",
            "`",
            "__init__ is fine?",
            "<b>not html</b>",
            "1. a list? no\n# nor a heading",
        ] {
            let all: String = spans(t)
                .iter()
                .map(|s| match s {
                    Plain(p) => *p,
                    _ => "",
                })
                .collect();
            assert_eq!(all, t, "{t:?} became {:?}", spans(t));
        }
    }

    #[test]
    fn links_keep_their_underscores_and_stars() {
        assert_eq!(
            spans("see https://example.com/_b_/c*d*e _now_"),
            vec![Plain("see https://example.com/_b_/c*d*e "), Italic("now")]
        );
    }

    #[test]
    fn code_blocks_and_quotes_are_blocks() {
        assert_eq!(
            spans("look:\n```rust\nlet x = *y;\n_z_\n```\n> said\n>also\nafter"),
            vec![
                Plain("look:\n"),
                CodeBlock("let x = *y;\n_z_"),
                Quote("said"),
                Quote("also"),
                Plain("after"),
            ]
        );
        // An unclosed fence is text.
        assert_eq!(spans("```\nno end"), vec![Plain("```\n"), Plain("no end")]);
        // A mark never spans lines.
        assert_eq!(spans("*a\nb*"), vec![Plain("*a\n"), Plain("b*")]);
    }

    #[test]
    fn hostile_and_odd_input_never_panics() {
        for t in [
            "é*é*", "*\u{0}*", "```", "```\n```", "> ", ">", "**a**b**", "_a_b", "`é`",
        ] {
            let _ = spans(t);
        }
        assert_eq!(spans("**a**b**"), vec![Bold("a"), Plain("b**")]);
    }
}
