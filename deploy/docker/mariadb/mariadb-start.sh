#!/usr/bin/env bash
# First start (empty data directory): creates the system tables, sets the root password from
# MARIADB_ROOT_PASSWORD (root may connect from other containers), runs the init scripts on a
# server that listens on no port, and stops it. Then becomes the server (exec: PID 1, SIGTERM
# shuts it down cleanly).
set -euo pipefail
data=/var/lib/mysql
socket=/run/mysqld/mysqld.sock
if [[ ! -d "$data/mysql" ]]; then
  : "${MARIADB_ROOT_PASSWORD:?MARIADB_ROOT_PASSWORD must be set for the first start}"
  mariadb-install-db --datadir="$data" --auth-root-authentication-method=normal \
    --skip-test-db >/dev/null
  mariadbd --datadir="$data" --skip-networking --socket="$socket" &
  pid=$!
  for _ in $(seq 1 120); do
    mariadb-admin --protocol=socket --socket="$socket" ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  sql() { mariadb --protocol=socket --socket="$socket" -uroot; }
  password="${MARIADB_ROOT_PASSWORD//\'/\'\'}"
  sql <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '$password';
CREATE USER 'root'@'%' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
SQL
  export MYSQL_PWD="$MARIADB_ROOT_PASSWORD"
  for file in /docker-entrypoint-initdb.d/*; do
    case "$file" in
      *.sql) echo "mariadb-start.sh: running $file"; sql <"$file" ;;
      *.sh) echo "mariadb-start.sh: running $file"; MARIADB_SOCKET="$socket" bash "$file" ;;
    esac
  done
  unset MYSQL_PWD
  kill "$pid"
  wait "$pid" || true
fi
exec mariadbd --datadir="$data" --socket="$socket" --bind-address=0.0.0.0 \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci "$@"
