// A WebSocket echo backend in a process of its own, for tests that kill it (SIGKILL) under load:
// listens on 127.0.0.1 on a free port, prints one JSON line {"port":N} once it listens, and
// echoes every message as it came (text stays text, binary stays binary). It exits by itself
// once the process that started it is gone, so that a test JVM that dies leaves no backend behind.
// Usage: node fault-backend.mjs
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false });
server.on('listening', () => console.log(JSON.stringify({ port: server.address().port })));
server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {}); // a peer that vanishes is not this backend's business
});
server.on('error', (e) => { console.error(e.message); process.exit(1); });
const parent = process.ppid;
setInterval(() => {
  try { process.kill(parent, 0); } catch { process.exit(0); }
}, 1000).unref();
process.on('SIGTERM', () => process.exit(0));
