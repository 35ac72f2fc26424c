#!/usr/bin/env node
// An Autobahn-style RFC 6455 conformance suite that runs every case twice, once against a
// WebSocket server directly and once through wsgate in front of the same server, and compares
// what the client observed. See docs/conformance.md (written by --report) for how it works.
//
//   node suite.mjs --direct ws://127.0.0.1:P/path --proxied ws://127.0.0.1:G/path
//       [--proxied-deflate ws://127.0.0.1:G/deflate/path]  groups 12c/13c: a route with compression on
//       [--short] [--group 5[,6,...]] [--case 5.3.1[,...]] [--jobs 8] [--quiet-ms 500]
//       [--json out.jsonl] [--report docs/conformance.md] [--gateway-name wsgate-x.jar] [--verbose]
//
// Exit status: 0 when every case ran and no case is DIFF; 1 when a case is DIFF or crashed;
// 2 on a usage error.
import net from 'node:net';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { isUtf8 } from 'node:buffer';
import { cases as allCases, groups, expectedDifferences } from './cases.mjs';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const EMPTY = Buffer.alloc(0);
const VALID_CLOSE = (c) => (c >= 1000 && c <= 1014 && c !== 1004 && c !== 1005 && c !== 1006) || (c >= 3000 && c <= 4999);

const sha1 = (b) => crypto.createHash('sha1').update(b).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const toBuf = (x) => (x == null ? EMPTY : Buffer.isBuffer(x) ? x : typeof x === 'string' ? Buffer.from(x, 'utf8') : Buffer.from(x));

// ---------------------------------------------------------------------------------------------
// Frames (client to server: masked with a random key unless a case says otherwise)

/** Close frames built here (and their codes), so that sending one marks the connection as having sent its close. */
const closeFrames = new WeakMap();

function maskInPlace(buf, key) {
  for (let i = 0, n = buf.length; i < n; i++) buf[i] ^= key[i & 3];
}

/**
 * One frame. `length` overrides the declared payload length (the payload sent is still
 * `payload`); `lengthForm` forces the 7-bit, 16-bit or 64-bit length encoding (7, 16, 64).
 */
function buildFrame({ opcode, payload, fin = true, rsv = 0, mask = true, length, lengthForm }) {
  const data = toBuf(payload);
  const declared = length ?? data.length;
  const big = typeof declared === 'bigint' ? declared : BigInt(declared);
  const form = lengthForm ?? (big < 126n ? 7 : big < 65536n ? 16 : 64);
  const headerLength = 2 + (form === 16 ? 2 : form === 64 ? 8 : 0) + (mask ? 4 : 0);
  const out = Buffer.allocUnsafe(headerLength + data.length);
  out[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  out[1] = (mask ? 0x80 : 0) | (form === 7 ? Number(big) & 0x7f : form === 16 ? 126 : 127);
  let at = 2;
  if (form === 16) { out.writeUInt16BE(Number(big) & 0xffff, 2); at = 4; }
  else if (form === 64) { out.writeBigUInt64BE(big & 0xffffffffffffffffn, 2); at = 10; }
  if (mask) {
    const key = crypto.randomBytes(4);
    key.copy(out, at);
    at += 4;
    data.copy(out, at);
    maskInPlace(out.subarray(at), key);
  }
  else {
    data.copy(out, at);
  }
  if ((opcode & 0x0f) === 0x8) closeFrames.set(out, data.length >= 2 ? data.readUInt16BE(0) : null);
  return out;
}

function closePayload(code, reason) {
  if (code == null) return toBuf(reason);
  const r = toBuf(reason);
  const p = Buffer.allocUnsafe(2 + r.length);
  p.writeUInt16BE(code & 0xffff, 0);
  r.copy(p, 2);
  return p;
}

/** Splits `data` into pieces: `sizes` a number (each piece that size) or a list of sizes (the rest in the last). */
function split(data, sizes) {
  const parts = [];
  if (typeof sizes === 'number') {
    if (data.length === 0) return [data];
    for (let i = 0; i < data.length; i += sizes) parts.push(data.subarray(i, Math.min(data.length, i + sizes)));
    return parts;
  }
  let at = 0;
  for (const s of sizes) { parts.push(data.subarray(at, at + s)); at += s; }
  parts.push(data.subarray(at));
  return parts;
}

// ---------------------------------------------------------------------------------------------
// permessage-deflate parameters from a handshake answer

function parseExtensions(value) {
  if (!value) return [];
  return value.split(',').map((ext) => {
    const [name, ...params] = ext.split(';').map((s) => s.trim());
    const p = {};
    for (const param of params) {
      if (!param) continue;
      const eq = param.indexOf('=');
      if (eq < 0) p[param.toLowerCase()] = true;
      else p[param.slice(0, eq).trim().toLowerCase()] = param.slice(eq + 1).trim().replace(/"/g, '');
    }
    return { name: name.toLowerCase(), params: p };
  });
}

// ---------------------------------------------------------------------------------------------
// The raw client: one connection, one case script, the observation

class ByteQueue {
  constructor() { this.bufs = []; this.length = 0; }
  push(b) { if (b.length) { this.bufs.push(b); this.length += b.length; } }
  peek(n) {
    if (this.bufs[0].length >= n) return this.bufs[0].subarray(0, n);
    return Buffer.concat(this.bufs, Math.min(this.length, Math.max(n, 0))).subarray(0, n);
  }
  take(n) {
    if (n === 0) return EMPTY;
    const first = this.bufs[0];
    let out;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.bufs.shift(); else this.bufs[0] = first.subarray(n);
    }
    else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const b = this.bufs[0];
        const k = Math.min(b.length, n - at);
        b.copy(out, at, 0, k);
        at += k;
        if (k === b.length) this.bufs.shift(); else this.bufs[0] = b.subarray(k);
      }
    }
    this.length -= n;
    return out;
  }
  clear() { this.bufs = []; this.length = 0; }
}

