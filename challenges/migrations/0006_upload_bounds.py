# Placeholder chained by hand so that parallel work never forks the migration graph;
# its operations are filled in by the change that needs them.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('challenges', '0005_tie_policy'),
    ]

    operations = [
        migrations.AddField(
            model_name='challenge',
            name='failed_daily_limit',
            field=models.PositiveIntegerField(
                default=20,
                help_text='failed submissions a student may make a day (never fewer than the '
                'daily limit); those still being checked count too',
            ),
        ),
    ]
