#!/usr/bin/env python3
r"""Mutation check: do the unit tests see a wrong formula?

Each mutant below is a hand-written error in one of the paper's formulas (a dropped factor, a shifted
index, a wrong constant, a rule that ignores its resolution): a file, the exact original text, its
replacement, and the unit tests of the mutated module. For each mutant the script copies the
repository to a temporary directory, plants the mutation there (the original text must occur exactly
once, so a mutant made stale by an edit of the code fails loudly instead of testing nothing), and runs

    python -m pytest -x -q -p no:cacheprovider <tests>

in the copy, with the copy first on ``sys.path`` (its working directory and ``PYTHONPATH``), so that the
mutated package is the one imported. A mutant is *caught* when the tests fail. The script prints a
table (mutant, caught or SURVIVED, the first failing test, seconds) and exits non-zero when a mutant
survives, a mutation is stale, or the unmutated copy does not pass its tests (the baseline run first).

Usage (from the repository root, with the test extra installed)::

    python tools/mutants.py                 # every mutant, its unit tests only (a few minutes on 2 cores)
    python tools/mutants.py --list          # the mutants, their files and tests
    python tools/mutants.py --only NAME     # one mutant (repeat --only for several)
    python tools/mutants.py --with-claims   # also the claim checks (proofs_checks) named per mutant
    python tools/mutants.py --jobs 1        # one mutant at a time (default: 2, one copy per job)
    python tools/mutants.py --only NAME --tests tests/x.py   # does another test file catch it too?

Adding a mutant: append a :class:`Mutant` to :data:`MUTANTS` with a short ``name``, the ``file``, an
``original`` text that occurs exactly once in it (include enough of the line to be unique), the
``replacement``, the unit test files that should catch it (``tests``) and the claim checks that
catch it too (``claims``, test files or ids under proofs_checks/: mostly the anchors of
proofs_checks/test_anchors.py, where each claim's quantity is recomputed independently). Run
``--only NAME``: if it survives, the tests miss that error, and a test against an independent
reference belongs in the mutated package's test folder; ``--only NAME --tests <its claims>`` shows
whether the claim checks catch it on their own. Every mutant names a claim check except the one that
changes statistics alone (``grouped-interval-df-G``). Not part of the default test suite (``pytest``
does not collect tools/).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from queue import Queue

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    r"""One planted error: ``original`` (exactly once in ``file``) becomes ``replacement``."""

    name: str
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]
    what: str
    claims: tuple[str, ...] = ()  # claim checks (proofs_checks test files or ids) that catch it too


NET = "tests/network/"
REF = NET + "test_references.py"
ANCHORS = "proofs_checks/test_anchors.py::"
VERDICT_RULE = (ANCHORS + "test_verdicts_follow_the_rule_of_section_7",)
SPENT_LEVELS = (ANCHORS + "test_a_budgeted_claim_judges_its_kth_look_at_level_1_minus_alpha_2_to_the_minus_k",)


def anchors(*names: str) -> tuple[str, ...]:
    r"""The anchors of the named claims (proofs_checks/test_anchors.py: the claim's quantity re-measured on one
    cell and recomputed independently)."""
    return tuple(f"{ANCHORS}test_anchor[{n}]" for n in names)


MUTANTS: tuple[Mutant, ...] = (
    # ------------------------------------------------------------------ the errors the tests must see
    Mutant(
        "back-pattern-dropped",
        "rnntheory/network/backward.py",
        "            tail.mul_(D[i0 + 1][None, :, None, :])\n",
        "",
        (NET + "test_backward.py", REF),
        "Back_{i->j} without its ReLU patterns D_{i+1}..D_j (the backward sweep)",
        claims=anchors("backward_stability", "decoupling"),
    ),
    Mutant(
        "grad-h_i-not-h_i-1",
        "rnntheory/network/backward.py",
        "return delta.reshape(-1, m), H[:-1].reshape(-1, m)",
        "return delta.reshape(-1, m), H[1:].reshape(-1, m)",
        (NET + "test_backward.py", REF),
        "the gradient D_i a_i h_i^T instead of D_i a_i h_{i-1}^T",
        claims=anchors("sgd_learns", "sgd_forward_coupling"),
    ),
    Mutant(
        "verdict-resolution-ignored",
        "rnntheory/stats/verdicts.py",
        "    if (lo > edge) if below else (hi < edge):",
        "    if (lo > claimed) if below else (hi < claimed):",
        ("tests/stats/test_verdicts.py",),
        "'inconsistent' as soon as the interval leaves the claimed value, the resolution ignored",
        claims=VERDICT_RULE,
    ),
    Mutant(
        "batched-W0-pattern",
        "rnntheory/network/batched.py",
        "pattern=(pre > 0).permute(1, 2, 0, 3),",
        "pattern=(base_pre > 0).expand(L, k, n, m).permute(1, 2, 0, 3),",
        (NET + "test_batched.py", REF),
        "the batched trace reports W0's activation pattern for W0 + W'",
        claims=anchors("sign_changes", "sgd_sign_changes"),
    ),
    Mutant(
        "batched-W0-relu",
        "rnntheory/network/batched.py",
        "        torch.clamp_min(pre[l], 0, out=hidden[l + 1])",
        "        torch.mul(pre[l], base_pre[l] > 0, out=hidden[l + 1])",
        (NET + "test_batched.py", REF),
        "the batched trace gates h_l(W0 + W') with W0's pattern instead of its own ReLU",
        claims=anchors("hidden_perturbation", "forward_coupling"),
    ),
    Mutant(
        "infinite-relu-factor-2",
        "rnntheory/network/infinite.py",
        "e = torch.where(pos, nrm / (2 * math.pi) * (",
        "e = torch.where(pos, nrm / math.pi * (",
        (NET + "test_infinite.py",),
        "E relu(u) relu(v) twice too large (the arc-cosine kernel of degree 1)",
        claims=anchors("ntk_limit", "decoupling"),
    ),
    Mutant(
        "spectral-frobenius-small-m",
        "rnntheory/network/sizes.py",
        "        lam = torch.linalg.eigvalsh(M64.T @ M64)[-1]",
        "        lam = (M64 * M64).sum()",
        (NET + "test_perturbation.py", REF),
        "spectral_norm returns the Frobenius norm for m <= 256 (the eigvalsh branch)",
        claims=anchors("hidden_perturbation", "sgd_sign_changes"),
    ),
    Mutant(
        "alpha-spending-off",
        "rnntheory/checking/budget.py",
        "    return look_level(look) if replicable else 1.0 - ALPHA",
        "    return look_level(1) if replicable else 1.0 - ALPHA",
        ("tests/checking/test_budget.py", "tests/stats/test_error_rates.py"),
        "every look of a budgeted run judged at the first look's level (level_of)",
        claims=SPENT_LEVELS,
    ),
    Mutant(
        "alpha-spending-off-in-rounds",
        "rnntheory/checking/budget.py",
        "judge(p.name, grids[p.name], records[p.name], looks[p.name])",
        "judge(p.name, grids[p.name], records[p.name], 1)",
        ("tests/checking/test_budget.py", "tests/stats/test_error_rates.py"),
        "the budget's rounds judge every look as the first (budget.spend)",
        claims=SPENT_LEVELS,
    ),
    Mutant(
        "rate-lr0-over-m",
        "rnntheory/learning/training.py",
        "    return lr0 / (m * L)\n",
        "    return lr0 / m\n",
        ("tests/learning/test_training.py",),
        "the SGD rate rule lr0 / m instead of lr0 / (m L)",
        claims=anchors("sgd_learns", "length_scaling"),
    ),
    Mutant(
        "backward-coupling-cross-term",
        "rnntheory/network/pseudo.py",
        "dist.append(_gram_sq(a1 - a0, H1, a0, H1 - H0).sqrt())",
        "dist.append(_gram_sq(a1 - a0, H0, a0, H1 - H0).sqrt())",
        (NET + "test_pseudo.py", REF),
        "the gradient change sum_i da h_{i-1}^T + a dh^T with h at W0 instead of W0 + W' (a second-order term lost)",
        claims=anchors("backward_coupling", "sgd_backward_coupling"),
    ),
    Mutant(
        "grouped-interval-df-G",
        "rnntheory/stats/_lsq.py",
        "    half = t_quantile(level, G - 1) * vals.std(axis=0, ddof=1) / math.sqrt(G)",
        "    half = t_quantile(level, G) * vals.std(axis=0, ddof=1) / math.sqrt(G)",
        ("tests/stats/test_stats.py", "tests/stats/test_coverage.py"),
        "the grouped interval's t quantile on G instead of G - 1 degrees of freedom",
    ),  # statistics only: no claim check
    # ------------------------------------------------------------------ more formulas of the paper
    Mutant(
        "pseudo-h_l-not-h_l-1",
        "rnntheory/network/pseudo.py",
        'H = tr.time_major("hidden")[:-1].reshape(L * n, m)',
        'H = tr.time_major("hidden")[1:].reshape(L * n, m)',
        (NET + "test_pseudo.py", REF),
        "the pseudo-network's drive W' h_l instead of W' h_{l-1}",
        claims=anchors("forward_coupling", "ntk_ball"),
    ),
    Mutant(
        "forward-coupling-sign",
        "rnntheory/network/pseudo.py",
        "    err = real - tr.outputs - lin",
        "    err = real - tr.outputs + lin",
        (NET + "test_pseudo.py", REF),
        "err_j = y_j(W0 + W') - y_j(W0) + pseudo_j",
        claims=anchors("forward_coupling"),
    ),
    Mutant(
        "sign-changes-one-way",
        "rnntheory/network/batched.py",
        "        return (self.pattern != base).sum(dim=-1)",
        "        return (self.pattern & ~base).sum(dim=-1)",
        (NET + "test_perturbation.py", NET + "test_batched.py", REF),
        "||D_l(W0 + W') - D_l(W0)||_0 counting only the neurons switched on",
        claims=anchors("sign_changes", "hidden_perturbation"),
    ),
    Mutant(
        "ntk-radius-m",
        "rnntheory/network/sizes.py",
        'return torch.linalg.matrix_norm(W_prime, ord="fro") * math.sqrt(W_prime.shape[-1])',
        'return torch.linalg.matrix_norm(W_prime, ord="fro") * W_prime.shape[-1]',
        (NET + "test_perturbation.py", REF),
        "the NTK radius m ||W'||_F instead of sqrt(m) ||W'||_F",
        claims=anchors("sgd_forward_coupling"),
    ),
    Mutant(
        "lanczos-no-sqrt",
        "rnntheory/network/sizes.py",
        "    return max(theta, 0.0) ** 0.5",
        "    return max(theta, 0.0)",
        (NET + "test_perturbation.py", REF),
        "spectral_norm returns sigma^2 for m > 256 (the Lanczos branch)",
        claims=anchors("sign_changes"),
    ),
    Mutant(
        "kernel-pattern-dropped",
        "rnntheory/network/kernel.py",
        "    return bv[:, jj, ii, cc] * tr.pattern.to(net.dtype)[:, ii]",
        "    return bv[:, jj, ii, cc]",
        (NET + "test_kernel.py", REF),
        "the NTK's factors Back_{i->j}^T e_s without D_i",
        claims=anchors("ntk_limit", "pseudo_solution"),
    ),
    Mutant(
        "sdot-factor-2",
        "rnntheory/network/infinite.py",
        "p = torch.where(pos, (math.pi - th) / (2 * math.pi),",
        "p = torch.where(pos, (math.pi - th) / math.pi,",
        (NET + "test_infinite.py",),
        "P(u > 0, v > 0) = (pi - theta) / pi (the arc-cosine kernel of degree 0 twice too large)",
        claims=anchors("ntk_limit", "pseudo_solution"),
    ),
    Mutant(
        "c_eps-i0-both-terms",
        "rnntheory/complexity/__init__.py",
        "            if i == 0:\n                return mpmath.mpf(1)",
        "            if i == 0:\n                return mpmath.mpf(2)",
        ("tests/complexity/test_complexity.py",),
        "C_eps's i = 0 summand counted with both terms (2 |c_0| instead of |c_0|)",
        claims=anchors("complexity_monotone", "complexity_eps_growth"),
    ),
    Mutant(
        "c_s-exponent",
        "rnntheory/complexity/__init__.py",
        'alpha = mpmath.mpf("1.75")',
        'alpha = mpmath.mpf("1.5")',
        ("tests/complexity/test_complexity.py",),
        "C_s with (i + 1)^1.5 instead of (i + 1)^1.75",
        claims=anchors("complexity_monotone", "complexity_divergence"),
    ),
)


# ---------------------------------------------------------------------- the copy and the runs
def _files() -> list[str]:
    r"""The files of the working tree that git tracks or would track (no .venv, caches, build outputs)."""
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True, capture_output=True
    ).stdout.decode()
    return [f for f in out.split("\0") if f and (ROOT / f).is_file()]


def make_copy(files: list[str]) -> Path:
    dest = Path(tempfile.mkdtemp(prefix="rnntheory-mutants-"))
    for f in files:
        target = dest / f
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, target)
    return dest


def _env(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(copy), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("HYPOTHESIS_PROFILE", "ci")  # derandomised: the same examples on every run
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def check_import(copy: Path) -> None:
    r"""The copy's package is the one its runs import (not an installed one)."""
    got = subprocess.run(
        [sys.executable, "-c", "import rnntheory; print(rnntheory.__file__)"],
        cwd=copy,
        env=_env(copy),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(got).resolve().is_relative_to(copy.resolve()):
        sys.exit(f"mutants: the copy imports rnntheory from {got}, not from {copy}; cannot test mutants")


def stale(mutants: list[Mutant]) -> list[str]:
    r"""Mutants whose original text does not occur exactly once (or whose test files are missing)."""
    bad = []
    for mu in mutants:
        path = ROOT / mu.file
        n = path.read_text().count(mu.original) if path.is_file() else 0
        if n != 1:
            bad.append(f"{mu.name}: the original text occurs {n} times in {mu.file} (expected exactly once)")
        for t in mu.tests + mu.claims:
            if not (ROOT / t.split("::")[0]).exists():
                bad.append(f"{mu.name}: test {t} does not exist")
    return bad


def run_tests(copy: Path, tests: list[str], timeout: float) -> tuple[int, str, float]:
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        p = subprocess.run(cmd, cwd=copy, env=_env(copy), capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout + p.stderr, time.perf_counter() - t0
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return 124, out, time.perf_counter() - t0


def first_failure(output: str) -> str:
    m = re.search(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", output, re.M)
    return m.group(1) if m else ""


def mutate(copy: Path, mu: Mutant) -> str:
    path = copy / mu.file
    text = path.read_text()
    assert text.count(mu.original) == 1, mu.name
    path.write_text(text.replace(mu.original, mu.replacement))
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--only", action="append", metavar="NAME", help="run only this mutant (repeatable)")
    ap.add_argument("--with-claims", action="store_true", help="also run each mutant's claim checks (proofs_checks)")
    ap.add_argument("--jobs", type=int, default=2, help="mutants run at once, each in its own copy (default 2)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per test run (default 600)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the run of the unmutated copy")
    ap.add_argument(
        "--tests",
        nargs="+",
        metavar="TEST",
        help="run these tests instead of each mutant's own (e.g. to see whether another file catches it too)",
    )
    args = ap.parse_args(argv)

    chosen = list(MUTANTS)
    if args.only:
        names = {mu.name for mu in MUTANTS}
        unknown = [n for n in args.only if n not in names]
        if unknown:
            print(f"mutants: no mutant named {', '.join(unknown)}; --list shows them", file=sys.stderr)
            return 2
        chosen = [mu for mu in MUTANTS if mu.name in args.only]
    if args.list:
        for mu in chosen:
            print(
                f"{mu.name}\n    {mu.file}: {mu.what}\n    tests: {' '.join(mu.tests)}"
                f"\n    claims: {' '.join(mu.claims) or '(none)'}"
            )
        return 0
    bad = stale(chosen)
    if bad:
        print("mutants: stale mutations (fix the list before trusting a run):\n  " + "\n  ".join(bad), file=sys.stderr)
        return 2

    def tests_of(mu: Mutant) -> list[str]:
        own = list(args.tests) if args.tests else list(mu.tests)
        return own + (list(mu.claims) if args.with_claims else [])

    t_start = time.perf_counter()
    files = _files()
    jobs = max(1, min(args.jobs, len(chosen)))
    copies: Queue[Path] = Queue()
    made = [make_copy(files) for _ in range(jobs)]
    for c in made:
        copies.put(c)
    try:
        check_import(made[0])
        if not args.no_baseline:
            everything = sorted({t for mu in chosen for t in tests_of(mu)})
            rc, out, secs = run_tests(made[0], everything, args.timeout)
            print(
                f"baseline: {len(everything)} test files on the unmutated copy: "
                f"{'pass' if rc == 0 else 'FAIL'} ({secs:.0f} s)",
                flush=True,
            )
            if rc != 0:
                print(out[-3000:], file=sys.stderr)
                print("mutants: the unmutated copy fails its tests; a mutant run would mean nothing", file=sys.stderr)
                return 2

        def one(mu: Mutant) -> tuple[Mutant, int, str, float]:
            copy = copies.get()
            original = mutate(copy, mu)
            try:
                rc, out, secs = run_tests(copy, tests_of(mu), args.timeout)
            finally:
                (copy / mu.file).write_text(original)
                copies.put(copy)
            state = "SURVIVED" if rc == 0 else "timeout" if rc == 124 else "caught"
            print(f"  {mu.name}: {state} ({secs:.0f} s)", flush=True)
            return mu, rc, first_failure(out), secs

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(one, chosen))
    finally:
        for c in made:
            shutil.rmtree(c, ignore_errors=True)

    w = max(len(mu.name) for mu in chosen)
    print(f"\n{'mutant':{w}s}  {'result':8s}  {'seconds':>7s}  caught by")
    for mu, rc, failed, secs in results:
        state = "SURVIVED" if rc == 0 else "timeout" if rc == 124 else "caught"
        print(f"{mu.name:{w}s}  {state:8s}  {secs:7.0f}  {failed or ('-' if rc == 0 else f'exit code {rc}')}")
    survived = [mu.name for mu, rc, _, _ in results if rc == 0]
    total = time.perf_counter() - t_start
    print(
        f"\n{len(results) - len(survived)} of {len(results)} mutants caught in {total:.0f} s "
        f"({jobs} job{'s' if jobs > 1 else ''})" + (f"; SURVIVED: {', '.join(survived)}" if survived else "")
    )
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
