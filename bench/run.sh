#!/usr/bin/env bash
# wsgate benchmark: a direct connection vs nginx vs wsgate, one machine, loopback only,
# driven by the shared WebSocket harness (shared/bench: backend.mjs, loadgen.mjs, probe.mjs,
# proxies.sh). One run measures all three targets under the same conditions, writes every
# result as a JSON line to bench/results/<timestamp>.jsonl (plus stderr logs beside it) and
# generates docs/performance.md from that file with bench/report.mjs.
#
#   bench/run.sh                   full run: ~7 minutes, all cores busy (use an idle machine)
#   BENCH_QUICK=1 bench/run.sh     smoke test: ~2 minutes, short runs, 1000 idle connections;
#                                  writes its markdown to bench/results/, not docs/
#
# Environment (all optional):
#   BENCH_HARNESS=<repo>/../shared/bench    the harness (read-only is fine: it is copied)
#   WSGATE_JAR=<repo>/target/wsgate-*.jar   built with ./mvnw if missing
#   WSGATE_JVM_OPTS="-Xms256m -Xmx512m -XX:+UseZGC"
#   WSGATE_ARGS=""                          extra wsgate arguments, e.g.
#                                           --wsgate.websocket.max-message-size=64MB
#   BACKEND_PORT=9001 NGINX_PORT=8082 WSGATE_PORT=8080   must be free
#   BENCH_TARGETS="direct nginx wsgate"     subset of targets
#   BENCH_PHASES="cold probe echo rate handshake idle"   subset of measurements (cold: the first
#                                           upgrades a freshly started wsgate takes, right after it
#                                           reports ready, before the harness warms anything up)
#   BENCH_DOC=docs/performance.md           markdown output (quick runs: bench/results/<ts>.md)
#   BENCH_RESULTS=<repo>/bench/results      where the jsonl and logs go
#   BENCH_WORK=<tmp dir>                    scratch dir for the harness copy (default: mktemp,
#                                           removed on exit)
# Every wait is bounded; everything started here is stopped on exit, Ctrl-C or failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"

# ---------------------------------------------------------------------------------------
# Settings. The command line to reproduce this run is the script plus the variables the
# caller set explicitly; remember those before defaults are filled in.
# ---------------------------------------------------------------------------------------
INVOCATION=""
for v in BENCH_QUICK BENCH_HARNESS WSGATE_JAR WSGATE_JVM_OPTS WSGATE_ARGS BACKEND_PORT NGINX_PORT WSGATE_PORT \
  BENCH_TARGETS BENCH_PHASES BENCH_DOC BENCH_RESULTS; do
  if [ -n "${!v+x}" ]; then INVOCATION+="$v=$(printf '%q' "${!v}") "; fi
done
INVOCATION+="bench/run.sh"

BENCH_QUICK="${BENCH_QUICK:-0}"
BENCH_HARNESS="${BENCH_HARNESS:-$REPO/../shared/bench}"
BACKEND_PORT="${BACKEND_PORT:-9001}"
NGINX_PORT="${NGINX_PORT:-8082}"
WSGATE_PORT="${WSGATE_PORT:-8080}"
BENCH_TARGETS="${BENCH_TARGETS:-direct nginx wsgate}"
BENCH_PHASES="${BENCH_PHASES:-cold probe echo rate handshake idle}"
BENCH_RESULTS="${BENCH_RESULTS:-$REPO/bench/results}"
# JVM flags: fixed heap bounds so that runs are comparable, and ZGC: each upgrade allocates
# ~55 KiB while every open connection keeps a few KiB alive, and the young pauses of the
# stop-the-world collectors (copying those) set the handshake p99: Serial 45-75 ms pauses,
# Parallel 17-44 ms, ZGC none to speak of (p99 12-15 ms). Override to compare others; the
# GC log goes beside the results either way.
WSGATE_JVM_OPTS="${WSGATE_JVM_OPTS:--Xms256m -Xmx512m -XX:+UseZGC}"
WSGATE_ARGS="${WSGATE_ARGS:-}"

# Load parameters (the full run's are the ones the docs quote; BENCH_QUICK=1 only checks
# that everything works end to end).
# JVM warm-up: JVM_WARMUP s of echo, then WARM_ROUNDS x WARM_CONNS handshakes. The upgrade
# path needs ~10k handshakes before C2 has compiled it: the first few thousand cost wsgate
# several times the CPU of later ones (and take hundreds of ms each at 1000/s on 2 cores).
if [ "$BENCH_QUICK" = 1 ]; then
  DURATION=3 WARMUP=1 JVM_WARMUP=3 WARM_CONNS=1000 WARM_ROUNDS=1
  HS_CONNS=1000 HS_RAMP=1000 HS_HOLD=2
  IDLE_CONNS=1000 IDLE_RAMP=1000 IDLE_HOLD=3
  PAUSE=1
