// Sample host-app code (Android): the app-wide service that syncs with the Fieldbook server
// while the rep is signed in, tells the UI where sync stands, keeps screens fresh when records
// change (typed on this phone, handed over from a colleague's phone, or brought by sync), and
// hands a record to another phone without a server (a file or Bluetooth transfer).
//
// Compiled by scripts/test-ffi.sh against the bindings generated in the same run, so every call
// below exists with these types; the same calls are exercised against a real sync server in
// bindings/tests/kotlin/SyncTest.kt.

package app.fieldbook.sample

import app.fieldbook.FieldbookException
import app.fieldbook.FieldbookStore
import app.fieldbook.ObservationHandle
import app.fieldbook.RecordChange
import app.fieldbook.RecordObserver
import app.fieldbook.SyncReport
import app.fieldbook.SyncSession
import app.fieldbook.SyncStatus
import app.fieldbook.SyncStatusObserver
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate

class SyncService(
    private val store: FieldbookStore,
    /** e.g. "wss://sync.example.com/sync"; the token comes from sign-in (device enrolment). */
    private val serverUrl: String,
) : AutoCloseable {
    private val session = SyncSession(store, everySeconds = 300u)

    /** Starts background sync (a round now, every 5 minutes, and soon after each edit). */
    fun start(deviceToken: String) = session.start(serverUrl, deviceToken)

    /** On sign-out: nothing more leaves the phone; what is stored stays stored. */
    fun stop() = session.stop()

    /**
     * Pull-to-refresh. Throws [FieldbookException.AuthNeeded] (show sign-in) or
     * [FieldbookException.Network] (show "offline, will retry").
     */
    suspend fun syncNow(): SyncReport = session.syncNow()

    /** Where sync stands, for the toolbar's cloud icon; the current status comes first. */
    val status: Flow<SyncStatus> = callbackFlow {
        val handle: ObservationHandle = session.observeStatus(object : SyncStatusObserver {
            override fun onSyncStatus(status: SyncStatus) {
                trySend(status) // a background thread; the channel hands it over
            }
        })
        awaitClose { handle.cancel() }
    }.conflate()

    /** Every record change, as a Flow; collecting it registers an observer, cancelling ends it. */
    val changes: Flow<RecordChange> = callbackFlow {
        val handle: ObservationHandle = store.observeRecords(object : RecordObserver {
            override fun onRecordChanged(change: RecordChange) {
                trySend(change) // origin LOCAL, IMPORTED or SYNC
            }
        })
        awaitClose { handle.cancel() }
    }

    /** The text for the toolbar; bilingual like every message the library gives. */
    fun describe(status: SyncStatus): String = when (status) {
        is SyncStatus.Stopped -> "未同步 / not syncing"
        is SyncStatus.Idle -> "已同步 / up to date"
        is SyncStatus.Syncing -> "同步中 ${status.done}/${status.total} / syncing"
        is SyncStatus.Offline -> "离线，稍后重试 / offline, will retry"
        is SyncStatus.AuthNeeded -> "请重新登录 / please sign in again"
    }

    /** The record's whole history, to send to a colleague's phone. */
    suspend fun exportForHandOff(recordId: String): ByteArray = store.exportChanges(recordId)

    /** Merges a record received from a colleague's phone; returns whether anything was new. */
    suspend fun receiveHandOff(recordId: String, bytes: ByteArray): Boolean =
        store.importChanges(recordId, bytes)

    override fun close() {
        session.stop()
        session.close()
    }
}
