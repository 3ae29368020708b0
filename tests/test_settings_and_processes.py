"""Configuration errors and start-up problems name what to change."""

from __future__ import annotations

import socket

import pytest

from bot.processes import StartupError, check_ports_free, free_port, services
from bot.settings import PROJECT_DIR, Settings, SettingsError, load_settings
from bot.training import fingerprint


def test_a_bad_port_setting_names_the_variable(monkeypatch):
    monkeypatch.setenv("SUPPORTDESK_RASA_PORT", "fifty")
    with pytest.raises(SettingsError, match=r"SUPPORTDESK_RASA_PORT: .*valid integer.*'fifty'"):
        load_settings()


def test_a_port_out_of_range_names_the_variable(monkeypatch):
    monkeypatch.setenv("SUPPORTDESK_GATEWAY_PORT", "70000")
    with pytest.raises(SettingsError, match="SUPPORTDESK_GATEWAY_PORT"):
        load_settings()


def test_a_port_in_use_names_the_port_and_the_setting_to_change(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # The other services on free ports: the test holds while the assistant runs on this machine.
        settings = load_settings(
            data_dir=tmp_path, rasa_port=port, gateway_port=free_port(), actions_port=free_port()
        )
        with pytest.raises(StartupError) as caught:
            check_ports_free(settings.host, services(settings, tmp_path / "model.tar.gz"))
    assert str(caught.value) == (
        f"port {port} on 127.0.0.1 (for the Rasa server) is already in use: stop whatever uses it, "
        f"or choose another port with SUPPORTDESK_RASA_PORT=<port>"
    )


def test_the_model_fingerprint_changes_with_the_training_data(tmp_path):
    for name in ("config.yml", "domain.yml"):
        (tmp_path / name).write_text("version: '3.1'\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nlu.yml").write_text("nlu: []\n")
    before = fingerprint(tmp_path)
    assert fingerprint(tmp_path) == before
    (tmp_path / "data" / "nlu.yml").write_text("nlu: [] # changed\n")
    assert fingerprint(tmp_path) != before


def test_several_rasa_workers_need_redis_for_their_locks(monkeypatch):
    monkeypatch.setenv("SUPPORTDESK_RASA_WORKERS", "2")
    with pytest.raises(SettingsError, match="set SUPPORTDESK_REDIS_HOST"):
        load_settings()
    monkeypatch.setenv("SUPPORTDESK_REDIS_HOST", "127.0.0.1")
    environment = load_settings().child_environment()
    assert (environment["SANIC_WORKERS"], environment["SUPPORTDESK_LOCK_STORE"]) == ("2", "redis")


def test_a_child_process_reads_exactly_the_parents_settings(monkeypatch, tmp_path):
    parent = load_settings(
        data_dir=tmp_path,
        gateway_port=8123,
        idle_close_minutes=30,
        messages_per_minute=5,
        secure_cookies=False,
        rasa_timeout_seconds=2.5,
        channel_token="a-channel-token-of-length",
        database_url="postgresql://shop@db/support",
        redis_host="127.0.0.1",
        rasa_workers=2,
    )
    for name in Settings.model_fields:
        monkeypatch.delenv(f"SUPPORTDESK_{name.upper()}", raising=False)
    for name, value in parent.child_environment().items():
        monkeypatch.setenv(name, value)
    assert load_settings() == parent


def test_one_rasa_worker_needs_no_lock_server():
    environment = load_settings().child_environment()
    assert (environment["SANIC_WORKERS"], environment["SUPPORTDESK_LOCK_STORE"]) == ("1", "in_memory")


def test_postgres_and_sqlite_urls_get_their_async_drivers(tmp_path):
    assert load_settings(database_url="postgresql://shop@db/support").store_url == (
        "postgresql+asyncpg://shop@db/support"
    )
    assert load_settings(data_dir=tmp_path).store_url == f"sqlite+aiosqlite:///{tmp_path / 'supportdesk.db'}"


def test_rasa_sessions_end_when_conversations_close():
    import yaml

    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())
    assert domain["session_config"]["session_expiration_time"] == Settings().idle_close_minutes


def test_the_action_servers_worker_has_two_minutes_to_load_the_shop():
    """Sanic shuts a server down whose worker has not reported for duty within 30 s; loading the
    shop on a slow machine while Rasa starts beside it can take longer (it did, here)."""
    import pluggy
    from sanic.worker.manager import WorkerManager

    import rasa_sdk_plugins

    rasa_sdk_plugins.init_hooks(pluggy.PluginManager("rasa_sdk"))
    assert WorkerManager.THRESHOLD / 10 >= 120


def test_the_channels_settings_are_checked_naming_the_variable():
    with pytest.raises(
        SettingsError, match="SUPPORTDESK_PUBLIC_URL: .*'support.myshop.com' is not a web address"
    ):
        load_settings(public_url="support.myshop.com")
    with pytest.raises(
        SettingsError, match="SUPPORTDESK_TWILIO_AUTH_TOKEN, SUPPORTDESK_TWILIO_WHATSAPP_FROM missing"
    ):
        load_settings(twilio_account_sid="AC123")
    with pytest.raises(SettingsError, match="Slack needs SUPPORTDESK_SLACK_SIGNING_SECRET"):
        load_settings(slack_bot_token="xoxb-1")
    with pytest.raises(SettingsError, match="SUPPORTDESK_SMTP_HOST needs SUPPORTDESK_SMTP_FROM"):
        load_settings(smtp_host="mail.myshop.com")
    with pytest.raises(SettingsError, match="SUPPORTDESK_SMTP_SECURITY"):
        load_settings(smtp_host="mail.myshop.com", smtp_from="help@myshop.com", smtp_security="ssl3")
