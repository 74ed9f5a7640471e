from celery import shared_task


@shared_task(name="socialdomain.ping")
def ping() -> str:
    """Answered by a worker; the health check uses it to see that one is listening."""
    return "pong"