else
  DURATION=15 WARMUP=2 JVM_WARMUP=10 WARM_CONNS=5000 WARM_ROUNDS=3
  HS_CONNS=5000 HS_RAMP=1000 HS_HOLD=5
  IDLE_CONNS=9000 IDLE_RAMP=1000 IDLE_HOLD=20
  PAUSE=3
fi
ECHO_CONNS=50 ECHO_SIZE=64 ECHO_WINDOW=8
RATE=5000 RATE_CONNS=50 RATE_SIZE=64

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$BENCH_RESULTS"
JSONL="$BENCH_RESULTS/$STAMP.jsonl"          # every result line
LOG="$BENCH_RESULTS/$STAMP.stderr.log"       # stderr of the harness tools and this script
WSGATE_LOG="$BENCH_RESULTS/$STAMP-wsgate.log" # wsgate's console output
BACKEND_LOG="$BENCH_RESULTS/$STAMP-backend.log"
if [ "$BENCH_QUICK" = 1 ]; then
  BENCH_DOC="${BENCH_DOC:-$BENCH_RESULTS/$STAMP.md}" # a smoke run never overwrites the real doc
else
  BENCH_DOC="${BENCH_DOC:-$REPO/docs/performance.md}"
fi
: >"$JSONL"
: >"$LOG"

