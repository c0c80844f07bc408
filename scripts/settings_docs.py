#!/usr/bin/env python3
"""The settings tables of the documentation, from the one declared table.

    settings_docs.py [--update] ALGOCODE PLUGINS_DIR SRCDIR

For "core" and every plugin built under PLUGINS_DIR (KIND/NAME.so), the
output of `ALGOCODE settings --format F WHAT` must equal:
  - the region of docs/configuration.md between
    <!-- BEGIN settings WHAT --> and <!-- END settings WHAT --> (markdown),
  - the region of docs/algocode.conf.5.in between
    .\\" BEGIN settings WHAT and .\\" END settings WHAT (man),
  - conf.d/examples/KIND-NAME.conf (conf; plugins only).
Without --update: exit 1 listing what differs, with the command that
regenerates it.  With --update: rewrite them.  A region of a plugin that
is not built here is left alone (said on stdout).
"""
import os
import subprocess
import sys

MD = "docs/configuration.md"
MAN = "docs/algocode.conf.5.in"


def render(algocode, pdir, fmt, what):
    return subprocess.run(
        [algocode, "settings", "--format", fmt, "--plugins-dir", pdir, what],
        check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout


def built_plugins(pdir):
    out = []
    for kind in ("transport", "store", "sandbox", "lang"):
        d = os.path.join(pdir, kind)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith(".so"):
                out.append(kind + "/" + f[:-3])
    return out


def region(text, begin, end):
    """(start, stop) of the lines between the markers, or None."""
    b = text.find(begin + "\n")
    if b < 0:
        return None
    b += len(begin) + 1
    e = text.find(end + "\n", b)
    if e < 0:
        e = text.find(end, b)
        if e < 0 or e + len(end) != len(text):
            return None
    return b, e


def marked_whats(text, prefix):
    out = []
    for line in text.splitlines():
        if line.startswith(prefix):
            out.append(line[len(prefix):].split()[0])
    return out


def main():
    args = sys.argv[1:]
    update = bool(args) and args[0] == "--update"
    if update:
        args = args[1:]
    if len(args) != 3:
        sys.exit(__doc__)
    algocode, pdir, src = args
    whats = ["core"] + built_plugins(pdir)
    stale, missing = [], []
    files = {MD: ("markdown", "<!-- BEGIN settings %s -->",
                  "<!-- END settings %s -->"),
             MAN: ("man", '.\\" BEGIN settings %s', '.\\" END settings %s')}
    for path, (fmt, begin, end) in files.items():
        full = os.path.join(src, path)
        with open(full) as f:
            text = f.read()
        new = text
        prefix = begin.split("%s")[0]
        for w in marked_whats(text, prefix):
            if w not in whats:
                print("%s: %s is not built here: its region is not checked"
                      % (path, w))
        for w in whats:
            r = region(new, begin % w, end % w)
            if r is None:
                missing.append("%s: no region %s ... %s"
                               % (path, begin % w, end % w))
                continue
            want = render(algocode, pdir, fmt, w)
            if new[r[0]:r[1]] != want:
                stale.append("%s (%s)" % (path, w))
                new = new[:r[0]] + want + new[r[1]:]
        if update and new != text:
            with open(full, "w") as f:
                f.write(new)
    for w in whats[1:]:
        path = "conf.d/examples/%s.conf" % w.replace("/", "-")
        full = os.path.join(src, path)
        want = render(algocode, pdir, "conf", w)
        have = open(full).read() if os.path.exists(full) else None
        if have != want:
            stale.append(path)
            if update:
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "w") as f:
                    f.write(want)
    for m in missing:
        print(m)
    if update:
        for s in stale:
            print("updated " + s)
        sys.exit(1 if missing else 0)
    if stale:
        for s in stale:
            print("out of date: " + s)
        print("regenerate: %s --update %s %s %s (or make update-settings-docs)"
              % (sys.argv[0], algocode, pdir, src))
    sys.exit(1 if stale or missing else 0)


if __name__ == "__main__":
    main()
