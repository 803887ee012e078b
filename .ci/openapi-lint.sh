#!/usr/bin/env bash
# Lints the OpenAPI 3.1 document generated from the route table (functions/api/openapi-lint.ts):
# structure, every route documented and nothing undocumented routed, $refs resolvable, errors in the
# one shape, security matching each route's authorisation. Optionally writes the document to
# docs/openapi.json (OPENAPI_OUT=path).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsx functions/api/openapi-lint.ts
if [ -n "${OPENAPI_OUT:-}" ]; then
  npx tsx -e "import { openApiDocument } from './functions/api/manifest'; console.log(JSON.stringify(openApiDocument(require('./package.json').version), null, 2));" > "$OPENAPI_OUT"
  echo "wrote $OPENAPI_OUT"
fi
