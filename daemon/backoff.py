"""How long to wait before reconnecting: exponential backoff with jitter, capped.

A daemon that reconnects at once after every failure hammers a server that is restarting
and, after a password change, can get the account locked. Each failure doubles the wait
(up to `cap`); jitter spreads the retries of several connections so they do not all hit
the server in the same instant. A refused login waits much longer (`AUTH_RETRY`): it will
not fix itself in seconds, and servers count failed logins.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

AUTH_RETRY = 15 * 60.0  # seconds between attempts after a refused login


@dataclass
class Backoff:
    """Delays base, 2*base, 4*base ... up to cap, each drawn from [delay/2, delay].

    Half-to-full ("equal") jitter keeps the growth a caller can rely on while never
    retrying at once, which full jitter (0 to delay) would sometimes do.
    """

    base: float = 1.0
    cap: float = 300.0
    factor: float = 2.0
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0

    def next(self) -> float:
        """The wait before the next attempt; each call counts as one more failure."""
        ceiling = min(self.cap, self.base * self.factor ** min(self.attempts, 64))
        self.attempts += 1
        return self.rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        """After a success the next failure starts from `base` again."""
        self.attempts = 0


def auth_delay(rng: random.Random | None = None, retry: float = AUTH_RETRY) -> float:
    """The wait after a refused login: `retry` seconds, give or take a tenth."""
    return (rng or random).uniform(retry * 0.9, retry * 1.1)
