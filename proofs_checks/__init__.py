"""The verification suite: one module per claim of the paper (run with `pytest proofs_checks` or `rnntheory check`)."""
