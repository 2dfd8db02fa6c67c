"""Sign-up, tokens (simplejwt's views, with login lockout), logout, the password (change, reset) and the
signed-in user's profile."""

from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView

from .errors import InvalidResetToken, LockedOut
from .lockout import lockout_check, lockout_count_failure, password_verify
from .serializers import (
    AccountDeleteInputSerializer,
    LogoutInputSerializer,
    PasswordChangeInputSerializer,
    PasswordResetAcceptedSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetInputSerializer,
    ProfileUpdateSerializer,
    RegisterAcceptedSerializer,
    RegisterInputSerializer,
    UserSerializer,
)
from .services import (
    password_reset_confirm,
    password_reset_request,
    password_reset_user,
    refresh_token_revoke,
    user_delete,
    user_password_change,
    user_update_profile,
    visitor_register,
)


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
        "already issued expire on their own (JWT_ACCESS_MINUTES). With `device_token` (the push token the app "
        "registered), that device stops receiving the account's pushes.",
    )
    def post(self, request):
        serializer = LogoutInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh_token_revoke(
            token=serializer.validated_data["refresh"], device_token=serializer.validated_data.get("device_token", "")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PasswordChangeInputSerializer,
        responses={204: None},
        operation_id="auth_password_change",
        summary="Change the password",
        description="Sets a new password once the current one is proved. Every session of the account ends, this "
        "one included: its access and refresh tokens are refused from now on, so the app signs in again with the "
        "new password (`POST /auth/token/`), which it holds. A wrong `current_password` counts as a failed login "
        "(the lockout applies).",
    )
    def post(self, request):
        serializer = PasswordChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_verify(
            request, user=request.user, password=serializer.validated_data["current_password"], field="current_password"
        )
        user_password_change(user=request.user, new_password=serializer.validated_data["new_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle, ScopedRateThrottle]  # per client address (THROTTLE_PASSWORD_RESET)
    throttle_scope = "password_reset"

    @extend_schema(
        request=PasswordResetInputSerializer,
        responses={202: PasswordResetAcceptedSerializer},
        operation_id="auth_password_reset",
        summary="Ask for a password reset link",
        description="Emails the account with this address a one-time link, valid for PASSWORD_RESET_TIMEOUT (one "
        "hour), that opens the app: `https://…/app/password-reset?uid=…&token=…`. The answer is the same whether "
        "or not the address has an account.",
    )
    def post(self, request):
        serializer = PasswordResetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lockout_check(request, email=serializer.validated_data["email"].lower())
        password_reset_request(email=serializer.validated_data["email"])
        body = {"detail": _("If this address has an account, we have emailed it a link to set a new password.")}
        return Response(PasswordResetAcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle, ScopedRateThrottle]  # per client address (THROTTLE_PASSWORD_RESET)
    throttle_scope = "password_reset"

    @extend_schema(
        request=PasswordResetConfirmInputSerializer,
        responses={204: None},
        operation_id="auth_password_reset_confirm",
        summary="Set a new password with a reset link",
        description="`uid` and `token` come from the emailed link. A link that is used, expired or wrong is a 400 "
        "`invalid_token`, and counts as a failed login (the lockout applies). Every session of the account ends; "
        "the app then signs in with the new password.",
    )
    def post(self, request):
        serializer = PasswordResetConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = password_reset_user(uid=serializer.validated_data["uid"])
        email = user.email if user is not None else None
        lockout_check(request, email=email)
        try:
            password_reset_confirm(
                user=user,
                token=serializer.validated_data["token"],
                new_password=serializer.validated_data["new_password"],
            )
        except InvalidResetToken:
            lockout_count_failure(request, email=email)
            raise
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]
    delete_reads_body = True  # the password (backend/schema.py documents it)

    @extend_schema(responses=UserSerializer, operation_id="me_retrieve")
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=ProfileUpdateSerializer, responses=UserSerializer, operation_id="me_update")
    def patch(self, request):
        serializer = ProfileUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, **serializer.validated_data)
        return Response(UserSerializer(user).data)

    @extend_schema(
        request=AccountDeleteInputSerializer,
        responses={204: None},
        operation_id="me_delete",
        summary="Delete the account",
        description="Erases the account's personal data (name, email, which may sign up again, phone, home, "
        "devices) and ends every session. What the law keeps stays: bookings, claims with their snapshots, audit "
        "events and paid figures, no longer linked to a person one can reach. 409 `active_bookings` while a "
        "booking is still to come, a claim is not yet paid or a membership still runs, with their ids in `bookings`, "
        "`claims` and `memberships`. A wrong "
        "password counts as a failed login (the lockout applies).",
    )
    def delete(self, request):
        serializer = AccountDeleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_verify(request, user=request.user, password=serializer.validated_data["password"], field="password")
        user_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
