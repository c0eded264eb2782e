"""Writes for party dues (DOMAIN.md §6): the month's bills, payments, excused months, and each member's
standard per year, declared by the member and confirmed by the branch.

The yearly round:

1. at the start of the year the secretary (or the building admin) opens the round: every paying member with an
   account is asked, once per year, to declare their kind and monthly base (``open_declaration_round``);
2. the member declares (``declare_standard``): the amount is computed by ``members.dues.monthly_dues`` and
   the standard waits for confirmation; a member may declare again until it is confirmed, never after;
3. the secretary confirms it, correcting the kind or base where the declaration is wrong
   (``confirm_standard``), or sets a member's standard directly, e.g. for a member without an account
   (``set_standard``); only a confirmed standard is billed;
4. a hardship reduction or exemption, or a rural member's amount, is an override with its reason and who
   approved it (``override_standard``).

Every function is atomic, keyword-only and takes the rows' row locks before it reads what it changes, so two
secretaries (or a secretary and the monthly job) working at the same moment never count a payment twice or
make a second bill. As in ``members.services``, nothing here trusts that a caller checked scope: views fetch
the member through ``for_user`` first.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buildingparty import jobs, outbox
from buildingparty.models import PartyOrganization, Role
from buildingparty.money import CENT, money
from buildingparty.notifications import Notice, notify, notify_bulk, notify_sql
from buildingparty.officers import officers_of
from buildingparty.scope import in_reach
from buildingparty.services import audit_money, stored
from enterprises.models import Enterprise
from members import access
from members.dues.models import (
    DuesAllocation,
    DuesBill,
    DuesKind,
    DuesPayment,
    DuesStandard,
    first_of_month,
    month_end,
    month_label,
)
from members.dues.rules import FIXED_AMOUNT, RURAL_MAXIMUM, monthly_dues
from members.dues.selectors import (
    STANDARD_AMOUNT,
    applies_from,
    in_force,
    months_from_to,
    paying_by,
    paying_in_year,
    standards_in_force,
)
from members.models import Member, MemberChange, add_months
from members.services import record_change

# Back-pay and paying ahead: at most six months either side of the current month (中组发〔2008〕3号); beyond
# that only on a recorded branch decision (who, when, why), so a long arrear can always be settled.
MONTHS_WINDOW = 6


def unit_payer_error(*, member: Member, payer_name: str) -> str | None:
    """The refusal when a payer named for a member is an enterprise of their building: dues are paid by the
    member, or on their behalf by a relative or another member (代交), never with a unit's money."""
    name = (payer_name or "").strip()
    if name and Enterprise.objects.filter(building_id=member.organization.building_id, name=name).exists():
        return _(
            "%(name)s is an enterprise. Party dues are never paid by an enterprise or any other unit (paying with "
            "an organisation's money, 公款代交, is forbidden). Name the relative or party member who paid."
        ) % {"name": name}
    return None


UNIT_PAYER = gettext_lazy(
    "Party dues are never paid by an enterprise or any other unit (paying with an organisation's money, 公款代交, "
    "is forbidden). The member pays, or a relative or another member pays on their behalf (代交)."
)


def parse_month(value: str) -> datetime.date:
    """ "2026-03" → 2026-03-01; ValueError for anything else."""
    return datetime.datetime.strptime(value.strip(), "%Y-%m").date()


def lock_member(member: Member) -> Member:
    """The member's row, locked: one dues change (a payment, bills made on demand, a standard) at a time."""
    return Member.objects.select_for_update(of=("self",)).select_related("organization", "user").get(pk=member.pk)


def paying_members(*, month: datetime.date, building_id: int | None = None):
    """Members who owe dues for ``month``: in normal standing and admitted by the month's end."""
    members = paying_by(Member.objects.all(), month_end(month))
    if building_id is not None:
        members = members.filter(organization__building_id=building_id)
    return members


def _new_bill(member: Member, month: datetime.date, standard: DuesStandard) -> DuesBill:
    amount = standard.amount
    # A bill of nothing (an approved exemption) is settled when it is made.
    return DuesBill(
        member=member,
        organization_id=member.organization.branch_pk,
        month=month,
        amount=amount,
        standard=standard,
        paid_on=month if amount == 0 else None,
    )


# --- the month's bills --------------------------------------------------------------------------------------


BILL_BATCH = 1000  # bills read back, and members told, per round trip


def bill_rows(*, month: datetime.date, building_id: int | None = None):
    """The bills ``month`` owes, one row per paying member with a standard in force, as a queryset of values
    (``bill_member``, ``bill_branch``, ``bill_amount``, ``bill_standard``): the rule of ``_new_bill`` in SQL,
    for the monthly INSERT … SELECT. The member's branch is ``PartyOrganization.branch_pk``: a group's parent.
    """
    group = Q(member__organization__kind=PartyOrganization.Kind.GROUP, member__organization__parent__isnull=False)
    return (
        in_force(
            DuesStandard.objects.filter(member__in=paying_members(month=month, building_id=building_id)), month.year
        )
        .annotate(
            bill_member=F("member_id"),
            bill_branch=Case(
                When(group, then=F("member__organization__parent_id")), default=F("member__organization_id")
            ),
            bill_amount=STANDARD_AMOUNT,
            bill_standard=F("pk"),
        )
        .values("bill_member", "bill_branch", "bill_amount", "bill_standard")
        .order_by()
    )


