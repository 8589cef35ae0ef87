// Sample host-app code (Android): the app-wide service that keeps screens fresh when records
// change, and hands a record to another phone without a server (a file or Bluetooth transfer).
//
// Sync with the server (start/stop against a URL with a token, status and progress through an
// observer with a cancel handle) arrives with the sync issue; those calls do not exist in the
// bindings yet, so this sample does not pretend to make them. When they land, `start()` below
// is where `store.startSync(url, token, statusObserver)` goes, and changes it brings reach
// `changes` with `ChangeOrigin.SYNC` through the same record observer.

package app.fieldbook.sample

import app.fieldbook.FieldbookStore
import app.fieldbook.ObservationHandle
import app.fieldbook.RecordChange
import app.fieldbook.RecordObserver
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow

class SyncService(private val store: FieldbookStore) {

    /** Every record change, as a Flow; collecting it registers an observer, cancelling ends it. */
    val changes: Flow<RecordChange> = callbackFlow {
        val handle: ObservationHandle = store.observeRecords(object : RecordObserver {
            override fun onRecordChanged(change: RecordChange) {
                trySend(change) // called on a background thread; the channel hands it over
            }
        })
        awaitClose { handle.cancel() }
    }

    /** The record's whole history, to send to a colleague's phone. */
    suspend fun exportForHandOff(recordId: String): ByteArray = store.exportChanges(recordId)

    /** Merges a record received from a colleague's phone; returns whether anything was new. */
    suspend fun receiveHandOff(recordId: String, bytes: ByteArray): Boolean =
        store.importChanges(recordId, bytes)
}
