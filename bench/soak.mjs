// The soak's Node side (bench/soak.sh runs it; see there for the whole picture). Three modes:
//
//   node bench/soak.mjs backend --port P
//     the soak's echo backend on 127.0.0.1:P (ws, no compression, 64 MiB messages): echoes every
//     message with its type; a text message {"cmd":"close","code":C,"reason":R} makes it close
//     with C and R; the subprotocol offered first is chosen. GET /closes?id=X answers the close
//     it saw on the connection opened with ?id=X ({code, reason}; 404 while it has seen none).
//     Runs until SIGTERM or SIGINT.
//
//   node bench/soak.mjs load --url ws://127.0.0.1:G/soak --secret S --duration 1200 --interval 30
//                            --backend http://127.0.0.1:P --gateway http://127.0.0.1:G
//                            --pid GATEWAY_PID --user U --password W
//     the mixed traffic, and the report every --interval seconds (one JSON line on stdout each):
//     steady echo connections, bursts on them, large (and fragmented) messages, and churn:
//     connections that open and end in one of the ways listed in SCENARIOS, each checked for
//     exactly the outcome the gateway documents, on the client and on the backend. Every echo
//     is compared byte for byte and in order. The last line is {"event":"summary",...}.
//
//   node bench/soak.mjs report RESULTS.jsonl --svg OUT.svg --md OUT.md
//     the verdict (exit status 1 when failed), a markdown table and an SVG plot of the samples.
//
// Talks to 127.0.0.1 only; no payload or token is ever printed.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

// the ws package the Java tests use (src/test/node, pinned by its package-lock.json)
const require = createRequire(new URL('../src/test/node/package.json', import.meta.url));
const { WebSocket, WebSocketServer } = require('ws');

const run = promisify(execFile);
const [mode, ...rest] = process.argv.slice(2);
const opts = {};
const positional = [];
for (let i = 0; i < rest.length; i++) {
  if (rest[i].startsWith('--')) opts[rest[i].slice(2)] = rest[++i];
  else positional.push(rest[i]);
}
const num = (name, fallback) => (opts[name] === undefined ? fallback : Number(opts[name]));


