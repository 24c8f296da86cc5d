"""Reference data shared by every app."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """An administrative region: Ukrainian oblasts and cities with special status, French regions."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    country = models.CharField(_("country"), max_length=2)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        ordering = ["country", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.localized_name()

    def localized_name(self, language: str | None = None) -> str:
        lang = (language or get_language() or "uk")[:2]
        return str(getattr(self, f"name_{lang}", None) or self.name_en)
