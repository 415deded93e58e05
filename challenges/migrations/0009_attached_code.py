# A per-challenge switch for attached code, and the attached code (challenges/insights/models.py).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('challenges', '0008_insights'),
    ]

    operations = [
        migrations.AddField(
            model_name='challenge',
            name='accepts_code',
            field=models.BooleanField(default=False, help_text='students may attach the notebook or script behind a final submission'),
        ),
        migrations.CreateModel(
            name='AttachedCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('ipynb', 'Notebook'), ('py', 'Script')], max_length=5)),
                ('file_name', models.CharField(help_text='the uploaded name, for display', max_length=255)),
                ('content', models.BinaryField()),
                ('size', models.PositiveIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('fingerprints', models.JSONField(default=list)),
                ('uploaded_at', models.DateTimeField(auto_now=True)),
                ('submission', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='attached_code', to='challenges.submission')),
            ],
        ),
    ]
