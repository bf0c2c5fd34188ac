//! Full-text search over every cached message (current and left rooms).
//!
//! The user's text never reaches FTS5's query syntax: it is split at
//! whitespace and each term becomes a quoted string (an FTS5 string may hold
//! anything but needs its `"` doubled), all of them required. The last term
//! is a prefix (`"term"*`) when it is at least [`MIN_PREFIX`] characters
//! long and not followed by a space, so results come while typing; shorter
//! prefixes would match too many terms to be fast.
//!
//! A prefix costs a merge of the lists of every matching word, each time a
//! query starts; for a prefix of a very frequent word that is most of the
//! index. So when the last term is a whole word that alone has at least
//! [`RANK_WINDOW`] matches, it is searched as that word (the window would be
//! full of its matches anyway).

use sqlx::Row;

use super::codec::{HIT_CLOSE, HIT_OPEN};
use super::messages::{row_message, MSG_COLS};
use super::{Cache, CacheError};
use crate::model::{SearchFilter, SearchHit, SnippetPart};

/// The most results a search returns.
pub const MAX_RESULTS: i64 = 200;
/// The most terms of a query that are used.
const MAX_TERMS: usize = 16;
/// The shortest last term that is matched as a prefix.
const MIN_PREFIX: usize = 3;

/// The FTS5 query for the user's text, or `None` when it has nothing to
/// search for; and when its last term is a prefix, the same query with that
/// term whole.
pub(crate) fn fts_query(text: &str) -> Option<(String, Option<String>)> {
    let terms: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        // A term without a letter or digit has no token: FTS5 would see an
        // empty string, which matches nothing; leave it out instead.
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .take(MAX_TERMS)
        .collect();
    let last = terms.len().checked_sub(1)?;
    let prefix_last = !text.ends_with(|c: char| c.is_whitespace());
    let mut q = String::with_capacity(text.len() + 4 * terms.len());
    for (i, t) in terms.iter().enumerate() {
        if i > 0 {
            q.push(' ');
        }
        q.push('"');
        q.push_str(&t.replace('"', "\"\""));
        q.push('"');
    }
    if prefix_last && ends_with_word_of(terms[last], MIN_PREFIX) {
        let whole = q.clone();
        q.push('*');
        Some((q, Some(whole)))
    } else {
        Some((q, None))
    }
}

/// Whether `t` ends with at least `n` letters or digits.
fn ends_with_word_of(t: &str, n: usize) -> bool {
    t.chars()
        .rev()
        .take_while(|c| c.is_alphanumeric())
        .take(n)
        .count()
        >= n
}

/// Splits an FTS5 snippet marked with [`HIT_OPEN`]/[`HIT_CLOSE`] into parts.
pub(crate) fn snippet_parts(s: &str) -> Vec<SnippetPart> {
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut cur = String::new();
    let mut hit = false;
    let flush = |cur: &mut String, hit: bool, parts: &mut Vec<SnippetPart>| {
        if cur.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(p) if p.hit == hit => p.text.push_str(cur),
            _ => parts.push(SnippetPart {
                text: cur.clone(),
                hit,
            }),
        }
        cur.clear();
    };
    for c in s.chars() {
        match c {
            HIT_OPEN => {
                flush(&mut cur, hit, &mut parts);
                hit = true;
            }
            HIT_CLOSE => {
                flush(&mut cur, hit, &mut parts);
                hit = false;
            }
            c => cur.push(c),
        }
    }
    flush(&mut cur, hit, &mut parts);
    parts
}

/// How many matches, the newest, are ranked. A query that matches more (a
/// word in one message of ten, over a long history) ranks the newest
/// `RANK_WINDOW` of them, so that its cost stays bounded.
pub const RANK_WINDOW: i64 = 10_000;

