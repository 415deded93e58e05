"""What a challenge teaches after its reveal: each student's own result, the class report and
integrity signals for instructors. Pure computations (no Django) live in `confusion`,
`regression`, `classstats` and `integrity`; `services` precomputes and stores the reports in
the worker; `pages` and `api` only read what was stored, gated by `access`."""
