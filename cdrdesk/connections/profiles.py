"""Connection profiles: where to connect, kept in a small versioned JSON file.

Tokens are not part of a profile: they live in the keyring (see
:mod:`cdrdesk.connections.tokens`), so the profiles file can be read, backed
up or shared without leaking a credential.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from cdrdesk.connections.tokens import TokenStore
from cdrdesk.fsutil import atomic_write_text, move_aside

if TYPE_CHECKING:
    from cdrdesk.api.client import CdrClient

FORMAT_VERSION = 1
FILE_NAME = "profiles.json"

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Profile:
    """A named API root; ``ca_bundle`` is a CA file path, None = system store."""

    name: str
    base_url: str
    ca_bundle: str | None = None
    demo: bool = False

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a profile needs a name")
        if self.name != self.name.strip():
            raise ValueError(f"the profile name {self.name!r} starts or ends with a space")
        if not self.base_url:
            raise ValueError(f"the profile {self.name!r} has no base URL")


@dataclass(frozen=True, slots=True)
class Connection:
    """A profile with its token, ready to make clients; the repr hides the token."""

    profile: Profile
    token: str = field(repr=False)

    def client(self, **kwargs: Any) -> CdrClient:
        from cdrdesk.api.client import CdrClient

        return CdrClient(
            self.profile.base_url, self.token, verify=self.profile.ca_bundle or True, **kwargs
        )


def default_profiles_path() -> Path:
    return Path(platformdirs.user_config_dir("cdrdesk")) / FILE_NAME


class ProfileStore:
    """The saved profiles and the last one used.

    A file that cannot be read is moved aside (kept, never deleted) and the
    store goes on with what it could use; ``warnings`` says what happened so
    the window can tell the user.
    """

    def __init__(self, path: Path | None = None, *, tokens: TokenStore | None = None) -> None:
        self.path = path if path is not None else default_profiles_path()
        self.warnings: list[str] = []
        self._tokens = tokens
        self._profiles: dict[str, Profile] = {}
        self._last_profile: str | None = None
        self._load()

    def profiles(self) -> list[Profile]:
        return list(self._profiles.values())

    def get(self, name: str) -> Profile | None:
        return self._profiles.get(name)

    def save(self, profile: Profile, *, replacing: str | None = None) -> None:
        """Add or update ``profile``; ``replacing`` names the profile it renames."""
        profiles = dict(self._profiles)
        if replacing is not None and replacing != profile.name:
            profiles = {
                (profile.name if name == replacing else name): value
                for name, value in profiles.items()
            }
            if self._last_profile == replacing:
                self._last_profile = profile.name
        profiles[profile.name] = profile
        self._profiles = profiles
        self._write()

    def delete(self, name: str) -> None:
        """Remove the profile and its keyring entry."""
        self._profiles.pop(name, None)
        if self._last_profile == name:
            self._last_profile = None
        self._write()
        self.tokens.delete(name)

    @property
    def tokens(self) -> TokenStore:
        """The token store whose entries follow deleted profiles (the keyring by default)."""
        if self._tokens is None:
            self._tokens = TokenStore()
        return self._tokens

    @property
    def last_profile(self) -> str | None:
        return self._last_profile

    @last_profile.setter
    def last_profile(self, name: str | None) -> None:
        if name is not None and name not in self._profiles:
            raise KeyError(f"no profile named {name!r}")
        if name != self._last_profile:
            self._last_profile = name
            self._write()

    def _write(self) -> None:
        document = {
            "version": FORMAT_VERSION,
            "last_profile": self._last_profile,
            "profiles": [_profile_to_json(profile) for profile in self._profiles.values()],
        }
        atomic_write_text(self.path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")

    def _load(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            self._set_aside(f"could not be read ({exc})")
            return
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            self._set_aside(f"is not valid JSON ({exc})")
            return
        if not isinstance(document, dict):
            self._set_aside("does not hold a JSON object")
            return
        version = document.get("version")
        if version != FORMAT_VERSION:
            self._set_aside(f"has version {version!r}; this cdrdesk reads version {FORMAT_VERSION}")
            return
        raw_profiles = document.get("profiles", [])
        if not isinstance(raw_profiles, list):
            self._set_aside('has a "profiles" entry that is not a list')
            return
        problems: list[str] = []
        for index, raw in enumerate(raw_profiles):
            try:
                profile = _profile_from_json(raw)
            except ValueError as exc:
                problems.append(f"profile {index + 1}: {exc}")
                continue
            if profile.name in self._profiles:
                problems.append(f"profile {index + 1}: the name {profile.name!r} is used twice")
                continue
            self._profiles[profile.name] = profile
        last = document.get("last_profile")
        if isinstance(last, str) and last in self._profiles:
            self._last_profile = last
        if problems:
            self._set_aside("has entries that could not be used: " + "; ".join(problems))
            self._write_kept_profiles()

    def _write_kept_profiles(self) -> None:
        """Write the usable profiles back at once, so they survive even if none is saved."""
        try:
            self._write()
        except OSError as exc:
            self.warnings.append(f"The usable profiles could not be written back ({exc}).")

    def _set_aside(self, problem: str) -> None:
        try:
            kept = move_aside(self.path)
        except OSError as exc:
            message = (
                f"The profiles file {self.path} {problem}, and could not be moved aside ({exc})."
            )
        else:
            message = (
                f"The profiles file {self.path} {problem}. It was kept as {kept.name}; "
                "usable profiles were loaded."
                if self._profiles
                else f"The profiles file {self.path} {problem}. It was kept as {kept.name} "
                "and cdrdesk starts without saved profiles."
            )
        _log.warning("%s", message)
        self.warnings.append(message)


def _profile_to_json(profile: Profile) -> dict[str, Any]:
    return {
        "name": profile.name,
        "base_url": profile.base_url,
        "ca_bundle": profile.ca_bundle,
        "demo": profile.demo,
    }


def _profile_from_json(raw: object) -> Profile:
    if not isinstance(raw, dict):
        raise ValueError("is not a JSON object")
    name, base_url = raw.get("name"), raw.get("base_url")
    ca_bundle, demo = raw.get("ca_bundle"), raw.get("demo", False)
    if not isinstance(name, str):
        raise ValueError('"name" must be a string')
    if not isinstance(base_url, str):
        raise ValueError('"base_url" must be a string')
    if ca_bundle is not None and not isinstance(ca_bundle, str):
        raise ValueError('"ca_bundle" must be a string or null')
    if not isinstance(demo, bool):
        raise ValueError('"demo" must be true or false')
    return Profile(name=name, base_url=base_url, ca_bundle=ca_bundle, demo=demo)
