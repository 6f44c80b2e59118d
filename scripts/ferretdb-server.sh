# shellcheck shell=bash
# Starts a throwaway FerretDB (v1, a MongoDB-wire-compatible server on PostgreSQL, Apache-2.0)
# for the Mongo data API tests, on the PostgreSQL server the tests already use. Meant to be
# sourced by scripts/test.sh after it has started PostgreSQL (or by hand):
#
#   source scripts/ferretdb-server.sh && node --test test/data/ferretdb.test.ts; stop_ferretdb_server
#
# It needs SLIPSTREAM_TEST_DATABASE_URL (a PostgreSQL URL whose user may create databases). A
# database `ferretdb` is created on that server when missing (FerretDB makes one PostgreSQL
# schema per Mongo database), FerretDB is started on 127.0.0.1 and a free port with its state
# in a temp dir, and once it answers a `ping` this is exported:
#   SLIPSTREAM_TEST_MONGODB_URL=mongodb://127.0.0.1:<port>/
# stop_ferretdb_server kills the server and removes its temp dir. A caller who already set
# SLIPSTREAM_TEST_MONGODB_URL gets that used instead and nothing is started.
#
# FerretDB is built once from the Go module proxy into
# ${XDG_CACHE_HOME:-$HOME/.cache}/slipstream/ferretdb/ferretdb-<version>/ (outside the
# repository) and reused by later runs; a lock file there keeps two runs from building at once.
# `go install …@v1.24.2` gives a binary that panics at start (build/version/version.txt must
# hold the version when FerretDB is the main module), so the module is downloaded with
# `go mod download`, copied to a writable temp dir, stamped, and built as the main module, with
# -tags ferretdb_no_sqlite (no SQLite backend: modernc.org/sqlite is not compiled). The build's
# output goes to build.log beside the binary. See docs/design/data-apis.md §5.2.
#
# Being sourced, this never calls `exit`: failures print a `[test] error:` line and return 1.

SLIPSTREAM_FERRETDB_VERSION=v1.24.2
SLIPSTREAM_FERRETDB_MODULE=github.com/FerretDB/FerretDB

_fdb_log() { printf '[test] %s\n' "$*"; }
_fdb_err() { printf '[test] error: %s\n' "$*" >&2; }

_FDB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_FDB_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/slipstream/ferretdb
_FDB_TMP=""
_FDB_PID=""
_FDB_WATCHDOG_PID=""

_fdb_go() {
  local candidate
  for candidate in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go /usr/lib/go/bin/go "$HOME/go/bin/go"; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then printf '%s\n' "$candidate"; return 0; fi
  done
  return 1
}