note() { echo "[bench $(date +%H:%M:%S)] $*" | tee -a "$LOG" >&2; }
die() { note "error: $*"; exit 1; }
has() { case " $2 " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

for t in $BENCH_TARGETS; do has "$t" "direct nginx wsgate" || die "unknown target in BENCH_TARGETS: $t"; done
for p in $BENCH_PHASES; do has "$p" "cold probe echo rate handshake idle" || die "unknown phase in BENCH_PHASES: $p"; done
[ -f "$BENCH_HARNESS/loadgen.mjs" ] || die "harness not found at $BENCH_HARNESS (set BENCH_HARNESS)"
for c in node npm java curl timeout; do command -v "$c" >/dev/null || die "$c is required"; done

# ---------------------------------------------------------------------------------------
# Cleanup: stop everything this script started (and nothing else), whatever the exit path.
# ---------------------------------------------------------------------------------------
CHILD=""        # the harness command running right now (a `timeout` process)
SIDE_JOB=""     # background jcmd sampler during the idle-memory run
PSS_JOB=""      # background PSS sampler during the idle-memory run
BACKEND_PID=""
WSGATE_PID=""
NGINX_STARTED=0
WORK_CREATED=""

stop_pid() { # stop_pid PID SECONDS: TERM, wait up to SECONDS, then KILL
  local pid="$1" secs="$2" i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    note "pid $pid still alive after ${secs}s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$CHILD" 5
  stop_pid "$SIDE_JOB" 5
  stop_pid "$PSS_JOB" 2
  stop_pid "$WSGATE_PID" 20
  if [ "$NGINX_STARTED" = 1 ]; then
    "$HARNESS/proxies.sh" stop nginx "$NGINX_PORT" >>"$LOG" 2>&1 || true
  fi
  stop_pid "$BACKEND_PID" 5
  if [ -n "$WORK_CREATED" ]; then rm -rf "$WORK_CREATED"; fi
  if [ "$rc" -ne 0 ]; then note "stopped (exit $rc); results so far: $JSONL, logs: $LOG"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_bounded SECONDS OUT CMD...: run CMD under `timeout` in the background, stdout to OUT,
# stderr to the log, and wait for it. `wait` (unlike a foreground command) is interrupted by
# Ctrl-C at once, and cleanup then stops the command.
run_bounded() {
  local secs="$1" out="$2" rc=0
  shift 2
  echo "+ $*" >>"$LOG"
  timeout -k 10 "$secs" "$@" >"$out" 2>>"$LOG" &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  return "$rc"
}

# json_line key=value ...: one JSON object (values that look like numbers become numbers)
json_line() {
  node -e 'const o = {};
    for (const a of process.argv.slice(1)) {
      const i = a.indexOf("="); const k = a.slice(0, i); const v = a.slice(i + 1);
      o[k] = /^-?\d+(\.\d+)?$/.test(v) && v.length < 16 ? Number(v) : v;
    }
    console.log(JSON.stringify(o));' -- "$@"
}

# emit LINE...: append JSON lines to the results file and show them on stdout
emit() { tee -a "$JSONL"; }

# record PHASE TARGET FILE: tag each JSON result line of FILE with phase and target, keep it
record() {
  local phase="$1" target="$2" file="$3"
  grep '^{' "$file" | sed -E -e "/^\{\"target\":/! s/^\{/{\"target\":\"$target\",/" \
    -e "s/^\{/{\"phase\":\"$phase\",/" | emit || true
}

# Whole-machine CPU busy % over one second (all cores = 100).
busy_pct() {
  local a b idle total=0 i
  read -ra a < <(head -1 /proc/stat); sleep 1; read -ra b < <(head -1 /proc/stat)
  idle=$(((b[4] + b[5]) - (a[4] + a[5])))
  for i in $(seq 1 8); do total=$((total + ${b[$i]:-0} - ${a[$i]:-0})); done
  echo $(((total - idle) * 100 / (total > 0 ? total : 1)))
}

# How busy is the machine before a run? Other load skews results on a small box. Waits (at
# most 10 s) for the previous run's tail (closing connections, GC) to settle, then records
# the last sample as an "idle_check" line, as shared/bench/compare.sh does.
idle_check() {
  local busy i
  for i in $(seq 1 10); do
    busy="$(busy_pct)"
    [ "$busy" -lt 10 ] && break
  done
  echo "{\"event\":\"idle_check\",\"before\":\"$1\",\"host_busy_pct\":$busy}" | emit
  if [ "$busy" -gt 15 ]; then note "warning: machine ${busy}% busy before '$1'; results will be skewed"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------------------------------
# 1. The jar: WSGATE_JAR, or target/wsgate-*.jar, built when missing.
# ---------------------------------------------------------------------------------------
find_jar() { ls -t "$REPO"/target/wsgate-*.jar 2>/dev/null | head -1; }
if [ -n "${WSGATE_JAR:-}" ]; then
  JAR="$WSGATE_JAR"
  [ -f "$JAR" ] || die "WSGATE_JAR=$JAR does not exist"
else
  JAR="$(find_jar)"
  if [ -z "$JAR" ]; then
    note "building the jar (./mvnw -q -B package -DskipTests)"
    (cd "$REPO" && timeout 1200 ./mvnw -q -B package -DskipTests) >>"$LOG" 2>&1 || die "build failed; see $LOG"
    JAR="$(find_jar)"
    [ -n "$JAR" ] || die "build produced no target/wsgate-*.jar"
  elif [ -n "$(find "$REPO/src" "$REPO/pom.xml" -newer "$JAR" -type f 2>/dev/null | head -1)" ]; then
    note "warning: sources are newer than $JAR; rebuild it to measure the current code"
  fi
fi
note "jar: $JAR"

# ---------------------------------------------------------------------------------------
# 2. File descriptors: each proxied connection takes two in the proxy (hard limit 20000 on
#    the reference box, which bounds the idle run at 9000 connections).
# ---------------------------------------------------------------------------------------
ulimit -n "$(ulimit -Hn)"
note "fd limit $(ulimit -n)"

# ---------------------------------------------------------------------------------------
# 3. The harness: copy it to a writable scratch dir and install its one dependency (ws).
# ---------------------------------------------------------------------------------------
if [ -n "${BENCH_WORK:-}" ]; then
  WORK="$BENCH_WORK"
  mkdir -p "$WORK"
else
  WORK="$(mktemp -d /tmp/wsgate-bench-work.XXXXXX)"
  WORK_CREATED="$WORK"
fi
HARNESS="$WORK/harness"
rm -rf "$HARNESS"
mkdir -p "$HARNESS"
cp -R "$BENCH_HARNESS"/. "$HARNESS"/
rm -rf "$HARNESS/node_modules"
chmod -R u+w "$HARNESS"
note "harness copied to $HARNESS; npm ci"
(cd "$HARNESS" && timeout 300 npm ci --no-audit --no-fund --prefer-offline --loglevel=error) >>"$LOG" 2>&1 \
  || die "npm ci failed in $HARNESS; see $LOG"

# The jar as the container image runs it: extracted (Spring Boot's jarmode tools), so that
# classes load from plain jars rather than from jars nested in the fat jar (~2 s less start-up
# on this box).
APP_DIR="$WORK/app"
rm -rf "$APP_DIR"
timeout 120 java -Djarmode=tools -jar "$JAR" extract --destination "$APP_DIR" >>"$LOG" 2>&1 \
  || die "could not extract $JAR; see $LOG"
APP_JAR="$APP_DIR/$(basename "$JAR")"
[ -f "$APP_JAR" ] || die "extracting $JAR gave no $APP_JAR"

# ---------------------------------------------------------------------------------------
# 4. Start the backend, nginx and wsgate, each on its own port (refuse to share a port with
#    something already running: its results would not be ours).
# ---------------------------------------------------------------------------------------
for p in "$BACKEND_PORT" "$NGINX_PORT" "$WSGATE_PORT"; do
  port_free "$p" || die "port $p is in use; stop what listens there or set BACKEND_PORT/NGINX_PORT/WSGATE_PORT"
done

node "$HARNESS/backend.mjs" --port "$BACKEND_PORT" --lifetime 3600 --quiet >"$BACKEND_LOG" 2>&1 &
BACKEND_PID=$!
for _ in $(seq 1 100); do
  curl -fsS --max-time 1 "http://127.0.0.1:$BACKEND_PORT/health" 2>/dev/null | grep -q '^ok' && break
  kill -0 "$BACKEND_PID" 2>/dev/null || die "backend exited; see $BACKEND_LOG"
  sleep 0.1
done
curl -fsS --max-time 1 "http://127.0.0.1:$BACKEND_PORT/health" 2>/dev/null | grep -q '^ok' \
  || die "backend not healthy on $BACKEND_PORT within 10s"
note "backend pid $BACKEND_PID on 127.0.0.1:$BACKEND_PORT"

if has nginx "$BENCH_TARGETS"; then
  # nginx as the harness configures it: worker per core, access log off, no buffering
  NGINX_STARTED=1
  WSBENCH_PROXY_TTL=3600 timeout 600 "$HARNESS/proxies.sh" start nginx "$NGINX_PORT" "$BACKEND_PORT" >>"$LOG" 2>&1 \
    || die "nginx did not start; see $LOG"
  note "nginx pids $("$HARNESS/proxies.sh" pids nginx "$NGINX_PORT") on 127.0.0.1:$NGINX_PORT"
fi

# wsgate with one route to the backend, the demo off, room for 20000 connections (all of them
# from 127.0.0.1, hence no per-client bound), a management password from the environment, and the
# per-connection log off (WARN), as nginx runs with access_log off. The route raises the
# message limit to 64 MiB, as the harness backend's maxPayload (probe.mjs sends 16 MiB).
read -ra JVM_OPTS <<<"$WSGATE_JVM_OPTS"
WSGATE_CMD=(java "${JVM_OPTS[@]}" "-Xlog:gc:file=$BENCH_RESULTS/$STAMP-gc.log" -jar "$APP_JAR"
  "--server.port=$WSGATE_PORT" "--server.address=127.0.0.1"
  "--wsgate.demo.enabled=false" "--wsgate.websocket.max-connections=20000"
  "--wsgate.server.max-connections-per-client=0"
  "--logging.level.io.wsgate.connections=WARN"
  "--spring.cloud.gateway.server.webflux.routes[0].id=bench"
  "--spring.cloud.gateway.server.webflux.routes[0].uri=ws://127.0.0.1:$BACKEND_PORT"
  "--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/**"
  "--spring.cloud.gateway.server.webflux.routes[0].filters[0]=MaxMessageSize=64MB")
if [ -n "$WSGATE_ARGS" ]; then
  read -ra EXTRA <<<"$WSGATE_ARGS"
  WSGATE_CMD+=("${EXTRA[@]}")
fi
if has wsgate "$BENCH_TARGETS"; then
  # start to ready: from spawning the JVM to /actuator/health/readiness UP, which wsgate reports
  # only after its own start-up warm-up (wsgate.warmup.*)
  START_NS=$(date +%s%N)
  SPRING_SECURITY_USER_PASSWORD="bench-$RANDOM$RANDOM" "${WSGATE_CMD[@]}" >"$WSGATE_LOG" 2>&1 &
  WSGATE_PID=$!
  note "wsgate pid $WSGATE_PID starting: ${WSGATE_CMD[*]}"
  for _ in $(seq 1 1200); do # up to 120 s
    curl -s --max-time 1 "http://127.0.0.1:$WSGATE_PORT/actuator/health/readiness" 2>/dev/null | grep -q '"status":"UP"' && break
    kill -0 "$WSGATE_PID" 2>/dev/null || die "wsgate exited during startup; see $WSGATE_LOG"
    sleep 0.1
  done
  curl -s --max-time 1 "http://127.0.0.1:$WSGATE_PORT/actuator/health/readiness" 2>/dev/null | grep -q '"status":"UP"' \
    || die "wsgate not ready on $WSGATE_PORT within 120s; see $WSGATE_LOG"
  READY_MS=$((($(date +%s%N) - START_NS) / 1000000))
  note "wsgate ready on 127.0.0.1:$WSGATE_PORT after ${READY_MS} ms"
fi

# ---------------------------------------------------------------------------------------
# Facts about this run (machine, versions, settings) as the first JSON line.
# ---------------------------------------------------------------------------------------
# shell-quote for the record: plain words as they are, others in single quotes; the jar path
# relative to the repository when it lies inside it
shq() { case "$1" in *[!A-Za-z0-9_./=:,+@%-]*) printf "'%s'" "${1//\'/\'\\\'\'}" ;; *) printf '%s' "$1" ;; esac; }
WSGATE_CMD_STR=""
for a in "${WSGATE_CMD[@]}"; do a="${a/#"$APP_DIR"/\$EXTRACTED}"; WSGATE_CMD_STR+="$(shq "${a#"$REPO"/}") "; done
json_line event=meta stamp="$STAMP" date="$(date -u '+%Y-%m-%d %H:%M UTC')" quick="$BENCH_QUICK" \
  nproc="$(nproc)" kernel="$(uname -r)" \
  cpu_model="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)" \
  mem_total_kb="$(awk '/^MemTotal/ {print $2}' /proc/meminfo)" \
  java_version="$(java -version 2>&1 | head -2 | tr '\n' ' ' | sed 's/ *$//')" \
  node_version="$(node --version)" \
  nginx_version="$(nginx -v 2>&1 | sed 's/^nginx version: //' || echo unknown)" \
  fd_limit="$(ulimit -n)" \
  wsgate_rev="$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)" \
  jar="$(basename "$JAR")" jvm_opts="$WSGATE_JVM_OPTS" wsgate_cmd="${WSGATE_CMD_STR% }" \
  invocation="$INVOCATION" targets="$BENCH_TARGETS" phases="$BENCH_PHASES" \
  duration_s="$DURATION" warmup_s="$WARMUP" jvm_warmup_s="$JVM_WARMUP" \
  warm_conns="$WARM_CONNS" warm_rounds="$WARM_ROUNDS" \
  echo_conns="$ECHO_CONNS" echo_size="$ECHO_SIZE" echo_window="$ECHO_WINDOW" \
  rate="$RATE" rate_conns="$RATE_CONNS" rate_size="$RATE_SIZE" \
  hs_conns="$HS_CONNS" hs_ramp="$HS_RAMP" hs_hold_s="$HS_HOLD" \
  idle_conns="$IDLE_CONNS" idle_ramp="$IDLE_RAMP" idle_hold_s="$IDLE_HOLD" \
  ports="direct=$BACKEND_PORT nginx=$NGINX_PORT wsgate=$WSGATE_PORT" | emit
if [ -n "$WSGATE_PID" ]; then
  # wsgate's own account of its start: Spring's start-up time and its warm-up's line
  json_line event=startup target=wsgate ready_ms="$READY_MS" \
    started="$(grep -o 'Started WsgateApplication in .*' "$WSGATE_LOG" | head -1)" \
    warmup="$(grep -oE 'warm-up(:| stopped| failed| skipped).*' "$WSGATE_LOG" | head -1)" | emit
fi

# ---------------------------------------------------------------------------------------
# Per-target helpers: port, pids whose CPU/RSS belong to the target.
# ---------------------------------------------------------------------------------------
port_of() { case "$1" in direct) echo "$BACKEND_PORT" ;; nginx) echo "$NGINX_PORT" ;; wsgate) echo "$WSGATE_PORT" ;; esac; }
proxy_pids() { # comma list; for direct the backend itself is the process that holds the connections
  case "$1" in
    direct) echo "$BACKEND_PID" ;;
    nginx) "$HARNESS/proxies.sh" pids nginx "$NGINX_PORT" ;; # master + workers
    wsgate) echo "$WSGATE_PID" ;;
  esac
}
cpu_pids() { # "backend=PID,nginx=PID,nginx=PID" (loadgen sums pids sharing a name)
  if [ "$1" = direct ]; then echo "backend=$BACKEND_PID"; return; fi
  echo "backend=$BACKEND_PID,$(proxy_pids "$1" | sed -E "s/([0-9]+)/$1=\1/g")"
}

