#!/usr/bin/env bash
# The generated bash completion (dist/, from `lstar --help`) offers what lstar accepts. The two
# bash-completion helpers it calls are stubbed, so the test needs no bash-completion package.
set -euo pipefail
source "$1"
_init_completion() {
    words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
    cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
}
_filedir() { COMPREPLY=(FILES); }
fails=0
expect() {  # expect "WORDS..." "OFFERED..."
    local -a w; read -ra w <<<"$1"
    [[ "$1" == *" " ]] && w+=("")
    COMP_WORDS=("${w[@]}"); COMP_CWORD=$((${#w[@]} - 1)); COMPREPLY=()
    _lstar || true
    if [[ "${COMPREPLY[*]}" != "$2" ]]; then
        echo "completing '$1': got '${COMPREPLY[*]}', want '$2'"; fails=1
    fi
}
expect "lstar r" "run"
expect "lstar k" "kernel-elf"
expect "lstar run --ent" "--entry"
expect "lstar run --entry p" "pti pti-pcid"
expect "lstar run --boot m" "multiboot"
expect "lstar run --init door_s" "door_syscall door_sysenter"
expect "lstar run --trace st" "steps="
expect "lstar run --exit-log " "FILES"
expect "lstar run --memory " ""
expect "lstar run --verb" "--verbose"
expect "lstar run -- --ent" ""
expect "lstar kernel-elf " "FILES"
exit $fails
