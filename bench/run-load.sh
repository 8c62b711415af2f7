#!/usr/bin/env bash
# Load comparison in ONE invocation on ONE machine (issue 5): for the tiny model
# (saved_model_half_plus_two_cpu) and mobilenet_v2, closed-loop throughput and p50/p99 of
#   c-api              the bare TensorFlow C API in-process (bench/native/c_api_bench.cc)
#   tessera-in-process Tessera's Java → JNI → native core path, no transport
#   tf-java            TensorFlow Java's SavedModelBundle + Session.runner() (what Java users embed)
#   echo-rest/grpc     bare Netty HTTP and grpc-java servers with no model (the transport floor)
#   tessera-rest/grpc  the real server (bin/tensorflow_model_server), wrk and a grpc-java client
#   tessera-grpc-batching  mobilenet over gRPC with --enable_batching (batching on vs off)
#   tessera-v2-rest-binary / tessera-v2-grpc  mobilenet over the Open Inference Protocol (KServe v2):
#                      REST with binary tensor data (raw FP32 after a JSON header), gRPC raw_input_contents
# and ratios against the baselines. Prints a Markdown table and writes it to bench/results/.
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
wrk_run() {  # url body-file warm-up-seconds → "qps p50 p99 errors"
  BODY="$2" on_client wrk -t1 -c"$threads" -d"$3s" -s "$root/bench/post.lua" "$1" >/dev/null
  BODY="$2" on_client wrk -t1 -c"$threads" -d"${secs}s" --latency -s "$root/bench/post.lua" "$1" | awk '/^wrk-done/ {print $2, $3, $4, $5}'
}
grpc_run() {  # name host:port model alias kind warm-up-seconds → "qps p50 p99 errors"
  (( $6 > 0 )) && on_client java -cp "$benchcp" io.tessera.bench.load.GrpcLoad "$1" "$2" "$3" "$4" "$5" "$threads" "$6" >/dev/null 2>&1
  on_client java -cp "$benchcp" io.tessera.bench.load.GrpcLoad "$1" "$2" "$3" "$4" "$5" "$threads" "$secs" 2>/dev/null | awk '{print $2, $3, $4, $5}'
}
wrk_v2_run() {  # url body-file header-length warm-up-seconds → "qps p50 p99 errors"
  HEADER_LENGTH="$3" BODY="$2" on_client wrk -t1 -c"$threads" -d"$4s" -s "$root/bench/post-v2.lua" "$1" >/dev/null
  HEADER_LENGTH="$3" BODY="$2" on_client wrk -t1 -c"$threads" -d"${secs}s" --latency -s "$root/bench/post-v2.lua" "$1" \
    | awk '/^wrk-done/ {print $2, $3, $4, $5}'
}
v2_grpc_run() {  # as grpc_run, over inference.GRPCInferenceService/ModelInfer with raw_input_contents
  (( $6 > 0 )) && on_client java -cp "$benchcp" io.tessera.bench.load.V2GrpcLoad "$1" "$2" "$3" "$4" "$5" "$threads" "$6" >/dev/null 2>&1
  on_client java -cp "$benchcp" io.tessera.bench.load.V2GrpcLoad "$1" "$2" "$3" "$4" "$5" "$threads" "$secs" 2>/dev/null | awk '{print $2, $3, $4, $5}'
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
    record "$m c-api$suffix" "$(on_server "$work/c_api_bench" "$dir" "$in" "$out" "$m" "$t" "$secs" 2>/dev/null | awk '{print $2, $3, $4, 0}')"
    record "$m tessera-in-process$suffix" "$(on_server java -cp "$benchcp" io.tessera.bench.load.InProcessTessera "$dir" "$alias" "$m" "$t" "$secs" 2>/dev/null | awk '{print $2, $3, $4, $5}')"
  done
  record "$m tf-java" "$(on_server java -cp "$tfjcp:$work/tfjava" TfJavaBaseline "$dir" "$tfin" "$tfout" "$m" "$threads" "$secs" 2>/dev/null | awk '{print $2, $3, $4, $5}')"
done

# --- transport floor --------------------------------------------------------------------------
hp=$(free_port); gp=$(free_port)
on_server java -cp "$benchcp" io.tessera.bench.load.EchoServers http "$hp" >/dev/null 2>&1 & echo_http=$!
on_server java -cp "$benchcp" io.tessera.bench.load.EchoServers grpc "$gp" >/dev/null 2>&1 & echo_grpc=$!
trap 'kill $echo_http $echo_grpc ${server:-} 2>/dev/null || true' EXIT
wait_http "http://127.0.0.1:$hp/"
sleep 1
for m in tiny mobilenet; do
  alias=x; [[ $m == mobilenet ]] && alias=images
  echo "[$m] echo servers" >&2
  record "$m echo-rest" "$(wrk_run "http://127.0.0.1:$hp/v1/models/echo:predict" "$work/$m.json" "$warmup")"
  record "$m echo-grpc" "$(grpc_run echo "127.0.0.1:$gp" echo "$alias" "$m" "$warmup")"
done
kill $echo_http $echo_grpc

# --- the server -------------------------------------------------------------------------------
cat > "$work/models.config" <<CFG
model_config_list {
  config { name: "tiny" base_path: "$tiny" model_platform: "tensorflow" }
  config { name: "mobilenet" base_path: "$mobilenet" model_platform: "tensorflow" }
}
CFG
sp=$(free_port); rp=$(free_port)
on_server "$root/bin/tensorflow_model_server" --port="$sp" --rest_api_port="$rp" --model_config_file="$work/models.config" \
  > "$work/server.log" 2>&1 & server=$!
wait_http "http://127.0.0.1:$rp/v1/models/mobilenet"
for m in tiny mobilenet; do
  alias=x; [[ $m == mobilenet ]] && alias=images
  echo "[$m] tessera server" >&2
  record "$m tessera-rest" "$(wrk_run "http://127.0.0.1:$rp/v1/models/$m:predict" "$work/$m.json" "$warmup")"
  record "$m tessera-grpc" "$(grpc_run tessera "127.0.0.1:$sp" "$m" "$alias" "$m" "$warmup")"
done
echo "[mobilenet] tessera server, Open Inference Protocol (v2)" >&2
record "mobilenet tessera-v2-rest-binary" "$(wrk_v2_run "http://127.0.0.1:$rp/v2/models/mobilenet/infer" \
  "$work/mobilenet-v2.bin" "$(cat "$work/mobilenet-v2.len")" "$warmup")"
