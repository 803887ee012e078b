#!/usr/bin/env bash
# Offline infrastructure checks: synthesize the stack for the default context (dev), for prod and
# with the web console on AWS,
# then run cfn-lint on every synthesized template. Fails on any cfn-lint error (or a synth
# failure, which includes unacknowledged cdk-nag findings); cfn-lint warnings are printed only.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CDK_DISABLE_CLI_TELEMETRY=true

command -v cfn-lint >/dev/null || { echo "infra-checks: cfn-lint is not installed" >&2; exit 127; }

prod_out=".tmp/cdk.out.prod"
console_out=".tmp/cdk.out.console"
rm -rf cdk.out "$prod_out" "$console_out"

echo "==> cdk synth (default context)"
npx cdk synth -q --no-notices

echo "==> cdk synth (stage=prod)"
npx cdk synth -q --no-notices -c stage=prod -o "$prod_out"

echo "==> cdk synth (the web console on AWS: S3, CloudFront, Cognito, the JWT API)"
npx cdk synth -q --no-notices -o "$console_out" \
  -c config='{"senderEmail":"campaigns@example.com","console":{"enabled":true}}'

shopt -s nullglob
templates=(cdk.out/*.template.json "$prod_out"/*.template.json "$console_out"/*.template.json)
if [ "${#templates[@]}" -eq 0 ]; then
  echo "infra-checks: no templates were synthesized" >&2
  exit 1
fi

status=0
for template in "${templates[@]}"; do
  echo "==> cfn-lint $template"
  # Exit code is a bit mask: 2 = errors, 4 = warnings, 8 = informational, 1 = cfn-lint itself failed.
  rc=0
  cfn-lint --format parseable -- "$template" || rc=$?
  if (( rc & 1 )) || (( rc & 2 )); then
    echo "    FAILED: cfn-lint errors (exit $rc)" >&2
    status=1
  elif (( rc != 0 )); then
    echo "    ok: warnings/informational only (exit $rc)"
  else
    echo "    ok: clean"
  fi
done

if [ "$status" -ne 0 ]; then
  echo "infra-checks: FAILED" >&2
else
  echo "infra-checks: passed (${#templates[@]} templates, 0 cfn-lint errors)"
fi
exit "$status"
