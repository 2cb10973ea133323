from meshcore.runtime.backoff import ExponentialBackoff


def test_backoff_doubles_per_receive_and_is_capped() -> None:
    policy = ExponentialBackoff(base_seconds=2, max_seconds=30, jitter=False)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5, 6)] == [2, 4, 8, 16, 30, 30]


def test_jitter_stays_between_half_and_the_full_delay() -> None:
    policy = ExponentialBackoff(base_seconds=2, max_seconds=300)
    delays = {policy.delay(4) for _ in range(200)}
    assert min(delays) >= 8 and max(delays) <= 16 and len(delays) > 1