def _insert_bills_sql(*, month: datetime.date, building_id: int | None) -> tuple[str, tuple]:
    """One ``INSERT … SELECT … ON CONFLICT (member_id, month) DO NOTHING RETURNING member_id, amount`` of
    ``bill_rows``, in member id order, and its parameters: it returns the bills this statement made (not those
    it found already made)."""
    ops = connection.ops
    inner, inner_params = bill_rows(month=month, building_id=building_id).query.sql_with_params()
    field = DuesBill._meta.get_field
    columns = ", ".join(
        ops.quote_name(field(name).column)
        for name in (
            "member",
            "organization",
            "month",
            "amount",
            "paid_amount",
            "paid_on",
            "excused_reason",
            "standard",
            "created_at",
        )
    )
    day = ops.adapt_datefield_value(month)
    # A bill of nothing (an approved exemption) is settled when it is made. "WHERE 1 = 1": SQLite reads an
    # ON right after the FROM as a join's.
    sql = (
        f"INSERT INTO {ops.quote_name(DuesBill._meta.db_table)} ({columns}) "
        "SELECT s.bill_member, s.bill_branch, %s, s.bill_amount, %s, CASE WHEN s.bill_amount = 0 THEN %s END, %s, "
        f"s.bill_standard, %s FROM ({inner}) s WHERE 1 = 1 ORDER BY s.bill_member "
        f"ON CONFLICT ({ops.quote_name(field('member').column)}, {ops.quote_name(field('month').column)}) "
        f"DO NOTHING RETURNING {ops.quote_name(field('member').column)}, "
        f"{ops.quote_name(field('amount').column)}"
    )
    params = (
        day,
        ops.adapt_decimalfield_value(Decimal("0"), 8, 2),
        day,
        "",
        ops.adapt_datetimefield_value(timezone.now()),
        *inner_params,
    )
    return sql, params


def _insert_bills(cursor, *, month: datetime.date, building_id: int | None) -> None:
    """``_insert_bills_sql`` run: the cursor then holds the bills made."""
    cursor.execute(*_insert_bills_sql(month=month, building_id=building_id))


def _made(cursor):
    """The (member id, amount) of the bills made, in lists of ``BILL_BATCH``. SQLite hands them over at once:
    its RETURNING statement must be finished before the savepoints of the notifications."""
    if connection.vendor == "sqlite":
        rows = cursor.fetchall()
        batches = (rows[i : i + BILL_BATCH] for i in range(0, len(rows), BILL_BATCH))
    else:
        batches = iter(lambda: cursor.fetchmany(BILL_BATCH), [])
    for batch in batches:
        yield [(member_id, money(amount)) for member_id, amount in batch]


def _bill_notices(batches, *, month: datetime.date, building_id: int | None, counts: dict, notify_members: bool):
    """Count the bills made (``created``, ``exempt``) and yield a ``Notice`` for each one owing money whose
    member has an account: one query per batch for the accounts. Never the member in the context, so the
    notification renders once per amount."""
    url, label = reverse("dues:mine"), month_label(month)
    for batch in batches:
        counts["created"] += len(batch)
        counts["exempt"] += sum(1 for _, amount in batch if amount == 0)
        owing = [member_id for member_id, amount in batch if amount > 0]
        if not notify_members or not owing:
            continue
        # The bills come back in member id order, so a range finds the batch's accounts without a list of ids.
        accounts = dict(
            paying_members(month=month, building_id=building_id)
            .filter(pk__range=(min(owing), max(owing)), user__isnull=False)
            .values_list("pk", "user_id")
            .order_by()
        )
        for member_id, amount in batch:
            if amount > 0 and member_id in accounts:
                yield Notice(
                    accounts[member_id],
                    {"month": label, "amount": amount},
                    url=url,
                    dedupe_key=f"dues:bill:{member_id}:{month:%Y-%m}",
                )


def _bill_amounts(month: datetime.date) -> set[Decimal]:
    """The amounts, more than 0, a bill of ``month`` can have: those of every confirmed standard up to its year
    (of every building), a few dozen dues bands and agreed amounts, a superset of the standards in force. One
    query, without the joins of ``bill_rows``."""
    return {
        money(amount)
        for amount in DuesStandard.objects.filter(status=DuesStandard.Status.CONFIRMED, year__lte=month.year)
        .annotate(bill_amount=STANDARD_AMOUNT)
        .filter(bill_amount__gt=0)
        .values_list("bill_amount", flat=True)
        .distinct()
        .order_by()
    }


