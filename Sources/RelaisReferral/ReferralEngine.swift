import RelaisModel
import RelaisNormalize

/// A question to the engine: needs, audience, place and practical
/// constraints. There is no field for a name, a birth date, a diagnosis or a
/// treatment, and there never will be.
public struct ReferralQuestion: Sendable {
    public var needs: [String]
    public var audience: Audience
    public var origin: GeoPoint?
    public var originLabel: String?
    public var radiusKm: Double
    public var modality: Modality?
    /// When the question is asked, as wall-clock time of the place it is about (`zone`).
    public var now: LocalDateTime
    /// The zone of the place the question is about (Paris by default).
    public var zone: CivilZone
    /// The same moment as an instant (seconds since the epoch): each listing reads it in its own zone.
    public var instant: Int
    /// Open or in session within this many days of `now`.
    public var withinDays: Int?
    public var limit: Int
    /// Crisis asked for (need `crise`) or signalled by the free text.
    public var crisis: Bool
    /// Only resources that welcome people in this language (ISO 639 code). French is
    /// assumed of a resource that names no language.
    public var language: String?
    /// Only resources whose place has this access feature.
    public var access: AccessFeature?

    public init(needs: [String], audience: Audience, origin: GeoPoint?, originLabel: String? = nil, radiusKm: Double = 30,
                modality: Modality? = nil, now: LocalDateTime, zone: CivilZone = .paris, withinDays: Int? = nil, limit: Int = 10, crisis: Bool = false,
                language: String? = nil, access: AccessFeature? = nil) {
        self.language = language
        self.access = access
        self.zone = zone
        self.instant = zone.epoch(of: now)
        self.needs = needs
        self.audience = audience
        self.origin = origin
        self.originLabel = originLabel
        self.radiusKm = radiusKm
        self.modality = modality
        self.now = now
        self.withinDays = withinDays
        self.limit = limit
        self.crisis = crisis
    }
}

/// One suggestion, with the reasons a person can read.
public struct Suggestion: Sendable {
    public var id: String
    public var name: String
    public var kind: Kind
    public var distanceKm: Double?
    public var reasons: [String]
    public var nextOpening: Occurrence?
    /// What the next opening is: "session", "permanence", "ouverture".
    public var nextOpeningLabel: String?
    public var score: Double
    public var stale: Bool
    public var closed: Bool
    public var demo: Bool
    public var needsServed: [String]
    /// The listing's zone: `nextOpening` is its wall-clock time.
    public var zone: CivilZone = .paris
}

extension ReferralQuestion {
    /// The question's moment as wall-clock time of a listing's zone.
    public func now(in zone: CivilZone) -> LocalDateTime { zone == self.zone ? now : zone.local(atEpoch: instant) }
}

public struct ReferralAnswer: Sendable {
    public var disclaimer: String
    /// Emergency help, shown before anything else, when the question signals a crisis.
    public var emergency: [EmergencyLine]?
    public var suggestions: [Suggestion]
    /// Nothing to go to within the radius (only phone and online resources, or nothing at all):
    /// the nearest matching places beyond it, nearest first (at most three). Nil when something
    /// is near, when no place was given, or when the question asks for phone or online help.
    public var nearestBeyond: [Suggestion]? = nil

    public init(disclaimer: String, emergency: [EmergencyLine]?, suggestions: [Suggestion], nearestBeyond: [Suggestion]? = nil) {
        self.disclaimer = disclaimer
        self.emergency = emergency
        self.suggestions = suggestions
        self.nearestBeyond = nearestBeyond
    }
}

