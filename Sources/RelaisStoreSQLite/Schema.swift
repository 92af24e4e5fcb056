import RelaisMerge
import RelaisStore
import RelaisModel
import GRDB
import RelaisNormalize

/// Append-only, named migrations. Never edit a migration that has shipped:
/// add a new one.
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var m = DatabaseMigrator()

        m.registerMigration("2026-11-23-hsds-core") { db in
            // Open Referral HSDS 3.0 core tables, plus the fields this domain needs.
            try db.execute(sql: """
                CREATE TABLE organization (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    description TEXT,
                    email TEXT,
                    website TEXT
                );
                CREATE TABLE service (
                    id TEXT PRIMARY KEY,
                    organization_id TEXT REFERENCES organization(id) ON DELETE SET NULL,
                    name TEXT NOT NULL,
                    alternate_name TEXT,
                    description TEXT,
                    url TEXT,
                    email TEXT,
                    status TEXT NOT NULL,
                    fees_description TEXT,
                    eligibility_description TEXT,
                    application_process TEXT,
                    -- Relais fields
                    kind TEXT NOT NULL,
                    needs TEXT NOT NULL DEFAULT '[]',
                    audiences TEXT NOT NULL DEFAULT '[]',
                    modalities TEXT NOT NULL DEFAULT '[]',
                    opening_hours TEXT,
                    schedule_text TEXT,
                    postal_code TEXT,
                    insee TEXT,
                    departement TEXT,
                    latitude REAL,
                    longitude REAL,
                    demo INTEGER NOT NULL DEFAULT 0,
                    stale INTEGER NOT NULL DEFAULT 0,
                    stale_since TEXT,
                    pinned INTEGER NOT NULL DEFAULT 0,
                    hidden INTEGER NOT NULL DEFAULT 0,
                    last_verified TEXT,
                    admin_verified_at TEXT,
                    parent_id TEXT,
                    content TEXT NOT NULL,
                    provenance TEXT NOT NULL DEFAULT '{}',
                    flags TEXT NOT NULL DEFAULT '[]',
                    sources TEXT NOT NULL DEFAULT '[]',
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX service_departement ON service(departement, kind);
                -- HSDS location, address, service_at_location, phone and contact: views of
                -- each listing's merged content, so they can never disagree with it.
                CREATE VIEW location AS
                    SELECT 'l' || substr(s.id, 2) AS id, s.organization_id,
                           CASE WHEN s.kind IN ('ligne_ecoute', 'ressource_en_ligne') AND json_extract(s.content, '$.address.street') IS NULL
                                THEN 'virtual' ELSE 'physical' END AS location_type,
                           COALESCE(json_extract(s.content, '$.placeName'), s.name) AS name,
                           s.latitude, s.longitude, json_extract(s.content, '$.pointPrecision') AS geo_precision
                    FROM service s;
                CREATE VIEW service_at_location AS
                    SELECT 'a' || substr(id, 2) AS id, id AS service_id, 'l' || substr(id, 2) AS location_id FROM service;
                CREATE VIEW address AS
                    SELECT 'd' || substr(s.id, 2) AS id, 'l' || substr(s.id, 2) AS location_id,
                           json_extract(s.content, '$.address.street') AS address_1,
                           json_extract(s.content, '$.address.complement') AS address_2,
                           json_extract(s.content, '$.address.commune') AS city,
                           s.postal_code, s.insee, s.departement,
                           json_extract(s.content, '$.address.region') AS region,
                           'FR' AS country, 'physical' AS address_type
                    FROM service s WHERE json_extract(s.content, '$.address') IS NOT NULL;
                CREATE VIEW phone AS
                    SELECT s.id || '-p' || p.key AS id, s.id AS service_id,
                           json_extract(p.value, '$.number') AS number, json_extract(p.value, '$.note') AS description,
                           p.key AS position
                    FROM service s, json_each(s.content, '$.phones') p;
                CREATE VIEW contact AS
                    SELECT s.id || '-c' AS id, s.id AS service_id, json_extract(s.content, '$.registration') AS name, s.email,
                           (SELECT json_extract(value, '$.number') FROM json_each(s.content, '$.phones') LIMIT 1) AS phone
                    FROM service s WHERE s.email IS NOT NULL OR json_extract(s.content, '$.registration') IS NOT NULL;
                CREATE TABLE schedule (
                    id TEXT PRIMARY KEY,
                    service_id TEXT REFERENCES service(id) ON DELETE CASCADE,
                    freq TEXT,
                    interval INTEGER,
                    byday TEXT,
                    bymonth TEXT,
                    dtstart TEXT,
                    until TEXT,
                    count INTEGER,
                    opens_at TEXT,
                    closes_at TEXT,
                    valid_from TEXT,
                    valid_to TEXT,
                    timezone_name TEXT NOT NULL DEFAULT 'Europe/Paris',
                    opening_hours TEXT,
                    closed INTEGER NOT NULL DEFAULT 0,
                    description TEXT
                );
                CREATE INDEX schedule_service ON schedule(service_id);
                -- Dated sessions (Prospect workshops, one-off talk groups, events).
                CREATE TABLE session (
                    id TEXT PRIMARY KEY,
                    service_id TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
                    title TEXT NOT NULL,
                    first_start TEXT NOT NULL,
                    first_start_epoch INTEGER NOT NULL,
                    last_end_epoch INTEGER NOT NULL,
                    cancelled INTEGER NOT NULL DEFAULT 0,
                    latitude REAL,
                    longitude REAL,
                    departement TEXT,
                    content TEXT NOT NULL
                );
                CREATE INDEX session_start ON session(first_start_epoch);
                CREATE INDEX session_service ON session(service_id);
                -- Keys under which a listing from another source may be the same resource.
                CREATE TABLE service_key (
                    key TEXT NOT NULL,
                    service_id TEXT NOT NULL,
                    PRIMARY KEY (key, service_id)
                ) WITHOUT ROWID;
                -- Full-text search: accents and case folded, prefix queries.
                CREATE VIRTUAL TABLE service_fts USING fts5(
                    name, organization, place, kind, body,
                    tokenize = 'unicode61 remove_diacritics 2',
                    prefix = '2 3'
                );
                """)
        }

        m.registerMigration("2026-11-23-sources-and-runs") { db in
            try db.execute(sql: """
                CREATE TABLE source (
                    id TEXT PRIMARY KEY,
                    title TEXT NOT NULL,
                    url TEXT NOT NULL,
                    format TEXT NOT NULL,
                    manifest TEXT,
                    etag TEXT,
                    last_modified TEXT,
                    last_run_id INTEGER,
                    last_success_at TEXT,
                    last_failure_at TEXT,
                    last_error TEXT,
                    consecutive_failures INTEGER NOT NULL DEFAULT 0,
                    next_run_at TEXT,
                    lease_owner TEXT,
                    lease_expires_at TEXT
                );
                CREATE TABLE run (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    source_id TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    ended_at TEXT,
                    status TEXT NOT NULL,
                    trigger TEXT,
                    http_status INTEGER,
                    etag TEXT,
                    last_modified TEXT,
                    records INTEGER NOT NULL DEFAULT 0,
                    added INTEGER NOT NULL DEFAULT 0,
                    updated INTEGER NOT NULL DEFAULT 0,
                    unchanged INTEGER NOT NULL DEFAULT 0,
                    stale INTEGER NOT NULL DEFAULT 0,
                    removed INTEGER NOT NULL DEFAULT 0,
                    rejected INTEGER NOT NULL DEFAULT 0,
                    message TEXT
                );
                CREATE INDEX run_source ON run(source_id, id);
                CREATE TABLE run_issue (
                    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    item TEXT,
                    field TEXT,
                    reason TEXT NOT NULL,
                    severity TEXT NOT NULL
                );
                CREATE INDEX run_issue_run ON run_issue(run_id);
                -- What each source said of each listing, as last fetched.
                CREATE TABLE source_record (
                    source_id TEXT NOT NULL,
                    record_key TEXT NOT NULL,
                    service_id TEXT NOT NULL,
                    priority INTEGER NOT NULL DEFAULT 0,
                    demo INTEGER NOT NULL DEFAULT 0,
                    draft TEXT, -- NULL: the same as the content of the listing this record alone created
                    hash TEXT NOT NULL,
                    fetched_at TEXT NOT NULL,
                    first_seen_run INTEGER,
                    last_seen_run INTEGER,
                    missing_runs INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (source_id, record_key)
                );
                CREATE INDEX source_record_service ON source_record(service_id);
                -- Admin edits: they win over every source and survive re-imports.
                CREATE TABLE curation (
                    service_id TEXT NOT NULL,
                    field TEXT NOT NULL,
                    value TEXT NOT NULL,
                    author TEXT NOT NULL,
                    at TEXT NOT NULL,
                    PRIMARY KEY (service_id, field)
                );
                -- What changed, per run or admin action, with before/after values.
                CREATE TABLE change (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    run_id INTEGER,
                    source_id TEXT,
                    actor TEXT,
                    service_id TEXT NOT NULL,
                    service_name TEXT,
                    action TEXT NOT NULL,
                    field TEXT,
                    before TEXT,
                    after TEXT
                );
                CREATE INDEX change_run ON change(run_id);
                CREATE INDEX change_service ON change(service_id);
                -- Geographic reference data imported from La Poste (replaces the bundled gazetteer when present).
                CREATE TABLE geo_commune (
                    insee TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    postal_codes TEXT NOT NULL,
                    latitude REAL NOT NULL,
                    longitude REAL NOT NULL,
                    parent TEXT
                );
                """)
        }

        m.registerMigration("2026-11-23-admin") { db in
            try db.execute(sql: """
                CREATE TABLE admin_user (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    password_hash TEXT,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE api_token (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    user_id INTEGER NOT NULL REFERENCES admin_user(id) ON DELETE CASCADE,
                    label TEXT,
                    prefix TEXT NOT NULL,
                    token_hash TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    last_used_at TEXT
                );
                CREATE INDEX api_token_prefix ON api_token(prefix);
                CREATE TABLE admin_session (
                    id_hash TEXT PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES admin_user(id) ON DELETE CASCADE,
                    csrf TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL
                );
                CREATE TABLE login_attempt (
                    key TEXT NOT NULL,
                    at TEXT NOT NULL
                );
                CREATE INDEX login_attempt_key ON login_attempt(key, at);
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT,
                    detail TEXT
                );
                -- "Signaler une erreur": what a reader typed about a listing. Nothing about a patient.
                CREATE TABLE report (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    service_id TEXT NOT NULL,
                    field TEXT,
                    message TEXT NOT NULL,
                    suggested_value TEXT,
                    contact_email TEXT,
                    created_at TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'open',
                    resolved_by TEXT,
                    resolved_at TEXT
                );
                CREATE INDEX report_status ON report(status, id);
                """)
        }
        m.registerMigration("2026-11-23-meta") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                INSERT INTO meta (key, value) VALUES ('data_version', 1);
                """)
        }
        m.registerMigration("2026-11-24-fts-external-content") { db in
            // The full-text index reads its text from `service` (external content) instead of
            // keeping its own copy: one table fewer to write per listing. Its rows are
            // deleted before `service` changes (FTS5 reads the old text to remove it).
            // No prefix indexes: each doubled the index writes, and prefix queries ranked by bm25
            // measured the same without them (100,000 listings, `"ge"*`: 70 ms either way).
            try db.execute(sql: """
                ALTER TABLE service ADD COLUMN search_organization TEXT;
                ALTER TABLE service ADD COLUMN search_place TEXT;
                ALTER TABLE service ADD COLUMN search_body TEXT;
                UPDATE service SET
                    search_organization = (SELECT organization FROM service_fts f WHERE f.rowid = service.rowid),
                    search_place = (SELECT place FROM service_fts f WHERE f.rowid = service.rowid),
                    search_body = (SELECT body FROM service_fts f WHERE f.rowid = service.rowid);
                DROP TABLE service_fts;
                CREATE VIRTUAL TABLE service_fts USING fts5(
                    name, search_organization, search_place, kind, search_body,
                    content = 'service', content_rowid = 'rowid',
                    tokenize = 'unicode61 remove_diacritics 2'
                );
                INSERT INTO service_fts (service_fts) VALUES ('rebuild');
                """)
        }
        m.registerMigration("2026-12-06-throttle") { db in
            // Login throttling without lockout, bounded public reports, aggregated audit rows.
            // Throttle keys are salted hashes (no address nor typed name in clear); times are
            // Unix seconds. `login_attempt` (one row per failure) is replaced by one row per key.
            try db.execute(sql: """
                DROP TABLE login_attempt;
                CREATE TABLE throttle_secret (id INTEGER PRIMARY KEY CHECK (id = 1), secret BLOB NOT NULL);
                INSERT INTO throttle_secret (id, secret) VALUES (1, randomblob(32));
                CREATE TABLE login_throttle (
                    key TEXT PRIMARY KEY,
                    failures INTEGER NOT NULL DEFAULT 0,
                    last_failure REAL,
                    blocked_until REAL,
                    last_success REAL,
                    updated REAL NOT NULL
                );
                CREATE INDEX login_throttle_updated ON login_throttle(updated);
                -- One row per stored report and key (the client's, and the global one), kept a day:
                -- at most the daily caps' worth of rows.
                CREATE TABLE report_event (
                    key TEXT NOT NULL,
                    at REAL NOT NULL
                );
                CREATE INDEX report_event_key ON report_event(key, at);
                ALTER TABLE audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE audit ADD COLUMN bucket TEXT;
                CREATE UNIQUE INDEX audit_bucket ON audit(bucket) WHERE bucket IS NOT NULL;
                """)
        }
        m.registerMigration("2026-12-06-hardening") { db in
            // Validators belong to the URL and options they were obtained for; a held run waits
            // for an admin; empty runs in a row make a source suspicious; a run knows its process.
            try db.execute(sql: """
                ALTER TABLE source ADD COLUMN validator_key TEXT;
                ALTER TABLE source ADD COLUMN held_run_id INTEGER;
                ALTER TABLE source ADD COLUMN shrink_accepted_at TEXT;
                ALTER TABLE source ADD COLUMN consecutive_empty INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE run ADD COLUMN owner TEXT;
                CREATE INDEX run_running ON run(status) WHERE status = 'running';
                -- Browsing orders by (stale, name, id): indexes serve that order, with the filters
                -- in front, so that any page costs about what the first does.
                CREATE INDEX service_browse ON service(hidden, stale, name COLLATE NOCASE, id);
                CREATE INDEX service_browse_kind ON service(hidden, kind, stale, name COLLATE NOCASE, id);
                CREATE INDEX service_browse_departement ON service(hidden, departement, stale, name COLLATE NOCASE, id);
                """)
        }
        m.registerMigration("2026-12-07-folded-search") { db in
            // The index holds text folded as queries are (œ→oe, æ→ae, typographic apostrophes
            // and dashes, case, accents): "soeurs", "sœurs" and "SŒURS" find « Frères et sœurs ».
            try db.execute(sql: "ALTER TABLE service ADD COLUMN search_name TEXT; DROP TABLE service_fts;")
            let rows = try Row.fetchAll(db, sql: "SELECT rowid, name, search_organization, search_place, search_body FROM service")
            let update = try db.makeStatement(sql: "UPDATE service SET search_name = ?, search_organization = ?, search_place = ?, search_body = ? WHERE rowid = ?")
            for row in rows {
                try update.execute(arguments: [
                    Text.fold(row["name"] ?? ""), Text.fold(row["search_organization"] ?? ""), Text.fold(row["search_place"] ?? ""),
                    Text.fold(row["search_body"] ?? ""), row["rowid"] as Int64,
                ])
            }
            try db.execute(sql: """
                CREATE VIRTUAL TABLE service_fts USING fts5(
                    search_name, search_organization, search_place, kind, search_body,
                    content = 'service', content_rowid = 'rowid',
                    tokenize = 'unicode61 remove_diacritics 2'
                );
                INSERT INTO service_fts (service_fts) VALUES ('rebuild');
                """)
        }
        m.registerMigration("2026-12-08-french-collation") { db in
            // Lists are in French order: accents, case, ligatures and apostrophes do not count
            // (« Écoute-Famille » before « Voix d’usagers »). The folded name is that order's key.
            try db.execute(sql: """
                DROP INDEX service_browse; DROP INDEX service_browse_kind; DROP INDEX service_browse_departement;
                CREATE INDEX service_browse ON service(hidden, stale, search_name, id);
                CREATE INDEX service_browse_kind ON service(hidden, kind, stale, search_name, id);
                CREATE INDEX service_browse_departement ON service(hidden, departement, stale, search_name, id);
                """)
        }
        m.registerMigration("2026-12-09-store-identity") { db in
            // A number drawn once per store: what was derived from one store (the referral index
            // written beside it) is never taken for another's, even at the same data version.
            try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', abs(random() % 9007199254740991) + 1)")
        }
        m.registerMigration("2026-12-10-change-feed") { db in
            // The change feed (`modified_after`, in the order of changes): listings by the time
            // their row last changed, removals by theirs.
            try db.execute(sql: """
                CREATE INDEX service_updated ON service(updated_at, id);
                CREATE INDEX change_removed ON change(at, service_id) WHERE action = 'removed';
                """)
        }
        return m
    }
}
