"""Investment records carry a ``version`` and keep their identity; history rows name records by
id (filled for records still stored) with the record's version; money columns keep their
decimals exactly. Every stored row is kept."""

import jixiao.ledgers.fields
from django.db import migrations, models

from jixiao.ledgers.migrating import canonical_decimals, link_history


def _scope(row):
    return row.ledger.department.code, row.ledger.year


class Migration(migrations.Migration):

    dependencies = [
        ('invest', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='credit',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='fdiinflow',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='investchange',
            name='record_id',
            field=models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name='记录编号'),
        ),
        migrations.AddField(
            model_name='investchange',
            name='version',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='leadervisit',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='project',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='promotionevent',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AlterField(
            model_name='fdiinflow',
            name='amount',
            field=jixiao.ledgers.fields.ExactDecimalField(decimal_places=4, max_digits=18, verbose_name='原币金额'),
        ),
        migrations.AlterField(
            model_name='project',
            name='agreed_investment',
            field=jixiao.ledgers.fields.ExactDecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='协议投资额'),
        ),
        migrations.AlterField(
            model_name='project',
            name='agreed_output',
            field=jixiao.ledgers.fields.ExactDecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='协议达产年产值'),
        ),
        migrations.AlterField(
            model_name='project',
            name='registered_capital',
            field=jixiao.ledgers.fields.ExactDecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='注册资本'),
        ),
        migrations.RunPython(canonical_decimals('invest', {'fdiinflow': ('amount',), 'project': ('agreed_investment', 'agreed_output', 'registered_capital')}), migrations.RunPython.noop),
        migrations.RunPython(link_history('invest', 'investchange', {
            'projects': ('project', ('project_id',), _scope),
            'credits': ('credit', ('project_id', 'unit'), _scope),
            'fdi': ('fdiinflow', ('fdi_id',), _scope),
            'events': ('promotionevent', ('event_id',), _scope),
            'visits': ('leadervisit', ('visit_id',), _scope),
        }), migrations.RunPython.noop),
    ]
