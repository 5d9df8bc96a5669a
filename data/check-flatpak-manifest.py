#!/usr/bin/env python3
# Checks the Flatpak manifest for the mistakes flatpak-builder itself accepts:
# a wrong app id, home or host filesystem access, unpinned sources, and the
# app module not being the last one built (with meson, from this tree).
#
# Usage: check-flatpak-manifest.py MANIFEST --app-id ID --source-root DIR

import argparse
import json
import os
import re
import sys

DEVEL_SUFFIX = '.Devel'
SHA256_RE = re.compile(r'^[0-9a-f]{64}$')
GIT_COMMIT_RE = re.compile(r'^[0-9a-f]{40}$')
# Sandbox holes that would expose the user's files (patient exports, other
# apps' data) to the app.  The store lives in the app's own XDG data dir.
FORBIDDEN_FILESYSTEMS = ('home', 'host', 'host-os', 'host-etc', '~', '/', '/home')


class Checker:
    def __init__(self, path):
        self.path = path
        self.errors = []

    def fail(self, message):
        self.errors.append(message)

    def load_module(self, module, base_dir):
        """A module may be an object or the name of a JSON file beside it."""
        if isinstance(module, str):
            module_path = os.path.join(base_dir, module)
            if not module_path.endswith('.json'):
                self.fail(f'{module}: only JSON module files can be checked')
                return None, base_dir
            with open(module_path, encoding='utf-8') as f:
                return json.load(f), os.path.dirname(module_path)
        return module, base_dir

    def check_sources(self, module, base_dir):
        name = module.get('name', '<unnamed>')
        for source in module.get('sources', []):
            if isinstance(source, str):
                continue
            kind = source.get('type')
            if kind in ('archive', 'file') and 'url' in source:
                sha = source.get('sha256', '')
                if not SHA256_RE.match(sha):
                    self.fail(f'module {name}: {kind} source {source["url"]} needs a '
                              f'sha256 of 64 lowercase hex digits, has {sha!r}')
            elif kind == 'git':
                if not GIT_COMMIT_RE.match(source.get('commit', '')) and 'tag' not in source:
                    self.fail(f'module {name}: git source {source.get("url")} is not '
                              'pinned to a commit or tag')
        for child in module.get('modules', []):
            child, child_dir = self.load_module(child, base_dir)
            if child is not None:
                self.check_sources(child, child_dir)

    def check(self, manifest, app_id, source_root):
        # The release manifest builds the release id; a development build of
        # the tree (app id ending in .Devel) checks against that same id.
        expected_id = app_id[:-len(DEVEL_SUFFIX)] if app_id.endswith(DEVEL_SUFFIX) else app_id
        manifest_id = manifest.get('app-id', manifest.get('id'))
        if manifest_id != expected_id:
            self.fail(f'app id is {manifest_id!r}, expected {expected_id!r}')
        if os.path.basename(self.path) != f'{expected_id}.json':
            self.fail(f'file name {os.path.basename(self.path)!r} does not match '
                      f'the app id (expected {expected_id}.json)')

        for arg in manifest.get('finish-args', []):
            if not arg.startswith('--filesystem='):
                continue
            target = arg[len('--filesystem='):].split(':', 1)[0].rstrip('/') or '/'
            if target in FORBIDDEN_FILESYSTEMS or target.startswith(('~/', '/home/', 'home/')):
                self.fail(f'finish-args grant {arg}: the app must not see the home '
                          'directory or the host; keep data in its XDG data dir')

        modules = manifest.get('modules', [])
        base_dir = os.path.dirname(os.path.abspath(self.path))
        loaded = []
        for module in modules:
            module, module_dir = self.load_module(module, base_dir)
            if module is not None:
                loaded.append((module, module_dir))
                self.check_sources(module, module_dir)

        if not loaded:
            self.fail('the manifest has no modules')
            return
        last, last_dir = loaded[-1]
        if last.get('name') != 'tidewatch':
            self.fail(f'the last module is {last.get("name")!r}, expected tidewatch '
                      '(it must be built after its dependencies)')
        if last.get('buildsystem') != 'meson':
            self.fail(f'the tidewatch module uses buildsystem {last.get("buildsystem")!r}, '
                      'expected meson')
        dirs = [s for s in last.get('sources', [])
                if isinstance(s, dict) and s.get('type') == 'dir']
        root = os.path.realpath(source_root)
        if not any(os.path.realpath(os.path.join(last_dir, s.get('path', ''))) == root
                   for s in dirs):
            self.fail(f'the tidewatch module does not build this source tree ({root}) '
                      'from a dir source')
        if '-Ddevelopment=true' in last.get('config-opts', []):
            self.fail('the release manifest builds the development app id')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('manifest')
    parser.add_argument('--app-id', required=True)
    parser.add_argument('--source-root', required=True)
    args = parser.parse_args()

    checker = Checker(args.manifest)
    try:
        with open(args.manifest, encoding='utf-8') as f:
            manifest = json.load(f)
        checker.check(manifest, args.app_id, args.source_root)
    except (OSError, ValueError) as e:
        checker.fail(f'cannot read: {e}')

    for error in checker.errors:
        print(f'{args.manifest}: {error}', file=sys.stderr)
    if checker.errors:
        return 1
    print(f'{args.manifest}: ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
