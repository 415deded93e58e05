# How equal scores rank (issue 16): the challenge's override and the course's setting,
# which the course app copies here (see challenges/ties.py). Chained by hand.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('challenges', '0004_ids_file'),
    ]

    operations = [
        migrations.AddField(
            model_name='challenge',
            name='tie_policy',
            field=models.CharField(blank=True, choices=[('', "the course's setting"), ('kaggle', 'Kaggle: the earlier submission first, consecutive ranks (1, 2, 3, 4)'), ('shared', 'shared: equal scores share the better rank (1, 2, 2, 4)')], default='', help_text="how equal scores rank on the boards, the Kaggle CSV and the grades; blank: the course's setting (grade scheme)", max_length=10, verbose_name='ties'),
        ),
        migrations.AddField(
            model_name='challenge',
            name='course_tie_policy',
            field=models.CharField(choices=[('kaggle', 'Kaggle: the earlier submission first, consecutive ranks (1, 2, 3, 4)'), ('shared', 'shared: equal scores share the better rank (1, 2, 2, 4)')], default='kaggle', editable=False, help_text="the course's setting, copied here by the course app when it changes", max_length=10),
        ),
    ]
