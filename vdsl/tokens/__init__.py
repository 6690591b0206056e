"""Token counts and budgets: `vdsl tokens`, `runtime.count_tokens`, the local estimate, and
the compile-time check of test prompts against context windows and budgets.

    estimate.py   vdsl's local estimate (families without a count endpoint; `vdsl check`)
    count.py      `TokenCount` and `count_tokens` (Vertex's endpoint, else the estimate)
    checks.py     `vdsl check`: test prompts over a context window, a budget, a cache minimum
    cli.py        `vdsl tokens`
"""
