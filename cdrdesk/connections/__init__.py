"""Where to connect and with which token: profiles, the keyring and the URL rule."""

from cdrdesk.connections.profiles import Connection, Profile, ProfileStore
from cdrdesk.connections.tokens import TokenStore, TokenStoreError
from cdrdesk.connections.urls import BaseUrlError, check_base_url, is_loopback_host

__all__ = [
    "BaseUrlError",
    "Connection",
    "Profile",
    "ProfileStore",
    "TokenStore",
    "TokenStoreError",
    "check_base_url",
    "is_loopback_host",
]
