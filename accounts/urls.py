from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework_simplejwt.views import TokenRefreshView

from .apis import (
    LogoutApi,
    MeApi,
    PasswordChangeApi,
    PasswordResetApi,
    PasswordResetConfirmApi,
    RegisterApi,
    TokenObtainApi,
)

urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="auth-register"),
    path(
        "auth/token/",
        extend_schema_view(post=extend_schema(summary="Sign in: get a token pair"))(TokenObtainApi).as_view(),
        name="auth-token",
    ),
    path(
        "auth/token/refresh/",
        extend_schema_view(post=extend_schema(summary="Refresh the access token"))(TokenRefreshView).as_view(),
        name="auth-token-refresh",
    ),
    path("auth/logout/", LogoutApi.as_view(), name="auth-logout"),
    path("auth/password/change/", PasswordChangeApi.as_view(), name="auth-password-change"),
    path("auth/password/reset/", PasswordResetApi.as_view(), name="auth-password-reset"),
    path("auth/password/reset/confirm/", PasswordResetConfirmApi.as_view(), name="auth-password-reset-confirm"),
    path("me/", MeApi.as_view(), name="me"),
]
