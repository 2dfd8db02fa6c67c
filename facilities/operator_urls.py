"""Routes of the operators' catalogue API (under /api/v1/operator/)."""
urlpatterns: list = []