def _bills_and_notices_postgresql(
    *, month: datetime.date, building_id: int | None, counts: dict, notify_members: bool
) -> tuple[int, int]:
    """PostgreSQL: the bills and their notifications in one statement; returns how many members were told and
    how many paying members the statement saw.

    ``WITH made AS (the bills' INSERT … RETURNING)``, then ``notify_sql``'s notifications for the members with
    an account among them owing money, and the outbox messages of their emails: nothing made goes to Python and
    back. The notification's title and text are rendered once per amount a bill can have (``_bill_amounts``);
    a bill of an amount not among them (a standard confirmed meanwhile) comes back, and its member is told
    through ``notify_bulk`` as on SQLite."""
    insert, insert_params = _insert_bills_sql(month=month, building_id=building_id)
    # Counted, not listed: without the members' default ordering (a sort of every paying member for nothing).
    paying_query = paying_members(month=month, building_id=building_id).order_by().values("pk").query
    paying, paying_params = paying_query.sql_with_params()
    sql, params = f"WITH made AS ({insert})", [*insert_params]
    # created, exempt, notified, the outbox messages, the bills of an amount not rendered, paying members
    select = (
        "SELECT (SELECT count(*) FROM made), (SELECT count(*) FROM made WHERE amount = 0), {}, "
        "(SELECT count(*) FROM ({}) p)"
    )
    if notify_members:
        label = month_label(month)
        contexts = {str(amount): {"month": label, "amount": amount} for amount in _bill_amounts(month)}
        notices, notices_params = notify_sql(
            "dues_bill", source="told", contexts=contexts, url=reverse("dues:mine"), per_message=BILL_BATCH
        )
        user_id = Member._meta.get_field("user").column
        # The key of ``_bill_notices``: dues:bill:<member>:<YYYY-MM>.
        sql += f""",
            told AS (
                SELECT m.{user_id} AS user_id, made.amount::text AS text_key, %s || made.member_id || %s AS dedupe_key
                FROM made JOIN {Member._meta.db_table} m ON m.id = made.member_id
                WHERE made.amount > 0 AND m.{user_id} IS NOT NULL
            ),
            {notices}
        """  # table and column names from the models' metadata; every value a parameter
        sql += select.format(
            "(SELECT count(*) FROM notified), (SELECT array_agg(id) FROM emailed), "
            "(SELECT array_agg(ARRAY[member_id, amount] ORDER BY member_id) FROM made "
            "WHERE amount > 0 AND amount::text NOT IN (SELECT unnest(%s::text[])))",
            paying,
        )
        params += ["dues:bill:", f":{month:%Y-%m}", *notices_params, list(contexts), *paying_params]
    else:
        sql += select.format("0, NULL, NULL", paying)
        params += paying_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        created, exempt, notified, emailed, untold, paying_count = cursor.fetchone()
    counts["created"] += created
    counts["exempt"] += exempt
    outbox.send_after_commit(emailed)
    if untold:
        batch = [(int(member_id), money(amount)) for member_id, amount in untold]
        notified += notify_bulk(
            _bill_notices([batch], month=month, building_id=building_id, counts={**counts}, notify_members=True),
            event="dues_bill",
            batch_size=BILL_BATCH,
        )
    return notified, paying_count


@transaction.atomic
def generate_bills(*, month: datetime.date, building_id: int | None = None, notify_members: bool = True) -> dict:
    """Make ``month``'s bill for every paying member who has none yet. Safe twice and at the same moment.

    1. One INSERT … SELECT (``bill_rows``: ``paying_members`` joined with ``in_force`` standards, the amount
       ``STANDARD_AMOUNT`` as computed per standard by ``monthly_dues``/``check_override``) with ON CONFLICT
       DO NOTHING RETURNING the bills it made; members without a standard are counted, not billed.
    2. Tell each newly billed member with an account, once per member and month (not when ``notify_members``
       is False: the demo's history). On PostgreSQL in the same statement (``_bills_and_notices_postgresql``:
       the notifications and their outbox messages written from the bills' RETURNING, issue 15); elsewhere
       by reading the made bills back ``BILL_BATCH`` at a time into ``notify_bulk``. Only this run's bills
       come back, so a bill made by another run is never announced twice.
    3. Count the paying members and those billed (one query, left out on PostgreSQL when the statement billed
       every paying member it saw): the bills found already made, and the members without a standard (paying,
       still without a bill).

    No member row is locked. The unique constraint on (member, month) is what keeps one bill per member and
    month: an insert meeting another transaction's uncommitted bill for the same member and month waits for
    it to commit and then skips it. Two runs at once insert in member id order, so the second waits at the
    first member the other made and then skips them all (no deadlock, no split); a payment making bills on
    demand (``_bills_for_months``) inserts with ``ignore_conflicts`` and reads the bills back, finding the
    run's. Locking every paying member (as the run once did) wrote to every member row and held up payments
    and edits for the whole run, for a guarantee the constraint already gives. Memory and queries stay flat:
    a fixed few (on SQLite plus about five per thousand bills made when members are told).
    """
    month = first_of_month(month)
    counts = {"month": f"{month:%Y-%m}", "paying": 0, "created": 0, "existing": 0, "exempt": 0}
    paying_seen = None
    if connection.vendor == "postgresql":
        notified, paying_seen = _bills_and_notices_postgresql(
            month=month, building_id=building_id, counts=counts, notify_members=notify_members
        )
    else:
        with connection.cursor() as cursor:
            _insert_bills(cursor, month=month, building_id=building_id)
            notices = _bill_notices(
                _made(cursor), month=month, building_id=building_id, counts=counts, notify_members=notify_members
            )
            notified = notify_bulk(notices, event="dues_bill", batch_size=BILL_BATCH)
    if paying_seen is not None and counts["created"] == paying_seen:
        # The statement billed every paying member it saw (the usual first run of a month): all are billed now,
        # none was before.
        totals = {"paying": paying_seen, "billed": paying_seen}
    else:
        # After the insert every paying member with a standard in force has the month's bill (this run's or an
        # earlier one), so those still without one are the members without a confirmed standard.
        billed = DuesBill.objects.filter(member_id=OuterRef("pk"), month=month)
        totals = paying_members(month=month, building_id=building_id).aggregate(
            paying=Count("pk"), billed=Count("pk", filter=Q(Exists(billed)))
        )
    return {
        **counts,
        "paying": totals["paying"],
        "existing": totals["billed"] - counts["created"],
        "missing_standard": totals["paying"] - totals["billed"],
        "notified": notified,
    }


