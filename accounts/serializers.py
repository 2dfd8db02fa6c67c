from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .models import User

PREFECTURES = [
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県",
    "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",
    "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県",
    "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県",
    "宮崎県", "鹿児島県", "沖縄県",
]


class ProfileFieldsMixin(serializers.Serializer):
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    home_prefecture = serializers.ChoiceField(choices=PREFECTURES, required=False, allow_blank=True)
    home_municipality = serializers.CharField(max_length=50, required=False, allow_blank=True)
    home_municipality_code = serializers.RegexField(r"^[0-9]{6}$", required=False, allow_blank=True)


class RegisterInputSerializer(ProfileFieldsMixin):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, min_length=8, max_length=128, style={"input_type": "password"})

    def validate(self, attrs):
        try:
            password_validation.validate_password(attrs["password"], User(email=attrs["email"]))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class ProfileUpdateSerializer(ProfileFieldsMixin):
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class UserSerializer(serializers.ModelSerializer):
    organisation = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "organisation", "municipality", "phone",
                  "home_prefecture", "home_municipality", "home_municipality_code", "date_joined"]
        read_only_fields = fields
