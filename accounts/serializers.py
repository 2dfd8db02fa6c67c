from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import User
from .prefectures import PREFECTURES, municipality_code_is_valid


class ProfileFieldsMixin(serializers.Serializer):
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    home_prefecture = serializers.ChoiceField(choices=PREFECTURES, required=False, allow_blank=True)
    home_municipality = serializers.CharField(max_length=50, required=False, allow_blank=True)
    home_municipality_code = serializers.RegexField(
        r"^[0-9]{6}$",
        required=False,
        allow_blank=True,
        help_text=_("National local-government code with its check digit (Setagaya: 131121)."),
    )

    def validate_home_municipality_code(self, value: str) -> str:
        if value and not municipality_code_is_valid(value):
            raise serializers.ValidationError(_("This is not a local-government code (check its last digit)."))
        return value


class RegisterInputSerializer(ProfileFieldsMixin):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, min_length=12, max_length=128, style={"input_type": "password"})

    def validate(self, attrs):
        try:
            password_validation.validate_password(attrs["password"], User(email=attrs["email"]))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class RegisterAcceptedSerializer(serializers.Serializer):
    """The same answer whether the address was new or already had an account (whose owner is then emailed)."""

    email = serializers.EmailField()
    detail = serializers.CharField()


class ProfileUpdateSerializer(ProfileFieldsMixin):
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class UserSerializer(serializers.ModelSerializer):
    home_prefecture = serializers.ChoiceField(choices=PREFECTURES, allow_blank=True, read_only=True)
    # Typed as any model: their models live in facilities, which accounts does not import.
    organisation: serializers.PrimaryKeyRelatedField[models.Model] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    municipality: serializers.SlugRelatedField[models.Model] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "organisation",
            "municipality",
            "phone",
            "home_prefecture",
            "home_municipality",
            "home_municipality_code",
            "date_joined",
        ]
        read_only_fields = fields


class LogoutInputSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=2048)
    device_token = serializers.CharField(
        max_length=512,
        required=False,
        help_text=_("The push token this app registered (POST /devices/): the device stops receiving pushes."),
    )


class PasswordChangeInputSerializer(serializers.Serializer):
    current_password = serializers.CharField(max_length=128, style={"input_type": "password"})
    new_password = serializers.CharField(min_length=12, max_length=128, style={"input_type": "password"})


class PasswordResetInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetAcceptedSerializer(serializers.Serializer):
    """The same answer whether or not the address has an account."""

    detail = serializers.CharField()


class PasswordResetConfirmInputSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64, help_text=_("The `uid` of the emailed link."))
    token = serializers.CharField(max_length=128, help_text=_("The `token` of the emailed link."))
    new_password = serializers.CharField(min_length=12, max_length=128, style={"input_type": "password"})


class AccountDeleteInputSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