def _bills_for_months(member: Member, months: list[datetime.date]) -> dict[datetime.date, DuesBill]:
    """The member's bills for ``months``, locked, making the missing ones from the standard in force.

    The caller holds the member's row lock, so no other payment makes the same bills meanwhile; a bill the
    monthly run (which locks no member) makes at the same moment is skipped by the insert and read back."""
    bills = {b.month: b for b in DuesBill.objects.select_for_update().filter(member=member, month__in=months)}
    missing = [m for m in months if m not in bills]
    if missing:
        standards = {}
        for year in {m.year for m in missing}:
            standards[year] = standards_in_force([member.pk], year).get(member.pk)
        without = [m for m in missing if standards[m.year] is None]
        if without:
            raise ValidationError(
                {
                    "first_month": _(
                        "%(name)s has no confirmed dues standard for %(month)s. Ask the secretary to confirm "
                        "the member's standard first."
                    )
                    % {"name": member.name, "month": month_label(without[0])}
                }
            )
        DuesBill.objects.bulk_create([_new_bill(member, m, standards[m.year]) for m in missing], ignore_conflicts=True)
        bills = {b.month: b for b in DuesBill.objects.select_for_update().filter(member=member, month__in=months)}
    return bills


# --- payments -----------------------------------------------------------------------------------------------


def _check_payment(
    *,
    member: Member,
    amount: Decimal,
    paid_on: datetime.date,
    method: str,
    first_month: datetime.date,
    last_month: datetime.date,
    receipt_number: str,
    payer_name: str,
    consent_by,
    decision: dict,
    today: datetime.date,
) -> None:
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter the amount received, more than 0 yuan.")
    elif amount != amount.quantize(CENT):
        errors["amount"] = _("Enter the amount in yuan with at most two decimals (fen).")
    if paid_on > today:
        errors["paid_on"] = _("This date is in the future.")
    if method not in DuesPayment.Method.values:
        errors["method"] = _("Choose how the dues were paid.")
    elif method == DuesPayment.Method.NOT_RECORDED:
        errors["method"] = _("Choose how the dues were paid.")
    elif method == DuesPayment.Method.PROXY and not payer_name.strip():
        errors["payer_name"] = _("Name the relative or party member who paid on the member's behalf (代交).")
    elif method == DuesPayment.Method.PROXY and (refusal := unit_payer_error(member=member, payer_name=payer_name)):
        errors["payer_name"] = refusal
    errors.update(
        check_months(
            member=member,
            first_month=first_month,
            last_month=last_month,
            decision=decision,
            consent=consent_by is not None,
            today=today,
        )
    )
    if receipt_number and DuesPayment.objects.filter(receipt_number=receipt_number).exists():
        errors["receipt_number"] = _("This receipt number is already in the records.")
    if errors:
        raise ValidationError(errors)


NO_DECISION = {"decision_by": "", "decision_on": None, "decision_reason": ""}


def check_months(
    *,
    member: Member,
    first_month: datetime.date,
    last_month: datetime.date,
    decision: dict,
    consent: bool,
    today: datetime.date,
) -> dict:
    """The errors about the chosen months, keyed by field (the payment form shows them before anything is
    written, ``record_payment`` checks again): in order, from the month the member joined, within six months
    back and ahead unless the branch decided otherwise (who, when, why), several months with consent (a
    branch decision is one)."""
    errors = {}
    if last_month < first_month:
        return {"last_month": _("The last month comes before the first.")}
    current = first_of_month(today)
    earliest, latest = add_months(current, -MONTHS_WINDOW), add_months(current, MONTHS_WINDOW)
    decision_errors = _check_decision(decision, today=today) if beyond_window(first_month, last_month, today) else {}
    decided = bool(decision["decision_by"]) and not decision_errors
    if first_month < first_of_month(member.joined_on):
        errors["first_month"] = _("%(name)s pays dues from %(month)s, the month they joined the party.") % {
            "name": member.name,
            "month": month_label(first_of_month(member.joined_on)),
        }
    elif first_month < earliest and not decided:
        errors["first_month"] = _(
            "Back-pay covers at most six months before the current month (from %(month)s). Earlier months "
            "need a decision of the branch: record who decided, when and why below."
        ) % {"month": month_label(earliest)}
    if last_month > latest and not decided:
        errors["last_month"] = _(
            "Dues are paid at most six months ahead (up to %(month)s). Further months need a decision of the "
            "branch: record who decided, when and why below."
        ) % {"month": month_label(latest)}
    errors.update(decision_errors)
    if last_month > first_month and not consent and not decided and not decision_errors:
        errors["consent"] = _("Paying for several months at once needs the branch's consent. Record who agreed.")
    return errors


def _check_decision(decision: dict, *, today: datetime.date) -> dict:
    """The branch decision for months beyond the six-month window: who, when and why, each required."""
    errors = {}
    if not decision["decision_by"]:
        errors["decision_by"] = _("Record who decided: the branch meeting or committee.")
    if decision["decision_on"] is None:
        errors["decision_on"] = _("Record the date of the decision.")
    elif decision["decision_on"] > today:
        errors["decision_on"] = _("This date is in the future.")
    if not decision["decision_reason"]:
        errors["decision_reason"] = _("Record why the branch decided to accept these months.")
    return errors


def beyond_window(first_month: datetime.date, last_month: datetime.date, today: datetime.date) -> bool:
    """Whether months from ``first_month`` to ``last_month`` reach past six months back or ahead."""
    current = first_of_month(today)
    return first_month < add_months(current, -MONTHS_WINDOW) or last_month > add_months(current, MONTHS_WINDOW)


