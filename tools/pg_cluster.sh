# Sourced by the demo and test scripts: a throwaway PostgreSQL cluster in a temporary directory,
# on a free local port, run by an unprivileged user (postgres when we are root).
#   ca_cluster_start   sets PGHOST, PGPORT, PGUSER, PGDATABASE and CA_CLUSTER_DIR
#   ca_cluster_stop    stops it and removes the directory
PG_MAJOR="${PG_MAJOR:-15}"
PG_BIN="$(pg_config --bindir 2>/dev/null || echo "/usr/lib/postgresql/${PG_MAJOR}/bin")"

ca_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ca_free_port() {
    local port
    for port in $(seq 54320 54420); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

ca_cluster_start() {
    CA_CLUSTER_DIR="$(mktemp -d /tmp/customer_analytics_pg.XXXXXX)"
    chmod 755 "$CA_CLUSTER_DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres "$CA_CLUSTER_DIR"
    PGPORT="$(ca_free_port)"
    ca_as_owner "$PG_BIN/initdb" -D "$CA_CLUSTER_DIR/data" -U postgres -A trust --no-sync >/dev/null
    ca_as_owner "$PG_BIN/pg_ctl" -D "$CA_CLUSTER_DIR/data" -l "$CA_CLUSTER_DIR/server.log" -w \
        -o "-p $PGPORT -k $CA_CLUSTER_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_parallel_workers_per_gather=2" \
        start >/dev/null
    export PGHOST="$CA_CLUSTER_DIR" PGPORT PGUSER=postgres PGDATABASE=postgres CA_CLUSTER_DIR
}

ca_cluster_stop() {
    if [ -n "${CA_CLUSTER_DIR:-}" ] && [ -d "$CA_CLUSTER_DIR/data" ]; then
        # A backend that ignores the fast shutdown (a bug under test) must not outlive its
        # directory: then stop immediately.
        ca_as_owner "$PG_BIN/pg_ctl" -D "$CA_CLUSTER_DIR/data" -m fast -t 30 -w stop >/dev/null 2>&1 ||
            ca_as_owner "$PG_BIN/pg_ctl" -D "$CA_CLUSTER_DIR/data" -m immediate -w stop >/dev/null 2>&1 ||
            true
        rm -rf "$CA_CLUSTER_DIR"
    fi
}
