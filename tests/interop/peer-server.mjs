// automerge-repo itself as a sync server, built the way automerge-repo's own sync server is
// (a Repo with the WebSocket server adapter on `ws`, Node filesystem storage, and a share policy
// that only serves documents a peer asks for by id). Fieldbook's benchmark runs the same client
// against it and against the Fieldbook server.
//
//   node peer-server.mjs --dir DATA_DIR [--port 0]
//
// Listens on 127.0.0.1 and prints one JSON line {"ok":true,"port":P,"pid":PID} once listening;
// runs until SIGTERM/SIGINT or stdin closes.

import http from "node:http"
import os from "node:os"
import fs from "node:fs"
import { parseArgs } from "node:util"
import { WebSocketServer } from "ws"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { emit } from "./lib.mjs"

const { values } = parseArgs({
  options: {
    dir: { type: "string" },
    port: { type: "string", default: "0" },
  },
})
if (!values.dir) {
  emit({ ok: false, error: "usage: peer-server.mjs --dir DATA_DIR [--port P]" })
  process.exit(2)
}
fs.mkdirSync(values.dir, { recursive: true })

const sockets = new WebSocketServer({ noServer: true })
const repo = new Repo({
  network: [new WebSocketServerAdapter(sockets)],
  storage: new NodeFSStorageAdapter(values.dir),
  peerId: `storage-server-${os.hostname()}`,
  sharePolicy: async () => false,
})

const server = http.createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" })
  res.end("automerge-repo peer server\n")
})
server.on("upgrade", (request, socket, head) => {
  sockets.handleUpgrade(request, socket, head, ws => sockets.emit("connection", ws, request))
})
server.listen(Number(values.port), "127.0.0.1", () => {
  emit({ ok: true, port: server.address().port, pid: process.pid })
})

async function stop() {
  sockets.close()
  server.close()
  // automerge-repo 2.5.6's shutdown throws on documents still being requested; exit anyway.
  await repo.shutdown().catch(error => process.stderr.write(`peer-server: shutdown: ${error}\n`))
  process.exit(0)
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
process.stdin.on("end", stop)
process.stdin.resume()