class Connection {
  constructor(url, kase, options) {
    this.url = new URL(url);
    this.kase = kase;
    this.options = options;
    this.events = [];
    this.times = []; // ms after the start at which each event was recorded (not part of the observation)
    this.started = Date.now();
    this.waiters = new Set();
    this.queue = new ByteQueue();
    this.head = EMPTY;
    this.upgraded = false;
    this.frame = null;
    this.message = null;
    this.messages = 0;
    this.pongs = 0;
    this.closeSent = false;
    this.closeReceived = false;
    this.closeCode = null;
    this.tcpClosed = false;
    this.ended = false;
    this.broken = false;
    this.lastActivity = Date.now();
    this.deflate = null; // negotiated permessage-deflate parameters, or null
    this.inflateWindow = EMPTY;
    this.deflater = null;
    this.crash = null;
  }

  record(event) {
    if (this.ended) return;
    this.events.push(event);
    this.times.push(Date.now() - this.started);
    this.touch();
  }

  touch() {
    this.lastActivity = Date.now();
    for (const w of this.waiters) w();
  }

  /** Resolves true as soon as `predicate()` holds, false after `ms`. */
  waitUntil(predicate, ms) {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer = null;
      const check = () => {
        if (predicate()) { cleanup(); resolve(true); }
      };
      const cleanup = () => { this.waiters.delete(check); clearTimeout(timer); };
      timer = setTimeout(() => { cleanup(); resolve(predicate()); }, Math.max(0, ms));
      this.waiters.add(check);
    });
  }

  // ---- the socket ----

  connect(extensions) {
    return new Promise((resolve) => {
      const port = Number(this.url.port || 80);
      const host = this.url.hostname;
      this.key = crypto.randomBytes(16).toString('base64');
      const socket = net.connect({ host, port });
      this.socket = socket;
      socket.setNoDelay(true);
      let settled = false;
      const done = (v) => { if (!settled) { settled = true; clearTimeout(timer); resolve(v); } };
      const timer = setTimeout(() => { this.record({ ev: 'timeout', phase: 'upgrade' }); done(false); }, 5000);
      socket.on('connect', () => {
        const lines = [
          `GET ${this.url.pathname}${this.url.search} HTTP/1.1`,
          `Host: ${host}:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${this.key}`,
          'Sec-WebSocket-Version: 13',
        ];
        if (extensions) lines.push(`Sec-WebSocket-Extensions: ${extensions}`);
        socket.write(lines.join('\r\n') + '\r\n\r\n');
      });
      socket.on('data', (chunk) => {
        this.touch();
        if (this.upgraded) { this.onData(chunk); return; }
        this.head = Buffer.concat([this.head, chunk]);
        const end = this.head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const rest = this.head.subarray(end + 4);
        this.onHandshake(this.head.subarray(0, end).toString('latin1'));
        done(this.upgraded);
        if (this.upgraded && rest.length) this.onData(rest);
      });
      const closed = () => {
        if (!this.tcpClosed) {
          this.tcpClosed = true;
          this.record({ ev: 'tcp-closed' });
        }
        done(this.upgraded);
      };
      socket.on('end', closed);
      socket.on('close', closed);
      socket.on('error', (e) => {
        if (e.code === 'ECONNREFUSED') this.record({ ev: 'connect-failed', error: e.code });
        // ECONNRESET and EPIPE are the server ending the connection: 'close' follows.
      });
    });
  }

  onHandshake(head) {
    const [statusLine, ...headerLines] = head.split('\r\n');
    const status = Number(statusLine.split(' ')[1]);
    const headers = {};
    for (const line of headerLines) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const name = line.slice(0, i).trim().toLowerCase();
      const value = line.slice(i + 1).trim();
      headers[name] = headers[name] ? `${headers[name]}, ${value}` : value;
    }
    const expected = crypto.createHash('sha1').update(this.key + GUID).digest('base64');
    const event = { ev: 'upgrade', status };
    if (status === 101) {
      event.accept = headers['sec-websocket-accept'] === expected ? 'ok' : headers['sec-websocket-accept'] ? 'wrong' : 'missing';
      event.extensions = headers['sec-websocket-extensions'] ?? null;
      this.upgraded = event.accept === 'ok';
      const pmd = parseExtensions(event.extensions).find((e) => e.name === 'permessage-deflate');
      if (pmd) this.negotiate(pmd.params);
    }
    this.record(event);
  }

  negotiate(params) {
    const offered = parseExtensions(this.kase.extensions).find((e) => e.name === 'permessage-deflate')?.params ?? {};
    let clientBits = 15;
    if (typeof params.client_max_window_bits === 'string') clientBits = Number(params.client_max_window_bits);
    if (typeof offered.client_max_window_bits === 'string') clientBits = Math.min(clientBits, Number(offered.client_max_window_bits));
    this.deflate = {
      clientBits,
      clientNoContext: Boolean(params.client_no_context_takeover || offered.client_no_context_takeover),
      serverNoContext: Boolean(params.server_no_context_takeover),
    };
  }

  onData(chunk) {
    if (this.broken) return;
    this.queue.push(chunk);
    const q = this.queue;
    for (;;) {
      if (!this.frame) {
        if (q.length < 2) return;
        const h2 = q.peek(2);
        const lengthCode = h2[1] & 0x7f;
        const masked = (h2[1] & 0x80) !== 0;
        const size = 2 + (lengthCode === 126 ? 2 : lengthCode === 127 ? 8 : 0) + (masked ? 4 : 0);
        if (q.length < size) return;
        const h = q.take(size);
        let length = lengthCode;
        if (lengthCode === 126) length = h.readUInt16BE(2);
        else if (lengthCode === 127) {
          const big = h.readBigUInt64BE(2);
          if (big > 0x7fffffffn) {
            this.violation(`frame length ${big} cannot be read`);
            this.broken = true;
            q.clear();
            return;
          }
          length = Number(big);
        }
        this.frame = {
          fin: (h[0] & 0x80) !== 0,
          rsv: (h[0] >> 4) & 7,
          opcode: h[0] & 0x0f,
          masked,
          key: masked ? h.subarray(size - 4, size) : null,
          length,
        };
      }
      if (q.length < this.frame.length) return;
      const payload = Buffer.from(q.take(this.frame.length));
      const frame = this.frame;
      this.frame = null;
      if (frame.masked) {
        maskInPlace(payload, frame.key);
        this.violation('masked frame from server');
      }
      this.onFrame(frame, payload);
    }
  }

  violation(what) {
    this.record({ ev: 'violation', what });
  }

  onFrame(f, payload) {
    if (this.closeReceived) {
      if (!this.frameAfterClose) { this.frameAfterClose = true; this.violation('frame after close'); }
      return;
    }
    if (f.opcode & 0x8) {
      if (f.opcode > 0xa) { this.violation(`reserved opcode ${f.opcode}`); return; }
      if (!f.fin || f.length > 125) this.violation('fragmented or oversized control frame');
      if (f.rsv) this.violation(`reserved bits ${f.rsv} on a control frame`);
      if (f.opcode === 0x9) this.record({ ev: 'ping', length: payload.length, sha1: sha1(payload) });
      else if (f.opcode === 0xa) { this.pongs++; this.record({ ev: 'pong', length: payload.length, sha1: sha1(payload) }); }
      else this.onClose(payload);
      return;
    }
    if (f.opcode > 0x2) { this.violation(`reserved opcode ${f.opcode}`); return; }
    if (f.opcode === 0x0) {
      if (!this.message) { this.violation('continuation without a message'); return; }
      if (f.rsv) this.violation(`reserved bits ${f.rsv} on a continuation frame`);
    }
    else {
      if (this.message) { this.violation('new message before the last one ended'); }
      const compressed = (f.rsv & 4) !== 0 && this.deflate !== null;
      if (f.rsv & ~(this.deflate ? 4 : 0) & 7) this.violation(`reserved bits ${f.rsv} not negotiated`);
      this.message = { type: f.opcode === 1 ? 'text' : 'binary', parts: [], length: 0, compressed };
    }
    this.message.parts.push(payload);
    this.message.length += payload.length;
    if (f.fin) {
      const m = this.message;
      this.message = null;
      let data = m.parts.length === 1 ? m.parts[0] : Buffer.concat(m.parts, m.length);
      const event = { ev: 'message', type: m.type };
      if (m.compressed) {
        try { data = this.inflate(data); }
        catch (e) { this.record({ ev: 'message', type: m.type, inflateError: e.code ?? e.message }); return; }
        event.compressed = true;
      }
      event.length = data.length;
      event.sha1 = sha1(data);
      if (m.type === 'text' && !isUtf8(data)) event.invalidUtf8 = true;
      this.messages++;
      this.record(event);
    }
  }

  onClose(payload) {
    this.closeReceived = true;
    if (payload.length === 0) { this.record({ ev: 'close', code: null }); return; }
    if (payload.length === 1) { this.record({ ev: 'close', code: null, badPayload: '1 byte' }); return; }
    const code = payload.readUInt16BE(0);
    const reasonBytes = payload.subarray(2);
    this.closeCode = code;
    const event = { ev: 'close', code, reason: reasonBytes.toString('utf8') };
    if (!isUtf8(reasonBytes)) event.invalidUtf8Reason = true;
    if (this.closeSent && code === this.sentCloseCode) event.echo = true;
    this.record(event);
  }

  inflate(data) {
    const options = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: 128 * 1024 * 1024 };
    const takeover = !this.deflate.serverNoContext;
    // With context takeover the server's window holds what came before: the last 32 KiB of
    // what was inflated is given as the dictionary, which is what a kept inflater would hold.
    if (takeover && this.inflateWindow.length) options.dictionary = this.inflateWindow;
    const out = zlib.inflateRawSync(Buffer.concat([data, TAIL]), options);
    if (takeover) {
      const w = Buffer.concat([this.inflateWindow, out]);
      this.inflateWindow = Buffer.from(w.subarray(Math.max(0, w.length - 32768)));
    }
    return out;
  }

  /** Compresses one message as permessage-deflate: a kept (or reset) raw deflate stream, sync-flushed. */
  compress(data) {
    if (!this.deflater) this.deflater = zlib.createDeflateRaw({ windowBits: this.deflate.clientBits, memLevel: 8 });
    const d = this.deflater;
    return new Promise((resolve) => {
      const chunks = [];
      const onData = (c) => chunks.push(c);
      d.on('data', onData);
      d.write(data);
      d.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        d.off('data', onData);
        let out = Buffer.concat(chunks);
        if (out.length >= 4 && out.subarray(out.length - 4).equals(TAIL)) out = out.subarray(0, out.length - 4);
        if (this.deflate.clientNoContext) d.reset();
        resolve(out);
      });
    });
  }

  // ---- sending ----

  writeRaw(buf) {
    return new Promise((resolve) => {
      const s = this.socket;
      if (!s || s.destroyed || !s.writable || this.tcpClosed) { resolve(false); return; }
      try { s.write(buf, () => resolve(true)); }
      catch { resolve(false); }
    });
  }

  /** Sends frames (or raw bytes) in one write, or chopped into writes of `chop` bytes, `delay` ms apart. */
  async send(parts, { chop, delay } = {}) {
    const list = Array.isArray(parts) ? parts.flat(Infinity) : [parts];
    const close = list.find((b) => closeFrames.has(b));
    if (close && !this.closeSent) { this.closeSent = true; this.sentCloseCode = closeFrames.get(close); }
    const all = list.length === 1 ? list[0] : Buffer.concat(list);
    this.touch();
    if (!chop) { await this.writeRaw(all); this.touch(); return; }
    for (let i = 0; i < all.length; i += chop) {
      if (!(await this.writeRaw(all.subarray(i, i + chop)))) return;
      // A write the kernel takes at once calls back in the same tick: without a turn of the
      // event loop here, a long chopped send would starve every timer and read of the process.
      if (delay) await sleep(delay); else await new Promise(setImmediate);
      this.touch();
    }
  }

  // ---- the case ----

  api() {
    const c = this;
    const frame = (opts) => buildFrame(opts);
    return {
      frame,
      text: (payload, o = {}) => frame({ opcode: 1, payload, ...o }),
      binary: (payload, o = {}) => frame({ opcode: 2, payload, ...o }),
      cont: (payload, o = {}) => frame({ opcode: 0, payload, ...o }),
      ping: (payload, o = {}) => frame({ opcode: 9, payload, ...o }),
      pong: (payload, o = {}) => frame({ opcode: 10, payload, ...o }),
      close: (code, reason, o = {}) => frame({ opcode: 8, payload: closePayload(code, reason), ...o }),
      /** A message as data frames: the first with `opcode`, the rest continuations; `sizes` as in split(). */
      fragments: (opcode, payload, sizes, o = {}) => split(toBuf(payload), sizes).map((p, i, all) =>
        frame({ opcode: i === 0 ? opcode : 0, payload: p, fin: i === all.length - 1, ...o })),
      send: (parts, o) => c.send(parts, o),
      sleep: (ms) => sleep(ms),
      mark: (name) => { if (!c.closeReceived && !c.tcpClosed) c.record({ ev: 'mark', name }); },
      waitMessages: (n, ms = 5000) => c.waitUntil(() => c.messages >= n || c.closeReceived || c.tcpClosed, ms),
      waitPongs: (n, ms = 5000) => c.waitUntil(() => c.pongs >= n || c.closeReceived || c.tcpClosed, ms),
      waitClose: (ms = 5000) => c.waitUntil(() => c.closeReceived || c.tcpClosed, ms),
      get deflate() { return c.deflate; },
      get closed() { return c.closeReceived || c.tcpClosed; },
      /** `data` compressed as the next message would be (trailing 00 00 FF FF removed); as it is without permessage-deflate. */
      compress: async (data) => (c.deflate ? c.compress(toBuf(data)) : toBuf(data)),
      /** Sends a whole message, compressed if permessage-deflate was negotiated, in frames of `fragmentSize`. */
      sendMessage: async (type, payload, { fragmentSize, compress = true, chop } = {}) => {
        let data = toBuf(payload);
        let rsv = 0;
        if (compress && c.deflate) { data = await c.compress(data); rsv = 4; }
        const opcode = type === 'text' ? 1 : 2;
        const parts = fragmentSize ? split(data, fragmentSize) : [data];
        const frames = parts.map((p, i) => buildFrame({ opcode: i === 0 ? opcode : 0, rsv: i === 0 ? rsv : 0, payload: p, fin: i === parts.length - 1 }));
        await c.send(frames, { chop });
      },
    };
  }

  expectationReached() {
    if (this.tcpClosed || this.closeReceived) return true;
    const ex = this.kase.expect;
    if (ex.close) return false; // the server is to close
    return this.messages >= ex.messages.length && this.pongs >= ex.pongs.length;
  }

  async run() {
    const started = this.started;
    const timeout = this.kase.timeout ?? 5000;
    const upgraded = await this.connect(this.kase.extensions);
    if (upgraded) {
      try { await this.kase.script(this.api(), this.kase); }
      catch (e) { this.crash = e; }
      const reached = await this.waitUntil(() => this.expectationReached(), started + timeout - Date.now());
      if (!reached) this.record({ ev: 'timeout', phase: 'traffic' });
      // the quiet period: nothing more arrives for quietMs (or the server ends TCP)
      for (;;) {
        const idle = Date.now() - this.lastActivity;
        if (this.tcpClosed || idle >= this.options.quietMs) break;
        await this.waitUntil(() => this.tcpClosed, this.options.quietMs - idle);
      }
      if (!this.tcpClosed) {
        if (!this.closeSent) {
          // The client's part of the closing handshake (RFC 6455 5.5.1): it answers the server's
          // close with the code received, or starts the handshake with 1000.
          const code = this.closeReceived ? (this.closeCode && VALID_CLOSE(this.closeCode) ? this.closeCode : null) : 1000;
          await this.send(buildFrame({ opcode: 8, payload: closePayload(code, '') }));
        }
        const closed = await this.waitUntil(() => this.tcpClosed, this.options.closeWaitMs);
        if (!closed) this.record({ ev: 'timeout', phase: 'close' });
      }
    }
    else if (!this.tcpClosed) {
      await this.waitUntil(() => this.tcpClosed, 1000);
    }
    this.ended = true;
    this.socket?.destroy();
    if (this.deflater) this.deflater.close();
    return { events: this.events, times: this.times, crash: this.crash ? String(this.crash.stack ?? this.crash) : null, ms: Date.now() - started };
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing and judging observations

/** An event as compared: its fields in a fixed order. */
export function eventKey(e) {
  const keys = Object.keys(e).sort();
  return JSON.stringify(keys.map((k) => [k, e[k]]));
}

export function sameObservation(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (eventKey(a[i]) !== eventKey(b[i])) return false;
  return true;
}

export function formatEvent(e) {
  switch (e.ev) {
    case 'upgrade': return `upgrade ${e.status}${e.accept && e.accept !== 'ok' ? ` accept=${e.accept}` : ''}${e.extensions ? ` ext="${e.extensions}"` : e.status === 101 ? ' ext=none' : ''}`;
    case 'message': return `${e.type} len=${e.length} sha1=${e.sha1?.slice(0, 12)}${e.compressed ? ' compressed' : ''}${e.invalidUtf8 ? ' invalid-utf8' : ''}${e.inflateError ? ` inflate-error=${e.inflateError}` : ''}`;
    case 'ping': case 'pong': return `${e.ev} len=${e.length} sha1=${e.sha1.slice(0, 12)}`;
    case 'close': return `close ${e.code ?? '(no code)'}${e.reason !== undefined ? ` "${e.reason}"` : ''}${e.badPayload ? ` bad=${e.badPayload}` : ''}${e.invalidUtf8Reason ? ' invalid-utf8-reason' : ''}${e.echo ? ' (echo)' : ''}`;
    case 'mark': return `mark ${e.name}`;
    case 'violation': return `server violation: ${e.what}`;
    case 'timeout': return `timeout (${e.phase})`;
    default: return Object.entries(e).map(([k, v]) => (k === 'ev' ? v : `${k}=${v}`)).join(' ');
  }
}

/** Collapses runs of identical events ("text len=16 ... x1000") for display. */
function displayLines(events, limit = 40) {
  const lines = [];
  for (let i = 0; i < events.length;) {
    let j = i + 1;
    while (j < events.length && formatEvent(events[j]) === formatEvent(events[i])) j++;
    lines.push(formatEvent(events[i]) + (j - i > 1 ? `  (x${j - i})` : ''));
    i = j;
  }
  if (lines.length > limit) return [...lines.slice(0, limit - 5), `... ${lines.length - limit + 5} more lines ...`, ...lines.slice(-4)];
  return lines;
}

/**
 * How the observation compares with what RFC 6455 asks for (the case's `expect`):
 * OK, NON-STRICT (allowed but not what a strict endpoint does, as Autobahn grades it) or FAIL.
 */
export function judge(events, kase) {
  const strict = problems(events, kase.expect);
  if (strict.length === 0) return { verdict: 'OK' };
  if ((kase.expect.or ?? []).some((alt) => problems(events, { ...kase.expect, ...alt }).length === 0)) return { verdict: 'OK' };
  if (kase.expect.nonStrict && problems(events, { ...kase.expect, ...kase.expect.nonStrict }).length === 0) {
    return { verdict: 'NON-STRICT', why: strict.join('; ') };
  }
  return { verdict: 'FAIL', why: strict.join('; ') };
}

function problems(events, ex) {
  const out = [];
  const up = events.find((e) => e.ev === 'upgrade');
  if (!up || up.status !== 101 || up.accept !== 'ok') { out.push(`no upgrade (${up ? up.status : 'none'})`); return out; }
  const msgs = events.filter((e) => e.ev === 'message');
  const want = ex.messages;
  if (msgs.length !== want.length) out.push(`${msgs.length} messages echoed, ${want.length} expected`);
  else {
    for (let i = 0; i < want.length; i++) {
      const m = msgs[i];
      if (m.type !== want[i].type || m.length !== want[i].length || m.sha1 !== want[i].sha1) { out.push(`message ${i + 1} differs from what was sent`); break; }
      if (m.invalidUtf8) { out.push(`message ${i + 1} is invalid UTF-8`); break; }
    }
  }
  const pongs = events.filter((e) => e.ev === 'pong');
  if (pongs.length !== ex.pongs.length) out.push(`${pongs.length} pongs, ${ex.pongs.length} expected`);
  else if (pongs.some((p, i) => p.sha1 !== ex.pongs[i].sha1)) out.push('a pong payload differs from its ping\'s');
  const v = events.filter((e) => e.ev === 'violation');
  if (v.length) out.push(`server violations: ${v.map((e) => e.what).join(', ')}`);
  const close = events.find((e) => e.ev === 'close');
  const codes = ex.close ?? [1000];
  if (!close) out.push(`no close frame (expected ${codes.join('/')})`);
  else if (!codes.includes(close.code)) out.push(`close ${close.code ?? '(no code)'}, expected ${codes.map((c) => c ?? '(no code)').join('/')}`);
  if (!events.some((e) => e.ev === 'tcp-closed')) out.push('TCP not closed by the server');
  if (events.some((e) => e.ev === 'timeout')) out.push('timed out');
  if (ex.failFast) {
    const ci = events.findIndex((e) => e.ev === 'close');
    const mi = events.findIndex((e) => e.ev === 'mark');
    if (mi >= 0 && (ci < 0 || ci > mi)) out.push('did not fail fast (the close came only after the rest was sent)');
  }
  return out;
}

/** PASS, DIFF-EXPLAINED (with the rules of the expected-difference table that explain it) or DIFF. */
export function compare(kase, direct, proxied, context) {
  if (sameObservation(direct, proxied)) return { verdict: 'PASS', rules: [] };
  let d = direct;
  let p = proxied;
  const used = [];
  for (const rule of expectedDifferences) {
    if (rule.applies && !rule.applies(kase)) continue;
    const r = rule.normalize(d, p, kase, context);
    if (!r) continue;
    if (sameObservation(r[0], d) && sameObservation(r[1], p)) continue;
    d = r[0];
    p = r[1];
    used.push(rule.id);
    if (sameObservation(d, p)) return { verdict: 'DIFF-EXPLAINED', rules: used };
  }
  return { verdict: 'DIFF', rules: used };
}

// ---------------------------------------------------------------------------------------------
// The run

function parseArgs(argv) {
  const a = { jobs: 8, quietMs: 500, closeWaitMs: 5000 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => { if (i + 1 >= argv.length) usage(`${k} needs a value`); return argv[++i]; };
    switch (k) {
      case '--direct': a.direct = next(); break;
      case '--proxied': a.proxied = next(); break;
      case '--proxied-deflate': a.proxiedDeflate = next(); break;
      case '--short': a.short = true; break;
      case '--group': a.groups = next().split(',').map((s) => s.trim()); break;
      case '--case': a.only = next().split(',').map((s) => s.trim()); break;
      case '--jobs': a.jobs = Number(next()); break;
      case '--quiet-ms': a.quietMs = Number(next()); break;
      case '--json': a.json = next(); break;
      case '--report': a.report = next(); break;
      case '--gateway-name': a.gatewayName = next(); break;
      case '--verbose': a.verbose = true; break;
      case '--help': case '-h': usage(); break;
      default: usage(`unknown argument ${k}`);
    }
  }
  if (!a.direct || !a.proxied) usage('--direct and --proxied are required');
  return a;
}

function usage(message) {
  if (message) console.error(`suite.mjs: ${message}`);
  console.error('usage: node suite.mjs --direct ws://127.0.0.1:P/path --proxied ws://127.0.0.1:G/path [--proxied-deflate URL] [--short] [--group 5,6] [--case 5.3.1] [--jobs 8] [--json out.jsonl] [--report docs/conformance.md] [--gateway-name NAME]');
  process.exit(message ? 2 : 0);
}

async function runOne(kase, args) {
  const options = { quietMs: args.quietMs, closeWaitMs: args.closeWaitMs };
  const proxiedUrl = kase.route === 'deflate' ? args.proxiedDeflate : args.proxied;
  const [direct, proxied] = await Promise.all([
    new Connection(args.direct, kase, options).run(),
    new Connection(proxiedUrl, kase, options).run(),
  ]);
  const directBehaviour = judge(direct.events, kase);
  const proxiedBehaviour = judge(proxied.events, kase);
  const crash = direct.crash || proxied.crash;
  const result = crash
    ? { verdict: 'CRASH', rules: [] }
    : compare(kase, direct.events, proxied.events, { directBehaviour, proxiedBehaviour });
  return {
    id: kase.id, group: kase.group, title: kase.title, verdict: result.verdict, rules: result.rules,
    behaviour: directBehaviour.verdict, behaviourWhy: directBehaviour.why ?? null,
    proxiedBehaviour: proxiedBehaviour.verdict, proxiedBehaviourWhy: proxiedBehaviour.why ?? null,
    direct: direct.events, proxied: proxied.events, crash,
    ms: Math.max(direct.ms, proxied.ms), directTimes: direct.times, proxiedTimes: proxied.times,
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  let selected = allCases.filter((k) => (!args.short || k.short) && (!args.groups || args.groups.includes(k.group))
    && (!args.only || args.only.includes(k.id)));
  const skipped = selected.filter((k) => k.route === 'deflate' && !args.proxiedDeflate);
  selected = selected.filter((k) => !skipped.includes(k));
  if (selected.length === 0) usage('no case selected');
  console.log(`conformance: ${selected.length} cases${skipped.length ? ` (${skipped.length} of groups 12c/13c skipped: no --proxied-deflate)` : ''}, ${args.jobs} at a time`);

  const results = new Map();
  const heavy = selected.filter((k) => k.heavy);
  const light = selected.filter((k) => !k.heavy);
  let done = 0;
  const finish = (kase, r) => {
    results.set(kase.id, r);
    done++;
    const flag = r.verdict === 'PASS' ? '' : ` ${r.verdict}${r.rules.length ? ` (${r.rules.join(', ')})` : ''}`;
    if (args.verbose || (r.verdict !== 'PASS' && r.verdict !== 'DIFF-EXPLAINED')) {
      console.log(`  [${done}/${selected.length}] ${kase.id} ${kase.title}:${flag || ' PASS'} direct=${r.behaviour}`);
      if (r.verdict === 'DIFF' || r.verdict === 'CRASH') {
        if (r.crash) console.log(`      crash: ${r.crash}`);
        console.log(`      direct : ${displayLines(r.direct, 12).join(' | ')}`);
        console.log(`      proxied: ${displayLines(r.proxied, 12).join(' | ')}`);
      }
    }
  };
  const runSafe = async (kase) => {
    try { finish(kase, await runOne(kase, args)); }
    catch (e) {
      finish(kase, { id: kase.id, group: kase.group, title: kase.title, verdict: 'CRASH', rules: [], behaviour: 'FAIL', direct: [], proxied: [], crash: String(e.stack ?? e), ms: 0 });
    }
  };
  // light cases share the machine, heavy ones (MiB-sized messages) run alone afterwards
  let next = 0;
  await Promise.all(Array.from({ length: Math.max(1, args.jobs) }, async () => {
    while (next < light.length) await runSafe(light[next++]);
  }));
  for (const kase of heavy) await runSafe(kase);

  const ordered = selected.map((k) => results.get(k.id));
  const seconds = (Date.now() - started) / 1000;
  const count = (v) => ordered.filter((r) => r.verdict === v).length;
  console.log(`conformance: ${ordered.length} cases in ${seconds.toFixed(1)} s: ${count('PASS')} PASS, ${count('DIFF-EXPLAINED')} DIFF-EXPLAINED, ${count('DIFF')} DIFF, ${count('CRASH')} CRASH; direct vs RFC: ${ordered.filter((r) => r.behaviour === 'OK').length} OK, ${ordered.filter((r) => r.behaviour === 'NON-STRICT').length} NON-STRICT, ${ordered.filter((r) => r.behaviour === 'FAIL').length} FAIL`);

  if (args.json) {
    fs.mkdirSync(path.dirname(path.resolve(args.json)), { recursive: true });
    fs.writeFileSync(args.json, ordered.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  if (args.report) {
    fs.mkdirSync(path.dirname(path.resolve(args.report)), { recursive: true });
    fs.writeFileSync(args.report, report(ordered, args, seconds, skipped.length));
    console.log(`conformance: report written to ${args.report}`);
  }
  const bad = count('DIFF') + count('CRASH');
  // the plain closing line: unexplained differences and crashes fail
  console.log(`conformance: ${ordered.length - bad} passed, ${bad} failed`);
  process.exit(bad ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// The report

function report(results, args, seconds, skipped) {
  const L = [];
  const cmd = `node src/test/node/conformance/suite.mjs ${process.argv.slice(2).map((s) => (/[\s"]/.test(s) ? JSON.stringify(s) : s)).join(' ')}`;
  L.push('# RFC 6455 conformance: direct and through wsgate');
  L.push('');
  L.push('Generated by `src/test/node/conformance/suite.mjs` (run through `src/test/node/conformance/run.sh`); do not edit by hand.');
  L.push('');
  L.push(`- Command: \`${cmd}\``);
  L.push(`- Date: ${new Date().toISOString()}`);
  L.push(`- Node: ${process.version}`);
  L.push(`- Gateway: ${args.gatewayName ?? '(not given)'}`);
  L.push(`- Reference backend: \`backend.mjs\` (the \`ws\` package ${wsVersion()}, permessage-deflate on)`);
  L.push(`- Cases: ${results.length}${args.short ? ' (--short subset)' : ''}${skipped ? `; ${skipped} skipped (no --proxied-deflate)` : ''}; run time ${seconds.toFixed(1)} s`);
  L.push('');
  L.push('## Summary');
  L.push('');
  L.push('PASS: the two observations are equal. DIFF-EXPLAINED: they differ only in ways listed in the table of expected differences below. DIFF: any other difference. "Direct vs RFC" grades the direct run (the reference backend alone) against what RFC 6455 asks for: OK, NON-STRICT (allowed, but not what a strict endpoint does, as Autobahn grades it) or FAIL.');
  L.push('');
  L.push('| group | title | cases | PASS | DIFF-EXPLAINED | DIFF | direct vs RFC OK | NON-STRICT | FAIL |');
  L.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const tot = { n: 0, pass: 0, exp: 0, diff: 0, ok: 0, ns: 0, fail: 0 };
  for (const g of groups) {
    const rs = results.filter((r) => r.group === g.id);
    if (!rs.length) continue;
    const row = {
      n: rs.length, pass: rs.filter((r) => r.verdict === 'PASS').length, exp: rs.filter((r) => r.verdict === 'DIFF-EXPLAINED').length,
      diff: rs.filter((r) => r.verdict === 'DIFF' || r.verdict === 'CRASH').length, ok: rs.filter((r) => r.behaviour === 'OK').length,
      ns: rs.filter((r) => r.behaviour === 'NON-STRICT').length, fail: rs.filter((r) => r.behaviour === 'FAIL').length,
    };
    for (const k of Object.keys(tot)) tot[k] += row[k];
    L.push(`| ${g.id} | ${g.title} | ${row.n} | ${row.pass} | ${row.exp} | ${row.diff} | ${row.ok} | ${row.ns} | ${row.fail} |`);
  }
  L.push(`| all | | ${tot.n} | ${tot.pass} | ${tot.exp} | ${tot.diff} | ${tot.ok} | ${tot.ns} | ${tot.fail} |`);
  L.push('');
  L.push('## Expected differences');
  L.push('');
  L.push('The table `expectedDifferences` in `cases.mjs`. A difference is explained when applying some of these rules, in this order, to the two observations makes them equal.');
  L.push('');
  L.push('| rule | cases it explains | why |');
  L.push('| --- | ---: | --- |');
  for (const rule of expectedDifferences) {
    const n = results.filter((r) => r.verdict === 'DIFF-EXPLAINED' && r.rules.includes(rule.id)).length;
    L.push(`| \`${rule.id}\` | ${n} | ${rule.reason} |`);
  }
  L.push('');
  const diffs = results.filter((r) => r.verdict === 'DIFF' || r.verdict === 'CRASH');
  L.push(`## Unexplained differences (${diffs.length})`);
  L.push('');
  if (!diffs.length) L.push('None.');
  for (const r of diffs) {
    L.push(...caseBlock(r));
    if (r.verdict === 'DIFF') L.push(`No rule of the table explains it${r.rules.length ? ` (rules that applied without making the two equal: ${r.rules.join(', ')})` : ''}.`, '');
  }
  L.push('');
  const explained = results.filter((r) => r.verdict === 'DIFF-EXPLAINED');
  L.push(`## Explained differences (${explained.length})`);
  L.push('');
  L.push('Every case whose observations differ in expected ways, by the rules that explain it (their reasons are in the table above). Each block shows the direct observation on the left and the one through the gateway on the right; `<>` marks the lines that differ.');
  L.push('');
  if (!explained.length) L.push('None.');
  const byRules = new Map();
  for (const r of explained) {
    const k = r.rules.join(' + ');
    if (!byRules.has(k)) byRules.set(k, []);
    byRules.get(k).push(r);
  }
  for (const [k, rs] of byRules) {
    L.push(`### ${k.split(' + ').map((x) => `\`${x}\``).join(' + ')} (${rs.length})`);
    L.push('');
    L.push(`<details><summary>${rs.length} cases: ${rs.slice(0, 6).map((r) => r.id).join(', ')}${rs.length > 6 ? ', ...' : ''}</summary>`);
    L.push('');
    for (const r of rs) L.push(...caseBlock(r, 4));
    L.push('</details>');
    L.push('');
  }
  // timings are not part of the observations; this one is worth a look all the same
  const gap = (events, times) => {
    const c = events.findIndex((e) => e.ev === 'close');
    const t = events.findIndex((e) => e.ev === 'tcp-closed');
    return c >= 0 && t > c && times ? times[t] - times[c] : null;
  };
  const slow = results.filter((r) => (gap(r.proxied, r.proxiedTimes) ?? 0) >= 1000 && (gap(r.direct, r.directTimes) ?? 0) < 1000);
  L.push(`## Slow TCP close through the gateway (${slow.length}; timing, not part of the comparison)`);
  L.push('');
  L.push('Cases where the gateway ended the client\'s TCP connection 1 s or more after its close frame, although the client answered that close at once, while the backend alone ended it within 1 s. The client\'s close answer is sent as soon as the server\'s close arrives.');
  L.push('');
  if (!slow.length) L.push('None.');
  else {
    const byGroup = new Map();
    for (const r of slow) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
    L.push('| group | cases | median delay | case ids |');
    L.push('| --- | ---: | ---: | --- |');
    for (const [g, rs] of byGroup) {
      const ds = rs.map((r) => gap(r.proxied, r.proxiedTimes)).sort((a, b) => a - b);
      L.push(`| ${g} | ${rs.length} | ${ds[Math.floor(ds.length / 2)]} ms | ${rs.map((r) => r.id).join(', ')} |`);
    }
  }
  L.push('');
  const lax = results.filter((r) => r.behaviour !== 'OK');
  L.push(`## Where the reference backend is not strict (${lax.length})`);
  L.push('');
  L.push('Cases whose direct run is not what RFC 6455 asks for, and how the run through the gateway was graded.');
  L.push('');
  if (!lax.length) L.push('None.');
  else {
    L.push('| case | title | direct | why | through the gateway |');
    L.push('| --- | --- | --- | --- | --- |');
    for (const r of lax) L.push(`| ${r.id} | ${md(r.title)} | ${r.behaviour} | ${md(r.behaviourWhy ?? '')} | ${r.proxiedBehaviour}${r.proxiedBehaviourWhy ? `: ${md(r.proxiedBehaviourWhy)}` : ''} |`);
  }
  L.push('');
  L.push(HOW_IT_WORKS);
  return L.join('\n') + '\n';
}

function caseBlock(r, level = 3) {
  const L = [];
  L.push(`${'#'.repeat(level)} ${r.id} ${md(r.title)}: ${r.verdict}${r.rules.length ? ` (${r.rules.map((x) => `\`${x}\``).join(', ')})` : ''}`);
  L.push('');
  if (r.crash) L.push('Crash: `' + r.crash.split('\n')[0] + '`', '');
  L.push(`Direct (${r.behaviour}${r.behaviourWhy ? `: ${r.behaviourWhy}` : ''}), then through the gateway (${r.proxiedBehaviour}${r.proxiedBehaviourWhy ? `: ${r.proxiedBehaviourWhy}` : ''}):`);
  L.push('');
  L.push('```');
  const a = displayLines(r.direct);
  const b = displayLines(r.proxied);
  const w = Math.max(8, ...a.map((s) => s.length));
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    L.push(`${x.padEnd(w)} ${x === y ? '  ' : '<>'} ${y}`);
  }
  L.push('```');
  L.push('');
  return L;
}

const md = (s) => String(s).replace(/\|/g, '\\|');

function wsVersion() {
  try {
    const here = path.dirname(new URL(import.meta.url).pathname);
    return JSON.parse(fs.readFileSync(path.join(here, '..', 'node_modules', 'ws', 'package.json'), 'utf8')).version;
  }
  catch { return '(unknown version)'; }
}

const HOW_IT_WORKS = `## How the suite works

- **Two runs per case.** Every case runs twice at the same time: against the reference backend directly (\`--direct\`) and through the gateway to the same backend (\`--proxied\`; groups 12c and 13c through a second route with \`metadata.compression: true\`, \`--proxied-deflate\`). The reference backend (\`backend.mjs\`) is a \`ws\` server that echoes every message with its type, with a 64 MiB message limit and permessage-deflate on (it accepts the client's offer as \`ws\` does and compresses every message it sends). The gateway runs in its default configuration except for the routes' \`MaxMessageSize=64MB\` (\`run.sh\` also sets \`wsgate.routes.store=memory\`, so that no routes file of another run is read, and turns the demo and the warm-up off).
- **The client is raw.** It is written on \`net.connect\`: it sends the upgrade request itself (random \`Sec-WebSocket-Key\`, \`Sec-WebSocket-Accept\` checked), masks every frame with a random key unless the case sends an unmasked one, and writes exactly the bytes the case builds, valid or not, in one write or chopped into writes of a given size with optional pauses. It does not answer pings. It answers a close frame from the server (RFC 6455 5.5.1), and when a case has not closed by its end, it starts the closing handshake with 1000; then it waits up to 5 s for the server to end TCP.
- **When a case ends.** After its script, the client waits for the traffic the case expects (the echoes and pongs it expects, or the server's close when the server is to close; bounded by the case's timeout: 5 s by default, up to 30 s for the multi-MiB cases), then for a quiet period (500 ms without a byte from the server), then closes as above.
- **The observation** is the list of what the client received, in order: the upgrade (status, \`Sec-WebSocket-Extensions\` of the answer), then each message, ping, pong and close, then \`tcp-closed\` when the server ended the TCP connection (a FIN and a reset are the same event here), and \`timeout\` when the expected traffic or the TCP close did not come in time. A \`mark\` is a point in the case's script (used by the fail-fast cases: a close that arrives before the mark was sent on the first part alone). Anything the server does against the protocol (a masked frame, reserved bits or opcodes it did not negotiate, a continuation without a message, a frame after its close, a control frame too long or fragmented) is recorded as a \`violation\` event. Timings are not part of it.
- **Normalization.** A message is one event, \`{type, length, sha1}\` of its payload (inflated when it came compressed, with \`compressed\` set), whatever the frames it came in: a proxy may legitimately re-fragment a message (RFC 6455 5.4), and control frames between the fragments are events of their own in the order they arrived. A close is \`{code, reason}\`, marked \`echo\` when it came after a close of the client's with the same code. Everything else is compared exactly, close reasons included; reasons that may differ are listed as expected differences, not dropped silently.
- **Verdicts.** PASS when the two observations are equal; DIFF-EXPLAINED when they become equal after the rules of the expected-difference table that apply; DIFF otherwise. Each case also has an expectation from RFC 6455 (the echoes, the pongs, the close codes that are right, whether the connection must fail fast), against which the direct run is graded OK, NON-STRICT or FAIL, as Autobahn grades: this shows whether the reference itself is strict.
- **Groups** follow Autobahn|Testsuite's fuzzing client: 1 framing, 2 pings and pongs, 3 reserved bits, 4 reserved opcodes, 5 fragmentation, 6 UTF-8, 7 close handling, 9 limits and performance, 12 and 13 permessage-deflate (12: the plain offer with messages of many sizes and kinds; 13: the offers Autobahn makes), through the route in its default configuration (compression off); 12c and 13c are the same cases through the route with compression on, and 12c.6 adds errors and limits on a compressed connection (RSV1 where it is not allowed, data that is not deflate, invalid UTF-8 once inflated, a message that inflates past the limits). Case numbers are the suite's own and do not match Autobahn's one for one.
- **Running it:** \`src/test/node/conformance/run.sh\` starts the backend and the gateway jar on free loopback ports and runs the full suite, writing this file; \`run.sh --short\` runs a subset of every group. The suite exits non-zero when a case is DIFF or crashed.
`;

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((e) => { console.error(e); process.exit(1); });
}
