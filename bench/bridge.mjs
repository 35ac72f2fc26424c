// The WebSocketBridge benchmarks (bench/bridge.sh runs them):
//   service   - a stateless HTTP service: POST /echo answers the body back (keep-alive).
//   roundtrip - C clients doing round trips one after the other for D seconds, either through a
//               bridged route (--ws URL) or POSTing to the service directly (--http URL);
//               prints {"mode","roundTrips","perSecond","p50Ms","p99Ms"}.
//   fanout    - N connections spread over the --ws URLs, then R fan-outs of one message each
//               through the connections API of --api (publisher user); per fan-out, the time from
//               the POST to each delivery; prints {"connections","fanouts","p50Ms","p99Ms",
//               "lastP50Ms","lastP99Ms","reachedMin"}.
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../src/test/node/package.json', import.meta.url));
const WebSocket = require('ws');

const args = process.argv.slice(3);
const arg = (name, fallback) => {
  const at = args.indexOf('--' + name);
  return at >= 0 ? args[at + 1] : fallback;
};
const all = (name) => args.flatMap((value, i) => (args[i - 1] === '--' + name ? [value] : []));

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const round = (ms) => Math.round(ms * 100) / 100;

async function service() {
  const port = Number(arg('port', '9401'));
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': req.headers['content-type'] || 'application/octet-stream' });
      res.end(Buffer.concat(chunks));
    });
  });
  server.listen(port, '127.0.0.1', () => console.error(`service on ${port}`));
  setInterval(() => {
    try { process.kill(process.ppid, 0); } catch { process.exit(0); }
  }, 1000);
}

async function roundtrip() {
  const clients = Number(arg('clients', '50'));
  const duration = Number(arg('duration', '20')) * 1000;
  const wsUrl = arg('ws');
  const httpUrl = arg('http');
  const payload = JSON.stringify({ action: 'echo', data: 'x'.repeat(Number(arg('size', '100'))) });
  const latencies = [];
  const end = Date.now() + duration;
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  async function viaHttp() {
    const url = new URL(httpUrl);
    while (Date.now() < end) {
      const start = process.hrtime.bigint();
      await new Promise((resolve, reject) => {
        const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } }, (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => (Buffer.concat(chunks).toString() === payload ? resolve() : reject(new Error('bad echo'))));
        });
        req.on('error', reject);
        req.end(payload);
      });
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  async function viaBridge() {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    let waiting = null;
    ws.on('message', (data) => { const done = waiting; waiting = null; done(data.toString()); });
    while (Date.now() < end) {
      const start = process.hrtime.bigint();
      const answer = await new Promise((resolve) => { waiting = resolve; ws.send(payload); });
      if (answer !== payload) throw new Error('bad echo');
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    ws.close(1000);
  }
  await Promise.all(Array.from({ length: clients }, () => (wsUrl ? viaBridge() : viaHttp())));
  latencies.sort((a, b) => a - b);
  console.log(JSON.stringify({ mode: wsUrl ? 'bridge' : 'direct', clients, roundTrips: latencies.length,
    perSecond: Math.round(latencies.length / (duration / 1000)), p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)) }));
  agent.destroy();
}

async function fanout() {
  const urls = all('ws');
  const count = Number(arg('connections', '5000'));
  const rounds = Number(arg('rounds', '10'));
  const api = new URL(arg('api'));
  const auth = 'Basic ' + Buffer.from(arg('user') + ':' + arg('password')).toString('base64');
  const sockets = [];
  const arrivals = new Map(); // round -> list of ms after its POST
  let sentAt = new Map();
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(urls[i % urls.length], { perMessageDeflate: false });
    ws.on('message', (data) => {
      const { round } = JSON.parse(data.toString());
      const list = arrivals.get(round);
      if (list) list.push(Number(process.hrtime.bigint() - sentAt.get(round)) / 1e6);
    });
    sockets.push(new Promise((resolve, reject) => { ws.once('open', () => resolve(ws)); ws.once('error', reject); }));
    if (i % 200 === 199) await Promise.all(sockets.slice(-200));
  }
  const open = await Promise.all(sockets);
  const all50 = [];
  const lasts = [];
  let reachedMin = Infinity;
  for (let r = 0; r < rounds; r++) {
    arrivals.set(r, []);
    const body = JSON.stringify({ round: r, text: 'fan-out ' + r });
    sentAt.set(r, process.hrtime.bigint());
    const answer = await new Promise((resolve, reject) => {
      const req = http.request({ host: api.hostname, port: api.port,
        path: '/actuator/wssessions/messages?route=' + encodeURIComponent(arg('route', 'bridge')), method: 'POST',
        headers: { Authorization: auth, 'Content-Type': 'application/json', 'X-Requested-By': 'bench',
          'Content-Length': Buffer.byteLength(body) } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(body);
    });
    if (answer.status !== 200) throw new Error('fan-out answered ' + answer.status + ' ' + answer.body);
    reachedMin = Math.min(reachedMin, JSON.parse(answer.body).reached);
    const deadline = Date.now() + 30_000;
    while (arrivals.get(r).length < count && Date.now() < deadline) await new Promise((f) => setTimeout(f, 5));
    const times = arrivals.get(r).sort((a, b) => a - b);
    if (times.length < count) throw new Error(`round ${r}: ${times.length} of ${count} delivered`);
    all50.push(...times);
    lasts.push(times[times.length - 1]);
    await new Promise((f) => setTimeout(f, 200));
  }
  all50.sort((a, b) => a - b);
  lasts.sort((a, b) => a - b);
  console.log(JSON.stringify({ connections: count, replicas: urls.length, fanouts: rounds,
    p50Ms: round(percentile(all50, 50)), p99Ms: round(percentile(all50, 99)),
    lastP50Ms: round(percentile(lasts, 50)), lastP99Ms: round(percentile(lasts, 99)), reachedMin }));
  for (const ws of open) ws.terminate();
}

const mode = process.argv[2];
const modes = { service, roundtrip, fanout };
if (!modes[mode]) {
  console.error('usage: bridge.mjs service|roundtrip|fanout [--options]');
  process.exit(2);
}
modes[mode]().catch((error) => { console.error(error); process.exit(1); });
