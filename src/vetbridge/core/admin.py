from django.contrib import admin

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "country", "name_uk", "name_fr", "name_en")
    list_filter = ("country",)
