# shellcheck shell=bash
# Starts a throwaway S3-compatible server for the tests: Versity S3 Gateway (versitygw) with its
# POSIX backend on a temp dir, on 127.0.0.1 and a free port, with a generated access key. Meant
# to be sourced (by scripts/test.sh, or by hand):
#
#   source scripts/s3-server.sh && node --test test/objects/; stop_s3_server
#
# On success SLIPSTREAM_TEST_S3_URL is exported:
#   s3://<bucket>?region=us-east-1&endpoint=http://127.0.0.1:<port>&access_key_id=…&secret_access_key=…
# and stop_s3_server kills the server and removes its temp dir. A caller who already set
# SLIPSTREAM_TEST_S3_URL gets that used instead and nothing is started.
#
# versitygw is built once with `go install` into SLIPSTREAM_BIN_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/slipstream/bin), outside the repository; later runs reuse it.
# When there is no `go`, Debian's golang-go is installed (as root) — but versitygw v1.8.0 needs
# Go >= 1.25, newer than Debian 12's golang-go (1.19), so there install Go from https://go.dev/dl.
#
# Being sourced, this never calls `exit`: failures print a `[test] error:` line and return 1.

SLIPSTREAM_VERSITYGW_VERSION=v1.8.0
SLIPSTREAM_VERSITYGW_MIN_GO=1.25

_s3_log() { printf '[test] %s\n' "$*"; }
_s3_err() { printf '[test] error: %s\n' "$*" >&2; }

_S3_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_S3_TMP=""
_S3_PID=""
_S3_WATCHDOG_PID=""

# Prints the path of a usable `go`, or nothing.
_s3_find_go() {
  local candidate
  for candidate in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go /usr/lib/go/bin/go "$HOME/go/bin/go"; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then printf '%s\n' "$candidate"; return 0; fi
  done
  return 1
}

