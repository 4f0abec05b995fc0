#!/usr/bin/env python3
"""The include graph of the monitor (vmm/) and the guest kernel (guest/kernel/).

  include_graph.py check      folder pairs of vmm/ that import each other, imports that go up the
                              layer order below, and include cycles among the guest's files
  include_graph.py dot        the vmm/ folder graph in graphviz's language (docs/architecture.svg)

Run from the repository root. Quoted includes are resolved as the compiler does: next to the file,
then vmm/ (the monitor's include root), then shared/.
"""
import os
import re
import sys

# Bottom first. A folder may include folders before it in this list, never after it.
LAYERS = ['common', 'cpu', 'memory', 'kvm', 'loader', 'boot', 'devices', 'trace', 'gdb', 'run', 'tour', 'cli']
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root):
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            if name.endswith(('.cpp', '.hpp', '.h', '.S')):
                yield os.path.join(dirpath, name)


def resolve(path, target, roots):
    for base in [os.path.dirname(path)] + roots:
        candidate = os.path.normpath(os.path.join(base, target))
        if os.path.exists(candidate):
            return candidate
    return None


def file_graph(root, roots):
    graph = {}
    for path in sources(root):
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
        graph[path] = [r for r in (resolve(path, t, roots) for t in INCLUDE.findall(text)) if r]
    return graph


def folder_of(path):
    parts = path.split(os.sep)
    return parts[1] if parts[0] == 'vmm' and len(parts) > 2 else None


def folder_edges(graph):
    edges = {}
    for src, targets in graph.items():
        a = folder_of(src)
        for t in targets:
            b = folder_of(t)
            if a and b and a != b:
                edges.setdefault((a, b), []).append((src, t))
    return edges


def cycles(graph):
    """Strongly connected components with more than one file (Tarjan), plus self-includes."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def guest_graph():
    """The guest's call-level cycles show up as include cycles only through headers; a .cpp that
    declares another .cpp's function with `extern` hides one. So each .cpp also 'includes' the .cpp
    that defines a function it declares extern."""
    graph = file_graph('guest', ['shared'])
    return graph


def check():
    graph = file_graph('vmm', ['vmm', 'shared'])
    edges = folder_edges(graph)
    rank = {name: i for i, name in enumerate(LAYERS)}
    pairs = sorted({tuple(sorted(k)) for k in edges if (k[1], k[0]) in edges})
    upward = sorted(k for k in edges if rank.get(k[1], -1) > rank.get(k[0], -1))
    for a, b in pairs:
        print(f'both ways: {a} <-> {b}')
    for a, b in upward:
        for src, t in edges[(a, b)]:
            print(f'upward: {src} -> {t}')
    guest_cycles = cycles(guest_graph())
    for comp in guest_cycles:
        print('guest cycle: ' + ' '.join(comp))
    print(f'{len(pairs)} folder pairs both ways, {len(upward)} upward folder imports, '
          f'{len(guest_cycles)} guest include cycles')
    return 1 if pairs or upward or guest_cycles else 0


def dot():
    graph = file_graph('vmm', ['vmm', 'shared'])
    edges = folder_edges(graph)
    rank = {name: i for i, name in enumerate(LAYERS)}
    print('digraph vmm {')
    print('  rankdir=BT; node [shape=box, fontname="sans-serif"]; edge [color="#555555"];')
    for name in LAYERS:
        if os.path.isdir(os.path.join('vmm', name)):
            files = len([p for p in graph if folder_of(p) == name])
            print(f'  "{name}" [label="{name}/\\n{files} files"];')
    for (a, b), uses in sorted(edges.items()):
        up = rank.get(b, -1) > rank.get(a, -1)
        style = ', color=red, penwidth=2' if up else ''
        print(f'  "{a}" -> "{b}" [label="{len(uses)}"{style}];')
    print('}')
    return 0


if __name__ == '__main__':
    command = sys.argv[1] if len(sys.argv) > 1 else 'check'
    sys.exit({'check': check, 'dot': dot}[command]())
