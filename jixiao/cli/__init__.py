"""The ``jixiao`` command. Each feature registers its subcommands from its own module.

A handler returns the process exit code. Bad input raises ``InputError``: the message goes to
stderr in Chinese and the exit code is 2, never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from jixiao.core.errors import InputError

# Each module defines ``register(subparsers)``; its parsers set ``func=handler(args) -> int``.
COMMAND_MODULES: tuple[str, ...] = (
    "jixiao.cli.core_cmds",
    "jixiao.cli.monitor_cmds",
    "jixiao.cli.check_cmds",
    "jixiao.cli.land_cmds",
    "jixiao.cli.invest_cmds",
    "jixiao.cli.enterprise_cmds",
    "jixiao.cli.report_cmds",
    "jixiao.cli.web_cmds",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors: exit 2 with usage, in Chinese
        self.print_usage(sys.stderr)
        sys.stderr.write(f"jixiao：参数有误：{message}\n")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jixiao", description="jixiao 预算绩效管理命令行")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `jixiao score … | head` closed the pipe: not an error worth a traceback.
        sys.stderr.close()
        return 141


def django_setup() -> None:
    """Configure Django for commands that touch the database; creates the schema when needed."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