# What a payment's audit record keeps (issue 14, point 10). Payments are only ever recorded here: there is no
# edit, void or delete of a payment anywhere (dues are not in the Django admin either).
PAYMENT_AUDITED_FIELDS = [
    "member",
    "amount",
    "paid_on",
    "method",
    "receipt_number",
    "payer_name",
    "first_month",
    "last_month",
    "decision_by",
    "decision_on",
    "decision_reason",
]


@transaction.atomic
def record_payment(
    *,
    member: Member,
    amount: Decimal,
    paid_on: datetime.date,
    method: str,
    first_month: datetime.date,
    last_month: datetime.date,
    by,
    receipt_number: str = "",
    payer_name: str = "",
    consent_by=None,
    consent_note: str = "",
    decision_by: str = "",
    decision_on: datetime.date | None = None,
    decision_reason: str = "",
    partial: bool = False,
    note: str = "",
    today: datetime.date | None = None,
    notify_member: bool = True,
) -> DuesPayment:
    """Record dues received for ``member`` over the months ``first_month``–``last_month``.

    1. Check the input (every mistake at once, next to its field) and lock the member's row. Months more
       than six back or ahead need the branch's decision (``decision_by``, ``decision_on``,
       ``decision_reason``), which is kept with the payment. The payer is the member, or a relative or
       another member (代交, ``payer_name``); never an enterprise.
    2. Lock the bills of the chosen months, making those not yet billed (paying ahead) from the standard.
    3. Refuse more money than the chosen months still owe, and less unless ``partial`` says it is a partial
       payment; then allocate the payment oldest bill first. A bill paid in full gets ``paid_on``; what is
       left short leaves the last bill partly paid.
    4. Tell the member (unless ``notify_member`` is False: old records typed in, the demo's history).

    ``today`` is the day the payment is recorded: the six months back and ahead count from its month.
    """
    today = today or timezone.localdate()
    first_month, last_month = first_of_month(first_month), first_of_month(last_month)
    receipt_number = (receipt_number or "").strip()
    payer_name = (payer_name or "").strip()
    if method != DuesPayment.Method.PROXY:
        payer_name = ""
    if last_month == first_month and not consent_note:
        consent_by = None  # one month needs no consent
    decision = {
        "decision_by": (decision_by or "").strip()[:100],
        "decision_on": decision_on,
        "decision_reason": (decision_reason or "").strip()[:200],
    }
    if not beyond_window(first_month, last_month, today):
        decision = dict(NO_DECISION)  # within six months no decision is needed, and none is kept
    _check_payment(
        member=member,
        amount=amount,
        paid_on=paid_on,
        method=method,
        first_month=first_month,
        last_month=last_month,
        receipt_number=receipt_number,
        payer_name=payer_name,
        consent_by=consent_by,
        decision=decision,
        today=today,
    )
    member = lock_member(member)
    if not member.is_active_member:
        raise ValidationError(
            _("%(name)s is not in normal party standing; dues cannot be recorded.") % {"name": member.name}
        )
    months = months_from_to(first_month, last_month)
    bills = _bills_for_months(member, months)
    owed = sum((bills[m].outstanding for m in months), Decimal("0"))
    if owed == 0:
        raise ValidationError({"last_month": _("These months are already paid. Choose months that still owe dues.")})
    if amount > owed:
        raise ValidationError(
            {
                "amount": _(
                    "%(first)s to %(last)s owe %(owed)s yuan; %(amount)s is more. Choose more months or "
                    "record the right amount."
                )
                % {"first": month_label(first_month), "last": month_label(last_month), "owed": owed, "amount": amount}
            }
        )
    if amount < owed and not partial:
        raise ValidationError(
            {
                "amount": _(
                    "The chosen months owe %(owed)s yuan; %(amount)s yuan does not cover them. Record the full "
                    "amount, or tick “record as a partial payment” if only part was paid."
                )
                % {"owed": owed, "amount": amount}
            }
        )
    payment = DuesPayment.objects.create(
        member=member,
        amount=amount,
        paid_on=paid_on,
        method=method,
        receipt_number=receipt_number,
        payer_name=payer_name,
        first_month=first_month,
        last_month=last_month,
        consent_by=consent_by,
        consent_note=consent_note.strip(),
        **decision,
        recorded_by=by if by is not None and by.is_authenticated else None,
        note=note.strip(),
    )
    left, allocations = amount, []
    for month in months:
        bill = bills[month]
        share = min(left, bill.outstanding)
        if share <= 0:
            continue
        bill.paid_amount += share
        fields = ["paid_amount"]
        if bill.is_paid:
            bill.paid_on = paid_on
            fields.append("paid_on")
        bill.save(update_fields=fields)
        allocations.append(DuesAllocation(payment=payment, bill=bill, amount=share))
        left -= share
        if left == 0:
            break
    DuesAllocation.objects.bulk_create(allocations)
    # every change of money is on record
    audit_money(instance=payment, fields=PAYMENT_AUDITED_FIELDS, actor=by, building_id=member.organization.building_id)
    if notify_member and member.user is not None:
        notify(
            users=[member.user],
            event="dues_paid",
            context={
                "member": member,
                "amount": amount,
                "first": month_label(first_month),
                "last": month_label(last_month),
                "paid_on": paid_on,
            },
            url=reverse("dues:mine"),
        )
    return payment


