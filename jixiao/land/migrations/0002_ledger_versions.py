"""The land ledger joins the shared ledger storage: every parcel and disposal belongs to its
``LandYear`` (a year row is created for parcels that had none) and carries a ``version``; the
year row says who saved it last, when and why; ``ParcelChange`` names records by table, id and
readable key (the former ``parcel_id`` column is that key) with the record's version; money
columns keep their decimals exactly. Every stored row is kept."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import jixiao.ledgers.fields
from jixiao.ledgers.migrating import canonical_decimals, link_history

MONEY_FIELDS = ("total_investment_agreed", "invested_to_date", "fixed_asset_investment", "output", "output_prev",
                "tax", "tax_prev")
VERBOSE = {
    "total_investment_agreed": "约定总投资（万元）", "invested_to_date": "已投资额（万元）",
    "fixed_asset_investment": "固定资产投资（万元）", "output": "本年产值（万元）", "output_prev": "上年产值（万元）",
    "tax": "本年税收（万元）", "tax_prev": "上年税收（万元）",
}


def link_years(apps, schema_editor):
    LandYear = apps.get_model("land", "LandYear")
    Parcel = apps.get_model("land", "Parcel")
    Disposal = apps.get_model("land", "Disposal")
    years = {(y.department_id, y.year): y for y in LandYear.objects.all()}
    for dept, year in Parcel.objects.values_list("department_id", "survey_year").distinct():
        row = years.get((dept, year))
        if row is None:
            first = Parcel.objects.filter(department_id=dept, survey_year=year).exclude(rule_id="").first()
            row = LandYear.objects.create(department_id=dept, year=year, rule_id=getattr(first, "rule_id", ""),
                                          rule_version=getattr(first, "rule_version", None) or 0)
        Parcel.objects.filter(department_id=dept, survey_year=year).update(ledger=row)
    for d in Disposal.objects.select_related("parcel"):
        d.ledger_id = d.parcel.ledger_id
        d.save(update_fields=["ledger"])


class Migration(migrations.Migration):

    dependencies = [
        ("land", "0001_initial"),
    ]

    operations = [
        migrations.AddField("landyear", "saved_by", models.CharField(blank=True, max_length=150, verbose_name="保存人")),
        migrations.AddField("landyear", "saved_at", models.DateTimeField(default=django.utils.timezone.now,
                                                                         verbose_name="保存时间")),
        migrations.AddField("landyear", "reason", models.CharField(blank=True, max_length=300, verbose_name="原因")),
        migrations.AddField("parcel", "version", models.PositiveIntegerField(default=1, verbose_name="版本")),
        migrations.AddField("disposal", "version", models.PositiveIntegerField(default=1, verbose_name="版本")),
        migrations.AddField("parcel", "ledger", models.ForeignKey(
            null=True, on_delete=django.db.models.deletion.CASCADE, related_name="parcels", to="land.landyear",
            verbose_name="台账年度")),
        migrations.AddField("disposal", "ledger", models.ForeignKey(
            null=True, on_delete=django.db.models.deletion.CASCADE, related_name="disposals", to="land.landyear",
            verbose_name="台账年度")),
        migrations.RunPython(link_years, migrations.RunPython.noop),
        migrations.AlterField("parcel", "ledger", models.ForeignKey(
            on_delete=django.db.models.deletion.CASCADE, related_name="parcels", to="land.landyear",
            verbose_name="台账年度")),
        migrations.AlterField("disposal", "ledger", models.ForeignKey(
            on_delete=django.db.models.deletion.CASCADE, related_name="disposals", to="land.landyear",
            verbose_name="台账年度")),
        migrations.RenameField("parcelchange", "parcel_id", "record"),
        migrations.AlterField("parcelchange", "record", models.CharField(db_index=True, max_length=200,
                                                                          verbose_name="记录")),
        migrations.AddField("parcelchange", "table", models.CharField(default="parcels", max_length=32,
                                                                       verbose_name="台账表"),
                            preserve_default=False),
        migrations.AddField("parcelchange", "record_id", models.BigIntegerField(
            blank=True, db_index=True, null=True, verbose_name="记录编号")),
        migrations.AddField("parcelchange", "version", models.PositiveIntegerField(blank=True, null=True,
                                                                                    verbose_name="版本")),
        migrations.AlterModelOptions("parcelchange", {"ordering": ["-when", "-id"], "verbose_name": "宗地变更记录",
                                                      "verbose_name_plural": "宗地变更记录"}),
        *[migrations.AlterField("parcel", name, jixiao.ledgers.fields.ExactDecimalField(
            blank=True, decimal_places=4, max_digits=18, null=True, verbose_name=VERBOSE[name]))
          for name in MONEY_FIELDS],
        migrations.RunPython(canonical_decimals("land", {"parcel": MONEY_FIELDS}), migrations.RunPython.noop),
        migrations.RunPython(link_history("land", "parcelchange", {
            "parcels": ("parcel", ("parcel_id",), lambda row: (row.department.code, row.survey_year)),
        }), migrations.RunPython.noop),
    ]
