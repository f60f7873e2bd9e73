"""Background jobs: long work (batch reports, PDF conversion, large imports, city-wide scoring)
queued in the database through Django's tasks framework (django-tasks with the database backend)
and run by ``jixiao worker`` processes on any machine that reaches the database.

``models.Job`` is what the user sees: kind, who, department scope, state, progress, log and the
result file. ``runtime`` runs one job (progress, heartbeat, cancel, atomic result file);
``worker`` claims queued jobs and gives a dead worker's job to another; ``kinds`` holds the work
itself. Starting and cancelling a job are use cases of the application layer
(``jixiao.services.jobs``).
"""
