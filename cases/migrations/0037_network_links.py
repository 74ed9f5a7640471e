# Network links (cases/network): a network member ticks off their own plan actions.

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0036_documents'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='NetworkActionReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('status', models.CharField(choices=[('done', 'Done'), ('needs_help', 'Needs help')], max_length=12, verbose_name='status')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='reported at')),
            ],
            options={
                'verbose_name': 'network report',
                'verbose_name_plural': 'network reports',
                'ordering': ['-at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='NetworkLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('email', models.EmailField(blank=True, max_length=254, verbose_name='e-mail address for the code')),
                ('phone', models.CharField(blank=True, max_length=20, verbose_name='mobile number for the code')),
                ('token_hash', models.CharField(max_length=64, unique=True, verbose_name='secret (hashed)')),
                ('expires_on', models.DateField(help_text='The last day on which the link works.', verbose_name='valid until')),
                ('code_hash', models.CharField(blank=True, max_length=64, verbose_name='one-time code (hashed)')),
                ('code_attempts', models.PositiveSmallIntegerField(default=0, verbose_name='wrong codes entered')),
                ('code_used_at', models.DateTimeField(blank=True, null=True, verbose_name='code used at')),
                ('code_locked_at', models.DateTimeField(blank=True, null=True, verbose_name='locked after wrong codes at')),
                ('code_resent_on', models.DateField(blank=True, null=True, verbose_name='new code last sent on')),
                ('code_resends', models.PositiveSmallIntegerField(default=0, verbose_name='new codes sent that day')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='last used at')),
            ],
            options={
                'verbose_name': 'network link',
                'verbose_name_plural': 'network links',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='accesslogentry',
            name='accesslog_context_valid',
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='network_link_uuid',
            field=models.UUIDField(blank=True, null=True, verbose_name='network link'),
        ),
        migrations.AlterField(
            model_name='accesslogentry',
            name='context',
            field=models.CharField(choices=[('normal', 'Normal work'), ('break_glass', 'Emergency access (break the glass)'), ('api_client', 'Partner API client'), ('network_link', "Network member's link")], default='normal', max_length=20, verbose_name='context'),
        ),
        migrations.AddIndex(
            model_name='accesslogentry',
            index=models.Index(condition=models.Q(('network_link_uuid__isnull', False)), fields=['network_link_uuid', 'at'], name='accesslog_network_link_idx'),
        ),
        migrations.AddConstraint(
            model_name='accesslogentry',
            constraint=models.CheckConstraint(condition=models.Q(('context__in', ['normal', 'break_glass', 'api_client', 'network_link'])), name='accesslog_context_valid'),
        ),
        migrations.AddField(
            model_name='networkactionreport',
            name='action',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='network_reports', to='cases.planaction', verbose_name='action'),
        ),
        migrations.AddField(
            model_name='networklink',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        migrations.AddField(
            model_name='networklink',
            name='member',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='cases.informalnetworkmember', verbose_name='network member'),
        ),
        migrations.AddField(
            model_name='networklink',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='network_links', to='cases.supportplan', verbose_name='support plan'),
        ),
        migrations.AddField(
            model_name='networklink',
            name='revoked_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='revoked by'),
        ),
        migrations.AddField(
            model_name='networkactionreport',
            name='link',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='cases.networklink', verbose_name='network link'),
        ),
        migrations.AddIndex(
            model_name='networklink',
            index=models.Index(fields=['plan', 'created_at'], name='networklink_plan_idx'),
        ),
        migrations.AddConstraint(
            model_name='networklink',
            constraint=models.CheckConstraint(condition=models.Q(('revoked_by__isnull', True), ('revoked_at__isnull', False), _connector='OR'), name='networklink_revoked_by_needs_at'),
        ),
        migrations.AddConstraint(
            model_name='networklink',
            constraint=models.CheckConstraint(condition=models.Q(('code_hash', ''), models.Q(('email', ''), ('phone', ''), _negated=True), _connector='OR'), name='networklink_code_needs_contact'),
        ),
        migrations.AddIndex(
            model_name='networkactionreport',
            index=models.Index(fields=['action', 'at'], name='networkreport_action_idx'),
        ),
        migrations.AddConstraint(
            model_name='networkactionreport',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['done', 'needs_help'])), name='networkreport_status_valid'),
        ),
    ]
