"""The store's exceptions: each carries a French message meant for the user."""

from __future__ import annotations


class StoreError(Exception):
    """A store operation failed; the message is French and meant for the user."""


class StoreUnavailable(StoreError):
    """The store could not be reached or written (network, permissions): try again later."""


class InvalidName(StoreError, ValueError):
    """A coop id or version reference that is not acceptable."""


class VersionNotFound(StoreError, LookupError):
    """No such version in this coop's history."""


class DamagedMetadata(StoreError, ValueError):
    """A metadata file of the store (manifest, hash claim, report, marker) cannot be read: reported, never raised
    past the store's reading functions (``cahier verifier-depot`` lists and repairs them)."""


class StoreMissing(StoreUnavailable):
    """The server answers, but the store's folder does not exist on it (not created yet, moved, mistyped)."""


class StoreRefused(StoreError):
    """The server will never take this submission as it is (e.g. a file larger than it accepts): refused with the
    reason, not retried."""


class DamagedOriginal(StoreError):
    """A version's original file no longer matches its SHA-256: never given back as if it were whole."""


class StoreUnusable(StoreError):
    """The store's address can never work as it is (a file where a folder is expected, a folder that cannot be
    created there): a configuration error, said at once and never retried."""
