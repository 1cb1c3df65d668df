"""`python -m vendorwatch.daemon` is the `vendorwatch` command."""

from .cli import main

main()
