#!/usr/bin/env bash
# Starts the machine's own backends (PostgreSQL, MariaDB, Redis, RabbitMQ) when
# they are not answering. Each start command is the one the machine image uses.
set -u
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ensure() {
  local name=$1 port=$2; shift 2
  if up "$port"; then echo "ok   $name (:$port)"; return; fi
  echo "start $name (:$port)"
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do up "$port" && { echo "ok   $name (:$port)"; return; }; sleep 1; done
  echo "warn $name did not come up on :$port"
}
if command -v pg_ctlcluster >/dev/null; then
  ensure postgresql 5432 pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
fi
if command -v mariadbd >/dev/null; then
  ensure mariadb 3306 start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi
if command -v redis-server >/dev/null; then
  ensure redis 6379 redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
if command -v rabbitmq-server >/dev/null; then
  ensure rabbitmq 5672 rabbitmq-server -detached
fi
exit 0
