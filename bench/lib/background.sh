# Background processes of a bench script, stopped on every exit path.
# Source it, then start each server with `start_bg LOG cmd...` (it sets BG_PID) and stop it with
# `stop_bg "$BG_PID"`; call `bg_install_traps` once so a normal end, a failure (set -e), Ctrl-C and
# SIGTERM all run `bg_cleanup`, which stops whatever is still running and then checks with pgrep that
# nothing the script started is left (it exits 1 and names the PIDs when something is).
#
# Each background process runs in a session of its own (setsid; without job control setsid execs, so
# $! is the session leader itself, e.g. the JVM after taskset and bin/ launchers exec), so one pkill -s
# reaches it and everything it started, however deep the wrappers are.

bg_sessions=()

start_bg() {  # log-file command... → BG_PID
  local log="$1"; shift
  setsid "$@" >"$log" 2>&1 &
  BG_PID=$!
  bg_sessions+=("$BG_PID")
}

stop_bg() {  # session-leader-pid: TERM, up to 20 s for a clean exit, then KILL
  local sid="$1"
  pkill -TERM -s "$sid" 2>/dev/null || true
  for _ in $(seq 1 40); do pgrep -s "$sid" >/dev/null || break; sleep 0.5; done
  pkill -KILL -s "$sid" 2>/dev/null || true
  wait "$sid" 2>/dev/null || true
}

bg_descendants() {  # pid → every live descendant's pid
  local child
  for child in $(pgrep -P "$1"); do echo "$child"; bg_descendants "$child"; done
}

bg_cleanup() {
  local rc=$? sid left=() pid
  trap - EXIT INT TERM
  for sid in "${bg_sessions[@]}"; do stop_bg "$sid"; done
  for sid in "${bg_sessions[@]}"; do left+=($(pgrep -s "$sid" || true)); done
  # foreground children (clients) must not outlive us in our own process group either; the
  # command substitution's own subshell and pgreps are gone once it returns, so only real ones remain
  local group candidates
  group=$(ps -o pgid= -p $$ | tr -d ' ')
  candidates=$(bg_descendants $$)
  for pid in $candidates; do
    kill -0 "$pid" 2>/dev/null && [[ $(ps -o pgid= -p "$pid" | tr -d ' ') == "$group" ]] && left+=("$pid")
  done
  if ((${#left[@]})); then
    echo "processes left behind: ${left[*]}" >&2
    kill -KILL "${left[@]}" 2>/dev/null || true
    rc=1
  fi
  exit "$rc"
}

bg_install_traps() {
  trap bg_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
