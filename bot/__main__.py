"""``python -m bot`` is the same as the ``ponte`` command."""

from bot.cli.main import main

raise SystemExit(main())
