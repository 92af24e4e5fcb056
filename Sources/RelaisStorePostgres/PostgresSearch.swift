/// Full-text search ranked as SQLite's FTS5 ranks it, so that `ORDER BY stale, rank, id` gives the
/// same pages on both backends.
///
/// FTS5's `rank` is `bm25()` (`ext/fts5/fts5_aux.c`), all five columns weighted 1: for each query
/// word i (a prefix phrase `"w"*`), IDF_i = ln((N − n_i + 0.5) / (n_i + 0.5)), 1e-6 when not positive,
/// with N the rows of the table and n_i those matching word i (the whole table, whatever the
/// filters); f_i = the row's tokens starting with word i, D = the row's tokens, avgdl = the table's
/// tokens / N; rank = −Σ_i IDF_i · f_i·(k1 + 1) / (f_i + k1·(1 − b + b·D/avgdl)), k1 = 1.2, b = 0.75.
/// Computed here in the same order of operations, in double precision, with the same `log`:
/// the ranks are bit-identical to SQLite's (`scripts/postgres-search-oracle.py`).
enum PostgresSearch {
    /// A query yielding `(rowid, stale, id, rank)` for the listings matching every word as a
    /// prefix of one of their tokens, `rank` being FTS5's (lower is better, negative).
    /// - Parameters:
    ///   - wordsParameter: the placeholder of a `text[]` parameter (`$1`): the query's words, folded by
    ///     `Text.fold` and split on spaces, as `ftsPattern` does (each word must be non-empty).
    ///   - extraConditions: filters on `service s` (`s.hidden = 0 AND s.kind = $2`), or empty.
    ///
    /// Use it as a subquery: `SELECT m.rowid FROM (<this>) m ORDER BY m.stale, m.rank, m.id LIMIT … OFFSET …`.
    /// A count is `SELECT count(*) FROM (<this>) m` (PostgreSQL drops the unused rank).
    /// The table's statistics (rows, tokens) and each word's matching rows are read on every call:
    /// a caller may cache pages per data version.
    static func rankedMatches(wordsParameter: String, extraConditions: String) -> String {
        let conditions = extraConditions.isEmpty ? "TRUE" : extraConditions
        return #"""
            WITH words AS MATERIALIZED (
                SELECT u.i, relais_fts_fold(u.w) AS w
                FROM unnest(CAST(\#(wordsParameter) AS text[])) WITH ORDINALITY AS u(w, i)
            ),
            query AS MATERIALIZED (
                SELECT string_agg('''' || replace(replace(w, '\', '\\'), '''', '''''') || ''':*', ' & ' ORDER BY i)::tsquery AS q FROM words
            ),
            totals AS MATERIALIZED (
                SELECT count(*)::float8 AS n, coalesce(sum(search_length), 0)::float8 AS tokens FROM service
            ),
            weights AS MATERIALIZED (
                SELECT w.i, w.w, CASE WHEN v.idf <= 0::float8 THEN 1e-6::float8 ELSE v.idf END AS idf
                FROM words w CROSS JOIN totals t
                CROSS JOIN LATERAL (
                    SELECT count(*)::float8 AS hits FROM service x
                    WHERE x.search_vector @@ ('''' || replace(replace(w.w, '\', '\\'), '''', '''''') || ''':*')::tsquery
                ) h
                CROSS JOIN LATERAL (SELECT ln((t.n - h.hits + 0.5::float8) / (h.hits + 0.5::float8)) AS idf) v
            ),
            matches AS MATERIALIZED (
                SELECT s.rowid, s.stale, s.id, s.search_tokens, s.search_length
                FROM service s CROSS JOIN query
                WHERE s.search_vector @@ query.q AND (\#(conditions))
            )
            SELECT m.rowid, m.stale, m.id,
                   -1.0::float8 * (
                       SELECT sum(wt.idf * ((f.n * (1.2::float8 + 1.0::float8))
                                            / (f.n + 1.2::float8 * ((1.0::float8 - 0.75::float8) + 0.75::float8 * m.search_length::float8 / (t.tokens / t.n))))
                                  ORDER BY wt.i)
                       FROM weights wt
                       CROSS JOIN LATERAL (SELECT count(*)::float8 AS n FROM unnest(m.search_tokens) tok WHERE starts_with(tok, wt.w)) f
                   ) AS rank
            FROM matches m CROSS JOIN totals t
            """#
    }
}
