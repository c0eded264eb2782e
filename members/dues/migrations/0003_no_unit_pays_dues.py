"""No unit pays a member's dues (DOMAIN.md §6: 公款代交 is forbidden). Every standard and payment that named an
enterprise as the payer is kept and turned into the member's own: a standard's payer becomes the member, a
payment is the member's with its way of paying not recorded; the enterprise's name stays in the row's note and
each member's history says what was changed and why. The fields go in the next migration.

Every migration runs in its own transaction, so on PostgreSQL the rows are written here and the columns
dropped in 0004 (altering a table with pending foreign-key checks in the same transaction is refused).
"""

from django.db import migrations

WHY = "公款代交不允许"


def _note(old: str, added: str, limit: int) -> str:
    return "；".join(p for p in (old.strip(), added) if p)[:limit]


def member_pays(apps, schema_editor):
    Standard = apps.get_model("dues", "DuesStandard")
    Payment = apps.get_model("dues", "DuesPayment")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    MemberChange = apps.get_model("members", "MemberChange")

    standards = list(Standard.objects.filter(payer="enterprise").order_by("pk"))
    payments = list(Payment.objects.filter(payer_enterprise__isnull=False).order_by("pk"))
    names = dict(
        Enterprise.objects.filter(
            pk__in={s.payer_enterprise_id for s in standards} | {p.payer_enterprise_id for p in payments}
        ).values_list("pk", "name")
    )
    history: dict[int, list[str]] = {}

    for standard in standards:
        name = names.get(standard.payer_enterprise_id, "企业")
        standard.note = _note(standard.note, f"原登记由{name}代交，{WHY}，改为本人交纳", 200)
        standard.payer, standard.payer_enterprise_id, standard.payer_name = "self", None, ""
        standard.save(update_fields=["payer", "payer_enterprise", "payer_name", "note"])
        history.setdefault(standard.member_id, []).append(f"{standard.year}年党费标准原登记由{name}代交")

    for payment in payments:
        name = names.get(payment.payer_enterprise_id, "企业")
        via = f"（经手人{payment.payer_name}）" if payment.payer_name else ""
        payment.note = _note(payment.note, f"原记录为{name}代交{via}，{WHY}，改记为本人交纳，交纳方式未记录", 200)
        payment.method, payment.payer_enterprise_id, payment.payer_name = "not_recorded", None, ""
        payment.save(update_fields=["method", "payer_enterprise", "payer_name", "note"])
        history.setdefault(payment.member_id, []).append(
            f"{payment.paid_on:%Y-%m-%d} 交纳的 {payment.amount} 元原记录为{name}代交"
        )

    MemberChange.objects.bulk_create(
        MemberChange(
            member_id=member_id,
            action="updated",
            changes={"dues_payer": ["企业代交", "本人"]},
            note=f"党费交纳人更正（{WHY}）：{'；'.join(lines)}，均改为本人交纳"[:300],
        )
        for member_id, lines in sorted(history.items())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dues", "0002_tables_and_content_types"),
        ("enterprises", "0004_move_survey"),
        ("members", "0007_source_lead_to_survey"),
    ]

    operations = [migrations.RunPython(member_pays, migrations.RunPython.noop)]
