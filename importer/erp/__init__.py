"""erp: the talk with the ERP.

One client owns the HTTP session (client.py) with the shared token (token.py), the retry budget
(retry.py) and the meaning of every answer (responses.py); `--workers auto` is the limiter and the
gate (limiter.py, gate.py); which call each row gets is decided in decisions.py and the worker pool
that makes the calls is dispatch.py (with keyedqueue.py).

Imports only the ground (entities, model, errors, settings). The dispatcher journals through an
object it is given; it never imports the journal.
"""
