import Foundation
import GRDB
import RelaisModel
import RelaisNormalize

extension SQLiteStore {
    /// Writes a listing's row and its HSDS rows (organization, location,
    /// address, service_at_location, phones, schedules, contact), its sessions,
    /// identity keys and full-text entry.
    static func writeService(
        _ db: Database, id: String, content c: ListingContent, contentJSON: String, provenance: [String: FieldOrigin], demo: Bool,
        stale: Bool, sources: [String], lastVerified: String?, parentID: String?, existingRowID: Int64?, createdAt: String, now: String
    ) throws {
        var orgID: String?
        if let org = c.organization {
            let oid = "o" + String(Text.hash(Text.fold(org)).prefix(11))
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO organization (id, name) VALUES (?, ?)").execute(arguments: [oid, org])
            orgID = oid
        }
        let needs = json(c.needs), audiences = json(c.audiences.map(\.rawValue)), modalities = json(c.modalities.map(\.rawValue))
        let osm = OpeningHours.format(c.schedule)
        let a = c.address
        let values: StatementArguments = [
            orgID, c.name, c.alternateName, c.description, c.website, c.emails.first, c.status.hsdsValue, c.fees, c.eligibility,
            c.registration, c.kind.rawValue, needs, audiences, modalities, osm, c.scheduleText, a?.postalCode, a?.insee,
            a?.departement, c.point?.latitude, c.point?.longitude, demo, stale, lastVerified, parentID, contentJSON, json(provenance),
            json(c.flags), json(sources), now,
        ]
        let rowID: Int64
        if let existingRowID {
            try db.cachedStatement(sql: """
                UPDATE service SET organization_id = ?, name = ?, alternate_name = ?, description = ?, url = ?, email = ?, status = ?,
                fees_description = ?, eligibility_description = ?, application_process = ?, kind = ?, needs = ?, audiences = ?,
                modalities = ?, opening_hours = ?, schedule_text = ?, postal_code = ?, insee = ?, departement = ?, latitude = ?,
                longitude = ?, demo = ?, stale = ?, last_verified = ?, parent_id = ?, content = ?, provenance = ?, flags = ?,
                sources = ?, updated_at = ? WHERE id = ?
                """).execute(arguments: values + [id])
            rowID = existingRowID
            for table in ["phone", "schedule", "contact", "session", "service_key"] {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE service_id = ?").execute(arguments: [id])
            }
            try db.cachedStatement(sql: "DELETE FROM location WHERE id IN (SELECT location_id FROM service_at_location WHERE service_id = ?)").execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM service_fts WHERE rowid = ?").execute(arguments: [rowID])
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO service (organization_id, name, alternate_name, description, url, email, status, fees_description,
                eligibility_description, application_process, kind, needs, audiences, modalities, opening_hours, schedule_text,
                postal_code, insee, departement, latitude, longitude, demo, stale, last_verified, parent_id, content, provenance,
                flags, sources, updated_at, id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: values + [id, createdAt])
            rowID = db.lastInsertedRowID
        }

        // Location and address (a virtual location for phone and online resources).
        let locID = "l" + id.dropFirst()
        let virtual = c.kind.isRemote && (a?.street == nil)
        try db.cachedStatement(sql: "INSERT INTO location (id, organization_id, location_type, name, latitude, longitude, geo_precision) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .execute(arguments: [locID, orgID, virtual ? "virtual" : "physical", c.placeName ?? c.name, virtual ? nil : c.point?.latitude, virtual ? nil : c.point?.longitude, c.pointPrecision?.rawValue])
        try db.cachedStatement(sql: "INSERT INTO service_at_location (id, service_id, location_id) VALUES (?, ?, ?)").execute(arguments: ["a" + id.dropFirst(), id, locID])
        if let a, !a.isEmpty {
            try db.cachedStatement(sql: """
                INSERT INTO address (id, location_id, address_1, address_2, city, postal_code, insee, departement, region, country)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: ["d" + id.dropFirst(), locID, a.street, a.complement, a.commune, a.postalCode, a.insee, a.departement, a.region, a.country])
        }
        let phoneSt = try db.cachedStatement(sql: "INSERT INTO phone (id, service_id, number, description, position) VALUES (?, ?, ?, ?, ?)")
        for (i, p) in c.phones.enumerated() { try phoneSt.execute(arguments: ["\(id)-p\(i)", id, p.number, p.note, i]) }
        if c.emails.count > 1 || c.registration != nil {
            try db.cachedStatement(sql: "INSERT INTO contact (id, service_id, name, email, phone) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: ["\(id)-c", id, c.registration, c.emails.dropFirst().first ?? c.emails.first, c.phones.first?.number])
        }
        let schedSt = try db.cachedStatement(sql: """
            INSERT INTO schedule (id, service_id, freq, interval, byday, bymonth, dtstart, until, count, opens_at, closes_at, valid_from, valid_to, opening_hours, closed, description)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var n = 0
        for rule in c.schedule.rules {
            let spans = rule.times.isEmpty ? [TimeSpan?.none] : rule.times.map { Optional($0) }
            for span in spans {
                try schedSt.execute(arguments: [
                    "\(id)-s\(n)", id, rule.days.isEmpty ? nil : (rule.isMonthly ? "MONTHLY" : "WEEKLY"), rule.interval,
                    rule.days.isEmpty ? nil : OpeningHours.icalByDay(rule.days), rule.months.isEmpty ? nil : rule.months.map(String.init).joined(separator: ","),
                    rule.anchor?.description, rule.validUntil?.description, rule.count, span.map { TimeSpan.hhmm($0.open) },
                    span?.close.map { TimeSpan.hhmm($0 % 1440) }, rule.validFrom?.description, rule.validUntil?.description,
                    OpeningHours.format(rule), rule.off, c.scheduleText,
                ])
                n += 1
            }
        }
        let sessSt = try db.cachedStatement(sql: """
            INSERT INTO session (id, service_id, title, first_start, first_start_epoch, last_end_epoch, cancelled, latitude, longitude, departement, content)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (i, s) in c.sessions.enumerated() {
            guard let first = s.first, let last = s.last else { continue }
            let end = last.end ?? LocalDateTime(date: last.start.date, minutes: last.allDay ? 1439 : last.start.minutes)
            let p = s.point ?? (s.online && !s.onsite ? nil : c.point)
            try sessSt.execute(arguments: [
                "\(id)-e\(i)", id, s.title, ParisTime.iso(first.start), ParisTime.epoch(of: first.start), ParisTime.epoch(of: end), s.cancelled,
                p?.latitude, p?.longitude, s.place?.departement ?? a?.departement, json(s),
            ])
        }
        let keySt = try db.cachedStatement(sql: "INSERT INTO service_key (key, service_id) VALUES (?, ?)")
        for key in Set(ListingMerger.identityKeys(c)) { try keySt.execute(arguments: [key, id]) }
        let place = [a?.commune, a?.postalCode, a?.departement, c.placeName].compactMap { $0 }.joined(separator: " ")
        let body = [c.description, c.alternateName, c.audienceNote, c.sponsor, c.manager, c.sessions.map(\.title).joined(separator: " ")].compactMap { $0 }.joined(separator: " ")
        try db.cachedStatement(sql: "INSERT INTO service_fts (rowid, name, organization, place, kind, body) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [rowID, c.name, c.organization, place, c.kind.rawValue.replacingOccurrences(of: "_", with: " "), body])
    }
}
