"""Users log in with their email and have one role: visitor, operator or municipal staff."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", User.Role.MUNICIPAL_STAFF if extra.get("municipality") else User.Role.VISITOR)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        VISITOR = "visitor", _("visitor")
        OPERATOR = "operator", _("facility operator")
        MUNICIPAL_STAFF = "municipal_staff", _("municipal staff")

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VISITOR)
    organisation = models.ForeignKey(
        "facilities.OperatorOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_("For operators: the organisation whose facilities they manage."),
    )
    municipality = models.ForeignKey(
        "facilities.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("For municipal staff: the municipality whose claims they review."),
    )
    # Where a visitor lives now: towns subsidise only people who live elsewhere.
    home_prefecture = models.CharField(_("home prefecture"), max_length=10, blank=True)
    home_municipality = models.CharField(_("home municipality"), max_length=50, blank=True)
    home_municipality_code = models.CharField(_("home municipality code"), max_length=6, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    is_staff = models.BooleanField(_("admin access"), default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the visitor deleted the account: its personal data is erased, the row stays for what the law keeps.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["id"]
        verbose_name = _("user")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="operator") | Q(organisation__isnull=False), name="operator_has_organisation"
            ),
            models.CheckConstraint(
                condition=~Q(role="municipal_staff") | Q(municipality__isnull=False), name="staff_has_municipality"
            ),
        ]

    def __str__(self):
        return self.email

    @property
    def display_name(self) -> str:
        """The name to show people: the full name, else the email; a deleted account says so."""
        if self.deleted_at is not None:
            return str(_("deleted account #%(id)s") % {"id": self.pk})
        return self.full_name or self.email

    @property
    def is_visitor(self) -> bool:
        return self.role == self.Role.VISITOR

    @property
    def is_operator(self) -> bool:
        return self.role == self.Role.OPERATOR

    @property
    def is_municipal_staff(self) -> bool:
        return self.role == self.Role.MUNICIPAL_STAFF
