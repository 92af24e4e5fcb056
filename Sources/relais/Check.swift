import ArgumentParser
import Foundation
import RelaisApp

/// `relais check`: SQLite's integrity check and the full-text index's against the
/// listings it indexes — after restoring a backup, or when a search seems wrong.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Vérifie l’intégrité de la base (fichier SQLite et index plein texte) ; code de sortie 1 si un problème est trouvé.")

    @OptionGroup var store: StoreOptions

    @ArgumentParser.Flag(help: "Reconstruit d’abord l’index plein texte à partir des fiches.")
    var repair = false

    func run() async throws {
        try await CommandLineErrors.run {
            let ctx = try await store.open(.maintenance)
            if repair {
                try await ctx.store.rebuildFullTextIndex()
                print("Index plein texte reconstruit.")
            }
            let problems = try await ctx.store.integrityProblems()
            guard !problems.isEmpty else {
                print(RelaisContext.isPostgres(db: store.db)
                    ? "Base saine : \(RelaisContext.display(db: store.db)) (base PostgreSQL joignable, contenus des fiches lisibles)."
                    : "Base saine : \(store.db) (intégrité SQLite et index plein texte vérifiés).")
                return
            }
            for p in problems { print("problème : \(p)") }
            throw ExitCode(1)
        }
    }
}
