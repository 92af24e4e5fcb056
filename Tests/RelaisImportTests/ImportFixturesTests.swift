import Foundation
import RelaisApp
import RelaisMerge
import RelaisSources
import RelaisStoreSQLite
import RelaisImport
import RelaisModel
import RelaisNormalize
import RelaisStore
import RelaisTestSupport
import Testing

/// Every public fixture of ../shared/fixtures through a real local HTTP server,
/// checked against EXPECTED.md.
@Suite(.serialized) struct ImportFixturesTests {
    static var fixtures: URL { SharedData.url("fixtures") }

    func withServer(_ body: (TestHTTPServer, TestEnvironment, RequestLog) async throws -> Void) async throws {
        let log = RequestLog()
        let env = try TestEnvironment()
        try await TestHTTPServer.with(FixtureRoutes.router(serving: Self.fixtures, log: log)) { server in
            try await body(server, env, log)
        }
    }

    @Test func gemDirectoryCSVInWindows1252() async throws {
        guard SharedData.requireShared() else { return }
        try await withServer { server, env, _ in
            let run = await env.importer.run(env.manifest("gems", url: "\(server.baseURL)/gem-annuaire.csv", format: .csv, kind: .gem))
            #expect(run.status == .success)
            #expect(run.added == 21)
            #expect(run.rejected == 2)
            let issues = try env.store.issues(runID: run.id).filter { $0.severity == .rejected }
            #expect(issues.contains { $0.item == "ligne 24" && $0.reason.contains("missing name") })
            #expect(issues.contains { $0.item == "ligne 26" && $0.reason.contains("wrong column count") })
            let all = try env.all()
            #expect(all.count == 21 + 0)
            #expect(all.allSatisfy { $0.content.kind == .gem })

            let beaune = try #require(try env.listing(named: "GEM de Beaune Le Cerisier"))
            #expect(beaune.content.phones.map(\.number) == ["+33380206845", "+33766321056"])
            #expect(beaune.content.address?.insee == "21054")
            let seurre = try #require(try env.listing(named: "Antenne Seurre du GEM de Beaune"))
            #expect(seurre.parentID == beaune.id)
            #expect(OpeningHours.format(seurre.content.schedule) == "Th 13:30-18:00")
            let revivre = try #require(try env.listing(named: "GEM de Dijon Revivre en Côte d’Or"))
            #expect(revivre.content.schedule.isEmpty)  // phone availability, not opening hours
            #expect(revivre.content.address?.insee == "21540")
            let mots = try #require(try env.listing(named: "GEM Les Mots Passants"))
            #expect(mots.content.emails == ["gem.motspassants@orange.fr"])
            #expect(mots.content.address?.complement?.contains(";") == true || mots.content.address?.street?.contains(";") == true)
            #expect(mots.content.sponsor == "Association Passerelles Comtoises")
            let escapade = try #require(try env.listing(named: "GEM L’Escapade"))
            #expect(escapade.content.schedule.isEmpty)
            #expect(escapade.content.flags.contains { $0.code == "hours_missing" })
            let passerelle = try #require(try env.listing(named: "GEM La Passerelle"))
            #expect(passerelle.content.schedule.isEmpty && passerelle.content.scheduleText == "ouvre 28 heures par semaine")
            #expect(try env.listing(named: "GEM Le Fil d’Ariane").map { OpeningHours.format($0.content.schedule) } == "Mo,Tu,Th,Fr 13:30-17:30; We 10:00-12:00")
            let arc = try #require(try env.listing(named: "GEM Arc-en-Ciel"))
            #expect(arc.content.phones.map(\.number) == ["+33353018912"])
            #expect(arc.content.schedule.isEmpty)
            #expect(try env.listings(containing: "Étincelle").count == 1)  // the duplicate line is one listing
            #expect(try env.listing(named: "GEM L’Oasis").map { OpeningHours.format($0.content.schedule) } == "Mo 14:00-18:00; We 10:00-12:00,14:00-18:00; Aug off")
            let ain = try #require(try env.listing(named: "GEM Ain Soleil"))
            #expect(ain.content.address?.postalCode == "01000" && ain.content.address?.insee == "01053" && ain.content.address?.departement == "01")
            let corse = try #require(try env.listing(named: "GEM U Scontru"))
            #expect(corse.content.address?.insee == "2A004" && corse.content.address?.departement == "2A" && corse.content.address?.region == "Corse")
            let reunion = try #require(try env.listing(named: "GEM Ti Kaz Ansanm"))
            #expect(reunion.content.address?.insee == "97416" && reunion.content.address?.departement == "974")
            #expect(reunion.content.phones.map(\.number) == ["+262262994127"])
            let phare = try #require(try env.listing(named: "GEM Le Phare"))
            #expect(phare.content.address?.postalCode == "71100" && phare.content.address?.insee == "71076")
            let tilleuls = try #require(try env.listing(named: "GEM Les Tilleuls"))
            #expect(tilleuls.content.address?.insee == nil)
            #expect(tilleuls.content.flags.contains { $0.code == "postal_commune_mismatch" })
            let quai = try #require(try env.listing(named: "GEM Le Quai"))
            #expect(quai.content.phones.isEmpty && quai.content.emails.isEmpty)
            #expect(Set(quai.content.flags.map(\.code)).isSuperset(of: ["invalid_phone", "invalid_email"]))
            #expect(OpeningHours.format(quai.content.schedule) == "Tu,Th 14:00-17:00")
        }
    }

