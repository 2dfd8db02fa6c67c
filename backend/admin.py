"""What every app's admin shares: read-only pages, and pages that write through the services."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse

from .errors import DomainError


class ReadOnlyMixin:
    """View permission only: the pages render, and any POST to them is refused with 403. For records that change
    only through the services (bookings, payments, claims and their audit trails)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAdmin(admin.ModelAdmin):
    """An admin that writes only through the app's services, as the API does. Once the form's fields are valid,
    its validation ends with the service's write: what the service refuses (a domain error) shows on the form
    with the same translated message the API gives, and nothing is written. Subclasses name the services."""

    def service_create(self, *, request, fields: dict):
        raise NotImplementedError

    def service_update(self, *, request, obj, changes: dict):
        raise NotImplementedError

    def service_delete(self, *, request, obj) -> None:
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(base):
            def clean(self):
                cleaned_data = super().clean()
                if self.errors:
                    return cleaned_data  # the form's own field checks first, as the API's serializers
                try:
                    if self.instance.pk is None:
                        fields = {name: cleaned_data[name] for name in self.fields if name in cleaned_data}
                        self.instance = model_admin.service_create(request=request, fields=fields)
                    else:
                        stored = type(self.instance)._default_manager.get(pk=self.instance.pk)
                        changes = {name: cleaned_data[name] for name in self.changed_data}
                        self.instance = model_admin.service_update(request=request, obj=stored, changes=changes)
                except DomainError as error:
                    _add_domain_error(self, error)
                return cleaned_data

            def _post_clean(self):
                """The service decided (and wrote) in clean(); the model's own checks would only repeat the
                database constraints the service keeps, in other words."""

        return ServiceForm

    def save_model(self, request, obj, form, change):
        """Already written by the service when the form was validated."""

    def delete_model(self, request, obj):
        self.service_delete(request=request, obj=obj)

    def get_deleted_objects(self, objs, request):
        # The service decides what deleting means (it may refuse, or keep the row deactivated), not the
        # protected foreign keys or the read-only rows a cascade would reach.
        deleted, model_count, _perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), []

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            self.message_user(request, error.render_message(), messages.ERROR)
            opts = self.opts
            return redirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=[object_id],
                    current_app=self.admin_site.name,
                )
            )

    def get_actions(self, request):
        # Deleting goes one object at a time through the service, which may refuse it.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Without the admin's own transaction: the services open theirs (durable, where they lock stock rows).
        return self._changeform_view(request, object_id, form_url, extra_context)


def _add_domain_error(form, error: DomainError) -> None:
    placed = False
    for name, messages_of_field in error.fields.items():
        if name in form.fields:
            for message in messages_of_field:
                form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, error.render_message())
