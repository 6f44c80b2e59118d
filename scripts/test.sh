#!/usr/bin/env bash
# Runs the type-check and the whole test suite against both metadata stores and every object
# store (memory, local directory, and S3 on a real S3-compatible server it starts), the interop
# suites with real Kafka clients, and the Terraform acceptance run with WarpStream's provider
# (test/terraform/; OpenTofu and the provider are built once by scripts/terraform-tools.sh).
#
#   bash scripts/test.sh                          # everything: test/**/*.test.ts
#   bash scripts/test.sh test/metadata/store.test.ts   # only the files named
#   bash scripts/test.sh --test-name-pattern=ACL  # options only: passed on, all files run
#
# SQLite needs nothing. For PostgreSQL a throwaway server is started for the run (initdb into a
# temp dir, 127.0.0.1 on a free port, trust auth) and removed on exit, pass or fail; its URL
# reaches the tests as SLIPSTREAM_TEST_DATABASE_URL. A caller who already set
# SLIPSTREAM_TEST_DATABASE_URL gets that database used instead and nothing is started.
# Works on a fresh Debian 12 as root (installs the `postgresql` package when the server
# binaries are missing; the server itself runs as the unprivileged `postgres` user).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
NODE="$ROOT/node_modules/.bin/node"
TSC="$ROOT/node_modules/.bin/tsc"

log() { printf '[test] %s\n' "$*"; }
die() { printf '[test] error: %s\n' "$*" >&2; exit 1; }

[[ -x "$NODE" && -x "$TSC" ]] || die "node_modules is missing: run npm ci first"

# --- PostgreSQL server binaries ------------------------------------------------------------

