"""The investment ledger's first migration under its new name (app ``invest``, formerly
``investment``): the schema of the former ``investment`` 0001 and 0002, and for the database
either the tables created, or — on a database that still has the former app's tables — those
tables renamed ``investment_*`` → ``invest_*`` with their rows, the content types moved to the new
label and the former app's migration records removed."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

OLD_LABEL = "investment"

STATE = [
    migrations.CreateModel(
        name='InvestYear',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
            ('unit', models.CharField(max_length=100, verbose_name='计分单位')),
            ('rule_id', models.CharField(max_length=64, verbose_name='统计规则')),
            ('rule_version', models.PositiveIntegerField(verbose_name='规则版本')),
            ('origin', models.CharField(default='录入', max_length=8, verbose_name='数据来源')),
            ('saved_by', models.CharField(blank=True, max_length=150, verbose_name='保存人')),
            ('saved_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='保存时间')),
            ('reason', models.CharField(blank=True, max_length=300, verbose_name='原因')),
            ('department', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invest_years', to='budget.department', verbose_name='部门')),
        ],
        options={
            'verbose_name': '招商台账年度',
            'verbose_name_plural': '招商台账年度',
        },
    ),
    migrations.CreateModel(
        name='FdiInflow',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('fdi_id', models.CharField(max_length=64, verbose_name='到资编号')),
            ('arrival_date', models.DateField(verbose_name='到资日期')),
            ('amount', models.DecimalField(decimal_places=4, max_digits=18, verbose_name='原币金额')),
            ('unit', models.CharField(max_length=8, verbose_name='原币单位')),
            ('type', models.CharField(choices=[('新设', '新设'), ('增资', '增资'), ('并购', '并购'), ('股东贷款', '股东贷款'), ('利润再投资', '利润再投资')], default='新设', max_length=8, verbose_name='到资类型')),
            ('project_id', models.CharField(blank=True, max_length=64, verbose_name='项目编号')),
            ('enterprise_uscc', models.CharField(blank=True, max_length=18, verbose_name='企业统一社会信用代码')),
            ('enterprise', models.CharField(blank=True, max_length=200, verbose_name='外资企业')),
            ('fx_rate_usd', models.DecimalField(blank=True, decimal_places=6, max_digits=14, null=True, verbose_name='折美元汇率')),
            ('fx_rate_source', models.CharField(blank=True, max_length=200, verbose_name='汇率来源')),
            ('credited_unit', models.CharField(blank=True, max_length=100, verbose_name='计入单位')),
            ('share', models.DecimalField(decimal_places=4, default=1, max_digits=6, verbose_name='计入比例')),
            ('verified_by', models.CharField(blank=True, max_length=64, verbose_name='核实部门')),
            ('note', models.TextField(blank=True, verbose_name='备注')),
            ('origin', models.CharField(default='录入', max_length=8, verbose_name='数据来源')),
            ('ledger', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='fdi', to='invest.investyear')),
        ],
        options={
            'verbose_name': '实际利用外资',
            'verbose_name_plural': '实际利用外资',
            'ordering': ['ledger', 'arrival_date', 'fdi_id'],
        },
    ),
    migrations.CreateModel(
        name='Credit',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('position', models.PositiveIntegerField(default=0)),
            ('project_id', models.CharField(max_length=64, verbose_name='项目编号')),
            ('unit', models.CharField(max_length=100, verbose_name='计分单位')),
            ('share', models.DecimalField(decimal_places=4, max_digits=6, verbose_name='分成比例')),
            ('role', models.CharField(choices=[('首谈', '首谈'), ('落地', '落地'), ('协办', '协办'), ('独立引进', '独立引进')], default='独立引进', max_length=8, verbose_name='角色')),
            ('counts_for', models.JSONField(default=list, verbose_name='计分环节')),
            ('amount_split', models.BooleanField(default=True, verbose_name='协议金额按比例分成')),
            ('note', models.TextField(blank=True, verbose_name='备注')),
            ('origin', models.CharField(default='录入', max_length=8, verbose_name='数据来源')),
            ('ledger', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='credits', to='invest.investyear')),
        ],
        options={
            'verbose_name': '分成计分',
            'verbose_name_plural': '分成计分',
            'ordering': ['ledger', 'position'],
        },
    ),
    migrations.CreateModel(
        name='LeaderVisit',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('visit_id', models.CharField(max_length=64, verbose_name='拜访编号')),
            ('date', models.DateField(verbose_name='拜访日期')),
            ('leaders', models.CharField(max_length=200, verbose_name='带队领导')),
            ('enterprise', models.CharField(max_length=200, verbose_name='拜访企业')),
            ('city', models.CharField(blank=True, max_length=64, verbose_name='所在城市')),
            ('outside_city', models.BooleanField(default=False, verbose_name='赴市外')),
            ('purpose', models.CharField(choices=[('招商', '招商'), ('服务', '服务')], default='招商', max_length=8, verbose_name='目的')),
            ('outcome', models.TextField(blank=True, verbose_name='成效')),
            ('follow_up', models.TextField(blank=True, verbose_name='跟进事项')),
            ('note', models.TextField(blank=True, verbose_name='备注')),
            ('origin', models.CharField(default='录入', max_length=8, verbose_name='数据来源')),
            ('ledger', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='visits', to='invest.investyear')),
        ],
        options={
            'verbose_name': '领导拜访企业',
            'verbose_name_plural': '领导拜访企业',
            'ordering': ['ledger', 'date', 'visit_id'],
        },
    ),
    migrations.CreateModel(
        name='Project',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('project_id', models.CharField(max_length=64, verbose_name='项目编号')),
            ('name', models.CharField(max_length=200, verbose_name='项目名称')),
            ('stage', models.CharField(choices=[('线索', '线索'), ('新洽谈入库', '新洽谈入库'), ('签约', '签约'), ('注册', '注册'), ('落地', '落地'), ('动工', '动工'), ('投产', '投产'), ('达产', '达产'), ('终止', '终止'), ('流失', '流失')], db_index=True, max_length=8, verbose_name='当前阶段')),
            ('investor', models.CharField(blank=True, max_length=200, verbose_name='投资方')),
            ('investor_region', models.CharField(blank=True, max_length=64, verbose_name='投资方国别地区')),
            ('is_foreign', models.BooleanField(default=False, verbose_name='外资项目')),
            ('industry_code', models.CharField(blank=True, max_length=8, verbose_name='行业代码')),
            ('industry_tag', models.CharField(blank=True, max_length=32, verbose_name='重点产业')),
            ('source_channel', models.CharField(blank=True, max_length=32, verbose_name='引进渠道')),
            ('first_contact_date', models.DateField(blank=True, null=True, verbose_name='首次接洽日期')),
            ('entered_pool_date', models.DateField(blank=True, null=True, verbose_name='入库日期')),
            ('signed_date', models.DateField(blank=True, null=True, verbose_name='签约日期')),
            ('registered_date', models.DateField(blank=True, null=True, verbose_name='注册日期')),
            ('landed_date', models.DateField(blank=True, null=True, verbose_name='落地日期')),
            ('started_date', models.DateField(blank=True, null=True, verbose_name='动工日期')),
            ('production_date', models.DateField(blank=True, null=True, verbose_name='投产日期')),
            ('full_production_date', models.DateField(blank=True, null=True, verbose_name='达产日期')),
            ('closed_date', models.DateField(blank=True, null=True, verbose_name='终止日期')),
            ('agreement_no', models.CharField(blank=True, max_length=64, verbose_name='协议编号')),
            ('agreed_investment', models.DecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='协议投资额')),
            ('agreed_investment_unit', models.CharField(default='万元', max_length=8, verbose_name='协议投资额单位')),
            ('agreed_output', models.DecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='协议达产年产值')),
            ('agreed_output_unit', models.CharField(default='万元', max_length=8, verbose_name='协议达产年产值单位')),
            ('fx_rate_cny', models.DecimalField(blank=True, decimal_places=6, max_digits=14, null=True, verbose_name='折人民币汇率')),
            ('fx_rate_source', models.CharField(blank=True, max_length=200, verbose_name='汇率来源')),
            ('registered_uscc', models.CharField(blank=True, max_length=18, verbose_name='注册企业统一社会信用代码')),
            ('registered_capital', models.DecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='注册资本')),
            ('registered_capital_unit', models.CharField(default='万元', max_length=8, verbose_name='注册资本单位')),
            ('officer', models.CharField(blank=True, max_length=64, verbose_name='责任人')),
            ('note', models.TextField(blank=True, verbose_name='备注')),
            ('origin', models.CharField(default='录入', max_length=8, verbose_name='数据来源')),
            ('ledger', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='projects', to='invest.investyear')),
        ],
        options={
            'verbose_name': '招商项目',
            'verbose_name_plural': '招商项目',
            'ordering': ['ledger', 'project_id'],
        },
    ),
    migrations.CreateModel(
        name='PromotionEvent',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('event_id', models.CharField(max_length=64, verbose_name='活动编号')),
            ('date', models.DateField(verbose_name='活动日期')),
            ('type', models.CharField(choices=[('推介会', '推介会'), ('园区招商交流活动', '园区招商交流活动'), ('考察', '考察'), ('展会', '展会'), ('云招商', '云招商')], max_length=16, verbose_name='活动类型')),
            ('title', models.CharField(max_length=200, verbose_name='活动名称')),
            ('place', models.CharField(blank=True, max_length=200, verbose_name='举办地点')),
            ('outside_district', models.BooleanField(default=False, verbose_name='区外举办')),
            ('organiser', models.CharField(blank=True, max_length=200, verbose_name='主办单位')),
            ('partners', models.CharField(blank=True, max_length=300, verbose_name='合作单位')),
            ('attendees', models.PositiveIntegerField(blank=True, null=True, verbose_name='参加人数')),
            ('leads_generated', models.PositiveIntegerField(blank=True, null=True, verbose_name='获取线索数')),
            ('projects_signed', models.PositiveIntegerField(blank=True, null=True, verbose_name='现场签约项目数')),
            ('note', models.TextField(blank=True, verbose_name='备注')),
            ('origin', models.CharField(default='录入', max_length=8, verbose_name='数据来源')),
            ('ledger', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='invest.investyear')),
        ],
        options={
            'verbose_name': '招商活动',
            'verbose_name_plural': '招商活动',
            'ordering': ['ledger', 'date', 'event_id'],
        },
    ),
    migrations.AddConstraint(
        model_name='investyear',
        constraint=models.UniqueConstraint(fields=('department', 'year'), name='invest_year_unique'),
    ),
    migrations.AddConstraint(
        model_name='project',
        constraint=models.UniqueConstraint(fields=('ledger', 'project_id'), name='invest_project_unique'),
    ),
    migrations.CreateModel(
        name='InvestChange',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('when', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='时间')),
            ('who', models.CharField(blank=True, max_length=150, verbose_name='操作人')),
            ('department', models.CharField(db_index=True, max_length=64, verbose_name='部门编码')),
            ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
            ('action', models.CharField(max_length=8, verbose_name='操作')),
            ('field', models.CharField(blank=True, max_length=64, verbose_name='字段')),
            ('before', models.TextField(blank=True, null=True, verbose_name='修改前')),
            ('after', models.TextField(blank=True, null=True, verbose_name='修改后')),
            ('reason', models.TextField(blank=True, verbose_name='原因')),
            ('table', models.CharField(max_length=32, verbose_name='台账表')),
            ('record', models.CharField(db_index=True, max_length=200, verbose_name='记录')),
        ],
        options={
            'verbose_name': '招商台账变更记录',
            'verbose_name_plural': '招商台账变更记录',
            'ordering': ['-when', '-id'],
            'abstract': False,
        },
    ),]


def _old_table(model: type[models.Model]) -> str:
    return f"{OLD_LABEL}_{model._meta.model_name}"


def adopt_or_create(apps, schema_editor):
    connection = schema_editor.connection
    existing = set(connection.introspection.table_names())
    for model in apps.get_app_config("invest").get_models():
        old, new = _old_table(model), model._meta.db_table
        if new in existing:
            continue
        if old in existing:
            schema_editor.alter_db_table(model, old, new)
        else:
            schema_editor.create_model(model)
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label="invest").values_list("model", flat=True))
    ContentType.objects.filter(app_label=OLD_LABEL).exclude(model__in=taken).update(app_label="invest")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", [OLD_LABEL])


def drop(apps, schema_editor):
    for model in reversed(list(apps.get_app_config("invest").get_models())):
        schema_editor.delete_model(model)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("budget", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=STATE),
        migrations.RunPython(adopt_or_create, drop),
    ]