OUT="$WORK/out.jsonl" # stdout of the current harness command

# loadgen PHASE TARGET PATH ARGS...: one bounded loadgen run against ws://127.0.0.1:<port>/PATH
# (the backend echoes on any path), its result line tagged and recorded
loadgen() {
  local phase="$1" target="$2" path="$3"
  shift 3
  local args=(--url "ws://127.0.0.1:$(port_of "$target")/$path" --label "$target" "$@")
  json_line event=run phase="$phase" target="$target" cmd="node loadgen.mjs ${args[*]}" >>"$JSONL"
  if ! run_bounded 900 "$OUT" node "$HARNESS/loadgen.mjs" "${args[@]}"; then
    note "loadgen $phase $target failed (exit status above in $LOG)"
  fi
  record "$phase" "$target" "$OUT"
}

# heap_info WHEN FILE [gc]: wsgate's heap occupancy (jcmd GC.heap_info) as one JSON line in FILE;
# with "gc", after a full collection (jcmd GC.run), so that "used" is what is live
heap_info() {
  local text when="$1"
  if [ "${3:-}" = gc ]; then
    timeout 60 jcmd "$WSGATE_PID" GC.run >/dev/null 2>&1 || true
    when="$when, after a full GC"
  fi
  text="$(timeout 20 jcmd "$WSGATE_PID" GC.heap_info 2>&1 || true)"
  json_line event=heap_info target=wsgate when="$when" live="${3:-}" text="$text" >"$2"
}

