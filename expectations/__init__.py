"""Great Expectations checks that gate publishing the candidate marts.

``model`` declares suites of checks, ``runner`` validates them against the candidate schema
inside PostgreSQL and flattens the outcome into plain ``CheckResult`` rows.
"""
