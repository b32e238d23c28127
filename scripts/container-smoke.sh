#!/usr/bin/env bash
# Build the image and prove it in a real container: read-only root, readiness, health check,
# the seed article and a batch scored, a non-root user, JSON logs on stdout, and a clean exit on
# SIGTERM with an in-flight request answered.
#
#   BASE_IMAGE=localhost/python-base:3.11 scripts/container-smoke.sh
#
# Needs artifacts/escalation-model.joblib (`make model`). Uses podman, else docker. Talks only
# to 127.0.0.1. SEED (default ../shared/data/seed/nato-preemptive-strike.txt) is the article.
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINE=${ENGINE:-$(command -v podman || command -v docker || true)}
[ -n "$ENGINE" ] || { echo "smoke: no podman or docker found" >&2; exit 2; }
IMAGE=${IMAGE:-escalation-risk:smoke}
NAME=escalation-smoke-$$
SEED=${SEED:-../shared/data/seed/nato-preemptive-strike.txt}
WORK=$(mktemp -d)
fail() { echo "smoke: FAIL: $*" >&2; "$ENGINE" logs "$NAME" 2>&1 | tail -20 >&2 || true; exit 1; }
cleanup() { "$ENGINE" rm -f "$NAME" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

[ -f artifacts/escalation-model.joblib ] || { echo "smoke: run 'make model' first" >&2; exit 2; }
[ -f "$SEED" ] || { echo "smoke: seed article not found at $SEED" >&2; exit 2; }

build_args=()
[[ "$ENGINE" == *podman ]] && build_args+=(--format docker)  # OCI format drops HEALTHCHECK
[ -n "${BASE_IMAGE:-}" ] && build_args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
started=$(date +%s)
"$ENGINE" build "${build_args[@]}" -t "$IMAGE" . >"$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log" >&2; fail "build"; }
echo "smoke: built $IMAGE in $(( $(date +%s) - started ))s, size $("$ENGINE" image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"

"$ENGINE" run -d --name "$NAME" --read-only --tmpfs /tmp -p 127.0.0.1::8080 \
  -e WEB_CONCURRENCY=2 "$IMAGE" >/dev/null || fail "run"
PORT=$("$ENGINE" port "$NAME" 8080 | sed -n '1s/.*://p')
URL="http://127.0.0.1:$PORT"
echo "smoke: container $NAME on $URL"

for _ in $(seq 1 60); do
  curl -fsS "$URL/readyz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "$URL/readyz" >/dev/null || fail "/readyz never answered 200"
if [[ "$ENGINE" == *podman ]]; then
  healthy=""
  for _ in $(seq 1 20); do
    if "$ENGINE" healthcheck run "$NAME" >/dev/null 2>&1; then healthy=yes; break; fi
    sleep 1
  done
  [ -n "$healthy" ] || fail "HEALTHCHECK did not pass"
  echo "smoke: HEALTHCHECK passes"
fi

python3 - "$SEED" "$WORK" <<'PY'
import json, sys
seed, work = sys.argv[1], sys.argv[2]
text = open(seed, encoding="utf-8").read()
json.dump({"id": "seed", "text": text, "top_k": 5}, open(f"{work}/one.json", "w"))
items = [{"id": f"b{i}", "text": t} for i, t in enumerate(
    [text, "The ministers signed a trade agreement and agreed to exchange prisoners.", text[:500],
     "\u0647\u062f\u062f\u062a \u0627\u0644\u062d\u0643\u0648\u0645\u0629 \u0628\u0647\u062c\u0648\u0645 \u0639\u0633\u0643\u0631\u064a \u0639\u0644\u0649 \u0645\u0648\u0627\u0642\u0639 \u0627\u0644\u0645\u062a\u0645\u0631\u062f\u064a\u0646.",
     "Le gouvernement a menac\u00e9 de sanctions les pays voisins."])]
json.dump({"articles": items}, open(f"{work}/batch.json", "w"))
big = {"articles": [{"id": f"s{i}", "text": text} for i in range(32)]}
json.dump(big, open(f"{work}/big.json", "w"))
PY
post() { curl -sS -o "$WORK/$2.out" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Expect:' \
  --data-binary "@$WORK/$1" "$URL$3"; }
[ "$(post one.json one /v1/score)" = 200 ] || fail "/v1/score"
[ "$(post batch.json batch /v1/score/batch)" = 200 ] || fail "/v1/score/batch"
python3 - "$WORK" "$SEED" <<'PY'
import json, sys
work, seed = sys.argv[1], sys.argv[2]
text = open(seed, encoding="utf-8").read()
one = json.load(open(f"{work}/one.out"))
assert one["id"] == "seed" and 0.0 <= one["score"] <= 1.0, one
for phrase in one["phrases"]:
    for start, end in phrase["spans"]:
        assert 0 <= start < end <= len(text)
batch = json.load(open(f"{work}/batch.out"))["results"]
assert [r["id"] for r in batch] == ["b0", "b1", "b2", "b3", "b4"], batch
assert batch[0]["score"] > batch[1]["score"] and batch[0]["language"] == "en", batch[0]
# Each text goes to its language's model: Arabic is scored, French has none.
assert batch[3]["language"] == "ar" and 0.0 <= batch[3]["score"] <= 1.0, batch[3]
assert batch[4]["language"] == "fr" and batch[4]["score"] is None, batch[4]
print("smoke: seed article ->", json.dumps({k: one[k] for k in ("id", "score", "level",
      "model_version")}), "top phrases:", [p["text"] for p in one["phrases"]])
print("smoke: batch", [(r["language"], r["score"] and round(r["score"], 3)) for r in batch])
PY

# The analyst page and its files are package data: the image must carry them.
for path in / /static/ui/ui.js /static/ui/ui.css; do
  [ "$(curl -sS -o /dev/null -w '%{http_code}' "$URL$path")" = 200 ] || fail "GET $path (analyst page)"
done
echo "smoke: analyst page and its files served"

uid=$("$ENGINE" exec "$NAME" id -u)
[ "$uid" != 0 ] || fail "the service runs as root"
echo "smoke: runs as uid $uid"
# grep reads all the log (no -q): with pipefail, an early exit would fail the pipe (SIGPIPE).
"$ENGINE" logs "$NAME" 2>&1 | grep '"path": *"/v1/score"' >/dev/null || fail "no JSON request log on stdout"

# SIGTERM while a batch (about a second of work) is in flight: it is answered, gunicorn exits 0.
post big.json big /v1/score/batch >"$WORK/big.code" &
inflight=$!
sleep 0.5
"$ENGINE" stop -t 30 "$NAME" >/dev/null
wait "$inflight" || true
[ "$(cat "$WORK/big.code")" = 200 ] || fail "in-flight request not answered (HTTP $(cat "$WORK/big.code"))"
code=$("$ENGINE" inspect --format '{{.State.ExitCode}}' "$NAME")
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
echo "smoke: SIGTERM: in-flight batch answered, exit code 0"
echo "smoke: PASS"