/// The search query around its candidates (`cand`: `mid` and `score`): the query of
/// [`SEARCH`], below.
macro_rules! search_sql {
    ($($cand:expr),+) => {
        concat!(
            "WITH cand AS MATERIALIZED (",
            $($cand),+,
            "),
     cut AS (SELECT score FROM cand ORDER BY score LIMIT 1 OFFSET ?2 - 1),
     hits AS MATERIALIZED (
         SELECT c.mid AS mid, c.score AS score, m.created_at AS ts
         FROM cand c JOIN messages m ON m.mid = c.mid
         WHERE c.score <= coalesce((SELECT score FROM cut), 1e308)
         ORDER BY c.score, m.created_at DESC, c.mid DESC
         LIMIT ?2),
     snips AS MATERIALIZED (
         SELECT rowid AS mid, snippet(messages_fts, -1, char(57344), char(57345), '…', 24) AS snip
         FROM messages_fts
         WHERE messages_fts MATCH ?1
           AND rowid >= (SELECT min(mid) FROM hits) AND rowid <= (SELECT max(mid) FROM hits)
           AND +rowid IN (SELECT mid FROM hits))
     SELECT m.id, m.seq, r.room_id, m.created_at, m.txt, m.body, s.snip
     FROM hits JOIN messages m ON m.mid = hits.mid JOIN rooms r ON r.rk = m.rk
     LEFT JOIN snips s ON s.mid = hits.mid
     ORDER BY hits.score, hits.ts DESC, hits.mid DESC"
        )
    };
}

/// The filter of a filtered search's candidates (`m`: their messages).
macro_rules! filter_sql {
    () => {
        "AND (?4 IS NULL OR m.rk = (SELECT rk FROM rooms WHERE room_id = ?4))
           AND (?5 IS NULL OR json_extract(m.body, '$.from_uid') = ?5)
           AND (?6 IS NULL OR m.created_at >= ?6)
           AND (?7 IS NULL OR m.created_at < ?7)"
    };
}

/// Best matches first (bm25; the newest first among equals) among the newest
/// [`RANK_WINDOW`] matches; then the returned rows' bodies and snippets. Only
/// the candidates that can make the cut (a score at least as good as the
/// `limit`-th best) are looked up for their `created_at`.
///
/// The snippets come from one more scan of the index over the hits' rowid
/// range, not from one query per hit: a prefix term (`"abc"*`) is expanded
/// into a merged list of every matching row each time a query starts, which
/// for a frequent prefix costs far more than reading the range once.
const SEARCH: &str = search_sql!(
    "SELECT rowid AS mid, rank AS score FROM messages_fts
         WHERE messages_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?3"
);

/// [`SEARCH`] among the messages a [`SearchFilter`] lets through (?4 room id, ?5 sender,
/// ?6 and ?7 the time range in ns; NULL: any). The filter is applied to the candidates, so a
/// narrow filter still finds its matches among a long history's.
const SEARCH_FILTERED: &str = search_sql!(
    "SELECT messages_fts.rowid AS mid, messages_fts.rank AS score
         FROM messages_fts JOIN messages m ON m.mid = messages_fts.rowid
         WHERE messages_fts MATCH ?1 ",
    filter_sql!(),
    " ORDER BY messages_fts.rowid DESC LIMIT ?3"
);

/// How many messages match (up to ?8), with the filter of [`SEARCH_FILTERED`].
const COUNT_FILTERED: &str = concat!(
    "SELECT count(*) FROM (
         SELECT 1 FROM messages_fts JOIN messages m ON m.mid = messages_fts.rowid
         WHERE messages_fts MATCH ?1 ",
    filter_sql!(),
    " LIMIT ?8)"
);

/// The most matches a search counts (more shows as "more than 1,000").
pub const MAX_COUNTED: i64 = 1000;

fn ms_to_ns(ms: Option<f64>) -> Option<i64> {
    ms.filter(|v| v.is_finite())
        .map(|v| (v.clamp(0.0, 9.0e12) * 1_000_000.0) as i64)
}

impl Cache {
    /// [`Cache::search`] limited by a filter, and how many messages match in
    /// all (up to [`MAX_COUNTED`]).
    pub async fn search_in(
        &self,
        query: &str,
        filter: &SearchFilter,
        limit: i64,
    ) -> Result<(Vec<SearchHit>, i64), CacheError> {
        if filter.is_empty() {
            let hits = self.search(query, limit).await?;
            let total = self.count_matches(query, filter).await?;
            return Ok((hits, total));
        }
        let Some((q, _)) = fts_query(query) else {
            return Ok((Vec::new(), 0));
        };
        let rows = sqlx::query(SEARCH_FILTERED)
            .bind(&q)
            .bind(limit.clamp(1, MAX_RESULTS))
            .bind(RANK_WINDOW)
            .bind(filter.room_id.as_deref())
            .bind(filter.from_uid.as_deref())
            .bind(ms_to_ns(filter.after_ms))
            .bind(ms_to_ns(filter.before_ms))
            .fetch_all(&self.read)
            .await?;
        let hits = hits_of(&rows)?;
        let total = self.count_matches(query, filter).await?;
        Ok((hits, total))
    }