record "mobilenet tessera-v2-grpc" "$(v2_grpc_run tessera-v2 "127.0.0.1:$sp" mobilenet images mobilenet "$warmup")"
kill $server; wait $server 2>/dev/null || true

# --- the server with --enable_batching (TF's defaults: max_batch_size 1000, timeout 0) ------------
sp=$(free_port); rp=$(free_port)
on_server "$root/bin/tensorflow_model_server" --port="$sp" --rest_api_port="$rp" --model_config_file="$work/models.config" \
  --enable_batching > "$work/server-batching.log" 2>&1 & server=$!
wait_http "http://127.0.0.1:$rp/v1/models/mobilenet"
echo "[mobilenet] tessera server with batching" >&2
record "mobilenet tessera-grpc-batching" "$(grpc_run tessera "127.0.0.1:$sp" mobilenet images mobilenet "$warmup")"
kill $server; wait $server 2>/dev/null || true

# --- table ------------------------------------------------------------------------------------
out="$root/bench/results/load-$(date -u +%Y%m%d-%H%M%S).md"
{
  echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB;" \
       "$threads client threads/connections (rows /1: one thread), ${secs}s per run after ${warmup}s of warm-up" \
       "for servers, closed loop; measured runs on CPUs $server_cpus, load generators on CPUs $client_cpus; $(date -u +%F)"
  echo
  echo "| model | run | req/s | p50 µs | p99 µs | errors | vs c-api | p50 vs c-api | vs tf-java | vs echo (same API) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for r in "${results[@]}"; do
    key="${r%%|*}"; vals="${r#*|}"; m="${key%% *}"; run="${key#* }"
    read -r qps p50 p99 err <<<"$vals"
    capi_key="$m c-api"; [[ $run == */* ]] && capi_key="$m c-api/${run##*/}"
    capi=$(printf '%s\n' "${results[@]}" | awk -F'|' -v k="$capi_key" '$1==k {split($2,a," "); print a[1]}')
    capi_p50=$(printf '%s\n' "${results[@]}" | awk -F'|' -v k="$capi_key" '$1==k {split($2,a," "); print a[2]}')
    tfj=$(printf '%s\n' "${results[@]}" | awk -F'|' -v k="$m tf-java" '$1==k {split($2,a," "); print a[1]}')
    echo_key=""; [[ $run == tessera-rest ]] && echo_key="$m echo-rest"; [[ $run == tessera-grpc* ]] && echo_key="$m echo-grpc"
    [[ $run == tessera-v2-rest* ]] && echo_key="$m echo-rest"; [[ $run == tessera-v2-grpc ]] && echo_key="$m echo-grpc"
    echo_qps=$(printf '%s\n' "${results[@]}" | awk -F'|' -v k="$echo_key" '$1==k {split($2,a," "); print a[1]}')
    ratio() { [[ -n "$2" && "$2" != 0 ]] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f×", a/b}' || echo "–"; }
    p50_ratio="–"; [[ $run == c-api* || $run == tessera-in-process* ]] && p50_ratio=$(ratio "$p50" "$capi_p50")
    echo "| $m | $run | $qps | $p50 | $p99 | $err | $(ratio "$qps" "$capi") | $p50_ratio | $(ratio "$qps" "$tfj") | $(ratio "$qps" "$echo_qps") |"
  done
} | tee "$out"
echo "written to $out" >&2
