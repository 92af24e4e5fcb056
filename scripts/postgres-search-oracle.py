#!/usr/bin/env python3
"""PostgreSQL schema and search against SQLite's FTS5, the oracle.

    scripts/postgres-search-oracle.py DSN [--rows N] [--seed S]

DSN: a libpq URL or keyword string (`postgresql://relais@127.0.0.1:54329/relais`). Reads the
migrations from Sources/RelaisStorePostgres/PostgresSchema.swift and the ranked query from
PostgresSearch.swift, loads them into a schema of its own (dropped at the end), and checks:

1. tokenization: every code point between two letters splits (or not) as FTS5's
   `unicode61 remove_diacritics 2` splits it, and tricky folded texts give FTS5's tokens;
2. search: the same random listings in SQLite (FTS5, external content, as Schema.swift) and
   PostgreSQL; for each query the matching rows, their order by (stale, rank, id) and the rank
   values are identical;
3. the HSDS views give SQLite's rows; JSON content with escapes round-trips; `iso()`; meta.

Needs python3 (sqlite3 with FTS5) and psql. Prints PASS or FAIL; exits 1 on failure.
"""
import argparse
import json
import os
import random
import re
import sqlite3
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_SOURCES = os.path.join(ROOT, "Sources", "RelaisStorePostgres")
SQLITE_SCHEMA = os.path.join(ROOT, "Sources", "RelaisStoreSQLite", "Schema.swift")

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("  ✗ " + what)
    return ok


# ---------- SQL read from the Swift sources ----------

def swift_raw_block(text, start):
    """The body of the #\"\"\" … \"\"\"# literal opening at or after `start`, indentation stripped as Swift does."""
    i = text.index('#"""', start) + 4
    j = text.index('"""#', i)
    body = text[i:j]
    lines = body.split("\n")[1:]  # after the opening delimiter's line
    indent = len(lines[-1])  # the closing delimiter's indentation
    return "\n".join(l[indent:] for l in lines[:-1]), j


def migrations():
    text = open(os.path.join(PG_SOURCES, "PostgresSchema.swift"), encoding="utf-8").read()
    k = text.index("static let tokenCharacters = [")
    e = text.index("].joined()", k)
    token_chars = "".join(re.findall(r'#"(.*?)"#', text[k:e]))
    out = []
    for m in re.finditer(r'\("([0-9a-z-]+)",\s*#"""', text):
        sql, _ = swift_raw_block(text, m.start())
        out.append((m.group(1), sql.replace(r"\#(tokenCharacters)", token_chars)))
    return out, token_chars


def ranked_sql(words_param, conditions):
    text = open(os.path.join(PG_SOURCES, "PostgresSearch.swift"), encoding="utf-8").read()
    sql, _ = swift_raw_block(text, text.index("func rankedMatches"))
    return sql.replace(r"\#(wordsParameter)", words_param).replace(r"\#(conditions)", conditions or "TRUE")


def sqlite_views():
    text = open(SQLITE_SCHEMA, encoding="utf-8").read()
    return re.findall(r"CREATE VIEW .*?;", text, re.S)


# ---------- psql ----------

class PG:
    def __init__(self, dsn, schema):
        self.dsn, self.schema = dsn, schema

    def run(self, sql, search_path=True):
        prefix = "SET search_path TO %s; SET TimeZone = 'Europe/Paris';\n" % self.schema if search_path else ""
        p = subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-F", "\t", "-d", self.dsn],
            input=prefix + sql, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("psql failed: " + p.stderr.strip()[:2000])
        return p.stdout

    def rows(self, query):
        """A query's rows through COPY text format: NULL is None, everything else text."""
        out = self.run("COPY (%s) TO STDOUT;" % query)
        rows = []
        for line in out.split("\n"):
            if line == "":
                continue
            rows.append([None if f == r"\N" else unescape_copy(f) for f in line.split("\t")])
        return rows


def unescape_copy(f):
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(m.group(1), m.group(1)), f)


def copy_text(v):
    if v is None:
        return r"\N"
    s = str(v)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def pg_array(words):
    return "ARRAY[%s]::text[]" % ", ".join("'" + w.replace("'", "''") + "'" for w in words)


# ---------- 1. tokenization ----------

