# shellcheck shell=bash
# Makes sure the Debian-packaged Kafka clients of the interop suite (test/interop/) are installed:
#
#   kcat                      /usr/bin/kcat (librdkafka)
#   python3-confluent-kafka   confluent_kafka for /usr/bin/python3 (librdkafka)
#   python3-kafka             kafka-python for /usr/bin/python3
#
# and the current librdkafka, which Debian 12 does not package: confluent-kafka from PyPI (its
# wheel bundles librdkafka 2.x) in a virtual environment of /usr/bin/python3, made once under
# ${XDG_CACHE_HOME:-~/.cache}/slipstream/python/ and exported as SLIPSTREAM_CONFLUENT_PYPI_PYTHON.
#
# Meant to be sourced (by scripts/test.sh, or by hand: `source scripts/ensure-clients.sh`).
# Packages already present are left alone; missing ones are installed with apt-get (one
# `apt-get update` first), which needs root. Being sourced, this never calls `exit`: a failure
# prints a `[test] error:` line and returns 1. The client suites skip a missing client when run
# by hand, and fail when CI is set.

_clients_log() { printf '[test] %s\n' "$*"; }
_clients_err() { printf '[test] error: %s\n' "$*" >&2; }

# True when the Debian package $1 is installed (dpkg status "install ok installed").
_clients_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# True when what the tests actually use works: the binary and the two Python modules.
_clients_usable() {
  case "$1" in
    kcat) [[ -x /usr/bin/kcat ]] ;;
    python3-confluent-kafka) /usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1 ;;
    python3-kafka) /usr/bin/python3 -c 'import kafka' >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

ensure_clients() {
  local pkg missing=()
  for pkg in kcat python3-confluent-kafka python3-kafka; do
    if _clients_installed "$pkg" && _clients_usable "$pkg"; then continue; fi
    missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    _clients_log "interop clients present (kcat, python3-confluent-kafka, python3-kafka)"
    return 0
  fi

  if ! command -v apt-get >/dev/null 2>&1; then
    _clients_err "missing ${missing[*]} and there is no apt-get to install them"
    return 1
  fi
  if [[ $EUID -ne 0 ]]; then
    _clients_err "missing ${missing[*]}: install them as root (apt-get install ${missing[*]})"
    return 1
  fi

  _clients_log "installing ${missing[*]} (apt-get install)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; then
    _clients_err "apt-get update failed"
    return 1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    _clients_err "apt-get install ${missing[*]} failed"
    return 1
  fi
  for pkg in "${missing[@]}"; do
    if ! _clients_usable "$pkg"; then
      _clients_err "$pkg is installed but not usable (/usr/bin/kcat, or import from /usr/bin/python3)"
      return 1
    fi
  done
  _clients_log "installed ${missing[*]}"
  return 0
}

# confluent-kafka from PyPI, pinned: the version the interop suites and docs/clients.md name.
CONFLUENT_KAFKA_PYPI_VERSION=2.16.1

ensure_pypi_clients() {
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/slipstream/python"
  local venv="$cache/confluent-kafka-$CONFLUENT_KAFKA_PYPI_VERSION"
  # The stamp is written last: a venv left half-made by an interrupted run is made again.
  if [[ ! -f "$venv/.complete" ]]; then
    if ! /usr/bin/python3 -m venv --help >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import ensurepip' >/dev/null 2>&1; then
      if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        _clients_err "/usr/bin/python3 cannot make virtual environments: install python3-venv"
        return 1
      fi
      _clients_log "installing python3-venv (apt-get install)"
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null \
        || { _clients_err "apt-get install python3-venv failed"; return 1; }
    fi
    _clients_log "installing confluent-kafka $CONFLUENT_KAFKA_PYPI_VERSION from PyPI into $venv"
    rm -rf "$venv"
    mkdir -p "$cache"
    if ! /usr/bin/python3 -m venv "$venv" \
      || ! "$venv/bin/python" -m pip install -q --disable-pip-version-check --only-binary=:all: \
        "confluent-kafka==$CONFLUENT_KAFKA_PYPI_VERSION" >/dev/null; then
      rm -rf "$venv"
      _clients_err "could not install confluent-kafka $CONFLUENT_KAFKA_PYPI_VERSION from PyPI"
      return 1
    fi
    touch "$venv/.complete"
  fi
  if ! "$venv/bin/python" -c 'import confluent_kafka' >/dev/null 2>&1; then
    _clients_err "$venv cannot import confluent_kafka"
    return 1
  fi
  export SLIPSTREAM_CONFLUENT_PYPI_PYTHON="$venv/bin/python"
  _clients_log "confluent-kafka $("$venv/bin/python" -c 'import confluent_kafka as c; print(c.version(), "on librdkafka", c.libversion()[0])') from PyPI"
}

ensure_clients && ensure_pypi_clients
