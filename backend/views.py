"""Error views for paths no view answered: the API's error shape under /api/, Django's pages elsewhere."""

from django.views import defaults

from .responses import is_api_path, not_found_response, status_error_response


def page_not_found(request, exception=None):
    if is_api_path(request.path):
        return not_found_response(request)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_path(request.path):
        return status_error_response(request, status=500)
    return defaults.server_error(request)
