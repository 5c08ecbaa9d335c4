#!/bin/bash
# Run once by the mysql image's entrypoint, on the first start with an empty data volume (not on later starts:
# changing the passwords in deploy/.env afterwards needs ALTER USER or a fresh volume).
# One database and one user per service: neither service can read the other's tables.
set -euo pipefail

# SQL string literal of $1 (quotes and backslashes escaped)
sql_string() {
    local value=${1//\\/\\\\}
    printf "'%s'" "${value//\'/\'\'}"
}

mysql --protocol=socket -uroot -p"${MYSQL_ROOT_PASSWORD}" <<SQL
CREATE DATABASE IF NOT EXISTS orders CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
CREATE DATABASE IF NOT EXISTS assignments CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
CREATE USER IF NOT EXISTS $(sql_string "${ORDERS_DB_USER}")@'%' IDENTIFIED BY $(sql_string "${ORDERS_DB_PASSWORD}");
CREATE USER IF NOT EXISTS $(sql_string "${ASSIGNMENTS_DB_USER}")@'%' IDENTIFIED BY $(sql_string "${ASSIGNMENTS_DB_PASSWORD}");
GRANT ALL PRIVILEGES ON orders.* TO $(sql_string "${ORDERS_DB_USER}")@'%';
GRANT ALL PRIVILEGES ON assignments.* TO $(sql_string "${ASSIGNMENTS_DB_USER}")@'%';
SQL
