# Insight reports and dismissed integrity flags (challenges/insights/models.py).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('challenges', '0006_upload_bounds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='InsightReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('student', 'Student'), ('class', 'Class'), ('integrity', 'Integrity'), ('image', 'Image')], max_length=10)),
                ('subject', models.CharField(blank=True, default='', max_length=40)),
                ('data', models.JSONField(default=dict)),
                ('signature', models.CharField(max_length=64)),
                ('computed_at', models.DateTimeField()),
                ('challenge', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='insights', to='challenges.challenge')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('challenge', 'kind', 'subject'), name='one_insight_per_subject')],
            },
        ),
        migrations.CreateModel(
            name='IntegrityDismissal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.CharField(max_length=500)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('challenge', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='challenges.challenge')),
                ('dismissed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user_a', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user_b', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('challenge', 'user_a', 'user_b'), name='one_dismissal_per_pair')],
            },
        ),
    ]
