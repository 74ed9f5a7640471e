"""The record of role and rights changes (issue 25): append-only, also for the database user."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# Like the access log (cases/0005): every UPDATE and DELETE is refused, whoever sends it.
# TRUNCATE is not blocked: the test suite empties tables with it between transactional tests.
APPEND_ONLY_SQL = """
CREATE FUNCTION teams_rolechange_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'teams_rolechange is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER teams_rolechange_append_only
    BEFORE UPDATE OR DELETE ON teams_rolechange
    FOR EACH ROW EXECUTE FUNCTION teams_rolechange_append_only();
"""
DROP_APPEND_ONLY_SQL = """
DROP TRIGGER IF EXISTS teams_rolechange_append_only ON teams_rolechange;
DROP FUNCTION IF EXISTS teams_rolechange_append_only();
"""


def install_append_only_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL, params=None)


def remove_append_only_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY_SQL, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('teams', '0005_privacy_officer_role'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RoleChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='when')),
                ('by_username', models.CharField(blank=True, help_text='Empty when the system made the change (a command or the demo data).', max_length=150, verbose_name='changed by (username)')),
                ('username', models.CharField(blank=True, help_text='Whose rights changed.', max_length=150, verbose_name='username')),
                ('group_name', models.CharField(blank=True, help_text='The role given or taken, or the role whose permissions changed.', max_length=150, verbose_name='role')),
                ('kind', models.CharField(choices=[('role_added', 'Role added'), ('role_removed', 'Role removed'), ('staff_granted', 'Admin access granted'), ('staff_revoked', 'Admin access revoked'), ('superuser_granted', 'Superuser status granted'), ('superuser_revoked', 'Superuser status revoked'), ('permission_added', 'Permission added'), ('permission_removed', 'Permission removed')], max_length=20, verbose_name='change')),
                ('permission', models.CharField(blank=True, help_text='app.codename', max_length=255, verbose_name='permission')),
                ('by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by')),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'role change',
                'verbose_name_plural': 'role changes',
                'ordering': ['-at', '-pk'],
                'indexes': [models.Index(fields=['at'], name='rolechange_at_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['role_added', 'role_removed', 'staff_granted', 'staff_revoked', 'superuser_granted', 'superuser_revoked', 'permission_added', 'permission_removed'])), name='rolechange_kind_valid'), models.CheckConstraint(condition=models.Q(models.Q(('username', ''), _negated=True), models.Q(('group_name', ''), _negated=True), _connector='OR'), name='rolechange_names_someone')],
            },
        ),
        migrations.RunPython(install_append_only_trigger, remove_append_only_trigger),
    ]
