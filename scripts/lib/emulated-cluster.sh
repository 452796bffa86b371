# Shared by scripts/demo and scripts/bench-reaction: one emulated GPU node (fulcrum-emu workers
# as template units under a systemd user manager), the emulated router, and fulcrumd steering
# them. Source it from the repository root after `set -euo pipefail`; it installs a cleanup trap
# that stops every process and unit it started, also on Ctrl-C.
#
#   cluster_init                      build release binaries, make $state, install the trap
#   cluster_write_units PROFILE SCALE worker units running PROFILE at --time-scale SCALE
#   cluster_start_nodes               a private user manager when root, else your own
#   cluster_start_router              the router on a free port: $router
#   cluster_start_fulcrumd TEMPLATE   fulcrumd with TEMPLATE's @BUS@ @STATE@ @METRICS_PORT@ @ROUTER@
#                                     filled in; waits for /readyz: $metrics_port, $state/control.sock
#   ctl ARGS...                       systemctl --user on the node

repo=$PWD
bin=$repo/.build/release
pids=()
nodes_state=
user_mode=false
user_units=${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user

cluster_build() {
  mkdir -p out
  swift build -c release --product "$1" > out/build.log 2>&1 || {
    cat out/build.log
    echo "${0##*/}: building $1 failed (log above)." >&2
    exit 1
  }
}

cluster_cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  if $user_mode; then
    systemctl --user stop 'fulcrum-emu-*' 2>/dev/null
    rm -f "$user_units/fulcrum-emu-prefill@.service" "$user_units/fulcrum-emu-decode@.service"
    systemctl --user daemon-reload 2>/dev/null
  elif [ -n "$nodes_state" ]; then
    scripts/with-systemd-user --stop "$nodes_state" >/dev/null 2>&1
  fi
  rm -rf "$state"
}

cluster_init() {
  echo "building fulcrumd and fulcrum-emu (release)…"
  cluster_build fulcrumd
  cluster_build fulcrum-emu
  state=$(mktemp -d /tmp/fulcrum-cluster.XXXXXX)
  # Cleanup runs once, at exit; a signal ends the script (it must not carry on without -e).
  trap cluster_cleanup EXIT
  trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 129' HUP
}

cluster_write_units() {
  local profile=$1 scale=$2 role
  mkdir -p "$state/units"
  for role in prefill decode; do
    cat > "$state/units/fulcrum-emu-$role@.service" <<UNIT
[Unit]
Description=Emulated $role worker on GPUs %i (fulcrum)
StartLimitIntervalSec=60
StartLimitBurst=3

[Service]
Type=exec
Environment=FULCRUM_PREFILL_BASE_PORT=32000 FULCRUM_DECODE_BASE_PORT=32100
ExecStartPre=$repo/systemd/fulcrum-unit-env $role %i %t/fulcrum-workers/%n.env
EnvironmentFile=-%t/fulcrum-workers/%n.env
ExecStart=$bin/fulcrum-emu worker --role $role --listen 127.0.0.1:\${FULCRUM_PORT} --engine vllm --profile $profile --time-scale $scale
KillSignal=SIGTERM
TimeoutStopSec=60
Restart=on-failure
RestartSec=1
UNIT
  done
}

cluster_start_nodes() {
  if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
    scripts/with-systemd-user --start --nodes 1 --units "$state/units" --state "$state/nodes" > "$state/nodes.env"
    nodes_state=$state/nodes
    # shellcheck disable=SC1091
    set -a; . "$state/nodes.env"; set +a
    bus=$FULCRUM_NODE0_BUS
  else
    systemctl --user show -p Version >/dev/null 2>&1 || {
      echo "${0##*/}: not root, and your systemd user manager does not answer (systemctl --user); log in through a session that starts one, or run as root." >&2
      exit 1
    }
    local template
    for template in fulcrum-emu-prefill@.service fulcrum-emu-decode@.service; do
      [ ! -e "$user_units/$template" ] || {
        echo "${0##*/}: $user_units/$template already exists, and this run would replace it and remove it afterwards; move it away first, or run as root (a private manager)." >&2
        exit 1
      }
    done
    user_mode=true
    mkdir -p "$user_units"
    cp "$state"/units/*.service "$user_units/"
    systemctl --user daemon-reload
    bus=user
  fi
}

ctl() {
  if $user_mode; then systemctl --user "$@"; else XDG_RUNTIME_DIR=$FULCRUM_NODE0_RUNTIME_DIR systemctl --user "$@"; fi
}

# shellcheck disable=SC1091
. scripts/lib/free-port.sh

cluster_start_router() {
  router_port=$(free_port)
  router=http://127.0.0.1:$router_port
  "$bin/fulcrum-emu" router --listen "127.0.0.1:$router_port" --worker-wait 20 > "$state/router.log" 2>&1 &
  pids+=($!)
}

cluster_start_fulcrumd() {
  metrics_port=$(free_port)
  sed -e "s|@BUS@|$bus|; s|@STATE@|$state|; s|@METRICS_PORT@|$metrics_port|; s|@ROUTER@|$router|g" "$1" > "$state/fulcrum.yaml"
  "$bin/fulcrumd" --config "$state/fulcrum.yaml" > "$state/fulcrumd.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do [ -S "$state/control.sock" ] && curl -sf "127.0.0.1:$metrics_port/readyz" >/dev/null && break; sleep 0.2; done
  curl -sf "127.0.0.1:$metrics_port/readyz" >/dev/null || { echo "fulcrumd did not become ready; its log:"; cat "$state/fulcrumd.log"; exit 1; }
}
