// Sample host-app code (Android, Jetpack ViewModel): the lead-capture screen at a trade-show
// booth, working with no signal at all. Copy it; it uses the generated bindings (package
// app.fieldbook) exactly as bindings/tests/kotlin/FieldbookTest.kt exercises them on the JVM.
// It is not built by this repository (no Android SDK here).

package app.fieldbook.sample

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldbook.FieldbookException
import app.fieldbook.FieldbookStore
import app.fieldbook.LeadGrade
import app.fieldbook.LeadReferral
import app.fieldbook.LeadSource
import app.fieldbook.LeadStatus
import app.fieldbook.Prospect
import app.fieldbook.RecordKind
import app.fieldbook.RecordSummary
import java.time.Instant
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
    val saving: Boolean = false,
)

class LeadCaptureViewModel(
    private val store: FieldbookStore,
    private val eventName: String,
) : ViewModel() {
    private val _state = MutableStateFlow(LeadCaptureState())
    val state: StateFlow<LeadCaptureState> = _state.asStateFlow()

    init {
        refresh()
    }

    fun edit(change: (LeadForm) -> LeadForm) = _state.update { it.copy(form = change(it.form)) }

    /** Saves the lead on the phone; it is durable when this returns, signal or not. */
    fun save() = viewModelScope.launch {
        val form = _state.value.form
        _state.update { it.copy(saving = true, error = null, invalidField = null) }
        try {
            store.createLead(
                LeadReferral(
                    source = LeadSource.TradeShow,
                    event = eventName,
                    grade = form.grade,
                    status = LeadStatus.Open,
                    registeredAt = Instant.now(),
                    prospect = Prospect(form.name, form.company, form.phone, needs = form.needs),
                ),
            )
            _state.update { it.copy(form = LeadForm(), saving = false) }
            refresh()
        } catch (e: FieldbookException.InvalidInput) {
            _state.update { it.copy(saving = false, invalidField = e.field, error = e.reason) }
        } catch (e: FieldbookException) {
            _state.update { it.copy(saving = false, error = e.toString()) } // bilingual text
        }
    }

    /** Called on start and by [SyncService] when a record changes (this device, import, sync). */
    fun refresh() = viewModelScope.launch {
        val leads = store.listRecords(RecordKind.LEAD_REFERRAL)
        _state.update { it.copy(todaysLeads = leads.sortedByDescending { row -> row.keyAt }) }
    }
}
