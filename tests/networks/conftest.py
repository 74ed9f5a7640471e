import pytest

from tests.networks.webhook_receiver import Receiver


@pytest.fixture
def receiver():
    """A running webhook receiver on 127.0.0.1 (tests/networks/webhook_receiver.py)."""
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def allow_local(settings):
    """Webhooks to 127.0.0.1 allowed, as WEBHOOK_ALLOWED_HOSTS=127.0.0.1 does."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    return settings
