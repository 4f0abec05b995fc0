#!/usr/bin/env python3
"""Run lstar's tests on every kind of KVM this machine can give (scripts/test, scripts/test-sanitize).

  test_tiers.py BUILD [--tier host|nested|all|first] [--timeout-multiplier N] [-- DOCTEST ARGS]

The unit tests run once, on this machine. The integration tests (they boot real VMs) run once per
tier: `host` is this machine's own /dev/kvm (or $LSTAR_KVM_DEVICE), `nested` the nested AMD-V tier
(scripts/hwkvm). `first` is the host's tier where there is one, else the nested one. A tier that
cannot run is named with its reason. Each tier prints its own line and time; the last line counts
everything. With CI=true the run fails when no tier at all could run VMs.
"""
import argparse
import os
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import count_tests  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def host_kvm_reason():
    """None when this machine's KVM device can be used, else why not."""
    dev = os.environ.get('LSTAR_KVM_DEVICE', '/dev/kvm')
    try:
        os.close(os.open(dev, os.O_RDWR | os.O_CLOEXEC))
        return None
    except PermissionError:
        return f'{dev}: permission denied (add this user to the kvm group: README, "Running without root")'
    except OSError as e:
        if dev == '/dev/kvm' and os.path.exists('/sys/module/kvm_pvm'):
            return (f'{dev}: {e.strerror}: this machine is itself a PVM guest (kvm_pvm is loaded but does '
                    'not bind inside a kvm-pvm guest), so it cannot run VMs directly')
        return f'{dev}: {e.strerror}'


def host_kind():
    for m in ('kvm_intel', 'kvm_amd', 'kvm_pvm'):
        if os.path.exists(f'/sys/module/{m}'):
            return m
    return 'unknown KVM'


def nested_reason():
    r = subprocess.run([os.path.join(REPO, 'scripts/hwkvm'), 'check'], capture_output=True, text=True)
    return None if r.returncode == 0 else r.stdout.strip().removeprefix('hwkvm: cannot run: ')


def tests_without_kvm(build):
    """Every test of the build but the integration tests: they need no KVM and run once."""
    out = subprocess.run(['meson', 'test', '-C', build, '--no-rebuild', '--list'],
                         capture_output=True, text=True, check=True).stdout
    return [t.strip() for t in out.splitlines() if t.strip() and t.strip() != 'integration']


def meson_test(build, logbase, tests, multiplier, test_args, prefix=()):
    cmd = list(prefix) + ['meson', 'test', '-C', build, '--no-rebuild', '--print-errorlogs',
                          '--logbase', logbase, '--timeout-multiplier', str(multiplier)] + list(tests)
    if test_args:
        cmd += ['--test-args', shlex.join(test_args)]
    start = time.monotonic()
    rc = subprocess.run(cmd, env=dict(os.environ, LSTAR_TIER=logbase.split('-')[-1])).returncode
    return rc, time.monotonic() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument('build')
    p.add_argument('--tier', choices=['host', 'nested', 'all', 'first'], default='all')
    p.add_argument('--timeout-multiplier', type=float, default=1)
    argv = sys.argv[1:]
    test_args = argv[argv.index('--') + 1:] if '--' in argv else []  # for the integration binary
    a = p.parse_args(argv[:argv.index('--')] if '--' in argv else argv)
    a.test_args = test_args
    build = os.path.abspath(a.build)
    logs = os.path.join(build, 'meson-logs')

    parts, not_run, failed, timings = [], [], False, []
    rc, t = meson_test(build, 'unit', tests_without_kvm(build), a.timeout_multiplier, [])
    failed |= rc != 0
    parts.append(f'unit tests (no KVM needed)={logs}/unit.json')
    timings.append(f'unit {t:.0f} s')

    reasons = {}
    if a.tier in ('host', 'all', 'first'):
        reasons['host'] = host_kvm_reason()
    if a.tier in ('nested', 'all') or (a.tier == 'first' and reasons['host']):
        reasons['nested'] = nested_reason()
    ran = 0
    for tier, reason in reasons.items():
        label = f'integration on {host_kind()} (host tier)' if tier == 'host' else \
            'integration on kvm_amd in QEMU TCG (nested AMD-V tier)'
        if reason:
            print(f'test: the {tier} tier cannot run: {reason}', file=sys.stderr)
            not_run += ['--not-run', f'{tier} tier={reason}']
            continue
        log = f'integration-{tier}'
        for ext in ('json', 'txt'):  # a log from an earlier run must not count in this one
            if os.path.exists(f'{logs}/{log}.{ext}'):
                os.unlink(f'{logs}/{log}.{ext}')
        print(f'test: {label}', file=sys.stderr)
        prefix = () if tier == 'host' else (os.path.join(REPO, 'scripts/hwkvm'), 'run', '-v', '--')
        # Everything runs slower inside the nested tier (it is all emulated): stretch meson's timeouts.
        mult = a.timeout_multiplier * (1 if tier == 'host' else 2)
        rc, t = meson_test(build, log, ['integration'], mult, a.test_args, prefix)
        failed |= rc != 0
        ran += 1
        parts.append(f'{label}={logs}/{log}.json')
        timings.append(f'{tier} tier {t:.0f} s')
    print('test: time: ' + ', '.join(timings), file=sys.stderr)
    if ran == 0:
        msg = 'no tier could run VMs, so no integration test ran'
        if os.environ.get('CI') == 'true':
            print(f'test: CI=true and {msg}: failing', file=sys.stderr)
            failed = True
        else:
            print(f'test: {msg} (with CI=true this fails)', file=sys.stderr)
    sys.stderr.flush()
    count_tests.main(parts + not_run)  # its last line, the total, is the run's last line
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
