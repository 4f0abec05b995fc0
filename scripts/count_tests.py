#!/usr/bin/env python3
"""Sum the doctest results of a meson test run (build/meson-logs/testlog.json) into one line:
'tests: N passed, N failed[, N skipped]'. A test executable that meson reports as SKIP (exit 77:
no /dev/kvm outside CI) counts as skipped."""
import json
import re
import sys

passed = failed = skipped = 0
pattern = re.compile(r'test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed\s*\|\s*(\d+) skipped')
with open(sys.argv[1]) as f:
    for line in f:
        rec = json.loads(line)
        m = pattern.search(rec.get('stdout', '') or '')
        if rec.get('result') == 'SKIP':
            skipped += 1
        elif m:
            passed += int(m.group(2))
            failed += int(m.group(3))
            skipped += int(m.group(4))
        elif rec.get('result') in ('FAIL', 'TIMEOUT', 'ERROR'):
            failed += 1
line = f'{passed} passed, {failed} failed'
if skipped:
    line += f', {skipped} skipped'
print('tests: ' + line)