// ------------------------------------------------------------------------------------------
// backend
// ------------------------------------------------------------------------------------------
function backend() {
  const closes = new Map(); // connection id -> {code, reason}; the oldest go beyond 100,000
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/closes') {
      const seen = closes.get(url.searchParams.get('id'));
      res.writeHead(seen ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(seen ?? {}));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  const wss = new WebSocketServer({
    server, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024, clientTracking: false,
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
  });
  wss.on('connection', (ws, req) => {
    const id = new URL(req.url, 'http://127.0.0.1').searchParams.get('id');
    ws.on('message', (data, isBinary) => {
      if (!isBinary && data.length < 200 && data.includes('"cmd":"close"')) {
        try {
          const cmd = JSON.parse(data);
          ws.close(cmd.code, cmd.reason);
          return;
        }
        catch { /* not a command: echoed below */ }
      }
      ws.send(data, { binary: isBinary });
    });
    ws.on('close', (code, reason) => {
      if (!id) return;
      closes.set(id, { code, reason: reason.toString() });
      if (closes.size > 100000) closes.delete(closes.keys().next().value);
    });
    ws.on('error', () => {}); // a peer that vanishes is the gateway's business; its close is recorded
  });
  server.listen(Number(opts.port), '127.0.0.1', () => console.error(`soak backend on 127.0.0.1:${opts.port}`));
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// ------------------------------------------------------------------------------------------
// load
// ------------------------------------------------------------------------------------------

// Ways a churn connection ends, their weights, and what each side must see. `client` is the close
// the client gets (code and reason; code 1006 is "TCP closed without a close frame"), `backend`
// the close the backend gets, `status` an HTTP refusal instead of a 101. These are the gateway's
// documented answers (docs/close-codes.md, docs/inspection.md, docs/filters.md: KeepAlive).
const MAX_SIZE = 4 * 1024 * 1024;
const SCENARIOS = {
  normal: { weight: 40, client: [1000, ''], backend: [1000, ''] },
  'app-code': { weight: 10 }, // a random 4000-4999 and reason, the same both ways
  'backend-close': { weight: 10, client: [4321, 'backend says bye'], backend: [4321, 'backend says bye'] },
  'client-drop': { weight: 8, backend: [1001, 'client connection lost'] },
  'policy-deny': { weight: 8, client: [1008, 'message denied by policy'], backend: [1008, 'message denied by policy'] },
  'invalid-json': { weight: 5, client: [1007, 'invalid JSON'], backend: [1007, 'invalid JSON'] },
  oversized: { weight: 4, client: [1009, `message too big: limit is ${MAX_SIZE} bytes`],
    backend: [1009, `message too big: limit is ${MAX_SIZE} bytes`] },
  'no-token': { weight: 4, status: 401 },
  'bad-signature': { weight: 4, status: 401 },
  'token-expiry': { weight: 4, client: [1008, 'token expired'], backend: [1008, 'token expired'] },
  unresponsive: { weight: 3, client: [1006, ''], backend: [1001, 'client unresponsive'] },
};
const WEIGHTS = Object.entries(SCENARIOS).flatMap(([name, s]) => Array(s.weight).fill(name));

async function load() {
  const url = opts.url;
  const secret = Buffer.from(opts.secret, 'utf8');
  const duration = num('duration', 1200) * 1000;
  const interval = num('interval', 30) * 1000;
  const steadyCount = num('steady', 200);
  const steadyPeriod = num('steady-period-ms', 200);
  const largeCount = num('large', 4);
  const churnRate = num('churn-rate', 10);
  const gatewayPid = Number(opts.pid);
  const auth = 'Basic ' + Buffer.from(`${opts.user}:${opts.password}`).toString('base64');
  for (const u of [url, opts.backend, opts.gateway]) {
    const host = new URL(u).hostname;
    if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`loopback only: ${u}`);
  }

  const started = Date.now();
  const totals = { round_trips: 0, bytes: 0, lost: 0, mismatches: 0, unexpected_closes: 0, connect_failures: 0,
    churn_failures: 0, skipped_sends: 0, opened: 0 };
  const churn = Object.fromEntries(Object.keys(SCENARIOS).map((k) => [k, { ok: 0, failed: 0 }]));
  const failures = []; // the first 50 failures, described (never a payload)
  const fail = (kind, detail) => {
    totals[kind]++;
    if (failures.length < 50) failures.push({ t: Math.round((Date.now() - started) / 1000), kind, ...detail });
  };
  let rtts = [];
  let intervalTrips = 0;
  let stopping = false;
  const open = new Set();

  const token = (expiresInS, key = secret) => {
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: `soak-${randomUUID().slice(0, 8)}`,
      exp: Math.floor(Date.now() / 1000) + expiresInS })}`;
    return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
  };
  // a token in one of the three places a route with token-sources header, query, protocol takes it
  const connect = (id, { tok = token(duration / 1000 + 3600), autoPong = true } = {}) => {
    const where = ['header', 'query', 'protocol'][Math.floor(Math.random() * 3)];
    let target = `${url}/${id}?id=${id}`;
    const options = { perMessageDeflate: false, handshakeTimeout: 15000, maxPayload: 64 * 1024 * 1024, autoPong };
    let protocols = ['soak.v1'];
    if (tok === null) { /* none */ }
    else if (where === 'header') options.headers = { authorization: `Bearer ${tok}` };
    else if (where === 'query') target += `&access_token=${tok}`;
    else protocols = ['soak.v1', `bearer.${tok}`];
    const ws = new WebSocket(target, protocols, options);
    ws.binaryType = 'nodebuffer';
    return ws;
  };

  // An echo checker on one connection: what was sent, in order, compared byte for byte.
  const checked = (ws, name) => {
    const expected = [];
    ws.on('message', (data, isBinary) => {
      const head = expected.shift();
      if (!head) return fail('mismatches', { conn: name, what: 'a message nobody sent' });
      if (head.binary !== isBinary || !head.data.equals(data)) {
        fail('mismatches', { conn: name, what: `echo differs (sent ${head.data.length} bytes, got ${data.length})` });
      }
      else {
        totals.round_trips++;
        intervalTrips++;
        totals.bytes += data.length;
        rtts.push(performance.now() - head.at);
      }
      head.done?.();
    });
    return {
      expected,
      send(data, binary, { fragments = 1, done } = {}) {
        expected.push({ data, binary, at: performance.now(), done });
        if (fragments <= 1) return ws.send(data, { binary });
        const size = Math.ceil(data.length / fragments);
        for (let off = 0; off < data.length; off += size) {
          ws.send(data.subarray(off, off + size), { binary, fin: off + size >= data.length });
        }
      },
    };
  };

  const jsonMessage = (conn, seq, pad) => Buffer.from(JSON.stringify({ conn, seq, at: Date.now(),
    pad: randomBytes(Math.ceil(pad * 0.75)).toString('base64').slice(0, pad) }));
  const binaryMessage = (size) => randomBytes(size);

  // ---- steady connections: one message every steadyPeriod ms, text JSON or binary, for the whole run
  const steady = [];
  const openLongLived = (name, onOpen) => new Promise((resolve) => {
    const ws = connect(name);
    const c = { name, ws, echo: checked(ws, name), seq: 0, up: false };
    ws.on('open', () => { c.up = true; totals.opened++; open.add(ws); onOpen?.(c); resolve(c); });
    ws.on('unexpected-response', (req, res) => { fail('connect_failures', { conn: name, status: res.statusCode }); resolve(c); });
    ws.on('error', (e) => { if (!c.up) { fail('connect_failures', { conn: name, error: e.code ?? e.message }); resolve(c); } });
    ws.on('close', (code, reason) => {
      open.delete(ws);
      if (!c.up) return;
      if (!stopping || code !== 1000) fail('unexpected_closes', { conn: name, code, reason: reason.toString() });
      for (const m of c.echo.expected.splice(0)) fail('lost', { conn: name, bytes: m.data.length });
      c.up = false;
    });
  });
  for (let i = 0; i < steadyCount; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, steadyCount - i) }, (_, j) =>
      openLongLived(`steady-${i + j}`).then((c) => steady.push(c))));
  }
  const steadyTimer = setInterval(() => {
    for (const c of steady) {
      if (!c.up) continue;
      if (c.echo.expected.length > 500) { totals.skipped_sends++; continue; }
      c.seq++;
      if (c.seq % 5 === 0) c.echo.send(binaryMessage(16 + Math.floor(Math.random() * 2048)), true);
      else c.echo.send(jsonMessage(c.name, c.seq, Math.floor(Math.random() * 2048)), false);
    }
  }, steadyPeriod);
  // bursts: every 10 s, 20 steady connections send 100 messages each at once
  const burstTimer = setInterval(() => {
    for (let k = 0; k < 20 && steady.length; k++) {
      const c = steady[Math.floor(Math.random() * steady.length)];
      if (!c.up) continue;
      for (let m = 0; m < 100; m++) c.echo.send(jsonMessage(c.name, ++c.seq, 64), false);
    }
  }, 10000);

  // ---- large messages: closed loop, 256 KiB - 2 MiB, text or binary, a third of them fragmented
  const large = [];
  for (let i = 0; i < largeCount; i++) large.push(await openLongLived(`large-${i}`));
  const largeLoop = (c) => {
    if (!c.up || stopping) return;
    const size = 256 * 1024 + Math.floor(Math.random() * (1792 * 1024));
    const binary = Math.random() < 0.5;
    const data = binary ? binaryMessage(size) : jsonMessage(c.name, ++c.seq, size);
    c.echo.send(data, binary, { fragments: Math.random() < 0.33 ? 2 + Math.floor(Math.random() * 30) : 1,
      done: () => setTimeout(() => largeLoop(c), 100) });
  };
  large.forEach(largeLoop);

  // ---- churn: churnRate connections a second, each ending the way its scenario says
  const backendClose = async (id) => {
    for (let i = 0; i < 50; i++) { // up to 5 s for the backend to see its close
      const seen = await getJson(`${opts.backend}/closes?id=${id}`).catch(() => null);
      if (seen) return seen;
      await sleep(100);
    }
    return null;
  };
  const churnOne = (scenario) => new Promise((resolve) => {
    const s = SCENARIOS[scenario];
    const id = `churn-${randomUUID()}`;
    const appCode = 4000 + Math.floor(Math.random() * 1000);
    const expectClient = scenario === 'app-code' ? [appCode, `app ${appCode}`] : s.client;
    const expectBackend = scenario === 'app-code' ? [appCode, `app ${appCode}`] : s.backend;
    let tok;
    if (scenario === 'no-token') tok = null;
    else if (scenario === 'bad-signature') tok = token(600, randomBytes(32));
    else if (scenario === 'token-expiry') tok = token(2);
    const ws = connect(id, { tok, autoPong: scenario !== 'unresponsive' });
    const echo = checked(ws, id);
    let done = false;
    const timer = setTimeout(() => finish('no outcome within 30 s'), 30000);
    const finish = async (problem, clientClose) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      open.delete(ws);
      if (!problem && expectClient && clientClose
        && (clientClose[0] !== expectClient[0] || clientClose[1] !== expectClient[1])) {
        problem = `client got ${clientClose[0]} "${clientClose[1]}", expected ${expectClient[0]} "${expectClient[1]}"`;
      }
      if (!problem && expectBackend) {
        const seen = await backendClose(id);
        if (!seen) problem = 'the backend saw no close within 5 s';
        else if (seen.code !== expectBackend[0] || seen.reason !== expectBackend[1]) {
          problem = `backend got ${seen.code} "${seen.reason}", expected ${expectBackend[0]} "${expectBackend[1]}"`;
        }
      }
      if (!problem && echo.expected.length) {
        problem = `${echo.expected.length} message(s) not echoed`;
      }
      if (problem) { churn[scenario].failed++; fail('churn_failures', { scenario, conn: id, problem }); }
      else churn[scenario].ok++;
      resolve();
    };
    ws.on('unexpected-response', (req, res) => {
      res.resume();
      if (s.status === res.statusCode) finish(null);
      else finish(`HTTP ${res.statusCode}, expected ${s.status ?? 101}`);
      req.destroy();
    });
    ws.on('error', (e) => { if (ws.readyState !== WebSocket.OPEN) finish(`error ${e.code ?? e.message}`); });
    ws.on('close', (code, reason) => finish(null, [code, reason.toString()]));
    ws.on('open', () => {
      totals.opened++;
      open.add(ws);
      if (s.status) return finish(`101, expected HTTP ${s.status}`);
      if (ws.protocol !== 'soak.v1') return finish(`subprotocol "${ws.protocol}", expected soak.v1`);
      const echoes = 1 + Math.floor(Math.random() * 5);
      let n = 0;
      const next = () => {
        if (n++ < echoes) return echo.send(jsonMessage(id, n, 32 + Math.floor(Math.random() * 512)), false, { done: next });
        switch (scenario) {
          case 'normal': return ws.close(1000);
          case 'app-code': return ws.close(appCode, `app ${appCode}`);
          case 'backend-close': return ws.send(JSON.stringify({ cmd: 'close', code: 4321, reason: 'backend says bye' }));
          case 'client-drop': ws.terminate(); return finish(null);
          case 'policy-deny': return ws.send(JSON.stringify({ text: 'this carries a forbidden-word' }));
          case 'invalid-json': return ws.send('{"not": json');
          case 'oversized': return ws.send(randomBytes(MAX_SIZE + 1024), { binary: true });
          case 'token-expiry': case 'unresponsive': return undefined; // the gateway acts
          default: return finish(`unknown scenario ${scenario}`);
        }
      };
      next();
    });
  });
  let churnInFlight = 0;
  const churnTimer = setInterval(() => {
    if (churnInFlight >= 200) { totals.skipped_sends++; return; }
    churnInFlight++;
    churnOne(WEIGHTS[Math.floor(Math.random() * WEIGHTS.length)]).finally(() => churnInFlight--);
  }, 1000 / churnRate);

  // ---- the report every interval
  const sample = async () => {
    const sorted = rtts.sort((a, b) => a - b);
    const q = (p) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 100) / 100 : null);
    const line = {
      event: 'sample', t: Math.round((Date.now() - started) / 1000),
      connections: open.size, round_trips: totals.round_trips,
      round_trips_per_s: Math.round(intervalTrips / (interval / 1000)), rtt_p50_ms: q(0.5), rtt_p99_ms: q(0.99),
      errors: errorsOf(totals), lost: totals.lost, mismatches: totals.mismatches,
      unexpected_closes: totals.unexpected_closes, churn_failures: totals.churn_failures,
      churn_ok: Object.values(churn).reduce((a, c) => a + c.ok, 0),
      ...(await gatewaySample(gatewayPid, opts.gateway, auth)),
    };
    rtts = [];
    intervalTrips = 0;
    console.log(JSON.stringify(line));
  };
  console.log(JSON.stringify({ event: 'start', duration_s: duration / 1000, interval_s: interval / 1000,
    steady: steadyCount, steady_period_ms: steadyPeriod, large: largeCount, churn_per_s: churnRate,
    scenarios: Object.fromEntries(Object.entries(SCENARIOS).map(([k, s]) => [k, s.weight])),
    ...(await gatewaySample(gatewayPid, opts.gateway, auth)) }));
  const end = started + duration;
  let nextSample = started + interval;
  while (Date.now() < end) {
    await sleep(Math.max(0, Math.min(nextSample, end) - Date.now()));
    if (Date.now() >= nextSample) { await sample(); nextSample += interval; }
  }

  // ---- the end: no new work, in-flight echoes drain, every long-lived connection closes with 1000
  clearInterval(steadyTimer);
  clearInterval(burstTimer);
  clearInterval(churnTimer);
  stopping = true;
  const drainUntil = Date.now() + 30000;
  while ((churnInFlight > 0 || [...steady, ...large].some((c) => c.up && c.echo.expected.length)) && Date.now() < drainUntil) {
    await sleep(100);
  }
  const closing = [...steady, ...large].filter((c) => c.up).map((c) => new Promise((resolve) => {
    c.ws.once('close', resolve);
    c.ws.close(1000);
    setTimeout(resolve, 10000);
  }));
  await Promise.all(closing);
  await sleep(2000);
  await sample();
  console.log(JSON.stringify({ event: 'summary', seconds: Math.round((Date.now() - started) / 1000),
    ...totals, errors: errorsOf(totals), churn, failures }));
  process.exit(0);
}

const errorsOf = (t) => t.lost + t.mismatches + t.unexpected_closes + t.connect_failures + t.churn_failures;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function getJson(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, timeout: 10000 }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : resolve(null)));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

// The gateway process as the kernel and the JVM see it. Heap after a full GC: jcmd GC.run, then
// GC.heap_info's "used". PSS: what a container's memory cgroup charges (ZGC maps the heap three
// times, so RSS counts heap pages up to three times).
async function gatewaySample(pid, gateway, auth) {
  const mib = (kib) => Math.round(kib / 1024 * 10) / 10;
  const kib = (file, key) => {
    const m = readFileSync(file, 'utf8').match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : null;
  };
  const out = {};
  try {
    out.rss_mib = mib(kib(`/proc/${pid}/status`, 'VmRSS'));
    out.pss_mib = mib(kib(`/proc/${pid}/smaps_rollup`, 'Pss'));
    out.fds = readdirSync(`/proc/${pid}/fd`).length;
  }
  catch (e) { out.proc_error = e.code ?? e.message; }
  try {
    await run('jcmd', [String(pid), 'GC.run'], { timeout: 60000 });
    const { stdout } = await run('jcmd', [String(pid), 'GC.heap_info'], { timeout: 20000 });
    const m = stdout.match(/used (\d+)([KMG])/);
    if (m) out.heap_after_gc_mib = Math.round(Number(m[1]) / { K: 1024, M: 1, G: 1 / 1024 }[m[2]] * 10) / 10;
  }
  catch (e) { out.jcmd_error = e.code ?? e.message; }
  const metric = async (name, tag) => {
    const body = await getJson(`${gateway}/actuator/metrics/${name}${tag ? `?tag=${tag}` : ''}`, { authorization: auth });
    return body?.measurements?.find((x) => x.statistic === 'VALUE')?.value ?? null;
  };
  try {
    const direct = await metric('netty.allocator.memory.used', 'memory.type:direct');
    out.direct_mib = direct === null ? null : Math.round(direct / 1048576 * 10) / 10;
    out.gateway_active = await metric('wsgate.connections.active');
  }
  catch (e) { out.metrics_error = e.code ?? e.message; }
  return out;
}

// ------------------------------------------------------------------------------------------
// report
// ------------------------------------------------------------------------------------------
// Pass: 0 errors (lost, corrupted, unexpected closes, failed connects, churn outcomes other than
// documented) and PSS and fds flat over the last 15 minutes: the least-squares line through
// those samples rises by less than 5% of their mean (and by less than 8 MiB / 20 fds, whichever
// is larger) over the window. RSS is shown, not judged: under ZGC (JDK 17, multi-mapped heap) it
// grows towards three times the heap as the collector touches each page through its views, which
// says nothing about leaks; PSS counts each page once, as a container's memory cgroup does.
function report() {
  const lines = readFileSync(positional[0], 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const start = lines.find((l) => l.event === 'start');
  const samples = lines.filter((l) => l.event === 'sample');
  const summary = lines.find((l) => l.event === 'summary');
  if (!start || !summary || samples.length < 2) {
    console.error(`soak report: ${positional[0]} holds no complete run`);
    process.exit(1);
  }
  // the trend window: the last 15 minutes of the run (all of it when shorter), without the final
  // sample, taken after every connection was closed
  const running = samples.slice(0, -1);
  const last = running[running.length - 1].t;
  const window = running.filter((s) => s.t >= last - 900);
  const trend = (key, floor) => {
    const pts = window.filter((s) => typeof s[key] === 'number').map((s) => [s.t, s[key]]);
    if (pts.length < 3) return { key, rise: null, mean: null, ok: false };
    const n = pts.length;
    const mx = pts.reduce((a, p) => a + p[0], 0) / n;
    const my = pts.reduce((a, p) => a + p[1], 0) / n;
    const slope = pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
    const rise = slope * (pts[n - 1][0] - pts[0][0]);
    const allowed = Math.max(0.05 * my, floor);
    return { key, rise: Math.round(rise * 10) / 10, mean: Math.round(my * 10) / 10, allowed: Math.round(allowed * 10) / 10,
      first: pts[0][1], lastValue: pts[n - 1][1], ok: rise < allowed };
  };
  const judged = [trend('pss_mib', 8), trend('fds', 20)];
  const shown = [trend('rss_mib', 8), trend('heap_after_gc_mib', 8), trend('direct_mib', 4)];
  const ok = summary.errors === 0 && judged.every((t) => t.ok);
  const minutes = Math.round((window[window.length - 1].t - window[0].t) / 60);

  const md = [];
  md.push(`| | figure |`, `| --- | --- |`);
  md.push(`| verdict | **${ok ? 'passed' : 'FAILED'}** |`);
  md.push(`| duration | ${summary.seconds} s, a sample every ${start.interval_s} s |`);
  md.push(`| load | ${start.steady} steady connections (a message every ${start.steady_period_ms} ms each, bursts of 100), ${start.large} connections of 256 KiB - 2 MiB messages, ${start.churn_per_s} new connections/s in churn |`);
  md.push(`| round trips (echoes compared byte for byte, in order) | ${summary.round_trips.toLocaleString('en')} (${(summary.bytes / 1073741824).toFixed(1)} GiB echoed) |`);
  md.push(`| connections opened | ${summary.opened.toLocaleString('en')} |`);
  md.push(`| lost / corrupted messages | ${summary.lost} / ${summary.mismatches} |`);
  md.push(`| unexpected closes / failed connects | ${summary.unexpected_closes} / ${summary.connect_failures} |`);
  md.push(`| churn outcomes other than documented | ${summary.churn_failures} |`);
  for (const t of [...judged, ...shown]) {
    if (t.rise === null) {
      md.push(`| ${label(t.key)}, last ${minutes} min | fewer than 3 samples: no trend${judged.includes(t) ? ' **not judged, so not passed**' : ''} |`);
      continue;
    }
    md.push(`| ${label(t.key)}, last ${minutes} min | ${t.first} → ${t.lastValue}, mean ${t.mean}; fitted rise ${t.rise} (allowed ${t.allowed})${judged.includes(t) ? (t.ok ? '' : ' **rising**') : ' (shown, not judged)'} |`);
  }
  md.push('', '| churn scenario | weight | ended as documented | otherwise |', '| --- | --- | --- | --- |');
  for (const [name, c] of Object.entries(summary.churn)) md.push(`| ${name} | ${start.scenarios[name]} | ${c.ok} | ${c.failed} |`);
  if (summary.failures.length) {
    md.push('', 'First failures:', '');
    for (const f of summary.failures.slice(0, 20)) md.push(`- ${JSON.stringify(f)}`);
  }
  if (opts.md) writeFileSync(opts.md, md.join('\n') + '\n');
  if (opts.svg) writeFileSync(opts.svg, plot(samples));
  console.log(md.join('\n'));
  process.exit(ok ? 0 : 1);
}

function label(key) {
  return { rss_mib: 'RSS (MiB)', pss_mib: 'PSS (MiB)', fds: 'open fds', heap_after_gc_mib: 'heap after a full GC (MiB)',
    direct_mib: 'Netty direct memory (MiB)', connections: 'open connections (client side)',
    round_trips_per_s: 'round trips per second', rtt_p99_ms: 'round trip p99 (ms)' }[key] ?? key;
}

// Six small line charts, minutes on x, each from 0 to a rounded maximum on y.
function plot(samples) {
  const keys = [['connections'], ['round_trips_per_s'], ['rss_mib', 'pss_mib'], ['heap_after_gc_mib'], ['fds'], ['direct_mib']];
  const W = 420; const H = 170; const pad = { l: 52, r: 14, t: 26, b: 30 };
  const colors = ['#1f6feb', '#d1242f'];
  const tMax = Math.max(...samples.map((s) => s.t)) / 60;
  const nice = (v) => { const p = 10 ** Math.floor(Math.log10(v || 1)); return Math.ceil(v / p) * p; };
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${3 * H}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`];
  keys.forEach((group, i) => {
    const x0 = (i % 2) * W; const y0 = Math.floor(i / 2) * H;
    const values = samples.flatMap((s) => group.map((k) => s[k]).filter((v) => typeof v === 'number'));
    const yMax = nice(Math.max(...values, 1) * 1.1);
    const px = (t) => x0 + pad.l + (t / 60 / (tMax || 1)) * (W - pad.l - pad.r);
    const py = (v) => y0 + H - pad.b - (v / yMax) * (H - pad.t - pad.b);
    out.push(`<text x="${x0 + pad.l}" y="${y0 + 16}" font-weight="bold">${group.map(label).join(' and ')}</text>`);
    out.push(`<line x1="${px(0)}" y1="${py(0)}" x2="${px(tMax * 60)}" y2="${py(0)}" stroke="#888"/>`);
    out.push(`<line x1="${px(0)}" y1="${py(0)}" x2="${px(0)}" y2="${py(yMax)}" stroke="#888"/>`);
    out.push(`<text x="${px(0) - 4}" y="${py(yMax) + 4}" text-anchor="end">${yMax}</text>`);
    out.push(`<text x="${px(0) - 4}" y="${py(0) + 4}" text-anchor="end">0</text>`);
    for (let m = 0; m <= tMax; m += Math.max(1, Math.round(tMax / 5))) {
      out.push(`<text x="${px(m * 60)}" y="${py(0) + 14}" text-anchor="middle">${m}</text>`);
    }
    out.push(`<text x="${px(tMax * 60)}" y="${py(0) + 26}" text-anchor="end">minutes</text>`);
    group.forEach((k, j) => {
      const pts = samples.filter((s) => typeof s[k] === 'number').map((s) => `${px(s.t).toFixed(1)},${py(s[k]).toFixed(1)}`);
      out.push(`<polyline fill="none" stroke="${colors[j]}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
      if (group.length > 1) out.push(`<text x="${x0 + W - pad.r}" y="${y0 + 16 + 12 * j}" text-anchor="end" fill="${colors[j]}">${k.replace('_mib', '').toUpperCase()}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// (after every definition: the load's constants are not initialised before this point)
if (mode === 'backend') backend();
else if (mode === 'load') await load();
else if (mode === 'report') report();
else {
  console.error('usage: soak.mjs backend|load|report ... (see the head of the file)');
  process.exit(2);
}
