"""The privacy officer (functionaris gegevensbescherming) role group (issue 7)."""

from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="privacy_officer")


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="privacy_officer").delete()


class Migration(migrations.Migration):
    dependencies = [("teams", "0004_team_mandate")]

    operations = [migrations.RunPython(create_group, remove_group)]
