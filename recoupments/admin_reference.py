"""Admin of the recoupments' reference data: NewMMIS edit codes and the plans' MCE contacts.

Imported by recoupments/admin.py, which Django's admin discovers.
"""

from django.contrib import admin

from recoupments.models import (
    EditCode,
    MceContact,
)


@admin.register(EditCode)
class EditCodeAdmin(admin.ModelAdmin):
    """NewMMIS edit codes; descriptions are editable (domain.md E2: 2017's meaning is unknown)."""

    list_display = ["code", "description", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "description"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []



@admin.register(MceContact)
class MceContactAdmin(admin.ModelAdmin):
    list_display = ["plan", "email"]
    list_select_related = ["plan"]