def fts5_tokens(db, texts):
    db.execute("DROP TABLE IF EXISTS tk")
    db.execute("CREATE VIRTUAL TABLE tk USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS tkv USING fts5vocab(tk, 'instance')")
    db.executemany("INSERT INTO tk (rowid, x) VALUES (?, ?)", list(enumerate(texts, 1)))
    out = {i: [] for i in range(1, len(texts) + 1)}
    for doc, term in db.execute("SELECT doc, term FROM tkv ORDER BY doc, offset"):
        out[doc].append(term)
    return [out[i] for i in range(1, len(texts) + 1)]


def check_tokenization(pg, db):
    print("tokenization")
    # Boundaries: every code point between two letters, one token or two, as FTS5 says.
    cps = [c for c in range(1, 0x110000) if not (0xD800 <= c <= 0xDFFF)]
    texts = ["a" + chr(c) + "b" for c in cps]
    fts = fts5_tokens(db, texts)
    data = "".join("%d\t%s\n" % (c, copy_text(t)) for c, t in zip(cps, texts))
    out = pg.run("CREATE TEMP TABLE cp (c int, x text);\nCOPY cp FROM STDIN;\n" + data + "\\.\n"
                 "SELECT c, cardinality(relais_fts_row(x, NULL, NULL, NULL, NULL)) FROM cp ORDER BY c;")
    pg_counts = {int(c): int(n) for c, n in (l.split("\t") for l in out.split("\n") if l)}
    wrong = [hex(c) for c, t in zip(cps, fts) if pg_counts[c] != len(t)]
    check(not wrong, "token boundaries differ from FTS5 at %d code points: %s" % (len(wrong), wrong[:20]))
    print("  %d code points, %d differ" % (len(cps), len(wrong)))
    # Folded texts (Text.fold output) and a few unfolded ones: the same tokens.
    samples = [
        "l entraide", "l'entraide", "saint-etienne", "saint etienne 42000", "soeurs", "coeur oeuvre", "ligne_ecoute",
        "ressource_en_ligne", "2e arrondissement 75002", "a1b2 c3", "λογος ςσ µ", "привет мир", "東京 都", "नमस्ते दुनिया",
        "مرحبا بالعالم", "x²y ½ ⅷ", "ⓐbc", "emoji🙂here", "tab\there\nnewline", "", "   ", "_a_b_", "ǆemal", "ａｂｃ１２",
    ]
    fts = fts5_tokens(db, samples)
    data = "".join("%d\t%s\n" % (i, copy_text(t)) for i, t in enumerate(samples))
    out = pg.run("CREATE TEMP TABLE sm (i int, x text);\nCOPY sm FROM STDIN;\n" + data + "\\.\n"
                 "COPY (SELECT i, array_to_json(relais_fts_row(x, NULL, NULL, NULL, NULL)) FROM sm ORDER BY i) TO STDOUT;")
    got = {int(i): json.loads(unescape_copy(a)) for i, a in (l.split("\t") for l in out.split("\n") if l)}
    for i, s in enumerate(samples):
        # FTS5 folds case and accents of unfolded text; Relais folds before: compare on folded-domain samples.
        if s in ("ａｂｃ１２",):
            check(len(got[i]) == len(fts[i]), "token count for %r: %r vs %r" % (s, got[i], fts[i]))
        else:
            check(got[i] == fts[i], "tokens for %r: PostgreSQL %r, FTS5 %r" % (s, got[i], fts[i]))


# ---------- 2. search ----------

WORDS = (
    "sante santi saint sainte etienne entraide ecoute ecouter famille familial familles jeune jeunesse logement loger "
    "aide aidant aidants accueil accompagnement addiction alcool soeurs oeuvre coeur enfance enfant enfants paris marseille "
    "maison mission locale emploi insertion femmes violence victimes ligne centre social sociale solidarite solidaire "
    "restos resto croix rouge secours populaire catholique sans abri hebergement urgence sos amitie parent parents "
    "ecole education sport culture handicap autisme sourds mal voyants samu social permanence juridique droit droits "
    "l d de du la le les des et a au aux en sur pour 75011 75002 13001 69 2e 3e 1er 115 119 3919 "
    "λογος привет नमस्ते"
).split()
KINDS = ["ligne_ecoute", "ressource_en_ligne", "lieu_accueil", "permanence", "association", "service_public"]


