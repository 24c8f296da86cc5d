"""Choices of an infirmity, shared with the apps that describe one without storing it
(the simulator): they import this module, never the reparation models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Cause(models.TextChoices):
    INJURY = "injury", _("injury (wound)")
    DISEASE = "disease", _("disease")


class Context(models.TextChoices):
    WAR = "war", _("war")
    OPEX = "opex", _("external operation")
    CAPTIVITY = "captivity", _("captivity")
    PEACE = "peace", _("peacetime service")


class Addition(models.TextChoices):
    CHAIN = "chain", _("remaining validity (L125-8)")
    ARITHMETIC = "arithmetic", _("added arithmetically (L125-9)")
