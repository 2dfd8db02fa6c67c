"""Routes of the memberships API; ids are checked by the views."""

from django.urls import path

from . import apis

urlpatterns = [
    path(
        "operator/facilities/<str:facility_id>/plans/",
        apis.OperatorPlanListApi.as_view(),
        name="operator-plan-list",
    ),
    path("operator/plans/<str:plan_id>/", apis.OperatorPlanDetailApi.as_view(), name="operator-plan-detail"),
    path("facilities/<str:facility_id>/plans/", apis.FacilityPlanListApi.as_view(), name="facility-plan-list"),
    path("memberships/", apis.MembershipListApi.as_view(), name="membership-list"),
    path("memberships/<str:membership_id>/", apis.MembershipDetailApi.as_view(), name="membership-detail"),
    path("memberships/<str:membership_id>/cancel/", apis.MembershipCancelApi.as_view(), name="membership-cancel"),
    path("memberships/<str:membership_id>/credits/", apis.CreditLedgerApi.as_view(), name="membership-credits"),
]
