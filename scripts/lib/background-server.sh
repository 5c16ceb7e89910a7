# Sourced by scripts/kafka.sh and scripts/zipkin.sh: the pid-file handling of a server they run
# in the background on loopback. Callers set pid_file before calling these.

# True when something accepts connections on 127.0.0.1:<port>.
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints the pid in $pid_file when that process runs and its command line contains <pattern>
# (a recycled pid must still be our server, not an unrelated process); fails otherwise.
pid_matching() {
  [[ -f "$pid_file" ]] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$1" || return 1
  echo "$pid"
}

# Stops <pid> with SIGTERM, then SIGKILL after 60 polls of <poll-seconds>, and removes $pid_file.
stop_pid() {
  local pid="$1" poll="$2"
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep "$poll"; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$pid_file"
}
