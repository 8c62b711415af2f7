#!/usr/bin/env bash
# Adaptive batching against no batching and the best static configuration (issue 21), in ONE
# invocation on ONE machine. For each model (matmul: bench's weight-bound MatmulModel, written by
# `bin/tessera matmul-model`; mobilenet: ../shared/models/mobilenet_v2) at three offered loads
# (low, medium, saturating: 0.2x, 0.7x and 1.5x the no-batching server's closed-loop capacity,
# measured first), open-loop constant-rate gRPC arrivals (bench/.../load/OpenLoop.java: latency
# counts from each request's scheduled send time):
#   none       the server without --enable_batching
#   static     every configuration of a small grid (GRID_SIZES x GRID_TIMEOUTS: max_batch_size x
#              batch_timeout_micros); per load the best one is the highest throughput among those
#              whose p99 meets the target (else the highest throughput)
#   adaptive   target_p99_latency_micros = the target, max_batch_size = the largest grid size
# The p99 target per model: TARGET_P99_MS, else 6x the no-batching p50 at low load (at least 10 ms).
# CAPACITY_MATMUL / CAPACITY_MOBILENET (req/s) replace the measured capacity the loads derive from
# (on a shared machine one measurement may fall in a busy or a quiet moment).
# Prints a Markdown table (throughput, p50/p99, whether the target held, adaptive vs best static)
# and writes it to bench/results/. Every server is started with start_bg and stopped on every exit
# path. Needs a build (mvn -o -q -pl java -am verify -Dtest=NONE -Dit.test=NONE ...: the server jar
# and java/target/classpath.txt), python3 for free ports, ../shared.
# ROUNDS > 1 repeats every configuration (none included) round after round, and the table shows
# per configuration and load the median of its runs (throughput, p50, p99; errors summed) and the
# range of its throughput: on a shared machine the other sessions' load drifts over minutes.
# Knobs: MODELS ("matmul mobilenet"), SECONDS_PER_RUN (5), WARMUP_SECONDS (2), GRID_SIZES ("8 32"),
# GRID_TIMEOUTS ("0 2000 8000"), BATCH_THREADS (2), TARGET_P99_MS, ROUNDS (1).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bench/lib/background.sh"
bg_install_traps
shared="${SHARED:-$root/../shared}"
models="${MODELS:-matmul mobilenet}"
secs="${SECONDS_PER_RUN:-5}"
warm="${WARMUP_SECONDS:-2}"
grid_sizes="${GRID_SIZES:-8 32}"
grid_timeouts="${GRID_TIMEOUTS:-0 2000 8000}"
batch_threads="${BATCH_THREADS:-2}"
rounds="${ROUNDS:-1}"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
work="$root/bench/target/batching"
mkdir -p "$work/classes" "$root/bench/results"
export TF_CPP_MIN_LOG_LEVEL=2

# --- the load driver and the model -------------------------------------------------------------
(cd "$root" && mvn -q -o -pl bench dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" >/dev/null)
cp="$root/java/target/classes:$(cat "$work/classpath.txt")"
javac -nowarn -cp "$cp" -d "$work/classes" "$root/bench/src/main/java/io/tessera/bench/load/"{OpenLoop,GrpcLoad,LoadChannels,Driver,LoadStats}.java
cp="$work/classes:$cp"
"$root/bin/tessera" matmul-model "$work/models/matmul" >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 600); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done; echo "no answer from $1" >&2; return 1; }

serve() {  # model base-path log [batching-params-file] → PORT, SERVER
  local rp; PORT=$(free_port); rp=$(free_port)
  local flags=(--port="$PORT" --rest_api_port="$rp" --model_name="$1" --model_base_path="$2")
  if [[ -n "${4:-}" ]]; then flags+=(--enable_batching --batching_parameters_file="$4"); fi
  start_bg "$work/$3.log" "$root/bin/tensorflow_model_server" "${flags[@]}"
  SERVER=$BG_PID
  wait_http "http://127.0.0.1:$rp/v1/models/$1"
}
params() {  # file max-batch timeout-micros [target-micros]
  { echo "max_batch_size { value: $2 }"; echo "batch_timeout_micros { value: $3 }"
    echo "max_enqueued_batches { value: 1000 }"; echo "num_batch_threads { value: $batch_threads }"
    if [[ -n "${4:-}" ]]; then echo "target_p99_latency_micros { value: $4 }"; fi; } > "$1"
}
open_loop() {  # model alias kind rate → "offered achieved p50_ms p99_ms errors"
  java -cp "$cp" io.tessera.bench.load.OpenLoop "127.0.0.1:$PORT" "$1" "$2" "$3" "$4" "$secs" "$warm" 2>/dev/null
}

