#!/bin/sh
# `pantau plugin new demo_widget` (a pantau run from its build: the
# template is the source tree's plugins/example) writes every file of the
# plugin with the template's name replaced, and refuses to overwrite it or
# to take a bad name. That the result builds out of tree against an
# installed SDK (CMake package), passes its generated test and passes the
# core's settings check: tests/sdk/sdk.test.js, on the installed pantau
# and its installed template.
# usage: plugin-new.sh PANTAU_BIN
set -eu
pantau=$1
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

echo "plugin new: demo_widget written from the template, renamed, and refused twice"
