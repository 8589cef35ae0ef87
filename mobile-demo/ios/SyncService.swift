// Sample host-app code (iOS): keeps screens fresh when records change, and hands a record to
// another phone without a server (AirDrop or a file).
//
// UNVERIFIED HERE: never compiled (no Swift toolchain on the machines that build this
// repository); the Kotlin twin of this file is compiled by scripts/test-ffi.sh.
//
// Sync with the server (start/stop against a URL with a token, status and progress through an
// observer with a cancel handle) arrives with the sync issue; those calls are not in the
// bindings yet and this sample does not pretend to make them. Changes sync brings will reach
// `changes()` with `.sync` as their origin through the same observer.

import Fieldbook
import Foundation

final class SyncService: Sendable {
    private let store: FieldbookStore

    init(store: FieldbookStore) {
        self.store = store
    }

    /// Every record change as an async sequence; ending the iteration cancels the observation.
    func changes() -> AsyncStream<RecordChange> {
        AsyncStream { continuation in
            let handle = store.observeRecords(observer: StreamObserver(continuation: continuation))
            continuation.onTermination = { _ in handle.cancel() }
        }
    }

    /// The record's whole history, to send to a colleague's phone.
    func exportForHandOff(recordId: String) async throws -> Data {
        try await store.exportChanges(id: recordId)
    }

    /// Merges a record received from a colleague's phone; returns whether anything was new.
    func receiveHandOff(recordId: String, bytes: Data) async throws -> Bool {
        try await store.importChanges(id: recordId, changes: bytes)
    }
}

/// Forwards the store's callbacks (made on a background thread) into an `AsyncStream`.
private final class StreamObserver: RecordObserver, @unchecked Sendable {
    let continuation: AsyncStream<RecordChange>.Continuation

    init(continuation: AsyncStream<RecordChange>.Continuation) {
        self.continuation = continuation
    }

    func onRecordChanged(change: RecordChange) {
        continuation.yield(change)
    }
}
