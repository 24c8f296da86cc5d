"""The reference data of the roadmap, editable by administrators: the axes (seeded with the
four of the memorandum) and the objectives. Actions, meetings and indicators go through the
pages, whose services keep the history and the audit."""

from django.contrib import admin

from .models import Axis, Objective


@admin.register(Axis)
class AxisAdmin(admin.ModelAdmin):
    list_display = ("code", "position", "__str__")


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ("code", "axis", "__str__")
    list_filter = ("axis",)
