"""`hotline`: run the bot, chat in the terminal, and inspect tickets."""

from __future__ import annotations

import argparse
import os
import sys

from bot.cli import admin, nlu, outages, run, tickets
from bot.config import get_settings
from bot.core.process_setup import set_up_process


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run.add_commands(commands)
    tickets.add_commands(commands)
    admin.add_commands(commands)
    nlu.add_commands(commands)
    outages.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    set_up_process(get_settings())  # every command's database and texts come from the settings
    try:
        return args.func(args)
    except BrokenPipeError:
        # The reader went away (`hotline tickets list --json | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
