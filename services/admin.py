from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from buildingparty.models import Role, User

from .categories import HANDLER_ROLES, handler_candidates
from .forms import handler_label
from .models import ServiceCategory


class CategoryAdminForm(forms.ModelForm):
    # With the building not on the form, Django skips the (building, code) constraint; check it here.
    building_id = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "handler" in self.fields:
            # The building's staff only: a short select, and a posted id of anyone else is "not a valid choice".
            # A superuser adding a category picks the building first; then the check is clean_handler's.
            building_id = self.instance.building_id or self.building_id
            self.fields["handler"].queryset = (
                handler_candidates(building_id)
                if building_id
                else User.objects.filter(role__in=HANDLER_ROLES, is_active=True, building__isnull=False)
                .select_related("organization")
                .order_by("building", "role", "name")
            )
            self.fields["handler"].label_from_instance = handler_label

    def clean_handler(self):
        handler = self.cleaned_data.get("handler")
        building = self.cleaned_data.get("building")
        building_id = self.instance.building_id or self.building_id or (building.pk if building else None)
        if handler is not None and not handler_candidates(building_id).filter(pk=handler.pk).exists():
            raise forms.ValidationError(
                _("The named handler must be an admin, secretary or liaison of this category's building.")
            )
        return handler

    def clean_code(self):
        code = self.cleaned_data["code"]
        building_id = self.instance.building_id or self.building_id
        duplicate = ServiceCategory.objects.filter(building_id=building_id, code=code).exclude(pk=self.instance.pk)
        if building_id and duplicate.exists():
            raise forms.ValidationError(_("This building already has a category with this code."))
        return code


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    """Building admins keep their own building's categories: names, handlers, time limits, on or off."""

    list_display = [
        "name",
        "code",
        "audience",
        "handler_kind",
        "handler",
        "limit_days",
        "is_transfer",
        "active",
        "order",
    ]
    list_editable = ["limit_days", "active", "order"]
    list_filter = ["audience", "handler_kind", "active", "building"]
    search_fields = ["name", "code"]
    list_select_related = ["handler", "building"]
    form = CategoryAdminForm

    def _is_building_admin(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and request.user.role == Role.ADMIN

    def _allowed(self, request) -> bool:
        return request.user.is_superuser or self._is_building_admin(request)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False  # requests keep their category; switch it off instead

    def get_queryset(self, request):
        categories = super().get_queryset(request)
        if request.user.is_superuser:
            return categories
        return categories.filter(building_id=request.user.building_id)

    def get_exclude(self, request, obj=None):
        return [] if request.user.is_superuser else ["building"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.building_id = None if request.user.is_superuser else request.user.building_id
        return form

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and not change:
            obj.building_id = request.user.building_id
        super().save_model(request, obj, form, change)