@transaction.atomic
def excuse_bill(*, bill: DuesBill, reason: str, by, at=None) -> DuesBill:
    """Record a valid reason for a month not paid (an approved deferral): the month is not arrears.
    An empty reason withdraws the excuse.

    Who excused a month, and when, is kept: an excused month stops the six-month count towards 自行脱党. A
    withdrawal leaves them on the bill (they then say who recorded the reason that was withdrawn) and, like every
    excuse recorded, is written in the member's history with who did it and when (``at``, else now).
    """
    at = at or timezone.now()
    bill = DuesBill.objects.select_for_update().select_related("member").get(pk=bill.pk)
    reason = (reason or "").strip()
    if bill.is_paid:
        raise ValidationError({"excused_reason": _("This month is paid; there is nothing to excuse.")})
    before = bill.excused_reason
    if reason == before:
        return bill
    bill.excused_reason = reason
    fields = ["excused_reason"]
    if reason:
        bill.excused_by = by if by is not None and by.is_authenticated else None
        bill.excused_at = at
        fields += ["excused_by", "excused_at"]
    bill.save(update_fields=fields)
    if reason:
        note = stored(
            gettext_lazy("Dues for %(month)s: valid reason for not paying recorded (%(reason)s)"),
            {"month": month_label(bill.month), "reason": reason},
        )
    else:
        note = stored(
            gettext_lazy("Dues for %(month)s: valid reason for not paying withdrawn (was: %(reason)s)"),
            {"month": month_label(bill.month), "reason": before},
        )
    record_change(
        member=bill.member,
        action=MemberChange.Action.UPDATED,
        changes={"excused_reason": [before, reason]},
        by=by,
        note=note,
        at=at,
    )
    return bill


# --- standards (the yearly round) ---------------------------------------------------------------------------

# Kinds whose amount follows a declared base; the others pay a fixed amount and need none.
BASE_KINDS = (DuesKind.EMPLOYED, DuesKind.SELF_EMPLOYED, DuesKind.RETIRED)
# Members may declare for the current year and, towards its end, for the next one.
DECLARE_AHEAD_YEARS = 1


def check_terms(
    *,
    member: Member,
    year: int,
    kind: str,
    declared_base: Decimal | None,
    payer: str,
    payer_name: str = "",
) -> dict:
    """The terms of a standard, checked and tidied: the fields to save, with ``computed_amount``.

    Raises ``ValidationError`` keyed by field (the forms show each message next to its field). A fixed-amount
    kind keeps no base; a member who pays themselves names no payer; an enterprise never pays (公款代交).
    """
    errors = {}
    if kind not in DuesKind.values:
        errors["kind"] = _("Choose the member's kind.")
    elif kind in BASE_KINDS:
        if declared_base is None:
            errors["declared_base"] = _(
                "Employed, self-employed and retired members enter their monthly base; the amount follows from it."
            )
        elif declared_base <= 0:
            errors["declared_base"] = _("Enter the monthly base in yuan, more than 0.")
    else:
        declared_base = None  # students, the unemployed, members on relief and rural members pay a fixed amount
    if declared_base is not None and declared_base != declared_base.quantize(CENT):
        errors["declared_base"] = _("Enter the base in yuan with at most two decimals.")

    payer_name = (payer_name or "").strip()
    if payer == DuesStandard.Payer.SELF:
        payer_name = ""
    elif payer == DuesStandard.Payer.OTHER:
        if not payer_name:
            errors["payer_name"] = _("Name the relative or party member who pays on the member's behalf (代交).")
        elif refusal := unit_payer_error(member=member, payer_name=payer_name):
            errors["payer_name"] = refusal
    elif payer == "enterprise":
        errors["payer"] = UNIT_PAYER
    else:
        errors["payer"] = _("Choose who pays.")

    if member.joined_on.year > year:
        errors["year"] = _("%(name)s joined the party in %(joined)s; a standard starts with that year.") % {
            "name": member.name,
            "joined": member.joined_on.year,
        }
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "declared_base": declared_base,
        "computed_amount": monthly_dues(declared_base, kind),
        "payer": payer,
        "payer_name": payer_name,
    }


def _require_manager(by, member: Member):
    """Confirm, set and override a member's standard: whoever may edit the member (``access.can_edit``)."""
    if by is None or not access.can_edit(by, member):
        raise PermissionDenied


def _require_normal(member: Member):
    if not member.is_active_member:
        raise ValidationError(
            _("%(name)s is not in normal party standing and pays no dues.") % {"name": member.name}, code="standing"
        )


def describe(standard: DuesStandard) -> str:
    """The standard in words for the history, in the site's language: 在职，月基数 8000.00 元，每月 120.00 元."""
    params = {
        "year": standard.year,
        "kind": standard.get_kind_display(),
        "amount": standard.computed_amount,
        "base": standard.declared_base,
    }
    if standard.declared_base is None:
        return stored(gettext_lazy("%(year)s dues: %(kind)s, %(amount)s yuan a month"), params)
    return stored(gettext_lazy("%(year)s dues: %(kind)s, base %(base)s yuan, %(amount)s yuan a month"), params)


# --- the member declares ------------------------------------------------------------------------------------


