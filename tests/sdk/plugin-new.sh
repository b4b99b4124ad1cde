#!/bin/sh
# `pantau plugin new demo_widget` writes a plugin that builds alone and
# passes its generated test. Built out of tree through pkg-config, against
# this build tree: pantau-plugin.pc and pantau-testhost.pc are written here
# pointing at the source tree's headers and the build tree's test host
# library, under the names the installed SDK uses.
# usage: plugin-new.sh PANTAU_BIN SOURCE_DIR TESTHOST_LIB_DIR
set -eu
pantau=$1 src=$2 libdir=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pantau-plugin-new.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$pantau" plugin new demo_widget --dir "$tmp" >"$tmp/new.log"
plugin=$tmp/demo_widget
for f in CMakeLists.txt README.md demo_widget.c web/demo_widget.js web/demo_widget.css \
    tests/test_demo_widget.c; do
    test -f "$plugin/$f" || { echo "missing $f"; exit 1; }
done
if grep -rn -i example "$plugin"; then echo "the template's name is left above"; exit 1; fi
grep -q 'PANTAU_PLUGIN_DEFINE("demo_widget"' "$plugin/demo_widget.c"
grep -q "'widget-root pantau-demo-widget'" "$plugin/web/demo_widget.js"
# A second run refuses to overwrite; a bad name is refused.
if "$pantau" plugin new demo_widget --dir "$tmp" 2>/dev/null; then echo "overwrote"; exit 1; fi
if "$pantau" plugin new 'Bad-Name' --dir "$tmp" 2>/dev/null; then echo "took a bad name"; exit 1; fi

mkdir "$tmp/pc"
cat >"$tmp/pc/pantau-plugin.pc" <<PC
Name: pantau-plugin
Description: pantau plugin header (build tree)
Version: 0
Requires: jansson
Cflags: -I$src/core/include
PC
cat >"$tmp/pc/pantau-testhost.pc" <<PC
Name: pantau-testhost
Description: pantau test host (build tree)
Version: 0
Requires: pantau-plugin jansson
Libs: -L$libdir -lpantau-testhost
Cflags: -I$src/sdk/testhost/include
PC
export PKG_CONFIG_PATH="$tmp/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
cmake -S "$plugin" -B "$plugin/build" -DCMAKE_DISABLE_FIND_PACKAGE_Pantau=ON \
    -DCMAKE_C_FLAGS=-Werror >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$plugin/build" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
test -f "$plugin/build/demo_widget.so"
ctest --test-dir "$plugin/build" --output-on-failure >"$tmp/ctest.log" 2>&1 || { cat "$tmp/ctest.log"; exit 1; }
grep -q "100% tests passed, 0 tests failed out of 5" "$tmp/ctest.log" || { cat "$tmp/ctest.log"; exit 1; }

# The same through the CMake package: a stand-in PantauConfig.cmake with the
# installed package's targets, Pantau::plugin and Pantau::testhost.
mkdir "$tmp/cmake"
cat >"$tmp/cmake/PantauConfig.cmake" <<CM
add_library(Pantau::plugin INTERFACE IMPORTED)
set_target_properties(Pantau::plugin PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "$src/core/include"
  INTERFACE_LINK_LIBRARIES jansson)
add_library(Pantau::testhost SHARED IMPORTED)
set_target_properties(Pantau::testhost PROPERTIES IMPORTED_LOCATION "$libdir/libpantau-testhost.so"
  INTERFACE_INCLUDE_DIRECTORIES "$src/sdk/testhost/include" INTERFACE_LINK_LIBRARIES Pantau::plugin)
CM
PKG_CONFIG_PATH=/nonexistent cmake -S "$plugin" -B "$tmp/build-cmake" -DPantau_DIR="$tmp/cmake" \
    -DCMAKE_C_FLAGS=-Werror >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/build-cmake" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
ctest --test-dir "$tmp/build-cmake" >"$tmp/ctest.log" 2>&1 || { cat "$tmp/ctest.log"; exit 1; }
grep -q "100% tests passed, 0 tests failed out of 5" "$tmp/ctest.log" || { cat "$tmp/ctest.log"; exit 1; }

# The real core loads the result: pantau --check-config runs its check().
mkdir -p "$tmp/plugins/demo_widget"
cp "$plugin/build/demo_widget.so" "$tmp/plugins/"
cp -r "$plugin/web" "$tmp/plugins/demo_widget/"
config() {
    cat >"$tmp/pantau.json" <<JSON
{"plugins": {"load": ["demo_widget"]},
 "sources": [{"id": "d1", "type": "demo_widget", "name": "D1", "settings": {"interval_ms": $1}}],
 "walls": [{"id": "main", "name": "W", "displays": {"columns": 1, "rows": 1, "width": 1920, "height": 1080},
   "layout": {"columns": 1, "rows": 1, "tiles": [{"id": "t1", "x": 0, "y": 0, "w": 1, "h": 1, "source": "d1"}]}}]}
JSON
}
config 500
"$pantau" --check-config "$tmp/pantau.json" --plugin-dir "$tmp/plugins" >"$tmp/check.log" 2>&1 || { cat "$tmp/check.log"; exit 1; }
config 5
if "$pantau" --check-config "$tmp/pantau.json" --plugin-dir "$tmp/plugins" >"$tmp/check.log" 2>&1; then
    echo "a bad interval_ms passed the check"; exit 1
fi
grep -q "sources\[0\].settings: interval_ms: an integer from 100" "$tmp/check.log" || { cat "$tmp/check.log"; exit 1; }
echo "plugin new: demo_widget built out of tree, passed its 5 tests, and loads in pantau"
