import RelaisModel

/// The combination step: clauses → rules. Hours without days go to the
/// neighbouring days without hours; « tous les après-midi … du lundi au
/// vendredi » narrows every day to the days named; closing times pair with an
/// opening time; then each weekday keeps its spans in a table — a later clause
/// that overlaps replaces them (« le vendredi de 9h à 12h »), a disjoint one
/// adds to them (« et le mercredi de 14h à 17h ») — so no range is ever written
/// twice and no clause is lost; days with the same spans become one rule.
extension FrenchSchedule {
    struct Combination {
        var clauses: [Clause]
        let found: Findings
        let markers: Markers

        struct Key: Hashable {
            var weekday: Int
            var nth: [Int]
            var weeks: [WeekRange]
            var holiday: Bool
        }

        static func overlaps(_ a: [TimeSpan], _ b: [TimeSpan]) -> Bool {
            func range(_ s: TimeSpan) -> (Int, Int) {
                guard let c = s.close else { return (s.open, s.open + 1) }
                return (s.open, c > s.open ? c : c + 1440)
            }
            for x in a {
                for y in b {
                    let (a0, a1) = range(x), (b0, b1) = range(y)
                    if a0 < b1 && b0 < a1 { return true }
                }
            }
            return false
        }

        static func allDays() -> [WeekdaySelector] { (1...7).map { WeekdaySelector(weekday: $0) } }

        func refuse(_ reason: String, _ flags: [Flag], _ days: [WeekdaySelector]) -> ScheduleReading {
            ScheduleReading(schedule: nil, reason: reason, flags: flags, daysWithoutHours: days, wasOSM: false)
        }

