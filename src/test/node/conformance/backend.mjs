#!/usr/bin/env node
// The conformance suite's reference backend: a `ws` server on 127.0.0.1 (port 0, or the first
// argument) that echoes every message with its type (text or binary). Prints {"port":N} as one
// line on stdout once it listens.
//
// - maxPayload 64 MiB, as large as the suite's limit cases need;
// - permessage-deflate on, with no preferences of its own: it accepts the client's offer as `ws`
//   does (window bits and no_context_takeover as the client asks) and compresses every message
//   it sends (threshold 0);
// - UTF-8 of text messages and close codes validated, and a close answered with the code and
//   reason it carried, as `ws` does by default.
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? 0);
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  maxPayload: 64 * 1024 * 1024,
  perMessageDeflate: { threshold: 0 },
  clientTracking: false,
});

wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {}); // protocol errors: ws has sent its close frame already
});
wss.on('listening', () => console.log(JSON.stringify({ port: wss.address().port })));
wss.on('error', (e) => { console.error(`backend: ${e.message}`); process.exit(1); });

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
