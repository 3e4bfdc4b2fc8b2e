"""`python -m generator` is the same as the `blog` command."""

from generator.cli import main

main()
