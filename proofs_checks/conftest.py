from proofs_checks._harness import RESULTS
from rnntheory.testing import register_profiles

register_profiles()


def pytest_configure(config):
    # registered here as well as in pyproject.toml: `rnntheory check` runs these checks from any folder, where
    # the repository's configuration is not read
    config.addinivalue_line("markers", "slow: larger grids and long runs; excluded from the default run")
    config.addinivalue_line("markers", "cuda: needs a CUDA device")
    config.addinivalue_line("markers", "trained: the checks of the claims that train networks by SGD")
    config.addinivalue_line("markers", "reproduce: re-measures cells of the committed docs/report")
    config.addinivalue_line("filterwarnings", "error::RuntimeWarning:rnntheory.*")


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    terminalreporter.section("claims of the paper")
    width = max(len(r.claim.name) + len(r.grid) + 3 for r in RESULTS)
    for r in RESULTS:
        first = r.findings[0].detail.split(";")[0] if r.findings else ""
        terminalreporter.write_line(f"{r.claim.name + ' [' + r.grid + ']':<{width}}  {r.verdict:<12}  {first}")