        func reading() -> ScheduleReading {
            var flags: [Flag] = []
            if markers.byAppointment { flags.append(Flag("by_appointment", field: "schedule", "Sur rendez-vous.")) }
            if found.schoolTermsOnly { flags.append(Flag("school_terms", field: "schedule", "En période scolaire seulement.")) }
            if markers.selfManaged { flags.append(Flag("self_managed", field: "schedule", "En autogestion : sans salarié sur certains créneaux.")) }
            if markers.registration { flags.append(Flag("registration", field: "schedule", "Sur inscription.")) }
            // Notes are for a human: a few are enough.
            flags += found.notes.prefix(8)

            // 1. Within a clause: an opening and a closing time make a span, « 24 h sur 24 » the whole
            // day, and an exception with no day set (« de 10h à 18h sauf le lundi ») means every other day.
            var cs = clauses
            for k in cs.indices {
                if let o = cs[k].openAt, let c = cs[k].closeAt {
                    cs[k].spans.append(TimeSpan(open: o, close: c))
                    cs[k].openAt = nil
                    cs[k].closeAt = nil
                }
                if cs[k].allDay, cs[k].spans.isEmpty { cs[k].spans = [TimeSpan(open: 0, close: 1440)] }
                if !cs[k].exceptDays.isEmpty, cs[k].days.isEmpty, !cs[k].everyDay { cs[k].implicitEveryDay = true }
            }

            // 2. Attach: hours without days go to the days without hours next to them.
            func anyDays(_ c: Clause) -> Bool { !c.days.isEmpty || c.everyDay || c.implicitEveryDay }
            func timesOnly(_ c: Clause) -> Bool {
                !c.spans.isEmpty && !anyDays(c) && c.dates.isEmpty && !c.undated && !c.holidays && !c.allDay
            }
            func awaitsHours(_ c: Clause) -> Bool {
                (anyDays(c) || !c.dates.isEmpty) && c.spans.isEmpty && !c.off && c.openAt == nil && c.closeAt == nil && !c.allDay
            }
            var attached: [Clause] = []
            var k = 0
            while k < cs.count {
                let c = cs[k]
                if timesOnly(c) {
                    if let last = attached.indices.last, awaitsHours(attached[last]) {
                        attached[last].spans = c.spans
                        k += 1
                        continue
                    }
                    if k + 1 < cs.count, awaitsHours(cs[k + 1]) {
                        cs[k + 1].spans = c.spans
                        if cs[k + 1].weeks.isEmpty { cs[k + 1].weeks = c.weeks }
                        k += 1
                        continue
                    }
                }
                // « Tous les après-midi, de 14h à 17h, du lundi au vendredi »: the days narrow « tous ».
                if !c.days.isEmpty || c.everyDay, c.spans.isEmpty, !c.off, c.closeAt == nil, c.dates.isEmpty,
                    let last = attached.indices.last, attached[last].implicitEveryDay, attached[last].days.isEmpty, !attached[last].everyDay,
                    !attached[last].spans.isEmpty
                {
                    attached[last].days = c.days
                    attached[last].everyDay = c.everyDay
                    attached[last].exceptDays.formUnion(c.exceptDays)
                    k += 1
                    continue
                }
                attached.append(c)
                k += 1
            }

            // 3. Days of each clause: named, every day, or every day but the exceptions.
            for k in attached.indices {
                var c = attached[k]
                if c.days.isEmpty, c.everyDay || c.implicitEveryDay || (c.allDay && c.dates.isEmpty && !c.undated) { c.days = Self.allDays() }
                if !c.exceptDays.isEmpty { c.days.removeAll { $0.nth.isEmpty && c.exceptDays.contains($0.weekday) } }
                attached[k] = c
            }

            // 4. Closing times take the opening time said before them (« ouverture à 5h tous les jours -
            // lundi au jeudi fermeture à 1h »); an opening time left alone is an open end.
            var consumedOpeners = Set<Int>()
            var lastOpener: Int?
            for k in attached.indices {
                if attached[k].openAt != nil, attached[k].closeAt == nil, attached[k].spans.isEmpty { lastOpener = k }
                if let close = attached[k].closeAt, attached[k].openAt == nil, attached[k].spans.isEmpty, let o = lastOpener, let open = attached[o].openAt {
                    attached[k].spans = [TimeSpan(open: open, close: close)]
                    attached[k].closeAt = nil
                    if attached[k].days.isEmpty { attached[k].days = attached[o].days }
                    consumedOpeners.insert(o)
                }
            }
            for k in attached.indices where attached[k].openAt != nil && attached[k].spans.isEmpty && attached[k].closeAt == nil {
                if consumedOpeners.contains(k) {
                    attached[k].days = []
                    attached[k].openAt = nil
                } else if let o = attached[k].openAt {
                    attached[k].spans = [TimeSpan(open: o, close: nil)]
                }
            }

            // 5. Weekdays that refer back to dated sessions (« les samedi 8 et dimanche 9 novembre 2025 …
            // samedi de 15h30 à 17h30 et dimanche de 10h à 12h »).
            let namedDates = attached.filter { $0.spans.isEmpty }.flatMap(\.dates)
            if !namedDates.isEmpty, namedDates.count <= 64 {
                for k in attached.indices where attached[k].dates.isEmpty && !attached[k].spans.isEmpty && !attached[k].days.isEmpty && attached[k].days.count < 7 {
                    let days = attached[k].days
                    guard days.allSatisfy({ $0.nth.isEmpty }) else { continue }
                    let matching = namedDates.filter { d in days.contains { $0.weekday == d.weekday } }
                    if days.allSatisfy({ s in matching.contains { $0.weekday == s.weekday } }) {
                        attached[k].dates = Array(Set(matching)).sorted()
                        attached[k].days = []
                    }
                }
            }

            var daysWithoutHours: [WeekdaySelector] = []
            for c in attached where awaitsHours(c) && c.dates.isEmpty && !c.schoolHolidaysOnly {
                for d in c.days where !daysWithoutHours.contains(d) { daysWithoutHours.append(d) }
            }

            // 6. Gates: what cannot be placed is not placed.
            if attached.contains(where: \.undated) {
                return refuse("Date précise sans année : un événement daté, pas un horaire récurrent.", flags + [Flag("dated_event", field: "schedule", "Date précise, pas un horaire récurrent.")], daysWithoutHours)
            }
            if markers.irregular {
                return refuse("Rythme irrégulier : pas un horaire récurrent.", flags + [Flag("vague_frequency", field: "schedule", "Fréquence imprécise.")], daysWithoutHours)
            }

            // 7. The table of weekdays and their spans, clause after clause.
            var table: [Key: (spans: [TimeSpan], order: Int)] = [:]
            var counter = 0
            var offDays = Set<Int>()
            var dated: [(dates: [LocalDate], spans: [TimeSpan])] = []
            var orphanHours = false
            var schoolHolidays = false
            func setClose(_ days: [WeekdaySelector], _ weeks: [WeekRange], _ close: Int) -> Bool {
                var done = false
                for d in days {
                    let key = Key(weekday: d.weekday, nth: d.nth, weeks: weeks, holiday: false)
                    guard var e = table[key], let last = e.spans.indices.last, e.spans[last].open != close % 1440 else { continue }
                    e.spans[last].close = close
                    table[key] = e
                    done = true
                }
                return done
            }
            for c in attached {
                if c.schoolHolidaysOnly {
                    schoolHolidays = true
                    continue
                }
                if c.off {
                    offDays.formUnion(c.days.filter { $0.nth.isEmpty }.map(\.weekday))
                    continue
                }
                if !c.dates.isEmpty {
                    if !c.spans.isEmpty { dated.append((c.dates, c.spans)) }
                    continue
                }
                if c.days.isEmpty && !c.holidays {
                    if !c.spans.isEmpty { orphanHours = true }
                    continue
                }
                if c.spans.isEmpty {
                    // A closing time with no opening time to pair with: the day's hours are unknown.
                    if let close = c.closeAt, !setClose(c.days, c.weeks, close) {
                        for d in c.days where !daysWithoutHours.contains(d) { daysWithoutHours.append(d) }
                    }
                    continue
                }
                // « (vendredi 17h) », « (16h le vendredi) »: the close of that day, said aside.
                if c.parenthetical, c.spans.count == 1, c.spans[0].close == nil,
                    c.days.allSatisfy({ table[Key(weekday: $0.weekday, nth: $0.nth, weeks: c.weeks, holiday: false)] != nil }),
                    setClose(c.days, c.weeks, c.spans[0].open)
                {
                    continue
                }
                var keys = c.days.map { Key(weekday: $0.weekday, nth: $0.nth, weeks: c.weeks, holiday: false) }
                if c.holidays { keys.append(Key(weekday: 0, nth: [], weeks: c.weeks, holiday: true)) }
                for key in keys {
                    if var e = table[key] {
                        if c.override || Self.overlaps(e.spans, c.spans) {
                            e.spans = c.spans
                        } else {
                            e.spans = Array(Set(e.spans + c.spans)).sorted()
                        }
                        table[key] = e
                    } else {
                        table[key] = (c.spans, counter)
                        counter += 1
                    }
                }
            }
            for key in table.keys where offDays.contains(key.weekday) { table[key] = nil }

            // 8. Rules: days with the same spans together; plain weekdays, then ranked ones
            // (added to a plain day when their hours are disjoint), holidays, dates, closures.
            struct Group {
                var keys: [Key]
                var spans: [TimeSpan]
                var weeks: [WeekRange]
                var order: Int
            }
            func groups(_ filter: (Key) -> Bool) -> [Group] {
                var out: [Group] = []
                for (key, e) in table.sorted(by: { $0.value.order < $1.value.order }) where filter(key) {
                    if let g = out.firstIndex(where: { $0.spans == e.spans && $0.weeks == key.weeks }) {
                        out[g].keys.append(key)
                    } else {
                        out.append(Group(keys: [key], spans: e.spans, weeks: key.weeks, order: e.order))
                    }
                }
                return out
            }
            let plain = groups { $0.nth.isEmpty && !$0.holiday }
            let ranked = groups { !$0.nth.isEmpty }
            var holidays = groups { $0.holiday }
            var rules: [ScheduleRule] = []
            for g in plain {
                var rule = ScheduleRule(weeks: g.weeks, days: g.keys.map { WeekdaySelector(weekday: $0.weekday) }.sorted { $0.weekday < $1.weekday }, times: g.spans)
                if let h = holidays.firstIndex(where: { $0.spans == g.spans && $0.weeks == g.weeks }) {
                    rule.publicHolidays = true
                    holidays.remove(at: h)
                }
                rules.append(rule)
            }
            for g in ranked {
                var days: [WeekdaySelector] = []
                for key in g.keys {
                    if let k = days.firstIndex(where: { $0.weekday == key.weekday }) {
                        days[k].nth = Array(Set(days[k].nth + key.nth)).sorted(by: WeekdaySelector.nthOrder)
                    } else {
                        days.append(WeekdaySelector(weekday: key.weekday, nth: key.nth))
                    }
                }
                let plainSpans = g.keys.compactMap { table[Key(weekday: $0.weekday, nth: [], weeks: g.weeks, holiday: false)]?.spans }
                let additive = !plainSpans.isEmpty && plainSpans.allSatisfy { !Self.overlaps($0, g.spans) }
                rules.append(ScheduleRule(weeks: g.weeks, days: days.sorted { $0.weekday < $1.weekday }, times: g.spans, additive: additive))
            }
            for g in holidays { rules.append(ScheduleRule(weeks: g.weeks, publicHolidays: true, times: g.spans)) }
            // The season and the validity apply to every recurring rule.
            for k in rules.indices {
                rules[k].months = found.season
                rules[k].monthDays = found.seasonDays
                rules[k].validFrom = found.validFrom
                rules[k].validUntil = found.validUntil
                // Every day, all day, all year: `24/7`.
                if rules[k].days.count == 7, rules[k].times == [TimeSpan(open: 0, close: 1440)], rules[k].weeks.isEmpty, rules[k].months.isEmpty,
                    rules[k].monthDays.isEmpty, rules[k].validFrom == nil, rules[k].validUntil == nil
                {
                    rules[k].days = []
                    rules[k].publicHolidays = false
                }
            }
            let recurring = rules
            // Dated sessions with the same hours: one rule.
            var byTimes: [[TimeSpan]: Set<LocalDate>] = [:]
            var timesOrder: [[TimeSpan]] = []
            for d in dated {
                if byTimes[d.spans] == nil { timesOrder.append(d.spans) }
                byTimes[d.spans, default: []].formUnion(d.dates)
            }
            for spans in timesOrder { rules.append(ScheduleRule(dates: (byTimes[spans] ?? []).sorted(), times: spans)) }
            let positive = !rules.isEmpty
            if positive {
                if !found.monthsOff.isEmpty { rules.append(ScheduleRule(months: Array(Set(found.monthsOff)).sorted(), off: true)) }
                if !found.monthDaysOff.isEmpty { rules.append(ScheduleRule(monthDays: found.monthDaysOff, off: true)) }
                if !found.datesOff.isEmpty { rules.append(ScheduleRule(dates: Array(Set(found.datesOff)).sorted(), off: true)) }
                if found.schoolTermsOnly { rules.append(ScheduleRule(schoolHolidays: true, off: true)) }
                if found.publicHolidaysOff { rules.append(ScheduleRule(publicHolidays: true, off: true)) }
            }

            // 9. A monthly rhythm needs the week of the month.
            if markers.monthly, recurring.contains(where: { r in r.weeks.isEmpty && (r.days.isEmpty || r.days.contains { $0.nth.isEmpty }) }) {
                return refuse("Rythme mensuel sans semaine du mois précisée : le jour n’est pas inventé.", flags + [Flag("vague_frequency", field: "schedule", "Semaine du mois non précisée.")], daysWithoutHours)
            }
            if schoolHolidays {
                flags.append(Flag("school_holidays", field: "schedule", "Horaires des vacances scolaires notés, non appliqués."))
            }
            guard positive else {
                if !dated.isEmpty || attached.contains(where: { !$0.dates.isEmpty }) {
                    return refuse("Date précise sans heures : un événement daté, pas un horaire récurrent.", flags + [Flag("dated_event", field: "schedule", "Date précise, pas un horaire récurrent.")], daysWithoutHours)
                }
                if orphanHours && daysWithoutHours.isEmpty {
                    if markers.phone {
                        return refuse("Heures de permanence téléphonique, pas des heures d’ouverture.", flags + [Flag("phone_hours", field: "schedule", "Heures de joignabilité téléphonique.")], daysWithoutHours)
                    }
                    return refuse("Des heures sans jours : impossible de savoir quand.", flags + [Flag("days_missing", field: "schedule", "Jours non précisés.")], daysWithoutHours)
                }
                if !daysWithoutHours.isEmpty {
                    return refuse("Des jours sans heures : les heures ne sont pas inventées.", flags + [Flag("hours_missing", field: "schedule", "Heures non précisées.")], daysWithoutHours)
                }
                if markers.vague {
                    return refuse("Fréquence sans jour ni heure précis.", flags + [Flag("vague_frequency", field: "schedule", "Fréquence imprécise.")], daysWithoutHours)
                }
                return refuse("Ce texte ne décrit pas un horaire.", flags + [Flag("not_a_schedule", field: "schedule", "Texte non reconnu comme horaire.")], daysWithoutHours)
            }
            if rules.contains(where: { $0.times.contains { $0.close == nil } }) {
                flags.append(Flag("end_time_missing", field: "schedule", "Heure de fin non précisée."))
            }
            if !daysWithoutHours.isEmpty {
                flags.append(Flag("partial_schedule", field: "schedule", "Certains jours sont cités sans heures."))
            }
            if orphanHours {
                flags.append(Flag("unplaced_hours", field: "schedule", "Des heures citées sans jour n’ont pas été retenues."))
            }
            return ScheduleReading(schedule: Schedule(rules: rules), reason: nil, flags: flags, daysWithoutHours: daysWithoutHours, wasOSM: false)
        }
    }
}
