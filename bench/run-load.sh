#!/usr/bin/env bash
# Load comparison in ONE invocation on ONE machine (issue 5): for the tiny model
# (saved_model_half_plus_two_cpu) and mobilenet_v2, closed-loop throughput and p50/p99 of
#   c-api              the bare TensorFlow C API in-process (bench/native/c_api_bench.cc)
#   tessera-in-process Tessera's Java → JNI → native core path, no transport
#   tf-java            TensorFlow Java's SavedModelBundle + Session.runner() (what Java users embed)
#   echo-rest/grpc     bare Netty HTTP and grpc-java servers with no model (the transport floor)
#   tessera-rest/grpc  the real server (bin/tensorflow_model_server), wrk and a grpc-java client
#   tessera-grpc-batching  mobilenet over gRPC with --enable_batching (batching on vs off)
#   tessera-grpc-uds   both models over gRPC on --grpc_socket_path (a same-host client, UNIX socket)
#   tessera-grpc-xla   mobilenet over gRPC with --xla_cpu_compilation_enabled
#   tessera-grpc-bf16  mobilenet over gRPC with --mixed_precision=bfloat16 (only on a CPU with
#                      avx512_bf16 or amx_bf16; the table's header says which)
#   tessera-v2-rest-binary / tessera-v2-grpc  mobilenet over the Open Inference Protocol (KServe v2):
#                      REST with binary tensor data (raw FP32 after a JSON header), gRPC raw_input_contents
# and ratios against the baselines. Prints a Markdown table and writes it to bench/results/.
# CPU per request: every row also reports the CPU time the measured process spent per request over
# the measured window (in-process rows: the process itself; server rows: the server JVM's
# /proc/PID/stat, sampled around the client's window), and server rows the overhead ratio
# server CPU / (tessera-in-process CPU + echo CPU of the same API): the figure that stays stable on
# a noisy, shared machine where throughput does not. "JIT µs/req" is the part of a row's CPU spent
# by that process's HotSpot compiler threads (C1/C2, from /proc/PID/task) in the window: warm-up,
# not serving, and on one core it lasts long after WARMUP_SECONDS; "same, JIT excluded" is the ratio
# with every process's JIT share removed. "throughput vs in-process, transport removed": what the
# same cores could serve per second once the transport's own cost is removed, from CPU per
# request (the closed-loop clients do not keep the server's cores busy, so its req/s cannot say):
# in-process CPU / (server CPU - echo CPU), JIT excluded on every side. "whole request vs
# in-process": the server row's req/s over tessera-in-process's, and in-process CPU / server CPU
# per request (JIT excluded): the second is what the server's core would serve, transport included,
# when the first is depressed by other load on the machine or by clients that leave it idle.
# Per-call cost: the tiny model also runs on ONE thread through the bare C API and through Tessera
# (rows c-api/1, tessera-in-process/1; compare their p50).
# Equal resources: everything measured (in-process baselines, echo servers, the server) runs on
# SERVER_CPUS and every load generator on CLIENT_CPUS (taskset), so a server is compared with the
# in-process baselines on the same cores and the clients' own work does not count against it.
# Servers get WARMUP_SECONDS of load per model and API before each measured run (JIT settled).
# Needs: a build (mvn -q install -DskipTests), wrk, python3 and taskset (apt-get install -y wrk
# python3 util-linux), ../shared.
# Knobs: THREADS (client threads/connections, default 2), SECONDS_PER_RUN (default 10),
# WARMUP_SECONDS (default 20), SERVER_CPUS / CLIENT_CPUS (default: first / second half of the CPUs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# every server below is started with start_bg and stopped on every exit path (normal end, failure,
# Ctrl-C, SIGTERM); the script ends by checking with pgrep that none is left
source "$root/bench/lib/background.sh"
bg_install_traps
shared="${SHARED:-$root/../shared}"
threads="${THREADS:-2}"
secs="${SECONDS_PER_RUN:-10}"
warmup="${WARMUP_SECONDS:-20}"
cpus=$(nproc)
if (( cpus >= 2 )); then
  server_cpus="${SERVER_CPUS:-0-$((cpus / 2 - 1))}"
  client_cpus="${CLIENT_CPUS:-$((cpus / 2))-$((cpus - 1))}"
