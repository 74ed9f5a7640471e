"""Which exceptions mean that Redis (cache, broker, result backend) is down: one answer for the
middleware (pages) and the API's problem handler, so both degrade the same way."""


def is_redis_outage(exception: BaseException) -> bool:
    """Redis (cache, broker, result backend) did not answer."""
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return isinstance(exception, RedisConnectionError | RedisTimeoutError | OperationalError)
