"""The plans' API, kernel side (issue 18 §1): tokens, problem details, idempotency, rate limit.

The endpoints themselves belong to the apps (``enrollment/api.py``); this package names no
app. Django REST framework with drf-spectacular: see docs/api.md for why.
"""
