"""`manage.py api_key create|revoke|list`: per-user API keys from the command line.

    manage.py api_key create --user alice --name laptop --grant write   # prints the key, once
    manage.py api_key create --user ci --create-user --grant write     # an API-only user
    manage.py api_key revoke AbCd1234                                  # by prefix
    manage.py api_key list [--user alice]

`create` prints the key alone on stdout (so `KEY=$(manage.py api_key create ...)` works) and
what it did on stderr. Keys act as their user; `--grant` gives the user a level's permission.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone

from access.actors import acting_as, command_actor
from access.levels import Level, level_of
from access.models import APIKey
from access.services import api_key_create, api_key_revoke, user_grant_level
from config.cli import DefaultsHelpFormatter, OperatorCommand, add_no_input_argument, confirmed

LEVELS = {level.label: level for level in Level if level is not Level.NONE}


def _expiry(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--expires: not an ISO date or datetime: {value!r}") from error
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(OperatorCommand):
    help = "Create, revoke or list API keys (Authorization: Bearer <key>)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser(
            "create",
            help="create a key for a user; prints it once",
            formatter_class=DefaultsHelpFormatter,
        )
        create.add_argument("--user", required=True, help="username the key acts as")
        create.add_argument(
            "--create-user",
            action="store_true",
            help="create the user if missing (no password: it can only use API keys)",
        )
        create.add_argument("--name", default="", help="a label for the key (default: the user)")
        create.add_argument("--expires", help="ISO date or datetime after which it stops working")
        create.add_argument(
            "--grant",
            choices=sorted(LEVELS, key=lambda name: LEVELS[name]),
            help="also give the user this level's permission (read < write < bulk; "
            "default: none added)",
        )
        revoke = actions.add_parser(
            "revoke",
            help="revoke keys for good, by prefix (asks first)",
            formatter_class=DefaultsHelpFormatter,
        )
        revoke.add_argument("prefixes", nargs="+", metavar="PREFIX")
        add_no_input_argument(revoke)
        listing = actions.add_parser(
            "list",
            help="list keys (never the keys themselves)",
            formatter_class=DefaultsHelpFormatter,
        )
        listing.add_argument("--user", help="only this user's keys")

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(command_actor("api_key")):
            getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(options["user"])
        except user_model.DoesNotExist as error:
            if not options["create_user"]:
                raise CommandError(
                    f"No user {options['user']!r}: create one in the admin, or pass --create-user."
                ) from error
            user = user_model(**{user_model.USERNAME_FIELD: options["user"]})
            user.set_unusable_password()
            user.save()
        expiry = _expiry(options["expires"]) if options["expires"] else None
        if options["grant"]:
            user_grant_level(user=user, level=LEVELS[options["grant"]])
            user = user_model._default_manager.get(pk=user.pk)  # fresh permission cache
        row, key = api_key_create(
            user=user, name=options["name"] or user.get_username(), expiry_date=expiry
        )
        level = level_of(user.get_all_permissions(), superuser=user.is_superuser)
        self.stderr.write(
            f"Created API key {row.prefix} ({row.name!r}) for {user.get_username()}, "
            f"level {level.label}. It is printed once, below: store it now."
        )
        self.stdout.write(key)

    def _revoke(self, options: dict[str, Any]) -> None:
        prefixes = list(dict.fromkeys(options["prefixes"]))
        rows = {row.prefix: row for row in APIKey.objects.filter(prefix__in=prefixes)}
        missing = [prefix for prefix in prefixes if prefix not in rows]
        if missing:  # all or nothing: a typo revokes none of them
            raise CommandError(
                f"No API key with prefix {', '.join(map(repr, missing))}; nothing revoked."
            )
        keys = ", ".join(
            f"{prefix} ({rows[prefix].name!r} of {rows[prefix].user.get_username()})"
            for prefix in prefixes
        )
        if not confirmed(
            self,
            options,
            question=f"This will revoke {len(prefixes)} API key(s) for good: {keys}.",
        ):
            return
        for prefix in prefixes:
            row = rows[prefix]
            if not row.revoked:
                api_key_revoke(key=row)
            self.stdout.write(f"Revoked API key {prefix} ({row.name!r}).")

    def _list(self, options: dict[str, Any]) -> None:
        keys = APIKey.objects.select_related("user").order_by("created")
        if options["user"]:
            if not get_user_model()._default_manager.filter(username=options["user"]).exists():
                raise CommandError(f"No user {options['user']!r}.")
            keys = keys.filter(user__username=options["user"])
        if not keys.exists():
            self.stdout.write("No API keys.")
            return
        for row in keys:
            status = "revoked" if row.revoked else ("expired" if row.has_expired else "active")
            used = row.last_used.isoformat(timespec="seconds") if row.last_used else "never"
            self.stdout.write(
                f"{row.prefix}  {status:<7}  {row.user.get_username():<20} {row.name!r}  "
                f"created {row.created.isoformat(timespec='seconds')}  last used {used}"
            )
