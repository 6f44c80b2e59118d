#!/usr/bin/env bash
# `npm run test:terraform`: the Terraform acceptance run (test/terraform/acceptance.test.ts) — WarpStream's
# official provider, driven by OpenTofu, against a Slipstream it starts. Builds both tools once
# (scripts/terraform-tools.sh). When the provider's source cannot be had (the Go module proxy does
# not serve it), the run says why and the test is reported as skipped.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
NODE="$PWD/node_modules/.bin/node"
[[ -x "$NODE" ]] || { echo "[terraform] error: node_modules is missing: run npm ci first" >&2; exit 1; }

# shellcheck source=scripts/terraform-tools.sh
source scripts/terraform-tools.sh
ensure_terraform_tools || exit 1
if [[ -n "${SLIPSTREAM_TF_UNAVAILABLE:-}" ]]; then
  printf '[terraform] %s\n' "SKIPPED: $SLIPSTREAM_TF_UNAVAILABLE" >&2
fi

"$NODE" --test --test-concurrency=1 test/terraform/acceptance.test.ts "$@"
