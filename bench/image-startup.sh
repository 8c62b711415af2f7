#!/usr/bin/env bash
# Start-up time of a fresh container vs a warm host run, without a Docker engine (issue target:
# within 2 s). Builds docker/Dockerfile's runtime filesystem (docker/layout-from-checkout.sh), then
# alternates RUNS starts of (a) the image's entrypoint from that layout, as nobody when run as root,
# natives loaded from the image's build-time cache, and (b) bin/tensorflow_model_server from this
# checkout with a warm JavaCPP cache; each timed from exec to the first 200 from /readyz.
# Prints every run and the medians. Usage: bench/image-startup.sh [RUNS=5] [MODEL_DIR]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"
model="${2:-$repo/../shared/testdata/saved_model_half_plus_two_cpu}"
work="$(mktemp -d)"
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
chmod 755 "$work"
"$repo/docker/layout-from-checkout.sh" "$work/root" >/dev/null
mkdir -p "$work/models" "$work/tmp" && chmod 1777 "$work/tmp"
ln -s "$(readlink -f "$model")" "$work/models/m"
port=$(( 20000 + RANDOM % 20000 ))
as_user=()
[[ $(id -u) -eq 0 ]] && as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)

# Milliseconds from the command's start to /readyz answering 200.
time_to_ready() {
  local start end
  start=$(date +%s%N)
  "$@" > "$work/run.log" 2>&1 &
  pid=$!
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' "localhost:$((port + 1))/readyz")" == 200 ]]; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/run.log" >&2; exit 1; }
    sleep 0.02
  done
  end=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  echo $(( (end - start) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

"$repo/bin/tensorflow_model_server" --version >/dev/null  # warm the host's JavaCPP cache
: > "$work/image.ms"; : > "$work/host.ms"
for ((i = 1; i <= runs; i++)); do
  image=$(time_to_ready "${as_user[@]}" env PATH="$work/root/usr/bin:/usr/bin:/bin" MODEL_NAME=m \
    MODEL_BASE_PATH="$work/models" TESSERA_JAVA_OPTS="-Djava.io.tmpdir=$work/tmp" HOME="$work/tmp" \
    "$work/root/usr/bin/tf_serving_entrypoint.sh" --port=$port --rest_api_port=$((port + 1)))
  host=$(time_to_ready "$repo/bin/tensorflow_model_server" --port=$port --rest_api_port=$((port + 1)) \
    --model_name=m --model_base_path="$work/models/m")
  echo "run $i: image layout ${image} ms, warm host ${host} ms"
  echo "$image" >> "$work/image.ms"; echo "$host" >> "$work/host.ms"
done
image=$(median < "$work/image.ms"); host=$(median < "$work/host.ms")
echo "median: image layout ${image} ms, warm host ${host} ms, difference $((image - host)) ms (target: under 2000)"
echo "written to the container's /tmp at start: $(du -sb "$work/tmp" | cut -f1) bytes"
