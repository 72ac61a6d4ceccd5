"""The log file: where it is, what level, and that secrets never reach it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from cdrdesk import logs

TOKEN = "tok_9f8e7d6c5b4a3210-very-secret"
OTHER_BEARER = "eyJhbGciOiJIUzI1NiJ9.payload.signature"


@pytest.fixture
def log_file() -> Iterator[Path]:
    root = logging.getLogger()
    level = root.level
    path = logs.setup_logging(debug=False)
    assert path is not None
    yield path
    logs.shutdown_logging()
    logs.unregister_secret(TOKEN)
    root.setLevel(level)
    for old in path.parent.glob(f"{path.name}*"):
        old.unlink()


def all_log_text(path: Path) -> str:
    logs.shutdown_logging()  # flushes and closes the files
    return "".join(p.read_text(encoding="utf-8") for p in sorted(path.parent.glob(f"{path.name}*")))


def test_log_file_is_in_the_users_log_folder(log_file: Path) -> None:
    assert log_file == logs.log_path()
    assert log_file.is_file()
    assert "cdrdesk" in log_file.parts[-3:-1] or "cdrdesk" in log_file.parent.parts


def test_info_by_default_and_debug_only_when_asked(log_file: Path) -> None:
    logger = logging.getLogger("cdrdesk.test")
    logger.info("info line one")
    logger.debug("debug line one")
    logs.setup_logging(debug=True)
    logger.debug("debug line two")
    text = all_log_text(log_file)
    assert "info line one" in text
    assert "debug line one" not in text
    assert "debug line two" in text


def test_a_token_logged_through_any_path_never_reaches_the_file(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.setup_logging(debug=True)  # stderr handler now writes to the captured stream
    logs.register_secret(TOKEN)
    logger = logging.getLogger("cdrdesk.api.client")
    logger.info("plain %s", TOKEN)
    logger.info(f"f-string {TOKEN}")
    logger.warning("dict %(token)s", {"token": TOKEN})
    logger.info("headers %r", {"Authorization": f"Bearer {TOKEN}"})
    logger.info("unregistered Authorization: Bearer %s", OTHER_BEARER)
    logger.info("other scheme authorization=Token %s", OTHER_BEARER)
    logger.info(TOKEN)  # the message object itself
    logger.info(ValueError(TOKEN))  # a non-string message
    logger.info("stack", stack_info=True, extra={"unused": TOKEN})
    try:
        raise RuntimeError(f"request failed with token {TOKEN}")
    except RuntimeError:
        logger.exception("request failed")
    logging.getLogger("httpx").error("third-party logger %s", TOKEN)
    logger.info("end of test")

    text = all_log_text(log_file)
    assert TOKEN not in text
    assert OTHER_BEARER not in text
    assert "plain ***" in text
    assert "Bearer ***" in text
    assert "RuntimeError: request failed with token ***" in text
    assert "Traceback (most recent call last)" in text
    assert "third-party logger ***" in text
    assert "end of test" in text
    stderr = capsys.readouterr().err
    assert TOKEN not in stderr
    assert "third-party logger ***" in stderr


def test_rotation_keeps_five_old_files_and_redacts_them_all(log_file: Path) -> None:
    logs.register_secret(TOKEN)
    logger = logging.getLogger("cdrdesk.test")
    line = "x" * 20_000
    for number in range(logs.MAX_BYTES * (logs.BACKUP_COUNT + 2) // len(line)):
        logger.info("%d %s %s", number, TOKEN, line)
    logs.shutdown_logging()
    files = sorted(log_file.parent.glob(f"{log_file.name}*"))
    assert len(files) == logs.BACKUP_COUNT + 1
    for path in files:
        assert path.stat().st_size <= logs.MAX_BYTES
        assert TOKEN not in path.read_text(encoding="utf-8")


def test_unwritable_log_folder_falls_back_to_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder should be")
    monkeypatch.setattr(logs, "log_dir", lambda: blocker / "cdrdesk")
    root_level = logging.getLogger().level
    try:
        assert logs.setup_logging() is None
        logging.getLogger("cdrdesk.test").error("still reported")
    finally:
        logs.shutdown_logging()
        logging.getLogger().setLevel(root_level)
    err = capsys.readouterr().err
    assert f"cannot write the log file {blocker / 'cdrdesk' / 'cdrdesk.log'}" in err
    assert "still reported" in err
