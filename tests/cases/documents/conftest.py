from tests.clamd import clamav, clamd_socket  # noqa: F401 - fixtures for this package
