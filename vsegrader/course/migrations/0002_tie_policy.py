# How equal scores rank (issue 16): the course's setting; GradeScheme.save copies it onto
# the challenges (Challenge.course_tie_policy, both default to "kaggle"). Chained by hand.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('course', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='gradescheme',
            name='tie_policy',
            field=models.CharField(choices=[('kaggle', 'Kaggle: the earlier submission first, consecutive ranks (1, 2, 3, 4)'), ('shared', 'shared: equal scores share the better rank (1, 2, 2, 4)')], default='kaggle', help_text="how equal scores rank on every board, the Kaggle CSV and the grades; a challenge may override it. Kaggle's way (the default) gives the ranks of the exported CSV's Rank column, so a notebook on that file gives the gradebook's marks", max_length=10, verbose_name='ties'),
        ),
    ]