# True when go version $1 (e.g. 1.26.8) is at least $2 (e.g. 1.25).
_s3_go_at_least() {
  local have=$1 want=$2
  [[ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n 1)" == "$want" ]]
}

# Builds versitygw into the cache dir unless it is already there; prints the binary's path.
_s3_install_versitygw() {
  local cache=${SLIPSTREAM_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slipstream/bin}
  local bin="$cache/versitygw" go version started
  go=$(_s3_find_go || true)

  if [[ -x "$bin" ]]; then
    # Reuse it if it is the pinned version (or if there is no go to tell).
    if [[ -z "$go" ]] || "$go" version -m "$bin" 2>/dev/null | grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/versity/versitygw[[:space:]]+$SLIPSTREAM_VERSITYGW_VERSION([[:space:]]|\$)"; then
      printf '%s\n' "$bin"
      return 0
    fi
    _s3_log "cached versitygw is not $SLIPSTREAM_VERSITYGW_VERSION: rebuilding" >&2
  fi

  if [[ -z "$go" ]]; then
    if [[ $EUID -ne 0 ]]; then
      _s3_err "go is not installed (needed once to build versitygw); install Go >= $SLIPSTREAM_VERSITYGW_MIN_GO or set SLIPSTREAM_TEST_S3_URL"
      return 1
    fi
    _s3_log "installing Go (apt-get install golang-go)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null \
      || { _s3_err "apt-get install golang-go failed"; return 1; }
    go=$(_s3_find_go || true)
    [[ -n "$go" ]] || { _s3_err "go still not found after installing golang-go"; return 1; }
  fi

  version=$("$go" env GOVERSION 2>/dev/null || "$go" version | awk '{print $3}')
  version=${version#go}
  if ! _s3_go_at_least "$version" 1.21 && ! _s3_go_at_least "$version" "$SLIPSTREAM_VERSITYGW_MIN_GO"; then
    # Go >= 1.21 fetches the newer toolchain versitygw asks for by itself; older ones cannot.
    _s3_err "versitygw $SLIPSTREAM_VERSITYGW_VERSION needs Go >= $SLIPSTREAM_VERSITYGW_MIN_GO but $go is $version; install a newer Go (https://go.dev/dl) or set SLIPSTREAM_TEST_S3_URL"
    return 1
  fi

  mkdir -p "$cache" || { _s3_err "cannot create $cache"; return 1; }
  _s3_log "building versitygw $SLIPSTREAM_VERSITYGW_VERSION into $cache (once; takes a few minutes)" >&2
  started=$SECONDS
  # From / so that no go.mod around the caller's directory takes part.
  if ! (cd / && GOBIN="$cache" GOFLAGS="${GOFLAGS:-} -buildvcs=false" "$go" install \
    "github.com/versity/versitygw/cmd/versitygw@$SLIPSTREAM_VERSITYGW_VERSION") >&2; then
    _s3_err "go install github.com/versity/versitygw/cmd/versitygw@$SLIPSTREAM_VERSITYGW_VERSION failed"
    return 1
  fi
  _s3_log "built versitygw in $((SECONDS - started))s" >&2
  [[ -x "$bin" ]] || { _s3_err "go install succeeded but $bin is missing"; return 1; }
  printf '%s\n' "$bin"
}

_s3_free_port() {
  "$_S3_ROOT/node_modules/.bin/node" -e '
    const s = require("node:net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

_s3_random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Waits for /health, then creates the bucket with the AWS SDK the project uses (so that the
# server has really accepted our credentials and signatures before any test runs).
_s3_create_bucket() {
  (cd "$_S3_ROOT" && "$_S3_ROOT/node_modules/.bin/node" --input-type=module -e '
    import { createRequire } from "node:module";
    const { S3Client, CreateBucketCommand } = createRequire(process.cwd() + "/package.json")("@aws-sdk/client-s3");
    const endpoint = process.env.S3_ENDPOINT;
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const response = await fetch(endpoint + "/health", { signal: AbortSignal.timeout(1000) });
        if (response.ok) break;
      } catch {}
      if (Date.now() > deadline) { console.error("[test] error: versitygw did not answer on " + endpoint); process.exit(1); }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const client = new S3Client({
      region: "us-east-1", endpoint, forcePathStyle: true,
      credentials: { accessKeyId: process.env.S3_ACCESS_KEY, secretAccessKey: process.env.S3_SECRET_KEY },
    });
    try {
      await client.send(new CreateBucketCommand({ Bucket: process.env.S3_BUCKET }));
    } catch (error) {
      console.error("[test] error: CreateBucket failed: " + (error.name ?? "") + " " + error.message);
      process.exit(1);
    } finally {
      client.destroy();
    }
  ')
}

start_s3_server() {
  if [[ -n "${SLIPSTREAM_TEST_S3_URL:-}" ]]; then
    _s3_log "using S3 from SLIPSTREAM_TEST_S3_URL"
    return 0
  fi
  if [[ -n "$_S3_PID" ]]; then
    _s3_err "an S3 server is already running (pid $_S3_PID)"
    return 1
  fi
  [[ -x "$_S3_ROOT/node_modules/.bin/node" ]] || { _s3_err "node_modules is missing: run npm ci first"; return 1; }

  local bin
  bin=$(_s3_install_versitygw) || return 1

  _S3_TMP=$(mktemp -d "${TMPDIR:-/tmp}/slipstream-s3.XXXXXX") || { _s3_err "mktemp failed"; return 1; }
  mkdir "$_S3_TMP/data"

  local access secret bucket port attempt started=0
  access="SLIP$(_s3_random_hex 8 | tr 'a-f' 'A-F')"
  secret=$(_s3_random_hex 20)
  bucket="slipstream-test-$(_s3_random_hex 4)"

  for attempt in 1 2 3 4 5; do
    port=$(_s3_free_port) || { _s3_err "no free port"; break; }
    _s3_log "starting versitygw $SLIPSTREAM_VERSITYGW_VERSION (posix backend) on 127.0.0.1:$port"
    # Credentials go through the environment, not argv (which `ps` shows).
    ROOT_ACCESS_KEY_ID="$access" ROOT_SECRET_ACCESS_KEY="$secret" \
      "$bin" --port "127.0.0.1:$port" --region us-east-1 --health /health --keep-alive --quiet \
      posix "$_S3_TMP/data" </dev/null >"$_S3_TMP/server.log" 2>&1 &
    _S3_PID=$!
    # Up once the port answers; gone if the port was taken between our probe and its bind.
    local i
    for i in $(seq 1 100); do
      if ! kill -0 "$_S3_PID" 2>/dev/null; then break; fi
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then started=1; break; fi
      sleep 0.1
    done
    if [[ $started -eq 1 ]] && kill -0 "$_S3_PID" 2>/dev/null; then break; fi
    started=0
    kill "$_S3_PID" 2>/dev/null || true
    wait "$_S3_PID" 2>/dev/null || true
    _S3_PID=""
  done
  if [[ $started -ne 1 ]]; then
    tail -n 20 "$_S3_TMP/server.log" >&2 2>/dev/null || true
    _s3_err "versitygw did not start"
    rm -rf "$_S3_TMP"; _S3_TMP=""
    return 1
  fi

  # Should the shell that sourced us die without calling stop_s3_server, take the server along.
  local owner=$$ pid=$_S3_PID tmp=$_S3_TMP
  (
    trap '' INT
    while kill -0 "$owner" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do sleep 1; done
    kill "$pid" 2>/dev/null
    sleep 0.5
    rm -rf "$tmp"
  ) </dev/null >/dev/null 2>&1 &
  _S3_WATCHDOG_PID=$!

  if ! S3_ENDPOINT="http://127.0.0.1:$port" S3_ACCESS_KEY="$access" S3_SECRET_KEY="$secret" S3_BUCKET="$bucket" \
    _s3_create_bucket; then
    tail -n 20 "$_S3_TMP/server.log" >&2 2>/dev/null || true
    stop_s3_server
    return 1
  fi

  export SLIPSTREAM_TEST_S3_URL="s3://$bucket?region=us-east-1&endpoint=http://127.0.0.1:$port&access_key_id=$access&secret_access_key=$secret"
  _s3_log "S3 ready: bucket $bucket at http://127.0.0.1:$port"
}

stop_s3_server() {
  if [[ -n "$_S3_WATCHDOG_PID" ]]; then
    kill "$_S3_WATCHDOG_PID" 2>/dev/null || true
    wait "$_S3_WATCHDOG_PID" 2>/dev/null || true
    _S3_WATCHDOG_PID=""
  fi
  if [[ -n "$_S3_PID" ]]; then
    kill "$_S3_PID" 2>/dev/null || true
    wait "$_S3_PID" 2>/dev/null || true
    _S3_PID=""
    # Only the URL of the server we started: a caller's own stays.
    unset SLIPSTREAM_TEST_S3_URL
  fi
  if [[ -n "$_S3_TMP" && -d "$_S3_TMP" ]]; then rm -rf "$_S3_TMP"; fi
  _S3_TMP=""
  return 0
}

start_s3_server
