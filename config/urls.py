from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from accounts import languages
from config import views

admin.site.site_header = _("Policy Review Desk")
admin.site.site_title = _("Policy Review Desk")
admin.site.index_title = _("Records and reviews")

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("health/", views.health, name="health"),
    path("language/", languages.set_language, name="set_language"),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
