"""`python -m copilot.cli`: the same as the `hotline` command."""

from copilot.cli import main

main()
