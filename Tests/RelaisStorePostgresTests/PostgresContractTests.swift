import Foundation
import RelaisModel
import RelaisStore
import RelaisStoreContract
import Testing
@testable import RelaisStorePostgres

/// The URL of a real PostgreSQL whose user may create databases (`scripts/postgres.sh start`
/// prints one; `make test` and `.ci/run` start that cluster and set the variable). Without it
/// these suites do not run, and `.ci/run` fails when they did not.
let postgresURL = ProcessInfo.processInfo.environment["RELAIS_TEST_POSTGRES"]

/// A new, empty, migrated database for one check: a copy of a template migrated once.
enum PostgresDatabases {
    static let template: String? = {
        guard let url = postgresURL else { return nil }
        let name = "relais_template_\(getpid())"
        guard let admin = try? PGConnection(url: url) else { return nil }
        _ = try? admin.batch("DROP DATABASE IF EXISTS \(name)")
        guard (try? admin.batch("CREATE DATABASE \(name)")) != nil else { return nil }
        guard (try? PostgresStore(url: replacingDatabase(url, with: name), connections: 1)) != nil else { return nil }
        return name
    }()

    static func replacingDatabase(_ url: String, with name: String) -> String {
        guard let slash = url.range(of: "/", options: .backwards), !url[slash.upperBound...].contains("@") else { return url + "/" + name }
        let rest = url[slash.upperBound...]
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        return String(url[..<slash.upperBound]) + name + query
    }

    /// A fresh store; its database is dropped when `body` returns.
    static func withEmptyStore<T>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        let url = try #require(postgresURL)
        let template = try #require(template, "the template database could not be made at \(url)")
        let name = "relais_t_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try PGConnection(url: url)
        try admin.batch("CREATE DATABASE \(name) TEMPLATE \(template)")
        defer { try? admin.batch("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        let store = try PostgresStore(url: replacingDatabase(url, with: name), connections: 4)
        return try await body(store)
    }
}

@Suite(.enabled(if: postgresURL != nil, "RELAIS_TEST_POSTGRES is not set (scripts/postgres.sh start)"), .serialized)
struct PostgresContractTests {
    @Test(arguments: StoreContract.checks)
    func contract(_ check: StoreContract.Check) async throws {
        try await PostgresDatabases.withEmptyStore { store in try await check.run(on: store) }
    }

    @Test func aURLWithAPasswordIsNeverShownWithIt() {
        #expect(PostgresStore.redacted("postgres://relais:s3cret@db.example:5432/relais") == "postgres://relais:***@db.example:5432/relais")
        #expect(PostgresStore.redacted("postgres://relais@127.0.0.1/relais") == "postgres://relais@127.0.0.1/relais")
        #expect(PostgresStore.isURL("postgresql://x/y") && !PostgresStore.isURL("relais.sqlite"))
    }

    @Test func anUnreachableDatabaseIsAFrenchErrorNotACrash() {
        #expect(throws: RelaisError.self) { try PostgresStore(url: "postgres://relais@127.0.0.1:1/relais?connect_timeout=2") }
    }

    @Test func theCheckFindsWhatConstraintsDoNot() async throws {
        try await PostgresDatabases.withEmptyStore { store in
            #expect(try store.integrityProblems().isEmpty)
            try store.pool.write { c in
                try c.batch("""
                    INSERT INTO service (id, name, status, kind, content, created_at, updated_at) VALUES ('rbad', 'x', 'active', 'gem', '{"x": 1}', now(), now());
                    INSERT INTO source_record (source_id, record_key, service_id, hash, fetched_at) VALUES ('s', 'k', 'rgone', 'h', now());
                    """)
            }
            let problems = try store.integrityProblems()
            #expect(problems.count == 2 && problems.contains { $0.contains("rbad") } && problems.contains { $0.contains("sans leur fiche") })
        }
    }

    @Test func arraysAndTextsTravelIntact() async throws {
        try await PostgresDatabases.withEmptyStore { store in
            let texts: [String?] = ["a\"b", "c\\d", "{e,f}", "NULL", nil, "", "l’œuvre « ici »", "\u{1F600}"]
            let back = try store.pool.read { c in
                try c.query("SELECT u FROM unnest($1::text[]) WITH ORDINALITY AS t(u, n) ORDER BY n", [PGTextArray(texts)]).rows.map { $0.string("u") }
            }
            #expect(back == texts)
        }
    }
}
