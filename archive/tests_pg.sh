#!/usr/bin/env bash
# A throwaway PostgreSQL server for the archive tests.
#
#   archive/tests_pg.sh run CMD [ARGS...]   start a server, run CMD with FIELDAUDIT_TEST_PG_URL set, stop it,
#                                           exit with CMD's status
#   eval "$(archive/tests_pg.sh start)"     start one and export FIELDAUDIT_TEST_PG_URL and FIELDAUDIT_TEST_PG_DIR
#   archive/tests_pg.sh stop [DIR]          stop it (DIR defaults to $FIELDAUDIT_TEST_PG_DIR) and remove its files
#
# Needs the PostgreSQL server binaries (Debian/Ubuntu: apt-get install -y postgresql). When run as root the
# cluster runs as the "postgres" user. Listens on 127.0.0.1 on a free port only; trust auth, test use only.
set -euo pipefail

find_bin() {
    local b
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v pg_ctl)")"
        return
    fi
    b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$b" ]; then
        echo "tests_pg.sh: PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2
        exit 1
    fi
    echo "$b"
}

as_owner() {
    if [ "$(id -u)" = "0" ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    local bin dir port
    bin=$(find_bin)
    dir=$(mktemp -d /tmp/fieldaudit-pg.XXXXXX)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    if [ "$(id -u)" = "0" ]; then chown postgres "$dir"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U fieldaudit --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || as_owner "$bin/initdb" -D "$dir/data" -U fieldaudit --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U fieldaudit fieldaudit
    echo "export FIELDAUDIT_TEST_PG_URL=postgresql+psycopg://fieldaudit@127.0.0.1:$port/fieldaudit"
    echo "export FIELDAUDIT_TEST_PG_DIR=$dir"
}

stop() {
    local dir="${1:-${FIELDAUDIT_TEST_PG_DIR:-}}" bin
    [ -n "$dir" ] && [ -d "$dir" ] || { echo "tests_pg.sh: nothing to stop" >&2; return 0; }
    bin=$(find_bin)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:-}" ;;
    run)
        shift
        eval "$(start)"
        trap 'stop "$FIELDAUDIT_TEST_PG_DIR"' EXIT
        set +e
        "$@"
        status=$?
        exit $status
        ;;
    *) echo "usage: $0 start | stop [DIR] | run CMD [ARGS...]" >&2; exit 2 ;;
esac
