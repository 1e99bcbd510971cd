# shellcheck shell=bash
# test/nodes.sh — the port of each server of the test topology (see test/topology.sh), from
# the GRANT_*_PORT variables.  Sourced by test/topology.sh and test/lib.sh.

# Prints the port of NODE; fails, printing nothing, for an unknown node.
grant_node_port() {
    case $1 in
        local) echo "$GRANT_LOCAL_PORT" ;;
        writer) echo "$GRANT_WRITER_PORT" ;;
        reader) echo "$GRANT_READER_PORT" ;;
        reader2) echo "$GRANT_READER2_PORT" ;;
        shard1) echo "$GRANT_SHARD1_PORT" ;;
        shard2) echo "$GRANT_SHARD2_PORT" ;;
        mysql) echo "$GRANT_MYSQL_PORT" ;;
        mysql_replica) echo "$GRANT_MYSQL_REPLICA_PORT" ;;
        *) return 1 ;;
    esac
}
