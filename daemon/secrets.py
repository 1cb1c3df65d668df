"""Fetching passwords and OAuth2 tokens from where the config says they are.

The value is returned to the caller and nowhere else: error messages name the source
(the command, the variable) and never echo what it printed on stdout.
"""

from __future__ import annotations

import os
import subprocess

from .config import Secret
from .errors import SecretError

COMMAND_TIMEOUT = 30


def password(secret: Secret, who: str, username: str | None = None) -> str:
    """The password for `who` (e.g. "accounts[work]"), from the first source configured."""
    if secret.password:
        return secret.password
    if secret.password_command:
        return run_command(secret.password_command, f"{who}.password_command")
    if secret.password_env:
        value = os.environ.get(secret.password_env)
        if not value:
            raise SecretError(
                f"{who}.password_env: environment variable "
                f"{secret.password_env} is not set or empty"
            )
        return value
    if secret.keyring_service:
        return _from_keyring(secret.keyring_service, username or "", who)
    raise SecretError(f"{who}: no password source configured")


def oauth2_token(secret: Secret, who: str) -> str | None:
    if not secret.oauth2_token_command:
        return None
    return run_command(secret.oauth2_token_command, f"{who}.oauth2_token_command")


def run_command(command: str, key: str) -> str:
    """Run a shell command (like mbsync's PassCmd) and return its first output line."""
    try:
        done = subprocess.run(
            command,
            shell=True,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise SecretError(f"{key}: command did not finish within {COMMAND_TIMEOUT} s") from None
    except OSError as exc:
        raise SecretError(f"{key}: cannot run command: {exc.strerror}") from None
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or [""])[0][:200]
        raise SecretError(
            f"{key}: command exited with status {done.returncode}"
            + (f": {detail}" if detail else "")
        )
    value = (done.stdout.splitlines() or [""])[0].strip()
    if not value:
        raise SecretError(f"{key}: command printed nothing")
    return value


def _from_keyring(service: str, username: str, who: str) -> str:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        raise SecretError(f"{who}.keyring_service: the keyring package is not installed") from None
    try:
        value = keyring.get_password(service, username)
    except KeyringError as exc:
        raise SecretError(f"{who}.keyring_service: keyring unavailable: {exc}") from None
    if not value:
        raise SecretError(
            f"{who}.keyring_service: no password stored for {username!r} "
            f"in service {service!r} (keyring set {service} {username})"
        )
    return value
