#!/usr/bin/env python3
"""The layer check of core/src (docs/architecture.md).

Every file of core/src lives in a layer folder; a file may include headers of
its own layer and of the layers below it, never of a layer above. Modules
(x.c with x.h; a header alone is a module too) must not include each other in
a circle. Known debt is listed in scripts/layer-debt.txt, one finding a line:

    domain/alarm.h -> ops.h        an upward include (file relative to core/src)
    circle: alarm audit ops        the modules of one circle, sorted

A finding listed there is counted as debt and does not fail; a finding not
listed fails, and so does a debt line that no longer occurs, so the file only
shrinks.

Usage:
    check-layers.py [--root core/src] [--debt scripts/layer-debt.txt]
    check-layers.py --self-test tests/layers
Exit status 0 when clean (debt aside), 1 on a finding.
"""

import argparse
import os
import re
import sys

LAYERS = ["base", "model", "domain", "plugin", "net", "app"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def read_sources(root):
    """Maps each .c/.h file under root (path relative to root) to its layer
    (None outside a layer folder) and its includes [(line, header)]."""
    files = {}
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            top = rel.split(os.sep)[0] if os.sep in rel else None
            includes = []
            with open(path, encoding="utf-8") as f:
                for number, text in enumerate(f, 1):
                    m = INCLUDE.match(text)
                    if m:
                        includes.append((number, m.group(1)))
            files[rel] = (top if top in LAYERS else None, includes)
    return files


def module_of(rel):
    return os.path.splitext(os.path.basename(rel))[0]


def upward_findings(files, headers):
    """[(key, message)] for every file outside a layer and every include of a
    header from a higher layer."""
    found = []
    for rel, (layer, includes) in sorted(files.items()):
        if layer is None:
            found.append((f"{rel} -> (no layer)", f"{rel}:1: is in no layer folder ({', '.join(LAYERS)})"))
            continue
        for number, header in includes:
            target = headers.get(os.path.basename(header))
            if target is None:
                continue
            target_layer = files[target][0]
            if target_layer and LAYERS.index(target_layer) > LAYERS.index(layer):
                found.append((f"{rel} -> {os.path.basename(header)}",
                              f"{rel}:{number}: includes {os.path.basename(header)} from "
                              f"{target_layer}, a higher layer"))
    return found


def module_graph(files, headers):
    graph = {}
    for rel, (_, includes) in files.items():
        edges = graph.setdefault(module_of(rel), set())
        for _, header in includes:
            target = headers.get(os.path.basename(header))
            if target and module_of(target) != module_of(rel):
                edges.add(module_of(target))
    return graph


def strongly_connected(graph):
    """Tarjan's algorithm, iteratively: the components with more than one module."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def example_cycle(graph, members):
    """One circle through the first member, inside the component (BFS)."""
    inside = set(members)
    first = members[0]
    previous = {first: None}
    queue = [first]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node] & inside):
            if child == first:
                path = [node]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])
                return list(reversed(path)) + [first]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return members


def circle_findings(files, headers):
    graph = module_graph(files, headers)
    found = []
    for members in strongly_connected(graph):
        key = "circle: " + " ".join(members)
        cycle = " -> ".join(example_cycle(graph, members))
        found.append((key, f"{key} ({len(members)} modules include each other, e.g. {cycle})"))
    return found


def read_debt(path):
    debt = {}
    if not path or not os.path.exists(path):
        return debt
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            line = " ".join(text.split("#", 1)[0].split())
            if line:
                debt[line] = number
    return debt


def check(root, debt_path, out=sys.stdout):
    """Prints the findings; returns 0 when every finding is known debt and
    every debt line still occurs, else 1."""
    files = read_sources(root)
    headers = {os.path.basename(rel): rel for rel in files if rel.endswith(".h")}
    findings = upward_findings(files, headers) + circle_findings(files, headers)
    debt = read_debt(debt_path)
    failed = False
    known_upward = known_circles = 0
    for key, message in findings:
        if key in debt:
            if key.startswith("circle: "):
                known_circles += 1
            else:
                known_upward += 1
            continue
        print(message, file=out)
        failed = True
    keys = {key for key, _ in findings}
    for line, number in sorted(debt.items(), key=lambda item: item[1]):
        if line not in keys:
            print(f"{debt_path}:{number}: debt no longer occurs, remove the line: {line}", file=out)
            failed = True
    print(f"layer check of {root}: {known_upward} upward includes and {known_circles} circles "
          f"of known debt ({debt_path or 'no debt file'}); {'FAILED' if failed else 'passed'}",
          file=out)
    return 1 if failed else 0


def self_test(folder):
    """Runs the check on the fixture trees of tests/layers and compares."""
    import io

    def run(tree, debt):
        out = io.StringIO()
        debt_path = os.path.join(folder, debt) if debt else None
        status = check(os.path.join(folder, tree), debt_path, out)
        return status, out.getvalue().splitlines()

    def expected(name):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            return [line.rstrip("\n") for line in f if line.strip()]

    cases = [
        ("clean tree passes", "clean", None, 0, None),
        ("upward include and circle fail", "bad", None, 1, "bad-expected.txt"),
        ("all of it listed as debt passes", "bad", "bad-debt.txt", 0, None),
        ("a debt line that no longer occurs fails", "clean", "stale-debt.txt", 1, None),
    ]
    failures = 0
    for title, tree, debt, want_status, want_file in cases:
        status, lines = run(tree, debt)
        ok = status == want_status
        if want_file:
            ok = ok and lines[:-1] == expected(want_file)
        if debt == "stale-debt.txt":
            ok = ok and any("debt no longer occurs" in line for line in lines)
        print(f"{'ok' if ok else 'FAIL'}: {title} (exit {status})")
        if not ok:
            failures += 1
            print("\n".join("    " + line for line in lines))
    return 1 if failures else 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join(repo, "core", "src"))
    parser.add_argument("--debt", default=os.path.join(repo, "scripts", "layer-debt.txt"))
    parser.add_argument("--self-test", metavar="FIXTURES")
    args = parser.parse_args()
    if args.self_test:
        return self_test(args.self_test)
    return check(shown(args.root), shown(args.debt))


def shown(path):
    """path relative to the working directory when it is below it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


if __name__ == "__main__":
    sys.exit(main())
