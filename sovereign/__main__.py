"""``python -m sovereign`` is the ``sovereign`` command."""

from sovereign.cli import main

if __name__ == "__main__":  # worker processes re-import this module; only the real entry runs the CLI
    main()
