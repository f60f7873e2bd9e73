"""The entry routes every park ledger has (records, the add/edit form, delete, beginning a year,
importing a file), put under each ledger's own URL prefix and namespace by its URL module."""
from __future__ import annotations

from django.urls import URLPattern, path

from jixiao.web import ledger_forms, ledger_upload


def ledger_routes(prefix: str, ledger: str) -> list[URLPattern]:
    key = {"ledger": ledger}
    return [
        path(prefix + "records/", ledger_forms.records, key, name="records"),
        path(prefix + "records/form/", ledger_forms.record_form, key, name="record_form"),
        path(prefix + "records/delete/", ledger_forms.record_delete, key, name="record_delete"),
        path(prefix + "records/start/", ledger_forms.start, key, name="start"),
        path(prefix + "records/upload/", ledger_upload.upload, key, name="upload"),
        path(prefix + "records/upload/confirm/", ledger_upload.confirm, key, name="upload_confirm"),
    ]
