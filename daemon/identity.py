"""Who is who in a message: the owner's side, the vendor, the other party."""

from __future__ import annotations

from collections.abc import Iterable

from .config import Config, Vendor


class Parties:
    """Decides direction and vendor from addresses, using the owner's and vendors' config."""

    def __init__(self, owner_addresses: Iterable[str], vendors: Iterable[Vendor]):
        self.owner = {a.lower() for a in owner_addresses}
        self.by_address: dict[str, str] = {}
        self.by_domain: dict[str, str] = {}
        for vendor in vendors:
            for address in vendor.addresses:
                self.by_address.setdefault(address.lower(), vendor.name)
            for domain in vendor.domains:
                self.by_domain.setdefault(domain.lower(), vendor.name)

    @classmethod
    def from_config(cls, config: Config) -> Parties:
        owner = set(config.owner.addresses)
        owner.update(a.username.lower() for a in config.accounts if "@" in a.username)
        return cls(owner, config.vendors)

    def direction(self, from_addr: str) -> str:
        return "out" if from_addr.lower() in self.owner else "in"

    def vendor_of(self, address: str) -> str | None:
        address = address.lower()
        if address in self.by_address:
            return self.by_address[address]
        domain = address.rsplit("@", 1)[-1]
        while domain:
            if domain in self.by_domain:
                return self.by_domain[domain]
            _, _, domain = domain.partition(".")
        return None

    def vendor(self, direction: str, from_addr: str, recipients: Iterable[str]) -> str | None:
        """The vendor a message is with: its sender when incoming, a recipient when sent."""
        if direction == "in":
            return self.vendor_of(from_addr)
        for address in recipients:
            vendor = self.vendor_of(address)
            if vendor:
                return vendor
        return None

    def counterpart(self, direction: str, from_addr: str, recipients: Iterable[str]) -> str | None:
        """The other party's address, used for subject threading and vendor candidates."""
        if direction == "in":
            return from_addr.lower() or None
        for address in recipients:
            if address.lower() not in self.owner:
                return address.lower()
        return None
