"""Without the optional extras (Faker, Hypothesis, pytest-asyncio), a project seeds users and rows,
none of those packages is imported, and the async fixture is simply not offered."""

from __future__ import annotations


def test_seeding_run_without_the_extras(project) -> None:
    project.tests(
        """
        import sys

        import pytest

        @pytest.mark.supaseed("small")
        def test_seeded_without_extras(supaseed_db):
            assert supaseed_db.execute("select count(*) from auth.users").fetchone() == (3,)
            names = supaseed_db.execute(
                "select raw_user_meta_data->>'name' from auth.users"
            ).fetchall()
            assert all(name and " " in name for (name,) in names)
            assert supaseed_db.execute("select count(*) from notes").fetchone() == (6,)
            for extra in ("faker", "hypothesis", "pytest_asyncio"):
                assert sys.modules.get(extra) is None, extra

        def test_async_fixture_is_not_offered(request):
            with pytest.raises(pytest.FixtureLookupError):
                request.getfixturevalue("supaseed_async_db")
        """
    )
    # -p no:<plugin> keeps each package's own pytest plugin from loading, as if not installed;
    # our dev dependencies pytest-randomly and pytest-postgresql would import Faker and
    # pytest-asyncio themselves.
    result = project.run(
        *("-p", "no:asyncio", "-p", "no:faker", "-p", "no:hypothesispytest"),
        *("-p", "no:randomly", "-p", "no:pytest_postgresql"),
    )
    result.assert_outcomes(passed=2)
