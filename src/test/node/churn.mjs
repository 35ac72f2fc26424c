// Connection churn for the leak check (ChurnLeakTest). Two modes:
//   node churn.mjs backend
//     an echo backend (ws, no compression) on 127.0.0.1 and a free port; prints {"port":N}
//     and runs until killed
//   node churn.mjs round <url> <conns> [inFlight]
//     opens <conns> WebSockets to <url> (at most inFlight handshakes at once, default 200),
//     sends one message on each and waits for its echo, then closes every one with 1000 and
//     waits for the close handshakes; prints one JSON line:
//     {opened, failed, echoed, closed, codes: {unexpected code or HTTP status: count}, ms}
// No payload is logged. Every wait is bounded (50 s for the round).
import { WebSocket, WebSocketServer } from 'ws';

const [mode, url, connsArg, inFlightArg] = process.argv.slice(2);

if (mode === 'backend') {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, backlog: 4096 });
  server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  server.on('listening', () => console.log(JSON.stringify({ port: server.address().port })));
} else if (mode === 'round') {
  const conns = Number(connsArg);
  const inFlight = Number(inFlightArg ?? 200);
  const start = Date.now();
  const result = { opened: 0, failed: 0, echoed: 0, closed: 0, codes: {}, ms: 0 };
  const open = [];
  const finish = (error) => {
    result.ms = Date.now() - start;
    if (error) result.error = error;
    console.log(JSON.stringify(result));
    process.exit(0);
  };
  const timer = setTimeout(() => finish("round timed out"), 50000);

  // one connection: open, one echo; resolves once, whatever happens first
  const connect = (i) => new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 20000 });
    const text = `churn ${i}`;
    let settled = false;
    const settle = () => { if (!settled) { settled = true; resolve(); } };
    ws.on('open', () => { result.opened++; ws.send(text); });
    ws.on('message', (data) => {
      if (settled) return;
      if (data.toString() === text) result.echoed++;
      open.push(ws);
      settle();
    });
    ws.on('unexpected-response', (req, res) => {
      result.failed++;
      result.codes[`http ${res.statusCode}`] = (result.codes[`http ${res.statusCode}`] ?? 0) + 1;
      req.destroy();
      settle();
    });
    ws.on('error', () => { if (!settled && ws.readyState !== WebSocket.OPEN) result.failed++; settle(); });
    ws.on('close', (code) => {
      if (!settled) result.codes[code] = (result.codes[code] ?? 0) + 1; // closed before its echo
      settle();
    });
  });

  let next = 0;
  const worker = async () => {
    while (next < conns) {
      const i = next++;
      await connect(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, conns) }, worker));
  // close all, each with 1000, and wait for every close handshake
  await Promise.all(open.map((ws) => new Promise((resolve) => {
    if (ws.readyState !== WebSocket.OPEN) { resolve(); return; }
    ws.once('close', (code) => {
      if (code === 1000) result.closed++;
      else result.codes[code] = (result.codes[code] ?? 0) + 1;
      resolve();
    });
    ws.close(1000, 'done');
  })));
  clearTimeout(timer);
  finish();
} else {
  console.error('usage: node churn.mjs backend | round <url> <conns> [inFlight]');
  process.exit(2);
}
