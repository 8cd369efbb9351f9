#!/usr/bin/env bash
# clang-format and clang-tidy (version 14, scripts/bootstrap.sh lint) over our sources.
#
#   scripts/lint.sh                 the quick form, for .ci/run: clang-format over every source,
#                                   clang-tidy over the translation units the last commits
#                                   changed: the base is the oldest of HEAD~1 .. HEAD~20 (first
#                                   parents) whose diff to HEAD holds at most
#                                   REMORA_LINT_UNITS_MAX units (default 24), and HEAD~1 when
#                                   even that diff holds more (a landing is checked whole);
#                                   5-20 s of CPU per unit (about 10 on average)
#   scripts/lint.sh --since REV     the same over the units changed since REV
#   scripts/lint.sh --all           clang-format, then clang-tidy over every translation unit
#                                   (about 300: half an hour or more on 2 cores; the CTest
#                                   `lint` label)
#   scripts/lint.sh --format-only   clang-format alone (seconds)
#   --build DIR                     the build whose compile_commands.json clang-tidy reads
#                                   (default build/release)
#
# Our sources are the tracked *.h and *.cpp files, less tests/fuzz/corpus (data) and the paths in
# .clang-format-ignore. Build directories and generated code (build/*/generated) are not
# tracked, so they are never checked. clang-tidy reads DIR/compile_commands.json (every preset
# writes one), copied with the GCC-only flags that clang does not know filtered out, and needs
# the build's generated headers (scripts/build.sh release makes both). It checks our headers
# through the units that include them (--header-filter: the module folders of this checkout).
# The libFuzzer targets are not in a release build's database, so they are not checked.
# Exit status: 0 clean, 1 findings, 2 usage or a missing tool.
set -euo pipefail
export LC_ALL=C  # one collation for sort and comm
cd "$(dirname "$0")/.."

mode=quick
since=""
build=build/release
while (($#)); do
    case "$1" in
        --all) mode=all ;;
        --format-only) mode=format ;;
        --since) since=${2:?--since needs a revision}; shift ;;
        --since=*) since=${1#--since=} ;;
        --build) build=${2:?--build needs a directory}; shift ;;
        -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "lint: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done

clang_format=${CLANG_FORMAT:-clang-format-14}
clang_tidy=${CLANG_TIDY:-clang-tidy-14}
for tool in "$clang_format" "$clang_tidy"; do
    command -v "$tool" >/dev/null ||
        { echo "lint: $tool not found (scripts/bootstrap.sh lint installs it)" >&2; exit 2; }
done

# Our sources, one per line: tracked, C++, not corpus data, not listed in .clang-format-ignore
# (one path prefix per line, # comments).
sources() {
    local ignore=()
    if [[ -f .clang-format-ignore ]]; then
        mapfile -t ignore < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' .clang-format-ignore | grep -v '^$')
    fi
    git ls-files -- '*.h' '*.cpp' | grep -v '^tests/fuzz/corpus/' |
        while IFS= read -r file; do
            for prefix in "${ignore[@]}"; do [[ $file == "$prefix"* ]] && continue 2; done
            echo "$file"
        done
}

start=$SECONDS
status=0
mapfile -t all_sources < <(sources)
if ! "$clang_format" --dry-run -Werror "${all_sources[@]}"; then
    echo "lint: clang-format: the files above differ from .clang-format" \
         "(fix: $clang_format -i FILE)" >&2
    status=1
fi
echo "lint: clang-format over ${#all_sources[@]} files in $((SECONDS - start)) s"
[[ $mode == format ]] && exit "$status"

database=$build/compile_commands.json
[[ -f $database ]] || { echo "lint: $database is missing: run scripts/build.sh release (or give --build DIR)" >&2; exit 2; }
# GCC-only flags that clang rejects (-Werror turns "unknown warning option" into an error).
gcc_only='-Wno-restrict|-Wno-stringop-overflow|-Wno-stringop-overread|-Wno-maybe-uninitialized'
tidy_dir=$(mktemp -d "${TMPDIR:-/tmp}/remora-lint-XXXXXX")
trap 'rm -rf "$tidy_dir"' EXIT
sed -E "s/ ($gcc_only)( |\")/\2/g" "$database" >"$tidy_dir/compile_commands.json"

# The translation units to check: all of them, or those changed since the base (a changed
# header brings its own .cpp, and clang-tidy checks the header through it).
mapfile -t units < <(grep -o '"file": *"[^"]*"' "$tidy_dir/compile_commands.json" |
                         sed -E 's/"file": *"(.*)"/\1/; s|^'"$PWD"'/||' | sort -u |
                         comm -12 - <(printf '%s\n' "${all_sources[@]}" | sort))
changed_units() {  # the units changed between $1 and HEAD
    git diff --name-only --diff-filter=d "$1" HEAD -- '*.h' '*.cpp' | sed -E 's/\.h$/.cpp/' |
        sort -u | comm -12 - <(printf '%s\n' "${units[@]}")
}
if [[ $mode == quick ]]; then
    if [[ -z $since ]]; then
        units_max=${REMORA_LINT_UNITS_MAX:-24}
        for back in $(seq 1 20); do
            git rev-parse -q --verify "HEAD~$back^{commit}" >/dev/null || break
            ((back == 1)) || (($(changed_units "HEAD~$back" | wc -l) <= units_max)) || break
            since=HEAD~$back
        done
        # A repository of one commit: its whole tree.
        [[ -n $since ]] || since=$(git hash-object -t tree /dev/null)
    fi
    mapfile -t units < <(changed_units "$since")
    echo "lint: clang-tidy over the ${#units[@]} translation units changed since $since" \
         "($(git rev-parse --short "$since"))"
else
    echo "lint: clang-tidy over all ${#units[@]} translation units"
fi
if ((${#units[@]} > 0)); then
    jobs=${REMORA_LINT_JOBS:-$(nproc)}
    if ! printf '%s\n' "${units[@]}" |
            xargs -P "$jobs" -n 4 "$clang_tidy" -p "$tidy_dir" --quiet --warnings-as-errors='*' \
                --header-filter="^$PWD/(common|storage|executor|net|recovery|node|tools|tests)/" \
                2> >(grep -v ' warnings generated\.$' >&2); then
        echo "lint: clang-tidy found the problems above (.clang-tidy says which checks are on)" >&2
        status=1
    fi
fi
echo "lint: done in $((SECONDS - start)) s"
exit "$status"
