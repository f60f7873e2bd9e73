"""The functional core: pure Python over plain dataclasses. Nothing here imports Django."""
