// Sample host-app code (iOS, SwiftUI + Observation): the lead-capture screen at a trade-show
// booth, working with no signal. It uses the generated Swift bindings (module `Fieldbook`).
//
// UNVERIFIED HERE: no Swift toolchain can be installed on the machines that build this
// repository. The test run generates the Swift bindings and checks their C header and exported
// symbols, but this file has never been compiled. Its Kotlin twin (mobile-demo/android/
// LeadCapture.kt) is compiled and run by scripts/test-ffi.sh.

import Fieldbook
import Foundation
import Observation

struct LeadForm {
    var name = ""
    var company = ""
    var phone = ""
    var needs = ""
    var grade: LeadGrade = .c
}

@MainActor
@Observable
final class LeadCaptureViewModel {
    var form = LeadForm()
    private(set) var todaysLeads: [RecordSummary] = []
    /// The field the store refused, to highlight it.
    private(set) var invalidField: String?
    /// A bilingual message from the store, shown as it is.
    private(set) var error: String?
    private(set) var saving = false
    /// After a save: whose prospect this is ("whoever registers first owns it"), bilingual.
    private(set) var ownership: String?

    private let store: FieldbookStore
    private let eventName: String

    init(store: FieldbookStore, eventName: String) {
        self.store = store
        self.eventName = eventName
        Task { await refresh() }
    }

    /// Saves the lead on the phone; it is durable when this returns, signal or not.
    func save() async {
        saving = true
        error = nil
        invalidField = nil
        ownership = nil
        defer { saving = false }
        let lead = LeadReferral(
            source: .tradeShow,
            event: eventName,
            prospect: Prospect(name: form.name, company: form.company, phone: form.phone, needs: form.needs),
            grade: form.grade,
            status: .open
        )
        do {
            // Registered through the lead rules: code, registration time, prospect checks.
            let saved = try await store.createLead(lead: lead)
            let owner = try await store.leadOwnership(leadId: saved.meta.id)
            ownership = owner.owns ? nil : owner.explanation
            form = LeadForm()
            await refresh()
        } catch let FieldbookError.InvalidInput(field, reason) {
            invalidField = field
            error = reason
        } catch {
            self.error = "\(error)"
        }
    }

    /// Called on appear and by `SyncService` when a record changes.
    func refresh() async {
        let rows = (try? await store.listRecords(kind: .leadReferral)) ?? []
        todaysLeads = rows.sorted { ($0.keyAt ?? .distantPast) > ($1.keyAt ?? .distantPast) }
    }
}