/// Suggests peer resources by need, audience and place, and explains each
/// suggestion. Deterministic: the same question on the same data always gives
/// the same order.
///
/// ## Score
/// For every listing that serves at least one asked need, within the radius
/// (phone and online resources: anywhere), open in the window when one is asked:
///
///     score = 50 × need fit        (share of the asked needs it serves, +0.05 when it declares one itself)
///           + 20 × audience fit    (1 when it welcomes the audience asked for; 0.3 otherwise)
///           + 20 × nearness        (e^(−d / (radius/2)); phone and online resources: 0.5, whatever the distance)
///           + 10 × availability    (next opening within the window or the next 14 days: 1; later: 0.5; unknown: 0.3)
///           − 30 if temporarily closed, − 5 if not verified for a year, − 100 if stale (vanished from its sources: last)
///
/// Then a diversity pass picks, one by one, the best listing after a penalty of
/// 12 points per listing of the same kind already picked, so that a question
/// about families does not get five GEMs before its first family association.
/// At most two phone or online resources are suggested unless the question
/// asks for that modality. Ties break on distance, then id.
public struct ReferralEngine: Sendable {
    public let index: ReferralIndex
    public let emergencyLines: [EmergencyLine]

    public static let disclaimer = "Relais propose une orientation vers des ressources d’entraide et de pair-aidance, à contacter librement. Ce n’est pas une prescription médicale et cela ne remplace pas les soins ni l’avis d’un professionnel de santé."

    /// Whether a one-need question reads the remote resources of that need best first and stops
    /// early (the default), or scores every one of them: the reference the tests compare it with.
    let remoteShortcut: Bool
    /// Whether places near are scanned cell by cell, nearest first, only while a cell can hold a
    /// better candidate than the best found (the default), or all at once: the tests' reference.
    let cellShortcut: Bool

    public init(index: ReferralIndex, emergencyLines: [EmergencyLine], remoteShortcut: Bool = true, cellShortcut: Bool = true) {
        self.index = index
        self.emergencyLines = emergencyLines
        self.remoteShortcut = remoteShortcut
        self.cellShortcut = cellShortcut
    }

    /// Words in a free-text situation that call for emergency help first.
    static let crisisMarkers = [
        "suicid", "me tuer", "se tuer", "me suicider", "mourir", "en finir", "plus envie de vivre", "envie de mourir", "idees noires",
        "mettre fin a", "tentative", "passage a l acte", "danger", "urgence", "crise", "automutil", "scarif", "se faire du mal",
        "me faire du mal", "violence", "delire", "agite", "menace", "overdose", "surdose", "plus la force",
    ]

    /// Whether a free text signals suicide risk or acute distress. The text is
    /// used for this check only: callers drop it afterwards.
    public static func signalsCrisis(_ text: String) -> Bool {
        let f = " " + Text.fold(text) + " "
        return crisisMarkers.contains { Text.has(f, $0) }
    }

    /// What the first pass knows of a listing that answers: small, for the heap.
    struct Eligible {
        var index: Int32
        var distance: Double?
        var base: Double
    }

    struct Candidate {
        var index: Int32
        var distance: Double?
        var base: Double
        var next: Occurrence?
        var nextLabel: String?
        var availability: Double
        var score: Double
    }

