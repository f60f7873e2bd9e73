"""Enterprise records carry a ``version`` and keep their identity; history rows name records by
id (filled for records still stored) with the record's version; money columns keep their
decimals exactly. Every stored row is kept."""

import jixiao.ledgers.fields
from django.db import migrations, models

from jixiao.ledgers.migrating import canonical_decimals, link_history


def _scope(row):
    return row.ledger.department.code, row.ledger.year


class Migration(migrations.Migration):

    dependencies = [
        ('enterprise', '0002_change_history'),
    ]

    operations = [
        migrations.AddField(
            model_name='briefing',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='enterprise',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='enterprisechange',
            name='record_id',
            field=models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name='记录编号'),
        ),
        migrations.AddField(
            model_name='enterprisechange',
            name='version',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='monthlystat',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='plan',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='planmeasure',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='publishedtotal',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='recognition',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='ticket',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='ticketevent',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AddField(
            model_name='visit',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AlterField(
            model_name='enterprise',
            name='main_revenue',
            field=jixiao.ledgers.fields.ExactDecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='上年主营业务收入（万元）'),
        ),
        migrations.AlterField(
            model_name='monthlystat',
            name='main_revenue',
            field=jixiao.ledgers.fields.ExactDecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='主营业务收入（万元）'),
        ),
        migrations.AlterField(
            model_name='monthlystat',
            name='output',
            field=jixiao.ledgers.fields.ExactDecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='工业总产值（万元）'),
        ),
        migrations.AlterField(
            model_name='monthlystat',
            name='output_prior',
            field=jixiao.ledgers.fields.ExactDecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='上年同期工业总产值（同口径）'),
        ),
        migrations.AlterField(
            model_name='monthlystat',
            name='sales',
            field=jixiao.ledgers.fields.ExactDecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='销售额（万元）'),
        ),
        migrations.AlterField(
            model_name='monthlystat',
            name='sales_prior',
            field=jixiao.ledgers.fields.ExactDecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='上年同期销售额（同口径）'),
        ),
        migrations.AlterField(
            model_name='publishedtotal',
            name='value',
            field=jixiao.ledgers.fields.ExactDecimalField(decimal_places=4, max_digits=18, verbose_name='公布数（万元）'),
        ),
        migrations.RunPython(canonical_decimals('enterprise', {'enterprise': ('main_revenue',), 'monthlystat': ('main_revenue', 'output', 'output_prior', 'sales', 'sales_prior'), 'publishedtotal': ('value',)}), migrations.RunPython.noop),
        migrations.RunPython(link_history('enterprise', 'enterprisechange', {
            'enterprises': ('enterprise', ('uscc',), _scope),
            'recognitions': ('recognition', ('uscc', 'program', 'level'), _scope),
            'stats': ('monthlystat', ('uscc', 'month', 'vintage'), _scope),
            'published': ('publishedtotal', ('measure', 'year'), _scope),
            'visits': ('visit', ('visit_id',), _scope),
            'tickets': ('ticket', ('ticket_id',), _scope),
            'ticket_events': ('ticketevent', ('ticket_id', 'status'), _scope),
            'plans': ('plan', ('plan_id',), _scope),
            'plan_measures': ('planmeasure', ('plan_id',), _scope),
            'briefings': ('briefing', ('briefing_id',), _scope),
        }), migrations.RunPython.noop),
    ]
