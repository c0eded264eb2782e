"""The rooms in Django's admin for the rare correction; the rooms page (/activities/rooms/) is where an admin keeps
them. Bookings are read-only here: booking, moving and cancelling go through ``activities.rooms.services``, which
refuses overlaps with a clear message (and a meeting's booking follows its meeting)."""

from django.contrib import admin

from .models import Room, RoomBooking


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "building", "location", "capacity", "is_active"]
    list_filter = ["is_active", "building"]
    search_fields = ["name", "location"]


@admin.register(RoomBooking)
class RoomBookingAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "ends_at", "room", "title", "organization", "source", "cancelled_at"]
    list_filter = ["room__building", "room"]
    search_fields = ["title", "source"]
    date_hierarchy = "starts_at"
    list_select_related = ["room", "organization"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
