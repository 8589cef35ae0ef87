// Sample host-app code (Android, Jetpack ViewModel): the lead-capture screen's view-model, a
// thin wrapper giving LeadCapture.kt (compiled by scripts/test-ffi.sh) the viewModelScope.
// This file itself needs androidx.lifecycle, which is not available here: it is NOT compiled.

package app.fieldbook.sample

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import app.fieldbook.FieldbookStore

class LeadCaptureViewModel(store: FieldbookStore, sync: SyncService, eventName: String) : ViewModel() {
    private val capture = LeadCapture(store, viewModelScope, eventName, sync)

    val state = capture.state
    fun edit(change: (LeadForm) -> LeadForm) = capture.edit(change)
    fun save() = capture.save()
}
