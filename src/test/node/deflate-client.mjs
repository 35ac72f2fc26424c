// Connects with the ws package (permessage-deflate on, as its default), sends a large text, a
// binary message and 100 small texts, and prints one JSON line: what was negotiated and
// whether every echo came back identical, in order. Usage: node deflate-client.mjs <url>
import WebSocket from 'ws';

const url = process.argv[2];
const big = 'lorem ipsum dolor sit amet '.repeat(20000); // 540 KB: under the default 1 MB limit
const binary = Buffer.alloc(70000, 7);
const got = [];
const done = (result) => { console.log(JSON.stringify(result)); process.exit(0); };
const ws = new WebSocket(url, { perMessageDeflate: true });
const timer = setTimeout(() => done({ error: 'timed out', received: got.length }), 15000);
ws.on('open', () => {
  ws.send(big);
  ws.send(binary);
  for (let i = 0; i < 100; i++) ws.send('m' + i);
});
ws.on('message', (data, isBinary) => {
  got.push([data, isBinary]);
  if (got.length === 102) {
    const ok = got[0][0].toString() === big && !got[0][1]
      && Buffer.compare(got[1][0], binary) === 0 && got[1][1]
      && got.slice(2).every((g, i) => g[0].toString() === 'm' + i);
    ws.close(1000);
    ws.on('close', (code) => { clearTimeout(timer); done({ negotiated: ws.extensions, ok, closeCode: code }); });
  }
});
ws.on('close', (code, reason) => {
  if (got.length < 102) { clearTimeout(timer); done({ error: 'closed early', code, reason: reason.toString(), received: got.length }); }
});
ws.on('error', (e) => { clearTimeout(timer); done({ error: e.message }); });
