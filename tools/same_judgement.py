r"""Whether two reports judge alike: per claim and finding key, the same verdict, label, measured text,
detail and constant; per control, the same status; the same set of keys. For a restructuring that must not
change behaviour (``python tools/same_judgement.py OLD/results.json NEW/results.json``; exit status 1 on
any difference). Display names may differ only with ``--names``; they are printed either way."""

from __future__ import annotations

import argparse
import json
import sys

FIELDS = ("verdict", "label", "measured", "detail", "constant", "needs", "catches", "resolution", "claimed", "meaning")


def _claims(path: str) -> dict:
    return {c["name"]: c for c in json.load(open(path))["claims"]}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--names", action="store_true", help="finding display names must match too")
    a = p.parse_args(argv)
    old, new = _claims(a.old), _claims(a.new)
    bad = 0
    for name in old:
        if name not in new:
            continue
        o, n = old[name], new[name]
        of, nf = {f["key"]: f for f in o["findings"]}, {f["key"]: f for f in n["findings"]}
        if list(of) != list(nf):
            print(f"{name}: keys differ: {sorted(set(of) ^ set(nf))} (or their order)")
            bad += 1
        for k in of.keys() & nf.keys():
            for fld in FIELDS + (("name",) if a.names else ()):
                if of[k].get(fld) != nf[k].get(fld):
                    print(f"{name}[{k}].{fld}:\n  old {of[k].get(fld)!r}\n  new {nf[k].get(fld)!r}")
                    bad += 1
            if of[k]["name"] != nf[k]["name"] and not a.names:
                print(f"{name}[{k}] renamed: {of[k]['name']!r} -> {nf[k]['name']!r}")
        oc = [(c["kind"], c.get("status"), c.get("detail")) for c in o.get("controls", [])]
        nc = [(c["kind"], c.get("status"), c.get("detail")) for c in n.get("controls", [])]
        if oc != nc:
            print(f"{name}: controls {oc} -> {nc}")
            bad += 1
        if o["verdict"] != n["verdict"]:
            print(f"{name}: verdict {o['verdict']} -> {n['verdict']}")
            bad += 1
    print(f"{len(old.keys() & new.keys())} claims compared; {bad} difference(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
