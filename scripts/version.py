#!/usr/bin/env python3
"""Print lstar's version from git, for meson's vcs_tag.

usage: version.py SOURCE_DIR PROJECT_VERSION

A tag vX.Y.Z gives `git describe` (X.Y.Z, or X.Y.Z-N-gHASH past it); without a tag, the project
version with the commit (0.1.0+gHASH); `-dirty` when the tree has changes. Outside a git checkout
it fails, and meson falls back to the project version.
"""
import subprocess
import sys


def git(src, *args):
    return subprocess.run(['git', '-C', src, *args], check=True, capture_output=True, text=True).stdout.strip()


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, project = sys.argv[1], sys.argv[2]
    try:
        print(git(src, 'describe', '--tags', '--match', 'v[0-9]*', '--dirty')[1:])
    except subprocess.CalledProcessError:
        try:
            described = git(src, 'describe', '--always', '--dirty', '--abbrev=12')
        except (subprocess.CalledProcessError, FileNotFoundError):
            return 1
        print(f'{project}+g{described}')
    except FileNotFoundError:
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
