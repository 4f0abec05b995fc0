#!/usr/bin/env python3
"""Sum doctest results of meson test runs into one line per part and a closing total.

  count_tests.py LABEL=build/meson-logs/LOG.json [LABEL=...] [--not-run LABEL="reason"]...

Each LOG.json is a meson test log (`meson test --logbase LOG`). Prints `LABEL: N passed, N failed`
for each, `LABEL: not run: reason` for each --not-run, and last `tests: N passed, N failed` over
all of them. A test executable that meson reports as SKIP (exit 77) counts as skipped; one that
failed without a doctest summary (a crash, a timeout) counts as one failure.
"""
import json
import re
import sys

pattern = re.compile(r'test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed\s*\|\s*(\d+) skipped')


def count(path):
    passed = failed = skipped = 0
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            m = pattern.search(rec.get('stdout', '') or '')
            if rec.get('result') == 'SKIP':
                skipped += 1
            elif m:
                passed += int(m.group(2))
                failed += int(m.group(3))
                skipped += int(m.group(4))
                if rec.get('result') in ('FAIL', 'TIMEOUT', 'ERROR') and int(m.group(3)) == 0:
                    failed += 1  # ended badly after its summary (a sanitizer report at exit, say)
            elif rec.get('result') in ('FAIL', 'TIMEOUT', 'ERROR'):
                failed += 1
    return passed, failed, skipped


def line(p, f, s):
    return f'{p} passed, {f} failed' + (f', {s} skipped' if s else '')


def main(argv):
    total = [0, 0, 0]
    args = iter(argv)
    for a in args:
        if a == '--not-run':
            label, _, reason = next(args).partition('=')
            print(f'{label}: not run: {reason}')
            continue
        label, _, path = a.rpartition('=')
        try:
            c = count(path)
        except FileNotFoundError:
            print(f'{label or path}: no test log ({path}): the run did not finish')
            total[1] += 1
            continue
        print(f'{label or path}: {line(*c)}')
        total = [t + x for t, x in zip(total, c)]
    print('tests: ' + line(*total))


if __name__ == '__main__':
    main(sys.argv[1:])
