from proofs_checks._harness import RESULTS
from rnntheory.testing import register_profiles

register_profiles()


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: larger grids and long runs; excluded from the default run")
    config.addinivalue_line("markers", "cuda: needs a CUDA device")


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    terminalreporter.section("claims of the paper")
    width = max(len(r.claim.name) + len(r.grid) + 3 for r in RESULTS)
    for r in RESULTS:
        first = r.findings[0].detail.split(";")[0] if r.findings else ""
        terminalreporter.write_line(f"{r.claim.name + ' [' + r.grid + ']':<{width}}  {r.verdict:<12}  {first}")
