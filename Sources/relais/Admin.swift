import ArgumentParser
import Foundation
import RelaisApp
import RelaisAuth
import RelaisModel
import RelaisStore

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Comptes d’administration : création, mot de passe, jetons d’API.",
        subcommands: [Add.self, Token.self, Password.self, List.self, Revoke.self, Remove.self])

    /// Reads a password: from standard input with --password-stdin, typed
    /// twice without echo on a terminal, else generated and shown once.
    static func readPassword(fromStdin: Bool) throws -> (password: String, generated: Bool) {
        if fromStdin {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw RelaisError(.invalid, "aucun mot de passe sur l’entrée standard") }
            return (line, false)
        }
        if isatty(STDIN_FILENO) == 1 {
            let first = try prompt("Mot de passe (\(PasswordHasher.minimumLength) caractères au moins) : ")
            let second = try prompt("Encore une fois : ")
            guard first == second else { throw RelaisError(.invalid, "les deux saisies diffèrent") }
            return (first, false)
        }
        return (Secrets.randomToken(bytes: 18), true)
    }

    static func prompt(_ text: String) throws -> String {
        print(text, terminator: "")
        fflush(nil)
        var old = termios()
        tcgetattr(STDIN_FILENO, &old)
        var silent = old
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &old)
            print("")
        }
        return readLine(strippingNewline: true) ?? ""
    }

    static func newToken(_ store: any AccountStore, user: AdminUser, label: String?) async throws -> String {
        let token = APIToken.generate()
        try await store.addToken(userID: user.id, label: label, prefix: token.prefix, hash: token.hash, at: Date())
        try await store.audit(actor: "cli", action: "token.create", target: user.name, detail: label, at: Date())
        return token.value
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Crée un compte d’administration (mot de passe haché par scrypt) et, avec --token, un jeton d’API.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Nom du compte (lettres, chiffres, . _ -).") var name: String
        @ArgumentParser.Flag(name: .long, help: "Lire le mot de passe sur l’entrée standard.") var passwordStdin = false
        @ArgumentParser.Flag(name: .long, help: "Créer aussi un jeton d’API, affiché une seule fois.") var token = false
        @Option(name: .long, help: "Libellé du jeton.") var label: String?

        func validate() throws {
            guard name.range(of: "^[A-Za-z0-9._-]{2,64}$", options: .regularExpression) != nil else {
                throw ValidationError("nom « \(name) » : 2 à 64 lettres, chiffres, points, tirets ou soulignés")
            }
        }

        func run() async throws {
            try await CommandLineErrors.run { try await body() }
        }

        func body() async throws {
            let ctx = try await store.open(creating: true)
            let (password, generated) = try Admin.readPassword(fromStdin: passwordStdin)
            let hash: String
            do { hash = try PasswordHasher.standard.hash(password) } catch { throw RelaisError(.invalid, "\(error)") }
            let user: AdminUser
            user = try await ctx.store.addAdmin(name: name, passwordHash: hash, at: Date())
            try await ctx.store.audit(actor: "cli", action: "admin.add", target: name, detail: nil, at: Date())
            print("Compte « \(name) » créé.")
            if generated { print("Mot de passe (affiché une seule fois) : \(password)") }
            if token { print("Jeton d’API (affiché une seule fois) : \(try await Admin.newToken(ctx.store, user: user, label: label))") }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Crée un jeton d’API pour un compte (Authorization: Bearer …).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long, help: "Libellé du jeton.") var label: String?

        func run() async throws {
            try await CommandLineErrors.run { try await body() }
        }

        func body() async throws {
            let ctx = try await store.open()
            guard let user = try await ctx.store.adminUser(name: name) else { throw RelaisError(.notFound, "administrateur « \(name) » introuvable") }
            print(try await Admin.newToken(ctx.store, user: user, label: label))
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change le mot de passe d’un compte (ferme ses sessions).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @ArgumentParser.Flag(name: .long, help: "Lire le mot de passe sur l’entrée standard.") var passwordStdin = false

        func run() async throws {
            try await CommandLineErrors.run { try await body() }
        }

        func body() async throws {
            let ctx = try await store.open()
            let (password, generated) = try Admin.readPassword(fromStdin: passwordStdin)
            let hash: String
            do { hash = try PasswordHasher.standard.hash(password) } catch { throw RelaisError(.invalid, "\(error)") }
            try await ctx.store.setAdminPassword(name: name, passwordHash: hash)
            try await ctx.store.audit(actor: "cli", action: "admin.password", target: name, detail: nil, at: Date())
            print("Mot de passe de « \(name) » changé.")
            if generated { print("Mot de passe (affiché une seule fois) : \(password)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Liste les comptes d’administration.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            try await CommandLineErrors.run { try await body() }
        }

        func body() async throws {
            let ctx = try await store.open()
            let users = try await ctx.store.adminUsers()
            if users.isEmpty { print("Aucun compte. Créez-en un : relais admin add NOM") }
            for u in users { print("\(u.name)\t créé le \(u.createdAt.prefix(10))\t \(u.tokens) jeton(s)") }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Révoque tous les jetons d’API d’un compte.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String

        func run() async throws {
            try await CommandLineErrors.run { try await body() }
        }

        func body() async throws {
            let ctx = try await store.open()
            let n = try await ctx.store.revokeTokens(userName: name)
            try await ctx.store.audit(actor: "cli", action: "token.revoke", target: name, detail: "\(n)", at: Date())
            print("\(n) jeton(s) révoqué(s).")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Supprime un compte, ses jetons et ses sessions.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String

        func run() async throws {
            try await CommandLineErrors.run { try await body() }
        }

        func body() async throws {
            let ctx = try await store.open()
            try await ctx.store.removeAdmin(name: name)
            try await ctx.store.audit(actor: "cli", action: "admin.remove", target: name, detail: nil, at: Date())
            print("Compte « \(name) » supprimé.")
        }
    }
}
