"""The supaseed marker: positional template, customizations, validation at collection."""

from __future__ import annotations

import pytest


def test_marker_seeds_from_a_template_with_customizations(project) -> None:
    project.tests(
        """
        import pytest

        @pytest.mark.supaseed("small")
        def test_small(supaseed_db):
            assert supaseed_db.execute("select count(*) from auth.users").fetchone() == (3,)
            assert supaseed_db.execute("select count(*) from notes").fetchone() == (6,)

        @pytest.mark.supaseed("small", users={"count": 4})
        def test_customized(supaseed):
            assert supaseed.count("auth.users") == 4
            assert supaseed.count("notes") == 8
            assert len(supaseed.users) == 4
            assert supaseed.result.rows["public.notes"] == 8
            assert supaseed.plan.users.count == 4

        def test_unmarked_is_not_seeded(supaseed_db):
            assert supaseed_db.execute("select count(*) from auth.users").fetchone() == (0,)

        pytestmark_class = pytest.mark.supaseed("other")

        @pytestmark_class
        class TestOther:
            def test_class_marker(self, supaseed):
                assert supaseed.count("notes") == 7
                assert supaseed.count("auth.users") == 5
        """
    )
    result = project.run("-p", "no:randomly")
    result.assert_outcomes(passed=4)


def test_template_option_applies_to_unmarked_tests(project) -> None:
    project.tests(
        """
        import pytest

        def test_default(supaseed):
            assert supaseed.count("notes") == 7

        @pytest.mark.supaseed("small")
        def test_marker_wins(supaseed):
            assert supaseed.count("notes") == 6
        """
    )
    result = project.run("-p", "no:randomly", "--supaseed-template", "other")
    result.assert_outcomes(passed=2)


def test_wrong_marker_argument_fails_at_collection(project) -> None:
    project.tests(
        """
        import pytest

        @pytest.mark.supaseed("small", user={"count": 2})
        def test_typo(supaseed_db):
            pass
        """
    )
    result = project.run("-p", "no:randomly")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*test_typo*unexpected argument 'user'*did you mean 'users'*"])
    result.stdout.no_fnmatch_line("*1 passed*")


def test_wrong_isolation_and_seed_types_are_named(project) -> None:
    project.tests(
        """
        import pytest

        @pytest.mark.supaseed("small", isolation="table")
        def test_bad_isolation(supaseed_db):
            pass
        """
    )
    result = project.run("-p", "no:randomly")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*isolation must be one of*'table'*"])


def test_isolation_database_allows_commits(project) -> None:
    project.tests(
        """
        import pytest

        @pytest.mark.supaseed("small", isolation="database")
        @pytest.mark.parametrize("n", [1, 2])
        def test_commit(supaseed_db, n):
            supaseed_db.execute("insert into notes (owner_id, title) select id, 'c' from auth.users limit 1")
            supaseed_db.commit()
            assert supaseed_db.execute("select count(*) from notes").fetchone() == (7,)
        """
    )
    result = project.run("-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_async_db_sees_the_seeded_template(project) -> None:
    project.tests(
        """
        import pytest

        @pytest.mark.asyncio
        @pytest.mark.supaseed("small")
        @pytest.mark.parametrize("n", [1, 2])
        async def test_async(supaseed_async_db, n):
            cur = await supaseed_async_db.execute("select count(*) from notes")
            assert await cur.fetchone() == (6,)
            await supaseed_async_db.execute(
                "insert into notes (owner_id, title) select id, 'a' from auth.users limit 1")
            cur = await supaseed_async_db.execute("select count(*) from notes")
            assert await cur.fetchone() == (7,)
        """
    )
    result = project.run("-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_supaseed_random_follows_pytest_randomly_seed(project) -> None:
    project.tests(
        """
        import pytest

        @pytest.mark.supaseed("small")
        def test_draw(supaseed):
            with open("draws.txt", "a") as out:
                out.write(f"{supaseed.random.random()!r}\\n")
        """
    )
    draws = project.root / "draws.txt"
    values = []
    for seed in ("123", "123", "456"):
        result = project.run("-p", "randomly", f"--randomly-seed={seed}")
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines(["supaseed: backend embedded; data seed: *"])
        values.append(draws.read_text().splitlines()[-1])
    assert values[0] == values[1]
    assert values[0] != values[2]


def test_unknown_template_in_a_marker_fails_at_collection(project) -> None:
    project.tests(
        """
        import pytest

        @pytest.mark.supaseed("smal")
        def test_typo_template(supaseed_db):
            pass
        """
    )
    result = project.run("-p", "no:randomly")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_typo_template*unknown template 'smal'*small*"])
    result.stdout.no_fnmatch_line("*Traceback*")