def phrase(rng, lo, hi):
    n = rng.randint(lo, hi)
    return " ".join(rng.choice(WORDS) for _ in range(n))


def make_rows(n, seed):
    rng = random.Random(seed)
    rows = []
    for k in range(1, n + 1):
        sid = "s%08x" % rng.getrandbits(32)
        name = phrase(rng, 1, 6)
        content = {"name": name}
        if rng.random() < 0.7:
            addr = {"commune": rng.choice(["Paris", "Saint-Étienne", "Marseille", "L’Haÿ-les-Roses", "Œuilly"])}
            if rng.random() < 0.8:
                addr["street"] = "%d rue de l’Église \"bis\"" % rng.randint(1, 200)
            if rng.random() < 0.3:
                addr["complement"] = "Bât. C\\D"
            if rng.random() < 0.5:
                addr["region"] = "Auvergne-Rhône-Alpes"
            content["address"] = addr
        if rng.random() < 0.6:
            content["phones"] = [dict({"number": "01 %02d %02d %02d %02d" % tuple(rng.randint(0, 99) for _ in range(4))},
                                      **({"note": "soir"} if rng.random() < 0.4 else {})) for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.3:
            content["registration"] = "Sur rendez-vous « café »"
        if rng.random() < 0.3:
            content["placeName"] = "Maison des sœurs"
        if rng.random() < 0.3:
            content["pointPrecision"] = rng.choice(["address", "commune"])
        text = json.dumps(content, sort_keys=True, ensure_ascii=rng.random() < 0.5, separators=(",", ":"))
        rows.append(dict(
            rowid=k, id=sid, name=name, kind=rng.choice(KINDS), status="active", content=text,
            stale=1 if rng.random() < 0.15 else 0, hidden=1 if rng.random() < 0.1 else 0,
            email="x@example.org" if rng.random() < 0.3 else None,
            postal_code=rng.choice(["75011", "42000", None]), insee=rng.choice(["75111", None]), departement=rng.choice(["75", "42", "13", None]),
            latitude=rng.choice([48.85, 45.4397, None, 43.296482]), longitude=rng.choice([2.35, 4.3872, None]),
            search_name=name if rng.random() < 0.97 else (None if rng.random() < 0.5 else ""),
            search_organization=phrase(rng, 1, 4) if rng.random() < 0.6 else (None if rng.random() < 0.5 else ""),
            search_place=phrase(rng, 1, 3) if rng.random() < 0.7 else "",
            search_body=phrase(rng, 0, 40) if rng.random() < 0.8 else None,
        ))
    return rows


COLUMNS = ["rowid", "id", "name", "kind", "status", "content", "stale", "hidden", "email", "postal_code", "insee",
           "departement", "latitude", "longitude", "search_name", "search_organization", "search_place", "search_body"]

QUERIES = [
    ["sa"], ["sai"], ["saint"], ["ent"], ["ec"], ["ecou"], ["fam"], ["jeu"], ["log"], ["aid"], ["75"], ["11"], ["l"],
    ["saint", "eti"], ["aide", "fam"], ["ligne", "ec"], ["l", "entr"], ["sa", "e", "l"], ["ce", "so", "ai"],
    ["re", "cr", "ro"], ["ai", "ai"], ["ressource", "en", "ligne"], ["λογ"], ["при"], ["zzq"], ["de", "la", "et"],
    ["soeu"], ["coeur", "o"], ["3919"], ["2e", "115"],
]
CONDITIONS = [
    ("", ""),
    ("s.hidden = 0", "s.hidden = 0"),
    ("s.hidden = 0 AND s.stale = 0 AND s.kind = 'ligne_ecoute'", "s.hidden = 0 AND s.stale = 0 AND s.kind = 'ligne_ecoute'"),
    ("s.departement = '75'", "s.departement = '75'"),
]


def load(pg, db, rows):
    db.execute("""CREATE TABLE service (id TEXT PRIMARY KEY, organization_id TEXT, name TEXT NOT NULL, kind TEXT NOT NULL,
        status TEXT NOT NULL, content TEXT NOT NULL, stale INTEGER NOT NULL DEFAULT 0, hidden INTEGER NOT NULL DEFAULT 0,
        email TEXT, postal_code TEXT, insee TEXT, departement TEXT, latitude REAL, longitude REAL,
        search_name TEXT, search_organization TEXT, search_place TEXT, search_body TEXT)""")
    db.executemany("INSERT INTO service (%s) VALUES (%s)" % (", ".join(COLUMNS), ", ".join("?" * len(COLUMNS))),
                   [[r[c] for c in COLUMNS] for r in rows])
    db.execute("""CREATE VIRTUAL TABLE service_fts USING fts5(
        search_name, search_organization, search_place, kind, search_body,
        content = 'service', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2')""")
    db.execute("INSERT INTO service_fts (service_fts) VALUES ('rebuild')")
    for v in sqlite_views():
        db.execute(v)
    data = "".join("\t".join(copy_text(r[c]) for c in COLUMNS) + "\tnow\tnow\n" for r in rows)
    pg.run("COPY service (%s, created_at, updated_at) FROM STDIN;\n%s\\.\nANALYZE service;" % (", ".join(COLUMNS), data))


def check_search(pg, db):
    print("search")
    total = 0
    max_diff = 0.0
    for words in QUERIES:
        for sqlite_cond, pg_cond in CONDITIONS:
            pattern = " ".join('"%s"*' % w for w in words)
            sql = ("SELECT s.rowid, s.id, s.stale, f.rank FROM service_fts f JOIN service s ON s.rowid = f.rowid "
                   "WHERE service_fts MATCH ? %s ORDER BY s.stale, f.rank, s.id" % ("AND " + sqlite_cond if sqlite_cond else ""))
            want = [(int(a), b, int(c), float(d)) for a, b, c, d in db.execute(sql, [pattern])]
            got = [(int(a), b, int(c), float(d)) for a, b, c, d in pg.rows(
                "SELECT m.rowid, m.id, m.stale, m.rank FROM (%s) m ORDER BY m.stale, m.rank, m.id"
                % ranked_sql(pg_array(words), pg_cond))]
            what = "%s [%s]" % (pattern, sqlite_cond or "no filter")
            same_set = check({r[0] for r in want} == {r[0] for r in got},
                             "%s: matches differ (SQLite %d, PostgreSQL %d)" % (what, len(want), len(got)))
            if same_set:
                check([r[:3] for r in want] == [r[:3] for r in got], "%s: order differs" % what)
                by = {r[0]: r[3] for r in got}
                diffs = [abs(r[3] - by[r[0]]) for r in want]
                worst = max(diffs, default=0.0)
                max_diff = max(max_diff, worst)
                check(worst <= 1e-12, "%s: rank differs by %g" % (what, worst))
                exact = sum(1 for r in want if r[3] == by[r[0]])
                if exact != len(want):
                    print("  %s: %d of %d ranks bit-identical" % (what, exact, len(want)))
            total += len(want)
            if not sqlite_cond:
                print("  %-32s %5d matches" % (pattern, len(want)))
    print("  %d queries × %d filters, %d ranked rows compared, largest rank difference %g"
          % (len(QUERIES), len(CONDITIONS), total, max_diff))


# ---------- 3. views, JSON, timestamps, meta ----------

VIEWS = {"location": "id", "service_at_location": "id", "address": "id", "phone": "id", "contact": "id"}


def norm(v):
    if v is None:
        return None
    if isinstance(v, float):
        return v
    try:
        if isinstance(v, str) and re.fullmatch(r"-?[0-9.]+(e[-+]?[0-9]+)?", v) and "." in v:
            return float(v)
    except ValueError:
        pass
    return str(v)


def check_views(pg, db):
    print("views")
    for view, key in VIEWS.items():
        cols = [r[1] for r in db.execute("PRAGMA table_info(%s)" % view)]
        want = [[norm(v) for v in r] for r in db.execute("SELECT %s FROM %s ORDER BY %s" % (", ".join(cols), view, key))]
        got = [[norm(v) for v in r] for r in pg.rows("SELECT %s FROM %s ORDER BY %s" % (", ".join(cols), view, key))]
        bad = [(a, b) for a, b in zip(want, got) if a != b]
        check(len(want) == len(got) and not bad, "view %s: %d vs %d rows, first difference %s" % (view, len(want), len(got), bad[:1]))
        print("  %-20s %5d rows, %d differ" % (view, len(got), len(bad) + abs(len(want) - len(got))))


def check_json_and_time(pg):
    print("json, timestamps, meta")
    content = '{"address":{"commune":"Saint-\\u00c9tienne","street":"1 rue \\"Haute\\" \\/ l\'\\u00e9glise"},"name":"Caf\\u00e9 \\"L\'\\u00e9t\\u00e9\\"\\\\","phones":[{"number":"01"}]}'
    nul = '{"name":"a\\u0000b","phones":"none"}'
    data = "".join("%s\n" % "\t".join(copy_text(v) for v in row) for row in [
        (900001, "sjson1", "x", "association", "active", content, "2026-12-06T21:15:00Z", "2026-12-06T21:15:00.75Z"),
        (900002, "sjson2", "y", "association", "active", nul, "2026-12-06T21:15:00+01:00", "2026-12-06T21:15:00Z")])
    pg.run("COPY service (rowid, id, name, kind, status, content, created_at, updated_at) FROM STDIN;\n%s\\.\n" % data)
    r = pg.rows("SELECT content, content_json ->> 'name', content_json #>> '{address,street}', iso(created_at), iso(updated_at) "
                "FROM service WHERE id = 'sjson1'")[0]
    check(r[0] == content, "content text changed on the way: %r" % r[0])
    check(r[1] == 'Café "L\'été"\\', "content_json name: %r" % r[1])
    check(r[2] == '1 rue "Haute" / l\'église', "content_json street: %r" % r[2])
    check(r[3] == "2026-12-06T21:15:00Z" and r[4] == "2026-12-06T21:15:00Z", "iso(): %r %r" % (r[3], r[4]))
    a = pg.rows("SELECT city, address_1 FROM address WHERE id = 'djson1'")
    check(a == [["Saint-Étienne", '1 rue "Haute" / l\'église']], "address view on escaped JSON: %r" % a)
    r = pg.rows("SELECT content, content_json ->> 'name', iso(created_at) FROM service WHERE id = 'sjson2'")[0]
    check(r[0] == nul and r[1] == "a\ufffdb" and r[2] == "2026-12-06T20:15:00Z", "\\u0000 content: %r" % r)
    check(pg.rows("SELECT count(*) FROM phone WHERE service_id = 'sjson2'") == [["0"]], "phones not an array: no phone rows")
    meta = dict(pg.rows("SELECT key, value FROM meta"))
    check(meta.get("data_version") == "1" and 1 <= int(meta.get("store_id", 0)) <= 2**53 - 1, "meta: %r" % meta)
    s = pg.rows("SELECT octet_length(secret) FROM throttle_secret")
    check(s == [["32"]], "throttle_secret: %r" % s)
    pg.run("DELETE FROM service WHERE id IN ('sjson1', 'sjson2');")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dsn")
    ap.add_argument("--rows", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=20261211)
    args = ap.parse_args()
    schema = "relais_oracle_%d_%d" % (os.getpid(), random.randrange(10**6))
    pg = PG(args.dsn, schema)
    db = sqlite3.connect(":memory:")
    created = False
    try:
        pg.run("CREATE SCHEMA %s;" % schema, search_path=False)
        created = True
        migs, _ = migrations()
        check(len(migs) >= 1, "no migration found in PostgresSchema.swift")
        for name, sql in migs:
            pg.run(sql)
            print("migration %s applied" % name)
        rows = make_rows(args.rows, args.seed)
        load(pg, db, rows)
        check_search(pg, db)
        check_views(pg, db)
        check_json_and_time(pg)
        check_tokenization(pg, db)
    except Exception as e:  # noqa: BLE001
        failures.append("error: %s" % e)
        print("  ✗ error: %s" % e)
    finally:
        try:
            if created:
                pg.run("DROP SCHEMA %s CASCADE;" % schema, search_path=False)
        except Exception as e:  # noqa: BLE001
            failures.append("cleanup: %s" % e)
    if failures:
        print("FAIL (%d)" % len(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
