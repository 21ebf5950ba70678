"""`python -m bot.cli`: the same as the `hotline` command."""

from bot.cli import main

raise SystemExit(main())
