# shellcheck shell=bash
# test/as_root.sh — sourced first by the commands that install grant and start servers
# (test/run.sh, test/demo.sh): they must run as root.

# grant_become_root NAME WHY ARGS...: when not root, runs the calling script again under
# sudo with ARGS (its own arguments), keeping the environment; without sudo, says that
# NAME must run as root because WHY, and exits 1.
grant_become_root() {
    local name=$1 why=$2
    shift 2
    if ((EUID != 0)); then
        if command -v sudo >/dev/null 2>&1; then
            exec sudo -E bash "$0" "$@"
        fi
        echo "$name: must run as root ($why)" >&2
        exit 1
    fi
}
