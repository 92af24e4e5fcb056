import ArgumentParser

@main
struct Relais: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relais",
        abstract: "Annuaire et orientation vers l’entraide en santé mentale (GEM, associations, pair-aidance).",
        subcommands: [Serve.self, Import.self, Refresh.self, Search.self, Sources.self, Horaires.self, Refer.self, Sessions.self, Admin.self, Check.self])
}
