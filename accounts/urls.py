from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from .apis import MeApi, RegisterApi

urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="auth-register"),
    path("auth/token/", extend_schema_view(post=extend_schema(summary="Sign in: get a token pair"))(
        TokenObtainPairView).as_view(), name="auth-token"),
    path("auth/token/refresh/", extend_schema_view(post=extend_schema(summary="Refresh the access token"))(
        TokenRefreshView).as_view(), name="auth-token-refresh"),
    path("me/", MeApi.as_view(), name="me"),
]