# cpu_ticks PIDS: user+system clock ticks of the comma-listed processes, summed
cpu_ticks() {
  local total=0 pid rest
  for pid in ${1//,/ }; do
    rest="$(sed -E 's/^[0-9]+ \(.*\) //' "/proc/$pid/stat" 2>/dev/null)" || continue
    read -ra f <<<"$rest"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}
TICK="$(getconf CLK_TCK)"

# pss_kb PIDS: proportional set size of the comma-listed processes, summed (KiB)
pss_kb() {
  local total=0 pid v
  for pid in ${1//,/ }; do
    v="$(awk '/^Pss:/ {print $2; exit}' "/proc/$pid/smaps_rollup" 2>/dev/null)"
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# upgrades PHASE TARGET: one round of HS_CONNS upgrades at HS_RAMP/s (held HS_HOLD s, then closed),
# recorded, with the target's CPU time over the round (upgrade, hold and close) per upgrade
upgrades() {
  local phase="$1" target="$2" pids c0 c1 opened
  pids="$(proxy_pids "$target")"
  c0="$(cpu_ticks "$pids")"
  loadgen "$phase" "$target" idle --mode conns --conns "$HS_CONNS" --ramp "$HS_RAMP" --hold "$HS_HOLD" --pid "$pids"
  sleep 2 # the closes' tail
  c1="$(cpu_ticks "$pids")"
  opened="$(grep -o '"opened":[0-9]*' "$OUT" | head -1 | cut -d: -f2)"
  if [ -n "$opened" ] && [ "$opened" -gt 0 ]; then
    json_line event=cpu phase="$phase" target="$target" upgrades="$opened" cpu_ms=$(((c1 - c0) * 1000 / TICK)) \
      cpu_us_per_upgrade=$(((c1 - c0) * 1000000 / TICK / opened)) | emit
  fi
}

# ---------------------------------------------------------------------------------------
# 4b. Cold: the first round of upgrades a freshly started wsgate takes, right after it reported
#     ready (its own warm-up done, none by the harness), as a replica does in a reconnect storm.
# ---------------------------------------------------------------------------------------
if has wsgate "$BENCH_TARGETS" && has cold "$BENCH_PHASES"; then
  note "cold: $HS_CONNS upgrades at $HS_RAMP/s through the freshly started wsgate"
  upgrades cold wsgate
  sleep "$PAUSE"
fi

# ---------------------------------------------------------------------------------------
# 5. Warm up the JVM (JIT-compile the relay and the upgrade path) before anything is timed:
#    an untimed echo run and a burst of handshakes through wsgate. nginx needs none.
# ---------------------------------------------------------------------------------------
if has wsgate "$BENCH_TARGETS"; then
  note "warming up wsgate: ${JVM_WARMUP}s echo + $WARM_ROUNDS x $WARM_CONNS handshakes (kept in the jsonl as phase warmup)"
  loadgen warmup wsgate echo --mode echo --conns "$ECHO_CONNS" --size "$ECHO_SIZE" --window "$ECHO_WINDOW" \
    --duration "$JVM_WARMUP" --warmup 0
  for _ in $(seq 1 "$WARM_ROUNDS"); do
    loadgen warmup wsgate idle --mode conns --conns "$WARM_CONNS" --ramp "$HS_RAMP" --hold 1
    sleep "$PAUSE"
  done
fi

# ---------------------------------------------------------------------------------------
# 6. Behaviour probes (13 checks incl. broadcast via /updates).
# ---------------------------------------------------------------------------------------
if has probe "$BENCH_PHASES"; then
  for t in $BENCH_TARGETS; do
    p="$(port_of "$t")"
    note "probe $t"
    json_line event=run phase=probe target="$t" cmd="node probe.mjs --url ws://127.0.0.1:$p/echo --label $t --backend http://127.0.0.1:$BACKEND_PORT --updates-url ws://127.0.0.1:$p/updates" >>"$JSONL"
    run_bounded 300 "$OUT" node "$HARNESS/probe.mjs" --url "ws://127.0.0.1:$p/echo" --label "$t" \
      --backend "http://127.0.0.1:$BACKEND_PORT" --updates-url "ws://127.0.0.1:$p/updates" \
      || note "probe $t failed"
    record probe "$t" "$OUT"
    note "probe $t: $(grep -c '"pass":true' "$OUT" || true)/$(grep -c '"pass":' "$OUT" || true) passed"
  done
fi

# ---------------------------------------------------------------------------------------
# 7. Echo (closed loop): throughput and the proxy's CPU per round trip.
# ---------------------------------------------------------------------------------------
if has echo "$BENCH_PHASES"; then
  for t in $BENCH_TARGETS; do
    idle_check "echo $t"
    note "echo $t: $ECHO_CONNS conns x window $ECHO_WINDOW, ${DURATION}s"
    loadgen echo "$t" echo --mode echo --conns "$ECHO_CONNS" --size "$ECHO_SIZE" --window "$ECHO_WINDOW" \
      --duration "$DURATION" --warmup "$WARMUP" --cpu-pids "$(cpu_pids "$t")"
    sleep "$PAUSE"
  done
fi

# ---------------------------------------------------------------------------------------
# 8. Rate (open loop, fixed 5000 msgs/s): latency without coordinated omission.
# ---------------------------------------------------------------------------------------
if has rate "$BENCH_PHASES"; then
  for t in $BENCH_TARGETS; do
    idle_check "rate $t"
    note "rate $t: $RATE/s over $RATE_CONNS conns, ${DURATION}s"
    loadgen rate "$t" echo --mode rate --conns "$RATE_CONNS" --size "$RATE_SIZE" --rate "$RATE" \
      --duration "$DURATION" --warmup "$WARMUP" --cpu-pids "$(cpu_pids "$t")"
    sleep "$PAUSE"
  done
fi

# ---------------------------------------------------------------------------------------
# 9. Handshakes: HS_CONNS upgrades at HS_RAMP/s, latency from new WebSocket to open.
# ---------------------------------------------------------------------------------------
if has handshake "$BENCH_PHASES"; then
  for t in $BENCH_TARGETS; do
    idle_check "handshake $t"
    note "handshake $t: $HS_CONNS at $HS_RAMP/s, hold ${HS_HOLD}s"
    upgrades handshake "$t"
    sleep "$PAUSE"
  done
fi

# ---------------------------------------------------------------------------------------
# 10. Idle memory: IDLE_CONNS idle connections held IDLE_HOLD s; RSS growth of the process(es)
#     holding them (nginx: master + workers summed; direct: the backend). wsgate's heap
#     occupancy is sampled before (after a full GC), in the middle of the hold (as it is, then
#     after a full GC: what the connections keep live), and after. PSS is sampled too:
#     ZGC maps the heap three times and RSS counts a heap page once per mapping, PSS (like a
#     container's memory cgroup) once.
# ---------------------------------------------------------------------------------------
if has idle "$BENCH_PHASES"; then
  for t in $BENCH_TARGETS; do
    idle_check "idle $t"
    note "idle $t: $IDLE_CONNS conns at $IDLE_RAMP/s, hold ${IDLE_HOLD}s (RSS of pids $(proxy_pids "$t"))"
    rm -f "$WORK/pss-max" "$WORK/pss-stop"
    if [ "$t" = wsgate ]; then
      heap_info before "$WORK/heap-before.jsonl" gc
      # mid-hold, connections all open and none closed yet: the heap as it is, then what is live
      # (after the PSS sampler stopped: a full GC's relocation must not count as connection memory)
      (sleep "$(((IDLE_CONNS + IDLE_RAMP - 1) / IDLE_RAMP + IDLE_HOLD / 2 + 1))" \
        && heap_info hold "$WORK/heap-hold.jsonl" \
        && touch "$WORK/pss-stop" && sleep 1.5 \
        && heap_info hold "$WORK/heap-live.jsonl" gc) &
      SIDE_JOB=$!
    fi
    pids="$(proxy_pids "$t")"
    pss0="$(pss_kb "$pids")"
    (m=0; while [ ! -e "$WORK/pss-stop" ]; do
      v="$(pss_kb "$pids")"; [ "$v" -gt "$m" ] && m=$v && echo "$m" >"$WORK/pss-max"; sleep 1
    done) &
    PSS_JOB=$!
    loadgen idle "$t" idle --mode conns --conns "$IDLE_CONNS" --ramp "$IDLE_RAMP" --hold "$IDLE_HOLD" --pid "$pids"
    stop_pid "$PSS_JOB" 2
    PSS_JOB=""
    opened="$(grep -o '"opened":[0-9]*' "$OUT" | head -1 | cut -d: -f2)"
    if [ -n "$opened" ] && [ "$opened" -gt 0 ] && [ -s "$WORK/pss-max" ]; then
      pss1="$(cat "$WORK/pss-max")"
      json_line event=pss phase=idle target="$t" pss_before_kb="$pss0" pss_hold_kb="$pss1" opened="$opened" \
        pss_per_conn_kb="$(node -e "console.log((($pss1 - $pss0) / $opened).toFixed(2))")" | emit
    fi
    rm -f "$WORK/pss-max" "$WORK/pss-stop"
    if [ "$t" = wsgate ]; then
      wait "$SIDE_JOB" 2>/dev/null || true
      SIDE_JOB=""
      heap_info after "$WORK/heap-after.jsonl"
      cat "$WORK"/heap-before.jsonl "$WORK"/heap-hold.jsonl "$WORK"/heap-live.jsonl "$WORK"/heap-after.jsonl \
        2>/dev/null >>"$JSONL" || true
    fi
    sleep "$PAUSE"
  done
fi

# ---------------------------------------------------------------------------------------
# 11. Anything wsgate logged at WARN or above during the run goes into the stderr log.
# ---------------------------------------------------------------------------------------
if [ -n "$WSGATE_PID" ]; then
  if ! kill -0 "$WSGATE_PID" 2>/dev/null; then note "warning: wsgate is no longer running; see $WSGATE_LOG"; fi
  warns="$(grep -cE ' (WARN|ERROR) ' "$WSGATE_LOG" || true)"
  json_line event=wsgate_log warn_or_error_lines="${warns:-0}" alive="$(kill -0 "$WSGATE_PID" 2>/dev/null && echo yes || echo no)" | emit
  [ "${warns:-0}" = 0 ] || note "wsgate logged $warns WARN/ERROR lines; see $WSGATE_LOG"
fi

# ---------------------------------------------------------------------------------------
# 12. The report: markdown generated from the jsonl alone, so it can be regenerated with
#     node bench/report.mjs bench/results/<stamp>.jsonl > docs/performance.md
# ---------------------------------------------------------------------------------------
mkdir -p "$(dirname "$BENCH_DOC")"
node "$HERE/report.mjs" "$JSONL" >"$BENCH_DOC.tmp"
# the other benchmarks' sections (bench/inspection.sh, bench/bridge.sh), below the marker, are kept
MARKER='<!-- other benchmarks: kept as they are by bench/run.sh -->'
if [ -f "$BENCH_DOC" ] && grep -qF "$MARKER" "$BENCH_DOC"; then
  awk -v marker="$MARKER" 'found || $0 == marker { found = 1; print }' "$BENCH_DOC" | { echo; cat; } >>"$BENCH_DOC.tmp"
fi
mv "$BENCH_DOC.tmp" "$BENCH_DOC"
note "results: $JSONL"
note "logs:    $LOG, $WSGATE_LOG, $BACKEND_LOG"
note "report:  $BENCH_DOC"
