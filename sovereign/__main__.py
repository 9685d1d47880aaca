"""``python -m sovereign`` is the ``sovereign`` command."""

from sovereign.cli import main

main()