rows=()  # "model|load|run|offered achieved p50 p99 errors"
three_loads() {  # label → appends the label's rows at $low $medium $saturating; sets LOW_P50
  local i=0 rate r names=(low medium saturating)
  for rate in $low $medium $saturating; do
    r="$(open_loop "$m" "$alias" "$kind" "$rate")"; rows+=("$m|${names[$i]}|$1|$r"); echo "  ${names[$i]}: $r" >&2
    if [[ $i == 0 ]]; then LOW_P50=$(awk '{print $3}' <<<"$r"); fi
    i=$((i + 1))
  done
}
for m in $models; do
  if [[ $m == matmul ]]; then base="$work/models/matmul"; alias=x; kind=matmul
  else base="$shared/models/mobilenet_v2"; alias=images; kind=mobilenet; fi

  echo "[$m] no batching: capacity, then the three loads" >&2
  serve "$m" "$base" "$m-none"
  java -cp "$cp" io.tessera.bench.load.GrpcLoad warm "127.0.0.1:$PORT" "$m" "$alias" "$kind" 4 "$warm" >/dev/null 2>&1
  capacity=$(java -cp "$cp" io.tessera.bench.load.GrpcLoad cap "127.0.0.1:$PORT" "$m" "$alias" "$kind" 4 "$secs" 2>/dev/null | awk '{print $2}')
  fixed="CAPACITY_${m^^}"
  if [[ -n "${!fixed:-}" ]]; then echo "  measured capacity $capacity req/s; $fixed=${!fixed} used" >&2; capacity="${!fixed}"; fi
  loads=$(awk -v c="$capacity" 'BEGIN {printf "%.1f %.1f %.1f", 0.2 * c, 0.7 * c, 1.5 * c}')
  read -r low medium saturating <<<"$loads"
  echo "  capacity $capacity req/s; loads $loads" >&2
  if [[ -n "${!fixed:-}" ]]; then capacity_notes+=("$m $capacity req/s (fixed by $fixed)")
  else capacity_notes+=("$m $capacity req/s (measured)"); fi
  three_loads none
  stop_bg "$SERVER"
  target_ms="${TARGET_P99_MS:-$(awk -v p="$LOW_P50" 'BEGIN {t = 6 * p; if (t < 10) t = 10; printf "%.0f", t}')}"
  targets+=("$m|$target_ms")
  echo "  p99 target $target_ms ms" >&2

  runs=()
  for size in $grid_sizes; do for timeout in $grid_timeouts; do runs+=("static:$size/$timeout"); done; done
  max_size=$(tr ' ' '\n' <<<"$grid_sizes" | sort -n | tail -1)
  runs+=("adaptive:$max_size")
  for round in $(seq 1 "$rounds"); do
    # later rounds repeat every configuration, none included, in the same order: each round spans
    # the same stretch of the other sessions' load for every configuration
    if ((round > 1)); then all=("none:" "${runs[@]}"); else all=("${runs[@]}"); fi
    for run in "${all[@]}"; do
      name="${run%%:*}"; spec="${run#*:}"
      if [[ $name == none ]]; then label=none
      elif [[ $name == static ]]; then params "$work/$m.params" "${spec%/*}" "${spec#*/}"; label="static $spec"
      else params "$work/$m.params" "$spec" 0 $((target_ms * 1000)); label="adaptive"; fi
      echo "[$m] round $round: $label" >&2
      if [[ $name == none ]]; then serve "$m" "$base" "$m-none"
      else serve "$m" "$base" "$m-$(tr " /" "--" <<<"$label")" "$work/$m.params"; fi
      java -cp "$cp" io.tessera.bench.load.GrpcLoad warm "127.0.0.1:$PORT" "$m" "$alias" "$kind" 4 "$warm" >/dev/null 2>&1
      three_loads "$label"
      stop_bg "$SERVER"
    done
  done
