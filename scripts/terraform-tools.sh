# shellcheck shell=bash
# Makes OpenTofu and WarpStream's official Terraform provider (warpstreamlabs/warpstream)
# available for the Terraform acceptance run (test/terraform/). Meant to be sourced by
# scripts/test-terraform.sh. Nothing is copied into the repository: both are built outside it,
# into ${XDG_CACHE_HOME:-$HOME/.cache}/slipstream/terraform/, and reused by later runs.
#
# - OpenTofu comes from the Go module proxy (github.com/opentofu/opentofu). Its go.mod has
#   `replace` directives, so `go install …@version` refuses it: the module is downloaded with
#   `go mod download` and built as the main module instead (about 3–4 minutes once).
# - The provider is looked for on the Go module proxy first. The proxy this project's machines
#   use does not serve github.com/warpstreamlabs/terraform-provider-warpstream (403 for every
#   tag, pseudo-version and @latest — its v2 tags also lack the /v2 module suffix Go requires),
#   so it is built from a source checkout beside the project when one is there:
#   SLIPSTREAM_TF_PROVIDER_SRC (a git repository or a source tree), else the snapshot the search
#   tool's `fetch` leaves at ../.mirror/warpstreamlabs+terraform-provider-warpstream/repo.
#   The tag built is SLIPSTREAM_TF_PROVIDER_VERSION (default below).
#
# On success exports SLIPSTREAM_TOFU (the binary) and SLIPSTREAM_TF_PLUGIN_MIRROR (a filesystem
# mirror laid out as OpenTofu expects: registry.opentofu.org/warpstreamlabs/warpstream/<version>/
# <os>_<arch>/terraform-provider-warpstream_v<version>), plus SLIPSTREAM_TF_PROVIDER_VERSION.
# When the provider cannot be had, sets SLIPSTREAM_TF_UNAVAILABLE to the reason and returns 0.
# Being sourced, this never calls `exit`; failures print `[terraform] error:` and return 1.

SLIPSTREAM_TOFU_VERSION=${SLIPSTREAM_TOFU_VERSION:-v1.10.10}
SLIPSTREAM_TF_PROVIDER_VERSION=${SLIPSTREAM_TF_PROVIDER_VERSION:-v2.7.12}
SLIPSTREAM_TF_PROVIDER_MODULE=github.com/warpstreamlabs/terraform-provider-warpstream

_tf_log() { printf '[terraform] %s\n' "$*" >&2; }
_tf_err() { printf '[terraform] error: %s\n' "$*" >&2; }

_TF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_TF_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/slipstream/terraform

_tf_go() {
  local candidate
  for candidate in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go /usr/lib/go/bin/go; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then printf '%s\n' "$candidate"; return 0; fi
  done
  return 1
}

