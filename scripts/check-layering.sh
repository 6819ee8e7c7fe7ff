#!/usr/bin/env bash
# The module edges of DESIGN.md, checked on every #include: which hoist
# modules and which third-party libraries each folder may include. CMake's
# per-module include roots already stop most wrong includes; this also covers
# system headers (a jansson include in the simulator, say), which no include
# path can stop.
set -u
cd "$(dirname "$0")/.."
fails=0

# folder | hoist modules it may include | third-party headers it may include
rules=(
    "lib/base|base|"
    "lib/model|base model|"
    "simulator|base model simulator|"
    "lib/http|base http|curl ev"
    "lib/aws|base model http aws|openssl expat jansson ev"
    "lib/kube|base model http kube|jansson yaml ev"
    "lib/autoscaler|base model simulator autoscaler|"
    "lib/replay|base model simulator autoscaler kube replay|jansson ev"
    "lib/controller|base model simulator autoscaler http aws kube replay controller|ev jansson"
)
modules="base model simulator http aws kube autoscaler replay controller"
thirdparty="curl ev jansson openssl expat yaml"

header_lib() { # third-party family of a system header, or nothing
    case "$1" in
    curl/*) echo curl ;;
    ev.h | ev++.h) echo ev ;;
    jansson.h | jansson_config.h) echo jansson ;;
    openssl/*) echo openssl ;;
    expat.h | expat_external.h) echo expat ;;
    yaml.h) echo yaml ;;
    esac
}

for rule in "${rules[@]}"; do
    IFS='|' read -r dir allowed_mods allowed_libs <<<"$rule"
    [ -d "$dir" ] || continue
    while IFS= read -r line; do
        file=${line%%:*}
        inc=$(sed -E 's/.*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"].*/\1/' <<<"$line")
        lib=$(header_lib "$inc")
        if [ -n "$lib" ]; then
            if [[ " $allowed_libs " != *" $lib "* ]]; then
                echo "layering: $file includes <$inc>, but $dir may not use $lib"
                fails=$((fails + 1))
            fi
            continue
        fi
        mod=${inc%%/*}
        if [ "$mod" != "$inc" ] && [[ " $modules " == *" $mod "* ]] && [[ " $allowed_mods " != *" $mod "* ]]; then
            echo "layering: $file includes \"$inc\", but $dir may not depend on $mod"
            fails=$((fails + 1))
        fi
    done < <(grep -rHE '^[[:space:]]*#[[:space:]]*include' "$dir" --include='*.c' --include='*.h' | sed -E 's/^([^:]+):/\1:/')
done
: "$thirdparty"
if [ "$fails" -ne 0 ]; then
    echo "layering: $fails forbidden include(s)"
    exit 1
fi
echo "layering: every include follows DESIGN.md's module edges"