done

# --- table ------------------------------------------------------------------------------------
out="$root/bench/results/batching-$(date -u +%Y%m%d-%H%M%S).md"
printf '%s\n' "${rows[@]}" > "$work/rows.txt"
printf '%s\n' "${targets[@]}" > "$work/targets.txt"
printf '%s\n' "${capacity_notes[@]}" > "$work/capacities.txt"
python3 - "$work/rows.txt" "$work/targets.txt" "$secs" "$warm" "$batch_threads" "$rounds" "$load_before" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$work/capacities.txt" > "$out" <<'PY'
import sys, collections, statistics, subprocess
rows = [l.rstrip("\n").split("|") for l in open(sys.argv[1]) if l.strip()]
targets = dict(l.strip().split("|") for l in open(sys.argv[2]) if l.strip())
secs, warm, threads, rounds, load_before, load_after = sys.argv[3:9]
capacities = [l.strip() for l in open(sys.argv[9]) if l.strip()]
cpus = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
print(f"Machine: {cpus} CPUs shared with other sessions (load average {load_before} at the start, {load_after} at "
      f"the end; figures are noisy); open-loop gRPC, {secs}s per run after {warm}s warm-up; num_batch_threads "
      f"{threads}; static grid and adaptive in the same invocation, {rounds} round(s): each figure is the median "
      f"of its runs, req/s range = lowest..highest run. Loads from the unbatched capacity: {'; '.join(capacities)}.\n")
print("| model | load | offered req/s | run | req/s | req/s range | p50 ms | p99 ms | errors | p99 target ms | target held |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
runs_of = collections.defaultdict(list)  # (model, load, run) -> [(offered, got, p50, p99, errors)]
order = []
for m, load, run, vals in rows:
    offered, got, p50, p99, err = vals.split()
    if (m, load, run) not in runs_of:
        order.append((m, load, run))
    runs_of[(m, load, run)].append((float(offered), float(got), float(p50), float(p99), int(err)))
by = collections.defaultdict(list)  # (model, load) -> [(run, offered, got, p50, p99, errors, lo, hi)]
for key in order:
    rs = runs_of[key]
    med = lambda i: statistics.median(r[i] for r in rs)
    got = [r[1] for r in rs]
    by[key[:2]].append((key[2], med(0), med(1), med(2), med(3), sum(r[4] for r in rs), min(got), max(got)))
summary = []
for (m, load), runs in by.items():
    t = float(targets[m])
    held = lambda r: r[4] <= t and r[5] == 0
    none = [r for r in runs if r[0] == "none"][0]
    static = [r for r in runs if r[0].startswith("static")]
    meeting = [r for r in static if held(r)]
    best = max(meeting or static, key=lambda r: r[2])
    adaptive = [r for r in runs if r[0] == "adaptive"][0]
    for r, label in ((none, "none"), (best, "best " + best[0] + ("" if meeting else " (none meets target)")), (adaptive, "adaptive")):
        print(f"| {m} | {load} | {r[1]:.0f} | {label} | {r[2]:.1f} | {r[6]:.0f}..{r[7]:.0f} | {r[3]:.2f} | {r[4]:.2f} | {r[5]} | {t:.0f} | {'yes' if held(r) else 'no'} |")
    summary.append((m, load, adaptive, best, none, bool(meeting), held(adaptive)))
print("\n| model | load | adaptive / best static throughput | adaptive p99 <= target where a static config meets it | adaptive p50 / none p50 |")
print("|---|---|---|---|---|")
for m, load, a, b, n, some, ok in summary:
    ratio = a[2] / b[2] if b[2] else 0
    cond = ("yes" if ok else "NO") if some else "n/a (no static config meets it)"
    print(f"| {m} | {load} | {ratio:.2f} | {cond} | {a[3] / n[3] if n[3] else 0:.2f} |")
print("\nEvery run (model, load, configuration: req/s, p50 ms, p99 ms per run in order):\n")
for key in order:
    print(f"- {key[0]} {key[1]} {key[2]}: " + "; ".join(f"{r[1]:.1f} {r[2]:.2f} {r[3]:.2f}" for r in runs_of[key]))
PY
cat "$out"
echo "written to $out" >&2
