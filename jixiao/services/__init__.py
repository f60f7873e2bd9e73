"""The application layer: one function per use case, the only writer of the database.

Every change — an htmx edit, a form save, a web upload, ``jixiao import``, an API call, a workflow
transition, a finance review — calls a function here with the acting ``Actor`` and plain values.
Each function enforces, in this one place: who may act (scoping and role), what the workflow
state allows (``jixiao/rules/workflow.json``), the value rules (the core), the change history and
concurrency (every editable row carries a ``version``). Views, CLI commands and API views parse
input, call one of these functions and render what it returns or raises:

- ``InputError`` (from ``jixiao.core.errors``): a value is wrong → 422 / exit 2;
- ``Denied``: the role or the workflow state forbids it → 403 / exit 1;
- ``Conflict``: the object changed since the version the caller saw → 409 / exit 1;
- ``NotFound``: out of scope or absent → 404 / exit 2.
"""
