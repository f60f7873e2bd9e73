"""The ``jixiao`` command. Every command is declared once, with its feature, in
``jixiao/features.py`` (name, help text, module).

``jixiao --help`` lists the declared commands without importing any command module; running a
command imports only its module, which then adds its parser (``register(subparsers)``). A module
marked ``django=True`` imports Django models at its top, so Django is configured first (without
touching the database: its handlers call ``setup_database()`` when they need the schema).

A handler returns the process exit code. Bad input raises ``InputError``: the message goes to
stderr in Chinese and the exit code is 2, never a traceback; so does ``NotFound``, while the
other refusals of the application layer (``Denied``, ``Conflict``) exit 1.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import NoReturn

import django
from django.core.exceptions import ImproperlyConfigured

from jixiao import features
from jixiao.core.errors import InputError
from jixiao.services.errors import NotFound, ServiceError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's own errors: exit 2 with usage, in Chinese
        self.print_usage(sys.stderr)
        sys.stderr.write(f"jixiao：参数有误：{message}\n")
        sys.exit(2)


def _command_name(argv: list[str]) -> str:
    return next((a for a in argv if not a.startswith("-")), "")


def configure_django() -> None:
    """Django configured (apps and models importable); the database is not touched. Settings that
    cannot be used (e.g. an unusable DATABASE_URL) are an InputError, not a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise InputError(f"配置有误：{exc}", location="环境变量") from None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: the chosen command's own parser, the others listed by name and help."""
    argv = sys.argv[1:] if argv is None else argv
    parser = _Parser(prog="jixiao", description="jixiao 预算绩效管理命令行")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    chosen = features.command(_command_name(argv))
    if chosen is not None:
        if chosen.django:
            configure_django()
        importlib.import_module(chosen.module).register(sub)
    for c in features.commands():
        if c.name not in sub.choices:
            sub.add_parser(c.name, help=c.help)  # listed only; its module adds it when it runs
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        parser = build_parser(argv)  # configures Django first for a django=True command
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except InputError as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return 2
    except NotFound as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return 2
    except ServiceError as exc:  # Denied, Conflict: the request was understood and refused
        sys.stderr.write(f"错误：{exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `jixiao score … | head` closed the pipe: not an error worth a traceback.
        sys.stderr.close()
        return 141


def django_setup(migrate_postgres: bool = False) -> None:
    """Configure Django for commands that touch the database; creates the schema when needed and
    upgrades an existing one after a copy (``jixiao.upgrade``)."""
    configure_django()
    from jixiao.upgrade import ensure_schema  # noqa: PLC0415 — imports Django models: after setup

    ensure_schema(migrate_postgres=migrate_postgres)
