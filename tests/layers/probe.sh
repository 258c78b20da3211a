#!/bin/bash
# probe.sh — shows that a layer cannot include what lies above it
# (docs/internals/LAYERS.md). For one layer, with exactly the include flags
# that layer's library is compiled with, it compiles one probe file per
# header: each header of the layer's own folder must compile (the control:
# the flags are right, so a failure below means something), and one header
# of every layer the layer may not use must fail for the one reason that
# counts, "file not found". Run by CTest as style.layers.<layer>.
#
# usage: probe.sh CC LAYER_DIR OWN_HEADERS FORBIDDEN_HEADERS -- FLAGS...
#   OWN_HEADERS, FORBIDDEN_HEADERS: ','-separated, e.g. sinau/core/log.h;
#   FORBIDDEN_HEADERS is "none" for the top layer
set -u
cc=$1 own=$2 forbidden=$3
shift 3
[[ ${1:-} == -- ]] && shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0

probe() { # header → compiler output in $work/out, status returned
    printf '#include "%s"\nint layers_probe;\n' "$1" >"$work/probe.c"
    "$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -fsyntax-only \
        "${flags[@]}" "$work/probe.c" >"$work/out" 2>&1
}

flags=("$@")
IFS=',' read -r -a owns <<<"$own"
ups=()
[[ $forbidden == none ]] || IFS=',' read -r -a ups <<<"$forbidden"
for h in "${owns[@]}"; do
    if probe "$h"; then
        echo "ok   $h compiles"
    else
        echo "FAIL $h (a header of the layer itself) does not compile:"
        cat "$work/out"
        fails=$((fails + 1))
    fi
done
[[ ${#owns[@]} -gt 0 ]] || { echo "FAIL no header of the layer to compile"; fails=1; }
for h in ${ups[@]+"${ups[@]}"}; do
    if probe "$h"; then
        echo "FAIL $h compiles here: the layer can reach above itself"
        fails=$((fails + 1))
    elif grep -Eq "$h: No such file|'$h' file not found" "$work/out"; then
        echo "ok   $h is out of reach"
    else
        echo "FAIL $h failed for another reason than not being found:"
        cat "$work/out"
        fails=$((fails + 1))
    fi
done
exit $((fails > 0))
