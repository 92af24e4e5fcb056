import ArgumentParser
import Foundation
import RelaisApp

/// `relais migrate-store --from relais.sqlite --to postgres://…`: a site moving from SQLite to
/// PostgreSQL (issue 15). Everything is copied in one transaction of the target, then each
/// table is checked (row count and SHA-256 of its rows) before the commit.
struct MigrateStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copie toute une base SQLite dans une base PostgreSQL (fiches, sources, exécutions, comptes, signalements…) en une transaction, puis vérifie chaque table (nombre de lignes et empreinte SHA-256).",
        discussion: """
            Le fichier SQLite est ouvert en lecture seule et n’est jamais modifié. La base PostgreSQL reçoit un nouvel identifiant de base et la version des données de la source.
            Une base cible qui contient déjà des données est refusée (rien n’est écrit), sauf avec --replace, qui la vide d’abord dans la même transaction.
            L’index plein texte de SQLite n’est pas copié : PostgreSQL calcule ses colonnes de recherche lui-même.
            """)

    @Option(help: "Fichier SQLite à copier (lu seulement).")
    var from: String

    @Option(help: "Base PostgreSQL cible : postgres://utilisateur@hôte:port/base.")
    var to: String

    @ArgumentParser.Flag(help: "Vide la base cible avant la copie si elle contient déjà des données.")
    var replace = false

    func run() async throws {
        try await CommandLineErrors.run {
            let summary = try StoreCopy.migrate(sqlite: from, postgres: to, replace: replace) { line in
                print(line)
                fflush(nil)
            }
            print("\(summary.sentence).")
        }
    }
}
