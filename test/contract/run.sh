#!/usr/bin/env bash
# EventBridge contract test against moto (issue #4): synthesizes the stack in-process, creates its
# rules on moto's EventBridge from the synthesized patterns, puts the events the handlers publish
# and near misses, and checks what each rule delivers. Usage: test/contract/run.sh  (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v moto_server >/dev/null || { echo "moto_server not found (pip install 'moto[server]')" >&2; exit 2; }
PORT="${MOTO_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')}"
LOG="$(mktemp -t moto-contract.XXXXXX.log)"

moto_server -H 127.0.0.1 -p "$PORT" >"$LOG" 2>&1 &
MOTO_PID=$!
cleanup() { kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; }
trap cleanup EXIT

# Bounded wait for moto to answer (30 s).
for _ in $(seq 1 150); do
  if curl -fsS "http://127.0.0.1:${PORT}/moto-api/" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$MOTO_PID" 2>/dev/null; then echo "moto_server exited:" >&2; cat "$LOG" >&2; exit 1; fi
  sleep 0.2
done
curl -fsS "http://127.0.0.1:${PORT}/moto-api/" >/dev/null || { echo "moto_server did not start on ${PORT}" >&2; cat "$LOG" >&2; exit 1; }

MOTO_ENDPOINT="http://127.0.0.1:${PORT}" npx vitest run --config test/contract/vitest.config.mts "$@"