    @Test func unafamDelegationPage() async throws {
        guard SharedData.requireShared() else { return }
        try await withServer { server, env, _ in
            let run = await env.importer.run(env.manifest("unafam", url: "\(server.baseURL)/unafam-delegation.html", format: .html))
            #expect(run.status == .success)
            let all = try env.all()
            #expect(all.filter { $0.content.kind == .association_familles }.count == 1)
            #expect(all.filter { $0.content.kind == .gem }.count == 7)
            #expect(all.filter { $0.content.kind == .groupe_parole }.count == 5)
            #expect(all.filter { $0.content.kind == .atelier_prospect }.count == 2)
            let delegation = try #require(all.first { $0.content.kind == .association_familles })
            #expect(delegation.content.name == "Unafam 06 – Délégation des Alpes-Maritimes")
            #expect(delegation.content.phones.map(\.number) == ["+33465710606"])
            #expect(delegation.content.emails == ["06@unafam.org"])
            let nice = try #require(all.first { $0.content.name == "GEM DE NICE LE GRAND LARGE" })
            #expect(nice.content.emails == ["gemgrandlarge@gmail.com"])
            #expect(nice.content.phones.map(\.number) == ["+33465712010", "+33639984120"])
            #expect(nice.content.address?.insee == "06088")
            let menton = try #require(all.first { $0.content.name.hasPrefix("ANTENNE DE MENTON") })
            #expect(OpeningHours.format(menton.content.schedule) == "Tu 14:00-17:30")
            #expect(menton.parentID == nice.id)
            let cagnes = try #require(all.first { $0.content.name.contains("CAGNES") })
            #expect(cagnes.content.audienceNote?.contains("cérébrolésées") == true)
            let grasse = try #require(all.first { $0.content.name.contains("GRASSE") })
            #expect(grasse.content.audienceNote == nil)
            let vence = try #require(all.first { $0.content.name.contains("VENCE") })
            #expect(vence.content.name == "GEM <img src=x onerror=alert(1)> DE VENCE")
            #expect(vence.content.flags.contains { $0.code == "markup_in_name" })
            let groups = all.filter { $0.content.kind == .groupe_parole }
            #expect(groups.allSatisfy { $0.content.audiences == [.proche] })
            let osm = Set(groups.compactMap { OpeningHours.format($0.content.schedule) })
            #expect(osm == ["Oct-Jun Th[-1] 17:30-19:30", "Oct-Jun Tu[-1] 18:00-20:00", "Oct-Jun Tu[1] 18:00-20:00", "Oct-Jun Th[2] 17:45-19:45"])
            #expect(groups.contains { $0.content.address?.insee == "06044" })
            let mentonGroup = try #require(groups.first { $0.content.address?.insee == "06083" })
            #expect(mentonGroup.content.schedule.isEmpty)
            let prospects = all.filter { $0.content.kind == .atelier_prospect }
            let starts = Set(prospects.flatMap { $0.content.sessions.flatMap { $0.occurrences.map { ParisTime.iso($0.start) } } })
            #expect(starts == ["2027-01-16T09:00:00+01:00", "2027-01-23T09:00:00+01:00", "2027-01-30T09:00:00+01:00",
                               "2027-03-19T09:00:00+01:00", "2027-03-26T09:00:00+01:00", "2027-04-02T09:00:00+02:00"])
            #expect(prospects.allSatisfy { $0.content.phones.map(\.number) == ["+33639980606"] && $0.content.emails == ["prospect06@laposte.net"] })
            // Footer emergency numbers belong to no listing.
            #expect(!all.contains { $0.content.phones.contains { ["15", "112", "3114"].contains($0.number) } })
        }
    }

    @Test func mduTimetableWithRowspan() async throws {
        guard SharedData.requireShared() else { return }
        try await withServer { server, env, _ in
            let run = await env.importer.run(env.manifest("mdu", url: "\(server.baseURL)/mdu-permanences.html", format: .html))
            #expect(run.status == .success)
            let all = try env.all()
            let permanences = all.filter { $0.content.kind == .mdu_permanence && !$0.content.name.hasPrefix("Maison des Usagers") }
            #expect(permanences.count == 10)
            let host = try #require(all.first { $0.content.name.hasPrefix("Maison des Usagers") })
            #expect(host.content.kind == .mdu_permanence)
            #expect(host.content.phones.map(\.number) == ["+33261914444"])
            #expect(host.content.address?.insee == "44109")
            #expect(OpeningHours.format(host.content.schedule) == "Mo-Fr 09:00-17:00; PH off")
            func osm(_ prefix: String) -> String? { permanences.first { $0.content.name.hasPrefix(prefix) }.flatMap { OpeningHours.format($0.content.schedule) } }
            #expect(osm("Unafam 44") == "Tu[1,3] 14:00-17:00")
            #expect(osm("GEM Le Rocher") == "Th 14:00-16:00")
            #expect(osm("Argos") == "We[2,4] 15:00-17:00")
            #expect(osm("France Dépression") == "Fr[-1] 10:00-12:00")
            #expect(osm("AFTOC") == "Mo[1] 17:30-19:00; Jul-Aug off")
            #expect(osm("Pair-à-Pair") == "Mo,Fr 09:30-12:00")
            #expect(osm("Entraide Psy") == "Sa[2] 10:00-12:30")
            let argos = try #require(permanences.first { $0.content.name.hasPrefix("Argos") })
            #expect(argos.content.placeName?.contains("Salle 2") == true)
            let schizo = try #require(permanences.first { $0.content.name == "Schizo Oui" })
            #expect(schizo.content.schedule.isEmpty && schizo.content.flags.contains { $0.code == "by_appointment" })
            #expect(schizo.content.phones.map(\.number) == ["+33639984405"])
            let cdu = try #require(permanences.first { $0.content.name.hasPrefix("Représentants") })
            #expect(cdu.content.phones.map(\.number) == ["+33261914410"] && cdu.content.emails == ["cdu@ch-valderdre.fr"])
            // The switchboard is the hospital's.
            #expect(!all.contains { $0.content.phones.contains { $0.number == "+33261914400" } })
        }
    }

    @Test func peerPlatformJSONLD() async throws {
        guard SharedData.requireShared() else { return }
        try await withServer { server, env, _ in
            let run = await env.importer.run(env.manifest("peers", url: "\(server.baseURL)/peer-platform.html", format: .jsonld, kind: .plateforme_pairs))
            #expect(run.status == .success)
            let all = try env.all()
            #expect(all.count == 1)
            let org = try #require(all.first)
            #expect(org.content.name == "Passerelle Pairs Lyon")
            #expect(org.content.address?.insee == "69383")
            #expect(org.content.phones.map(\.number) == ["+33465716933"])
            #expect(OpeningHours.format(org.content.schedule) == "Tu,Th 14:00-17:00")
            let sessions = org.content.sessions
            #expect(sessions.count == 4)
            #expect(sessions.compactMap { $0.first.map { ParisTime.iso($0.start) } }.sorted() == [
                "2026-12-09T18:00:00+01:00", "2027-01-13T18:30:00+01:00", "2027-02-03T14:00:00+01:00", "2027-04-07T14:00:00+02:00",
            ])
            #expect(!sessions.contains { $0.title.contains("janvier") })
            let visio = try #require(sessions.first { $0.title.contains("en ligne") })
            #expect(visio.online && !visio.onsite)
            let info = try #require(sessions.first { $0.title.hasPrefix("Devenir") })
            #expect(info.online && info.onsite && info.note != nil && info.place?.insee == "69266")
        }
    }

    @Test func familyAgendaICS() async throws {
        guard SharedData.requireShared() else { return }
        try await withServer { server, env, log in
            let m = env.manifest("agenda", url: "\(server.baseURL)/agenda.ics", format: .ics, kind: .groupe_parole)
            let run = await env.importer.run(m)
            #expect(run.status == .success)
            let all = try env.all()
            let prospects = all.filter { $0.content.kind == .atelier_prospect }
            #expect(prospects.count == 2)
            let bordeaux = try #require(prospects.first { $0.content.name.contains("Bordeaux") })
            #expect(bordeaux.content.sessions.count == 1)
            #expect(bordeaux.content.sessions[0].occurrences.map { ParisTime.iso($0.start) } == ["2027-01-09T09:00:00+01:00", "2027-01-16T09:00:00+01:00", "2027-01-23T09:00:00+01:00"])
            #expect(bordeaux.content.phones.map(\.number) == ["+33536493333"] && bordeaux.content.emails == ["gironde.unafam@laposte.net"])
            #expect(bordeaux.content.address?.insee == "33063")
            let libourne = try #require(prospects.first { $0.content.name.contains("Libourne") })
            #expect(libourne.content.sessions[0].occurrences.map { ParisTime.iso($0.start) } == ["2027-03-20T09:30:00+01:00", "2027-03-27T09:30:00+01:00", "2027-04-03T09:30:00+02:00"])
            #expect(libourne.content.sessions[0].occurrences.last?.end.map { ParisTime.iso($0) } == "2027-04-03T17:00:00+02:00")
            let groups = all.filter { $0.content.kind == .groupe_parole && $0.content.name.hasPrefix("Groupe de parole") }
            #expect(groups.count == 2)
            let gdp = try #require(groups.first { $0.content.name.contains("Bordeaux") })
            #expect(OpeningHours.format(gdp.content.schedule) == "2026 Oct 29-2027 Jun 24 Th[-1] 18:00-20:00; 2026 Dec 31 off")
            let e = ScheduleEvaluator(gdp.content.schedule)
            let next = e.occurrences(from: LocalDate(year: 2026, month: 11, day: 23), days: 400).map { ParisTime.iso($0.start) }
            #expect(next.prefix(2) == ["2026-11-26T18:00:00+01:00", "2027-01-28T18:00:00+01:00"])
            #expect(next.count == 7)  // 9 occurrences from Oct 2026, one removed by EXDATE, one before the reference date
            #expect(next.contains("2027-04-29T18:00:00+02:00"))
            let arcachon = try #require(groups.first { $0.content.name.contains("Arcachon") })
            #expect(OpeningHours.format(arcachon.content.schedule) == "2026 Nov 03+ Tu[1,3] 14:00-16:00")
            #expect(arcachon.content.address?.insee == "33009")
            let day = try #require(all.first { $0.content.name.hasPrefix("Journée des familles") })
            #expect(day.content.sessions[0].occurrences.count == 1 && day.content.sessions[0].occurrences[0].allDay)
            let webinar = try #require(all.first { $0.content.name.hasPrefix("Webinaire") })
            #expect(webinar.content.sessions[0].occurrences[0].start.description == "2027-02-09T18:30:00")
            #expect(!all.contains { $0.content.name.contains("ANNULÉ") })
            // Re-import: a conditional GET, answered 304; nothing changes.
            let before = try env.snapshot()
            let again = await env.importer.run(m)
            #expect(again.status == .unchanged)
            #expect(await log.count("GET /agenda.ics 304") == 1)
            #expect(try env.snapshot() == before)
        }
    }

    @Test func dataInclusionFollowsPages() async throws {
        guard SharedData.requireShared() else { return }
        try await withServer { server, env, log in
            let run = await env.importer.run(env.manifest("di", url: "\(server.baseURL)/di", format: .dataInclusion))
            #expect(run.status == .success)
            #expect(await log.count("GET /di/structures") == 2)
            #expect(await log.count("GET /di/services") == 2)
            let issues = try env.store.issues(runID: run.id)
            #expect(issues.contains { $0.severity == .rejected && $0.reason.contains("missing required field date_maj") })
            #expect(issues.contains { $0.reason.contains("sante--pair-aidance") })
            #expect(issues.contains { $0.reason.contains("orphan service") })
            let all = try env.all()
            #expect(!all.contains { $0.content.name.contains("Belvédère") })
            let archipel = try #require(all.first { $0.content.name == "GEM L’Archipel" })
            #expect(archipel.content.point == GeoPoint(latitude: 45.7683, longitude: 4.8801))
            #expect(archipel.content.flags.contains { $0.code == "coordinates_swapped" })
            let clubhouse = try #require(all.first { $0.content.name == "Clubhouse Lyon" })
            #expect(clubhouse.content.kind == .clubhouse)
            #expect(clubhouse.content.needs.contains("emploi"))
            let parole = try #require(all.first { $0.content.name == "Parole d’Usagers Rhône" })
            #expect(parole.content.phones.map(\.number) == ["+33465716907"])
            #expect(parole.content.address?.insee == "69387")
            #expect(OpeningHours.format(parole.content.schedule) == "We 14:00-18:00; Sa[1] 10:00-12:00")
            let fabrique = try #require(all.first { $0.content.name == "GEM La Fabrique" })
            #expect(OpeningHours.format(fabrique.content.schedule) == "Mo-Fr 13:30-18:00")
            let ancre = try #require(all.first { $0.content.name == "GEM L’Ancre" })
            #expect(ancre.content.phones.map(\.number) == ["+33465716940", "+33639986940"])
            #expect(ancre.content.emails == ["gem.ancre@orange.fr"])
            let rhone = try #require(all.first { $0.content.name.hasPrefix("Unafam Rhône") })
            #expect(OpeningHours.format(rhone.content.schedule) == "Mo-Th 09:00-11:45,14:00-16:30; Fr 09:00-11:45,14:00-16:00")
            #expect(rhone.content.flags.contains { $0.code == "derived_schedule" })
            let families = try #require(all.first { $0.content.name == "Groupe de parole des proches" })
            #expect(OpeningHours.format(families.content.schedule) == "Th[-1] 18:00-20:00")
            #expect(families.content.audiences.contains(.proche))
            let dap = try #require(all.first { $0.content.name.contains("Directives anticipées") })
            #expect(dap.content.flags.contains { $0.code == "orphan_service" })
        }
    }

    @Test func hsdsPagesUntilLastPage() async throws {
        guard SharedData.requireShared() else { return }
        try await withServer { server, env, log in
            let run = await env.importer.run(env.manifest("hsds", url: "\(server.baseURL)/hsds/services", format: .hsds))
            #expect(run.status == .success)
            #expect(run.added == 7)
            #expect(await log.count("GET /hsds/services") == 2)
            let all = try env.all()
            let gem = try #require(all.first { $0.content.name.contains("Pas de Côté") })
            #expect(gem.content.kind == .gem && gem.content.address?.insee == "31555")
            #expect(OpeningHours.format(gem.content.schedule) == "Mo,Tu,Th,Fr 10:00-17:00; We 14:00-18:00")
            let mtp = try #require(all.first { $0.content.name.contains("Montpellier") })
            #expect(OpeningHours.format(mtp.content.schedule) == "2026 Sep 01-2027 Jun 30 Tu[1,3] 14:00-17:00")
            let prospect = try #require(all.first { $0.content.kind == .atelier_prospect })
            #expect(prospect.content.sessions.first?.occurrences.map { ParisTime.iso($0.start) } == ["2027-02-06T09:00:00+01:00", "2027-02-13T09:00:00+01:00", "2027-02-20T09:00:00+01:00"])
            let line = try #require(all.first { $0.content.kind == .ligne_ecoute })
            #expect(line.content.point == nil && line.content.address == nil)
            let club = try #require(all.first { $0.content.kind == .clubhouse })
            #expect(club.content.status == .temporarily_closed && club.content.phones.map(\.number) == ["+33536493400"])
            let colomiers = try #require(all.first { $0.content.name.contains("Colomiers") })
            #expect(OpeningHours.format(colomiers.content.schedule) == nil)
            #expect(colomiers.content.schedule.rules.first.flatMap(OpeningHours.rrule) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE")
            let dates = ScheduleEvaluator(colomiers.content.schedule).occurrences(from: LocalDate(year: 2026, month: 11, day: 1), days: 80).map { $0.start.date.description }
            #expect(dates == ["2026-11-04", "2026-11-18", "2026-12-02", "2026-12-16", "2026-12-30", "2027-01-13"])
            let beziers = try #require(all.first { $0.content.name.contains("Béziers") })
            #expect(beziers.content.status == .inactive)
            // Unchanged: every page asked again conditionally, every page answers 304, nothing re-read.
            let again = await env.importer.run(env.manifest("hsds", url: "\(server.baseURL)/hsds/services", format: .hsds))
            #expect(again.status == .unchanged)
            #expect(await log.count("GET /hsds/services 304") == 2)
        }
    }

    @Test func faultsLeaveTheStoreAsItWas() async throws {
        guard SharedData.requireShared() else { return }
        try await withServer { server, env, _ in
            let gems = env.manifest("gems", url: "\(server.baseURL)/gem-annuaire.csv", format: .csv, kind: .gem)
            _ = await env.importer.run(gems)
            let before = try env.snapshot()
            #expect(!before.isEmpty)
            func fault(_ path: String, _ format: SourceFormat) async -> RunRecord {
                var m = gems
                m.url = "\(server.baseURL)/\(path)"
                m.format = format
                return await env.importer.run(m)
            }
            let truncated = await fault("faults/truncated.json", .json)
            #expect(truncated.status == .failed)
            #expect(truncated.message?.contains("unexpected end of input") == true)
            let utf8 = await fault("faults/invalid-utf8.csv", .csv)
            #expect(utf8.status == .failed)
            #expect(utf8.message?.contains("invalid UTF-8 at line 3") == true)
            #expect(utf8.message?.contains("offset 241") == true)
            let html = await fault("fault/html-503", .json)
            #expect(html.status == .failed)
            #expect(html.message?.contains("503") == true)
            let htmlBody = await fault("faults/html-not-json.json", .json)
            #expect(htmlBody.message?.contains("expected JSON, got HTML") == true)
            let missing = await fault("faults/nope.csv", .csv)
            #expect(missing.status == .failed && missing.message?.contains("404") == true)
            #expect(try env.snapshot() == before)
            // An empty payload marks nothing stale.
            let empty = await fault("faults/empty.csv", .csv)
            #expect(empty.status == .empty)
            #expect(try env.snapshot() == before)
            #expect(try env.all().allSatisfy { !$0.stale })
        }
    }

    @Test func hugeFieldAndBOM() async throws {
        guard SharedData.requireShared() else { return }
        try await withServer { server, env, _ in
            let huge = await env.importer.run(env.manifest("huge", url: "\(server.baseURL)/faults/huge-line.csv", format: .csv, kind: .gem))
            #expect(huge.status == .success)
            // The 2 MiB field is dropped with a flag; its listing is kept (the hardening rule: one
            // oversized field never sends its whole record away, nor its listing stale).
            #expect(huge.added == 3 && huge.rejected == 0)
            #expect(try env.store.issues(runID: huge.id).contains { $0.item == "ligne 3" && $0.severity == .warning && $0.reason.contains("champ trop long") })
            let bleu = try #require(try env.listing(named: "GEM Le Grand Bleu"))
            #expect(bleu.content.flags.contains { $0.code == "field_too_long" } && bleu.content.audienceNote == nil && bleu.content.address?.insee == "29019")
            #expect(try env.listing(named: "GEM Le Cap")?.content.address?.insee == "56121")
            #expect(try env.listing(named: "GEM La Boussole du Trégor")?.content.address?.insee == "22113")
            let bom = await env.importer.run(env.manifest("bom", url: "\(server.baseURL)/faults/bom-utf8.csv", format: .csv, kind: .gem))
            #expect(bom.added == 3)
            let horizon = try #require(try env.listing(named: "GEM L'Horizon"))
            #expect(horizon.content.address?.street == "12, rue du Château" && horizon.content.address?.insee == "61001")
            #expect(try env.listing(named: "GEM \"Le Trait d'Union\"")?.content.address?.insee == "14118")
            let embruns = try #require(try env.listing(named: "GEM Les Embruns"))
            #expect(embruns.content.emails.isEmpty && embruns.content.address?.insee == "76259" && embruns.content.phones.map(\.number) == ["+33261917640"])
        }
    }

    @Test func fileURLsGoThroughTheSamePath() async throws {
        guard SharedData.requireShared() else { return }
        let env = try TestEnvironment()
        let run = await env.importer.run(env.manifest("gems", url: Self.fixtures.appendingPathComponent("gem-annuaire.csv").absoluteString, format: .csv, kind: .gem))
        #expect(run.status == .success && run.added == 21)
        let again = await env.importer.run(env.manifest("gems", url: Self.fixtures.appendingPathComponent("gem-annuaire.csv").absoluteString, format: .csv, kind: .gem))
        #expect(again.status == .unchanged)
    }
}
