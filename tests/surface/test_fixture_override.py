"""The fixture overrides README.md and docs/guides/pytest.md show (a base database built from
db/migrations instead of supabase/migrations) work as written: each block is the conftest of a
small project, whose test sees the table its db/migrations create."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = {"README.md": ROOT / "README.md", "pytest.md": ROOT / "docs" / "guides" / "pytest.md"}
OVERRIDE = re.compile(
    r'^```python\n(@pytest\.fixture\(scope="session"\)\ndef supaseed_base_database\(.*?)^```',
    re.S | re.M,
)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_base_database_override_builds_from_db_migrations(page: str, app) -> None:
    match = OVERRIDE.search(PAGES[page].read_text(encoding="utf-8"))
    assert match is not None, f"{page}: the supaseed_base_database override is gone"
    app.pytester.makeconftest("import pytest\n\n\n" + match[1])
    app.db_migrations_test()
    result = app.run()
    result.assert_outcomes(passed=1)