@transaction.atomic
def declare_standard(
    *,
    member: Member,
    year: int,
    kind: str,
    declared_base: Decimal | None,
    payer: str = DuesStandard.Payer.SELF,
    payer_name: str = "",
    by,
    today: datetime.date | None = None,
) -> DuesStandard:
    """The member declares their kind and base for ``year``; it waits for the secretary's confirmation.

    A declaration not yet confirmed is replaced by the new one; a confirmed standard is the branch's decision
    and the member cannot change it (they ask their secretary, or declare for the next year).
    """
    if by is None or member.user_id is None or member.user_id != by.pk:
        raise PermissionDenied
    today = today or timezone.localdate()
    if not today.year <= year <= today.year + DECLARE_AHEAD_YEARS:
        raise ValidationError({"year": _("Declare for this year or the next.")})
    member = lock_member(member)
    _require_normal(member)
    terms = check_terms(
        member=member,
        year=year,
        kind=kind,
        declared_base=declared_base,
        payer=payer,
        payer_name=payer_name,
    )
    standard = DuesStandard.objects.select_for_update().filter(member=member, year=year).first()
    if standard is not None and standard.is_confirmed:
        raise ValidationError(
            _(
                "Your %(year)s standard has been confirmed by your branch and can no longer be changed here. If "
                "your income has changed, tell your branch secretary."
            )
            % {"year": year},
            code="confirmed",
        )
    if standard is None:
        standard = DuesStandard(member=member, year=year)
    for field, value in terms.items():
        setattr(standard, field, value)
    standard.status = DuesStandard.Status.DECLARED
    standard.declared_by, standard.declared_at = by, timezone.now()
    standard.save()
    notify(
        users=officers_of(member.organization_id),
        event="dues_declared",
        context={"member": member, "standard": standard},
        url=reverse("dues:standard", args=[member.pk, year]),
    )
    return standard


# --- the secretary confirms or sets --------------------------------------------------------------------------


def _confirm(standard: DuesStandard, *, by, note: str, action_note: str) -> DuesStandard:
    standard.status = DuesStandard.Status.CONFIRMED
    standard.confirmed_by, standard.confirmed_at = by, timezone.now()
    standard.note = note.strip()[:200]
    standard.save()
    record_change(
        member=standard.member,
        action=MemberChange.Action.UPDATED,
        by=by,
        note="；".join(p for p in (action_note, describe(standard), note.strip()) if p),
    )
    return standard


@transaction.atomic
def confirm_standard(
    *,
    standard: DuesStandard,
    by,
    kind: str | None = None,
    declared_base: Decimal | None = None,
    payer: str | None = None,
    payer_name: str = "",
    note: str = "",
) -> DuesStandard:
    """The secretary confirms a member's declaration. With ``kind`` given, the terms given replace the
    declared ones (a correction); without it the declaration is confirmed as it stands. The member is told."""
    member = lock_member(standard.member)
    _require_manager(by, member)
    _require_normal(member)
    standard = DuesStandard.objects.select_for_update().get(pk=standard.pk)
    standard.member = member
    if standard.is_confirmed:
        raise ValidationError(_("This standard is already confirmed."), code="confirmed")
    corrected = False
    if kind is not None:
        terms = check_terms(
            member=member,
            year=standard.year,
            kind=kind,
            declared_base=declared_base,
            payer=payer or DuesStandard.Payer.SELF,
            payer_name=payer_name,
        )
        for field, value in terms.items():
            if getattr(standard, field) != value:
                corrected = True
                setattr(standard, field, value)
    action = (
        gettext_lazy("Dues standard confirmed with corrections")
        if corrected
        else gettext_lazy("Dues standard confirmed")
    )
    _confirm(standard, by=by, note=note, action_note=stored(action))
    if member.user is not None:
        notify(
            users=[member.user],
            event="dues_declare_confirmed",
            context={"member": member, "standard": standard, "corrected": corrected},
            url=reverse("dues:declare"),
        )
    return standard


@transaction.atomic
def set_standard(
    *,
    member: Member,
    year: int,
    kind: str,
    declared_base: Decimal | None,
    by,
    payer: str = DuesStandard.Payer.SELF,
    payer_name: str = "",
    note: str = "",
    today: datetime.date | None = None,
) -> DuesStandard:
    """The secretary sets a member's standard for ``year`` directly (a member without an account, or a change
    the branch decided): created or replaced, and confirmed.

    The amount is set at the start of the year and normally kept (组电明字〔2017〕5号): changing the amount
    of a confirmed standard needs a note saying why. An override stays as it was approved.
    """
    today = today or timezone.localdate()
    member = lock_member(member)
    _require_manager(by, member)
    _require_normal(member)
    if year > today.year + DECLARE_AHEAD_YEARS:
        raise ValidationError({"year": _("A standard can be set up to next year.")})
    terms = check_terms(
        member=member,
        year=year,
        kind=kind,
        declared_base=declared_base,
        payer=payer,
        payer_name=payer_name,
    )
    standard = DuesStandard.objects.select_for_update().filter(member=member, year=year).first()
    if standard is None:
        standard = DuesStandard(member=member, year=year, declared_by=by, declared_at=timezone.now())
        action = gettext_lazy("Dues standard set")
    else:
        unchanged = all(getattr(standard, field) == value for field, value in terms.items())
        if standard.is_confirmed and unchanged and not note.strip():
            return standard  # nothing to record
        if standard.is_confirmed and standard.computed_amount != terms["computed_amount"] and not note.strip():
            raise ValidationError(
                {
                    "note": _(
                        "The amount is normally kept for the whole year. Say why it changes (for example, a "
                        "mistake in the declared base)."
                    )
                }
            )
        action = (
            gettext_lazy("Dues standard changed")
            if standard.is_confirmed
            else gettext_lazy("Dues standard confirmed with corrections")
        )
    standard.member = member
    for field, value in terms.items():
        setattr(standard, field, value)
    return _confirm(standard, by=by, note=note, action_note=stored(action))


# --- hardship, exemptions, rural amounts --------------------------------------------------------------------


