"""Window settings persist in their INI file, and a bad file never stops the app."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from cdrdesk.ui.settings import ZONE_LOCAL, ZONE_UTC, WindowSettings, default_settings_path


def test_values_survive_a_restart(tmp_path: Path, qtbot: QtBot) -> None:
    path = tmp_path / "window.ini"
    settings = WindowSettings(path)
    settings.set_geometry(b"\x01\x02geometry")
    settings.set_window_state(b"\x00state")
    settings.set_columns(b"columns\xff")
    settings.set_display_zone(ZONE_UTC)
    assert settings.sync() is None

    again = WindowSettings(path)
    assert again.problem is None
    assert again.geometry() == b"\x01\x02geometry"
    assert again.window_state() == b"\x00state"
    assert again.columns() == b"columns\xff"
    assert again.display_zone() == ZONE_UTC


def test_the_file_lives_in_the_user_config_folder(qtbot: QtBot) -> None:
    path = default_settings_path()
    assert path.parent.name == "cdrdesk"
    assert path.suffix == ".ini"


def test_a_corrupt_file_is_kept_aside_and_defaults_are_used(tmp_path: Path, qtbot: QtBot) -> None:
    path = tmp_path / "window.ini"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe[window]\ngeometry=@ByteArray(\x00)")

    settings = WindowSettings(path)

    assert settings.problem is not None
    assert "corrupt" in settings.problem
    assert settings.geometry() is None
    assert settings.display_zone() == ZONE_LOCAL
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("window.ini.corrupt-")]
    assert len(aside) == 1
    assert aside[0].read_bytes().startswith(b"\x89PNG")
    settings.set_display_zone(ZONE_UTC)
    assert settings.sync() is None
    assert WindowSettings(path).display_zone() == ZONE_UTC


def test_values_of_the_wrong_shape_read_as_defaults(tmp_path: Path, qtbot: QtBot) -> None:
    path = tmp_path / "window.ini"
    path.write_text("[window]\ngeometry=not bytes\nstate=3\n[display]\nzone=Mars\n")

    settings = WindowSettings(path)

    assert settings.geometry() is None
    assert settings.window_state() is None
    assert settings.display_zone() == ZONE_LOCAL


def test_an_unreadable_file_is_reported_not_fatal(tmp_path: Path, qtbot: QtBot) -> None:
    path = tmp_path / "window.ini"
    path.mkdir()  # a folder where the file should be: neither readable nor writable as a file

    settings = WindowSettings(path)

    assert settings.problem is not None
    assert settings.columns() is None
    settings.set_display_zone(ZONE_UTC)
    message = settings.sync()
    assert message is not None
    assert "could not be saved" in message