# Builds OpenTofu once; prints the binary's path.
_tf_install_tofu() {
  local go=$1 bin="$_TF_CACHE/tofu-$SLIPSTREAM_TOFU_VERSION/tofu" dir work started
  if [[ -x "$bin" ]]; then printf '%s\n' "$bin"; return 0; fi
  _tf_log "building OpenTofu $SLIPSTREAM_TOFU_VERSION from the Go module proxy (once; a few minutes)"
  started=$SECONDS
  dir=$(cd / && GOFLAGS=-mod=mod "$go" mod download -json "github.com/opentofu/opentofu@$SLIPSTREAM_TOFU_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n "$dir" && -d "$dir" ]] || { _tf_err "go mod download github.com/opentofu/opentofu@$SLIPSTREAM_TOFU_VERSION failed"; return 1; }
  # The module cache is read-only; build from a writable copy.
  work=$(mktemp -d "${TMPDIR:-/tmp}/slipstream-tofu.XXXXXX")
  cp -r "$dir/." "$work/" && chmod -R u+w "$work"
  mkdir -p "$(dirname "$bin")"
  if ! (cd "$work" && GOFLAGS=-buildvcs=false "$go" build -o "$bin.tmp" ./cmd/tofu) >&2; then
    rm -rf "$work"; _tf_err "building OpenTofu failed"; return 1
  fi
  rm -rf "$work"
  mv "$bin.tmp" "$bin"
  _tf_log "built OpenTofu in $((SECONDS - started))s"
  printf '%s\n' "$bin"
}

# Puts the provider's source for the pinned version into $2; returns 1 when there is none.
_tf_provider_source() {
  local go=$1 into=$2 dir src
  dir=$(cd / && GOFLAGS=-mod=mod "$go" mod download -json "$SLIPSTREAM_TF_PROVIDER_MODULE@$SLIPSTREAM_TF_PROVIDER_VERSION" 2>/dev/null \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  if [[ -n "$dir" && -d "$dir" ]]; then
    _tf_log "provider source: Go module proxy"
    cp -r "$dir/." "$into/" && chmod -R u+w "$into"
    return 0
  fi
  for src in "${SLIPSTREAM_TF_PROVIDER_SRC:-}" "$_TF_ROOT/../.mirror/warpstreamlabs+terraform-provider-warpstream/repo"; do
    [[ -n "$src" && -e "$src" ]] || continue
    if git --git-dir="$src" rev-parse --verify -q "$SLIPSTREAM_TF_PROVIDER_VERSION^{commit}" >/dev/null 2>&1; then
      _tf_log "provider source: $src at $SLIPSTREAM_TF_PROVIDER_VERSION"
      git --git-dir="$src" archive "$SLIPSTREAM_TF_PROVIDER_VERSION" | tar -x -C "$into"
      return 0
    fi
    if [[ -f "$src/go.mod" ]] && grep -q "^module $SLIPSTREAM_TF_PROVIDER_MODULE\$" "$src/go.mod"; then
      _tf_log "provider source: the source tree $src"
      cp -r "$src/." "$into/"
      return 0
    fi
  done
  return 1
}

# Builds the provider once into the filesystem mirror; sets SLIPSTREAM_TF_UNAVAILABLE when its
# source cannot be had.
_tf_install_provider() {
  local go=$1 version=${SLIPSTREAM_TF_PROVIDER_VERSION#v} platform work started
  platform="$("$go" env GOOS)_$("$go" env GOARCH)"
  local mirror="$_TF_CACHE/plugins-$SLIPSTREAM_TF_PROVIDER_VERSION"
  local bin="$mirror/registry.opentofu.org/warpstreamlabs/warpstream/$version/$platform/terraform-provider-warpstream_v$version"
  SLIPSTREAM_TF_PLUGIN_MIRROR=$mirror
  if [[ -x "$bin" ]]; then return 0; fi
  work=$(mktemp -d "${TMPDIR:-/tmp}/slipstream-tfprovider.XXXXXX")
  if ! _tf_provider_source "$go" "$work"; then
    rm -rf "$work"
    SLIPSTREAM_TF_UNAVAILABLE="the Go module proxy does not serve $SLIPSTREAM_TF_PROVIDER_MODULE@$SLIPSTREAM_TF_PROVIDER_VERSION and no source checkout was found (set SLIPSTREAM_TF_PROVIDER_SRC)"
    return 0
  fi
  _tf_log "building the WarpStream provider $SLIPSTREAM_TF_PROVIDER_VERSION"
  started=$SECONDS
  mkdir -p "$(dirname "$bin")"
  # The version is stamped the way the provider's release build does (goreleaser: main.version).
  if ! (cd "$work" && GOFLAGS="-mod=mod -buildvcs=false" "$go" build -ldflags "-X main.version=$version" -o "$bin.tmp" .) >&2; then
    rm -rf "$work"; _tf_err "building the provider failed"; return 1
  fi
  rm -rf "$work"
  mv "$bin.tmp" "$bin"
  _tf_log "built the provider in $((SECONDS - started))s"
}

ensure_terraform_tools() {
  local go
  unset SLIPSTREAM_TF_UNAVAILABLE
  go=$(_tf_go) || { _tf_err "go is needed to build OpenTofu and the provider (scripts/s3-server.sh installs it for npm test)"; return 1; }
  SLIPSTREAM_TOFU=$(_tf_install_tofu "$go") || return 1
  _tf_install_provider "$go" || return 1
  export SLIPSTREAM_TOFU SLIPSTREAM_TF_PLUGIN_MIRROR SLIPSTREAM_TF_PROVIDER_VERSION
  [[ -z "${SLIPSTREAM_TF_UNAVAILABLE:-}" ]] || export SLIPSTREAM_TF_UNAVAILABLE
}
