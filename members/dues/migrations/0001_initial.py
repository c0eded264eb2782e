"""Dues move out of the members app into their own app (label dues): state only, see 0002 for the tables."""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('buildingparty', '0003_jobrun_outboxmessage'),
        ('enterprises', '0003_alter_surveylead_options'),
        ('members', '0005_dues_bill_excused_by'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables already exist (made by the members app); only Django's idea of who owns them moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DuesBill',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='The first day of the month.', verbose_name='month')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=8, verbose_name='amount due')),
                        ('paid_amount', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=8, verbose_name='paid')),
                        ('paid_on', models.DateField(blank=True, null=True, verbose_name='paid in full on')),
                        ('excused_reason', models.CharField(blank=True, help_text='Recorded by the secretary, e.g. an approved deferral; the month is not counted as arrears.', max_length=200, verbose_name='valid reason for not paying')),
                        ('excused_at', models.DateTimeField(blank=True, null=True, verbose_name='reason recorded at')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('excused_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reason recorded by')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='dues_bills', to='members.member', verbose_name='party member')),
                        ('organization', models.ForeignKey(help_text="The member's branch when the bill was made; the ledger counts it there.", on_delete=django.db.models.deletion.PROTECT, related_name='dues_bills', to='buildingparty.partyorganization', verbose_name='branch')),
                    ],
                    options={
                        'db_table': 'members_duesbill',
                        'verbose_name': 'dues bill',
                        'verbose_name_plural': 'dues bills',
                        'ordering': ['-month', 'member__name'],
                    },
                ),
                migrations.CreateModel(
                    name='DuesPayment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=8, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='amount (yuan)')),
                        ('paid_on', models.DateField(verbose_name='paid on')),
                        ('method', models.CharField(choices=[('cash', 'Cash'), ('bank', 'Bank transfer'), ('wechat', 'WeChat transfer'), ('alipay', 'Alipay transfer'), ('proxy', "Paid on the member's behalf (代缴)")], default='cash', max_length=20, verbose_name='method')),
                        ('receipt_number', models.CharField(blank=True, max_length=50, verbose_name='receipt number')),
                        ('payer_name', models.CharField(blank=True, max_length=50, verbose_name='paying person')),
                        ('first_month', models.DateField(verbose_name='from month')),
                        ('last_month', models.DateField(verbose_name='to month')),
                        ('consent_note', models.CharField(blank=True, max_length=200, verbose_name='consent')),
                        ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded at')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                        ('consent_by', models.ForeignKey(blank=True, help_text="Paying for several months at once needs the branch's consent.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='consent given by')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='dues_payments', to='members.member', verbose_name='party member')),
                        ('payer_enterprise', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='enterprises.enterprise', verbose_name='paying enterprise')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                    ],
                    options={
                        'db_table': 'members_duespayment',
                        'verbose_name': 'dues payment',
                        'verbose_name_plural': 'dues payments',
                        'ordering': ['-paid_on', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='DuesAllocation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=8)),
                        ('bill', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='dues.duesbill')),
                        ('payment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='allocations', to='dues.duespayment')),
                    ],
                    options={
                        'db_table': 'members_duesallocation',
                        'verbose_name': 'dues allocation',
                        'verbose_name_plural': 'dues allocations',
                    },
                ),
                migrations.CreateModel(
                    name='DuesStandard',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('kind', models.CharField(choices=[('employed', 'Employed (wages)'), ('self_employed', 'Self-employed'), ('retired', 'Retired (basic pension)'), ('student', 'Student'), ('unemployed', 'Unemployed'), ('low_income', 'On relief or minimum living allowance'), ('rural', 'Rural member')], default='employed', max_length=20, verbose_name='kind')),
                        ('declared_base', models.DecimalField(blank=True, decimal_places=2, help_text="Regular monthly wage income after tax. Do not include social insurance, the housing fund, or allowances for housing, transport, phone, overtime, meals, heating or cooling. Annual-salary earners: this month's pay; self-employed: the previous quarter's average monthly net income; retirees: the basic pension.", max_digits=10, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='monthly base (yuan)')),
                        ('computed_amount', models.DecimalField(decimal_places=2, max_digits=8, verbose_name='amount by the rule')),
                        ('override_amount', models.DecimalField(blank=True, decimal_places=2, help_text="For a hardship reduction or exemption (0), or a rural member's amount between 0.20 and 1.00.", max_digits=8, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='amount agreed instead')),
                        ('override_reason', models.CharField(blank=True, max_length=200, verbose_name='reason for the agreed amount')),
                        ('override_approved_by', models.CharField(blank=True, help_text='The branch meeting and the higher organisation that approved it, e.g. 联合党总支 2026-01-10.', max_length=100, verbose_name='approved by')),
                        ('payer', models.CharField(choices=[('self', 'The member themself'), ('enterprise', 'Their enterprise (代缴)'), ('other', 'Another person (代缴)')], default='self', max_length=20, verbose_name='who pays')),
                        ('payer_name', models.CharField(blank=True, max_length=50, verbose_name='paying person')),
                        ('status', models.CharField(choices=[('declared', 'Declared, awaiting confirmation'), ('confirmed', 'Confirmed')], default='declared', max_length=20, verbose_name='status')),
                        ('declared_at', models.DateTimeField(blank=True, null=True, verbose_name='declared at')),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed at')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                        ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by')),
                        ('declared_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='dues_standards', to='members.member', verbose_name='party member')),
                        ('payer_enterprise', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='enterprises.enterprise', verbose_name='paying enterprise')),
                    ],
                    options={
                        'db_table': 'members_duesstandard',
                        'verbose_name': 'dues standard',
                        'verbose_name_plural': 'dues standards',
                        'ordering': ['-year', 'member__name'],
                    },
                ),
                migrations.AddField(
                    model_name='duesbill',
                    name='standard',
                    field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='bills', to='dues.duesstandard'),
                ),
                migrations.AddConstraint(
                    model_name='duespayment',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='dues_payment_positive'),
                ),
                migrations.AddConstraint(
                    model_name='duespayment',
                    constraint=models.CheckConstraint(condition=models.Q(('last_month__gte', models.F('first_month'))), name='dues_payment_months'),
                ),
                migrations.AddConstraint(
                    model_name='duespayment',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('method', 'proxy'), _negated=True), ('payer_enterprise__isnull', False), models.Q(('payer_name', ''), _negated=True), _connector='OR'), name='dues_proxy_payer_named'),
                ),
                migrations.AddConstraint(
                    model_name='duespayment',
                    constraint=models.UniqueConstraint(condition=models.Q(('receipt_number', ''), _negated=True), fields=('receipt_number',), name='dues_receipt_number_unique'),
                ),
                migrations.AddConstraint(
                    model_name='duesallocation',
                    constraint=models.UniqueConstraint(fields=('payment', 'bill'), name='dues_allocation_once'),
                ),
                migrations.AddConstraint(
                    model_name='duesallocation',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='dues_allocation_positive'),
                ),
                migrations.AddConstraint(
                    model_name='duesstandard',
                    constraint=models.UniqueConstraint(fields=('member', 'year'), name='dues_standard_one_per_year'),
                ),
                migrations.AddConstraint(
                    model_name='duesstandard',
                    constraint=models.CheckConstraint(condition=models.Q(('override_amount__isnull', True), models.Q(('override_reason', ''), _negated=True), _connector='OR'), name='dues_override_has_reason'),
                ),
                migrations.AddConstraint(
                    model_name='duesstandard',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('payer', 'enterprise'), _negated=True), ('payer_enterprise__isnull', False), _connector='OR'), name='dues_enterprise_payer_named'),
                ),
                migrations.AddConstraint(
                    model_name='duesstandard',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('payer', 'other'), _negated=True), models.Q(('payer_name', ''), _negated=True), _connector='OR'), name='dues_other_payer_named'),
                ),
                migrations.AddIndex(
                    model_name='duesbill',
                    index=models.Index(fields=['organization', 'month'], name='dues_bill_org_month'),
                ),
                migrations.AddConstraint(
                    model_name='duesbill',
                    constraint=models.UniqueConstraint(fields=('member', 'month'), name='dues_bill_one_per_member_month'),
                ),
                migrations.AddConstraint(
                    model_name='duesbill',
                    constraint=models.CheckConstraint(condition=models.Q(('month__day', 1)), name='dues_bill_month_first_day'),
                ),
                migrations.AddConstraint(
                    model_name='duesbill',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gte', 0)), name='dues_bill_amount_not_negative'),
                ),
                migrations.AddConstraint(
                    model_name='duesbill',
                    constraint=models.CheckConstraint(condition=models.Q(('paid_amount__gte', 0), ('paid_amount__lte', models.F('amount'))), name='dues_bill_paid_within_amount'),
                ),
            ],
            database_operations=[],
        ),
    ]
