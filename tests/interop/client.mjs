// A stock automerge-repo client, driven by Fieldbook's Rust tests and benchmark.
//
//   node client.mjs create --url WS_URL --value JSON
//   node client.mjs read  --url WS_URL --doc ID
//   node client.mjs set   --url WS_URL --doc ID --field a.b --value JSON
//   node client.mjs edits --url WS_URL --doc ID --count N --tag T [--list NAME]
//   node client.mjs bench --url WS_URL --records N --changes K [--concurrency C]
//   node client.mjs idle  --url WS_URL --count N
//
// Every result is one JSON line on stdout ({"ok":true,...} or {"ok":false,"error":...}); the
// process exits 0 only on success. `set` exits after the server has acknowledged the change (its
// sync state reports heads that include ours). `bench` prints one line per phase and waits for a
// line on stdin before the next phase, so the caller can read its byte counters in between.
// `edits` appends N entries "T-0".."T-(N-1)" to the document's list NAME (default `log`; the
// Fieldbook server takes only fields its schema knows, e.g. a visit plan's `materials`) one at a time, each
// acknowledged by the server before the next, printing {"ok":true,"acked":i} after each: the fault
// tests know exactly which changes the server acknowledged when they cut or kill things.
// `idle` opens N connections that each send a protocol-"1" join, prints once every one has its
// peer answer, and holds them until stdin closes.

import { parseArgs } from "node:util"
import { createInterface } from "node:readline"
import { performance } from "node:perf_hooks"
import WebSocket from "ws"
import { cbor } from "@automerge/automerge-repo/slim"
import * as A from "@automerge/automerge"
import { Client, emit, sleep, withTimeout, changeBytes, changeBytesSince, leadRecord, pool } from "./lib.mjs"

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string" },
    doc: { type: "string" },
    field: { type: "string" },
    value: { type: "string" },
    records: { type: "string", default: "1000" },
    changes: { type: "string", default: "5" },
    concurrency: { type: "string", default: "64" },
    count: { type: "string", default: "1000" },
    tag: { type: "string", default: "e" },
    list: { type: "string", default: "log" },
    "probe-ms": { type: "string", default: "2000" },
    timeout: { type: "string", default: "180000" },
  },
})
const TIMEOUT = Number(values.timeout)
// How often `set`/`edits` check with a fresh connection whether the server already holds a
// change it has not confirmed; 0 trusts only the server's sync replies (a strict server test).
const ACK = { probeEveryMs: Number(values["probe-ms"]) }

const stdinLines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
async function waitForGo() {
  await stdinLines.next()
}

function progress(text) {
  process.stderr.write(`client: ${text}\n`)
}

/** The document as JSON. Unsigned integers arrive as BigInt (e.g. `schema` of records written by
 * Fieldbook builds before 2026-12; newer ones write it signed, a plain number). */
function toPlain(doc) {
  const bigints = (_key, value) =>
    typeof value === "bigint" ? (Number.isSafeInteger(Number(value)) ? Number(value) : String(value)) : value
  return JSON.parse(JSON.stringify(doc, bigints))
}

async function create() {
  const client = new Client(values.url)
  await client.connected(TIMEOUT)
  const handle = client.repo.create(JSON.parse(values.value))
  await client.acked(handle, TIMEOUT, ACK)
  emit({ ok: true, id: handle.documentId, doc: toPlain(handle.doc()), heads: A.getHeads(handle.doc()) })
  await client.close()
}

async function read() {
  const client = new Client(values.url)
  await client.connected(TIMEOUT)
  const handle = await withTimeout(client.repo.find(values.doc), TIMEOUT, `find ${values.doc}`)
  // `schemaType`: how a stock client sees `schema` before any conversion ("number", "bigint").
  const schemaType = typeof handle.doc().schema
  emit({ ok: true, doc: toPlain(handle.doc()), heads: A.getHeads(handle.doc()), schemaType })
  await client.close()
}

function setPath(doc, path, value) {
  const keys = path.split(".")
  let target = doc
  for (const key of keys.slice(0, -1)) target = target[key]
  target[keys[keys.length - 1]] = value
}

async function set() {
  const client = new Client(values.url)
  await client.connected(TIMEOUT)
  const handle = await withTimeout(client.repo.find(values.doc), TIMEOUT, `find ${values.doc}`)
  const value = JSON.parse(values.value)
  handle.change(doc => setPath(doc, values.field, value))
  await client.acked(handle, TIMEOUT, ACK)
  emit({ ok: true, doc: toPlain(handle.doc()), heads: A.getHeads(handle.doc()) })
  await client.close()
}

/** `find`, again after a failure: a cut during the request makes the stock repo give up. */
async function findPatiently(client, id, attempts = 20) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTimeout(client.repo.find(id), TIMEOUT, `find ${id}`)
    } catch (error) {
      if (attempt >= attempts) throw error
      // The stock repo remembers "unavailable"; forget it and ask again once reconnected.
      await client.repo.removeFromCache(id).catch(() => {})
      await sleep(500)
      await client.connected(TIMEOUT)
    }
  }
}

async function edits() {
  const client = new Client(values.url)
  await client.connected(TIMEOUT)
  const handle = await findPatiently(client, values.doc)
  for (let i = 0; i < Number(values.count); i++) {
    handle.change(doc => {
      if (!doc[values.list]) doc[values.list] = []
      doc[values.list].push(`${values.tag}-${i}`)
    })
    await client.acked(handle, TIMEOUT, ACK)
    emit({ ok: true, acked: i, heads: A.getHeads(handle.doc()) })
  }
  await client.close()
}