PG_BIN=""
find_pg_bin() {
  local initdb dir
  initdb=$(command -v initdb 2>/dev/null || true)
  if [[ -n "$initdb" ]]; then
    dir=$(dirname "$(readlink -f "$initdb")")
    if [[ -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then PG_BIN=$dir; return 0; fi
  fi
  # Debian keeps the server out of PATH; take the newest installed major version.
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then PG_BIN=$dir; return 0; fi
  done
  return 1
}

# Runs a server binary as the `postgres` OS user when we are root (PostgreSQL refuses root).
as_pg() {
  if [[ $EUID -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

PG_TMP=""
PG_STARTED=0
cleanup() {
  local status=$?
  if declare -F stop_ferretdb_server >/dev/null; then stop_ferretdb_server; fi
  if declare -F stop_s3_server >/dev/null; then stop_s3_server; fi
  if declare -F stop_keycloak_server >/dev/null; then stop_keycloak_server; fi
  if [[ $PG_STARTED -eq 1 ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    PG_STARTED=0
  fi
  if [[ -n "$PG_TMP" && -d "$PG_TMP" ]]; then rm -rf "$PG_TMP"; fi
  PG_TMP=""
  return $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  "$NODE" -e '
    const s = require("node:net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

start_postgres() {
  if ! find_pg_bin; then
    [[ $EUID -eq 0 ]] || die "PostgreSQL server binaries (initdb, pg_ctl) not found; install the postgresql package or set SLIPSTREAM_TEST_DATABASE_URL"
    log "installing PostgreSQL (apt-get install postgresql)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
    find_pg_bin || die "PostgreSQL server binaries still not found after installing postgresql"
  fi
  local version
  version=$("$PG_BIN/postgres" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')

  if [[ $EUID -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi

  PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/slipstream-pg.XXXXXX")
  mkdir "$PG_TMP/socket"
  if [[ $EUID -eq 0 ]]; then chown -R postgres: "$PG_TMP"; fi

  as_pg "$PG_BIN/initdb" --pgdata="$PG_TMP/data" --username=postgres --auth=trust \
    --encoding=UTF8 --no-instructions >"$PG_TMP/initdb.log" 2>&1 \
    || { cat "$PG_TMP/initdb.log" >&2; die "initdb failed"; }

  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    log "starting PostgreSQL $version on 127.0.0.1:$port"
    if as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_TMP/socket -c max_connections=200" \
      start >/dev/null 2>&1; then
      PG_STARTED=1
      break
    fi
    # Most likely someone took the port between our probe and the server's bind: try another.
    if [[ $attempt -eq 5 ]]; then tail -n 20 "$PG_TMP/server.log" >&2 || true; die "PostgreSQL did not start"; fi
  done

  local ready=0
  for attempt in $(seq 1 100); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; then ready=1; break; fi
    sleep 0.1
  done
  [[ $ready -eq 1 ]] || { tail -n 20 "$PG_TMP/server.log" >&2 || true; die "PostgreSQL is not accepting connections"; }

  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c 'CREATE DATABASE slipstream_test' >/dev/null \
    || die "could not create database slipstream_test"

  # Only the tests' own variable: DATABASE_URL would switch every process the tests start to it.
  export SLIPSTREAM_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/slipstream_test"
  # The data API's answers are compared with what psql prints for the same SQL (test/data/).
  export SLIPSTREAM_TEST_PSQL="$PG_BIN/psql"
}

# --- run -----------------------------------------------------------------------------------

log "type-checking"
"$TSC" --noEmit -p .

if [[ -n "${SLIPSTREAM_TEST_DATABASE_URL:-}" ]]; then
  log "using PostgreSQL from SLIPSTREAM_TEST_DATABASE_URL"
else
  start_postgres
fi

# A real S3-compatible server (Versity S3 Gateway) for the object-store suite.
# shellcheck source=scripts/s3-server.sh
source "$ROOT/scripts/s3-server.sh" || die "could not start the S3 server"

# A real MongoDB-wire server (FerretDB v1 on the PostgreSQL above, built once from the Go module
# proxy) for the Mongo data API suites: SLIPSTREAM_TEST_MONGODB_URL.
# shellcheck source=scripts/ferretdb-server.sh
source "$ROOT/scripts/ferretdb-server.sh" || die "could not start FerretDB"

# The Kafka clients the interop suites drive (kcat, confluent-kafka and kafka-python from Debian).
# shellcheck source=scripts/ensure-clients.sh
source "$ROOT/scripts/ensure-clients.sh" || die "could not install the Kafka clients"

# File arguments replace the default glob; option-only arguments are passed on with it.
files=0
terraform=1
for arg in "$@"; do
  if [[ "$arg" != -* ]]; then
    if [[ $files -eq 0 ]]; then terraform=0; fi
    files=1
    [[ "$arg" == test/terraform/* ]] && terraform=1
  fi
done
if [[ $files -eq 1 ]]; then set -- "$@"; else set -- "$@" 'test/**/*.test.ts'; fi

# OpenTofu and WarpStream's Terraform provider for the acceptance run (test/terraform/), built
# once; only when that suite is part of this run.
if [[ $terraform -eq 1 ]]; then
  # shellcheck source=scripts/terraform-tools.sh
  source "$ROOT/scripts/terraform-tools.sh"
  ensure_terraform_tools || die "could not build OpenTofu and the Terraform provider"
  if [[ -n "${SLIPSTREAM_TF_UNAVAILABLE:-}" ]]; then log "Terraform acceptance will be skipped: $SLIPSTREAM_TF_UNAVAILABLE"; fi
fi

# A throwaway Keycloak (from Maven Central, cached outside the repository) for the identity
# suites and the platform API's (which run on both identity providers); only when they are part
# of this run.
keycloak=$((1 - files))
for arg in "$@"; do [[ "$arg" == test/identity/* || "$arg" == test/platform-api/* || "$arg" == *keycloak* ]] && keycloak=1; done
if [[ $keycloak -eq 1 ]]; then
  # shellcheck source=scripts/keycloak-server.sh
  source "$ROOT/scripts/keycloak-server.sh" || die "could not start Keycloak"
fi

log "running tests"
status=0
# --test-force-exit: a test file whose tests have all ended exits even if a client library left a
# timer behind (kafkajs's retry timers after a broker was killed under load kept
# test/agent/durability.test.ts's process alive, and the run with it, though every test passed).
"$NODE" --test --test-force-exit --test-concurrency=1 "$@" || status=$?

# The agent suites once more with the agent reaching the control plane over the HTTP RPC, as
# agents on other machines do (everything else above ran it in-process): one suite, both clients.
if [[ $files -eq 0 ]]; then
  mapfile -t rpc_files < <(grep -l 'startTestCluster' test/agent/*.test.ts; echo test/interop/kafkajs.test.ts; echo test/interop/kafkajs-transactions.test.ts; echo test/interop/platformatic.test.ts)
  log "running the agent suites over the HTTP control-plane RPC (${#rpc_files[@]} files)"
  SLIPSTREAM_TEST_AGENT_RPC=http "$NODE" --test --test-force-exit --test-concurrency=1 "${rpc_files[@]}" || status=$?
fi
if [[ $status -eq 0 ]]; then log "passed"; else log "FAILED (exit $status)"; fi
exit $status