    /// How many messages match `query` under `filter`, up to [`MAX_COUNTED`].
    async fn count_matches(&self, query: &str, filter: &SearchFilter) -> Result<i64, CacheError> {
        let Some((q, _)) = fts_query(query) else {
            return Ok(0);
        };
        Ok(sqlx::query_scalar(COUNT_FILTERED)
            .bind(&q)
            .bind(None::<i64>)
            .bind(None::<i64>)
            .bind(filter.room_id.as_deref())
            .bind(filter.from_uid.as_deref())
            .bind(ms_to_ns(filter.after_ms))
            .bind(ms_to_ns(filter.before_ms))
            .bind(MAX_COUNTED + 1)
            .fetch_one(&self.read)
            .await?)
    }

    /// Full-text search over all cached history (current and left rooms),
    /// best matches first (bm25, the newest first among equals; a query with
    /// more than [`RANK_WINDOW`] matches ranks the newest of them), each with
    /// a snippet whose `hit` parts are the matched terms. `limit` is clamped
    /// to 1..=200. An empty query (or one with no letters or digits) finds
    /// nothing.
    pub async fn search(&self, query: &str, limit: i64) -> Result<Vec<SearchHit>, CacheError> {
        let Some((mut q, whole)) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let limit = limit.clamp(1, MAX_RESULTS);
        if let Some(whole) = whole {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ?1 LIMIT ?2)",
            )
            .bind(&whole)
            .bind(RANK_WINDOW)
            .fetch_one(&self.read)
            .await?;
            if n >= RANK_WINDOW {
                q = whole;
            }
        }
        let rows = sqlx::query(SEARCH)
            .bind(&q)
            .bind(limit)
            .bind(RANK_WINDOW)
            .fetch_all(&self.read)
            .await?;
        hits_of(&rows)
    }
}

fn hits_of(rows: &[sqlx::sqlite::SqliteRow]) -> Result<Vec<SearchHit>, CacheError> {
    let mut hits = Vec::with_capacity(rows.len());
    for r in rows {
        let message = match row_message(r) {
            Ok(m) => m,
            Err(CacheError::Corrupt(e)) => {
                tracing::warn!(error = %e, "corrupt cached message skipped");
                continue;
            }
            Err(e) => return Err(e),
        };
        let snippet: Option<String> = r.try_get(MSG_COLS)?;
        let snippet = snippet_parts(snippet.as_deref().unwrap_or(""));
        hits.push(SearchHit { message, snippet });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_quoted_terms() {
        let q = |s: &str| fts_query(s).map(|(q, _)| q);
        assert_eq!(q(""), None);
        assert_eq!(q("   "), None);
        assert_eq!(q("\" * ) ( -"), None);
        assert_eq!(q("hello"), Some("\"hello\"*".into()));
        assert_eq!(fts_query("hello").unwrap().1, Some("\"hello\"".into()));
        assert_eq!(q("hello "), Some("\"hello\"".into()));
        assert_eq!(fts_query("hello ").unwrap().1, None);
        assert_eq!(q("hi"), Some("\"hi\"".into()));
        assert_eq!(q("a AND b"), Some("\"a\" \"AND\" \"b\"".into()));
        assert_eq!(
            q("say \"hi there"),
            Some("\"say\" \"\"\"hi\" \"there\"*".into())
        );
        assert_eq!(q("NEAR(a b)"), Some("\"NEAR(a\" \"b)\"".into()));
    }

    #[test]
    fn snippets_split_at_the_markers() {
        let s = format!("…say {HIT_OPEN}hello{HIT_CLOSE} to {HIT_OPEN}you{HIT_CLOSE}");
        let p = snippet_parts(&s);
        let got: Vec<(&str, bool)> = p.iter().map(|p| (p.text.as_str(), p.hit)).collect();
        assert_eq!(
            got,
            vec![
                ("…say ", false),
                ("hello", true),
                (" to ", false),
                ("you", true)
            ]
        );
        assert!(snippet_parts("").is_empty());
    }
}
