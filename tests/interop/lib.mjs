// Shared helpers for the stock automerge-repo peers used by Fieldbook's interop tests and
// benchmark. Everything here uses the published automerge-repo API only (Repo, DocHandle, the
// WebSocket client adapter, the synchronizer's "sync-state" events), so what passes here is what
// an ordinary automerge-repo app would see.

import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import * as A from "@automerge/automerge"

/** Prints one JSON line on stdout: the only thing the Rust side parses. */
// The libraries' own console.log lines (e.g. automerge-repo's "error receiving message") go to
// stderr: stdout carries only the JSON lines the Rust side reads.
console.log = console.error

export function emit(value) {
  process.stdout.write(JSON.stringify(value) + "\n")
}

/** A promise that rejects after `ms` with a message naming what was awaited. */
export function withTimeout(promise, ms, what) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * A client Repo on one WebSocket connection, plus what the server last told us it holds for each
 * document (the `theirHeads` of the sync state): the server's acknowledgement of our changes.
 */
export class Client {
  constructor(url, { retryMs = 500 } = {}) {
    this.url = url
    this.adapter = new WebSocketClientAdapter(url, retryMs)
    this.repo = new Repo({ network: [this.adapter] })
    this.serverHeads = new Map()
    this.waiters = []
    this.repo.synchronizer.on("sync-state", ({ documentId, syncState }) => {
      if (syncState.theirHeads) this.serverHeads.set(documentId, syncState.theirHeads)
      this.#wake()
    })
  }

  /** Resolves once the server peer has answered our join. */
  async connected(ms) {
    await withTimeout(
      new Promise(resolve => {
        if (this.repo.peers.length > 0) return resolve()
        this.repo.networkSubsystem.once("peer", () => resolve())
      }),
      ms,
      "the server's peer message"
    )
  }

  /** True when the server has reported heads that include all of the handle's heads. */
  serverHas(handle) {
    const theirs = this.serverHeads.get(handle.documentId)
    if (!theirs) return false
    const ours = A.getHeads(handle.doc())
    return ours.every(h => theirs.includes(h))
  }

  /**
   * Waits until the server holds the handle's current heads. Normally the server's sync reply
   * says so. But when the connection is cut after the server took the change and before its
   * reply arrived, the stock server has nothing new to say on the next connection and stays
   * silent, so the client would wait forever; then a fresh connection that reads the document
   * settles it (`probeEveryMs`); when the probe finds the change missing too, the connection is
   * dropped so the next one syncs afresh.
   */
  async acked(handle, ms, { probeEveryMs = 2000 } = {}) {
    let settled = false
    const fromSync = new Promise(resolve => {
      const check = () => {
        if (this.serverHas(handle)) return resolve(), true
        return settled
      }
      if (!check()) this.waiters.push(check)
    })
    const fromProbe = (async () => {
      while (!settled && probeEveryMs > 0) {
        await sleep(probeEveryMs)
        if (settled) return
        const heads = A.getHeads(handle.doc())
        if (await probeHas(this.url, handle.documentId, heads, probeEveryMs)) return
        // The server does not hold the change either. Seen on the stock pair under load after
        // many cuts: an open socket with a peer on both ends, and neither side sending again
        // (the 180 s timeout ran out). What an app would do: drop the connection and sync
        // afresh (the adapter reconnects by itself after `retryMs`).
        if (!settled) this.adapter.socket?.close()
      }
      await new Promise(() => {})
    })()
    try {
      await withTimeout(
        Promise.race([fromSync, fromProbe]),
        ms,
        `server acknowledgement of ${handle.documentId} (${this.describe(handle)})`
      )
    } finally {
      settled = true
      this.#wake()
    }
  }

  /** The connection and sync state, for error messages. */
  describe(handle) {
    const theirs = this.serverHeads.get(handle.documentId) ?? []
    return (
      `peers=[${this.repo.peers}] socket=${this.adapter.socket?.readyState} ` +
      `ours=${A.getHeads(handle.doc()).map(h => h.slice(0, 8))} theirs=${theirs.map(h => h.slice(0, 8))}`
    )
  }

  #wake() {
    this.waiters = this.waiters.filter(check => !check())
  }

  async close() {
    await this.repo.shutdown()
  }
}

export function sleep(ms) {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** True if a fresh connection finds the document on the server with all of `heads`. */
async function probeHas(url, documentId, heads, ms) {
  const probe = new Client(url)
  try {
    await probe.connected(ms)
    const handle = await withTimeout(probe.repo.find(documentId), ms, "probe")
    const theirs = A.getHeads(handle.doc())
    return heads.every(h => theirs.includes(h))
  } catch {
    return false
  } finally {
    await probe.close().catch(() => {})
  }
}

/** The bytes of every change in a document: what the wire carries at the very least. */
export function changeBytes(doc) {
  return A.getAllChanges(doc).reduce((sum, c) => sum + c.byteLength, 0)
}

/** The bytes of the changes a document gained since `heads`. */
export function changeBytesSince(doc, heads) {
  return A.getChanges(A.view(doc, heads), doc).reduce((sum, c) => sum + c.byteLength, 0)
}

/** A small lead-like record, shaped as Fieldbook writes one (root map of JSON values). */
export function leadRecord(i) {
  return {
    // The Fieldbook server checks who creates a record: the test server's token is rep.test's.
    meta: { created_by: "rep.test", owner: "rep.test" },
    kind: "lead_referral",
    schema: 1,
    code: `L-2026-${String(i).padStart(6, "0")}`,
    source: "trade_show",
    event: "Canton Fair 2026",
    referrer_name: "",
    // Only fields of Fieldbook's lead model: its server refuses fields it does not know.
    prospect: { company: `Prospect Co. ${i}`, name: `Contact ${i}`, needs: "Guangdong" },
    grade: ["H", "A", "B", "C"][i % 4],
    status: "open",
    lost_reason: "",
    follow_ups: [],
    history: [],
  }
}

/** Runs `task` over `items` with at most `limit` in flight; returns the results in order. */
export async function pool(items, limit, task) {
  const results = new Array(items.length)
  let next = 0
  async function worker() {
    while (next < items.length) {
      const i = next++
      results[i] = await task(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
