"""Routes of the reimbursement API.

Ids are matched as any string and checked by the views, so that a malformed id gets the API's JSON 404
rather than Django's HTML page."""

from django.urls import path

from . import apis, certification_apis, programme_apis

urlpatterns = [
    path("programmes/", programme_apis.ProgrammeListApi.as_view(), name="programme-list"),
    path("programmes/<str:code>/", programme_apis.ProgrammeDetailApi.as_view(), name="programme-detail"),
    path("certifications/", certification_apis.CertificationListApi.as_view(), name="certification-list"),
    path(
        "certifications/<str:certification_id>/",
        certification_apis.CertificationDetailApi.as_view(),
        name="certification-detail",
    ),
    path(
        "certifications/<str:certification_id>/approve/",
        certification_apis.CertificationApproveApi.as_view(),
        name="certification-approve",
    ),
    path(
        "certifications/<str:certification_id>/refuse/",
        certification_apis.CertificationRefuseApi.as_view(),
        name="certification-refuse",
    ),
    path("reimbursement-estimates/<str:booking_id>/", apis.BookingEstimateApi.as_view(), name="booking-estimate"),
    path("claims/", apis.ClaimListApi.as_view(), name="claim-list"),
    path("claims/export.csv", apis.ClaimExportApi.as_view(), name="claim-export"),
    path("claims/<str:claim_id>/", apis.ClaimDetailApi.as_view(), name="claim-detail"),
    path("claims/<str:claim_id>/lines/", apis.ClaimLineCreateApi.as_view(), name="claim-line-create"),
    path("claims/<str:claim_id>/lines/<str:line_id>/", apis.ClaimLineDeleteApi.as_view(), name="claim-line-delete"),
    path(
        "claims/<str:claim_id>/lines/<str:line_id>/receipt/",
        apis.ClaimLineReceiptApi.as_view(),
        name="claim-line-receipt",
    ),
    path(
        "claims/<str:claim_id>/lines/<str:line_id>/disallow/",
        apis.ClaimLineDisallowApi.as_view(),
        name="claim-line-disallow",
    ),
    path("claims/<str:claim_id>/submit/", apis.ClaimSubmitApi.as_view(), name="claim-submit"),
    path("claims/<str:claim_id>/apply/", apis.ClaimApplyApi.as_view(), name="claim-apply"),
    path("claims/<str:claim_id>/grant/", apis.ClaimGrantApi.as_view(), name="claim-grant"),
    path("claims/<str:claim_id>/refuse/", apis.ClaimRefuseApi.as_view(), name="claim-refuse"),
    path("claims/<str:claim_id>/withdraw/", apis.ClaimWithdrawApi.as_view(), name="claim-withdraw"),
    path("claims/<str:claim_id>/approve/", apis.ClaimApproveApi.as_view(), name="claim-approve"),
    path("claims/<str:claim_id>/reject/", apis.ClaimRejectApi.as_view(), name="claim-reject"),
    path("claims/<str:claim_id>/mark-paid/", apis.ClaimMarkPaidApi.as_view(), name="claim-mark-paid"),
    path("claims/<str:claim_id>/events/", apis.ClaimEventListApi.as_view(), name="claim-events"),
]