async function createRecords(writer, n, limit) {
  const started = performance.now()
  const handles = await pool(Array.from({ length: n }, (_, i) => i), limit, async i => {
    const handle = writer.repo.create(leadRecord(i))
    await writer.acked(handle, TIMEOUT, { probeEveryMs: 0 })
    if ((i + 1) % 500 === 0) progress(`created ${i + 1} in ${(performance.now() - started).toFixed(0)} ms`)
    return handle
  })
  const bytes = handles.reduce((sum, h) => sum + changeBytes(h.doc()), 0)
  return { handles, millis: performance.now() - started, bytes }
}

async function fetchRecords(reader, ids, limit) {
  const started = performance.now()
  let failed = 0
  let fetchedSoFar = 0
  const handles = await pool(ids, limit, async id => {
    try {
      const handle = await withTimeout(reader.repo.find(id), TIMEOUT, `find ${id}`)
      fetchedSoFar += 1
      if (fetchedSoFar % 500 === 0) progress(`fetched ${fetchedSoFar} in ${(performance.now() - started).toFixed(0)} ms`)
      return handle
    } catch {
      failed += 1
      return undefined
    }
  })
  const found = handles.filter(Boolean)
  const bytes = found.reduce((sum, h) => sum + changeBytes(h.doc()), 0)
  return { handles, fetched: found.length, failed, millis: performance.now() - started, bytes }
}

/** Resolves when the reader's copy of the document holds every head of `heads`. */
function readerHas(handle, heads) {
  const has = () => heads.every(h => A.getHeads(handle.doc()).includes(h))
  return new Promise(resolve => {
    if (has()) return resolve()
    const onChange = () => {
      if (has()) {
        handle.off("heads-changed", onChange)
        resolve()
      }
    }
    handle.on("heads-changed", onChange)
  })
}

async function incremental(writer, reader, writerHandles, readerHandles, k) {
  const started = performance.now()
  let bytes = 0
  await Promise.all(
    writerHandles.slice(0, k).map(async (handle, i) => {
      const before = A.getHeads(handle.doc())
      handle.change(doc => {
        doc.grade = "H"
        doc.follow_ups.push({ id: `f-${i}`, channel: "phone", said: "Called back" })
      })
      bytes += changeBytesSince(handle.doc(), before)
      await writer.acked(handle, TIMEOUT, { probeEveryMs: 0 })
      const heads = A.getHeads(handle.doc())
      await withTimeout(readerHas(readerHandles[i], heads), TIMEOUT, "incremental change")
    })
  )
  return { millis: performance.now() - started, bytes }
}

async function bench() {
  const n = Number(values.records)
  const k = Number(values.changes)
  const limit = Number(values.concurrency)
  const writer = new Client(values.url)
  await writer.connected(TIMEOUT)
  const created = await createRecords(writer, n, limit)
  emit({ ok: true, phase: "created", records: n, millis: created.millis, change_bytes: created.bytes })
  await waitForGo()

  const reader = new Client(values.url)
  await reader.connected(TIMEOUT)
  const ids = created.handles.map(h => h.documentId)
  const initial = await fetchRecords(reader, ids, limit)
  emit({
    ok: initial.failed === 0,
    phase: "initial",
    fetched: initial.fetched,
    failed: initial.failed,
    millis: initial.millis,
    change_bytes: initial.bytes,
  })
  await waitForGo()

  const inc = await incremental(writer, reader, created.handles, initial.handles, k)
  emit({ ok: true, phase: "incremental", changes: k, millis: inc.millis, change_bytes: inc.bytes })
  await Promise.all([writer.close(), reader.close()])
}

function joinOne(url, i) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url)
    socket.binaryType = "arraybuffer"
    socket.on("error", reject)
    socket.on("open", () => {
      const join = {
        type: "join",
        senderId: `idle-${process.pid}-${i}`,
        peerMetadata: { isEphemeral: true },
        supportedProtocolVersions: ["1"],
      }
      socket.send(cbor.encode(join))
    })
    socket.once("message", data => {
      const message = cbor.decode(new Uint8Array(data))
      if (message.type === "peer") resolve(socket)
      else reject(new Error(`expected peer, got ${message.type}`))
    })
  })
}

async function idle() {
  const count = Number(values.count)
  const started = performance.now()
  const sockets = await withTimeout(
    pool(Array.from({ length: count }, (_, i) => i), 50, i => joinOne(values.url, i)),
    TIMEOUT,
    `${count} joins`
  )
  emit({ ok: true, phase: "connected", count: sockets.length, millis: performance.now() - started })
  for await (const _ of stdinLines) {
    // hold the connections until the caller closes stdin
  }
  for (const socket of sockets) socket.terminate()
}

const commands = { create, read, set, edits, bench, idle }
const command = commands[positionals[0]]
if (!command || !values.url) {
  emit({ ok: false, error: `usage: client.mjs (${Object.keys(commands).join("|")}) --url WS_URL ...` })
  process.exit(2)
}
// The stock WebSocket adapter rethrows socket errors other than ECONNREFUSED from an event
// handler (a connection reset during the upgrade, say). An app keeps running and lets the
// adapter's retry timer reconnect; so does this client.
process.on("uncaughtException", error => {
  process.stderr.write(`client: socket error, retrying: ${error?.message ?? error}\n`)
})
try {
  await command()
  process.exit(0)
} catch (error) {
  emit({ ok: false, error: String(error?.message ?? error) })
  process.exit(1)
}
