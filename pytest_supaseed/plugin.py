"""pytest hooks (placeholder during bootstrap)."""


def randomly_seeder(seed: int) -> None:
    """Called by pytest-randomly with the run's seed."""