    public func answer(_ q: ReferralQuestion) -> ReferralAnswer {
        let taxonomy = index.taxonomy
        let asked = q.needs.filter { $0 != Taxonomy.crisisNeed }
        let crisis = q.crisis || q.needs.contains(Taxonomy.crisisNeed)
        var askMask: UInt32 = 0
        for n in asked { if let i = index.needIndex[n] { askMask |= 1 << UInt32(i) } }
        // A crisis question with no other need: listening lines, after the emergency numbers.
        let listeningOnly = asked.isEmpty && crisis
        let listeningKind = UInt8(Kind.allCases.firstIndex(of: .ligne_ecoute) ?? 0)
        let audienceBit = q.audience == .proche ? ReferralIndex.bit(.proche) : ReferralIndex.bit(.personne)
        let modalityBit = q.modality.map(ReferralIndex.bit)
        let accessBit = q.access.map(ReferralIndex.bit)
        let nowDay = q.now.date.dayNumber

        // Phone and online resources are reached from anywhere, so every one of them answers a
        // question; the diversity pass takes at most `remoteCap` unless the question asks for
        // that modality. The others can never reach the answer: only the best few are ranked, so
        // that thousands of lines neither crowd the places near out of the ranking's cut-off nor
        // cost a sort of all of them. (A window to be open in drops some: keep more then.)
        let remoteCap = q.modality == .telephone || q.modality == .en_ligne || listeningOnly ? Int.max : 2
        let remoteKeep = remoteCap == Int.max ? Int.max : remoteCap * (q.withinDays == nil ? 4 : 16)
        // The index's arrays, read in the loops below without going through the index each time.
        let needsMasks = index.needsMasks, declaredMasks = index.declaredMasks, audienceBits = index.audienceBits
        let modalityBits = index.modalityBits, accessBits = index.accessBits, kindIndices = index.kindIndices
        let latitudes = index.latitudes, longitudes = index.longitudes, remotes = index.remotes
        let penalties = index.penalties, verifiedDays = index.verifiedDays, idRanks = index.idRanks
        func ahead(_ a: Eligible, _ b: Eligible) -> Bool {
            if a.base != b.base { return a.base > b.base }
            if (a.distance ?? 0) != (b.distance ?? 0) { return (a.distance ?? 0) < (b.distance ?? 0) }
            return idRanks[Int(a.index)] < idRanks[Int(b.index)]
        }
        let askedCount = Double(max(1, asked.count))
        // Equirectangular distance is within 0.1 % of the great circle at these ranges; the exact one is kept for display.
        let lat0 = q.origin?.latitude ?? 0, lon0 = q.origin?.longitude ?? 0
        let cosLat = cos(lat0 * .pi / 180)
        let halfRadius = max(1, q.radiusKm / 2)
        /// Whether entry `i` answers the question, wherever it is.
        func fits(_ i: Int) -> Bool {
            if listeningOnly {
                guard kindIndices[i] == listeningKind else { return false }
            } else {
                guard needsMasks[i] & askMask != 0 else { return false }
            }
            if let m = modalityBit, modalityBits[i] & m == 0 { return false }
            if let a = accessBit, accessBits[i] & a == 0 { return false }
            if let language = q.language, !index.entries[i].speaks(language) { return false }
            return true
        }
        /// The entry's base score if it answers the question within the radius (or from anywhere).
        func consider(_ i32: Int32) -> Eligible? {
            let i = Int(i32)
            let mask = needsMasks[i]
            guard fits(i) else { return nil }
            var distance: Double?
            var nearness = 0.5
            if !remotes[i] {
                guard q.origin != nil else { return nil }
                let dy = (Double(latitudes[i]) - lat0) * 111.195
                let dx = (Double(longitudes[i]) - lon0) * 111.195 * cosLat
                let d = (dx * dx + dy * dy).squareRoot()
                guard d <= q.radiusKm else { return nil }
                distance = d
                nearness = exp(-d / halfRadius)
            }
            let served = Double((mask & askMask).nonzeroBitCount)
            var needFit = listeningOnly ? 1 : served / askedCount
            if declaredMasks[i] & askMask != 0 { needFit += 0.05 }
            let audienceFit = audienceBits[i] & audienceBit != 0 ? 1.0 : 0.3
            var base = 50 * needFit + 20 * audienceFit + 20 * nearness + Double(penalties[i])
            if Int(verifiedDays[i]) < nowDay - 365 { base -= 5 }
            return Eligible(index: i32, distance: distance, base: base)
        }
        // Remote resources: for a one-need question, those of that need in the order of their
        // score (precomputed by audience), until none can enter the best `remoteKeep`; a
        // `famille` question then costs what an `isolement` one does. Otherwise every one.
        var remoteBest: [Eligible] = []
        func keepRemote(_ c: Eligible) {
            if remoteKeep == Int.max {
                remoteBest.append(c)
            } else if remoteBest.count < remoteKeep || ahead(c, remoteBest[remoteBest.count - 1]) {
                // Bounded insertion: the best `remoteKeep` remote candidates, best first.
                let at = remoteBest.firstIndex { ahead(c, $0) } ?? remoteBest.count
                remoteBest.insert(c, at: at)
                if remoteBest.count > remoteKeep { remoteBest.removeLast() }
            }
        }
        if remoteShortcut, remoteKeep != Int.max, !listeningOnly, asked.count == 1, let only = asked.first, let n = index.needIndex[only] {
            let ranked = index.remoteByNeed[n][q.audience == .proche ? 1 : 0]
            for (i32, best) in zip(ranked.entries, ranked.bestBase) {
                // None after this one can enter: they reach at most its best (an equal best comes
                // later in id order, and the id breaks ties), and it cannot pass the last kept.
                if remoteBest.count >= remoteKeep {
                    let last = remoteBest[remoteBest.count - 1]
                    if best < last.base || (best == last.base && idRanks[Int(i32)] > idRanks[Int(last.index)]) { break }
                }
                if let c = consider(i32) { keepRemote(c) }
            }
        } else {
            for i32 in index.remote { if let c = consider(i32) { keepRemote(c) } }
        }
        var byBase = Heap<Eligible>(remoteBest, first: ahead)

        // Places near: cell by cell, nearest cell first, only while a cell can still hold a place
        // that would come out of the heap before its top — the best base score a place at the
        // cell's least distance can have (every need served, declared, the audience welcomed, no
        // penalty). The heap then gives candidates in the same order as if every place within the
        // radius had been scored, and a dense city costs its nearest cells, not all of them.
        let cells: [(least: Double, entries: [Int32])] = q.origin.map { index.cells(around: $0, radiusKm: q.radiusKm, cosLatitude: cosLat) } ?? []
        var nextCell = 0
        var batch: [Eligible] = []
        batch.reserveCapacity(256)
        func bestBase(_ least: Double) -> Double { 50 * 1.05 + 20 + 20 * exp(-least / halfRadius) + 1e-6 }

        // Availability, best first, until there are enough: a heap gives them in order without
        // sorting the thousands that a 30 km question can reach.
        let horizon = q.withinDays ?? 14
        var ranked: [Candidate] = []
        let wanted = max(q.limit * 4, 40)
        var floor = -Double.infinity
        while true {
            // The best still unscanned could come first: scan the next cell before answering.
            while nextCell < cells.count, !cellShortcut || (byBase.top.map { bestBase(cells[nextCell].least) >= $0.base } ?? true) {
                for i32 in cells[nextCell].entries { if let c = consider(i32) { batch.append(c) } }
                nextCell += 1
                // The reference scans every cell before ranking (one heap of all of them).
                if cellShortcut || nextCell == cells.count {
                    byBase.push(contentsOf: batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            guard let eligible = byBase.pop() else { break }
            // Candidates come by decreasing base score: once enough are ranked, one that
            // cannot reach the lowest of them even with full availability ends the search.
            if ranked.count >= wanted {
                if floor == -.infinity { floor = ranked.map(\.score).min() ?? 0 }
                if eligible.base + 10 < floor { break }
            }
            var c = Candidate(index: eligible.index, distance: eligible.distance, base: eligible.base, availability: 0, score: eligible.base)
            let e = index.entries[Int(c.index)]
            let localNow = q.now(in: e.zone)
            let horizonDays = q.withinDays.map { $0 + 1 } ?? 120
            // The next opening of each distinct schedule in each zone, kept across questions.
            let (next, label, known) = nextOpening(e, after: localNow, horizonDays: horizonDays) { s in
                guard e.scheduleID >= 0 else { return ScheduleEvaluator(s).next(after: localNow, horizonDays: horizonDays) }
                return index.openings.next(.init(schedule: e.scheduleID, zone: e.zone, horizonDays: horizonDays), after: localNow) {
                    ScheduleEvaluator(s).next(after: localNow, horizonDays: horizonDays)
                }
            }
            if e.status == .temporarily_closed {
                c.next = nil
                c.availability = 0
            } else if let next {
                let days = next.start.date.dayNumber - localNow.date.dayNumber
                if let w = q.withinDays, days > w { continue }
                c.next = next
                c.nextLabel = label
                c.availability = days <= horizon ? 1 : 0.5
            } else if known {
                // A schedule or sessions, but nothing in the window (or nothing ahead at all): not suggested
                // when a window is asked; otherwise ranked as open later.
                if q.withinDays != nil || !e.hasFuture(after: localNow) { continue }
                c.availability = 0.5
            } else {
                c.availability = 0.3
            }
            c.score = c.base + 10 * c.availability
            ranked.append(c)
        }

        // Diversity: a penalty per listing of the same kind already picked.
        var picked: [Candidate] = []
        var kindCount = [Int](repeating: 0, count: Kind.allCases.count)
        var remoteCount = 0
        var rest = ranked
        while picked.count < q.limit, !rest.isEmpty {
            var bestIndex = -1
            var bestValue = -Double.infinity
            for (k, c) in rest.enumerated() {
                let i = Int(c.index)
                if index.remotes[i] && remoteCount >= remoteCap { continue }
                let v = c.score - 12 * Double(kindCount[Int(index.kindIndices[i])])
                if bestIndex < 0 || v > bestValue || (v == bestValue && better(c, than: rest[bestIndex])) {
                    bestIndex = k
                    bestValue = v
                }
            }
            guard bestIndex >= 0 else { break }
            let c = rest.remove(at: bestIndex)
            kindCount[Int(index.kindIndices[Int(c.index)])] += 1
            if index.remotes[Int(c.index)] { remoteCount += 1 }
            picked.append(c)
        }

        func suggestion(_ c: Candidate) -> Suggestion {
            let e = index.entries[Int(c.index)]
            let served = taxonomy.needs.enumerated().filter { e.needsMask & (1 << UInt32($0.offset)) != 0 && askMask & (1 << UInt32($0.offset)) != 0 }.map(\.element)
            let exact = c.distance.flatMap { _ in q.origin.map { $0.distance(to: GeoPoint(latitude: Double(e.latitude), longitude: Double(e.longitude))) } }
            return Suggestion(
                id: e.id, name: e.name, kind: e.kind, distanceKm: exact.map { ($0 * 10).rounded() / 10 },
                reasons: reasons(e, c, served: served, q), nextOpening: c.next, nextOpeningLabel: c.nextLabel,
                score: (c.score * 100).rounded() / 100, stale: e.stale, closed: e.status == .temporarily_closed, demo: e.demo,
                needsServed: served.map(\.id), zone: e.zone)
        }
        let suggestions = picked.map(suggestion)

        // Nothing to go to within the radius: the nearest places beyond it, so that the answer
        // says how far help is instead of ending on two national lines.
        var beyond: [Suggestion]?
        if let origin = q.origin, !listeningOnly, q.modality != .telephone, q.modality != .en_ligne,
           !picked.contains(where: { !index.remotes[Int($0.index)] }) {
            // Cell by cell, nearest cell first (by the least distance any place in it can have),
            // until no cell left can hold a place nearer than the third found.
            func distance(_ i: Int) -> Double {
                let dy = (Double(index.latitudes[i]) - lat0) * 111.195
                let dx = (Double(index.longitudes[i]) - lon0) * 111.195 * cosLat
                return (dx * dx + dy * dy).squareRoot()
            }
            let order = index.beyondCells.indices.map { k -> (Double, Int) in
                let c = index.beyondCells[k]
                let dy = max(0, Double(c.minLatitude) - lat0, lat0 - Double(c.maxLatitude)) * 111.195
                let dx = max(0, Double(c.minLongitude) - lon0, lon0 - Double(c.maxLongitude)) * 111.195 * cosLat
                return ((dx * dx + dy * dy).squareRoot(), k)
            }.sorted { $0.0 < $1.0 }
            var nearest: [(Double, Int)] = []
            for (least, k) in order {
                if nearest.count == 3, least > nearest[2].0 { break }
                for i32 in index.beyondCells[k].entries {
                    let i = Int(i32)
                    guard fits(i) else { continue }
                    let d = distance(i)
                    guard d > q.radiusKm else { continue }
                    if nearest.count < 3 || d < nearest[nearest.count - 1].0 || (d == nearest[nearest.count - 1].0 && index.idRanks[i] < index.idRanks[nearest[nearest.count - 1].1]) {
                        nearest.append((d, i))
                        nearest.sort { $0.0 != $1.0 ? $0.0 < $1.0 : index.idRanks[$0.1] < index.idRanks[$1.1] }
                        if nearest.count > 3 { nearest.removeLast() }
                    }
                }
            }
            beyond = nearest.map { _, i in
                let e = index.entries[i]
                let localNow = q.now(in: e.zone)
                let (next, label, _) = nextOpening(e, after: localNow, horizonDays: 120) { ScheduleEvaluator($0).next(after: localNow, horizonDays: 120) }
                let exact = origin.distance(to: GeoPoint(latitude: Double(e.latitude), longitude: Double(e.longitude)))
                let c = Candidate(index: Int32(i), distance: exact, base: 0, next: next, nextLabel: label, availability: 0, score: 0)
                return suggestion(c)
            }
        }
        return ReferralAnswer(disclaimer: Self.disclaimer, emergency: crisis ? emergencyLines : nil, suggestions: suggestions, nearestBeyond: beyond)
    }

    func better(_ a: Candidate, than b: Candidate) -> Bool {
        if a.score != b.score { return a.score > b.score }
        if (a.distance ?? 0) != (b.distance ?? 0) { return (a.distance ?? 0) < (b.distance ?? 0) }
        return index.entries[Int(a.index)].id < index.entries[Int(b.index)].id
    }

    /// The next opening from schedules and dated sessions, what it is, and
    /// whether the listing has any schedule information at all.
    func nextOpening(
        _ e: IndexEntry, after now: LocalDateTime, horizonDays: Int,
        scheduled: (Schedule) -> Occurrence? = { _ in nil }
    ) -> (Occurrence?, String?, Bool) {
        var best: Occurrence?
        var label: String?
        var known = false
        if let s = e.schedule {
            known = true
            if let o = scheduled(s) {
                best = o
                label = [.mdu_permanence, .association_familles, .association_usagers].contains(e.kind) ? "permanence" : (e.kind == .groupe_parole ? "séance" : "ouverture")
            }
        }
        for session in e.sessions {
            known = true
            for o in session.occurrences where (o.end ?? LocalDateTime(date: o.start.date, minutes: 1439)) > now {
                if best.map({ o.start < $0.start }) ?? true {
                    best = o
                    label = "session"
                }
                break
            }
        }
        return (best, label, known)
    }

    func reasons(_ e: IndexEntry, _ c: Candidate, served: [NeedDefinition], _ q: ReferralQuestion) -> [String] {
        let taxonomy = index.taxonomy
        var out: [String] = []
        if !served.isEmpty {
            let labels = served.map { "« \($0.label) »" }
            out.append((served.count > 1 ? "Répond à vos besoins " : "Répond à votre besoin ") + FrenchFormat.list(labels) + ".")
        } else if e.kind == .ligne_ecoute {
            out.append("\(taxonomy.label(of: e.kind)), en complément de l’aide d’urgence.")
        }
        if e.audiences & ReferralIndex.bit(.proche) != 0 && q.audience == .proche {
            out.append("Accueille les proches et les familles.")
        } else if e.audiences & ReferralIndex.bit(.personne) != 0 && q.audience != .proche {
            out.append("Accueille les personnes concernées.")
        } else if q.audience == .proche {
            out.append("S’adresse surtout aux personnes concernées : à proposer à votre proche.")
        }
        if let d = c.distance, e.precision == .departement {
            // Only its département is known: the distance is from the département's centre.
            out.append("À environ \(FrenchFormat.distance(max(d, 1)))\(q.originLabel.map { " de \($0)" } ?? "") (position approximative : centre du département, à confirmer en appelant).")
        } else if let d = c.distance, e.precision == .commune {
            out.append(d < 1 ? "Dans la même commune\(q.originLabel.map { " que \($0)" } ?? "") (adresse précise non géolocalisée)." : "À environ \(FrenchFormat.distance(d))\(q.originLabel.map { " de \($0)" } ?? "") (centre de sa commune).")
        } else if let d = c.distance {
            out.append(d < 1 ? "À moins d’un kilomètre\(q.originLabel.map { " de \($0)" } ?? "")." : "À \(FrenchFormat.distance(d))\(q.originLabel.map { " de \($0)" } ?? "").")
        } else if e.remote {
            out.append(e.modalities & ReferralIndex.bit(.telephone) != 0 ? "Joignable par téléphone, sans se déplacer." : "Accessible en ligne, sans se déplacer.")
        }
        if let language = q.language, language != "fr" || !e.languages.isEmpty {
            out.append("Accueil en \(Language.name(language)).")
        }
        if let a = q.access {
            out.append(a.label.prefix(1).uppercased() + a.label.dropFirst() + ".")
        }
        if e.status == .temporarily_closed {
            out.append("Temporairement fermé : à recontacter plus tard.")
        } else if let n = c.next {
            let what: String
            switch c.nextLabel {
            case "session": what = "Prochaine session"
            case "permanence": what = "Prochaine permanence"
            case "séance": what = "Prochaine séance"
            default: what = "Prochaine ouverture"
            }
            let localNow = q.now(in: e.zone)
            // Hours of another territory say whose clock they follow.
            let whose = e.zone == q.zone ? "" : " (\(e.zone.frenchName))"
            if let s = e.schedule, index.openings.isAlwaysOpen(e.scheduleID, s) {
                out.append(e.remote ? "Joignable 24\u{A0}h/24, 7\u{A0}j/7." : "Ouvert 24\u{A0}h/24, 7\u{A0}j/7.")
            } else if n.start <= localNow, n.end == nil {
                out.append("Ouvert depuis \(FrenchFormat.time(n.start.minutes))\(whose), heure de fermeture non précisée.")
            } else if n.start <= localNow, let end = n.end, end > localNow {
                out.append("Ouvert en ce moment, jusqu’à \(FrenchFormat.endTime(end.minutes))\(whose).")
            } else {
                out.append("\(what) : \(FrenchFormat.occurrence(n))\(whose).")
            }
        } else if e.byAppointment {
            out.append("Sur rendez-vous : appeler avant de venir.")
        } else {
            out.append("Horaires non précisés : appeler avant de venir.")
        }
        if e.stale {
            out.append("À vérifier : cette fiche n’apparaît plus dans sa source.")
        } else if let v = e.teamVerifiedDay, !e.demo {
            out.append("Vérifié par l’équipe le \(FrenchFormat.date(LocalDate(dayNumber: Int(v)), weekday: false)).")
        } else if let v = e.verifiedDay {
            // An import is an update, not a check: only an admin's « marquer vérifié » is a verification.
            out.append("Mis à jour depuis la source le \(FrenchFormat.date(LocalDate(dayNumber: Int(v)), weekday: false)).")
        }
        if e.demo { out.append("Données de démonstration.") }
        return out
    }
}

extension String {
    var lowercasedFirst: String {
        guard let f = first else { return self }
        // Keep acronyms ("GEM", "APAF") as they are.
        if count > 1, self[index(after: startIndex)].isUppercase { return self }
        return f.lowercased() + dropFirst()
    }
}

import Foundation

/// A binary heap: `first(a, b)` when a comes out before b. Built in O(n), each item taken in O(log n).
struct Heap<T> {
    private var items: [T]
    private let first: (T, T) -> Bool

    init(_ items: [T], first: @escaping (T, T) -> Bool) {
        self.items = items
        self.first = first
        heapify()
    }

    private mutating func heapify() {
        var k = items.count / 2 - 1
        while k >= 0 {
            siftDown(k)
            k -= 1
        }
    }

    /// Adds many: one by one when they are few beside the heap, else all at once and heapified.
    mutating func push(contentsOf more: [T]) {
        if more.count > items.count / 2 {
            items += more
            heapify()
        } else {
            for item in more { push(item) }
        }
    }

    var top: T? { items.first }

    mutating func push(_ item: T) {
        items.append(item)
        var k = items.count - 1
        while k > 0 {
            let parent = (k - 1) / 2
            guard first(items[k], items[parent]) else { return }
            items.swapAt(k, parent)
            k = parent
        }
    }

    mutating func pop() -> T? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        if !items.isEmpty { siftDown(0) }
        return top
    }

    private mutating func siftDown(_ start: Int) {
        var k = start
        let n = items.count
        while true {
            let l = 2 * k + 1, r = l + 1
            var best = k
            if l < n && first(items[l], items[best]) { best = l }
            if r < n && first(items[r], items[best]) { best = r }
            if best == k { return }
            items.swapAt(k, best)
            k = best
        }
    }
}