def check_override(standard: DuesStandard, *, amount: Decimal, reason: str, approved_by: str) -> dict:
    """An agreed amount instead of the rule's: a hardship reduction (less than the rule), an exemption (0), or
    a rural member's amount of 0.20 to 1.00. A reason and the approving body are required."""
    errors = {}
    if amount is None or amount < 0:
        errors["amount"] = _("Enter the agreed monthly amount in yuan, 0 for an exemption.")
    elif amount != amount.quantize(CENT):
        errors["amount"] = _("Enter the amount in yuan with at most two decimals.")
    elif standard.kind == DuesKind.RURAL:
        if amount != 0 and not FIXED_AMOUNT <= amount <= RURAL_MAXIMUM:
            errors["amount"] = _("A rural member pays between 0.20 and 1.00 yuan a month (0 for an exemption).")
    elif amount >= standard.computed_amount:
        errors["amount"] = _(
            "A hardship reduction is less than the amount by the rule (%(amount)s yuan); 0 is an exemption."
        ) % {"amount": standard.computed_amount}
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the agreed amount, e.g. long illness or unemployment.")
    if not (approved_by or "").strip():
        errors["approved_by"] = _("Record who approved it: the branch meeting and the higher organisation.")
    if errors:
        raise ValidationError(errors)
    return {
        "override_amount": amount,
        "override_reason": reason.strip()[:200],
        "override_approved_by": approved_by.strip()[:100],
    }


@transaction.atomic
def override_standard(
    *, standard: DuesStandard, amount: Decimal | None, reason: str = "", approved_by: str = "", by
) -> DuesStandard:
    """Record the agreed amount (``amount=None`` withdraws it, back to the rule). Kept in the history."""
    member = lock_member(standard.member)
    _require_manager(by, member)
    standard = DuesStandard.objects.select_for_update().get(pk=standard.pk)
    standard.member = member
    if amount is None:
        if standard.override_amount is None:
            return standard
        fields = {"override_amount": None, "override_reason": "", "override_approved_by": ""}
        history = stored(
            gettext_lazy("%(year)s dues: agreed amount withdrawn, back to %(amount)s yuan a month"),
            {"year": standard.year, "amount": standard.computed_amount},
        )
    else:
        fields = check_override(standard, amount=amount, reason=reason, approved_by=approved_by)
        history = stored(
            gettext_lazy(
                "%(year)s dues: %(amount)s yuan a month agreed instead of %(rule)s (%(reason)s; approved by "
                "%(approver)s)"
            ),
            {
                "year": standard.year,
                "amount": amount,
                "rule": standard.computed_amount,
                "reason": fields["override_reason"],
                "approver": fields["override_approved_by"],
            },
        )
    for field, value in fields.items():
        setattr(standard, field, value)
    standard.save(update_fields=list(fields))
    record_change(member=member, action=MemberChange.Action.UPDATED, by=by, note=history)
    return standard


# --- the yearly round ---------------------------------------------------------------------------------------


# Members asked per batch in the declaration round.
DECLARE_BATCH = 1000


def round_dedupe_key(member: Member, year: int) -> str:
    return f"dues:declare:{member.pk}:{year}"


@transaction.atomic
def open_declaration_round(
    *, year: int, by, organization_ids: list[int] | None = None, building=None, today: datetime.date | None = None
) -> dict:
    """Ask every paying member with an account in scope to declare their base for ``year``.

    Scope is ``organization_ids`` (a secretary's branch and its groups) or ``building`` (the admin's). Members
    who already have a standard for the year are not asked; nobody is asked twice for a year, however often
    the round is opened (a notification dedupe key per member and year). Returns the counts.
    """
    today = today or timezone.localdate()
    if by is None or by.role not in (Role.ADMIN, Role.SECRETARY):
        raise PermissionDenied
    if not today.year <= year <= today.year + DECLARE_AHEAD_YEARS:
        raise ValidationError({"year": _("Open the round for this year or the next.")})
    if organization_ids is not None:
        if not organization_ids or not all(in_reach(by, pk) for pk in organization_ids):
            raise PermissionDenied
        members = Member.objects.filter(organization_id__in=organization_ids)
    elif building is not None:
        if by.role != Role.ADMIN or by.building_id != building.pk:
            raise PermissionDenied
        members = Member.objects.filter(organization__building=building)
    else:
        raise ValueError("open_declaration_round needs organization_ids or building")
    return ask_to_declare(members=members, year=year)


def ask_to_declare(*, members, year: int) -> dict:
    """Notify the paying members among ``members`` who have no standard for ``year`` yet (once per year each).
    The declaration round's work, shared by the button and the December job: the members read in keyset
    batches, each batch told with one ``notify_bulk`` (a fixed number of queries however many members)."""
    paying = paying_in_year(members, year).select_related("user")
    counts = {"paying": 0, "already": 0, "without_account": 0, "notified": 0}
    url = reverse("dues:declare") + f"?year={year}"
    for batch in jobs.in_batches(paying, DECLARE_BATCH):
        declared = set(
            DuesStandard.objects.filter(year=year, member_id__in=[m.pk for m in batch]).values_list(
                "member_id", flat=True
            )
        )
        counts["paying"] += len(batch)
        counts["already"] += len(declared)
        notices = []
        for member in batch:
            if member.pk in declared:
                continue
            if member.user is None or not member.user.is_active:
                counts["without_account"] += 1
                continue
            context = {"member": {"name": member.name}, "year": year, "starts": applies_from(member, year)}
            notices.append(Notice(member.user_id, context, url=url, dedupe_key=round_dedupe_key(member, year)))
        counts["notified"] += notify_bulk(notices, event="dues_declare")
    return counts
