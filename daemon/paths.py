"""The one place that decides where configuration and data live.

Order: an explicit path, then an environment variable, then the platform's user
directories (platformdirs). `VENDORWATCH_HOME` moves both at once, which is what the
tests use to keep every run inside a temporary directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "vendorwatch"


def home_override() -> Path | None:
    """The directory holding both config and data when `VENDORWATCH_HOME` is set."""
    value = os.environ.get("VENDORWATCH_HOME")
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    home = home_override()
    return home if home else Path(platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    home = home_override()
    return home if home else Path(platformdirs.user_data_dir(APP))


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where the config file is: `--config`, then `$VENDORWATCH_CONFIG`, then the user dir."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("VENDORWATCH_CONFIG")
    if env:
        return Path(env).expanduser()
    return config_dir() / "config.toml"


def default_database() -> Path:
    return data_dir() / "vendorwatch.db"
