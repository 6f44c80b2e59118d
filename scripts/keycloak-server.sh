# shellcheck shell=bash
# Starts a throwaway Keycloak for the tests: `kc.sh start-dev` on 127.0.0.1 with a free HTTP
# port and a free management port, its dev-file H2 database in a temp dir, and a bootstrap
# admin with a random password. Meant to be sourced (by scripts/test.sh, or by hand):
#
#   source scripts/keycloak-server.sh && node --test test/identity/keycloak.test.ts; stop_keycloak_server
#
# On success these are exported:
#   SLIPSTREAM_TEST_KEYCLOAK_URL=http://127.0.0.1:<port>
#   SLIPSTREAM_TEST_KEYCLOAK_ADMIN_USER, SLIPSTREAM_TEST_KEYCLOAK_ADMIN_PASSWORD (master realm)
# and stop_keycloak_server kills the server and removes its temp dir. A caller who already set
# SLIPSTREAM_TEST_KEYCLOAK_URL gets that used instead and nothing is started.
#
# The distribution (keycloak-quarkus-dist, ~165 MB) is downloaded once from Maven Central into
# SLIPSTREAM_BIN_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/slipstream/bin), outside the
# repository, checked against its .sha1 and renamed into place whole; later runs reuse it.
# Each run gets its own copy of the distribution's small writable parts (start-dev writes its
# H2 database and transaction logs under data/, and re-augments lib/quarkus/), with the 158 MB
# of jars symlinked from the cache, so runs share no state and the cache stays pristine. The
# start-dev augmentation (~10-20 s) is saved once beside the cache so later runs skip it.
# Needs Java >= 17 and unzip; as root, Debian's openjdk-17-jre-headless and unzip are
# installed when missing.
#
# Being sourced, this never calls `exit`: failures print a `[test] error:` line and return 1.

SLIPSTREAM_KEYCLOAK_VERSION=26.5.6
SLIPSTREAM_KEYCLOAK_MIN_JAVA=17

_kc_log() { printf '[test] %s\n' "$*"; }
_kc_err() { printf '[test] error: %s\n' "$*" >&2; }

_KC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_KC_TMP=""
_KC_PID=""
_KC_WATCHDOG_PID=""

