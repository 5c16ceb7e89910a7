#!/usr/bin/env bash
# One database per service, as the course has one per service, each with its own user that may
# use only that database. Names follow config-repo/application-mariadb.yml (stratus_<name>);
# passwords come from the container's environment. Runs once, on an empty data directory, in
# this project's MariaDB image and in the stock mariadb image alike.
set -euo pipefail
quote() { printf "'%s'" "${1//\'/\'\'}"; }
{
  for entry in "users:user_service:${USER_DB_PASSWORD:?}" \
    "catalog:catalog_service:${CATALOG_DB_PASSWORD:?}" \
    "orders:order_service:${ORDER_DB_PASSWORD:?}"; do
    IFS=: read -r database user password <<<"$entry"
    echo "CREATE DATABASE IF NOT EXISTS stratus_$database CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    echo "CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY $(quote "$password");"
    echo "GRANT ALL PRIVILEGES ON stratus_$database.* TO '$user'@'%';"
  done
} | mariadb --protocol=socket --socket="${MARIADB_SOCKET:-/run/mysqld/mysqld.sock}" -uroot \
  -p"$MARIADB_ROOT_PASSWORD"