else
  server_cpus="${SERVER_CPUS:-0}"
  client_cpus="${CLIENT_CPUS:-0}"
fi
on_server() { taskset -c "$server_cpus" "$@"; }
on_client() { taskset -c "$client_cpus" "$@"; }
work="$root/bench/target/load"
mkdir -p "$work" "$root/bench/results"
export TF_CPP_MIN_LOG_LEVEL=2
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
tiny="$shared/testdata/saved_model_half_plus_two_cpu"
mobilenet="$shared/models/mobilenet_v2"

# --- build the baselines ---------------------------------------------------------------------
tfdir="$root/java/target/tf-unpacked/org/tensorflow/internal/c_api/linux-x86_64"
g++ -O2 -std=c++17 -I"$root/native/third_party" "$root/bench/native/c_api_bench.cc" -o "$work/c_api_bench" \
  "$tfdir/libtensorflow_cc.so.2" -Wl,-rpath,"$tfdir" -lpthread
(cd "$root" && mvn -q -o -pl bench dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" >/dev/null)
benchcp="$root/bench/target/classes:$root/java/target/classes:$(cat "$work/classpath.txt")"
m2="${M2_REPO:-$HOME/.m2/repository}"
for a in org.tensorflow:tensorflow-core-api:1.1.0 com.google.protobuf:protobuf-java:3.21.9 \
         org.bytedeco:javacpp:1.5.11 org.bytedeco:javacpp:1.5.11:jar:linux-x86_64 org.tensorflow:ndarray:1.0.0; do
  mvn -q dependency:get -Dartifact="$a" -Dtransitive=false >/dev/null
done
tfjcp="$m2/org/tensorflow/tensorflow-core-api/1.1.0/tensorflow-core-api-1.1.0.jar:$m2/org/tensorflow/tensorflow-core-native/1.1.0/tensorflow-core-native-1.1.0.jar:$m2/org/tensorflow/tensorflow-core-native/1.1.0/tensorflow-core-native-1.1.0-linux-x86_64.jar:$m2/org/tensorflow/ndarray/1.0.0/ndarray-1.0.0.jar:$m2/org/bytedeco/javacpp/1.5.11/javacpp-1.5.11.jar:$m2/org/bytedeco/javacpp/1.5.11/javacpp-1.5.11-linux-x86_64.jar:$m2/com/google/protobuf/protobuf-java/3.21.9/protobuf-java-3.21.9.jar"
javac -cp "$tfjcp" -d "$work/tfjava" "$root/bench/tfjava/TfJavaBaseline.java"

# --- request bodies ---------------------------------------------------------------------------
echo '{"instances": [[0.5]]}' > "$work/tiny.json"
python3 - "$work/mobilenet.json" <<'PY'
import sys
row = "[" + ",".join(["[0.5,0.5,0.5]"] * 224) + "]"
img = "[" + ",".join([row] * 224) + "]"
open(sys.argv[1], "w").write('{"instances": [{"images": ' + img + '}]}')
PY
# Open Inference Protocol, binary tensor data: the same 0.5-filled image as raw FP32 after a JSON header
python3 - "$work/mobilenet-v2.bin" "$work/mobilenet-v2.len" <<'PY'
import json, struct, sys
header = json.dumps({"inputs": [{"name": "images", "shape": [1, 224, 224, 3], "datatype": "FP32",
                                 "parameters": {"binary_data_size": 224 * 224 * 3 * 4}}],
                     "outputs": [{"name": "probabilities", "parameters": {"binary_data": True}}]}).encode()
open(sys.argv[1], "wb").write(header + struct.pack("<f", 0.5) * (224 * 224 * 3))
open(sys.argv[2], "w").write(str(len(header)))
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
results=()
record() { results+=("$1|$2"); echo "  $1: $2" >&2; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # pid → utime + stime in clock ticks
jit_ticks() {  # pid → the same for its JIT compiler threads ("C1/C2 CompilerThre" in /proc)
  local total=0 t
  for t in /proc/"$1"/task/*; do
    [[ "$(cat "$t/comm" 2>/dev/null)" == C[12]\ CompilerThre* ]] || continue
    total=$(( total + $(awk '{sub(/.*\) /, ""); print $12 + $13}' "$t/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}
with_cpu() {  # server-pid "before-cpu before-jit" "qps p50 p99 errors" → the same + CPU and JIT µs per request
  local pid="$1" line="$3" before_cpu before_jit
  read -r before_cpu before_jit <<<"$2"
  awk -v line="$line" -v ticks="$(( $(cpu_ticks "$pid") - before_cpu ))" -v jit="$(( $(jit_ticks "$pid") - before_jit ))" \
    -v hz="$(getconf CLK_TCK)" -v secs="$secs" \
    'BEGIN {split(line, a, " "); n = a[1] * secs;
            printf "%s %.1f %.1f\n", line, (n > 0 ? ticks * 1e6 / hz / n : 0), (n > 0 ? jit * 1e6 / hz / n : 0)}'
}
wrk_run() {  # server-pid url body-file warm-up-seconds → "qps p50 p99 errors cpu_us_per_request"
  BODY="$3" on_client wrk -t1 -c"$threads" -d"$4s" -s "$root/bench/post.lua" "$2" >/dev/null
  local before; before="$(cpu_ticks "$1") $(jit_ticks "$1")"
  with_cpu "$1" "$before" "$(BODY="$3" on_client wrk -t1 -c"$threads" -d"${secs}s" --latency -s "$root/bench/post.lua" "$2" \
    | awk '/^wrk-done/ {print $2, $3, $4, $5}')"
}
grpc_run() {  # server-pid name host:port model alias kind warm-up-seconds → as wrk_run
  (( $7 > 0 )) && on_client java -cp "$benchcp" io.tessera.bench.load.GrpcLoad "$2" "$3" "$4" "$5" "$6" "$threads" "$7" >/dev/null 2>&1
  # the client samples the server's CPU time itself, over exactly its measured window
  on_client java -Dbench.cpuPid="$1" -cp "$benchcp" io.tessera.bench.load.GrpcLoad "$2" "$3" "$4" "$5" "$6" "$threads" "$secs" \
    2>/dev/null | awk '{print $2, $3, $4, $5, $6, $7}'
}
wrk_v2_run() {  # server-pid url body-file header-length warm-up-seconds → as wrk_run (binary tensor data)
  HEADER_LENGTH="$4" BODY="$3" on_client wrk -t1 -c"$threads" -d"$5s" -s "$root/bench/post-v2.lua" "$2" >/dev/null
  local before; before="$(cpu_ticks "$1") $(jit_ticks "$1")"
  with_cpu "$1" "$before" "$(HEADER_LENGTH="$4" BODY="$3" on_client wrk -t1 -c"$threads" -d"${secs}s" --latency \
    -s "$root/bench/post-v2.lua" "$2" | awk '/^wrk-done/ {print $2, $3, $4, $5}')"
}
v2_grpc_run() {  # as grpc_run, over inference.GRPCInferenceService/ModelInfer with raw_input_contents
  (( $7 > 0 )) && on_client java -cp "$benchcp" io.tessera.bench.load.V2GrpcLoad "$2" "$3" "$4" "$5" "$6" "$threads" "$7" >/dev/null 2>&1
  on_client java -Dbench.cpuPid="$1" -cp "$benchcp" io.tessera.bench.load.V2GrpcLoad "$2" "$3" "$4" "$5" "$6" "$threads" "$secs" \
    2>/dev/null | awk '{print $2, $3, $4, $5, $6, $7}'
}
wait_http() { for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done; echo "no answer from $1" >&2; return 1; }

# --- in-process -------------------------------------------------------------------------------
for m in tiny mobilenet; do
  if [[ $m == tiny ]]; then dir="$tiny/00000123"; in=x:0; out=y:0; alias=x; tfin=x; tfout=y
  else dir="$mobilenet/1"; in=input:0; out=MobilenetV2/Predictions/Reshape_1:0; alias=images; tfin=input; tfout=MobilenetV2/Predictions/Reshape_1; fi
  echo "[$m] in-process baselines" >&2
  run_threads=("$threads"); [[ $m == tiny && $threads != 1 ]] && run_threads=(1 "$threads")
  for t in "${run_threads[@]}"; do
    suffix=""; [[ $t != "$threads" ]] && suffix="/$t"
    record "$m c-api$suffix" "$(on_server "$work/c_api_bench" "$dir" "$in" "$out" "$m" "$t" "$secs" 2>/dev/null | awk '{print $2, $3, $4, $5, $6, 0}')"
    record "$m tessera-in-process$suffix" "$(on_server java -cp "$benchcp" io.tessera.bench.load.InProcessTessera "$dir" "$alias" "$m" "$t" "$secs" 2>/dev/null | awk '{print $2, $3, $4, $5, $6, $7}')"
  done
  record "$m tf-java" "$(on_server java -cp "$tfjcp:$work/tfjava" TfJavaBaseline "$dir" "$tfin" "$tfout" "$m" "$threads" "$secs" 2>/dev/null | awk '{print $2, $3, $4, $5, "–", "–"}')"
done

# --- transport floor --------------------------------------------------------------------------
hp=$(free_port); gp=$(free_port)
start_bg "$work/echo-http.log" taskset -c "$server_cpus" java -cp "$benchcp" io.tessera.bench.load.EchoServers http "$hp"
echo_http=$BG_PID
start_bg "$work/echo-grpc.log" taskset -c "$server_cpus" java -cp "$benchcp" io.tessera.bench.load.EchoServers grpc "$gp"
echo_grpc=$BG_PID
wait_http "http://127.0.0.1:$hp/"
sleep 1
for m in tiny mobilenet; do
  alias=x; [[ $m == mobilenet ]] && alias=images
  echo "[$m] echo servers" >&2
  record "$m echo-rest" "$(wrk_run "$echo_http" "http://127.0.0.1:$hp/v1/models/echo:predict" "$work/$m.json" "$warmup")"
  record "$m echo-grpc" "$(grpc_run "$echo_grpc" echo "127.0.0.1:$gp" echo "$alias" "$m" "$warmup")"
done
stop_bg "$echo_http"; stop_bg "$echo_grpc"

# --- the server -------------------------------------------------------------------------------
cat > "$work/models.config" <<CFG
model_config_list {
  config { name: "tiny" base_path: "$tiny" model_platform: "tensorflow" }
  config { name: "mobilenet" base_path: "$mobilenet" model_platform: "tensorflow" }
}
CFG
sp=$(free_port); rp=$(free_port); sock="$work/grpc.sock"; rm -f "$sock"
start_bg "$work/server.log" taskset -c "$server_cpus" \
  "$root/bin/tensorflow_model_server" --port="$sp" --rest_api_port="$rp" --model_config_file="$work/models.config" \
  --grpc_socket_path="$sock"
server=$BG_PID
wait_http "http://127.0.0.1:$rp/v1/models/mobilenet"
for m in tiny mobilenet; do
  alias=x; [[ $m == mobilenet ]] && alias=images
  echo "[$m] tessera server" >&2
  record "$m tessera-rest" "$(wrk_run "$server" "http://127.0.0.1:$rp/v1/models/$m:predict" "$work/$m.json" "$warmup")"
  record "$m tessera-grpc" "$(grpc_run "$server" tessera "127.0.0.1:$sp" "$m" "$alias" "$m" "$warmup")"
  record "$m tessera-grpc-uds" "$(grpc_run "$server" tessera "unix:$sock" "$m" "$alias" "$m" "$warmup")"
done
echo "[mobilenet] tessera server, Open Inference Protocol (v2)" >&2
record "mobilenet tessera-v2-rest-binary" "$(wrk_v2_run "$server" "http://127.0.0.1:$rp/v2/models/mobilenet/infer" \
  "$work/mobilenet-v2.bin" "$(cat "$work/mobilenet-v2.len")" "$warmup")"
record "mobilenet tessera-v2-grpc" "$(v2_grpc_run "$server" tessera-v2 "127.0.0.1:$sp" mobilenet images mobilenet "$warmup")"
stop_bg "$server"

# --- TF Serving's performance flags: XLA on the CPU, bfloat16 where the CPU has it -----------------
bf16_cpu=no; grep -qw -e avx512_bf16 -e amx_bf16 /proc/cpuinfo && bf16_cpu=yes
variants=(xla --xla_cpu_compilation_enabled=true); [[ $bf16_cpu == yes ]] && variants+=(bf16 --mixed_precision=bfloat16)
for ((v = 0; v < ${#variants[@]}; v += 2)); do
  sp=$(free_port); rp=$(free_port)
  start_bg "$work/server-${variants[v]}.log" taskset -c "$server_cpus" \
    "$root/bin/tensorflow_model_server" --port="$sp" --rest_api_port="$rp" --model_config_file="$work/models.config" \
    "${variants[v + 1]}"
  server=$BG_PID
  wait_http "http://127.0.0.1:$rp/v1/models/mobilenet"
  echo "[mobilenet] tessera server ${variants[v + 1]}" >&2
  record "mobilenet tessera-grpc-${variants[v]}" "$(grpc_run "$server" tessera "127.0.0.1:$sp" mobilenet images mobilenet "$warmup")"
  stop_bg "$server"
done

# --- the server with --enable_batching (TF's defaults: max_batch_size 1000, timeout 0) ------------
sp=$(free_port); rp=$(free_port)
start_bg "$work/server-batching.log" taskset -c "$server_cpus" \
  "$root/bin/tensorflow_model_server" --port="$sp" --rest_api_port="$rp" --model_config_file="$work/models.config" \
  --enable_batching
server=$BG_PID
wait_http "http://127.0.0.1:$rp/v1/models/mobilenet"
echo "[mobilenet] tessera server with batching" >&2
record "mobilenet tessera-grpc-batching" "$(grpc_run "$server" tessera "127.0.0.1:$sp" mobilenet images mobilenet "$warmup")"
stop_bg "$server"

# --- table ------------------------------------------------------------------------------------
out="$root/bench/results/load-$(date -u +%Y%m%d-%H%M%S).md"
{
  echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB;" \
       "$threads client threads/connections (rows /1: one thread), ${secs}s per run after ${warmup}s of warm-up" \
       "for servers, closed loop; measured runs on CPUs $server_cpus, load generators on CPUs $client_cpus;" \
       "native bfloat16 (avx512_bf16/amx_bf16): $bf16_cpu; $(date -u +%F)"
  echo
  echo "| model | run | req/s | p50 µs | p99 µs | errors | vs c-api | p50 vs c-api | vs tf-java | vs echo (same API) | CPU µs/req | JIT µs/req | CPU vs in-process + echo | same, JIT excluded | whole request vs in-process: req/s, CPU (JIT excluded) | throughput vs in-process, transport removed |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for r in "${results[@]}"; do
    key="${r%%|*}"; vals="${r#*|}"; m="${key%% *}"; run="${key#* }"
    read -r qps p50 p99 err cpu jit <<<"$vals"
    capi_key="$m c-api"; [[ $run == */* ]] && capi_key="$m c-api/${run##*/}"
    capi=$(printf '%s\n' "${results[@]}" | awk -F'|' -v k="$capi_key" '$1==k {split($2,a," "); print a[1]}')
    capi_p50=$(printf '%s\n' "${results[@]}" | awk -F'|' -v k="$capi_key" '$1==k {split($2,a," "); print a[2]}')
    tfj=$(printf '%s\n' "${results[@]}" | awk -F'|' -v k="$m tf-java" '$1==k {split($2,a," "); print a[1]}')
    echo_key=""; [[ $run == tessera-rest ]] && echo_key="$m echo-rest"; [[ $run == tessera-grpc* ]] && echo_key="$m echo-grpc"
    [[ $run == tessera-v2-rest* ]] && echo_key="$m echo-rest"; [[ $run == tessera-v2-grpc ]] && echo_key="$m echo-grpc"
    field() { printf '%s\n' "${results[@]}" | awk -F'|' -v k="$1" -v i="$2" '$1==k {split($2,a," "); print a[i]}'; }
    echo_qps=$(field "$echo_key" 1)
    # the server's CPU per request against what the work itself costs: the model run in-process
    # plus a bare server of the same API moving the same payload
    # (and the same without the JIT compiler threads' CPU of each process: warm-up, not serving)
    # Capacity of the same cores once the transport's own cost is removed, from CPU per request:
    # in-process / (server - echo of the same API and payload), JIT excluded on every side.
    # Whole request: the server's req/s over the in-process run's, and the same from CPU per
    # request (in-process / server, JIT excluded on both sides): what one core serves either way.
    overhead="–"; overhead_nojit="–"; no_transport="–"; whole="–"
    if [[ -n "$echo_key" ]]; then
      whole=$(awk -v q="$qps" -v iq="$(field "$m tessera-in-process" 1)" -v s="$cpu" -v sj="$jit" \
        -v i="$(field "$m tessera-in-process" 5)" -v ij="$(field "$m tessera-in-process" 6)" \
        'BEGIN {if (iq + 0 > 0 && s - sj > 0) printf "%.2f× / %.2f×", q / iq, (i - ij) / (s - sj); else print "–"}')
      no_transport=$(awk -v s="$cpu" -v sj="$jit" -v i="$(field "$m tessera-in-process" 5)" \
        -v ij="$(field "$m tessera-in-process" 6)" -v e="$(field "$echo_key" 5)" -v ej="$(field "$echo_key" 6)" \
        'BEGIN {d = (s - sj) - (e - ej); if (s + 0 > 0 && d > 0) printf "%.2f×", (i - ij) / d; else print "–"}')
      overhead=$(awk -v s="$cpu" -v i="$(field "$m tessera-in-process" 5)" -v e="$(field "$echo_key" 5)" \
        'BEGIN {if (s + 0 > 0 && i + e > 0) printf "%.2f×", s / (i + e); else print "–"}')
      overhead_nojit=$(awk -v s="$cpu" -v sj="$jit" -v i="$(field "$m tessera-in-process" 5)" \
        -v ij="$(field "$m tessera-in-process" 6)" -v e="$(field "$echo_key" 5)" -v ej="$(field "$echo_key" 6)" \
        'BEGIN {d = i - ij + e - ej; if (s + 0 > 0 && d > 0) printf "%.2f×", (s - sj) / d; else print "–"}')
    fi
    ratio() { [[ -n "$2" && "$2" != 0 ]] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f×", a/b}' || echo "–"; }
    p50_ratio="–"; [[ $run == c-api* || $run == tessera-in-process* ]] && p50_ratio=$(ratio "$p50" "$capi_p50")
    echo "| $m | $run | $qps | $p50 | $p99 | $err | $(ratio "$qps" "$capi") | $p50_ratio | $(ratio "$qps" "$tfj") | $(ratio "$qps" "$echo_qps") | ${cpu:-–} | ${jit:-–} | $overhead | $overhead_nojit | $whole | $no_transport |"
  done
} | tee "$out"
echo "written to $out" >&2