# Prints the major version of the java at $1 (8 for "1.8.0_x", 17 for "17.0.15"), or nothing.
_kc_java_major() {
  local version
  version=$("$1" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
  version=${version#1.}
  printf '%s\n' "${version%%[.+-]*}"
}

# Prints the path of a java >= SLIPSTREAM_KEYCLOAK_MIN_JAVA, or nothing.
_kc_find_java() {
  local candidate major
  for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null || true)" \
    /usr/lib/jvm/java-17-openjdk-amd64/bin/java /usr/lib/jvm/java-17-openjdk-arm64/bin/java /usr/lib/jvm/*/bin/java; do
    [[ -n "$candidate" && -x "$candidate" ]] || continue
    major=$(_kc_java_major "$candidate")
    if [[ "$major" =~ ^[0-9]+$ ]] && ((major >= SLIPSTREAM_KEYCLOAK_MIN_JAVA)); then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

# Installs the Debian packages named (as root), or says what to install.
_kc_apt_install() {
  if [[ $EUID -ne 0 ]]; then
    _kc_err "missing: $* (install them, or set SLIPSTREAM_TEST_KEYCLOAK_URL)"
    return 1
  fi
  _kc_log "installing $* (apt-get install)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || { _kc_err "apt-get install $* failed"; return 1; }
}

# Downloads URL $1 to file $2 (curl or wget, whichever there is).
_kc_download() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 --connect-timeout 20 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q --tries=3 --timeout=20 -O "$2" "$1"
  else
    _kc_err "neither curl nor wget is installed"
    return 1
  fi
}

# Puts the distribution into the cache dir unless it is already there; prints its path.
# Everything happens in a temp dir beside it and lands by one rename, so a killed download
# (or a concurrent run) never leaves a half-unpacked Keycloak behind.
_kc_install_keycloak() {
  local cache=${SLIPSTREAM_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slipstream/bin}
  local name="keycloak-$SLIPSTREAM_KEYCLOAK_VERSION"
  local dir="$cache/$name"
  local url="${SLIPSTREAM_MAVEN_CENTRAL:-https://repo1.maven.org/maven2}/org/keycloak/keycloak-quarkus-dist/$SLIPSTREAM_KEYCLOAK_VERSION/keycloak-quarkus-dist-$SLIPSTREAM_KEYCLOAK_VERSION.zip"
  if [[ -x "$dir/bin/kc.sh" ]]; then
    printf '%s\n' "$dir"
    return 0
  fi

  command -v unzip >/dev/null 2>&1 || _kc_apt_install unzip || return 1
  mkdir -p "$cache" || { _kc_err "cannot create $cache"; return 1; }
  # Leftovers of downloads killed an hour or more ago.
  find "$cache" -maxdepth 1 -name ".$name.*" -mmin +60 -exec rm -rf {} + 2>/dev/null
  local tmp started want have
  tmp=$(mktemp -d "$cache/.$name.XXXXXX") || { _kc_err "mktemp in $cache failed"; return 1; }
  _kc_log "downloading Keycloak $SLIPSTREAM_KEYCLOAK_VERSION into $cache (once; ~165 MB)" >&2
  started=$SECONDS
  if ! _kc_download "$url" "$tmp/dist.zip"; then
    _kc_err "download of $url failed"
    rm -rf "$tmp"
    return 1
  fi
  if _kc_download "$url.sha1" "$tmp/dist.zip.sha1" 2>/dev/null; then
    want=$(tr -d ' \r\n' <"$tmp/dist.zip.sha1" | cut -c1-40)
    have=$(sha1sum "$tmp/dist.zip" | cut -d' ' -f1)
    if [[ "$want" != "$have" ]]; then
      _kc_err "$url: sha1 $have, but the repository says $want"
      rm -rf "$tmp"
      return 1
    fi
  else
    _kc_log "no .sha1 served for $url: not verified" >&2
  fi
  if ! unzip -q "$tmp/dist.zip" -d "$tmp/unpacked" || [[ ! -x "$tmp/unpacked/$name/bin/kc.sh" ]]; then
    _kc_err "unzip of $url failed (or it has no $name/bin/kc.sh)"
    rm -rf "$tmp"
    return 1
  fi
  # -T: fail rather than move into a directory a concurrent run has just put there.
  if ! mv -T "$tmp/unpacked/$name" "$dir" 2>/dev/null && [[ ! -x "$dir/bin/kc.sh" ]]; then
    _kc_err "cannot rename the unpacked Keycloak to $dir"
    rm -rf "$tmp"
    return 1
  fi
  rm -rf "$tmp"
  _kc_log "Keycloak $SLIPSTREAM_KEYCLOAK_VERSION ready in $dir ($((SECONDS - started))s)" >&2
  printf '%s\n' "$dir"
}

# Lays out a run's own Keycloak home in $2 from the cached distribution $1: everything copied
# but the jars of lib/lib (read-only, symlinked). lib/quarkus/ comes from the saved start-dev
# augmentation when there is one.
_kc_prepare_home() {
  local dist=$1 home=$2 entry
  mkdir -p "$home/lib" || return 1
  for entry in "$dist"/*; do
    [[ "$(basename "$entry")" == lib ]] && continue
    cp -a "$entry" "$home/" || return 1
  done
  cp -a "$dist/lib/app" "$dist/lib/quarkus-run.jar" "$home/lib/" || return 1
  if [[ -d "$dist.dev-build/quarkus" ]]; then
    cp -a "$dist.dev-build/quarkus" "$home/lib/quarkus" || return 1
  else
    cp -a "$dist/lib/quarkus" "$home/lib/quarkus" || return 1
  fi
  ln -s "$dist/lib/lib" "$home/lib/lib"
}

# Saves the run's augmented lib/quarkus/ as $1.dev-build (once, by one rename).
_kc_save_dev_build() {
  local dist=$1 home=$2 tmp
  [[ -d "$dist.dev-build" ]] && return 0
  tmp=$(mktemp -d "$dist.dev-build.XXXXXX") || return 0
  chmod 755 "$tmp"
  if cp -a "$home/lib/quarkus" "$tmp/quarkus" && mv -T "$tmp" "$dist.dev-build" 2>/dev/null; then return 0; fi
  rm -rf "$tmp"
}

_kc_free_port() {
  "$_KC_ROOT/node_modules/.bin/node" -e '
    const s = require("node:net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

_kc_random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Waits until the master realm's discovery document answers 200 (exit 0), the server process
# $2 is gone (exit 2), or $3 seconds have passed (exit 1).
_kc_wait_ready() {
  KC_URL="$1" KC_PID="$2" KC_TIMEOUT="$3" "$_KC_ROOT/node_modules/.bin/node" --input-type=module -e '
    import { readFileSync } from "node:fs";
    const url = process.env.KC_URL + "/realms/master/.well-known/openid-configuration";
    const deadline = Date.now() + Number(process.env.KC_TIMEOUT) * 1000;
    // Exited, or a zombie: our shell reaps its children only when it waits for them.
    const gone = (pid) => {
      try { return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").startsWith("Z"); }
      catch { try { process.kill(pid, 0); return false; } catch { return true; } }
    };
    for (;;) {
      if (gone(Number(process.env.KC_PID))) process.exit(2);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
        if (response.status === 200) process.exit(0);
      } catch {}
      if (Date.now() > deadline) process.exit(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  '
}

# Stops the server whose pid is $1: TERM (kc.sh passes it on to the JVM), then KILL.
_kc_kill() {
  local pid=$1 _
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

start_keycloak_server() {
  if [[ -n "${SLIPSTREAM_TEST_KEYCLOAK_URL:-}" ]]; then
    _kc_log "using Keycloak from SLIPSTREAM_TEST_KEYCLOAK_URL"
    return 0
  fi
  if [[ -n "$_KC_PID" ]]; then
    _kc_err "a Keycloak server is already running (pid $_KC_PID)"
    return 1
  fi
  [[ -x "$_KC_ROOT/node_modules/.bin/node" ]] || { _kc_err "node_modules is missing: run npm ci first"; return 1; }

  local java dist
  java=$(_kc_find_java || true)
  if [[ -z "$java" ]]; then
    _kc_apt_install openjdk-17-jre-headless || return 1
    java=$(_kc_find_java || true)
    [[ -n "$java" ]] || { _kc_err "no java >= $SLIPSTREAM_KEYCLOAK_MIN_JAVA found after installing openjdk-17-jre-headless"; return 1; }
  fi
  dist=$(_kc_install_keycloak) || return 1

  _KC_TMP=$(mktemp -d "${TMPDIR:-/tmp}/slipstream-keycloak.XXXXXX") || { _kc_err "mktemp failed"; return 1; }
  if ! _kc_prepare_home "$dist" "$_KC_TMP/home"; then
    _kc_err "cannot lay out a Keycloak home in $_KC_TMP"
    rm -rf "$_KC_TMP"; _KC_TMP=""
    return 1
  fi

  local user=slipstream-admin password port management _ status=1 started=$SECONDS
  password=$(_kc_random_hex 16)
  for _ in 1 2 3; do
    if ! port=$(_kc_free_port) || ! management=$(_kc_free_port); then _kc_err "no free port"; status=3; break; fi
    [[ "$port" != "$management" ]] || continue
    _kc_log "starting Keycloak $SLIPSTREAM_KEYCLOAK_VERSION (start-dev) on 127.0.0.1:$port (management $management)"
    # The admin password goes through the environment, not argv (which `ps` shows). The heap
    # is capped: kc.sh's default outside containers is 512m, set here so that an inherited
    # KC_RUN_IN_CONTAINER (70% of RAM) cannot apply; CI has 2 cores and 24 GiB shared.
    JAVA="$java" JAVA_OPTS_KC_HEAP="-Xms64m -Xmx512m" \
      KC_BOOTSTRAP_ADMIN_USERNAME="$user" KC_BOOTSTRAP_ADMIN_PASSWORD="$password" \
      "$_KC_TMP/home/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port="$port" \
      --http-management-port="$management" --hostname-strict=false \
      </dev/null >"$_KC_TMP/server.log" 2>&1 &
    _KC_PID=$!
    status=0
    _kc_wait_ready "http://127.0.0.1:$port" "$_KC_PID" "${SLIPSTREAM_KEYCLOAK_START_TIMEOUT:-120}" || status=$?
    [[ $status -eq 0 ]] && break
    _kc_kill "$_KC_PID"
    _KC_PID=""
    # Exited because a port was taken between our probe and its bind: try again. Anything else
    # (a timeout, a crash) would only happen again.
    if [[ $status -ne 2 ]] || ! grep -qiE 'address already in use|port.*in use' "$_KC_TMP/server.log"; then break; fi
    rm -rf "$_KC_TMP/home/data"
  done
  if [[ $status -ne 0 ]]; then
    tail -n 40 "$_KC_TMP/server.log" >&2 2>/dev/null || true
    if [[ $status -eq 1 ]]; then
      _kc_err "Keycloak did not answer within ${SLIPSTREAM_KEYCLOAK_START_TIMEOUT:-120}s"
    else
      _kc_err "Keycloak did not start"
    fi
    rm -rf "$_KC_TMP"; _KC_TMP=""
    return 1
  fi

  # Should the shell that sourced us die without calling stop_keycloak_server, take the server
  # along (TERM reaches the JVM through kc.sh's trap, or the JVM itself after kc.sh's exec).
  local owner=$$ pid=$_KC_PID tmp=$_KC_TMP
  (
    trap '' INT
    while kill -0 "$owner" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do sleep 1; done
    kill "$pid" 2>/dev/null
    sleep 5
    if kill -0 "$pid" 2>/dev/null; then pkill -KILL -P "$pid"; kill -KILL "$pid"; fi
    rm -rf "$tmp"
  ) </dev/null >/dev/null 2>&1 &
  _KC_WATCHDOG_PID=$!

  _kc_save_dev_build "$dist" "$_KC_TMP/home"

  export SLIPSTREAM_TEST_KEYCLOAK_URL="http://127.0.0.1:$port"
  export SLIPSTREAM_TEST_KEYCLOAK_ADMIN_USER="$user"
  export SLIPSTREAM_TEST_KEYCLOAK_ADMIN_PASSWORD="$password"
  _kc_log "Keycloak ready at $SLIPSTREAM_TEST_KEYCLOAK_URL ($((SECONDS - started))s; log $_KC_TMP/server.log)"
}

stop_keycloak_server() {
  if [[ -n "$_KC_WATCHDOG_PID" ]]; then
    kill "$_KC_WATCHDOG_PID" 2>/dev/null || true
    wait "$_KC_WATCHDOG_PID" 2>/dev/null || true
    _KC_WATCHDOG_PID=""
  fi
  if [[ -n "$_KC_PID" ]]; then
    _kc_kill "$_KC_PID"
    _KC_PID=""
    # Only the variables of the server we started: a caller's own stay.
    unset SLIPSTREAM_TEST_KEYCLOAK_URL SLIPSTREAM_TEST_KEYCLOAK_ADMIN_USER SLIPSTREAM_TEST_KEYCLOAK_ADMIN_PASSWORD
  fi
  if [[ -n "$_KC_TMP" && -d "$_KC_TMP" ]]; then rm -rf "$_KC_TMP"; fi
  _KC_TMP=""
  return 0
}

start_keycloak_server
