"""`python manage.py create_portal_user USERNAME --agent EXTERNAL_ID` or `--client SLUG` (repeatable).

The password comes from `--password-stdin`; otherwise a one-time password is printed, which
must be replaced at first login.
"""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from recordings.models import Agent, Client
from recordings.services import portal_login_create


class Command(BaseCommand):
    help = "Create (or link) a login for an agent or for a client's staff."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--agent", metavar="EXTERNAL_ID", help="The agent this login belongs to.")
        parser.add_argument("--client", metavar="SLUG", action="append", default=[], help="A client whose staff this is (repeatable).")
        parser.add_argument("--email", default="", help="For password reset by e-mail.")
        parser.add_argument("--password-stdin", action="store_true", help="Read the password from standard input.")

    def handle(self, *args, username, agent, client, email, password_stdin, **options):
        agent_row = None
        if agent:
            agent_row = Agent.objects.filter(external_id=agent).first()
            if agent_row is None:
                raise CommandError(f"No agent with external id {agent!r}.")
        clients = []
        for slug in client:
            found = Client.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"No client with slug {slug!r}.")
            clients.append(found)
        password = sys.stdin.readline().rstrip("\n") if password_stdin else None
        if password_stdin and not password:
            raise CommandError("No password on standard input.")
        try:
            login = portal_login_create(username=username, agent=agent_row, clients=clients, email=email, password=password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"{'Created' if login.created else 'Updated'} the login {login.user.username}.")
        if login.one_time_password:
            self.stdout.write(f"One-time password (shown once; to be changed at first login): {login.one_time_password}")
