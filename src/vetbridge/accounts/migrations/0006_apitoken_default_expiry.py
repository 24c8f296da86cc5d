"""Tokens issued before tokens had a lifetime get the default one (90 days from their
creation): none lives forever. Re-runnable; reversing leaves the dates (harmless)."""

import datetime as dt

from django.db import migrations

DEFAULT_DAYS = 90


def backfill(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    todo = ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at")
    while batch := list(todo.order_by("pk")[:1000]):
        for token in batch:
            token.expires_at = token.created_at + dt.timedelta(days=DEFAULT_DAYS)
        ApiToken.objects.bulk_update(batch, ["expires_at"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_apitoken_revoked_at")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
