// Sample host-app code (Android): the state and actions of the lead-capture screen at a
// trade-show booth, working with no signal at all. Plain Kotlin + coroutines, no androidx, so
// scripts/test-ffi.sh compiles it against the bindings generated in the same run;
// LeadCaptureViewModel.kt is the thin Jetpack wrapper around it.

package app.fieldbook.sample

import app.fieldbook.FieldbookException
import app.fieldbook.FieldbookStore
import app.fieldbook.LeadGrade
import app.fieldbook.LeadReferral
import app.fieldbook.LeadSource
import app.fieldbook.LeadStatus
import app.fieldbook.Prospect
import app.fieldbook.RecordKind
import app.fieldbook.RecordSummary
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

data class LeadForm(
    val name: String = "",
    val company: String = "",
    val phone: String = "",
    val needs: String = "",
    val grade: LeadGrade = LeadGrade.C,
)

data class LeadCaptureState(
    val form: LeadForm = LeadForm(),
    val todaysLeads: List<RecordSummary> = emptyList(),
    /** The field the store refused, to highlight it; null when the form is fine. */
    val invalidField: String? = null,
    /** A bilingual message from the store, shown as it is. */
    val error: String? = null,
    /** After a save: whose prospect this is ("whoever registers first owns it"), bilingual. */
    val ownership: String? = null,
    val saving: Boolean = false,
)

class LeadCapture(
    private val store: FieldbookStore,
    private val scope: CoroutineScope,
    private val eventName: String,
    sync: SyncService,
) {
    private val _state = MutableStateFlow(LeadCaptureState())
    val state: StateFlow<LeadCaptureState> = _state.asStateFlow()

    init {
        refresh()
        // Leads registered on the rep's other devices (or a colleague's, when sync brings
        // them) appear without a manual refresh.
        scope.launch {
            sync.changes.collect { if (it.kind == RecordKind.LEAD_REFERRAL) refresh() }
        }
    }

    fun edit(change: (LeadForm) -> LeadForm) = _state.update { it.copy(form = change(it.form)) }

    /** Registers the lead on the phone; durable when this returns, signal or not. */
    fun save(): Job = scope.launch {
        val form = _state.value.form
        _state.update { it.copy(saving = true, error = null, invalidField = null, ownership = null) }
        try {
            val lead = store.createLead(
                LeadReferral(
                    source = LeadSource.TradeShow,
                    event = eventName,
                    grade = form.grade,
                    status = LeadStatus.Open,
                    prospect = Prospect(form.name, form.company, form.phone, needs = form.needs),
                ),
            )
            val owner = store.leadOwnership(lead.meta.id)
            _state.update {
                it.copy(form = LeadForm(), saving = false, ownership = owner.explanation.takeIf { !owner.owns })
            }
            refresh()
        } catch (e: FieldbookException.InvalidInput) {
            _state.update { it.copy(saving = false, invalidField = e.field, error = e.reason) }
        } catch (e: FieldbookException) {
            _state.update { it.copy(saving = false, error = e.toString()) } // bilingual text
        }
    }

    fun refresh(): Job = scope.launch {
        val leads = store.listRecords(RecordKind.LEAD_REFERRAL)
        _state.update { it.copy(todaysLeads = leads.sortedByDescending { row -> row.keyAt }) }
    }
}
