#!/usr/bin/env bash
# Long fuzz run: the same suite as CI's FuzzIT (java/src/test/java/io/tessera/fuzz/), many more
# cases, a random or given seed, a fresh server after each crash (every crash is reported with the
# cases that may have caused it). Prints the seed first and last; a failing case is replayed alone
# with: bench/fuzz.sh --seed=S --case=N  (prints the case's wire bytes).
# Usage: bench/fuzz.sh [--seed=S] [--cases=N] [--from=N] [--case=N] [--threads=N] [--seconds=N]
#        [--no-restart] [--strict-parse] [--max-rss-mib=N]
# Needs: a built tree (the first run compiles native code), ../shared. Output: bench/target/fuzz-SEED.log.
# Every process it starts (Maven, the Failsafe JVM, the server JVMs) runs in its own session and
# is killed on every exit path; the script checks that none is left.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seed="" cases=20000 from=0 one="" threads=2 seconds=0 restart=true strict=false maxrss=2048
for arg in "$@"; do
  case "$arg" in
    --seed=*) seed="${arg#*=}" ;;
    --cases=*) cases="${arg#*=}" ;;
    --from=*) from="${arg#*=}" ;;
    --case=*) one="${arg#*=}" ;;
    --threads=*) threads="${arg#*=}" ;;
    --seconds=*) seconds="${arg#*=}" ;;
    --no-restart) restart=false ;;
    --strict-parse) strict=true ;;
    --max-rss-mib=*) maxrss="${arg#*=}" ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z "$seed" ]]; then
  seed=$(( ($(od -An -N4 -tu4 /dev/urandom) << 16) ^ $(od -An -N4 -tu4 /dev/urandom) ))
fi
[[ "$seed" =~ ^-?[0-9]+$ ]] || { echo "--seed must be an integer" >&2; exit 2; }
mkdir -p "$root/bench/target"
log="$root/bench/target/fuzz-$seed.log"
echo "fuzz: seed=$seed cases=$cases from=$from${one:+ case=$one} threads=$threads log=$log"

props=(-Dtessera.fuzz.seed="$seed" -Dtessera.fuzz.cases="$cases" -Dtessera.fuzz.from="$from"
  -Dtessera.fuzz.threads="$threads" -Dtessera.fuzz.seconds="$seconds" -Dtessera.fuzz.restart="$restart"
  -Dtessera.fuzz.strictParse="$strict" -Dtessera.fuzz.maxRssMiB="$maxrss")
[[ -n "$one" ]] && props+=(-Dtessera.fuzz.case="$one")

sid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for job in $(jobs -p); do kill "$job" 2>/dev/null || true; done
  if [[ -n "$sid" ]]; then
    # everything started below shares the session whose leader is $sid
    pkill -TERM -s "$sid" 2>/dev/null || true
    for _ in $(seq 1 40); do pgrep -s "$sid" >/dev/null || break; sleep 0.5; done
    pkill -KILL -s "$sid" 2>/dev/null || true
    sleep 0.5
    if pgrep -s "$sid" >/dev/null; then
      echo "fuzz: processes left behind: $(pgrep -s "$sid" | tr '\n' ' ')" >&2
      rc=1
    fi
  fi
  echo "fuzz: seed=$seed exit=$rc (log: $log)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$root"
: >"$log"
setsid mvn -o -q verify -pl java -am -Dtest=NONE -Dit.test=FuzzIT -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false "${props[@]}" >"$log" 2>&1 &
sid=$!
set +e
# progress: failures and deaths as they happen
tail -n +1 --pid="$sid" -f "$log" 2>/dev/null | grep -a --line-buffered '^\[fuzz\]' | sed -u 's/^\(.\{400\}\).*/\1.../' &
wait "$sid"
rc=$?
set -e
sleep 0.5
grep -a -A60 'Tests run:.*Fail\|FuzzIT.serverSurvives' "$log" | grep -a -v '^\s*at ' | head -80 || true
exit "$rc"