# Builds FerretDB into the cache unless it is already there (the caller holds the lock).
_fdb_build_locked() {
  local go=$1 bin=$2 buildlog dir work started
  [[ -x "$bin" ]] && return 0 # built by another run while we waited for the lock
  buildlog="$(dirname "$bin")/build.log"
  mkdir -p "$(dirname "$bin")" || { _fdb_err "cannot create $(dirname "$bin")"; return 1; }
  _fdb_log "building FerretDB $SLIPSTREAM_FERRETDB_VERSION from the Go module proxy into $(dirname "$bin") (once; a few minutes; log: $buildlog)" >&2
  started=$SECONDS
  : >"$buildlog"
  # From / with -mod=mod so that no go.mod around the caller's directory takes part.
  dir=$(cd / && GOFLAGS=-mod=mod "$go" mod download -json "$SLIPSTREAM_FERRETDB_MODULE@$SLIPSTREAM_FERRETDB_VERSION" 2>>"$buildlog" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  if [[ -z "$dir" || ! -d "$dir" ]]; then
    tail -n 20 "$buildlog" >&2 2>/dev/null || true
    _fdb_err "go mod download $SLIPSTREAM_FERRETDB_MODULE@$SLIPSTREAM_FERRETDB_VERSION failed"
    return 1
  fi
  # The module cache is read-only; build from a writable copy.
  work=$(mktemp -d "${TMPDIR:-/tmp}/slipstream-ferretdb-build.XXXXXX") || { _fdb_err "mktemp failed"; return 1; }
  if ! { cp -r "$dir/." "$work/" && chmod -R u+w "$work"; }; then
    rm -rf "$work"; _fdb_err "cannot copy $dir"; return 1
  fi
  # Without it the binary panics at start ("Invalid build/version/version.txt file content").
  printf '%s\n' "$SLIPSTREAM_FERRETDB_VERSION" >"$work/build/version/version.txt"
  # -p 2 and nice: the machines running the tests are small and shared.
  if ! (cd "$work" && GOFLAGS=-buildvcs=false nice -n 10 "$go" build -p 2 -trimpath -tags ferretdb_no_sqlite \
    -o "$bin.tmp" ./cmd/ferretdb) >>"$buildlog" 2>&1; then
    rm -rf "$work" "$bin.tmp"
    tail -n 30 "$buildlog" >&2 2>/dev/null || true
    _fdb_err "building FerretDB $SLIPSTREAM_FERRETDB_VERSION failed (full log: $buildlog)"
    return 1
  fi
  rm -rf "$work"
  mv "$bin.tmp" "$bin" || { _fdb_err "cannot move the binary into $bin"; return 1; }
  _fdb_log "built FerretDB $SLIPSTREAM_FERRETDB_VERSION in $((SECONDS - started))s" >&2
}

# Makes sure the pinned FerretDB is in the cache; prints the binary's path.
_fdb_install() {
  local bin="$_FDB_CACHE/ferretdb-$SLIPSTREAM_FERRETDB_VERSION/ferretdb" go
  if [[ -x "$bin" ]]; then printf '%s\n' "$bin"; return 0; fi
  go=$(_fdb_go) || { _fdb_err "go is needed once to build FerretDB (scripts/s3-server.sh installs it for npm test); or set SLIPSTREAM_TEST_MONGODB_URL"; return 1; }
  mkdir -p "$_FDB_CACHE" || { _fdb_err "cannot create $_FDB_CACHE"; return 1; }
  if command -v flock >/dev/null 2>&1; then
    # Another run building right now: wait for it (up to 30 min), then use its binary.
    (
      flock -n 9 || { _fdb_log "waiting for another run that is building FerretDB" >&2; flock -w 1800 9; } \
        || { _fdb_err "timed out waiting for the lock $_FDB_CACHE/build.lock"; exit 1; }
      _fdb_build_locked "$go" "$bin"
    ) 9>"$_FDB_CACHE/build.lock" || return 1
  else
    _fdb_build_locked "$go" "$bin" || return 1
  fi
  [[ -x "$bin" ]] || { _fdb_err "the build succeeded but $bin is missing"; return 1; }
  printf '%s\n' "$bin"
}

_fdb_node() { (cd "$_FDB_ROOT" && "$_FDB_ROOT/node_modules/.bin/node" --input-type=module -e "$@"); }

# Creates the database FerretDB stores everything in; prints FerretDB's PostgreSQL URL.
_fdb_prepare_postgres() {
  FDB_DATABASE_URL="$SLIPSTREAM_TEST_DATABASE_URL" _fdb_node '
    import { createRequire } from "node:module";
    const pg = createRequire(process.cwd() + "/package.json")("pg");
    const url = new URL(process.env.FDB_DATABASE_URL);
    url.pathname = "/ferretdb";
    const client = new pg.Client({ connectionString: process.env.FDB_DATABASE_URL });
    try {
      await client.connect();
      const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", ["ferretdb"]);
      if (found.rowCount === 0) {
        try { await client.query("CREATE DATABASE ferretdb"); }
        catch (error) { if (error.code !== "42P04") throw error; } // created meanwhile by another run
      }
    } catch (error) {
      console.error("[test] error: could not create the PostgreSQL database ferretdb: " + error.message);
      process.exit(1);
    } finally {
      await client.end().catch(() => {});
    }
    console.log(url.href);
  '
}

_fdb_free_port() {
  "$_FDB_ROOT/node_modules/.bin/node" -e '
    const s = require("node:net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Waits until the server answers a `ping` with the official driver; prints what buildInfo says.
_fdb_ping() {
  FDB_URL="$1" _fdb_node '
    import { createRequire } from "node:module";
    const { MongoClient } = createRequire(process.cwd() + "/package.json")("mongodb");
    const deadline = Date.now() + 20_000;
    for (;;) {
      const client = new MongoClient(process.env.FDB_URL, { serverSelectionTimeoutMS: 2000, connectTimeoutMS: 2000 });
      try {
        await client.db("admin").command({ ping: 1 });
        const info = await client.db("admin").command({ buildInfo: 1 });
        console.log(`${info.ferretdbVersion ?? "?"} (reports MongoDB ${info.version})`);
        await client.close();
        break;
      } catch (error) {
        await client.close().catch(() => {});
        if (Date.now() > deadline) { console.error("[test] error: FerretDB does not answer ping: " + error.message); process.exit(1); }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  '
}

start_ferretdb_server() {
  if [[ -n "${SLIPSTREAM_TEST_MONGODB_URL:-}" ]]; then
    _fdb_log "using the MongoDB-wire server from SLIPSTREAM_TEST_MONGODB_URL"
    return 0
  fi
  if [[ -n "$_FDB_PID" ]]; then
    _fdb_err "a FerretDB server is already running (pid $_FDB_PID)"
    return 1
  fi
  [[ -x "$_FDB_ROOT/node_modules/.bin/node" ]] || { _fdb_err "node_modules is missing: run npm ci first"; return 1; }
  [[ -n "${SLIPSTREAM_TEST_DATABASE_URL:-}" ]] || { _fdb_err "FerretDB needs PostgreSQL: SLIPSTREAM_TEST_DATABASE_URL is not set"; return 1; }

  local bin pgurl
  bin=$(_fdb_install) || return 1
  pgurl=$(_fdb_prepare_postgres) || return 1

  _FDB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/slipstream-ferretdb.XXXXXX") || { _fdb_err "mktemp failed"; return 1; }
  mkdir "$_FDB_TMP/state"

  local port attempt i started=0
  for attempt in 1 2 3 4 5; do
    port=$(_fdb_free_port) || { _fdb_err "no free port"; break; }
    _fdb_log "starting FerretDB $SLIPSTREAM_FERRETDB_VERSION (postgresql handler) on 127.0.0.1:$port"
    # --debug-addr=- : its debug HTTP server would otherwise bind 127.0.0.1:8088 in every run.
    # The URL goes through the environment, not argv (which `ps` shows; it may hold a password).
    FERRETDB_POSTGRESQL_URL="$pgurl" "$bin" --handler=postgresql --listen-addr="127.0.0.1:$port" \
      --state-dir="$_FDB_TMP/state" --debug-addr=- --telemetry=disable --log-level=warn \
      </dev/null >"$_FDB_TMP/server.log" 2>&1 &
    _FDB_PID=$!
    # Up once the port answers; gone if the port was taken between our probe and its bind.
    for i in $(seq 1 150); do
      if ! kill -0 "$_FDB_PID" 2>/dev/null; then break; fi
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then started=1; break; fi
      sleep 0.1
    done
    if [[ $started -eq 1 ]] && kill -0 "$_FDB_PID" 2>/dev/null; then break; fi
    started=0
    kill "$_FDB_PID" 2>/dev/null || true
    wait "$_FDB_PID" 2>/dev/null || true
    _FDB_PID=""
  done
  if [[ $started -ne 1 ]]; then
    tail -n 20 "$_FDB_TMP/server.log" >&2 2>/dev/null || true
    _fdb_err "FerretDB did not start"
    rm -rf "$_FDB_TMP"; _FDB_TMP=""
    return 1
  fi

  # Should the shell that sourced us die without calling stop_ferretdb_server, take the server along.
  local owner=$$ pid=$_FDB_PID tmp=$_FDB_TMP
  (
    trap '' INT
    while kill -0 "$owner" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do sleep 1; done
    kill "$pid" 2>/dev/null
    sleep 0.5
    rm -rf "$tmp"
  ) </dev/null >/dev/null 2>&1 &
  _FDB_WATCHDOG_PID=$!

  local url="mongodb://127.0.0.1:$port/" info
  if ! info=$(_fdb_ping "$url"); then
    tail -n 20 "$_FDB_TMP/server.log" >&2 2>/dev/null || true
    stop_ferretdb_server
    return 1
  fi
  export SLIPSTREAM_TEST_MONGODB_URL="$url"
  _fdb_log "FerretDB ready: $info at $url"
}

stop_ferretdb_server() {
  if [[ -n "$_FDB_WATCHDOG_PID" ]]; then
    kill "$_FDB_WATCHDOG_PID" 2>/dev/null || true
    wait "$_FDB_WATCHDOG_PID" 2>/dev/null || true
    _FDB_WATCHDOG_PID=""
  fi
  if [[ -n "$_FDB_PID" ]]; then
    kill "$_FDB_PID" 2>/dev/null || true
    # It shuts down gracefully on SIGTERM; do not let a stuck one hold the run up.
    local i
    for i in $(seq 1 50); do kill -0 "$_FDB_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$_FDB_PID" 2>/dev/null || true
    wait "$_FDB_PID" 2>/dev/null || true
    _FDB_PID=""
    # Only the URL of the server we started: a caller's own stays.
    unset SLIPSTREAM_TEST_MONGODB_URL
  fi
  if [[ -n "$_FDB_TMP" && -d "$_FDB_TMP" ]]; then rm -rf "$_FDB_TMP"; fi
  _FDB_TMP=""
  return 0
}

start_ferretdb_server
