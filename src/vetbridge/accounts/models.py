from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Capability, Role, role_has


class User(AbstractUser):
    """A person who logs in. Staff roles work on files; a veteran account owns one file."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.VETERAN)
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Case workers see the files of their region and of their caseload."),
    )
    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("own file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
        help_text=_("For veteran and family accounts: the registry file of the account holder."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="uk"
    )
    partner = models.ForeignKey(
        "reintegration.Partner",
        verbose_name=_("partner organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("For partner accounts: the organisation whose referrals they answer."),
    )
    email_notifications = models.BooleanField(
        _("e-mail me when something happens"),
        default=True,
        help_text=_(
            "Changes of your claims, requests for information, answers to referrals. "
            "The e-mail never contains medical details."
        ),
    )

    side = models.CharField(
        _("side"),
        max_length=2,
        blank=True,
        choices=[("fr", _("France")), ("ua", _("Ukraine"))],
        help_text=_("For cooperation officers: the country whose part of the roadmap they lead."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def can(self, capability: Capability) -> bool:
        return self.is_active and role_has(self.role, capability)

    @property
    def is_staff_role(self) -> bool:
        return self.role != Role.VETERAN


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored.

    It lives `VETBRIDGE_API_TOKEN_DAYS` days (90 by default); its owner can revoke it, and
    every token of an account is revoked when its password changes.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.refusal() is None

    def refusal(self) -> str | None:
        """Why the token is refused ("revoked", "expired"), or None when it is valid."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return None

    @classmethod
    def issue(cls, *, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
        raw = "vb_" + secrets.token_urlsafe(32)
        days = days if days is not None else int(getattr(settings, "VETBRIDGE_API_TOKEN_DAYS", 90))
        now = timezone.now()
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=_hash_token(raw),
            prefix=raw[:8],
            created_at=now,
            expires_at=now + dt.timedelta(days=days) if days > 0 else None,
        )
        return token, raw

    @classmethod
    def find(cls, raw: str) -> ApiToken | None:
        """The token with this secret, valid or not (None when unknown)."""
        return cls.objects.select_related("user").filter(key_hash=_hash_token(raw)).first()

    @classmethod
    def lookup(cls, raw: str) -> ApiToken | None:
        token = cls.find(raw)
        if token is None or not token.user.is_active or token.refusal():
            return None
        return token


class AuditAction(models.TextChoices):
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    READ = "read", _("read")
    EXPORT = "export", _("export")
    IMPORT = "import", _("import")
    MERGE = "merge", _("merge")
    UNMERGE = "unmerge", _("unmerge")
    LOGIN = "login", _("login")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOGOUT = "logout", _("logout")
    DENIED = "denied", _("access denied")


class AuditLog(models.Model):
    """Who did what to which record, when and from where. Append-only."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("record type"), max_length=64, blank=True)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    person_id = models.BigIntegerField(_("person"), null=True, blank=True, db_index=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    channel = models.CharField(_("channel"), max_length=8, blank=True)
    ip = models.GenericIPAddressField(_("from where"), null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}"
