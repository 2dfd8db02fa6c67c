"""The console's URLs, under /console/."""

from django.urls import include, path

from . import views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("operator/", views.operator_home, name="operator-home"),
    path("operator/facilities/<str:facility_id>/", views.operator_facility, name="operator-facility"),
    path(
        "operator/facilities/<str:facility_id>/closures/", views.operator_closure_create, name="operator-closure-create"
    ),
    path(
        "operator/facilities/<str:facility_id>/prices/",
        views.operator_price_override_create,
        name="operator-price-create",
    ),
    path("operator/facilities/<str:facility_id>/day/", views.operator_day, name="operator-day"),
    path("operator/facilities/<str:facility_id>/figures/", views.operator_figures, name="operator-figures"),
    path("operator/members/", views.operator_members, name="operator-members"),
    path("operator/bookings/<str:booking_id>/", views.operator_booking, name="operator-booking"),
    path("operator/bookings/<str:booking_id>/cancel/", views.operator_booking_cancel, name="operator-booking-cancel"),
    path("operator/imports/<str:import_id>/sync/", views.operator_import_sync, name="operator-import-sync"),
    path("staff/claims/", views.staff_claims, name="staff-claims"),
    path("staff/claims/<str:claim_id>/", views.staff_claim, name="staff-claim"),
    path("staff/claims/<str:claim_id>/lines/<str:line_id>/receipt/", views.staff_receipt, name="staff-receipt"),
    path(
        "staff/claims/<str:claim_id>/lines/<str:line_id>/disallow/",
        views.staff_line_disallow,
        name="staff-line-disallow",
    ),
    path("staff/claims/<str:claim_id>/approve/", views.staff_claim_approve, name="staff-claim-approve"),
    path("staff/claims/<str:claim_id>/reject/", views.staff_claim_reject, name="staff-claim-reject"),
    path("staff/claims/<str:claim_id>/mark-paid/", views.staff_claim_mark_paid, name="staff-claim-mark-paid"),
    path("staff/claims/<str:claim_id>/grant/", views.staff_claim_grant, name="staff-claim-grant"),
    path("staff/claims/<str:claim_id>/refuse/", views.staff_claim_refuse, name="staff-claim-refuse"),
    path("staff/applications/", views.staff_applications, name="staff-applications"),
    path("staff/consultations/", views.staff_consultations, name="staff-consultations"),
    path("staff/consultations/slots/", views.staff_slot_create, name="staff-slot-create"),
    path(
        "staff/consultations/<str:consultation_id>/attended/",
        views.staff_consultation_attended,
        name="staff-consultation-attended",
    ),
    path(
        "staff/consultations/<str:consultation_id>/missed/",
        views.staff_consultation_missed,
        name="staff-consultation-missed",
    ),
    path(
        "staff/consultations/<str:consultation_id>/cancel/",
        views.staff_consultation_cancel,
        name="staff-consultation-cancel",
    ),
    path("staff/kpis/", views.staff_kpis, name="staff-kpis"),
    # Monthly programmes: certifications to decide and the month's queue.
    path("staff/monthly/", views.staff_monthly, name="staff-monthly"),
    path(
        "staff/certifications/<str:certification_id>/approve/",
        views.staff_certification_approve,
        name="staff-certification-approve",
    ),
    path(
        "staff/certifications/<str:certification_id>/refuse/",
        views.staff_certification_refuse,
        name="staff-certification-refuse",
    ),
]
