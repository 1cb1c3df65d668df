"""One exception type per failure, each with a message that names the object at fault.

The CLI turns any `VendorwatchError` into a single line on stderr and a non-zero exit
status, so a user never sees a traceback for bad input.
"""

from __future__ import annotations


class VendorwatchError(Exception):
    """Base for every error a user can cause or fix; `exit_code` is what the CLI returns."""

    exit_code = 1


class ConfigError(VendorwatchError):
    """The configuration file is missing, unreadable or wrong."""

    exit_code = 2

    def __init__(self, path: object, key: str | None, problem: str, fix: str | None = None):
        self.path = str(path)
        self.key = key
        self.problem = problem
        self.fix = fix
        where = f"{self.path}: {key}: " if key else f"{self.path}: "
        super().__init__(where + problem + (f" ({fix})" if fix else ""))


class SecretError(VendorwatchError):
    """A password or token could not be obtained; the message never holds the secret."""

    exit_code = 2


class StoreError(VendorwatchError):
    """The database cannot be opened, is not ours, or cannot be written."""

    exit_code = 3


class SourceError(VendorwatchError):
    """A mail source (IMAP server, Maildir, mbox) cannot be read."""

    exit_code = 4


class ParseError(VendorwatchError):
    """A message is not an RFC 5322 message at all (it is still stored with the reason)."""


class NotFoundError(VendorwatchError):
    """A CLI argument names something the database does not hold (a vendor, a message)."""
