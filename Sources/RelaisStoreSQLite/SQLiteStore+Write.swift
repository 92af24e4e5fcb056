import Foundation
import GRDB
import RelaisMerge
import RelaisModel
import RelaisStore
import RelaisNormalize

extension SQLiteStore {
    /// Writes a listing's row (HSDS `service`, with the merged content from which the
    /// `location`, `address`, `service_at_location`, `phone` and `contact` views
    /// read), its `schedule` rows, its sessions, its identity keys and its
    /// full-text entry.
    static func writeService(
        _ db: Database, id: String, content c: ListingContent, rows r: ServiceRows, provenanceJSON: String, demo: Bool,
        stale: Bool, previous: ListingContent? = nil, sourcesJSON: String, lastVerified: String?, parentID: String?, existingRowID: Int64?,
        createdAt: String, now: String, statements: WriteStatements? = nil
    ) throws {
        let sql = statements ?? WriteStatements(db)
        if let oid = r.organizationID, let org = c.organization {
            let st = try sql(1, "INSERT OR IGNORE INTO organization (id, name) VALUES (?, ?)")
            try st.text(oid).text(org).run()
        }
        let a = c.address
        func bindCommon(_ st: RawStatement) {
            st.text(r.organizationID).text(c.name).text(c.alternateName).text(c.description).text(c.website).text(c.emails.first)
                .text(c.status.hsdsValue).text(c.fees).text(c.eligibility).text(c.registration).text(c.kind.rawValue)
                .text(r.needs).text(r.audiences).text(r.modalities)
                .text(r.openingHours).text(c.scheduleText).text(a?.postalCode).text(a?.insee).text(a?.departement)
                .double(c.point?.latitude).double(c.point?.longitude).bool(demo).bool(stale).text(lastVerified).text(parentID)
                .text(r.json).text(provenanceJSON).text(r.flags).text(sourcesJSON).text(now)
                .text(r.ftsName).text(r.ftsOrganization).text(r.ftsPlace).text(r.ftsBody)
        }
        let rowID: Int64
        if let existingRowID {
            // The full-text row goes first: FTS5 reads the text it indexed from `service` to remove it.
            if !sql.deferFullText {
                let fts = try sql(4, "DELETE FROM service_fts WHERE rowid = ?")
                try fts.int64(existingRowID).run()
            }
            let st = try sql(2, """
                UPDATE service SET organization_id = ?, name = ?, alternate_name = ?, description = ?, url = ?, email = ?, status = ?,
                fees_description = ?, eligibility_description = ?, application_process = ?, kind = ?, needs = ?, audiences = ?,
                modalities = ?, opening_hours = ?, schedule_text = ?, postal_code = ?, insee = ?, departement = ?, latitude = ?,
                longitude = ?, demo = ?, stale = ?, last_verified = ?, parent_id = ?, content = ?, provenance = ?, flags = ?,
                sources = ?, updated_at = ?, search_name = ?, search_organization = ?, search_place = ?, search_body = ? WHERE id = ?
                """)
            bindCommon(st)
            try st.text(id).run()
            rowID = existingRowID
            for (i, table) in ["schedule", "session"].enumerated() {
                let del = try sql(30 + i, "DELETE FROM \(table) WHERE service_id = ?")
                try del.text(id).run()
            }
            let keys = try sql(3, "DELETE FROM service_key WHERE key = ? AND service_id = ?")
            for key in Set(ListingMerger.identityKeys(previous ?? c)) { try keys.text(key).text(id).run() }
        } else {
            let st = try sql(5, """
                INSERT INTO service (organization_id, name, alternate_name, description, url, email, status, fees_description,
                eligibility_description, application_process, kind, needs, audiences, modalities, opening_hours, schedule_text,
                postal_code, insee, departement, latitude, longitude, demo, stale, last_verified, parent_id, content, provenance,
                flags, sources, updated_at, search_name, search_organization, search_place, search_body, id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            bindCommon(st)
            try st.text(id).text(createdAt).run()
            rowID = db.lastInsertedRowID
        }

        // HSDS schedule rows: one per rule and span, with the zone name.
        let sched = try sql(6, """
            INSERT INTO schedule (id, service_id, freq, interval, byday, bymonth, dtstart, until, count, opens_at, closes_at, valid_from, valid_to, opening_hours, closed, description, timezone_name)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (n, row) in r.schedule.enumerated() {
            try sched.text("\(id)-s\(n)").text(id).text(row.freq).int(row.interval).text(row.byday).text(row.bymonth).text(row.dtstart)
                .text(row.until).int(row.count).text(row.opensAt).text(row.closesAt).text(row.validFrom).text(row.until)
                .text(row.openingHours).bool(row.closed).text(c.scheduleText).text(c.zone.identifier).run()
        }
        if !c.sessions.isEmpty {
            let sess = try sql(7, """
                INSERT INTO session (id, service_id, title, first_start, first_start_epoch, last_end_epoch, cancelled, latitude, longitude, departement, content)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (i, s) in c.sessions.enumerated() {
                guard let first = s.first, let last = s.last else { continue }
                let end = last.end ?? LocalDateTime(date: last.start.date, minutes: last.allDay ? 1439 : last.start.minutes)
                let p = s.point ?? (s.online && !s.onsite ? nil : c.point)
                let zone = c.zone
                try sess.text("\(id)-e\(i)").text(id).text(s.title).text(zone.iso(first.start)).int(zone.epoch(of: first.start))
                    .int(zone.epoch(of: end)).bool(s.cancelled).double(p?.latitude).double(p?.longitude)
                    .text(s.place?.departement ?? a?.departement).text(s.jsonString).run()
            }
        }
        let keys = try sql(8, "INSERT INTO service_key (key, service_id) VALUES (?, ?)")
        for key in r.keys { try keys.text(key).text(id).run() }
        // The same text as the row's own columns (the index's external content).
        guard !sql.deferFullText else { return }
        let fts = try sql(9, "INSERT INTO service_fts (rowid, search_name, search_organization, search_place, kind, search_body) VALUES (?, ?, ?, ?, ?, ?)")
        try fts.int64(rowID).text(r.ftsName).text(r.ftsOrganization).text(r.ftsPlace).text(c.kind.rawValue).text(r.ftsBody).run()
    }
}
