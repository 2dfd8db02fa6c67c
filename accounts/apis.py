"""Sign-up, tokens (simplejwt's views, with login lockout), logout and the signed-in user's profile."""

from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView

from .errors import LockedOut
from .serializers import (
    LogoutInputSerializer,
    ProfileUpdateSerializer,
    RegisterAcceptedSerializer,
    RegisterInputSerializer,
    UserSerializer,
)
from .services import refresh_token_revoke, user_update_profile, visitor_register


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=RegisterInputSerializer,
        responses={202: RegisterAcceptedSerializer},
        operation_id="auth_register",
        summary="Register a visitor account",
        description="Creates a visitor account. The answer is the same when the address already has an "
        "account: its owner is emailed instead, and nothing else changes.",
    )
    def post(self, request):
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visitor_register(**serializer.validated_data)
        body = {
            "email": serializer.validated_data["email"].lower(),
            "detail": _(
                "Sign-up received. If this address is new, you can log in now; if it already has an "
                "account, we have emailed its owner."
            ),
        }
        return Response(RegisterAcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class TokenObtainApi(TokenObtainPairView):
    """simplejwt's token endpoint; django-axes refuses the login of a locked address or account, and this view
    tells the client so (429 with Retry-After) rather than answering as for a wrong password."""

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        except exceptions.AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut.for_cool_off() from None
            raise
        # A token is a login: the signal lets django-axes clear the failures counted against this account.
        user_logged_in.send(sender=type(serializer.user), request=request, user=serializer.user)
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


class LogoutApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=LogoutInputSerializer,
        responses={204: None},
        operation_id="auth_logout",
        description="Blacklists the refresh token: it can no longer be refreshed. Access tokens "
        "already issued expire on their own (JWT_ACCESS_MINUTES).",
    )
    def post(self, request):
        serializer = LogoutInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh_token_revoke(token=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserSerializer, operation_id="me_retrieve")
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=ProfileUpdateSerializer, responses=UserSerializer, operation_id="me_update")
    def patch(self, request):
        serializer = ProfileUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, **serializer.validated_data)
        return Response(UserSerializer(user).data)
