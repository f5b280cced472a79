"""The users-and-accounts phase of a seed run: the plan's auth users, then the kit's accounts.

:func:`seed_users_and_accounts` reads a plan's ``users`` and ``accounts`` sections: MakerKit's
standard test users (when asked for) and ``users.count`` synthetic users
(:func:`synthetic_user_specs`) are created in one bulk insert (:mod:`.auth_users`); then, on a
MakerKit schema, the kit's personal accounts are looked up and team accounts with their
memberships (:func:`plan_teams`) are written (:mod:`.makerkit`). The seeding engine calls it first.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import psycopg

from ..config.models import SeedPlan
from ..errors import SupaseedError
from ..generate.values import REFERENCE
from ..generate.vocab import vocabulary
from ..schema.detect import detect
from ..schema.model import Schema
from .auth_users import UserSpec, insert_auth_users
from .makerkit import (
    STANDARD_USERS,
    KitName,
    TeamSpec,
    add_super_admin_factor,
    makerkit_team,
    standard_user_specs,
    write_kit_rows,
)

__all__ = ["UsersResult", "plan_teams", "seed_users_and_accounts", "synthetic_user_specs"]


@dataclass(slots=True)
class UsersResult:
    """What :func:`seed_users_and_accounts` created or found.

    Attributes:
        users: email -> user id, every user of the plan (MakerKit's standard users included).
        personal_accounts: email -> personal account id (made by the kit's trigger; v2/v3/lite).
        team_accounts: slug -> team account id (v1: the organization's ``uuid``).
        memberships: ``(account id, user id, role)`` of the team accounts, the role as the kit
            stores it (v1: ``"0"``, ``"1"``, ``"2"``).
        rows: table -> rows this phase created there (the engine does not plan those tables).
        kit: the MakerKit flavour seeded for (``custom`` when none).
        warnings: one sentence per thing that did not go as planned.
    """

    users: dict[str, uuid.UUID] = field(default_factory=dict)
    personal_accounts: dict[str, uuid.UUID] = field(default_factory=dict)
    team_accounts: dict[str, uuid.UUID] = field(default_factory=dict)
    memberships: list[tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    kit: str = "custom"
    warnings: list[str] = field(default_factory=list)


# MakerKit's standard users: planned teams are made of the other (synthetic) users.
_STANDARD_EMAILS = frozenset(u.email for u in STANDARD_USERS)


def _uuid_from(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _ascii_word(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


def synthetic_user_specs(
    count: int,
    *,
    seed: int | str,
    password: str,
    domain: str = "example.com",
    metadata: Mapping[str, Any] | None = None,
    app_metadata: Mapping[str, Any] | None = None,
) -> list[UserSpec]:
    """``count`` realistic users (name in metadata, ``first.last@domain``), the same for a seed;
    ``app_metadata`` (e.g. a role) goes into each one's ``raw_app_meta_data``.

    Ids and names come from streams named ``"{seed}:users"``; a repeated name gets a number
    (``jane.doe2@...``) so every email is unique.
    """
    vocab = vocabulary()  # the shipped name pools: no Faker, the same names on every machine
    names = random.Random(f"{seed}:users:names")
    rng = random.Random(f"{seed}:users:ids")
    used: dict[str, int] = {}
    specs: list[UserSpec] = []
    for _ in range(count):
        first, last = names.choice(vocab.first_names), names.choice(vocab.last_names)
        local = f"{_ascii_word(first) or 'user'}.{_ascii_word(last) or 'seeded'}"
        used[local] = used.get(local, 0) + 1
        if used[local] > 1:
            local = f"{local}{used[local]}"
        specs.append(
            UserSpec(
                email=f"{local}@{domain}",
                password=password,
                id=_uuid_from(rng),
                user_metadata={"name": f"{first} {last}", **(metadata or {})},
                app_metadata=dict(app_metadata or {}),
            )
        )
    return specs


def _slug(name: str) -> str:
    out = []
    for ch in name.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-") or "team"


def plan_teams(
    count: int,
    members: Sequence[uuid.UUID],
    *,
    seed: int | str,
    size_min: int,
    size_max: int,
    roles: Sequence[str],
    taken_slugs: Iterable[str] = (),
) -> list[TeamSpec]:
    """``count`` team accounts (:class:`~pytest_supaseed.seed.makerkit.TeamSpec`) over ``members``.

    Each team has between ``size_min`` and ``size_max`` members (at least 1, at most all users),
    drawn from the stream ``"{seed}:teams"``; the first is the primary owner, the others get
    ``roles[1:]``, ``roles[0]``, ... in rotation (so with ``["owner", "member"]``: member, owner,
    member, ...). Names are company names; slugs are unique.
    """
    if count and not members:
        raise SupaseedError(
            f"accounts.teams = {count} needs users to be members: set users.count (or "
            "users.makerkit_test_users = true)"
        )
    companies = vocabulary().companies
    names = random.Random(f"{seed}:teams:names")
    rng = random.Random(f"{seed}:teams")
    roles = list(roles) or ["owner", "member"]
    slugs = set(taken_slugs)
    teams: list[TeamSpec] = []
    for _ in range(count):
        name = names.choice(companies)
        base = _slug(name)
        slug, n = base, 1
        while slug in slugs:
            n += 1
            slug = f"{base}-{n}"
        slugs.add(slug)
        size = max(1, min(len(members), rng.randint(size_min, max(size_min, size_max))))
        chosen = rng.sample(list(members), size)
        team_members = tuple(
            (user_id, roles[k % len(roles)] if k else roles[0]) for k, user_id in enumerate(chosen)
        )
        teams.append(
            TeamSpec(
                id=_uuid_from(rng),
                name=name,
                slug=slug,
                owner=chosen[0],
                members=team_members,
            )
        )
    return teams


def seed_users_and_accounts(
    conn: psycopg.Connection[Any],
    plan: SeedPlan,
    schema: Schema,
    *,
    seed: int | str,
    kit: str | None = None,
) -> UsersResult:
    """The users phase of a seed run: auth users, then the kit's accounts and memberships.

    ``plan`` is a :class:`~pytest_supaseed.config.models.SeedPlan` (its ``users`` and ``accounts``
    sections are read), ``schema`` the introspected :class:`~pytest_supaseed.schema.Schema`; the
    kit comes from :func:`pytest_supaseed.schema.detect.detect` unless ``kit`` is given.

    Order matters: MakerKit's standard users first (fixed ids), then ``users.count`` synthetic
    users, all in one bulk insert; the kit's trigger makes personal accounts, which are looked up;
    then team "Makerkit" (when the standard users are asked for) and ``accounts.teams`` teams.
    """
    if kit is None:
        kit = detect(schema).kit
    if kit not in ("v1", "lite", "v2", "v3", "custom"):
        raise SupaseedError(
            f"unknown MakerKit flavour {kit!r}: expected v1, lite, v2, v3 or custom"
        )
    users_cfg, accounts_cfg = plan.users, plan.accounts
    result = UsersResult(kit=kit)

    specs: list[UserSpec] = standard_user_specs() if users_cfg.makerkit_test_users else []
    specs += synthetic_user_specs(
        users_cfg.count,
        seed=seed,
        password=users_cfg.password,
        domain=users_cfg.email_domain,
        metadata=users_cfg.metadata,
        app_metadata=users_cfg.app_metadata,
    )
    # The engine's fixed reference instant, not now(): the same plan and seed give the same rows.
    made = insert_auth_users(conn, specs, seed=seed, now=REFERENCE)
    result.users = made.ids
    result.warnings += made.warnings
    result.rows["auth.users"] = len(made.created)
    result.rows["auth.identities"] = len(made.created)

    if kit == "custom":
        if accounts_cfg.teams:
            result.warnings.append(
                f"accounts.teams = {accounts_cfg.teams} was ignored: the schema is not a MakerKit "
                "schema, so there is no team account table to fill"
            )
        return result

    if not accounts_cfg.personal and kit != "v1":
        result.warnings.append(
            "accounts.personal = false has no effect: MakerKit's trigger on auth.users makes a "
            "personal account for every user"
        )
    synthetic_ids = [
        made.ids[s.email.lower()] for s in specs if s.email.lower() not in _STANDARD_EMAILS
    ]
    # Planned teams are made of the synthetic users; with none, of MakerKit's standard users.
    members = synthetic_ids or list(made.ids.values())
    teams = [makerkit_team()] if users_cfg.makerkit_test_users else []
    teams += plan_teams(
        accounts_cfg.teams,
        members,
        seed=seed,
        size_min=accounts_cfg.members_per_team.min,
        size_max=accounts_cfg.members_per_team.max,
        roles=users_cfg.roles,
        taken_slugs=[t.slug for t in teams],
    )
    metadata_by_id = {made.ids[s.email.lower()]: s.user_metadata for s in specs}
    kit_rows = write_kit_rows(
        conn,
        cast(KitName, kit),
        metadata_by_id,
        teams,
        now=REFERENCE,
        new_users=[made.ids[e] for e in made.created],
    )
    email_by_id = {v: k for k, v in made.ids.items()}
    result.personal_accounts = {
        email_by_id[user_id]: account for user_id, account in kit_rows.personal_accounts.items()
    }
    result.team_accounts = kit_rows.team_accounts
    result.memberships = kit_rows.memberships
    result.rows.update(kit_rows.rows)
    result.warnings += kit_rows.warnings
    if users_cfg.makerkit_test_users and kit in ("v2", "v3"):
        super_admin = made.ids["super-admin@makerkit.dev"]
        result.rows["auth.mfa_factors"] = add_super_admin_factor(conn, super_admin, now=REFERENCE)
    return result
